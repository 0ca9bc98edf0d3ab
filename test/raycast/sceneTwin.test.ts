import { describe, expect, it } from 'vitest';
import { Random } from '../../src/core/Random.js';
import { buildMeshBvh, type MeshBvh } from '../../src/raycast/MeshBvh.js';
import { createHitBuffer, RaycastScene, type HitBuffer, type Instance } from '../../src/raycast/RaycastScene.js';
import { bruteForce, quaternion, randomInstances, randomRays, randomSoup } from './reference.js';

/** Instances as the tests place them: ids from 100, within ±15 m, tilted a little. */
function placed(random: Random, n: number, models: number): Instance[] {
  return randomInstances(random, n, models, { firstId: 100, spread: 15, height: 3, tilt: 0.4 });
}

/** Positions of every instance's triangles in the world (rotation by the quaternion, then translation), for brute force. */
function worldSoup(statics: Float32Array, meshes: Float32Array[], instances: readonly Instance[]): { positions: Float32Array; owner: number[] } {
  const parts: number[] = [...statics];
  const owner: number[] = new Array<number>(statics.length / 9).fill(0);
  for (const inst of instances) {
    const [x, y, z, w] = inst.quaternion;
    const r = [
      1 - 2 * (y * y + z * z), 2 * (x * y - z * w), 2 * (x * z + y * w),
      2 * (x * y + z * w), 1 - 2 * (x * x + z * z), 2 * (y * z - x * w),
      2 * (x * z - y * w), 2 * (y * z + x * w), 1 - 2 * (x * x + y * y),
    ];
    const m = meshes[inst.model];
    for (let i = 0; i < m.length; i += 3) {
      for (let k = 0; k < 3; k++) parts.push(r[k * 3] * m[i] + r[k * 3 + 1] * m[i + 1] + r[k * 3 + 2] * m[i + 2] + inst.position[k]);
    }
    for (let t = 0; t < m.length / 9; t++) owner.push(inst.instanceId);
  }
  return { positions: Float32Array.from(parts), owner };
}

/** Every ray's nearest hit in `scene` is brute force's over the placed triangles (distance and instance). */
function expectPlacement(scene: RaycastScene, rays: ReturnType<typeof randomRays> & { count: number; tMin: number; tMax: number }, soup: { positions: Float32Array; owner: number[] }): number {
  const hits: HitBuffer = createHitBuffer(rays.count);
  scene.cast(rays, hits);
  let hitCount = 0;
  for (let i = 0; i < rays.count; i++) {
    const ref = bruteForce(soup.positions, Array.from(rays.origins.subarray(i * 3, i * 3 + 3)), Array.from(rays.directions.subarray(i * 3, i * 3 + 3)), rays.tMin, rays.tMax);
    if (ref.tri < 0) {
      expect(hits.distance[i]).toBe(Infinity);
      continue;
    }
    hitCount++;
    expect(hits.distance[i]).toBeCloseTo(ref.t, 3);
    expect(hits.instanceId[i]).toBe(soup.owner[ref.tri]);
  }
  return hitCount;
}

/**
 * A scene's twin (RaycastScene.twin): the same meshes, a placement of its own, so that a
 * camera's tiles can read one placement while the LiDAR places the next.
 */
describe('RaycastScene twins', () => {
  const random = new Random(21);
  const ground = randomSoup(random, 800, 20, 2);
  const a = randomSoup(random, 40, 1.5, 1), b = randomSoup(random, 30, 1.2, 1);
  const mesh = (s: { positions: Float32Array; classes: Uint8Array }): MeshBvh => buildMeshBvh(s.positions, s.classes);
  const n = 600;
  const rays = { ...randomRays(random, n, 25), count: n, tMin: 0.01, tMax: 60 };

  it('casts its own placement while the origin keeps its own, both as brute force finds', () => {
    const scene = new RaycastScene(mesh(ground));
    scene.addModel(mesh(a));
    const twin = scene.twin();
    // A model added through the twin is in the origin's table too, at the same row.
    expect(twin.addModel(mesh(b))).toBe(1);
    expect(scene.meshCount).toBe(3);
    const here = placed(random, 12, 2), there = placed(random, 12, 2);
    scene.setInstances(here);
    twin.setInstances(there);
    const soups = [a.positions, b.positions];
    expect(expectPlacement(scene, rays, worldSoup(ground.positions, soups, here))).toBeGreaterThan(100);
    expect(expectPlacement(twin, rays, worldSoup(ground.positions, soups, there))).toBeGreaterThan(100);
    // Placing the twin again leaves the origin as it was.
    twin.setInstances(placed(random, 30, 2));
    expectPlacement(scene, rays, worldSoup(ground.positions, soups, here));
  });

  it('keeps casting while models are added past the table\'s room (rows written in place, a larger table when full)', () => {
    const scene = new RaycastScene(mesh(ground));
    const twin = scene.twin();
    const soups: Float32Array[] = [];
    for (let k = 0; k < 40; k++) {
      const s = randomSoup(random, 10, 1, 0.8);
      soups.push(s.positions);
      // Alternately through either: one table.
      expect((k % 2 === 0 ? scene : twin).addModel(mesh(s))).toBe(k);
    }
    const instances = placed(random, 40, 40);
    twin.setInstances(instances);
    expect(expectPlacement(twin, rays, worldSoup(ground.positions, soups, instances))).toBeGreaterThan(100);
    expect(twin.meshCount).toBe(41);
  });
});

/**
 * The top level refit in place when the same instances move (TopLevel.refitTopLevel), rebuilt
 * when the list changes and every tenth placement: every answer is brute force's.
 */
describe('RaycastScene top level, refit as instances move', () => {
  const random = new Random(33);
  const ground = randomSoup(random, 600, 20, 2);
  const a = randomSoup(random, 40, 1.5, 1), b = randomSoup(random, 30, 1.2, 1);
  const n = 400;
  const rays = { ...randomRays(random, n, 25), count: n, tMin: 0.01, tMax: 60 };

  it('answers as brute force over 25 placements of moving instances, and after the list changes', () => {
    const scene = new RaycastScene(buildMeshBvh(ground.positions, ground.classes));
    scene.addModel(buildMeshBvh(a.positions, a.classes));
    scene.addModel(buildMeshBvh(b.positions, b.classes));
    const soups = [a.positions, b.positions];
    let instances = placed(random, 25, 2);
    for (let step = 0; step < 25; step++) {
      // Each moves and turns a little, as actors do in a 10 ms step (more, to loosen the boxes).
      instances = instances.map((inst, i) => ({
        ...inst,
        position: [inst.position[0] + 0.4 * Math.cos(i), inst.position[1] + 0.4 * Math.sin(i), inst.position[2]] as [number, number, number],
        quaternion: quaternion(0.05 * step + i, 0.02 * i, 0),
      }));
      scene.setInstances(instances);
      expect(expectPlacement(scene, rays, worldSoup(ground.positions, soups, instances)), `step ${step}`).toBeGreaterThan(50);
    }
    // One fewer, and another model for one: built afresh.
    instances = instances.slice(1).map((inst, i) => (i === 3 ? { ...inst, model: 1 - inst.model } : inst));
    scene.setInstances(instances);
    expectPlacement(scene, rays, worldSoup(ground.positions, soups, instances));
  });
});
