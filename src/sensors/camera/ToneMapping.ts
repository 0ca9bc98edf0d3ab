/**
 * From scene light to the 8-bit values a camera delivers: exposure, a filmic tone curve and
 * the sRGB transfer function.
 *
 * Exposure meters like a camera's averaging auto-exposure calibrated on an 18 % grey card: a
 * horizontal grey surface under the scene's sun and sky maps to `MID_GREY` before the curve,
 * and `exposureBias` (EV) shifts that by powers of two.
 *
 * Tone curve: Narkowicz's fit of the ACES reference rendering transform ("ACES Filmic Tone
 * Mapping Curve", 2015): y = x (2.51 x + 0.03) / (x (2.43 x + 0.59) + 0.14), clamped to
 * [0, 1]; a toe lifts nothing into noise, the shoulder rolls highlights (the sun on chrome,
 * the sky near the sun) off instead of clipping them hard.
 *
 * Encoding: the sRGB opto-electronic transfer function of IEC 61966-2-1:
 *   V = 12.92 L for L ≤ 0.0031308, V = 1.055 L^(1/2.4) − 0.055 otherwise,
 * rounded to 8 bits through a table (one Math.pow per table entry, not per pixel).
 */

/** Where the metered grey card lands on the curve's input (after exposure, before the curve). */
export const MID_GREY = 0.15;

export function acesFitted(x: number): number {
  const y = (x * (2.51 * x + 0.03)) / (x * (2.43 * x + 0.59) + 0.14);
  return y < 0 ? 0 : y > 1 ? 1 : y;
}

/** IEC 61966-2-1 sRGB OETF: linear [0, 1] to the encoded value [0, 1]. */
export function srgbEncode(l: number): number {
  if (l <= 0) return 0;
  if (l >= 1) return 1;
  return l <= 0.0031308 ? 12.92 * l : 1.055 * Math.pow(l, 1 / 2.4) - 0.055;
}

/** The inverse: encoded sRGB [0, 1] to linear light (for albedos given in sRGB). */
export function srgbDecode(v: number): number {
  return v <= 0.04045 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4);
}

/** Linear value of each 8-bit sRGB code. */
export const SRGB_TO_LINEAR: Float32Array = Float32Array.from({ length: 256 }, (_, i) => srgbDecode(i / 255));

/** Table size for the encoded curve: fine enough that neighbouring entries differ by < 1 code near black. */
const LUT_SIZE = 16384;
const ENCODE = Uint8Array.from({ length: LUT_SIZE + 1 }, (_, i) => Math.round(255 * srgbEncode(i / LUT_SIZE)));

/** A linear display value in [0, 1] to its 8-bit sRGB code. */
export function encode8(l: number): number {
  return ENCODE[(l <= 0 ? 0 : l >= 1 ? LUT_SIZE : l * LUT_SIZE + 0.5) | 0];
}

/** Exposure scale for a scene whose horizontal illuminance is `illuminance` (klx). */
export function exposureScale(illuminance: number, exposureBias: number): number {
  // A grey card (18 %) lit so has luminance 0.18 E / π.
  const grey = (0.18 * Math.max(illuminance, 1e-6)) / Math.PI;
  return (MID_GREY / grey) * Math.pow(2, exposureBias);
}

/**
 * Size of the table of the whole transform (curve, then encoding) over u = x / (1 + x) of the
 * exposed value x: the mapping spends its entries where the codes change (near black a step in
 * x is under 1e-4, a small part of a code) and still reaches the shoulder.
 */
const CURVE_SIZE = 32768;
const CURVE = Uint8Array.from({ length: CURVE_SIZE + 1 }, (_, i) => {
  const u = i / CURVE_SIZE;
  return u >= 1 ? encode8(1) : encode8(acesFitted(u / (1 - u)));
});

/** One exposed value's 8-bit sRGB code through the curve (as `toneMap` gives it). */
export function toneCode(x: number): number {
  return x > 0 ? CURVE[((x / (1 + x)) * CURVE_SIZE + 0.5) | 0] : 0;
}

/**
 * Exposed linear scene RGB (Float32, 3 per pixel) to 8-bit sRGB through the curve: one table
 * read per value (the curve's own division and the encoding's power are in the table).
 */
export function toneMap(linear: Float32Array, exposure: number, out: Uint8Array, k0 = 0, k1 = linear.length): void {
  // Values [k0, k1) only: each value's code is its own, so a camera's tiles map their own rows.
  for (let k = k0; k < k1; k++) {
    const x = linear[k] * exposure;
    out[k] = x > 0 ? CURVE[((x / (1 + x)) * CURVE_SIZE + 0.5) | 0] : 0;
  }
}

/**
 * As `toneMap` for a sensor signal that saturates: the value times `scale` is the fraction of
 * saturation, clipped at 1 (a full pixel stays white however bright the scene), then scaled
 * by `curve` onto the tone curve.
 */
export function toneMapClipped(linear: Float32Array, scale: number, curve: number, out: Uint8Array, k0 = 0, k1 = linear.length): void {
  for (let k = k0; k < k1; k++) {
    const s = linear[k] * scale;
    const x = (s < 1 ? s : 1) * curve;
    out[k] = x > 0 ? CURVE[((x / (1 + x)) * CURVE_SIZE + 0.5) | 0] : 0;
  }
}
