import { afterAll, describe, expect, it } from 'vitest';
import { Random } from '../../src/core/Random.js';
import { bytesInUse } from '../../src/raycast/KernelMemory.js';
import { buildMeshBvh } from '../../src/raycast/MeshBvh.js';
import { RaycastPool } from '../../src/raycast/RaycastPool.js';
import { createHitBuffer, RaycastScene, type HitBuffer } from '../../src/raycast/RaycastScene.js';
import { randomInstances, randomRays, randomSoup, scrambledMaterials } from './reference.js';

function bytesOf(hits: HitBuffer): Buffer[] {
  return Object.values(hits).map((a: ArrayBufferView) => Buffer.from(a.buffer, a.byteOffset, a.byteLength));
}

function expectIdentical(a: HitBuffer, b: HitBuffer): void {
  const x = bytesOf(a), y = bytesOf(b);
  for (let i = 0; i < x.length; i++) expect(Buffer.compare(x[i], y[i])).toBe(0);
}

describe('RaycastPool', () => {
  const random = new Random(5);
  const soup = randomSoup(random, 4000, 25, 3);
  const scene = new RaycastScene(buildMeshBvh(soup.positions, soup.classes, scrambledMaterials(soup.classes.length, 1)));
  const car = randomSoup(random, 60, 1.5, 1);
  const bike = randomSoup(random, 12, 0.6, 0.5);
  scene.addModel(buildMeshBvh(car.positions, car.classes, scrambledMaterials(car.classes.length, 2)));
  scene.addModel(buildMeshBvh(bike.positions, bike.classes, scrambledMaterials(bike.classes.length, 3)));
  scene.setInstances(randomInstances(random, 40, 2));
  const n = 5000;
  const rays = { ...randomRays(random, n, 30), count: n, tMin: 0.05, tMax: 60 };
  const pools: RaycastPool[] = [];
  afterAll(async () => {
    await Promise.all(pools.map((p) => p.close()));
  });

  it('gives hit buffers identical to the single-thread cast with 0, 1, 2 and 3 workers', async () => {
    const reference = createHitBuffer(n);
    scene.cast(rays, reference, { ignoreInstanceId: 12 });
    for (const workers of [0, 1, 2, 3]) {
      // Small chunks so that every worker takes several, in an order that varies run to run.
      const pool = await RaycastPool.create(scene, { workers, chunk: 97 });
      pools.push(pool);
      expect(pool.size).toBe(workers);
      const hits = createHitBuffer(n);
      pool.cast(rays, hits, { ignoreInstanceId: 12 });
      expectIdentical(hits, reference);
      // The workers do take part (the calling thread may outrun a sleeping worker on a cast or two).
      let workerRays = pool.lastWorkerRays;
      for (let again = 0; again < 50 && workers > 0 && workerRays === 0; again++) {
        pool.cast(rays, hits, { ignoreInstanceId: 12 });
        workerRays = pool.lastWorkerRays;
      }
      if (workers === 0) expect(workerRays).toBe(0);
      else expect(workerRays).toBeGreaterThan(0);
      expectIdentical(hits, reference);
    }
  });

  it('follows the instances from cast to cast, and casts a sub-range in place', async () => {
    const pool = await RaycastPool.create(scene, { workers: 2, chunk: 256 });
    pools.push(pool);
    for (let tick = 0; tick < 3; tick++) {
      scene.setInstances(randomInstances(random, 40, 2));
      const expected = createHitBuffer(n);
      scene.cast(rays, expected);
      const hits = createHitBuffer(n);
      pool.cast(rays, hits);
      expectIdentical(hits, expected);
    }
    // Rays [1000, 3000) only: the others are left as they were.
    const expected = createHitBuffer(n);
    expected.distance.fill(-1);
    scene.cast(rays, expected, { first: 1000, end: 3000 });
    const hits = createHitBuffer(n);
    hits.distance.fill(-1);
    pool.cast(rays, hits, { first: 1000, end: 2000 });
    pool.cast(rays, hits, { first: 2000, end: 3000 });
    expectIdentical(hits, expected);
  });

  it('takes the scene\'s casts once the scene uses it, and gives them back when closed', async () => {
    const expected = createHitBuffer(n);
    scene.cast(rays, expected, { ignoreInstanceId: 11 });
    const pool = await RaycastPool.create(scene, { workers: 2 });
    scene.usePool(pool);
    expect(scene.pool).toBe(pool);
    const hits = createHitBuffer(n);
    scene.cast(rays, hits, { ignoreInstanceId: 11 });
    expectIdentical(hits, expected);
    await pool.close();
    expect(scene.pool).toBeUndefined();
    const after = createHitBuffer(n);
    scene.cast(rays, after, { ignoreInstanceId: 11 });
    expectIdentical(after, expected);
  });

  it('closes cleanly, gives its memory back and refuses casts afterwards', async () => {
    const before = bytesInUse();
    const pool = await RaycastPool.create(scene, { workers: 2 });
    expect(bytesInUse()).toBeGreaterThan(before);
    const hits = createHitBuffer(n);
    pool.cast(rays, hits);
    await pool.close();
    expect(bytesInUse()).toBe(before);
    expect(() => pool.cast(rays, hits)).toThrow(/after close/);
    await pool.close();
  });
});
