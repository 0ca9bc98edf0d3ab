/**
 * A bounding volume hierarchy over axis-aligned boxes, built with binned SAH and stored in
 * one flat buffer (no object per node), depth-first so that a node's left child is the next
 * node. The same builder serves triangle meshes (bottom level) and actor instances (top level).
 *
 * Node layout, 8 slots of 4 bytes each:
 *   0..5  min x, y, z, max x, y, z (float32)
 *   6     interior: index of the right child; leaf: first entry in `order`
 *   7     interior: -(split axis + 1);          leaf: number of primitives (> 0)
 */
export const NODE_SLOTS = 8;

export interface Bvh {
  bounds: Float32Array;
  links: Int32Array;
  nodeCount: number;
  /** Primitive indices in leaf order. */
  order: Uint32Array;
}

const BIN_COUNT = 16;
const MAX_LEAF_SIZE = 4;
const TRAVERSAL_COST = 1.0;
const INTERSECT_COST = 1.0;

/**
 * @param boxes 6 floats per primitive: min x, y, z, max x, y, z.
 * @param maxLeafSize leaves hold at most this many primitives where SAH allows (default 4;
 *   1 for a top level, where a primitive is a whole mesh and worth its own box test).
 * @param longestAxisOnly look for splits along each node's longest centroid axis only: a
 *   third of the binning, for a top level rebuilt every tick.
 */
export function buildBvh(boxes: Float32Array, count: number, maxLeafSize = MAX_LEAF_SIZE, longestAxisOnly = false): Bvh {
  const order = new Uint32Array(count);
  const centroids = new Float32Array(count * 3);
  for (let i = 0; i < count; i++) {
    order[i] = i;
    for (let a = 0; a < 3; a++) centroids[i * 3 + a] = 0.5 * (boxes[i * 6 + a] + boxes[i * 6 + 3 + a]);
  }
  const capacity = Math.max(1, 2 * count - 1);
  const buffer = new ArrayBuffer(capacity * NODE_SLOTS * 4);
  const bounds = new Float32Array(buffer);
  const links = new Int32Array(buffer);
  const builder = { boxes, centroids, order, bounds, links, nodeCount: 0, maxLeafSize, longestAxisOnly };
  if (count === 0) {
    // An empty tree: one leaf with an inverted box that no ray enters.
    bounds.set([Infinity, Infinity, Infinity, -Infinity, -Infinity, -Infinity], 0);
    links[6] = 0;
    links[7] = 0;
    return { bounds, links, nodeCount: 1, order };
  }
  buildNode(builder, 0, count);
  return { bounds, links, nodeCount: builder.nodeCount, order };
}

interface Builder {
  boxes: Float32Array;
  centroids: Float32Array;
  order: Uint32Array;
  bounds: Float32Array;
  links: Int32Array;
  nodeCount: number;
  maxLeafSize: number;
  longestAxisOnly: boolean;
}

const binBounds = new Float64Array(BIN_COUNT * 6);
const binCounts = new Int32Array(BIN_COUNT);
const leftArea = new Float64Array(BIN_COUNT);
const leftCount = new Int32Array(BIN_COUNT);

