/**
 * The one table of semantic classes. Ids follow the Cityscapes label ids where Cityscapes
 * has the class (road 7, sidewalk 8, building 11, guard rail 14, pole 17, traffic sign 20, vegetation 21, terrain 22,
 * person 24, rider 25, car 26, truck 27, bus 28, bicycle 33); classes Cityscapes lacks take
 * ids from 40 up. Colours are Cityscapes' where it has them.
 */
export interface SemanticClass {
  id: number;
  name: string;
  color: [number, number, number];
  /** Diffuse reflectivity in [0, 1] at LiDAR wavelengths (905 nm), for intensity models. */
  reflectivity: number;
  /** Relative radar (77 GHz) backscatter in [0, 1]: metal high, people and plants low. */
  radar: number;
}

export const SEMANTIC_CLASSES = [
  { id: 0, name: 'unlabeled', color: [0, 0, 0], reflectivity: 0.1, radar: 0.05 },
  { id: 7, name: 'road', color: [128, 64, 128], reflectivity: 0.12, radar: 0.02 },
  { id: 8, name: 'sidewalk', color: [244, 35, 232], reflectivity: 0.25, radar: 0.03 },
  { id: 11, name: 'building', color: [70, 70, 70], reflectivity: 0.35, radar: 0.6 },
  { id: 14, name: 'guard_rail', color: [180, 165, 180], reflectivity: 0.5, radar: 1.0 },
  { id: 17, name: 'pole', color: [153, 153, 153], reflectivity: 0.5, radar: 1.0 },
  { id: 20, name: 'traffic_sign', color: [220, 220, 0], reflectivity: 0.9, radar: 0.6 },
  { id: 21, name: 'vegetation', color: [107, 142, 35], reflectivity: 0.45, radar: 0.1 },
  { id: 22, name: 'terrain', color: [152, 251, 152], reflectivity: 0.3, radar: 0.03 },
  { id: 24, name: 'pedestrian', color: [220, 20, 60], reflectivity: 0.3, radar: 0.15 },
  { id: 25, name: 'rider', color: [255, 0, 0], reflectivity: 0.3, radar: 0.3 },
  { id: 26, name: 'vehicle', color: [0, 0, 142], reflectivity: 0.6, radar: 1.0 },
  { id: 27, name: 'truck', color: [0, 0, 70], reflectivity: 0.6, radar: 1.0 },
  { id: 28, name: 'bus', color: [0, 60, 100], reflectivity: 0.6, radar: 1.0 },
  { id: 33, name: 'bicycle', color: [119, 11, 32], reflectivity: 0.5, radar: 0.4 },
  { id: 40, name: 'lane_marking', color: [255, 255, 255], reflectivity: 0.8, radar: 0.02 },
  { id: 41, name: 'shoulder', color: [110, 80, 110], reflectivity: 0.15, radar: 0.02 },
  { id: 42, name: 'static_prop', color: [250, 170, 30], reflectivity: 0.7, radar: 0.8 },
] as const satisfies readonly SemanticClass[];

export type SemanticName = (typeof SEMANTIC_CLASSES)[number]['name'];

const BY_NAME = new Map<string, SemanticClass>(SEMANTIC_CLASSES.map((c) => [c.name, c]));
const BY_ID = new Map<number, SemanticClass>(SEMANTIC_CLASSES.map((c) => [c.id, c]));

/** The id of a class by name; the name is checked at compile time. */
export function classId(name: SemanticName): number {
  return BY_NAME.get(name)!.id;
}

export function semanticClass(id: number): SemanticClass {
  return BY_ID.get(id) ?? BY_ID.get(0)!;
}

/** Radar backscatter per class id, as a lookup table. */
export const RADAR_BY_ID: Float32Array = (() => {
  const table = new Float32Array(256).fill(0.05);
  for (const c of SEMANTIC_CLASSES) table[c.id] = c.radar;
  return table;
})();

/** Reflectivity per class id, as a lookup table the hot loops index directly. */
export const REFLECTIVITY_BY_ID: Float32Array = (() => {
  const table = new Float32Array(256).fill(0.1);
  for (const c of SEMANTIC_CLASSES) table[c.id] = c.reflectivity;
  return table;
})();
