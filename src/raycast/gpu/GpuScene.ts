import { MESH_RECORD_BYTES, MeshRecord, SCENE_DESCRIPTOR_BYTES, SceneSlot } from '../KernelMemory.js';
import { WIDE_LINKS, WIDE_SLOTS } from '../Bvh4.js';
import { XFORM } from '../TopLevel.js';
import { GPU_STACK_ENTRIES, INSTANCE_FLOATS } from './traversalShader.js';
import type { OpenedDevice } from './GpuDevice.js';

/**
 * A RaycastScene's trees on the GPU, read from the raycast kernel's shared memory: the very
 * bytes the WebAssembly kernel traverses (KernelMemory.ts lays them out), so both backends
 * walk the same 4-wide BVHs. Meshes (the static mesh and the models, which hold nearly all
 * triangles) are uploaded when the scene's mesh table changes, in practice once; the top
 * level over the actors' instances, a few kilobytes, every cast, since the scene rewrites it
 * in place whenever actors move.
 */
export interface SceneBuffers {
  nodes: GPUBuffer;
  tris: GPUBuffer;
  meshes: GPUBuffer;
  triInfo: GPUBuffer;
  topNodes: GPUBuffer;
  instances: GPUBuffer;
  topCount: number;
  /** Changes whenever any buffer above is replaced (bind groups must be made anew). */
  generation: number;
}

/** Wide-node extent of a tree: nodes reachable from its root, and its depth in levels. */
export function treeExtent(words: Int32Array, at: number): { nodeCount: number; depth: number } {
  let maxNode = 0;
  let depth = 0;
  const stack: [number, number][] = [[0, 1]];
  while (stack.length > 0) {
    const [node, level] = stack.pop()!;
    maxNode = Math.max(maxNode, node);
    depth = Math.max(depth, level);
    const links = at / 4 + node * WIDE_SLOTS + WIDE_LINKS;
    for (let c = 0; c < 4; c++) {
      const link = words[links + c];
      if (link >= 0) stack.push([link / WIDE_SLOTS, level + 1]);
    }
  }
  return { nodeCount: maxNode + 1, depth };
}

function checkDepth(depth: number, what: string): void {
  if (3 * depth + 1 > GPU_STACK_ENTRIES) {
    throw new Error(`${what}: a BVH ${depth} levels deep overflows the GPU kernel's ${GPU_STACK_ENTRIES}-entry traversal stack`);
  }
}

/**
 * A 3 x 3 matrix (row-major) and a vector, 12 numbers from `from` of `m`, as the shaders read
 * them: three vec4 rows with the vector in w, at float `o` of `out`. An instance's rotation and
 * translation (here and in the raster's records), a camera band's rotation and position.
 */
export function writeRowsWithW(out: Float32Array, o: number, m: ArrayLike<number>, from: number): void {
  for (let row = 0; row < 3; row++) {
    out[o + row * 4] = m[from + row * 3];
    out[o + row * 4 + 1] = m[from + row * 3 + 1];
    out[o + row * 4 + 2] = m[from + row * 3 + 2];
    out[o + row * 4 + 3] = m[from + 9 + row];
  }
}

/** Storage buffers may not be empty; sizes are whole words and at least one vec4. */
const bufferBytes = (bytes: number): number => Math.max(16, Math.ceil(bytes / 16) * 16);

export class GpuScene {
  /** Each mesh's first triangle and count in `tris`, by the kernel address of its triangles (the raster's parts name meshes so). */
  readonly meshAt = new Map<number, { first: number; count: number }>();
  private meshKey = '';
  private buffers: Partial<SceneBuffers> = {};
  private generation = 0;
  private topCapacity = { nodes: 0, instances: 0 };

  constructor(private readonly gpu: OpenedDevice, private readonly memory: WebAssembly.Memory) {}

  /** Brings the GPU copy up to date with the scene at `descriptor` (of `meshCount` mesh-table rows). */
  sync(descriptor: number, meshCount: number): SceneBuffers {
    const buffer = this.memory.buffer as unknown as SharedArrayBuffer;
    const words = new Int32Array(buffer);
    const slots = new Uint32Array(buffer, descriptor, SCENE_DESCRIPTOR_BYTES / 4);
    const table = new Uint32Array(buffer, slots[SceneSlot.meshes], (meshCount * MESH_RECORD_BYTES) / 4);
    // Rows of a live scene point at live meshes, so equal rows are the same meshes.
    const key = `${slots[SceneSlot.reflectivity]}:${Array.from(table).join(',')}`;
    if (key !== this.meshKey) {
      this.uploadMeshes(buffer, words, table, meshCount, new Float32Array(buffer, slots[SceneSlot.reflectivity], 256));
      this.meshKey = key;
    }
    this.uploadTop(buffer, words, slots);
    return { ...(this.buffers as SceneBuffers), generation: this.generation };
  }

