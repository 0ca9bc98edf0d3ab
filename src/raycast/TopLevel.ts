import { rotationMatrix } from '../core/pose.js';
import { buildBvh } from './Bvh.js';
import { collapseBvh4 } from './Bvh4.js';
import { checkTraversalDepth, type MeshBvh } from './MeshBvh.js';

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
 * arrays, small (hundreds of actors); a RaycastScene copies them into the kernel's memory.
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
  const bvh = buildBvh(boxes, n, 1, true);
  const wide = collapseBvh4(bvh);
  checkTraversalDepth(wide, `a top level of ${n} instances`);
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
