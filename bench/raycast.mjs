// raycast section of `npm run bench`: a generated town (~230k triangles: tessellated ground and
// streets, 400 buildings, 200 cars as instances of one model) and a 64 x 2048 LiDAR pattern from
// a car in a street, timed in one run for (a) three-mesh-bvh `raycastFirst` per ray (the cars
// baked into its one geometry), (b) roadcast's RaycastScene.cast on this thread, (c) roadcast's
// RaycastPool: this thread and one worker per other core. Medians of several rounds, (b) and (c)
// interleaved, because the machines are shared and noisy. Also: the top-level rebuild for
// hundreds of actors.
import { availableParallelism } from 'node:os';
import { BufferAttribute, BufferGeometry, DoubleSide, Ray } from 'three';
import { MeshBVH } from 'three-mesh-bvh';
import { buildMeshBvh } from '../dist/raycast/MeshBvh.js';
import { RaycastPool } from '../dist/raycast/RaycastPool.js';
import { createHitBuffer, RaycastScene } from '../dist/raycast/RaycastScene.js';
import { Random } from '../dist/core/Random.js';
import { carModel, lidarPattern, townScene } from './townScene.mjs';

const ROUNDS = Number(process.env.RAYCAST_BENCH_ROUNDS ?? 5);
/** Casts of the whole pattern per timed sample (one cast is only a few milliseconds). */
const REPEATS = 4;

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** The car model's triangles placed at every car (float32, as three-mesh-bvh stores them). */
function bakedTown(staticSoup, car, cars) {
  const all = new Float32Array(staticSoup.positions.length + car.positions.length * cars.length);
  all.set(staticSoup.positions);
  let o = staticSoup.positions.length;
  for (const c of cars) {
    const [x, y, z, w] = c.quaternion;
    const r = [1 - 2 * (y * y + z * z), 2 * (x * y - z * w), 2 * (x * z + y * w), 2 * (x * y + z * w), 1 - 2 * (x * x + z * z), 2 * (y * z - x * w), 2 * (x * z - y * w), 2 * (y * z + x * w), 1 - 2 * (x * x + y * y)];
    for (let i = 0; i < car.positions.length; i += 3) {
      const px = car.positions[i], py = car.positions[i + 1], pz = car.positions[i + 2];
      for (let row = 0; row < 3; row++) all[o++] = r[row * 3] * px + r[row * 3 + 1] * py + r[row * 3 + 2] * pz + c.position[row];
    }
  }
  return all;
}

