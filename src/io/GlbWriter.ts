import { semanticClass } from '../core/semantic.js';

/**
 * Writes a triangle soup with one semantic class per triangle as binary glTF 2.0: one mesh
 * and one material (the class colour) per class, flat normals, double-sided. glTF is y up
 * and roadcast's world is z up, so (x, y, z) is written as (x, z, -y).
 */
export function writeGlb(positions: Float32Array, classes: Uint8Array, generator: string): Uint8Array {
  const byClass = new Map<number, number[]>();
  classes.forEach((cls, t) => {
    if (!byClass.has(cls)) byClass.set(cls, []);
    byClass.get(cls)!.push(t);
  });
  const ids = [...byClass.keys()].sort((a, b) => a - b);
  const chunks: Float32Array[] = [];
  const accessors: object[] = [];
  const bufferViews: object[] = [];
  const meshes: object[] = [];
  const materials: object[] = [];
  let offset = 0;
  for (const [index, cls] of ids.entries()) {
    const triangles = byClass.get(cls)!;
    const position = new Float32Array(triangles.length * 9);
    const normal = new Float32Array(triangles.length * 9);
    const min = [Infinity, Infinity, Infinity];
    const max = [-Infinity, -Infinity, -Infinity];
    triangles.forEach((t, k) => {
      const v: number[][] = [0, 1, 2].map((i) => {
        const o = t * 9 + i * 3;
        return [positions[o], positions[o + 2], -positions[o + 1]];
      });
      const e1 = [v[1][0] - v[0][0], v[1][1] - v[0][1], v[1][2] - v[0][2]];
      const e2 = [v[2][0] - v[0][0], v[2][1] - v[0][1], v[2][2] - v[0][2]];
      const n = [e1[1] * e2[2] - e1[2] * e2[1], e1[2] * e2[0] - e1[0] * e2[2], e1[0] * e2[1] - e1[1] * e2[0]];
      const length = Math.hypot(n[0], n[1], n[2]) || 1;
      for (let i = 0; i < 3; i++) {
        position.set(v[i], k * 9 + i * 3);
        normal.set([n[0] / length, n[1] / length, n[2] / length], k * 9 + i * 3);
        for (let a = 0; a < 3; a++) {
          const stored = Math.fround(v[i][a]);
          min[a] = Math.min(min[a], stored);
          max[a] = Math.max(max[a], stored);
        }
      }
    });
    const count = triangles.length * 3;
    for (const [attribute, data] of [['POSITION', position], ['NORMAL', normal]] as const) {
      bufferViews.push({ buffer: 0, byteOffset: offset, byteLength: data.byteLength, target: 34962 });
      accessors.push({ bufferView: bufferViews.length - 1, componentType: 5126, count, type: 'VEC3', ...(attribute === 'POSITION' ? { min, max } : {}) });
      chunks.push(data);
      offset += data.byteLength;
    }
    const info = semanticClass(cls);
    materials.push({ name: info.name, doubleSided: true, pbrMetallicRoughness: { baseColorFactor: [...info.color.map((c) => srgbToLinear(c / 255)), 1], metallicFactor: 0, roughnessFactor: 1 } });
    meshes.push({ name: info.name, primitives: [{ attributes: { POSITION: index * 2, NORMAL: index * 2 + 1 }, material: index }] });
  }
  const json = {
    asset: { version: '2.0', generator },
    scene: 0,
    scenes: [{ nodes: ids.map((_, i) => i) }],
    nodes: ids.map((cls, i) => ({ mesh: i, name: semanticClass(cls).name })),
    meshes,
    materials,
    accessors,
    bufferViews,
    buffers: [{ byteLength: offset }],
  };
  const jsonBytes = pad(new TextEncoder().encode(JSON.stringify(json)), 0x20);
  const bin = new Uint8Array(offset);
  let at = 0;
  for (const chunk of chunks) {
    bin.set(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength), at);
    at += chunk.byteLength;
  }
  const binBytes = pad(bin, 0);
  const total = 12 + 8 + jsonBytes.length + 8 + binBytes.length;
  const out = new Uint8Array(total);
  const view = new DataView(out.buffer);
  view.setUint32(0, 0x46546c67, true); // "glTF"
  view.setUint32(4, 2, true);
  view.setUint32(8, total, true);
  view.setUint32(12, jsonBytes.length, true);
  view.setUint32(16, 0x4e4f534a, true); // "JSON"
  out.set(jsonBytes, 20);
  view.setUint32(20 + jsonBytes.length, binBytes.length, true);
  view.setUint32(24 + jsonBytes.length, 0x004e4942, true); // "BIN\0"
  out.set(binBytes, 28 + jsonBytes.length);
  return out;
}

function pad(bytes: Uint8Array, fill: number): Uint8Array {
  const length = Math.ceil(bytes.length / 4) * 4;
  if (length === bytes.length) return bytes;
  const out = new Uint8Array(length).fill(fill);
  out.set(bytes);
  return out;
}

/** glTF colour factors are linear; the class table is sRGB like Cityscapes'. */
function srgbToLinear(c: number): number {
  return c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
}
