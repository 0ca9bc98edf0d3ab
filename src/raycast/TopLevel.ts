import { rotationMatrixInto } from '../core/pose.js';
import { buildBvh } from './Bvh.js';
import { collapseBvh4, WIDE_LINKS, WIDE_SLOTS } from './Bvh4.js';
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
  /** The instance (index into the list built from) at each leaf place. */
  order: Uint32Array;
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
    place(inst, model, m, i, boxes);
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
  return { count: n, nodes: wide.nodes, links: wide.links, models: modelIndex, ids, transforms, order: bvh.order };
}

/**
 * Refits `top` in place for the same instances placed anew (the same models and ids in the
 * same order, the poses moved): the tree keeps its shape and every box is computed again
 * from the leaves up, in a fraction of a build's time. False, and `top` untouched, when the
 * instances are not those `top` was built over. A refit tree answers every ray as a rebuilt
 * one does (the boxes bound the same instances); it only grows looser as instances move
 * apart from their neighbours, so the scene rebuilds it now and then (RaycastScene).
 */
export function refitTopLevel(top: TopLevel, instances: readonly Instance[], models: readonly MeshBvh[]): boolean {
  const n = instances.length;
  if (n !== top.count) return false;
  for (let k = 0; k < n; k++) {
    const inst = instances[top.order[k]];
    if (inst.model !== top.models[k] || inst.instanceId !== top.ids[k]) return false;
  }
  if (scratchBoxes.length < n * 6) scratchBoxes = new Float32Array(n * 12);
  const boxes = scratchBoxes, m = top.transforms;
  // Transforms and boxes in leaf order.
  for (let k = 0; k < n; k++) {
    const inst = instances[top.order[k]];
    place(inst, models[inst.model], m, k, boxes);
  }
  // Wide nodes are emitted depth-first, a child after its parent: the last first.
  const { nodes, links } = top;
  for (let node = nodes.length / WIDE_SLOTS - 1; node >= 0; node--) {
    const base = node * WIDE_SLOTS;
    for (let c = 0; c < 4; c++) {
      const link = links[base + WIDE_LINKS + c];
      let lo0 = Infinity, lo1 = Infinity, lo2 = Infinity, hi0 = -Infinity, hi1 = -Infinity, hi2 = -Infinity;
      if (link < 0) {
        const leaf = ~link, first = leaf >> 4, count = leaf & 15;
        // An empty slot keeps its far-away box.
        if (count === 0) continue;
        for (let k = first; k < first + count; k++) {
          const o = k * 6;
          lo0 = Math.min(lo0, boxes[o]); lo1 = Math.min(lo1, boxes[o + 1]); lo2 = Math.min(lo2, boxes[o + 2]);
          hi0 = Math.max(hi0, boxes[o + 3]); hi1 = Math.max(hi1, boxes[o + 4]); hi2 = Math.max(hi2, boxes[o + 5]);
        }
      } else {
        // The child node's four boxes, but for its empty slots.
        for (let g = 0; g < 4; g++) {
          if (links[link + WIDE_LINKS + g] === ~0) continue;
          lo0 = Math.min(lo0, nodes[link + g]); lo1 = Math.min(lo1, nodes[link + 4 + g]); lo2 = Math.min(lo2, nodes[link + 8 + g]);
          hi0 = Math.max(hi0, nodes[link + 12 + g]); hi1 = Math.max(hi1, nodes[link + 16 + g]); hi2 = Math.max(hi2, nodes[link + 20 + g]);
        }
      }
      nodes[base + c] = lo0; nodes[base + 4 + c] = lo1; nodes[base + 8 + c] = lo2;
      nodes[base + 12 + c] = hi0; nodes[base + 16 + c] = hi1; nodes[base + 20 + c] = hi2;
    }
  }
  return true;
}

/** Writes the instance's transform at place k of `m` and its world box at place k of `boxes`. */
function place(inst: Instance, model: MeshBvh, m: Float64Array, k: number, boxes: Float32Array): void {
  const x = k * XFORM;
  rotationMatrixInto(inst.quaternion, m, x);
  m[x + 9] = inst.position[0];
  m[x + 10] = inst.position[1];
  m[x + 11] = inst.position[2];
  transformBox(model.bounds, m, x, boxes, k * 6);
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
