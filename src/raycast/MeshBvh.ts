import { buildBvh, NODE_SLOTS, type Bvh } from './Bvh.js';

/**
 * A bottom-level BVH over one triangle soup, with the triangles copied out in leaf order as
 * (v0, v1 - v0, v2 - v0) so the kernel reads one contiguous run per leaf and needs no index
 * lookups or edge subtractions per test.
 */
export interface MeshBvh {
  bvh: Bvh;
  triangleCount: number;
  /** 9 floats per triangle in leaf order: v0, edge1, edge2. */
  triangles: Float32Array;
  /** The triangle's index in the input soup, in leaf order. */
  triangleIds: Uint32Array;
  /** Semantic class id per triangle, in leaf order. */
  classes: Uint8Array;
}

const ULP_PAD = 2 ** -20;

/**
 * @param positions 9 floats per triangle (a non-indexed soup).
 * @param classes one semantic class id per triangle.
 */
export function buildMeshBvh(positions: Float32Array, classes: Uint8Array): MeshBvh {
  const triangleCount = Math.floor(positions.length / 9);
  if (classes.length !== triangleCount) {
    throw new Error(`${classes.length} classes given for ${triangleCount} triangles`);
  }
  const boxes = new Float32Array(triangleCount * 6);
  for (let i = 0; i < triangleCount; i++) {
    const o = i * 9;
    for (let a = 0; a < 3; a++) {
      const p0 = positions[o + a], p1 = positions[o + 3 + a], p2 = positions[o + 6 + a];
      // Padded by a few float32 ulps: the kernel rebuilds v1, v2 as v0 + edge, which may
      // round just outside the exact box, and a ray grazing the box face must still enter.
      const lo = Math.min(p0, p1, p2), hi = Math.max(p0, p1, p2);
      boxes[i * 6 + a] = lo - ULP_PAD * (1 + Math.abs(lo));
      boxes[i * 6 + 3 + a] = hi + ULP_PAD * (1 + Math.abs(hi));
    }
  }
  const bvh = buildBvh(boxes, triangleCount);
  const triangles = new Float32Array(triangleCount * 9);
  const triangleIds = new Uint32Array(triangleCount);
  const leafClasses = new Uint8Array(triangleCount);
  for (let k = 0; k < triangleCount; k++) {
    const i = bvh.order[k];
    const o = i * 9;
    const t = k * 9;
    for (let a = 0; a < 3; a++) {
      const v0 = positions[o + a];
      triangles[t + a] = v0;
      triangles[t + 3 + a] = positions[o + 3 + a] - v0;
      triangles[t + 6 + a] = positions[o + 6 + a] - v0;
    }
    triangleIds[k] = i;
    leafClasses[k] = classes[i];
  }
  return { bvh, triangleCount, triangles, triangleIds, classes: leafClasses };
}

/** The root box of a mesh: min x, y, z, max x, y, z. */
export function meshBounds(mesh: MeshBvh): Float32Array {
  return mesh.bvh.bounds.subarray(0, 6);
}

const stack = new Int32Array(128);
/** Distance of the last hit found by intersectMesh (module scratch: no allocation per ray). */
export const lastHit = { t: 0 };

/**
 * Closest hit of one ray against a mesh, both sides of every triangle.
 * Returns the leaf-order index of the triangle hit, or -1; the distance is in `lastHit.t`.
 * The direction need not be unit length: t is in units of its length.
 */
export function intersectMesh(
  mesh: MeshBvh,
  ox: number, oy: number, oz: number,
  dx: number, dy: number, dz: number,
  tMin: number, tMax: number,
): number {
  if (mesh.triangleCount === 0) return -1;
  const bounds = mesh.bvh.bounds;
  const links = mesh.bvh.links;
  const tris = mesh.triangles;
  const ix = 1 / dx, iy = 1 / dy, iz = 1 / dz;
  let best = tMax;
  let hit = -1;
  let sp = 0;
  let node = 0;
  for (;;) {
    const base = node * NODE_SLOTS;
    if (slabEntry(bounds, base, ox, oy, oz, ix, iy, iz, tMin, best) <= best) {
      const count = links[base + 7];
      if (count > 0) {
        const first = links[base + 6];
        for (let k = first; k < first + count; k++) {
          const o = k * 9;
          const e1x = tris[o + 3], e1y = tris[o + 4], e1z = tris[o + 5];
          const e2x = tris[o + 6], e2y = tris[o + 7], e2z = tris[o + 8];
          const px = dy * e2z - dz * e2y, py = dz * e2x - dx * e2z, pz = dx * e2y - dy * e2x;
          const det = e1x * px + e1y * py + e1z * pz;
          if (det === 0) continue;
          const inv = 1 / det;
          const sx = ox - tris[o], sy = oy - tris[o + 1], sz = oz - tris[o + 2];
          const u = (sx * px + sy * py + sz * pz) * inv;
          if (u < 0 || u > 1) continue;
          const qx = sy * e1z - sz * e1y, qy = sz * e1x - sx * e1z, qz = sx * e1y - sy * e1x;
          const v = (dx * qx + dy * qy + dz * qz) * inv;
          if (v < 0 || u + v > 1) continue;
          const t = (e2x * qx + e2y * qy + e2z * qz) * inv;
          if (t >= tMin && t < best) {
            best = t;
            hit = k;
          }
        }
      } else {
        // Descend into the child nearer along the split axis first, so that `best`
        // shrinks early and the far child is often culled.
        const axis = -count - 1;
        const left = node + 1;
        const right = links[base + 6];
        if (axis === 0 ? dx < 0 : axis === 1 ? dy < 0 : dz < 0) {
          stack[sp++] = left;
          node = right;
        } else {
          stack[sp++] = right;
          node = left;
        }
        continue;
      }
    }
    if (sp === 0) break;
    node = stack[--sp];
  }
  lastHit.t = best;
  return hit;
}

/** Entry distance of a ray into a node's box, or Infinity when it misses within [tMin, tMax]. */
function slabEntry(
  b: Float32Array, o: number,
  ox: number, oy: number, oz: number,
  ix: number, iy: number, iz: number,
  tMin: number, tMax: number,
): number {
  // Comparisons rather than Math.min/max: a NaN from 0 * Infinity (ray in a slab's plane)
  // then leaves the interval untouched instead of poisoning it.
  let near = tMin;
  let far = tMax;
  let t0 = (b[o] - ox) * ix, t1 = (b[o + 3] - ox) * ix;
  if (t0 > t1) { const s = t0; t0 = t1; t1 = s; }
  if (t0 > near) near = t0;
  if (t1 < far) far = t1;
  t0 = (b[o + 1] - oy) * iy; t1 = (b[o + 4] - oy) * iy;
  if (t0 > t1) { const s = t0; t0 = t1; t1 = s; }
  if (t0 > near) near = t0;
  if (t1 < far) far = t1;
  t0 = (b[o + 2] - oz) * iz; t1 = (b[o + 5] - oz) * iz;
  if (t0 > t1) { const s = t0; t0 = t1; t1 = s; }
  if (t0 > near) near = t0;
  if (t1 < far) far = t1;
  return near <= far ? near : Infinity;
}

export { slabEntry };
