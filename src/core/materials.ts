/**
 * The one table of surface materials, apart from semantic classes: what a surface looks like
 * to a camera (albedo, roughness, metalness, specular reflectance at normal incidence), to a
 * 905 nm LiDAR (diffuse reflectivity, retroreflection, how much passes through) and to a 77 GHz
 * radar (relative backscatter). Every triangle carries a material id beside its class id; a
 * car's body is class `vehicle` whatever it is made of, but its glass, tyres and paint answer
 * sensors differently.
 *
 * Sources of the figures (the README's material table gives them with their values):
 * - NIR reflectivity near 905 nm of natural and building materials: the ECOSTRESS spectral
 *   library (Meerdink et al., Remote Sensing of Environment 230, 111196, 2019), successor of
 *   the ASTER library (Baldridge et al., Remote Sensing of Environment 113, 711-715, 2009):
 *   asphalt 0.08 to 0.15 (new to weathered), concrete about 0.30, red brick 0.35, green grass
 *   0.45 and leaves 0.40 to 0.50 (past the vegetation red edge), tree bark 0.30, soil 0.25.
 *   Skin and cotton cloth lie on the near-infrared plateau of their spectra, 0.45 and 0.55.
 * - Car paint at 905 nm depends on the pigment: white about 0.75, silver 0.55, black 0.05;
 *   a body's own value comes from its instance colour.
 * - Retroreflective road paint (glass beads) and sign sheeting return far more toward the
 *   source than a diffuse surface: EN 1436 classes R2 to R5 of retroreflected luminance, 100
 *   to 300 mcd/m²/lx (measured as in ASTM D6359); modelled as a strong return toward the sensor.
 * - Glass: a surface of refractive index 1.52 reflects ((n - 1) / (n + 1))² = 0.043 at normal
 *   incidence (Fresnel); clear soda-lime glass transmits about 0.9 of 905 nm light, a
 *   windscreen with an infrared-absorbing interlayer less (0.7 here).
 * - Radar backscatter at 77 GHz, relative: metal 1, glass and plastics 0.1 to 0.3, people 0.15
 *   (a pedestrian's radar cross-section, about -10 to 0 dBsm, against a car's 10 dBsm),
 *   vegetation 0.1.
 * - Signal lenses: polycarbonate (n = 1.585, 5 % reflected at normal incidence), dyed red, amber
 *   or green; lit, they shine by the lamp's own luminance (sensors/camera/LampEmission.ts).
 */

export interface Material {
  id: number;
  name: string;
  /** Base colour, sRGB 0..255 (the camera converts it to linear light). */
  albedo: [number, number, number];
  /** Microfacet roughness 0 (mirror) .. 1 (chalk). */
  roughness: number;
  /** 0 dielectric, 1 metal (the albedo tints the specular reflection). */
  metalness: number;
  /** Specular reflectance at normal incidence of a dielectric (0.04 for most). */
  specular: number;
  /** Diffuse reflectivity at 905 nm, 0..1. */
  nir: number;
  /** Returns toward the source far above a diffuse surface (lane paint, plates, signs). */
  retroreflective: boolean;
  /** Share of a LiDAR ray that passes through (glass, foliage), 0..1. */
  transmission: number;
  /** Relative radar backscatter at 77 GHz, 0..1. */
  radar: number;
  /** Procedural texture the camera gives the surface, if any. */
  texture?: 'asphalt' | 'concrete' | 'facade' | 'foliage' | 'grass' | 'bark' | 'brick' | 'paint-wear';
}

const m = (
  id: number, name: string, albedo: [number, number, number], roughness: number, metalness: number, specular: number,
  nir: number, radar: number, options: { retroreflective?: boolean; transmission?: number; texture?: Material['texture'] } = {},
): Material => ({ id, name, albedo, roughness, metalness, specular, nir, radar, retroreflective: options.retroreflective ?? false, transmission: options.transmission ?? 0, texture: options.texture });

