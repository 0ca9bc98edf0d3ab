import type { Random } from './Random.js';

/**
 * Car paint colours as they occur on the road, and how each answers a 905 nm LiDAR.
 *
 * Shares: Axalta, Global Automotive 2023 Color Popularity Report (new cars built worldwide in
 * 2023): white 35 %, black 22 %, grey 19 %, silver 8 %, blue 7 %, red 5 %, beige/brown 2 %,
 * green 1 %, yellow/gold 1 %. The report's shades within a family are split here into a few
 * named paints (solid and metallic) that share the family's weight.
 *
 * Reflectivity near 905 nm follows the pigment rather than the visible colour: titanium-dioxide
 * whites reflect most of the near infrared, aluminium-flake silvers about half, carbon-black
 * paints almost nothing, while many reds, yellows and browns (iron oxides, organic reds) are far
 * brighter in the near infrared than they look. Values from the spectral reflectances of car
 * shells and coatings in Levinson et al., "Potential benefits of solar reflective car shells:
 * cooler cabins, fuel savings and emission reductions", Applied Energy 88 (2011) 4343-4357
 * (their measured black 0.05, silver 0.55 to 0.6, white 0.7 to 0.8 near-infrared reflectance),
 * and Levinson, Berdahl, Akbari, "Solar spectral optical properties of pigments", Solar Energy
 * Materials & Solar Cells 89 (2005) 319-349, for the coloured pigments.
 */
export interface CarPaint {
  name: string;
  /** sRGB 0..255 base colour. */
  srgb: [number, number, number];
  /** Diffuse reflectivity at 905 nm, 0..1. */
  nir: number;
  /** Share of cars on the road painted so (the weights sum to 1). */
  share: number;
}

export const CAR_PAINTS: readonly CarPaint[] = [
  { name: 'white', srgb: [236, 236, 232], nir: 0.78, share: 0.22 },
  { name: 'pearl white', srgb: [226, 224, 214], nir: 0.74, share: 0.13 },
  { name: 'black', srgb: [18, 18, 20], nir: 0.05, share: 0.16 },
  { name: 'black metallic', srgb: [30, 31, 35], nir: 0.08, share: 0.06 },
  { name: 'dark grey metallic', srgb: [72, 74, 78], nir: 0.22, share: 0.11 },
  { name: 'grey', srgb: [125, 127, 130], nir: 0.35, share: 0.08 },
  { name: 'silver metallic', srgb: [178, 180, 184], nir: 0.56, share: 0.08 },
  { name: 'dark blue', srgb: [22, 38, 82], nir: 0.18, share: 0.04 },
  { name: 'mid blue metallic', srgb: [45, 88, 150], nir: 0.28, share: 0.03 },
  { name: 'red', srgb: [172, 22, 26], nir: 0.6, share: 0.035 },
  { name: 'dark red metallic', srgb: [105, 18, 28], nir: 0.45, share: 0.015 },
  { name: 'beige', srgb: [196, 180, 150], nir: 0.62, share: 0.01 },
  { name: 'brown metallic', srgb: [92, 64, 46], nir: 0.4, share: 0.01 },
  { name: 'green', srgb: [40, 84, 54], nir: 0.3, share: 0.01 },
  { name: 'yellow', srgb: [232, 188, 30], nir: 0.7, share: 0.01 },
];

/** A paint drawn by its share of the road. */
export function drawCarPaint(random: Random): CarPaint {
  return drawWeighted(random, CAR_PAINTS, (p) => p.share);
}

/**
 * Colours of people. Skin tones span the Fitzpatrick scale as measured in sRGB (Chardon,
 * Cretois, Hourseau, "Skin colour typology and suntanning pathways", International Journal of
 * Cosmetic Science 13 (1991) 191-208, individual typology angle classes, very light to dark);
 * hair from black to blond and grey; clothing weighted toward the dark and neutral colours
 * that dominate street wear.
 */
export const SKIN_TONES: readonly [number, number, number][] = [
  [241, 214, 190], [224, 187, 156], [206, 160, 124], [176, 126, 90], [134, 90, 60], [92, 60, 42],
];
export const HAIR_COLOURS: readonly [number, number, number][] = [
  [24, 20, 18], [52, 38, 28], [88, 62, 40], [150, 112, 70], [206, 176, 122], [170, 168, 164],
];
export const CLOTHING_COLOURS: readonly { srgb: [number, number, number]; share: number }[] = [
  { srgb: [25, 25, 28], share: 0.22 }, { srgb: [38, 48, 78], share: 0.18 }, { srgb: [110, 112, 116], share: 0.12 },
  { srgb: [220, 220, 215], share: 0.1 }, { srgb: [80, 96, 120], share: 0.1 }, { srgb: [118, 92, 64], share: 0.07 },
  { srgb: [64, 84, 52], share: 0.06 }, { srgb: [160, 32, 38], share: 0.06 }, { srgb: [214, 170, 60], share: 0.04 },
  { srgb: [60, 120, 170], share: 0.05 },
];

export function drawWeighted<T>(random: Random, items: readonly T[], weight: (item: T) => number): T {
  let total = 0;
  for (const item of items) total += weight(item);
  let u = random.next() * total;
  for (const item of items) {
    u -= weight(item);
    if (u < 0) return item;
  }
  return items[items.length - 1];
}
