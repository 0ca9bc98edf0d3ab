import type { KernelExports } from './KernelMemory.js';

/**
 * Work other than ray casting that a RaycastPool's threads can share (a camera's tiles), so a
 * process has one set of worker threads for everything that scales with pixels or rays and
 * never more threads than cores. The raycast room knows nothing of cameras: a task is a module
 * that a worker imports when it starts, found by URL, registered here by the room that owns it
 * before the pool is created (a module registers itself when it is imported).
 *
 * A task module exports `receive(data, thread)` (a message posted to every worker, taken in
 * order before any run; what it returns goes back to the caller of `RaycastPool.askTask`,
 * and is ignored for a message posted with `postTask`) and `run(thread, next)` (take items
 * from `next()` until it returns -1). The calling thread runs the same functions itself, so
 * one item's result never depends on the thread that computed it.
 */
export interface TaskThread {
  /** 0 for the calling thread, k for the k-th worker. */
  index: number;
  kernel: KernelExports;
  /** This thread's traversal stack in kernel memory. */
  stack: number;
  memory: WebAssembly.Memory;
}

export interface PoolTaskModule {
  receive(data: unknown, thread: TaskThread): unknown;
  run(thread: TaskThread, next: () => number): void;
}

const urls: string[] = [];

/**
 * Registers a task module by URL (a .js file, or a .ts file run through tsx when running from
 * source under the tests); returns its index, the same in every pool created afterwards.
 */
export function registerPoolTask(url: string): number {
  const known = urls.indexOf(url);
  if (known >= 0) return known;
  urls.push(url);
  return urls.length - 1;
}

/** The registered task URLs, in registration order (what a new pool's workers import). */
export function poolTaskUrls(): readonly string[] {
  return urls;
}
