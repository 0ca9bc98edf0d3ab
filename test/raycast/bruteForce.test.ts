import { describe, expect, it } from 'vitest';
import { Random } from '../../src/core/Random.js';
import { buildMeshBvh } from '../../src/raycast/MeshBvh.js';
import { createHitBuffer, MISS, RaycastScene, type Instance } from '../../src/raycast/RaycastScene.js';
import { MATERIALS } from '../../src/core/materials.js';
import { bruteForce, placeSoup, quaternion, randomRays, randomSoup, scrambledMaterials } from './reference.js';

/** 905 nm reflectivity by material id, from the materials list (float32, as the kernel keeps it). */
const nirOf = new Map<number, number>(MATERIALS.map((m) => [m.id, Math.fround(m.nir)]));

/**
 * Random two-level scenes against brute force over every triangle of the static soup and of
 * every placed instance: same distance (1e-5 m), same instance, same triangle, and the class,
 * material and reflectivity of the triangle the mesh was built with.
 */
describe('RaycastScene against brute force', () => {
  for (const seed of [1, 2, 3]) {
    it(`random static soup, models and rotated instances (seed ${seed})`, () => {
      const random = new Random(seed);
      const staticSoup = randomSoup(random, 1500 + seed * 500, 25, 3);
      const staticMaterials = scrambledMaterials(staticSoup.classes.length, seed);
      const scene = new RaycastScene(buildMeshBvh(staticSoup.positions, staticSoup.classes, staticMaterials));
      const models = [randomSoup(random, 40, 1.5, 1), randomSoup(random, 5, 0.5, 1), randomSoup(random, 200, 3, 1.5)];
      const modelMaterials = models.map((m, i) => scrambledMaterials(m.classes.length, seed * 10 + i + 1));
      models.forEach((m, i) => scene.addModel(buildMeshBvh(m.positions, m.classes, modelMaterials[i])));
      const instances: Instance[] = [];
      for (let i = 0; i < 60; i++) {
        instances.push({
          model: i % models.length,
          instanceId: 100 + i,
          position: [random.uniform(-25, 25), random.uniform(-25, 25), random.uniform(-25, 25)],
          quaternion: quaternion(random.uniform(-3, 3), random.uniform(-1.5, 1.5), random.uniform(-3, 3)),
        });
      }
      scene.setInstances(instances);
      const placed = instances.map((inst) => placeSoup(models[inst.model].positions, inst.position, inst.quaternion));

      const n = 500;
      const rays = { ...randomRays(random, n, 30), count: n, tMin: 0.01, tMax: 70 };
      const hits = createHitBuffer(n);
      scene.cast(rays, hits);
      let staticHits = 0, instanceHits = 0;
      for (let r = 0; r < n; r++) {
        const o = Array.from(rays.origins.subarray(r * 3, r * 3 + 3));
        const d = Array.from(rays.directions.subarray(r * 3, r * 3 + 3));
        let ref = { ...bruteForce(staticSoup.positions, o, d, rays.tMin, rays.tMax), instance: 0, cls: 0, material: 0 };
        if (ref.tri >= 0) {
          ref.cls = staticSoup.classes[ref.tri];
          ref.material = staticMaterials[ref.tri];
        }
        placed.forEach((world, i) => {
          const h = bruteForce(world, o, d, rays.tMin, rays.tMax);
          const model = instances[i].model;
          if (h.tri >= 0 && h.t < ref.t) ref = { ...h, instance: instances[i].instanceId, cls: models[model].classes[h.tri], material: modelMaterials[model][h.tri] };
        });
        if (ref.tri < 0) {
          expect(hits.distance[r]).toBe(Infinity);
          expect(hits.instanceId[r]).toBe(MISS);
          expect(hits.triangleId[r]).toBe(MISS);
          expect(hits.materialId[r]).toBe(0);
          expect(hits.reflectivity[r]).toBe(0);
          continue;
        }
        if (ref.instance === 0) staticHits++;
        else instanceHits++;
        expect(Math.abs(hits.distance[r] - ref.t)).toBeLessThan(1e-5);
        expect(hits.instanceId[r]).toBe(ref.instance);
        expect(hits.triangleId[r]).toBe(ref.tri);
        expect(hits.classId[r]).toBe(ref.cls);
        expect(hits.materialId[r]).toBe(ref.material);
        expect(hits.reflectivity[r]).toBe(nirOf.get(ref.material));
        const nx = hits.normal[r * 3], ny = hits.normal[r * 3 + 1], nz = hits.normal[r * 3 + 2];
        expect(Math.hypot(nx, ny, nz)).toBeCloseTo(1, 5);
        expect(nx * d[0] + ny * d[1] + nz * d[2]).toBeLessThanOrEqual(0);
      }
      expect(staticHits).toBeGreaterThan(50);
      expect(instanceHits).toBeGreaterThan(20);
    });
  }

  it('a large flat triangle far from the origin still gives distances to 1e-5 m', () => {
    const positions = new Float32Array([-900, -900, 0, 900, -900, 0.5, -900, 900, 1.5, 400, 400, 2, 420, 400, 2.5, 400, 420, 3]);
    const scene = new RaycastScene(buildMeshBvh(positions, new Uint8Array([7, 8])));
    const random = new Random(11);
    const n = 200;
    const origins = new Float32Array(n * 3), directions = new Float32Array(n * 3);
    for (let r = 0; r < n; r++) {
      origins.set([random.uniform(-500, 500), random.uniform(-500, 500), 20], r * 3);
      const a = random.uniform(0, 2 * Math.PI), e = random.uniform(-1.5, -0.05);
      directions.set([Math.cos(e) * Math.cos(a), Math.cos(e) * Math.sin(a), Math.sin(e)], r * 3);
    }
    const hits = createHitBuffer(n);
    scene.cast({ origins, directions, count: n, tMin: 0, tMax: 1000 }, hits);
    for (let r = 0; r < n; r++) {
      const ref = bruteForce(positions, Array.from(origins.subarray(r * 3, r * 3 + 3)), Array.from(directions.subarray(r * 3, r * 3 + 3)), 0, 1000);
      if (ref.tri < 0) expect(hits.distance[r]).toBe(Infinity);
      else {
        expect(Math.abs(hits.distance[r] - ref.t)).toBeLessThan(1e-5);
        expect(hits.triangleId[r]).toBe(ref.tri);
      }
    }
  });

  it('degenerate soups: 800 triangles around one centroid, and 800 stacked at one x, y', () => {
    const random = new Random(21);
    const fan = new Float32Array(800 * 9);
    const stack = new Float32Array(800 * 9);
    for (let i = 0; i < 800; i++) {
      // Triangles spun about the origin keep their centroid there: no SAH split separates them.
      const q = quaternion(random.uniform(-3, 3), random.uniform(-1.5, 1.5), random.uniform(-3, 3));
      const corners = [[2, 0, 0], [-1, 1.7, 0], [-1, -1.7, 0]];
      fan.set(placeSoup(new Float32Array(corners.flat()), [0, 0, 0], q), i * 9);
      const z = i * 0.01;
      stack.set([-1, -1, z, 1, -1, z, 0, 1.5, z], i * 9);
    }
    for (const positions of [fan, stack]) {
      const scene = new RaycastScene(buildMeshBvh(positions, new Uint8Array(800).fill(3)));
      const n = 300;
      // From anywhere around, towards a point near the soup, so most rays hit it.
      const origins = new Float32Array(n * 3), directions = new Float32Array(n * 3);
      for (let r = 0; r < n; r++) {
        const o = [random.uniform(-6, 6), random.uniform(-6, 6), random.uniform(-6, 14)];
        const to = [random.uniform(-0.8, 0.8), random.uniform(-0.8, 0.8), random.uniform(0, 8)];
        const len = Math.hypot(to[0] - o[0], to[1] - o[1], to[2] - o[2]);
        origins.set(o, r * 3);
        directions.set([(to[0] - o[0]) / len, (to[1] - o[1]) / len, (to[2] - o[2]) / len], r * 3);
      }
      const rays = { origins, directions, count: n, tMin: 0, tMax: 50 };
      const hits = createHitBuffer(n);
      scene.cast(rays, hits);
      let hit = 0;
      for (let r = 0; r < n; r++) {
        const o = Array.from(rays.origins.subarray(r * 3, r * 3 + 3));
        const d = Array.from(rays.directions.subarray(r * 3, r * 3 + 3));
        const ref = bruteForce(positions, o, d, rays.tMin, rays.tMax);
        if (ref.tri < 0) {
          expect(hits.distance[r]).toBe(Infinity);
          continue;
        }
        hit++;
        // Many triangles may share the closest distance here, so the distance is what is compared.
        expect(Math.abs(hits.distance[r] - ref.t)).toBeLessThan(1e-5);
        const mine = bruteForce(positions.subarray(hits.triangleId[r] * 9, hits.triangleId[r] * 9 + 9), o, d, rays.tMin, rays.tMax);
        expect(Math.abs(mine.t - ref.t)).toBeLessThan(1e-5);
      }
      expect(hit).toBeGreaterThan(100);
    }
  });
});
