// gpu section of `npm run bench`: a 64 x 2048 LiDAR pattern from the ego's roof on the bundled
// town (maps/town.xodr with its dressing and ~50 actors, as the sensors section builds it)
// cast by the GPU backend (WebGPU, GpuRaycaster:
// upload of the rays, dispatch and read-back, as a sensor's cast pays them) and by the WASM
// kernel on a RaycastPool of every core (what `--backend cpu` uses), in the same run, medians of
// interleaved rounds, printed as a ratio. The GPU's hits are checked against the CPU's.
//
// A software (fallback) adapter such as SwiftShader is refused: its rays/s says nothing of a
// GPU. `--allow-software` runs it anyway, once, labelled software, to check the section runs.
// On a machine without a GPU, the software adapter needs LD_LIBRARY_PATH=/usr/lib/chromium
// VK_ICD_FILENAMES=/usr/lib/chromium/vk_swiftshader_icd.json set before node starts.
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Camera, loadRig } from '../dist/index.js';
import { RaycastPool } from '../dist/raycast/RaycastPool.js';
import { createHitBuffer } from '../dist/raycast/RaycastScene.js';
import { GpuRaycaster } from '../dist/raycast/gpu/GpuRaycaster.js';
import { rigRate } from './rigs.mjs';
import { benchCamera, townWithActors } from './sensors.mjs';
import { lidarPattern } from './townScene.mjs';

const ROUNDS = Number(process.env.GPU_BENCH_ROUNDS ?? 5);
/** Casts of the whole pattern per timed sample. */
const REPEATS = 4;

