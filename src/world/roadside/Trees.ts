import { materialId } from '../../core/materials.js';
import type { MeshBuilder } from '../../core/MeshBuilder.js';
import type { Random } from '../../core/Random.js';
import { classId } from '../../core/semantic.js';

type V3 = [number, number, number];

/** One blob of foliage: a low-poly ellipsoid around a point of the crown. */
export interface CrownBlob {
  center: V3;
  radius: number;
  /** Vertical stretch: crowns are a little taller than wide. */
  stretch: number;
}

/**
 * A roadside tree: a trunk of bark, and a crown of several overlapping blobs of leaves. The
 * gaps and overlaps between blobs, and the leaves' transmission, let a LiDAR see partly
 * through the crown as it does through a real one.
 */
export interface TreeSpec {
  base: V3;
  trunkHeight: number;
  trunkWidth: number;
  yaw: number;
  blobs: CrownBlob[];
}

/** Draws a tree standing at `base` whose crown is about `crown` metres across. */
export function drawTree(random: Random, base: V3, crown: number, yaw: number): TreeSpec {
  const trunkHeight = random.uniform(1.8, 3);
  const centre: V3 = [base[0], base[1], base[2] + trunkHeight + crown / 2];
  const count = 3 + Math.floor(random.next() * 3);
  const blobs: CrownBlob[] = [{ center: centre, radius: crown * 0.38, stretch: 1.15 }];
  for (let i = 1; i < count; i++) {
    // Around the centre, so that blobs overlap and the crown stays within its footprint.
    const angle = yaw + (2 * Math.PI * i) / (count - 1) + random.uniform(-0.4, 0.4);
    const out = random.uniform(0.1, 0.18) * crown;
    const radius = random.uniform(0.22, 0.3) * crown;
    blobs.push({ center: [centre[0] + Math.cos(angle) * out, centre[1] + Math.sin(angle) * out, centre[2] + random.uniform(-0.2, 0.25) * crown], radius, stretch: random.uniform(1, 1.25) });
  }
  return { base, trunkHeight, trunkWidth: 0.3, yaw, blobs };
}

/** An icosahedron's vertices and faces: the fewest triangles that read as a round blob. */
const GOLDEN = (1 + Math.sqrt(5)) / 2;
const ICOSA_VERTICES: V3[] = [
  [-1, GOLDEN, 0], [1, GOLDEN, 0], [-1, -GOLDEN, 0], [1, -GOLDEN, 0],
  [0, -1, GOLDEN], [0, 1, GOLDEN], [0, -1, -GOLDEN], [0, 1, -GOLDEN],
  [GOLDEN, 0, -1], [GOLDEN, 0, 1], [-GOLDEN, 0, -1], [-GOLDEN, 0, 1],
].map(([x, y, z]) => {
  const n = Math.hypot(x, y, z);
  return [x / n, y / n, z / n] as V3;
});
const ICOSA_FACES = [
  [0, 11, 5], [0, 5, 1], [0, 1, 7], [0, 7, 10], [0, 10, 11], [1, 5, 9], [5, 11, 4], [11, 10, 2], [10, 7, 6], [7, 1, 8],
  [3, 9, 4], [3, 4, 2], [3, 2, 6], [3, 6, 8], [3, 8, 9], [4, 9, 5], [2, 4, 11], [6, 2, 10], [8, 6, 7], [9, 8, 1],
];

export function meshTree(mesh: MeshBuilder, tree: TreeSpec): void {
  const cls = classId('vegetation');
  const [x, y, z] = tree.base;
  mesh.box([x, y, z + tree.trunkHeight / 2], [tree.trunkWidth, tree.trunkWidth, tree.trunkHeight], tree.yaw, cls, materialId('bark'));
  const leaves = materialId('leaves');
  for (const blob of tree.blobs) {
    const p = ICOSA_VERTICES.map(([vx, vy, vz]): V3 => [blob.center[0] + vx * blob.radius, blob.center[1] + vy * blob.radius, blob.center[2] + vz * blob.radius * blob.stretch]);
    for (const [a, b, c] of ICOSA_FACES) mesh.triangle(p[a], p[b], p[c], cls, leaves);
  }
}
