import { rotationMatrix } from '../core/pose.js';
import { REFLECTIVITY_BY_ID } from '../core/semantic.js';
import { buildBvh } from './Bvh.js';
import { collapseBvh4, WIDE_LINKS } from './Bvh4.js';
import { intersectMesh, lastHit, safeInverse, type MeshBvh } from './MeshBvh.js';

/** Rays in one batch: unit directions, one [tMin, tMax] interval for all. */
export interface RayBatch {
  origins: Float32Array;
  directions: Float32Array;
  count: number;
  tMin: number;
  tMax: number;
}

/** Closest hit per ray. A miss has distance Infinity, instance and triangle MISS, class 0. */
export interface HitBuffer {
  distance: Float32Array;
  /** World-frame unit normal facing the ray, 3 per ray. */
  normal: Float32Array;
  instanceId: Uint32Array;
  classId: Uint8Array;
  triangleId: Uint32Array;
  reflectivity: Float32Array;
}

export const MISS = 0xffffffff;

/** One placement of a model: a rigid transform (no scale) and the id hits report. */
export interface Instance {
  model: number;
  instanceId: number;
  position: readonly [number, number, number];
  /** Unit quaternion x, y, z, w: world from model. */
  quaternion: readonly [number, number, number, number];
}

/** Slots per instance transform: rotation (row-major 3x3, world from model) then translation. */
export const XFORM = 12;

/**
 * The top level: a 4-wide BVH (see Bvh4.ts) over instance boxes, one instance per leaf where
 * SAH allows, with the instances' arrays in the order the leaves reference them. Plain typed
 * arrays, small (hundreds of actors), so a worker pool receives a copy per rebuild.
 */
export interface TopLevel {
  count: number;
  /** 4-wide nodes: boxes (float32) and links (int32) over one buffer. */
  nodes: Float32Array;
  links: Int32Array;
  /** Per instance, in leaf order. */
  models: Int32Array;
  ids: Uint32Array;
  transforms: Float64Array;
}

/** Everything a cast reads: what a worker needs to reproduce the main thread's answer. */
export interface SceneData {
  staticMesh: MeshBvh;
  models: readonly MeshBvh[];
  top: TopLevel;
}

/** Scratch reused by every top-level build (grows, never shrinks). */
let scratchBoxes = new Float32Array(6 * 64);
let scratchTransforms = new Float64Array(XFORM * 64);

export function buildTopLevel(instances: readonly Instance[], models: readonly MeshBvh[]): TopLevel {
  const n = instances.length;
  if (scratchBoxes.length < n * 6) {
    scratchBoxes = new Float32Array(n * 12);
    scratchTransforms = new Float64Array(n * XFORM * 2);
  }
  const boxes = scratchBoxes;
  const m = scratchTransforms;
  for (let i = 0; i < n; i++) {
    const inst = instances[i];
    const model = models[inst.model];
    if (!model) throw new Error(`instance ${inst.instanceId} uses unknown model ${inst.model}`);
    const x = i * XFORM;
    const r = rotationMatrix(inst.quaternion);
    for (let k = 0; k < 9; k++) m[x + k] = r[k];
    m[x + 9] = inst.position[0];
    m[x + 10] = inst.position[1];
    m[x + 11] = inst.position[2];
    transformBox(model.bounds, m, x, boxes, i * 6);
  }
  const bvh = buildBvh(boxes, n, 1);
  const wide = collapseBvh4(bvh, (bytes) => new ArrayBuffer(bytes));
  const ordered = new ArrayBuffer(n * (4 + 4 + 8 * XFORM));
  const transforms = new Float64Array(ordered, 0, n * XFORM);
  const modelIndex = new Int32Array(ordered, n * 8 * XFORM, n);
  const ids = new Uint32Array(ordered, n * (8 * XFORM + 4), n);
  for (let k = 0; k < n; k++) {
    const i = bvh.order[k];
    for (let j = 0; j < XFORM; j++) transforms[k * XFORM + j] = m[i * XFORM + j];
    modelIndex[k] = instances[i].model;
    ids[k] = instances[i].instanceId;
  }
  return { count: n, nodes: wide.nodes, links: wide.links, models: modelIndex, ids, transforms };
}

/** World AABB of a model-space AABB under a rigid transform (Arvo's method). */
function transformBox(box: Float32Array, m: Float64Array, x: number, out: Float32Array, o: number): void {
  for (let row = 0; row < 3; row++) {
    let lo = m[x + 9 + row];
    let hi = lo;
    for (let col = 0; col < 3; col++) {
      const a = m[x + row * 3 + col] * box[col];
      const b = m[x + row * 3 + col] * box[3 + col];
      lo += a < b ? a : b;
      hi += a < b ? b : a;
    }
    // Widened before rounding to float32 so the stored box never shrinks inside the exact one.
    out[o + row] = lo - 1e-6 * (1 + Math.abs(lo));
    out[o + 3 + row] = hi + 1e-6 * (1 + Math.abs(hi));
  }
}

/** Top-level traversal stack (intersectMesh keeps its own). */
const topLink = new Int32Array(256);
const topT = new Float64Array(256);

/**
 * Closest hit for rays [first, end) of the batch into `hits` (same indices). Hits on the
 * instance `ignoreInstanceId` are skipped (a sensor does not see the vehicle it is mounted on).
 * Each ray's answer depends on that ray alone, so any split of a batch gives identical hits.
 */
