import { allocate, kernelShare, releaseWithOwner } from '../../raycast/KernelMemory.js';

/** Element types of shared arrays. */
export type ArrayKind = 'f32' | 'u8' | 'u16' | 'u32' | 'i32';
/** Named arrays of one block: each name's kind and length. */
export type Layout = Record<string, [ArrayKind, number]>;
/** A block of kernel memory holding a layout's arrays, as sent to a worker. */
export interface SharedBlock {
  address: number;
  layout: Layout;
}
type Typed = Float32Array | Uint8Array | Uint16Array | Uint32Array | Int32Array;

const BYTES: Record<ArrayKind, number> = { f32: 4, u8: 1, u16: 2, u32: 4, i32: 4 };
const MAKE = {
  f32: (b: ArrayBufferLike, o: number, n: number) => new Float32Array(b, o, n),
  u8: (b: ArrayBufferLike, o: number, n: number) => new Uint8Array(b, o, n),
  u16: (b: ArrayBufferLike, o: number, n: number) => new Uint16Array(b, o, n),
  u32: (b: ArrayBufferLike, o: number, n: number) => new Uint32Array(b, o, n),
  i32: (b: ArrayBufferLike, o: number, n: number) => new Int32Array(b, o, n),
};

/** Each array's byte offset in the block (16-byte aligned), and the block's size. */
function offsets(layout: Layout): { at: Record<string, number>; bytes: number } {
  const at: Record<string, number> = {};
  let bytes = 0;
  for (const [name, [kind, length]] of Object.entries(layout)) {
    at[name] = bytes;
    bytes += Math.ceil((length * BYTES[kind]) / 16) * 16;
  }
  return { at, bytes };
}

/**
 * Typed arrays over a block of the raycast kernel's shared memory: what a camera's tiles write
 * on one thread and read on another, with no copy. `allocateShared` makes the block on the
 * calling thread (given back when `owner` is collected); a worker views the same bytes with
 * `sharedViews`.
 */
export function allocateShared<T extends Record<string, Typed>>(owner: object, layout: Layout): { arrays: T; block: SharedBlock } {
  const address = allocate(Math.max(16, offsets(layout).bytes));
  releaseWithOwner(owner, [address]);
  const { memory } = kernelShare();
  const block = { address, layout };
  return { arrays: sharedViews<T>(memory, block), block };
}

/** The arrays of a block, over `memory` (the kernel's, on any thread). */
export function sharedViews<T extends Record<string, Typed>>(memory: WebAssembly.Memory, block: SharedBlock): T {
  const { at } = offsets(block.layout);
  const buffer = memory.buffer;
  const out: Record<string, Typed> = {};
  for (const [name, [kind, length]] of Object.entries(block.layout)) out[name] = MAKE[kind](buffer, block.address + at[name], length);
  return out as T;
}
