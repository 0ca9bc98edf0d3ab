import { describe, expect, it } from 'vitest';
import { MeshBuilder } from '../../src/core/MeshBuilder.js';
import { Random } from '../../src/core/Random.js';
import { buildMeshBvh } from '../../src/raycast/MeshBvh.js';
import { createHitBuffer, MISS, RaycastScene } from '../../src/raycast/RaycastScene.js';
import { bruteForce, randomRays, randomSoup } from './reference.js';

describe('RaycastScene', () => {
  it('finds the same closest triangle as brute force on a random scene', () => {
    const random = new Random(7);
    const soup = randomSoup(random, 3000, 30);
    const scene = new RaycastScene(buildMeshBvh(soup.positions, soup.classes));
    const n = 400;
    const rays = { ...randomRays(random, n, 35), count: n, tMin: 0.01, tMax: 80 };
    const hits = createHitBuffer(n);
    scene.cast(rays, hits);
    let hitCount = 0;
    for (let i = 0; i < n; i++) {
      const o = Array.from(rays.origins.subarray(i * 3, i * 3 + 3));
      const d = Array.from(rays.directions.subarray(i * 3, i * 3 + 3));
      const ref = bruteForce(soup.positions, o, d, rays.tMin, rays.tMax);
      if (ref.tri < 0) {
        expect(hits.distance[i]).toBe(Infinity);
        expect(hits.triangleId[i]).toBe(MISS);
        continue;
      }
      hitCount++;
      expect(hits.distance[i]).toBeCloseTo(ref.t, 4);
      expect(hits.triangleId[i]).toBe(ref.tri);
      expect(hits.classId[i]).toBe(soup.classes[ref.tri]);
      expect(hits.instanceId[i]).toBe(0);
    }
    expect(hitCount).toBeGreaterThan(100);
  });

  it('hits a moved, rotated instance where brute force over its transformed triangles does', () => {
    const model = new MeshBuilder();
    model.box([0, 0, 0.75], [4, 2, 1.5], 0, 26);
    const soup = model.soup();
    const ground = new MeshBuilder();
    ground.quad([-50, -50, 0], [50, -50, 0], [50, 50, 0], [-50, 50, 0], 7);
    const g = ground.soup();
    const scene = new RaycastScene(buildMeshBvh(g.positions, g.classes));
    const car = scene.addModel(buildMeshBvh(soup.positions, soup.classes));
    const yaw = 0.6;
    const position = [10, 3, 0] as const;
    scene.setInstances([{ model: car, instanceId: 5, position, quaternion: [0, 0, Math.sin(yaw / 2), Math.cos(yaw / 2)] }]);

    // The instance's triangles placed in the world by hand: rotate about z, then translate.
    const world = new Float32Array(soup.positions.length);
    for (let i = 0; i < soup.positions.length; i += 3) {
      const [x, y, z] = [soup.positions[i], soup.positions[i + 1], soup.positions[i + 2]];
      world[i] = Math.cos(yaw) * x - Math.sin(yaw) * y + position[0];
      world[i + 1] = Math.sin(yaw) * x + Math.cos(yaw) * y + position[1];
      world[i + 2] = z + position[2];
    }
    const n = 300;
    const origins = new Float32Array(n * 3);
    const directions = new Float32Array(n * 3);
    for (let i = 0; i < n; i++) {
      const az = (2 * Math.PI * i) / n;
      origins.set([0, 0, 1], i * 3);
      const target = [10 + 4 * Math.cos(az), 3 + 4 * Math.sin(az), 0.2 + (i % 7) * 0.2];
      const len = Math.hypot(target[0], target[1], target[2] - 1);
      directions.set([target[0] / len, target[1] / len, (target[2] - 1) / len], i * 3);
    }
    const hits = createHitBuffer(n);
    scene.cast({ origins, directions, count: n, tMin: 0, tMax: 100 }, hits);
    let carHits = 0;
    for (let i = 0; i < n; i++) {
      const o = [0, 0, 1];
      const d = Array.from(directions.subarray(i * 3, i * 3 + 3));
      const onCar = bruteForce(world, o, d, 0, 100);
      const onGround = bruteForce(g.positions, o, d, 0, 100);
      if (onCar.t < onGround.t) {
        carHits++;
        expect(hits.instanceId[i]).toBe(5);
        expect(hits.triangleId[i]).toBe(onCar.tri);
        expect(hits.distance[i]).toBeCloseTo(onCar.t, 4);
        expect(hits.classId[i]).toBe(26);
      } else if (onGround.tri >= 0) {
        expect(hits.instanceId[i]).toBe(0);
        expect(hits.distance[i]).toBeCloseTo(onGround.t, 4);
      } else {
        expect(hits.instanceId[i]).toBe(MISS);
      }
    }
    expect(carHits).toBeGreaterThan(50);

    // Moved away, the same rays miss the car.
    scene.setInstances([{ model: car, instanceId: 5, position: [-30, -30, 0], quaternion: [0, 0, 0, 1] }]);
    scene.cast({ origins, directions, count: n, tMin: 0, tMax: 100 }, hits);
    for (let i = 0; i < n; i++) expect(hits.instanceId[i]).not.toBe(5);
  });

  it('reports a normal facing the ray and skips the ignored instance', () => {
    const model = new MeshBuilder();
    model.box([0, 0, 1], [2, 2, 2], 0, 26);
    const s = model.soup();
    const scene = new RaycastScene(buildMeshBvh(new Float32Array(0), new Uint8Array(0)));
    const m = scene.addModel(buildMeshBvh(s.positions, s.classes));
    scene.setInstances([{ model: m, instanceId: 1, position: [5, 0, 0], quaternion: [0, 0, 0, 1] }]);
    const rays = { origins: new Float32Array([0, 0, 1]), directions: new Float32Array([1, 0, 0]), count: 1, tMin: 0, tMax: 50 };
    const hits = createHitBuffer(1);
    scene.cast(rays, hits);
    expect(hits.distance[0]).toBeCloseTo(4, 6);
    expect(Array.from(hits.normal)).toEqual([-1, 0, 0]);
    scene.cast(rays, hits, { ignoreInstanceId: 1 });
    expect(hits.distance[0]).toBe(Infinity);
  });
});