export async function benchRaycast() {
  const { mesh, cars, buildings } = townScene(1);
  const staticSoup = mesh.soup();
  const car = carModel().soup();
  const triangles = staticSoup.classes.length + car.classes.length * cars.length;

  let t0 = performance.now();
  const scene = new RaycastScene(buildMeshBvh(staticSoup.positions, staticSoup.classes, staticSoup.materials));
  const carIndex = scene.addModel(buildMeshBvh(car.positions, car.classes, car.materials));
  const buildMs = performance.now() - t0;
  const instances = cars.map((c) => ({ ...c, model: carIndex }));
  scene.setInstances(instances);

  const geometry = new BufferGeometry();
  geometry.setAttribute('position', new BufferAttribute(bakedTown(staticSoup, car, cars), 3));
  t0 = performance.now();
  const tmb = new MeshBVH(geometry);
  const tmbBuildMs = performance.now() - t0;

  const rays = lidarPattern(64, 2048);
  const n = rays.count;
  const ray = new Ray();
  const tmbDistance = new Float32Array(n);
  const runTmb = () => {
    for (let i = 0; i < n; i++) {
      ray.origin.fromArray(rays.origins, i * 3);
      ray.direction.fromArray(rays.directions, i * 3);
      const hit = tmb.raycastFirst(ray, DoubleSide, rays.tMin, rays.tMax);
      tmbDistance[i] = hit ? hit.distance : Infinity;
    }
  };
  const single = createHitBuffer(n);
  const pooled = createHitBuffer(n);
  const threads = availableParallelism();
  const pool = await RaycastPool.create(scene, { workers: threads - 1 });
  const rates = { tmb: [], single: [], pool: [] };
  const time = (fn, repeats) => {
    const start = performance.now();
    for (let k = 0; k < repeats; k++) fn();
    return (repeats * n) / ((performance.now() - start) / 1000) / 1e6;
  };
  try {
    // roadcast's one-thread and pool rounds interleaved, each after a warm-up; three-mesh-bvh
    // last: its rounds leave a heap of per-ray garbage whose collection, on V8's background
    // threads, took the pool's second core for the rounds after it.
    scene.cast(rays, single);
    pool.cast(rays, pooled);
    for (let round = 0; round < ROUNDS; round++) {
      rates.single.push(time(() => scene.cast(rays, single), REPEATS));
      rates.pool.push(time(() => pool.cast(rays, pooled), REPEATS));
    }
    runTmb();
    for (let round = 0; round < ROUNDS; round++) rates.tmb.push(time(runTmb, 1));
  } finally {
    await pool.close();
  }

  // The three agree: pool identical to single; three-mesh-bvh within float32 rounding.
  let identical = true;
  for (const key of Object.keys(single)) {
    const a = single[key], b = pooled[key];
    for (let i = 0; i < a.length; i++) if (a[i] !== b[i] && !(Number.isNaN(a[i]) && Number.isNaN(b[i]))) identical = false;
  }
  let disagree = 0, hitCount = 0;
  for (let i = 0; i < n; i++) {
    if (single.distance[i] < Infinity) hitCount++;
    const a = single.distance[i], b = tmbDistance[i];
    if (a === Infinity || b === Infinity ? a !== b : Math.abs(a - b) > 1e-3) disagree++;
  }

  // Top-level rebuild: 200 and 1000 actors moving every tick.
  const random = new Random(3);
  const rebuildUs = {};
  for (const actors of [200, 1000]) {
    const ticks = Array.from({ length: 20 }, () => Array.from({ length: actors }, (_, i) => ({
      model: carIndex, instanceId: i + 1,
      position: [random.uniform(-400, 400), random.uniform(-400, 400), 0],
      quaternion: [0, 0, Math.sin(random.uniform(-1.6, 1.6)), Math.cos(random.uniform(-1.6, 1.6))],
    })));
    const samples = [];
    for (let rep = 0; rep < 5; rep++) {
      for (const tick of ticks) {
        const start = performance.now();
        scene.setInstances(tick);
        samples.push((performance.now() - start) * 1000);
      }
    }
    rebuildUs[actors] = median(samples);
  }
  scene.setInstances(instances);

  const scaling = rates.pool.map((p, i) => p / rates.single[i]);
  return {
    triangles, buildings, cars: cars.length, rays: n, threads, rounds: ROUNDS,
    three_mesh_bvh_mrays: median(rates.tmb),
    single_mrays: median(rates.single),
    pool_mrays: median(rates.pool),
    speedup_vs_three_mesh_bvh: median(rates.single) / median(rates.tmb),
    pool_scaling: median(scaling),
    rounds_mrays: rates,
    hit_fraction: hitCount / n,
    pool_identical_to_single: identical,
    rays_disagreeing_with_three_mesh_bvh: disagree,
    build_ms: buildMs,
    three_mesh_bvh_build_ms: tmbBuildMs,
    top_level_rebuild_us: { actors_200: rebuildUs[200], actors_1000: rebuildUs[1000] },
  };
}

export function printRaycast(r) {
  const f = (x) => x.toFixed(2);
  console.log(`raycast: town of ${r.triangles} triangles (${r.buildings} buildings, ${r.cars} car instances), ${r.rays} LiDAR rays (64 x 2048), median of ${r.rounds} rounds`);
  console.log(`  (a) three-mesh-bvh raycastFirst   ${f(r.three_mesh_bvh_mrays)} M rays/s   (build ${r.three_mesh_bvh_build_ms.toFixed(0)} ms)`);
  console.log(`  (b) roadcast, one thread          ${f(r.single_mrays)} M rays/s   (build ${r.build_ms.toFixed(0)} ms)   b/a ${f(r.speedup_vs_three_mesh_bvh)}x`);
  console.log(`  (c) roadcast pool, ${r.threads} threads      ${f(r.pool_mrays)} M rays/s   c/b ${f(r.pool_scaling)}x`);
  console.log(`  per round  a: ${r.rounds_mrays.tmb.map(f).join(' ')}   b: ${r.rounds_mrays.single.map(f).join(' ')}   c: ${r.rounds_mrays.pool.map(f).join(' ')}`);
  console.log(`  top-level rebuild: ${r.top_level_rebuild_us.actors_200.toFixed(0)} us for 200 actors, ${r.top_level_rebuild_us.actors_1000.toFixed(0)} us for 1000`);
  console.log(`  checks: pool identical to one thread: ${r.pool_identical_to_single}; rays disagreeing with three-mesh-bvh (> 1 mm): ${r.rays_disagreeing_with_three_mesh_bvh} of ${r.rays}; ${(100 * r.hit_fraction).toFixed(1)}% of rays hit`);
}
