import { NODE_SLOTS, type Bvh } from './Bvh.js';

/**
 * A 4-wide BVH collapsed from a binary SAH tree, in one flat buffer of 32 four-byte slots per
 * node (128 bytes, two cache lines), depth-first. The four child boxes are stored as structure
 * of arrays so that one node visit tests all four children with straight-line code:
 *
 *   0..3   min x of children 0..3      12..15  max x
 *   4..7   min y                       16..19  max y
 *   8..11  min z                       20..23  max z
 *   24..27 child links (int32): >= 0 the child node's first slot (node index * 32, so the
 *          kernel indexes without a multiply); < 0 a leaf, ~link = first primitive << 4 | count
 *   28..31 unused (padding to 128 bytes)
 *
 * An empty slot has a point box far outside any scene (no ray within a finite distance enters
 * it) and is a leaf of no primitives, so the kernel needs no separate child count.
 * Leaves hold at most 15 primitives (the binary builder makes at most 8).
 */
export const WIDE_SLOTS = 32;
export const WIDE_LINKS = 24;
export const MAX_WIDE_LEAF = 15;
const FAR_AWAY = 1e30;

export interface Bvh4 {
  /** Node boxes (float32 view of the buffer). */
  nodes: Float32Array;
  /** The same buffer as int32, for the links and counts. */
  links: Int32Array;
  nodeCount: number;
  /** Wide levels on the longest path from the root to a leaf (bounds the traversal stack). */
  depth: number;
}

/**
 * Collapses `bvh` into a 4-wide tree: each wide node takes its binary node's two children and
 * keeps opening the interior child of largest surface area until it holds four.
 */
export function collapseBvh4(bvh: Bvh): Bvh4 {
  const b = bvh.bounds;
  const l = bvh.links;
  // A wide tree never has more nodes than the binary tree has interior nodes (at least one).
  const capacity = Math.max(1, bvh.nodeCount);
  const buffer = new ArrayBuffer(capacity * WIDE_SLOTS * 4);
  const nodes = new Float32Array(buffer);
  const links = new Int32Array(buffer);
  let nodeCount = 0;
  let depth = 0;
  const isLeaf = (n: number): boolean => l[n * NODE_SLOTS + 7] >= 0;
  const area = (n: number): number => {
    const o = n * NODE_SLOTS;
    const dx = b[o + 3] - b[o], dy = b[o + 4] - b[o + 1], dz = b[o + 5] - b[o + 2];
    return dx * dy + dy * dz + dz * dx;
  };
  const children = (n: number): [number, number] => [n + 1, l[n * NODE_SLOTS + 6]];

  const emit = (binary: number, level: number): number => {
    const wide = nodeCount++;
    depth = Math.max(depth, level);
    const base = wide * WIDE_SLOTS;
    // The root may be a leaf (few primitives): then the wide root holds it as its one child.
    const open: number[] = isLeaf(binary) ? [binary] : children(binary);
    while (open.length < 4) {
      let pick = -1;
      let pickArea = -Infinity;
      for (let i = 0; i < open.length; i++) {
        if (!isLeaf(open[i]) && area(open[i]) > pickArea) {
          pickArea = area(open[i]);
          pick = i;
        }
      }
      if (pick < 0) break;
      const [left, right] = children(open[pick]);
      open.splice(pick, 1, left, right);
    }
    for (let c = 0; c < 4; c++) {
      if (c >= open.length) {
        for (let a = 0; a < 3; a++) {
          nodes[base + a * 4 + c] = FAR_AWAY;
          nodes[base + 12 + a * 4 + c] = FAR_AWAY;
        }
        links[base + WIDE_LINKS + c] = ~0;
        continue;
      }
      const child = open[c];
      const o = child * NODE_SLOTS;
      for (let a = 0; a < 3; a++) {
        nodes[base + a * 4 + c] = b[o + a];
        nodes[base + 12 + a * 4 + c] = b[o + 3 + a];
      }
      if (isLeaf(child)) {
        if (l[o + 7] > MAX_WIDE_LEAF) throw new Error(`a BVH leaf of ${l[o + 7]} primitives (at most ${MAX_WIDE_LEAF})`);
        links[base + WIDE_LINKS + c] = ~((l[o + 6] << 4) | l[o + 7]);
      }
    }
    // Interior children after the leaves are filled in, depth-first.
    for (let c = 0; c < open.length; c++) {
      if (!isLeaf(open[c])) links[base + WIDE_LINKS + c] = emit(open[c], level + 1) * WIDE_SLOTS;
    }
    return wide;
  };
  emit(0, 1);
  // Trimmed to the nodes used (the wide tree has about half as many as the binary one).
  return { nodes: nodes.subarray(0, nodeCount * WIDE_SLOTS), links: links.subarray(0, nodeCount * WIDE_SLOTS), nodeCount, depth };
}