function buildNode(b: Builder, start: number, end: number): number {
  const node = b.nodeCount++;
  const base = node * NODE_SLOTS;
  const { boxes, centroids, order, bounds, links } = b;
  let minX = Infinity, minY = Infinity, minZ = Infinity, maxX = -Infinity, maxY = -Infinity, maxZ = -Infinity;
  let cMinX = Infinity, cMinY = Infinity, cMinZ = Infinity, cMaxX = -Infinity, cMaxY = -Infinity, cMaxZ = -Infinity;
  for (let i = start; i < end; i++) {
    const p = order[i];
    const o = p * 6;
    minX = Math.min(minX, boxes[o]); minY = Math.min(minY, boxes[o + 1]); minZ = Math.min(minZ, boxes[o + 2]);
    maxX = Math.max(maxX, boxes[o + 3]); maxY = Math.max(maxY, boxes[o + 4]); maxZ = Math.max(maxZ, boxes[o + 5]);
    const c = p * 3;
    cMinX = Math.min(cMinX, centroids[c]); cMinY = Math.min(cMinY, centroids[c + 1]); cMinZ = Math.min(cMinZ, centroids[c + 2]);
    cMaxX = Math.max(cMaxX, centroids[c]); cMaxY = Math.max(cMaxY, centroids[c + 1]); cMaxZ = Math.max(cMaxZ, centroids[c + 2]);
  }
  bounds[base] = minX; bounds[base + 1] = minY; bounds[base + 2] = minZ;
  bounds[base + 3] = maxX; bounds[base + 4] = maxY; bounds[base + 5] = maxZ;

  const count = end - start;
  if (count <= b.maxLeafSize) return leaf(links, base, start, count, node);

  // Small nodes (most of a top level over a few hundred instances) need fewer bins: one per
  // primitive, at least 4, keeps the sweep from dominating the build.
  const bins = count < BIN_COUNT ? Math.max(4, count) : BIN_COUNT;
  const parentArea = halfArea(minX, minY, minZ, maxX, maxY, maxZ);
  let bestCost = INTERSECT_COST * count;
  let bestAxis = -1;
  let bestSplit = 0;
  const ex = cMaxX - cMinX, ey = cMaxY - cMinY, ez = cMaxZ - cMinZ;
  const longest = ex >= ey && ex >= ez ? 0 : ey >= ez ? 1 : 2;
  for (let axis = 0; axis < 3; axis++) {
    if (b.longestAxisOnly && axis !== longest) continue;
    const lo = axis === 0 ? cMinX : axis === 1 ? cMinY : cMinZ;
    const extent = (axis === 0 ? cMaxX : axis === 1 ? cMaxY : cMaxZ) - lo;
    if (!(extent > 0)) continue;
    const scale = bins / extent;
    binCounts.fill(0, 0, bins);
    for (let k = 0; k < bins * 6; k += 6) {
      binBounds[k] = binBounds[k + 1] = binBounds[k + 2] = Infinity;
      binBounds[k + 3] = binBounds[k + 4] = binBounds[k + 5] = -Infinity;
    }
    for (let i = start; i < end; i++) {
      const p = order[i];
      const k = Math.min(bins - 1, Math.floor((centroids[p * 3 + axis] - lo) * scale));
      binCounts[k]++;
      growBin(k, boxes, p * 6);
    }
    // Sweep from the left, recording area and count for every split plane.
    let lx0 = Infinity, ly0 = Infinity, lz0 = Infinity, lx1 = -Infinity, ly1 = -Infinity, lz1 = -Infinity, n = 0;
    for (let k = 0; k < bins - 1; k++) {
      const o = k * 6;
      lx0 = Math.min(lx0, binBounds[o]); ly0 = Math.min(ly0, binBounds[o + 1]); lz0 = Math.min(lz0, binBounds[o + 2]);
      lx1 = Math.max(lx1, binBounds[o + 3]); ly1 = Math.max(ly1, binBounds[o + 4]); lz1 = Math.max(lz1, binBounds[o + 5]);
      n += binCounts[k];
      leftCount[k] = n;
      leftArea[k] = n > 0 ? halfArea(lx0, ly0, lz0, lx1, ly1, lz1) : 0;
    }
    let rx0 = Infinity, ry0 = Infinity, rz0 = Infinity, rx1 = -Infinity, ry1 = -Infinity, rz1 = -Infinity, m = 0;
    for (let k = bins - 1; k > 0; k--) {
      const o = k * 6;
      rx0 = Math.min(rx0, binBounds[o]); ry0 = Math.min(ry0, binBounds[o + 1]); rz0 = Math.min(rz0, binBounds[o + 2]);
      rx1 = Math.max(rx1, binBounds[o + 3]); ry1 = Math.max(ry1, binBounds[o + 4]); rz1 = Math.max(rz1, binBounds[o + 5]);
      m += binCounts[k];
      const left = leftCount[k - 1];
      if (left === 0 || m === 0) continue;
      const rightArea = halfArea(rx0, ry0, rz0, rx1, ry1, rz1);
      const cost = TRAVERSAL_COST + (INTERSECT_COST * (leftArea[k - 1] * left + rightArea * m)) / Math.max(parentArea, 1e-30);
      if (cost < bestCost) {
        bestCost = cost;
        bestAxis = axis;
        bestSplit = k;
      }
    }
  }

  let mid: number;
  if (bestAxis >= 0) {
    const lo = bestAxis === 0 ? cMinX : bestAxis === 1 ? cMinY : cMinZ;
    const scale = bins / ((bestAxis === 0 ? cMaxX : bestAxis === 1 ? cMaxY : cMaxZ) - lo);
    // Partition: primitives whose bin is left of the split first.
    let i = start;
    let j = end - 1;
    while (i <= j) {
      const p = order[i];
      if (Math.min(bins - 1, Math.floor((centroids[p * 3 + bestAxis] - lo) * scale)) < bestSplit) i++;
      else {
        order[i] = order[j];
        order[j] = p;
        j--;
      }
    }
    mid = i;
  } else {
    // SAH found no split cheaper than a leaf; large leaves still get split at the median so
    // that degenerate inputs (many triangles with one centroid) stay bounded in leaf size.
    if (count <= 2 * b.maxLeafSize) return leaf(links, base, start, count, node);
    bestAxis = longest;
    mid = start + (count >> 1);
  }
  buildNode(b, start, mid);
  const right = buildNode(b, mid, end);
  links[base + 6] = right;
  links[base + 7] = -(bestAxis + 1);
  return node;
}

function leaf(links: Int32Array, base: number, start: number, count: number, node: number): number {
  links[base + 6] = start;
  links[base + 7] = count;
  return node;
}

function growBin(k: number, boxes: Float32Array, o: number): void {
  const q = k * 6;
  binBounds[q] = Math.min(binBounds[q], boxes[o]);
  binBounds[q + 1] = Math.min(binBounds[q + 1], boxes[o + 1]);
  binBounds[q + 2] = Math.min(binBounds[q + 2], boxes[o + 2]);
  binBounds[q + 3] = Math.max(binBounds[q + 3], boxes[o + 3]);
  binBounds[q + 4] = Math.max(binBounds[q + 4], boxes[o + 4]);
  binBounds[q + 5] = Math.max(binBounds[q + 5], boxes[o + 5]);
}

function halfArea(x0: number, y0: number, z0: number, x1: number, y1: number, z1: number): number {
  const dx = x1 - x0, dy = y1 - y0, dz = z1 - z0;
  return dx * dy + dy * dz + dz * dx;
}