  private uploadMeshes(buffer: SharedArrayBuffer, words: Int32Array, table: Uint32Array, meshCount: number, reflectivity: Float32Array): void {
    const rows = Array.from({ length: meshCount }, (_, row) => {
      const o = (row * MESH_RECORD_BYTES) / 4;
      const nodesAt = table[o + MeshRecord.nodes];
      const triangleCount = table[o + MeshRecord.triangleCount];
      const extent = triangleCount > 0 ? treeExtent(words, nodesAt) : { nodeCount: 0, depth: 0 };
      checkDepth(extent.depth, `mesh ${row} (${triangleCount} triangles)`);
      return { o, nodesAt, triangleCount, nodeCount: extent.nodeCount };
    });
    const nodeFloats = rows.reduce((sum, r) => sum + r.nodeCount * WIDE_SLOTS, 0);
    const triangles = rows.reduce((sum, r) => sum + r.triangleCount, 0);
    const nodes = new Float32Array(Math.max(4, nodeFloats));
    const tris = new Float32Array(Math.max(4, triangles * 9));
    const info = new Uint32Array(Math.max(4, triangles * 4));
    const meshes = new Uint32Array(Math.max(4, meshCount * 4));
    const reflectivityBits = new Uint32Array(reflectivity.buffer, reflectivity.byteOffset, 256);
    let nodeAt = 0;
    let triAt = 0;
    this.meshAt.clear();
    rows.forEach((r, row) => {
      meshes.set([nodeAt / 4, triAt, r.triangleCount, 0], row * 4);
      this.meshAt.set(table[r.o + MeshRecord.triangles], { first: triAt, count: r.triangleCount });
      if (r.triangleCount === 0) return;
      nodes.set(new Float32Array(buffer, r.nodesAt, r.nodeCount * WIDE_SLOTS), nodeAt);
      tris.set(new Float32Array(buffer, table[r.o + MeshRecord.triangles], r.triangleCount * 9), triAt * 9);
      const ids = new Uint32Array(buffer, table[r.o + MeshRecord.triangleIds], r.triangleCount);
      const classes = new Uint8Array(buffer, table[r.o + MeshRecord.classes], r.triangleCount);
      const materials = new Uint8Array(buffer, table[r.o + MeshRecord.materials], r.triangleCount);
      for (let k = 0; k < r.triangleCount; k++) {
        const w = (triAt + k) * 4;
        info[w] = ids[k];
        info[w + 1] = classes[k] | (materials[k] << 8);
        info[w + 2] = reflectivityBits[materials[k]];
      }
      nodeAt += r.nodeCount * WIDE_SLOTS;
      triAt += r.triangleCount;
    });
    this.replace('nodes', nodes);
    this.replace('tris', tris);
    this.replace('triInfo', info);
    this.replace('meshes', meshes);
  }

  private uploadTop(buffer: SharedArrayBuffer, words: Int32Array, slots: Uint32Array): void {
    const n = slots[SceneSlot.topCount];
    const extent = n > 0 ? treeExtent(words, slots[SceneSlot.topNodes]) : { nodeCount: 0, depth: 0 };
    checkDepth(extent.depth, `the top level of ${n} instances`);
    const nodes = n > 0 ? new Float32Array(buffer, slots[SceneSlot.topNodes], extent.nodeCount * WIDE_SLOTS) : new Float32Array(4);
    const transforms = new Float64Array(buffer, slots[SceneSlot.topTransforms], n * XFORM);
    const meshRows = new Int32Array(buffer, slots[SceneSlot.topMeshes], n);
    const ids = new Uint32Array(buffer, slots[SceneSlot.topIds], n);
    const records = new Float32Array(Math.max(1, n) * INSTANCE_FLOATS);
    const recordWords = new Uint32Array(records.buffer);
    for (let i = 0; i < n; i++) {
      const m = i * XFORM;
      const o = i * INSTANCE_FLOATS;
      // Rows of R (world from model) with the translation in w.
      writeRowsWithW(records, o, transforms, m);
      recordWords[o + 12] = meshRows[i];
      recordWords[o + 13] = ids[i];
    }
    // Grown by doubling, written in place otherwise: the top level changes every step.
    if (nodes.byteLength > this.topCapacity.nodes) {
      this.topCapacity.nodes = Math.max(bufferBytes(nodes.byteLength), 2 * this.topCapacity.nodes);
      this.allocate('topNodes', this.topCapacity.nodes);
    }
    if (records.byteLength > this.topCapacity.instances) {
      this.topCapacity.instances = Math.max(bufferBytes(records.byteLength), 2 * this.topCapacity.instances);
      this.allocate('instances', this.topCapacity.instances);
    }
    this.write(this.buffers.topNodes!, nodes);
    this.write(this.buffers.instances!, records);
    this.buffers.topCount = n;
  }

  /** Frees the GPU buffers (the scene is gone). */
  destroy(): void {
    for (const buffer of Object.values(this.buffers)) if (typeof buffer === 'object') buffer.destroy();
    this.buffers = {};
    this.meshKey = '';
    this.topCapacity = { nodes: 0, instances: 0 };
  }

  private write(target: GPUBuffer, data: Float32Array | Uint32Array): void {
    // Copied out of the shared memory first: the binding takes plain ArrayBuffers.
    const copy = data.buffer instanceof ArrayBuffer ? data : data.slice();
    this.gpu.device.queue.writeBuffer(target, 0, copy.buffer, copy.byteOffset, Math.ceil(copy.byteLength / 4) * 4);
  }

  private allocate(name: 'nodes' | 'tris' | 'meshes' | 'triInfo' | 'topNodes' | 'instances', bytes: number): void {
    this.buffers[name]?.destroy();
    const { GPUBufferUsage } = this.gpu.constants;
    this.buffers[name] = this.gpu.device.createBuffer({ size: bufferBytes(bytes), usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST });
    this.generation++;
  }

  private replace(name: 'nodes' | 'tris' | 'meshes' | 'triInfo', data: Float32Array | Uint32Array): void {
    this.allocate(name, data.byteLength);
    this.write(this.buffers[name]!, data);
  }
}