export const MATERIALS = [
  m(0, 'default', [128, 128, 128], 0.8, 0, 0.04, 0.2, 0.1),
  // Ground and road.
  m(1, 'asphalt_new', [52, 52, 54], 0.9, 0, 0.04, 0.08, 0.02, { texture: 'asphalt' }),
  m(2, 'asphalt_worn', [92, 90, 88], 0.85, 0, 0.04, 0.15, 0.02, { texture: 'asphalt' }),
  m(3, 'concrete', [165, 162, 155], 0.85, 0, 0.04, 0.3, 0.05, { texture: 'concrete' }),
  m(4, 'lane_paint', [235, 235, 228], 0.6, 0, 0.04, 0.8, 0.02, { retroreflective: true, texture: 'paint-wear' }),
  m(5, 'kerb_stone', [150, 148, 142], 0.8, 0, 0.04, 0.32, 0.05, { texture: 'concrete' }),
  m(6, 'grass', [92, 128, 54], 0.95, 0, 0.03, 0.45, 0.05, { texture: 'grass' }),
  m(7, 'soil', [110, 90, 70], 0.95, 0, 0.03, 0.25, 0.04),
  // Vegetation and street furniture.
  m(8, 'bark', [86, 66, 50], 0.9, 0, 0.03, 0.3, 0.1, { texture: 'bark' }),
  m(9, 'leaves', [70, 110, 45], 0.8, 0, 0.04, 0.45, 0.1, { transmission: 0.5, texture: 'foliage' }),
  m(10, 'metal_pole', [140, 142, 145], 0.45, 1, 0.5, 0.45, 1),
  m(11, 'guardrail_steel', [170, 172, 175], 0.35, 1, 0.6, 0.5, 1),
  m(12, 'sign_face', [240, 240, 240], 0.5, 0, 0.04, 0.9, 0.6, { retroreflective: true }),
  m(13, 'bollard_plastic', [230, 230, 225], 0.5, 0, 0.04, 0.6, 0.2),
  // Buildings.
  m(14, 'facade_plaster', [205, 195, 180], 0.85, 0, 0.04, 0.5, 0.6, { texture: 'facade' }),
  m(15, 'facade_brick', [150, 80, 60], 0.9, 0, 0.04, 0.35, 0.6, { texture: 'brick' }),
  m(16, 'window_glass', [40, 55, 65], 0.05, 0, 0.04, 0.04, 0.3, { transmission: 0.85 }),
  m(17, 'roof_tiles', [120, 60, 45], 0.8, 0, 0.04, 0.3, 0.6),
  // Vehicles.
  m(18, 'car_paint', [140, 140, 140], 0.3, 0, 0.05, 0.55, 1),
  m(19, 'car_glass', [30, 38, 42], 0.05, 0, 0.04, 0.04, 0.3, { transmission: 0.7 }),
  m(20, 'chrome', [220, 220, 225], 0.1, 1, 0.9, 0.6, 1),
  m(21, 'tyre_rubber', [28, 28, 28], 0.9, 0, 0.03, 0.03, 0.5),
  m(22, 'rim_alloy', [175, 175, 180], 0.35, 1, 0.6, 0.5, 1),
  m(23, 'plastic_black', [35, 35, 38], 0.6, 0, 0.04, 0.06, 0.3),
  m(24, 'headlight', [235, 235, 240], 0.1, 0, 0.06, 0.6, 0.5),
  m(25, 'taillight', [170, 20, 20], 0.15, 0, 0.05, 0.35, 0.4),
  m(26, 'number_plate', [245, 245, 235], 0.4, 0, 0.04, 0.9, 0.8, { retroreflective: true }),
  m(27, 'bicycle_frame', [60, 70, 90], 0.4, 1, 0.5, 0.35, 0.6),
  // People.
  m(28, 'skin', [198, 150, 120], 0.6, 0, 0.03, 0.45, 0.15),
  m(29, 'clothing', [80, 90, 110], 0.9, 0, 0.03, 0.55, 0.15),
  m(34, 'clothing_lower', [50, 55, 70], 0.9, 0, 0.03, 0.5, 0.15),
  m(30, 'hair', [50, 38, 30], 0.7, 0, 0.04, 0.25, 0.1),
  // Props.
  m(31, 'cone_orange', [235, 95, 25], 0.6, 0, 0.04, 0.5, 0.2, { retroreflective: true }),
  m(32, 'barrier_plastic', [220, 60, 40], 0.6, 0, 0.04, 0.5, 0.3),
  m(33, 'roof_metal', [110, 115, 120], 0.5, 1, 0.5, 0.45, 0.9),
  // Signal lenses, as seen unlit (the camera adds a lit lamp's own light: LampEmission.ts):
  // tinted polycarbonate, smooth, n = 1.585 so ((n - 1) / (n + 1))² = 0.05 at normal incidence;
  // at 905 nm the dyes pass most light to the reflector or LED board behind (0.15 back, as dark
  // plastic with some return); radar as the plastics.
  m(35, 'lamp_red', [70, 14, 12], 0.1, 0, 0.05, 0.15, 0.2),
  m(36, 'lamp_amber', [80, 50, 10], 0.1, 0, 0.05, 0.15, 0.2),
  m(37, 'lamp_green', [12, 60, 45], 0.1, 0, 0.05, 0.15, 0.2),
] as const satisfies readonly Material[];

