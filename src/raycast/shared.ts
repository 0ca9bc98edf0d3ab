/**
 * Buffers the raycaster shares with its worker pool. Everything the kernel reads (BVH nodes,
 * triangles, ids) is allocated here once, so a worker receives the same memory, not a copy.
 */
export function sharedBuffer(bytes: number): SharedArrayBuffer {
  // Rounded up to 8 bytes so that any typed array view fits at offset 0.
  return new SharedArrayBuffer(Math.max(8, Math.ceil(bytes / 8) * 8));
}

export function sharedFloat32(length: number): Float32Array {
  return new Float32Array(sharedBuffer(length * 4), 0, length);
}

export function sharedUint32(length: number): Uint32Array {
  return new Uint32Array(sharedBuffer(length * 4), 0, length);
}

export function sharedUint8(length: number): Uint8Array {
  return new Uint8Array(sharedBuffer(length), 0, length);
}
