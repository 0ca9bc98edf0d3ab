import type { TaskThread } from '../../src/raycast/PoolTasks.js';

/**
 * A pool task for the tests: item i writes itemValue(i) into a float64 array in kernel memory
 * (its address arrives as a message), slowly enough that a cast overlaps the items.
 */
let out: Float64Array | undefined;

/** A value only item i gives: a few thousand rounds of a xorshift seeded by i. */
export function itemValue(i: number): number {
  let x = (i + 1) * 2654435761 >>> 0;
  let sum = 0;
  for (let k = 0; k < 400000; k++) {
    x ^= x << 13; x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5; x >>>= 0;
    sum += x / 4294967296;
  }
  return sum;
}

export function receive(data: { address: number; count: number }, thread: TaskThread): void {
  out = new Float64Array(thread.memory.buffer, data.address, data.count);
}

export function run(_thread: TaskThread, next: () => number): void {
  for (let item = next(); item >= 0; item = next()) out![item] = itemValue(item);
}
