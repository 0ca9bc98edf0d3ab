import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { setFlagsFromString } from 'node:v8';

/**
 * The raycast kernel's memory: one shared WebAssembly memory (a SharedArrayBuffer underneath)
 * that holds every mesh BVH, each scene's top level, the ray and hit batches and a traversal
 * stack per thread, so the kernel (assembly/kernel.ts, compiled to kernel.wasm) and every
 * worker of a RaycastPool read the same bytes. Blocks are handed out by a first-fit allocator
 * on this thread, and given back when the object that owns them is garbage collected.
 *
 * The layouts the kernel reads are fixed here and in assembly/kernel.ts (change both).
 */
export const MESH_RECORD_BYTES = 32;
export const MeshRecord = { nodes: 0, triangles: 1, triangleCount: 2, triangleIds: 3, classes: 4, materials: 5 } as const;
export const SCENE_DESCRIPTOR_BYTES = 32;
export const SceneSlot = { meshes: 0, topNodes: 1, topCount: 2, topTransforms: 3, topMeshes: 4, topIds: 5, reflectivity: 6 } as const;
/**
 * Bytes per ray of a batch: origin and direction, then the hit (distance, normal, instance,
 * triangle, reflectivity, class, material). The reflectivity is the material's, from the
 * 256-entry table the scene descriptor's `reflectivity` slot points at.
 */
export const BATCH_BYTES_PER_RAY = 54;
/** Byte offsets of a batch's arrays, as multiples of its capacity. */
export const BatchOffset = { origins: 0, directions: 12, distance: 24, normal: 28, instanceId: 40, triangleId: 44, reflectivity: 48, classId: 52, materialId: 53 } as const;
/** Traversal stack entries per thread (mesh and top level each); the kernel's STACK_ENTRIES. */
export const STACK_ENTRIES = 1024;
export const STACK_BYTES = 2 * STACK_ENTRIES * 8;

/** The kernel's one export. */
export interface KernelExports {
  castRange(scene: number, batch: number, capacity: number, first: number, end: number, tMin: number, tMax: number, ignore: number, stack: number): void;
}

const PAGE = 65536;
const MAX_PAGES = 65536;
const ALIGN = 64;
/** Address 0 stays unused so that 0 reads as "none" in a descriptor. */
const FIRST_ADDRESS = 1024;

interface KernelState {
  memory: WebAssembly.Memory;
  module: WebAssembly.Module;
  kernel: KernelExports;
  buffer: SharedArrayBuffer;
  /** End of the highest block ever handed out. */
  top: number;
  /** Free blocks, sorted by address, never adjacent (merged on release). */
  freeStart: number[];
  freeSize: number[];
  sizeOf: Map<number, number>;
  stack: number;
}

let state: KernelState | undefined;

/** kernel.wasm beside this module (dist/), or the build's copy when running from src/ (tests). */
function kernelPath(): string {
  const candidates = [new URL('./kernel.wasm', import.meta.url), new URL('../../dist/raycast/kernel.wasm', import.meta.url)];
  for (const url of candidates) {
    const path = fileURLToPath(url);
    if (existsSync(path)) return path;
  }
  throw new Error(`raycast kernel not built: no kernel.wasm at ${candidates.map((u) => fileURLToPath(u)).join(' or ')} (run npm run build)`);
}

/**
 * Compiles the kernel with V8's optimising compiler up front. V8 otherwise starts a module in
 * its baseline compiler and optimises a function only after it has run a while: a pool
 * worker, whose one call may cast thousands of rays, then ran several times slower than the
 * casting thread for its first dozens of batches, or for good. The switch is V8's own and
 * process-wide (it must hold when a worker instantiates the module too); it changes only when
 * WebAssembly code is optimised, never what it computes.
 */
function compileOptimized(bytes: Uint8Array): WebAssembly.Module {
  setFlagsFromString('--no-wasm-dynamic-tiering');
  return new WebAssembly.Module(bytes);
}

function kernelState(): KernelState {
  if (state) return state;
  const memory = new WebAssembly.Memory({ initial: 16, maximum: MAX_PAGES, shared: true });
  const module = compileOptimized(readFileSync(kernelPath()));
  const kernel = new WebAssembly.Instance(module, { env: { memory } }).exports as unknown as KernelExports;
  state = {
    memory, module, kernel, buffer: memory.buffer as unknown as SharedArrayBuffer,
    top: FIRST_ADDRESS, freeStart: [], freeSize: [], sizeOf: new Map(), stack: 0,
  };
  state.stack = allocate(STACK_BYTES);
  return state;
}

