import { DEFAULT_MATERIAL_BY_CLASS } from '../core/materials.js';
import { buildBvh } from './Bvh.js';
import { collapseBvh4, WIDE_SLOTS, type Bvh4 } from './Bvh4.js';
import { allocate, float32At, int32At, releaseWithOwner, STACK_ENTRIES, uint32At, uint8At } from './KernelMemory.js';

/**
 * A bottom-level BVH over one triangle soup: a binned-SAH binary tree collapsed to 4 wide
 * (see Bvh4.ts), with the triangles copied out in leaf order as (v0, v1 - v0, v2 - v0) so the
 * kernel reads one contiguous run per leaf and needs no index lookups or edge subtractions.
 * Every array is a view into the raycast kernel's shared memory (KernelMemory.ts), one block
 * per mesh, given back when the MeshBvh is garbage collected: hold the MeshBvh, not only its
 * arrays.
 */
export interface MeshBvh {
  triangleCount: number;
  nodeCount: number;
  /** 4-wide nodes, 32 slots each (float32 view). */
  nodes: Float32Array;
  /** The same memory as int32 (child links and leaf counts). */
  links: Int32Array;
  /** 9 floats per triangle in leaf order: v0, edge1, edge2. */
  triangles: Float32Array;
  /** The triangle's index in the input soup, in leaf order. */
  triangleIds: Uint32Array;
  /** Semantic class id per triangle, in leaf order. */
  classes: Uint8Array;
  /** Material id per triangle (core/materials.ts), in leaf order. */
  materials: Uint8Array;
  /** The root box: min x, y, z, max x, y, z. */
  bounds: Float32Array;
}

/**
 * Boxes are padded by 2^-20 of their coordinates (8 float32 ulps): the kernel tests boxes in
 * float32 and rebuilds v1, v2 as v0 + edge, either of which may round just outside the exact
 * box, and a ray grazing a box face must still enter it.
 */
const ULP_PAD = 2 ** -20;

/** Throws when a tree is too deep for the kernel's fixed traversal stack (3 entries per level). */
export function checkTraversalDepth(wide: Bvh4, what: string): void {
  if (3 * wide.depth + 1 > STACK_ENTRIES) {
    throw new Error(`${what}: a BVH ${wide.depth} levels deep overflows the raycast kernel's ${STACK_ENTRIES}-entry stack`);
  }
}

/**
 * @param positions 9 floats per triangle (a non-indexed soup; see `soupFromGeometry` in
 *   core/MeshBuilder for an indexed three.js BufferGeometry).
 * @param classes one semantic class id per triangle.
 * @param materials one material id per triangle (core/materials.ts); by default each class's usual one.
 */
export function buildMeshBvh(positions: Float32Array, classes: Uint8Array, materials?: Uint8Array): MeshBvh {
  const triangleCount = Math.floor(positions.length / 9);
  if (classes.length !== triangleCount) {
    throw new Error(`${classes.length} classes given for ${triangleCount} triangles`);
  }
  if (materials && materials.length !== triangleCount) {
    throw new Error(`${materials.length} materials given for ${triangleCount} triangles`);
  }
  const boxes = new Float32Array(triangleCount * 6);
  const bounds = [Infinity, Infinity, Infinity, -Infinity, -Infinity, -Infinity];
  for (let i = 0; i < triangleCount; i++) {
    const o = i * 9;
    for (let a = 0; a < 3; a++) {
      const p0 = positions[o + a], p1 = positions[o + 3 + a], p2 = positions[o + 6 + a];
      const lo = Math.min(p0, p1, p2), hi = Math.max(p0, p1, p2);
      boxes[i * 6 + a] = lo - ULP_PAD * (1 + Math.abs(lo));
      boxes[i * 6 + 3 + a] = hi + ULP_PAD * (1 + Math.abs(hi));
      bounds[a] = Math.min(bounds[a], boxes[i * 6 + a]);
      bounds[3 + a] = Math.max(bounds[3 + a], boxes[i * 6 + 3 + a]);
    }
  }
  const bvh = buildBvh(boxes, triangleCount);
  const wide = collapseBvh4(bvh);
  checkTraversalDepth(wide, `a mesh of ${triangleCount} triangles`);

  // One block: nodes, triangles, triangle ids, bounds, classes, materials (the 4-byte arrays first).
  const nodeBytes = wide.nodeCount * WIDE_SLOTS * 4;
  const at = allocate(nodeBytes + triangleCount * 42 + 24);
  const trianglesAt = at + nodeBytes;
  const idsAt = trianglesAt + triangleCount * 36;
  const boundsAt = idsAt + triangleCount * 4;
  const classesAt = boundsAt + 24;
  const materialsAt = classesAt + triangleCount;
  const links = int32At(at, wide.nodeCount * WIDE_SLOTS);
  links.set(wide.links);
  const triangles = float32At(trianglesAt, triangleCount * 9);
  const triangleIds = uint32At(idsAt, triangleCount);
  const leafClasses = uint8At(classesAt, triangleCount);
  const leafMaterials = uint8At(materialsAt, triangleCount);
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
    leafMaterials[k] = materials ? materials[i] : DEFAULT_MATERIAL_BY_CLASS[classes[i]];
  }
  const mesh: MeshBvh = {
    triangleCount,
    nodeCount: wide.nodeCount,
    nodes: float32At(at, wide.nodeCount * WIDE_SLOTS),
    links,
    triangles,
    triangleIds,
    classes: leafClasses,
    materials: leafMaterials,
    bounds: float32At(boundsAt, 6),
  };
  mesh.bounds.set(bounds);
  releaseWithOwner(mesh, [at]);
  return mesh;
}
