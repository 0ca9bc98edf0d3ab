// camera section of `npm run bench`: the camera alone (RGB with shadows, depth, semantic,
// instance, boxes) on the bundled town, drawn and shaded in tiles on a RaycastPool over every
// core against the same camera on one thread, alternated in the same run (best of three each):
// 640 x 360 and 1600 x 900. Each camera is built and warmed once, as a run keeps its cameras.
// The sensors section prints the same lines among its others. Beside them, the machine's own
// ceiling for any pool: the one-thread camera in as many processes as there are threads at
// once, against one process alone (nothing shared between them but the machine: its caches,
// memory bandwidth and the host's scheduling).
import { spawn } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { RaycastPool } from '../dist/index.js';
import { benchCamera, steadyCameras, townWithActors } from './sensors.mjs';

const SELF = fileURLToPath(import.meta.url);

/** The one-thread camera's frames per second over `ms`, in a process of its own (`--alone ms`). */
function aloneRate(ms) {
  const { world, ego } = townWithActors(50);
  return steadyCameras(world, ego, undefined, { small: benchCamera() })('small', false, ms);
}

/** Frames per second of `count` processes running the one-thread camera at once. */
function processesAtOnce(count, ms) {
  return Promise.all(Array.from({ length: count }, () => new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [SELF, '--alone', String(ms)], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.on('exit', (code) => (code === 0 ? resolve(Number(out)) : reject(new Error(`camera bench: a process alone exited with ${code}`))));
  })));
}

/** The sum of `threads` processes' rates at once over one process's alone, best of two alternations. */
async function machineCeiling(threads) {
  let best = 0;
  for (let k = 0; k < 2; k++) {
    const [one] = await processesAtOnce(1, 4000);
    const many = await processesAtOnce(threads, 4000);
    best = Math.max(best, many.reduce((a, b) => a + b, 0) / one);
  }
  return best;
}

export async function benchCameraPool() {
  const { world, ego } = townWithActors(50);
  const threads = availableParallelism();
  const pool = await RaycastPool.create(world.scene, { workers: threads - 1 });
  const small = benchCamera(), big = benchCamera({ width: 1600, height: 900 });
  const fps = steadyCameras(world, ego, pool, { small, big });
  const rounds = [];
  for (let k = 0; k < 3; k++) {
    rounds.push({ one: fps('small', false, 1500), pool: fps('small', true, 1500), oneBig: fps('big', false, 2500), poolBig: fps('big', true, 2500) });
  }
  fps.dispose();
  world.scene.usePool(undefined);
  await pool.close();
  const best = (key) => Math.max(...rounds.map((r) => r[key]));
  return {
    threads,
    machine_ceiling_vs_one_thread: await machineCeiling(threads),
    camera_one_thread_fps: best('one'), camera_pool_fps: best('pool'), camera_pool_vs_one_thread: best('pool') / best('one'),
    camera_1600_one_thread_fps: best('oneBig'), camera_1600_pool_fps: best('poolBig'), camera_1600_pool_vs_one_thread: best('poolBig') / best('oneBig'),
  };
}

export function printCameraPool(r) {
  console.log(`camera: tiles on a pool of ${r.threads} threads against one thread (bundled town, shadows, every output)`);
  console.log(`  640x360    ${r.camera_pool_fps.toFixed(1)} frames/s vs ${r.camera_one_thread_fps.toFixed(1)}   (${r.camera_pool_vs_one_thread.toFixed(2)}x)`);
  console.log(`  1600x900   ${r.camera_1600_pool_fps.toFixed(2)} frames/s vs ${r.camera_1600_one_thread_fps.toFixed(2)}   (${r.camera_1600_pool_vs_one_thread.toFixed(2)}x)`);
  console.log(`  ceiling    ${r.threads} one-thread processes at once give ${r.machine_ceiling_vs_one_thread.toFixed(2)}x one alone (what no pool on this machine can pass)`);
}

if (process.argv[1] === SELF && process.argv[2] === '--alone') process.stdout.write(String(aloneRate(Number(process.argv[3]))));
else if (process.argv[1] === SELF) printCameraPool(await benchCameraPool());