/** The compiled kernel and its memory, for a worker to instantiate its own copy over. */
export function kernelShare(): { module: WebAssembly.Module; memory: WebAssembly.Memory } {
  const s = kernelState();
  return { module: s.module, memory: s.memory };
}

/** This thread's kernel instance and its traversal stack. */
export function mainKernel(): { kernel: KernelExports; stack: number } {
  const s = kernelState();
  return { kernel: s.kernel, stack: s.stack };
}

/** A block of at least `bytes` bytes, 64-byte aligned, contents unspecified. */
export function allocate(bytes: number): number {
  const s = kernelState();
  const size = Math.max(ALIGN, Math.ceil(bytes / ALIGN) * ALIGN);
  for (let i = 0; i < s.freeStart.length; i++) {
    if (s.freeSize[i] < size) continue;
    const address = s.freeStart[i];
    if (s.freeSize[i] === size) {
      s.freeStart.splice(i, 1);
      s.freeSize.splice(i, 1);
    } else {
      s.freeStart[i] += size;
      s.freeSize[i] -= size;
    }
    s.sizeOf.set(address, size);
    return address;
  }
  const address = s.top;
  const end = address + size;
  if (end > s.memory.buffer.byteLength) {
    const pages = Math.ceil((end - s.memory.buffer.byteLength) / PAGE);
    const current = s.memory.buffer.byteLength / PAGE;
    if (current + pages > MAX_PAGES) throw new Error(`raycast kernel memory exhausted: ${bytes} more bytes wanted beyond ${current * PAGE}`);
    // Grown by at least half again, so that many small blocks do not grow it page by page.
    s.memory.grow(Math.min(MAX_PAGES - current, Math.max(pages, Math.ceil(current / 2))));
    s.buffer = s.memory.buffer as unknown as SharedArrayBuffer;
  }
  s.top = end;
  s.sizeOf.set(address, size);
  return address;
}

/** Gives a block back; neighbouring free blocks merge. */
export function release(address: number): void {
  const s = kernelState();
  const size = s.sizeOf.get(address);
  if (size === undefined) throw new Error(`raycast kernel memory: no block at ${address}`);
  s.sizeOf.delete(address);
  let i = 0;
  while (i < s.freeStart.length && s.freeStart[i] < address) i++;
  s.freeStart.splice(i, 0, address);
  s.freeSize.splice(i, 0, size);
  if (i + 1 < s.freeStart.length && s.freeStart[i] + s.freeSize[i] === s.freeStart[i + 1]) {
    s.freeSize[i] += s.freeSize[i + 1];
    s.freeStart.splice(i + 1, 1);
    s.freeSize.splice(i + 1, 1);
  }
  if (i > 0 && s.freeStart[i - 1] + s.freeSize[i - 1] === s.freeStart[i]) {
    s.freeSize[i - 1] += s.freeSize[i];
    s.freeStart.splice(i, 1);
    s.freeSize.splice(i, 1);
    i--;
  }
  if (s.freeStart[i] + s.freeSize[i] === s.top) {
    s.top = s.freeStart[i];
    s.freeStart.splice(i, 1);
    s.freeSize.splice(i, 1);
  }
}

/** Bytes handed out and not given back (for tests and diagnostics). */
export function bytesInUse(): number {
  let total = 0;
  for (const size of kernelState().sizeOf.values()) total += size;
  return total;
}

const collector = new FinalizationRegistry<number[]>((addresses) => {
  for (const address of addresses) release(address);
});

/** Releases the blocks when `owner` is garbage collected (views into them must not outlive it). */
export function releaseWithOwner(owner: object, addresses: number[]): void {
  collector.register(owner, addresses);
}

export function float32At(address: number, length: number): Float32Array {
  return new Float32Array(kernelState().buffer, address, length);
}
export function float64At(address: number, length: number): Float64Array {
  return new Float64Array(kernelState().buffer, address, length);
}
export function int32At(address: number, length: number): Int32Array {
  return new Int32Array(kernelState().buffer, address, length);
}
export function uint32At(address: number, length: number): Uint32Array {
  return new Uint32Array(kernelState().buffer, address, length);
}
export function uint8At(address: number, length: number): Uint8Array {
  return new Uint8Array(kernelState().buffer, address, length);
}