export function castRange(scene: SceneData, rays: RayBatch, hits: HitBuffer, first: number, end: number, ignoreInstanceId: number): void {
  const { origins, directions, tMin, tMax } = rays;
  const staticMesh = scene.staticMesh;
  const models = scene.models;
  const top = scene.top;
  const tn = top.nodes, tl = top.links, m = top.transforms, ids = top.ids, topModels = top.models;
  const haveTop = top.count > 0;
  for (let r = first; r < end; r++) {
    const o3 = r * 3;
    const ox = origins[o3], oy = origins[o3 + 1], oz = origins[o3 + 2];
    const dx = directions[o3], dy = directions[o3 + 1], dz = directions[o3 + 2];
    let bestMesh: MeshBvh | null = null;
    let bestTri = -1;
    let bestInstance = -1;
    let best = tMax;
    const staticTri = intersectMesh(staticMesh, ox, oy, oz, dx, dy, dz, tMin, best);
    if (staticTri >= 0) {
      best = lastHit.t;
      bestTri = staticTri;
      bestMesh = staticMesh;
    }
    if (haveTop) {
      const ix = safeInverse(dx), iy = safeInverse(dy), iz = safeInverse(dz);
      const nx = ix >= 0 ? 0 : 12, fx = 12 - nx;
      const ny = iy >= 0 ? 4 : 16, fy = 20 - ny;
      const nz = iz >= 0 ? 8 : 20, fz = 28 - nz;
      let sp = 1;
      topLink[0] = 0;
      topT[0] = tMin;
      while (sp > 0) {
        sp--;
        if (topT[sp] > best) continue;
        const link = topLink[sp];
        if (link >= 0) {
          const bottom = sp;
          for (let c = 0; c < 4; c++) {
            const b = link + c;
            const near = Math.max((tn[b + nx] - ox) * ix, (tn[b + ny] - oy) * iy, (tn[b + nz] - oz) * iz, tMin);
            const far = Math.min((tn[b + fx] - ox) * ix, (tn[b + fy] - oy) * iy, (tn[b + fz] - oz) * iz, best);
            if (near <= far) {
              let j = sp;
              while (j > bottom && topT[j - 1] < near) {
                topT[j] = topT[j - 1];
                topLink[j] = topLink[j - 1];
                j--;
              }
              topT[j] = near;
              topLink[j] = tl[link + WIDE_LINKS + c];
              sp++;
            }
          }
          continue;
        }
        const firstEntry = ~link >> 4;
        const endEntry = firstEntry + (~link & 15);
        for (let i = firstEntry; i < endEntry; i++) {
          if (ids[i] === ignoreInstanceId) continue;
          const x = i * XFORM;
          // Model-space ray: R^T (o - t), R^T d. Rigid transforms keep t unchanged.
          const px = ox - m[x + 9], py = oy - m[x + 10], pz = oz - m[x + 11];
          const mox = m[x] * px + m[x + 3] * py + m[x + 6] * pz;
          const moy = m[x + 1] * px + m[x + 4] * py + m[x + 7] * pz;
          const moz = m[x + 2] * px + m[x + 5] * py + m[x + 8] * pz;
          const mdx = m[x] * dx + m[x + 3] * dy + m[x + 6] * dz;
          const mdy = m[x + 1] * dx + m[x + 4] * dy + m[x + 7] * dz;
          const mdz = m[x + 2] * dx + m[x + 5] * dy + m[x + 8] * dz;
          const mesh = models[topModels[i]];
          const tri = intersectMesh(mesh, mox, moy, moz, mdx, mdy, mdz, tMin, best);
          if (tri >= 0) {
            best = lastHit.t;
            bestTri = tri;
            bestMesh = mesh;
            bestInstance = i;
          }
        }
      }
    }
    writeHit(hits, r, bestMesh, bestTri, bestInstance, best, dx, dy, dz, top);
  }
}

function writeHit(
  hits: HitBuffer, r: number, mesh: MeshBvh | null, tri: number, instance: number, t: number,
  dx: number, dy: number, dz: number, top: TopLevel,
): void {
  if (mesh === null) {
    hits.distance[r] = Infinity;
    hits.normal[r * 3] = 0;
    hits.normal[r * 3 + 1] = 0;
    hits.normal[r * 3 + 2] = 0;
    hits.instanceId[r] = MISS;
    hits.triangleId[r] = MISS;
    hits.classId[r] = 0;
    hits.reflectivity[r] = 0;
    return;
  }
  const e = mesh.triangles;
  const o = tri * 9;
  // Geometric normal e1 x e2 in model space, then to world, then turned to face the ray.
  let nx = e[o + 4] * e[o + 8] - e[o + 5] * e[o + 7];
  let ny = e[o + 5] * e[o + 6] - e[o + 3] * e[o + 8];
  let nz = e[o + 3] * e[o + 7] - e[o + 4] * e[o + 6];
  if (instance >= 0) {
    const m = top.transforms;
    const x = instance * XFORM;
    const wx = m[x] * nx + m[x + 1] * ny + m[x + 2] * nz;
    const wy = m[x + 3] * nx + m[x + 4] * ny + m[x + 5] * nz;
    const wz = m[x + 6] * nx + m[x + 7] * ny + m[x + 8] * nz;
    nx = wx; ny = wy; nz = wz;
  }
  let scale = 1 / Math.hypot(nx, ny, nz);
  if (nx * dx + ny * dy + nz * dz > 0) scale = -scale;
  const cls = mesh.classes[tri];
  hits.distance[r] = t;
  // + 0 turns a -0 into 0, so an axis-aligned normal reads exactly [0, 0, 1] and the like.
  hits.normal[r * 3] = nx * scale + 0;
  hits.normal[r * 3 + 1] = ny * scale + 0;
  hits.normal[r * 3 + 2] = nz * scale + 0;
  hits.instanceId[r] = instance >= 0 ? top.ids[instance] : 0;
  hits.triangleId[r] = mesh.triangleIds[tri];
  hits.classId[r] = cls;
  hits.reflectivity[r] = REFLECTIVITY_BY_ID[cls];
}
