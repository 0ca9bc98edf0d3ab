import { afterAll, describe, expect, it } from 'vitest';
import { Random } from '../../src/core/Random.js';
import { allocate, float64At, kernelShare, release } from '../../src/raycast/KernelMemory.js';
import { buildMeshBvh } from '../../src/raycast/MeshBvh.js';
import { finishNow, registerPoolTask, type PoolWork, type TaskThread } from '../../src/raycast/PoolTasks.js';
import { RaycastPool } from '../../src/raycast/RaycastPool.js';
import { createHitBuffer, RaycastScene, type HitBuffer } from '../../src/raycast/RaycastScene.js';
import { itemValue, receive, run } from './poolTaskFixture.js';
import { randomRays, randomSoup, scrambledMaterials } from './reference.js';

const TASK = new URL('./poolTaskFixture.ts', import.meta.url).href;
registerPoolTask(TASK);

function sameHits(a: HitBuffer, b: HitBuffer): boolean {
  return Object.keys(a).every((k) => {
    const x = a[k as keyof HitBuffer], y = b[k as keyof HitBuffer];
    return Buffer.compare(Buffer.from(x.buffer, x.byteOffset, x.byteLength), Buffer.from(y.buffer, y.byteOffset, y.byteLength)) === 0;
  });
}

/**
 * The pool's two lanes: a task started with startTask runs on the workers while the calling
 * thread goes on, and casts meanwhile go through the ray lane, which a worker helps between
 * the task's items.
 */
describe('RaycastPool tasks under way', () => {
  const random = new Random(11);
  const soup = randomSoup(random, 3000, 25, 3);
  const scene = new RaycastScene(buildMeshBvh(soup.positions, soup.classes, scrambledMaterials(soup.classes.length, 1)));
  const n = 20000;
  const rays = { ...randomRays(random, n, 30), count: n, tMin: 0.05, tMax: 60 };
  const count = 48;
  const address = allocate(count * 8);
  // This thread's share of the items writes through its own view, as a worker's does.
  const here = { index: 0, memory: kernelShare().memory } as TaskThread;
  receive({ address, count }, here);
  const pools: RaycastPool[] = [];
  afterAll(async () => {
    await Promise.all(pools.map((p) => p.close()));
    release(address);
  });

  it('gives every item its own value and the casts their hits while both are in flight', async () => {
    const pool = await RaycastPool.create(scene, { workers: 1, chunk: 128 });
    pools.push(pool);
    expect(pool.runsTask(TASK)).toBe(true);
    const reference = createHitBuffer(n);
    scene.castOnThisThread(rays, reference);
    const values = float64At(address, count);
    values.fill(-1);
    pool.postTask(TASK, { address, count });
    const job = pool.startTask(TASK, count);
    expect(pool.busy).toBe(true);
    expect(pool.idle.done()).toBe(false);
    // One task at a time: a second waits for the first to be finished.
    expect(() => pool.startTask(TASK, 1)).toThrow(/another is under way/);
    // Casts while the worker draws the items: the same hits as on this thread alone.
    let castsWhileBusy = 0;
    for (let k = 0; k < 6; k++) {
      if (!job.done()) castsWhileBusy++;
      const hits = createHitBuffer(n);
      pool.cast(rays, hits);
      expect(sameHits(hits, reference), `cast ${k}`).toBe(true);
    }
    // The worker had items left when the casts began (each item takes milliseconds).
    expect(castsWhileBusy).toBeGreaterThan(0);
    job.finish((next) => run(here, next));
    expect(job.done()).toBe(true);
    expect(pool.busy).toBe(false);
    expect(pool.idle.done()).toBe(true);
    for (let i = 0; i < count; i++) expect(values[i], `item ${i}`).toBe(itemValue(i));
  });

  it('runs work that yields its tasks the same whether finished at once or later', async () => {
    const pool = await RaycastPool.create(scene, { workers: 1 });
    pools.push(pool);
    const values = float64At(address, count);
    pool.postTask(TASK, { address, count });
    function* work(): PoolWork<number> {
      const job = pool.startTask(TASK, count);
      yield job;
      job.finish((next) => run(here, next));
      let sum = 0;
      for (let i = 0; i < count; i++) sum += values[i];
      return sum;
    }
    let expected = 0;
    for (let i = 0; i < count; i++) expected += itemValue(i);
    values.fill(0);
    expect(finishNow(work())).toBe(expected);
    values.fill(0);
    const later = work();
    const first = later.next();
    expect(first.done).toBe(false);
    while (!first.value!.done()) await new Promise((resolve) => setTimeout(resolve, 1));
    expect(later.next()).toEqual({ done: true, value: expected });
  });
});
