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
  /**
   * A worker's: takes the messages posted since its batch opened, in order (`receive` each),
   * for an item that waits on what the calling thread posts while the batch runs. The calling
   * thread has none: it posts them.
   */
  takeMessages?(): void;
  /** A worker's: casts chunks of the open ray batch, if any has rays left (what an item that waits can do meanwhile). */
  helpRays?(): void;
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

/**
 * Work that hands tasks to a pool's workers: a generator that yields each task it starts
 * (RaycastPool.startTask) and, when resumed, finishes it (joining the items left) and goes
 * on. A caller with other work does it between a yield and the resume (the run's sensor
 * pipeline); `finishNow` resumes at once, which is the same as running the tasks in place.
 */
export type PoolWork<T> = Generator<PoolJobLike, T, undefined>;

/**
 * What PoolWork yields: a started task, which can say whether its items are done; or, marked
 * `waiting`, the wait for a pool that another's task holds (done when it is free).
 */
export interface PoolJobLike {
  /** Whether every item is done, or the pool free (a hint between other work: a task's `finish` is what waits). */
  done(): boolean;
  waiting?: boolean;
}

/** Runs pool work to its end here and now. */
export function finishNow<T>(work: PoolWork<T>): T {
  for (;;) {
    const step = work.next();
    if (step.done) return step.value;
  }
}
