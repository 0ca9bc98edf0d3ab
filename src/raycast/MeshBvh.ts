import { buildBvh } from './Bvh.js';
import { collapseBvh4, WIDE_LINKS } from './Bvh4.js';
import { sharedBuffer, sharedFloat32, sharedUint32, sharedUint8 } from './shared.js';

/**
 * A bottom-level BVH over one triangle soup: a binned-SAH binary tree collapsed to 4 wide
 * (see Bvh4.ts), with the triangles copied out in leaf order as (v0, v1 - v0, v2 - v0) so the
 * kernel reads one contiguous run per leaf and needs no index lookups or edge subtractions.
 * Every array lives in a SharedArrayBuffer, so worker threads read the same memory.
 */
export interface MeshBvh {
  triangleCount: number;
  nodeCount: number;
  /** 4-wide nodes, 32 slots each (float32 view). */
  nodes: Float32Array;
  /** The same buffer as int32 (child links and leaf counts). */
  links: Int32Array;
  /** 9 floats per triangle in leaf order: v0, edge1, edge2. */
  triangles: Float32Array;
  /** The triangle's index in the input soup, in leaf order. */
  triangleIds: Uint32Array;
  /** Semantic class id per triangle, in leaf order. */
  classes: Uint8Array;
  /** The root box: min x, y, z, max x, y, z. */
  bounds: Float32Array;
}

const ULP_PAD = 2 ** -20;

/**
 * @param positions 9 floats per triangle (a non-indexed soup; see `soupFromGeometry` in
 *   core/MeshBuilder for an indexed three.js BufferGeometry).
 * @param classes one semantic class id per triangle.
 */
export function buildMeshBvh(positions: Float32Array, classes: Uint8Array): MeshBvh {
  const triangleCount = Math.floor(positions.length / 9);
  if (classes.length !== triangleCount) {
    throw new Error(`${classes.length} classes given for ${triangleCount} triangles`);
  }
  const boxes = new Float32Array(triangleCount * 6);
  const bounds = sharedFloat32(6);
  bounds.set([Infinity, Infinity, Infinity, -Infinity, -Infinity, -Infinity]);
  for (let i = 0; i < triangleCount; i++) {
    const o = i * 9;
    for (let a = 0; a < 3; a++) {
      const p0 = positions[o + a], p1 = positions[o + 3 + a], p2 = positions[o + 6 + a];
      // Padded by a few float32 ulps: the kernel rebuilds v1, v2 as v0 + edge, which may
      // round just outside the exact box, and a ray grazing the box face must still enter.
      const lo = Math.min(p0, p1, p2), hi = Math.max(p0, p1, p2);
      boxes[i * 6 + a] = lo - ULP_PAD * (1 + Math.abs(lo));
      boxes[i * 6 + 3 + a] = hi + ULP_PAD * (1 + Math.abs(hi));
      bounds[a] = Math.min(bounds[a], boxes[i * 6 + a]);
      bounds[3 + a] = Math.max(bounds[3 + a], boxes[i * 6 + 3 + a]);
    }
  }
  const bvh = buildBvh(boxes, triangleCount);
  const wide = collapseBvh4(bvh, sharedBuffer);
  const triangles = sharedFloat32(triangleCount * 9);
  const triangleIds = sharedUint32(triangleCount);
  const leafClasses = sharedUint8(triangleCount);
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
  return {
    triangleCount,
    nodeCount: wide.nodeCount,
    nodes: wide.nodes,
    links: wide.links,
    triangles,
    triangleIds,
    classes: leafClasses,
    bounds,
  };
}

/** The root box of a mesh: min x, y, z, max x, y, z. */
export function meshBounds(mesh: MeshBvh): Float32Array {
  return mesh.bounds;
}

/** Traversal stack: node links and their entry distances (module scratch, no allocation per ray). */
const STACK = 256;
const stackLink = new Int32Array(STACK);
const stackT = new Float64Array(STACK);
/** Pushes an entry below the nearer ones pushed since `bottom` (farthest first); returns the new top. */
function push(sp: number, bottom: number, t: number, link: number): number {
  let j = sp;
  while (j > bottom && stackT[j - 1] < t) {
    stackT[j] = stackT[j - 1];
    stackLink[j] = stackLink[j - 1];
    j--;
  }
  stackT[j] = t;
  stackLink[j] = link;
  return sp + 1;
}

