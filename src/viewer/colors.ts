/** Colour tables shared by the page and the worker. */

/** roadcast's semantic classes (src/core/semantic.ts): id → name and sRGB colour. */
export const SEMANTIC: Record<number, { name: string; color: [number, number, number] }> = {
  0: { name: 'unlabeled', color: [0, 0, 0] },
  7: { name: 'road', color: [128, 64, 128] },
  8: { name: 'sidewalk', color: [244, 35, 232] },
  11: { name: 'building', color: [70, 70, 70] },
  17: { name: 'pole', color: [153, 153, 153] },
  21: { name: 'vegetation', color: [107, 142, 35] },
  22: { name: 'terrain', color: [152, 251, 152] },
  24: { name: 'pedestrian', color: [220, 20, 60] },
  25: { name: 'rider', color: [255, 0, 0] },
  26: { name: 'vehicle', color: [0, 0, 142] },
  27: { name: 'truck', color: [0, 0, 70] },
  28: { name: 'bus', color: [0, 60, 100] },
  33: { name: 'bicycle', color: [119, 11, 32] },
  40: { name: 'lane_marking', color: [255, 255, 255] },
  41: { name: 'shoulder', color: [110, 80, 110] },
  42: { name: 'static_prop', color: [250, 170, 30] },
};

/** 256 × RGBA lookup for class ids (unknown ids are grey). */
export function semanticTable(): Uint8Array {
  const table = new Uint8Array(256 * 4);
  for (let i = 0; i < 256; i++) table.set([128, 128, 128, 255], i * 4);
  for (const [id, { color }] of Object.entries(SEMANTIC)) table.set([...color, 255], Number(id) * 4);
  return table;
}

/** Google's Turbo colour map, polynomial fit; t in [0, 1] → sRGB bytes. */
export function turbo(t: number): [number, number, number] {
  const x = Math.min(1, Math.max(0, t));
  const r = 0.13572138 + x * (4.6153926 + x * (-42.66032258 + x * (132.13108234 + x * (-152.94239396 + x * 59.28637943))));
  const g = 0.09140261 + x * (2.19418839 + x * (4.84296658 + x * (-14.18503333 + x * (4.27729857 + x * 2.82956604))));
  const b = 0.1066733 + x * (12.64194608 + x * (-60.58204836 + x * (110.36276771 + x * (-89.90310912 + x * 27.34824973))));
  const byte = (v: number): number => Math.round(255 * Math.min(1, Math.max(0, v)));
  return [byte(r), byte(g), byte(b)];
}

/** The same fit in GLSL, for point colours computed on the GPU. */
export const TURBO_GLSL = `
vec3 turbo(float t) {
  float x = clamp(t, 0.0, 1.0);
  float r = 0.13572138 + x * (4.6153926 + x * (-42.66032258 + x * (132.13108234 + x * (-152.94239396 + x * 59.28637943))));
  float g = 0.09140261 + x * (2.19418839 + x * (4.84296658 + x * (-14.18503333 + x * (4.27729857 + x * 2.82956604))));
  float b = 0.1066733 + x * (12.64194608 + x * (-60.58204836 + x * (110.36276771 + x * (-89.90310912 + x * 27.34824973))));
  return clamp(vec3(r, g, b), 0.0, 1.0);
}`;
