// camera section of `npm run bench`: the camera alone (RGB with shadows, depth, semantic,
// instance, boxes) on the bundled town, drawn and shaded in tiles on a RaycastPool over every
// core against the same camera on one thread, alternated in the same run (best of three each):
// 640 x 360 and 1600 x 900. Each camera is built and warmed once, as a run keeps its cameras. The sensors section prints the same lines among its others.
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { RaycastPool } from '../dist/index.js';
import { benchCamera, steadyCameras, townWithActors } from './sensors.mjs';

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
    camera_one_thread_fps: best('one'), camera_pool_fps: best('pool'), camera_pool_vs_one_thread: best('pool') / best('one'),
    camera_1600_one_thread_fps: best('oneBig'), camera_1600_pool_fps: best('poolBig'), camera_1600_pool_vs_one_thread: best('poolBig') / best('oneBig'),
  };
}

export function printCameraPool(r) {
  console.log(`camera: tiles on a pool of ${r.threads} threads against one thread (bundled town, shadows, every output)`);
  console.log(`  640x360    ${r.camera_pool_fps.toFixed(1)} frames/s vs ${r.camera_one_thread_fps.toFixed(1)}   (${r.camera_pool_vs_one_thread.toFixed(2)}x)`);
  console.log(`  1600x900   ${r.camera_1600_pool_fps.toFixed(2)} frames/s vs ${r.camera_1600_one_thread_fps.toFixed(2)}   (${r.camera_1600_pool_vs_one_thread.toFixed(2)}x)`);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) printCameraPool(await benchCameraPool());
