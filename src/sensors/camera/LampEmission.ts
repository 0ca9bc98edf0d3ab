import { materialId } from '../../core/materials.js';

/**
 * The light a lit signal lamp sends toward the camera, added to its lens's reflected light.
 *
 * Luminance: the ITE's "Vehicle Traffic Control Signal Heads — LED Circular Signal Supplement"
 * (VTCSH-LED, 2005, §4.1.1) requires of a 200 mm module a peak minimum maintained luminous
 * intensity I(−2.5°, 0°) of 165 cd red, 410 cd yellow and 215 cd green (EN 12368's level 2,
 * 200 to 800 cd on the axis, lies in the same range). Spread over the lens's 0.2 m disc
 * (π · 0.1² = 0.0314 m²) that is a luminance of 5.25, 13.05 and 6.84 kcd/m²: the units of the
 * realistic shading (Sky.ts), so a lit lens stands out of a sunlit scene as in daylight.
 *
 * Colour: a point inside each of VTCSH-LED's chromaticity regions (CIE 1931; red 0.998 − x ≤ y
 * ≤ 0.308, yellow 0.411 ≤ y ≤ 0.452 and y ≥ 0.995 − x, green y ≥ 0.506 − 0.519x, y ≥ 0.150 +
 * 1.068x, y ≤ 0.730): red (0.700, 0.299), yellow (0.570, 0.427), green (0.170, 0.700), turned
 * into linear sRGB, clipped to its gamut (signal colours lie outside it) and scaled so that
 * the luminance Y is the lamp's.
 */
/** A 200 mm lens's area (m²). */
const LENS_AREA = Math.PI * 0.1 * 0.1;
/** Luminance (kcd/m²) of a lens sending `cd` candela along the axis. */
const kcdPerM2 = (cd: number): number => cd / LENS_AREA / 1000;

const LAMPS: { material: Parameters<typeof materialId>[0]; x: number; y: number; luminance: number }[] = [
  { material: 'lamp_red', x: 0.7, y: 0.299, luminance: kcdPerM2(165) },
  { material: 'lamp_amber', x: 0.57, y: 0.427, luminance: kcdPerM2(410) },
  { material: 'lamp_green', x: 0.17, y: 0.7, luminance: kcdPerM2(215) },
];

/** Linear sRGB of chromaticity (x, y) with luminance Y, negatives clipped, then scaled back to Y (IEC 61966-2-1's matrix). */
function linearSrgb(x: number, y: number, luminance: number): [number, number, number] {
  const X = x / y, Z = (1 - x - y) / y;
  const rgb = [3.2406 * X - 1.5372 - 0.4986 * Z, -0.9689 * X + 1.8758 + 0.0415 * Z, 0.0557 * X - 0.204 + 1.057 * Z].map((v) => Math.max(0, v));
  const Y = 0.2126 * rgb[0] + 0.7152 * rgb[1] + 0.0722 * rgb[2];
  return rgb.map((v) => (v * luminance) / Y) as [number, number, number];
}

/** Per material: the radiance a lit lens adds (kcd/m², linear sRGB, 3 per id); zero for every other material. */
export const LAMP_RADIANCE: Float32Array = (() => {
  const t = new Float32Array(256 * 3);
  for (const l of LAMPS) t.set(linearSrgb(l.x, l.y, l.luminance), materialId(l.material) * 3);
  return t;
})();

/** Whether a material is a lens that may be lit (1) or not (0). */
export const IS_LAMP: Uint8Array = (() => {
  const t = new Uint8Array(256);
  for (const l of LAMPS) t[materialId(l.material)] = 1;
  return t;
})();

/**
 * Per material: a lit lens's colour in the palette image (sRGB 0..255, 3 per id): the lamp's
 * chromaticity at full brightness (the palette shows classes, a lit lamp its light).
 */
export const LAMP_PALETTE: Uint8Array = (() => {
  const t = new Uint8Array(256 * 3);
  for (const l of LAMPS) {
    const c = linearSrgb(l.x, l.y, 1);
    const top = Math.max(...c);
    t.set(c.map((v) => Math.round(255 * Math.pow(v / top, 1 / 2.2))), materialId(l.material) * 3);
  }
  return t;
})();
