import { rotationMatrix } from '../core/pose.js';
import { REFLECTIVITY_BY_ID } from '../core/semantic.js';
import { buildBvh, NODE_SLOTS, type Bvh } from './Bvh.js';
import { intersectMesh, lastHit, meshBounds, slabEntry, type MeshBvh } from './MeshBvh.js';

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

export function createHitBuffer(count: number): HitBuffer {
  return {
    distance: new Float32Array(count),
    normal: new Float32Array(count * 3),
    instanceId: new Uint32Array(count),
    classId: new Uint8Array(count),
    triangleId: new Uint32Array(count),
    reflectivity: new Float32Array(count),
  };
}

/** One placement of a model: a rigid transform (no scale) and the id hits report. */
export interface Instance {
  model: number;
  instanceId: number;
  position: readonly [number, number, number];
  /** Unit quaternion x, y, z, w: world from model. */
  quaternion: readonly [number, number, number, number];
}

/** Slots per instance transform: rotation (row-major 3x3, world from model) then translation. */
const XFORM = 12;

/**
 * The two-level world the sensors see: one static mesh built once, shared model meshes, and
 * a top-level BVH over model instances rebuilt from actor poses (cheap: one box per actor).
 * The static mesh reports instance id 0.
 */
export class RaycastScene {
  private readonly models: MeshBvh[] = [];
  private instanceModels = new Int32Array(0);
  private instanceIds = new Uint32Array(0);
  private transforms = new Float64Array(0);
  private top: Bvh = buildBvh(new Float32Array(0), 0);
  private ignoreInstanceId = -1;

  constructor(readonly staticMesh: MeshBvh) {}

  addModel(mesh: MeshBvh): number {
    this.models.push(mesh);
    return this.models.length - 1;
  }

  setInstances(instances: readonly Instance[]): void {
    const n = instances.length;
    this.instanceModels = new Int32Array(n);
    this.instanceIds = new Uint32Array(n);
    this.transforms = new Float64Array(n * XFORM);
    const boxes = new Float32Array(n * 6);
    for (let i = 0; i < n; i++) {
      const inst = instances[i];
      if (!this.models[inst.model]) throw new Error(`instance ${inst.instanceId} uses unknown model ${inst.model}`);
      this.instanceModels[i] = inst.model;
      this.instanceIds[i] = inst.instanceId;
      const m = this.transforms.subarray(i * XFORM, (i + 1) * XFORM);
      m.set(rotationMatrix(inst.quaternion));
      m[9] = inst.position[0];
      m[10] = inst.position[1];
      m[11] = inst.position[2];
      transformBox(meshBounds(this.models[inst.model]), m, boxes, i * 6);
    }
    this.top = buildBvh(boxes, n);
  }

  /**
   * Closest hit for rays [first, end) of the batch. Hits on the instance `ignoreInstanceId`
   * are skipped (a sensor does not see the vehicle it is mounted on).
   */
  cast(rays: RayBatch, hits: HitBuffer, options: { first?: number; end?: number; ignoreInstanceId?: number } = {}): void {
    const first = options.first ?? 0;
    const end = options.end ?? rays.count;
    this.ignoreInstanceId = options.ignoreInstanceId ?? -1;
    const { origins, directions, tMin, tMax } = rays;
    for (let r = first; r < end; r++) {
      const o = r * 3;
      this.castOne(origins[o], origins[o + 1], origins[o + 2], directions[o], directions[o + 1], directions[o + 2], tMin, tMax, hits, r);
    }
  }