export type MaterialName = (typeof MATERIALS)[number]['name'];

const BY_NAME = new Map<string, Material>(MATERIALS.map((x) => [x.name, x]));
const BY_ID: Material[] = [];
for (const x of MATERIALS) BY_ID[x.id] = x;

/** The id of a material by name; the name is checked at compile time. */
export function materialId(name: MaterialName): number {
  return BY_NAME.get(name)!.id;
}

export function material(id: number): Material {
  return BY_ID[id] ?? BY_ID[0];
}

const table = (value: (x: Material) => number, fallback: number): Float32Array => {
  const t = new Float32Array(256).fill(fallback);
  for (const x of MATERIALS) t[x.id] = value(x);
  return t;
};

/** Lookup tables the hot loops index by material id. */
export const NIR_BY_MATERIAL: Float32Array = table((x) => x.nir, 0.2);
export const RADAR_BY_MATERIAL: Float32Array = table((x) => x.radar, 0.1);
export const TRANSMISSION_BY_MATERIAL: Float32Array = table((x) => x.transmission, 0);
export const RETROREFLECTIVE_BY_MATERIAL: Uint8Array = (() => {
  const t = new Uint8Array(256);
  for (const x of MATERIALS) t[x.id] = x.retroreflective ? 1 : 0;
  return t;
})();

/**
 * The material a surface of a class has when its builder names none: what most surfaces of the
 * class are made of (roads of asphalt, buildings of plaster, cars of paint).
 */
const CLASS_MATERIAL: Record<number, MaterialName> = {
  7: 'asphalt_new', 8: 'concrete', 11: 'facade_plaster', 17: 'metal_pole', 19: 'plastic_black', 21: 'leaves', 22: 'grass',
  24: 'clothing', 25: 'clothing', 26: 'car_paint', 27: 'car_paint', 28: 'car_paint', 33: 'bicycle_frame',
  40: 'lane_paint', 41: 'asphalt_worn', 42: 'cone_orange',
};

export const DEFAULT_MATERIAL_BY_CLASS: Uint8Array = (() => {
  const t = new Uint8Array(256);
  for (const [cls, name] of Object.entries(CLASS_MATERIAL)) t[Number(cls)] = materialId(name);
  return t;
})();

/**
 * How one actor looks, drawn per actor from the seed: a vehicle's paint (sRGB colour and its
 * 905 nm reflectivity), a person's clothing (upper and lower), skin and hair colours. The
 * surfaces whose material is `car_paint`, `clothing`, `clothing_lower`, `skin` or `hair` take
 * these values in place of the material's own (see `surfaceAlbedo`, `surfaceNir`).
 */
export interface Appearance {
  /** Body paint of a vehicle: sRGB 0..255 and diffuse reflectivity at 905 nm. */
  paint?: { name: string; srgb: [number, number, number]; nir: number };
  /** A person's clothing (upper and lower body), skin and hair, sRGB 0..255. */
  top?: [number, number, number];
  bottom?: [number, number, number];
  skin?: [number, number, number];
  hair?: [number, number, number];
}

const CAR_PAINT = materialId('car_paint');
const CLOTHING = materialId('clothing');
const CLOTHING_LOWER = materialId('clothing_lower');
const SKIN = materialId('skin');
const HAIR = materialId('hair');

/** The sRGB base colour (0..255) of a surface of this material on an actor that looks so. */
export function surfaceAlbedo(id: number, appearance: Appearance | undefined): readonly [number, number, number] {
  if (appearance) {
    if (id === CAR_PAINT && appearance.paint) return appearance.paint.srgb;
    if (id === CLOTHING && appearance.top) return appearance.top;
    if (id === CLOTHING_LOWER && appearance.bottom) return appearance.bottom;
    if (id === SKIN && appearance.skin) return appearance.skin;
    if (id === HAIR && appearance.hair) return appearance.hair;
  }
  return material(id).albedo;
}

/**
 * Diffuse reflectivity at 905 nm of a surface of this material on an actor that looks so: the
 * paint's own where the appearance gives it; dyed fabrics, skin and hair keep the material's
 * value (their NIR reflectance depends little on the visible dye: ECOSTRESS fabric spectra).
 */
export function surfaceNir(id: number, appearance: Appearance | undefined): number {
  if (id === CAR_PAINT && appearance?.paint) return appearance.paint.nir;
  return NIR_BY_MATERIAL[id];
}