/** Ends the bench with one line and status 1: no adapter, or only a software one without --allow-software. */
function refuse(message) {
  console.error(`roadcast bench: gpu: ${message}`);
  process.exit(1);
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const ROOT = join(fileURLToPath(import.meta.url), '..', '..');

/**
 * The camera alone (shadows, every output), frames per second with its tiles on the pool: drawn
 * by the CPU's rasteriser, and drawn on the GPU (Camera.useGpu; shaded on the pool), in
 * alternation, best of the rounds; 640 x 360 and 1600 x 900 (a software adapter: the first, once).
 */
function benchCamerasOnGpu(town, gpu, pool, software, rounds) {
  const { world, ego } = town;
  world.scene.usePool(pool);
  const fps = (config, onGpu) => {
    const camera = new Camera(config);
    if (onGpu) camera.useGpu(gpu);
    camera.capture(world, ego, 0);
    const runs = software ? 1 : 4, start = performance.now();
    for (let k = 1; k <= runs; k++) camera.capture(world, ego, k * camera.schedule.periodNs);
    const rate = runs / ((performance.now() - start) / 1000);
    camera.dispose();
    return rate;
  };
  const sizes = software ? { '640x360': benchCamera() } : { '640x360': benchCamera(), '1600x900': benchCamera({ width: 1600, height: 900 }) };
  const out = {};
  for (const [name, config] of Object.entries(sizes)) {
    let cpu = 0, onGpu = 0;
    for (let r = 0; r < (software ? 1 : rounds); r++) {
      cpu = Math.max(cpu, fps(config, false));
      onGpu = Math.max(onGpu, fps(config, true));
    }
    out[name] = { cpu_pool_fps: cpu, gpu_fps: onGpu, gpu_over_cpu: onGpu / cpu };
  }
  return out;
}

/**
 * Whole rigs on the town, simulated seconds per wall second: on the CPU (the casts and the
 * cameras' tiles on a pool of every core, as `roadcast run` does) and on the GPU (LiDAR and
 * radar cast there, cameras rasterised there and shaded on the CPU's pool, as `--backend gpu`
 * does), in the same run. On a software adapter only the full rig, briefly: that it runs.
 */
async function benchRigsOnGpu(town, gpu, pool, software) {
  const rig = (name, extra = []) => ({ file: join(ROOT, 'sensors', name), sensors: [...loadRig(join(ROOT, 'sensors', name)).sensors, ...extra] });
  const full = rig('full.yaml', [{ ...benchCamera(), name: 'bench', parent: 'ego' }]);
  const nuscenes = rig('nuscenes.yaml');
  const scene = town.world.scene;
  const measure = (r, seconds) => {
    scene.usePool(pool);
    scene.useRangingCaster(undefined);
    const cpu = rigRate(town, r, seconds);
    scene.useRangingCaster(gpu);
    const onGpu = rigRate(town, r, seconds, gpu);
    scene.useRangingCaster(undefined);
    return { cpu_pool: cpu, gpu: onGpu, gpu_over_cpu: onGpu / cpu };
  };
  if (software) return { full_with_camera: measure(full, 0.1) };
  return { full_with_camera: measure(full, 1), nuscenes: measure(nuscenes, 0.5) };
}

export async function benchGpu() {
  const allowSoftware = process.argv.includes('--allow-software');
  const { world, state, ego } = townWithActors(50);
  const scene = world.scene;
  const triangles = scene.staticMesh.triangleCount;
  // The pattern's directions, from 1.9 m above the ego; the ego's own car is not seen.
  const rays = lidarPattern(64, 2048);
  const n = rays.count;
  for (let i = 0; i < n; i++) rays.origins.set([ego.pose.p[0], ego.pose.p[1], ego.pose.p[2] + 1.9], i * 3);
  const options = { ignoreInstanceId: ego.instanceId };

  let gpu;
  try {
    gpu = await GpuRaycaster.open(scene);
  } catch (error) {
    refuse(error.message);
  }
  const software = gpu.adapter.software;
  if (software && !allowSoftware) {
    gpu.close();
    refuse(`the only adapter is a software (fallback) one, ${gpu.adapter.name}: its rays/s would say nothing of a GPU. Run on a machine with a GPU, or pass --allow-software to check that the section runs (the figure is then labelled software)`);
  }
  const rounds = software ? 1 : ROUNDS;
  const repeats = software ? 1 : REPEATS;
  const threads = availableParallelism();
  const pool = await RaycastPool.create(scene, { workers: threads - 1 });
  const cpuHits = createHitBuffer(n);
  const gpuHits = createHitBuffer(n);
  const time = (fn, k) => {
    const start = performance.now();
    for (let r = 0; r < k; r++) fn();
    return (k * n) / ((performance.now() - start) / 1000) / 1e6;
  };
  const rates = { gpu: [], wasm: [] };
  let firstCastMs, rigs, cameras;
  try {
    // The first GPU cast uploads the meshes (and compiles the pipeline's first use): timed apart.
    const start = performance.now();
    gpu.cast(rays, gpuHits, options);
    firstCastMs = performance.now() - start;
    pool.cast(rays, cpuHits, options);
    for (let round = 0; round < rounds; round++) {
      rates.wasm.push(time(() => pool.cast(rays, cpuHits, options), repeats));
      rates.gpu.push(time(() => gpu.cast(rays, gpuHits, options), repeats));
    }
    cameras = benchCamerasOnGpu({ world, ego }, gpu, pool, software, 3);
    rigs = await benchRigsOnGpu({ world, state }, gpu, pool, software);
  } finally {
    await pool.close();
    gpu.close();
  }

  let hitMismatch = 0, idMismatch = 0, beyondMillimetre = 0, hits = 0;
  for (let i = 0; i < n; i++) {
    if (cpuHits.distance[i] !== Infinity) hits++;
    const a = cpuHits.distance[i], b = gpuHits.distance[i];
    if ((a === Infinity) !== (b === Infinity)) hitMismatch++;
    else if (cpuHits.instanceId[i] !== gpuHits.instanceId[i] || cpuHits.classId[i] !== gpuHits.classId[i]) idMismatch++;
    else if (a !== Infinity && Math.abs(a - b) > 1e-3) beyondMillimetre++;
  }
  return {
    adapter: gpu.adapter.name, software, triangles, actors: state.actors.length, rays: n, threads, rounds,
    gpu_mrays: median(rates.gpu),
    wasm_pool_mrays: median(rates.wasm),
    gpu_over_wasm: median(rates.gpu) / median(rates.wasm),
    first_cast_ms: firstCastMs,
    rounds_mrays: rates,
    hit_fraction: hits / n,
    rays_hit_miss_differing: hitMismatch,
    rays_class_or_instance_differing: idMismatch,
    rays_range_differing_over_1mm: beyondMillimetre,
    cameras,
    rigs,
  };
}

export function printGpu(r) {
  const f = (x) => x.toFixed(2);
  const label = r.software ? ' [SOFTWARE adapter: checks that it runs; not a GPU figure]' : '';
  console.log(`gpu: bundled town (${r.triangles} static triangles, ${r.actors} actors), ${r.rays} LiDAR rays (64 x 2048) from the ego's roof, median of ${r.rounds} rounds${label}`);
  console.log(`  adapter: ${r.adapter}${r.software ? ' (software)' : ''}`);
  console.log(`  (a) WASM kernel, pool of ${r.threads} threads   ${f(r.wasm_pool_mrays)} M rays/s`);
  console.log(`  (b) GPU (upload, dispatch, read-back)   ${f(r.gpu_mrays)} M rays/s   b/a ${f(r.gpu_over_wasm)}x   (first cast, with the mesh upload: ${r.first_cast_ms.toFixed(0)} ms)`);
  console.log(`  per round  a: ${r.rounds_mrays.wasm.map(f).join(' ')}   b: ${r.rounds_mrays.gpu.map(f).join(' ')}`);
  for (const [size, c] of Object.entries(r.cameras)) console.log(`  camera ${size} (shadows, every output) frames/s: CPU raster on the pool ${c.cpu_pool_fps.toFixed(2)}, GPU raster ${c.gpu_fps.toFixed(2)} (${c.gpu_over_cpu.toFixed(2)}x; shaded on the pool either way)`);
  const rig = (name, x) => x && console.log(`  ${name} simulated s per wall s: CPU pool ${x.cpu_pool.toFixed(3)}, GPU ${x.gpu.toFixed(3)} (${x.gpu_over_cpu.toFixed(2)}x)`);
  rig('full.yaml + a 640x360 camera:', r.rigs.full_with_camera);
  rig('nuScenes-like (6 x 1600x900 at 12 Hz, 32-beam LiDAR at 20 Hz, 5 radars):', r.rigs.nuscenes);
  console.log(`  checks against the CPU: ${r.rays_hit_miss_differing} rays hit on one and missed on the other, ${r.rays_class_or_instance_differing} with another class or instance, ${r.rays_range_differing_over_1mm} over 1 mm apart, of ${r.rays} (${(100 * r.hit_fraction).toFixed(1)}% hit; a ray that grazes a triangle's edge may rightly meet another triangle)`);
}