/** Distance of the last hit found by intersectMesh. */
export const lastHit = { t: 0 };

/** 1 / d with zero components replaced by a huge finite value, so no slab yields 0 * Infinity. */
export function safeInverse(d: number): number {
  return d === 0 ? 1e300 : 1 / d;
}

/**
 * Closest hit of one ray against a mesh, both sides of every triangle, with t in
 * [tMin, tMax). Returns the leaf-order index of the triangle hit, or -1; the distance is in
 * `lastHit.t`. The direction need not be unit length: t is in units of its length.
 *
 * Ordered traversal: a node's children that the ray enters are pushed farthest first, each
 * with its entry distance, so the nearest is visited next and a popped entry farther than the
 * best hit so far is dropped without touching its node.
 */
export function intersectMesh(
  mesh: MeshBvh,
  ox: number, oy: number, oz: number,
  dx: number, dy: number, dz: number,
  tMin: number, tMax: number,
): number {
  if (mesh.triangleCount === 0) return -1;
  const nodes = mesh.nodes;
  const links = mesh.links;
  const tris = mesh.triangles;
  const ix = safeInverse(dx), iy = safeInverse(dy), iz = safeInverse(dz);
  // Per axis, the slot block of the near and far planes (min or max, by the ray's sign).
  const nx = ix >= 0 ? 0 : 12, fx = 12 - nx;
  const ny = iy >= 0 ? 4 : 16, fy = 20 - ny;
  const nz = iz >= 0 ? 8 : 20, fz = 28 - nz;
  let best = tMax;
  let hit = -1;
  let sp = 1;
  stackLink[0] = 0;
  stackT[0] = tMin;
  while (sp > 0) {
    sp--;
    if (stackT[sp] > best) continue;
    const link = stackLink[sp];
    if (link >= 0) {
      const bottom = sp;
      const bx = link + nx, by = link + ny, bz = link + nz, cx = link + fx, cy = link + fy, cz = link + fz;
      const n0 = Math.max((nodes[bx] - ox) * ix, (nodes[by] - oy) * iy, (nodes[bz] - oz) * iz, tMin);
      const f0 = Math.min((nodes[cx] - ox) * ix, (nodes[cy] - oy) * iy, (nodes[cz] - oz) * iz, best);
      const n1 = Math.max((nodes[bx + 1] - ox) * ix, (nodes[by + 1] - oy) * iy, (nodes[bz + 1] - oz) * iz, tMin);
      const f1 = Math.min((nodes[cx + 1] - ox) * ix, (nodes[cy + 1] - oy) * iy, (nodes[cz + 1] - oz) * iz, best);
      const n2 = Math.max((nodes[bx + 2] - ox) * ix, (nodes[by + 2] - oy) * iy, (nodes[bz + 2] - oz) * iz, tMin);
      const f2 = Math.min((nodes[cx + 2] - ox) * ix, (nodes[cy + 2] - oy) * iy, (nodes[cz + 2] - oz) * iz, best);
      const n3 = Math.max((nodes[bx + 3] - ox) * ix, (nodes[by + 3] - oy) * iy, (nodes[bz + 3] - oz) * iz, tMin);
      const f3 = Math.min((nodes[cx + 3] - ox) * ix, (nodes[cy + 3] - oy) * iy, (nodes[cz + 3] - oz) * iz, best);
      const l = link + WIDE_LINKS;
      if (n0 <= f0) { stackT[sp] = n0; stackLink[sp] = links[l]; sp++; }
      if (n1 <= f1) sp = push(sp, bottom, n1, links[l + 1]);
      if (n2 <= f2) sp = push(sp, bottom, n2, links[l + 2]);
      if (n3 <= f3) sp = push(sp, bottom, n3, links[l + 3]);
    } else {
      // A leaf: ~link packs its first triangle and count (see Bvh4.ts).
      const first = ~link >> 4;
      const end = first + (~link & 15);
      for (let k = first; k < end; k++) {
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
    }
  }
  lastHit.t = best;
  return hit;
}