  private castOne(
    ox: number, oy: number, oz: number, dx: number, dy: number, dz: number,
    tMin: number, tMax: number, hits: HitBuffer, r: number,
  ): void {
    let bestMesh: MeshBvh | null = null;
    let bestTri = -1;
    let bestInstance = -1;
    let best = tMax;
    const staticTri = intersectMesh(this.staticMesh, ox, oy, oz, dx, dy, dz, tMin, best);
    if (staticTri >= 0) {
      best = lastHit.t;
      bestTri = staticTri;
      bestMesh = this.staticMesh;
    }

    const top = this.top;
    const ix = 1 / dx, iy = 1 / dy, iz = 1 / dz;
    const m = this.transforms;
    let sp = 0;
    let node = 0;
    for (;;) {
      if (this.instanceIds.length === 0) break;
      const base = node * NODE_SLOTS;
      if (slabEntry(top.bounds, base, ox, oy, oz, ix, iy, iz, tMin, best) <= best) {
        const count = top.links[base + 7];
        if (count > 0) {
          const firstEntry = top.links[base + 6];
          for (let k = firstEntry; k < firstEntry + count; k++) {
            const i = top.order[k];
            if (this.instanceIds[i] === this.ignoreInstanceId) continue;
            const x = i * XFORM;
            // Model-space ray: R^T (o - t), R^T d. Rigid transforms keep t unchanged.
            const px = ox - m[x + 9], py = oy - m[x + 10], pz = oz - m[x + 11];
            const mox = m[x] * px + m[x + 3] * py + m[x + 6] * pz;
            const moy = m[x + 1] * px + m[x + 4] * py + m[x + 7] * pz;
            const moz = m[x + 2] * px + m[x + 5] * py + m[x + 8] * pz;
            const mdx = m[x] * dx + m[x + 3] * dy + m[x + 6] * dz;
            const mdy = m[x + 1] * dx + m[x + 4] * dy + m[x + 7] * dz;
            const mdz = m[x + 2] * dx + m[x + 5] * dy + m[x + 8] * dz;
            const mesh = this.models[this.instanceModels[i]];
            const tri = intersectMesh(mesh, mox, moy, moz, mdx, mdy, mdz, tMin, best);
            if (tri >= 0) {
              best = lastHit.t;
              bestTri = tri;
              bestMesh = mesh;
              bestInstance = i;
            }
          }
        } else {
          topStack[sp++] = top.links[base + 6];
          node = node + 1;
          continue;
        }
      }
      if (sp === 0) break;
      node = topStack[--sp];
    }

    if (bestMesh === null) {
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
    const t = bestMesh.triangles;
    const o = bestTri * 9;
    // Geometric normal e1 x e2 in model space, then to world, then turned to face the ray.
    let nx = t[o + 4] * t[o + 8] - t[o + 5] * t[o + 7];
    let ny = t[o + 5] * t[o + 6] - t[o + 3] * t[o + 8];
    let nz = t[o + 3] * t[o + 7] - t[o + 4] * t[o + 6];
    if (bestInstance >= 0) {
      const x = bestInstance * XFORM;
      const wx = m[x] * nx + m[x + 1] * ny + m[x + 2] * nz;
      const wy = m[x + 3] * nx + m[x + 4] * ny + m[x + 5] * nz;
      const wz = m[x + 6] * nx + m[x + 7] * ny + m[x + 8] * nz;
      nx = wx; ny = wy; nz = wz;
    }
    let scale = 1 / Math.hypot(nx, ny, nz);
    if (nx * dx + ny * dy + nz * dz > 0) scale = -scale;
    const cls = bestMesh.classes[bestTri];
    hits.distance[r] = best;
    hits.normal[r * 3] = nx * scale;
    hits.normal[r * 3 + 1] = ny * scale;
    hits.normal[r * 3 + 2] = nz * scale;
    hits.instanceId[r] = bestInstance >= 0 ? this.instanceIds[bestInstance] : 0;
    hits.triangleId[r] = bestMesh.triangleIds[bestTri];
    hits.classId[r] = cls;
    hits.reflectivity[r] = REFLECTIVITY_BY_ID[cls];
  }
}

const topStack = new Int32Array(128);

/** World AABB of a model-space AABB under a rigid transform (Arvo's method). */
function transformBox(box: Float32Array, m: Float64Array, out: Float32Array, o: number): void {
  for (let row = 0; row < 3; row++) {
    let lo = m[9 + row];
    let hi = lo;
    for (let col = 0; col < 3; col++) {
      const a = m[row * 3 + col] * box[col];
      const b = m[row * 3 + col] * box[3 + col];
      lo += Math.min(a, b);
      hi += Math.max(a, b);
    }
    // Widened before rounding to float32 so the stored box never shrinks inside the exact one.
    out[o + row] = lo - 1e-6 * (1 + Math.abs(lo));
    out[o + 3 + row] = hi + 1e-6 * (1 + Math.abs(hi));
  }
}
