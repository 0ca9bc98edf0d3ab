/**
 * The one table of semantic classes. Ids follow the Cityscapes label ids where Cityscapes
 * has the class (road 7, sidewalk 8, building 11, guard rail 14, pole 17, traffic light 19, traffic sign 20, vegetation 21, terrain 22,
 * person 24, rider 25, car 26, truck 27, bus 28, bicycle 33); classes Cityscapes lacks take
 * ids from 40 up. Colours are Cityscapes' where it has them. What a surface measures
 * (reflectivity, backscatter) is its material's (materials.ts), not its class's.
 */
export interface SemanticClass {
  id: number;
  name: string;
  color: [number, number, number];
}

export const SEMANTIC_CLASSES = [
  { id: 0, name: 'unlabeled', color: [0, 0, 0] },
  { id: 7, name: 'road', color: [128, 64, 128] },
  { id: 8, name: 'sidewalk', color: [244, 35, 232] },
  { id: 11, name: 'building', color: [70, 70, 70] },
  { id: 14, name: 'guard_rail', color: [180, 165, 180] },
  { id: 17, name: 'pole', color: [153, 153, 153] },
  { id: 19, name: 'traffic_light', color: [250, 170, 30] },
  { id: 20, name: 'traffic_sign', color: [220, 220, 0] },
  { id: 21, name: 'vegetation', color: [107, 142, 35] },
  { id: 22, name: 'terrain', color: [152, 251, 152] },
  { id: 24, name: 'pedestrian', color: [220, 20, 60] },
  { id: 25, name: 'rider', color: [255, 0, 0] },
  { id: 26, name: 'vehicle', color: [0, 0, 142] },
  { id: 27, name: 'truck', color: [0, 0, 70] },
  { id: 28, name: 'bus', color: [0, 60, 100] },
  { id: 33, name: 'bicycle', color: [119, 11, 32] },
  { id: 40, name: 'lane_marking', color: [255, 255, 255] },
  { id: 41, name: 'shoulder', color: [110, 80, 110] },
  { id: 42, name: 'static_prop', color: [250, 170, 30] },
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
