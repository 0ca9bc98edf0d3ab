// rigs section of `npm run bench`: whole rigs against the wall clock.
// - The nuScenes-like rig (sensors/nuscenes.yaml: six 1600 x 900 cameras at 12 Hz, a 32-beam
//   LiDAR at 20 Hz, five radars at 13 Hz) on the bundled town with its actors: simulated
//   seconds per wall second on one thread and with the casts on a pool over every core, beside
//   the full.yaml rig plus a 640 x 360 camera measured the same way in the same run.
// - A `--realtime` run of full.yaml (plus its camera) streamed to a WebSocket client for 20 s
//   of simulated time: frames received per topic against the rig's rates, and the lag of the
//   last frames behind the wall clock (a run that keeps up holds it flat).
import { spawn } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import WebSocket from 'ws';
import { decodeFrame, loadRig, mountSensors, RaycastPool, SensorPipeline } from '../dist/index.js';
import { stateAt, townWithActors } from './sensors.mjs';

const ROOT = join(fileURLToPath(import.meta.url), '..', '..');

/**
 * Simulated seconds per wall second of `rig` stepping 10 ms at a time over `seconds` of the
 * town with its actors moving (stateAt), its sensors mounted once as a run mounts them: a warm-up period (lens tables, chunk
 * bounds), then the timed one, time running on. `gpu`: the cameras rasterise on it, as a run on
 * `--backend gpu` does (the scene's ranging casts are the caller's to send there).
 */
export function rigRate(town, rig, seconds, gpu) {
  const { world, state } = town;
  const steps = Math.round(seconds / 0.01);
  const mounted = mountSensors(rig, state.actors, 1);
  if (gpu) for (const sensor of mounted) sensor.useGpu?.(gpu);
  // As a run steps its sensors: a camera's tiles drawn on the pool while the rest goes on.
  const pipeline = new SensorPipeline(mounted);
  let tick = 0;
  const run = () => {
    for (let k = 0; k < steps; k++, tick++) {
      const from = stateAt(state, tick), to = stateAt(state, tick + 1);
      let middle;
      pipeline.step({ world, from, to, middle: () => (middle ??= stateAt(state, tick + 0.5)) });
      pipeline.ready();
    }
    pipeline.settle();
    pipeline.ready();
  };
  run();
  const start = performance.now();
  run();
  const rate = seconds / ((performance.now() - start) / 1000);
  for (const sensor of mounted) sensor.dispose?.();
  return rate;
}

/** Both rigs on one thread, then with the scene's casts on a pool, as `roadcast run` does. */
async function benchRigs() {
  const town = townWithActors(50);
  const file = (name) => join(ROOT, 'sensors', name);
  const nuscenes = { file: file('nuscenes.yaml'), sensors: loadRig(file('nuscenes.yaml')).sensors };
  // 0.25 s: each camera fires 3 times (0, 83, 167 ms), the LiDAR 5, each radar 4.
  const full = { file: file('full.yaml'), sensors: loadRig(file('full.yaml')).sensors };
  const one = { nuscenes: rigRate(town, nuscenes, 0.25), full: rigRate(town, full, 0.5) };
  const threads = availableParallelism();
  const pool = await RaycastPool.create(town.world.scene, { workers: threads - 1 });
  town.world.scene.usePool(pool);
  const pooled = { nuscenes: rigRate(town, nuscenes, 0.25), full: rigRate(town, full, 0.5) };
  town.world.scene.usePool(undefined);
  await pool.close();
  return { threads, one, pooled };
}

/**
 * `roadcast run scenarios/default.yaml --rig sensors/full.yaml --serve --realtime` for `seconds`
 * simulated seconds, a client counting what reaches it. Frames before 1 s are left out (the
 * client connects after the server starts); expected counts are each topic's rate over the rest.
 */
async function benchRealtime(seconds = 20) {
  const child = spawn(process.execPath, [join(ROOT, 'dist', 'cli', 'main.js'), 'run', join(ROOT, 'scenarios', 'default.yaml'),
    '--rig', join(ROOT, 'sensors', 'full.yaml'), '--serve', '--realtime', '--port', '0', '--no-record', '--duration', String(seconds)], { cwd: ROOT });
  let out = '';
  child.stdout.setEncoding('utf8');
  child.stdout.on('data', (chunk) => (out += chunk));
  child.stderr.on('data', (chunk) => (out += chunk));
  const url = await new Promise((resolve, reject) => {
    child.stdout.on('data', () => { const m = /(ws:\/\/127\.0\.0\.1:\d+)/.exec(out); if (m) resolve(m[1]); });
    child.once('exit', (code) => reject(new Error(`roadcast run exited ${code} before serving: ${out}`)));
  });
  const counts = {};
  const lags = [];
  let offset;
  await new Promise((resolve) => {
    const ws = new WebSocket(url);
    ws.on('message', (data, binary) => {
      if (!binary) return;
      const frame = decodeFrame(new Uint8Array(data));
      const now = Number(process.hrtime.bigint());
      // Lag: arrival against the wall time the frame's simulated time should have had.
      offset ??= now - frame.t_ns;
      lags.push({ t: frame.t_ns / 1e9, lag: (now - frame.t_ns - offset) / 1e9 });
      if (frame.t_ns >= 1e9) counts[frame.topic] = (counts[frame.topic] ?? 0) + 1;
    });
    ws.on('close', resolve);
    ws.on('error', resolve);
    child.once('exit', () => setTimeout(() => ws.close(), 200));
  });
  const rates = Object.fromEntries(loadRig(join(ROOT, 'sensors', 'full.yaml')).sensors.map((s) => [s.name, s.rateHz]));
  // The run ends at the duration or where the scenario's storyboard ends it, whichever is first:
  // a sensor of rate f fires at 1, 1 + 1/f, ... up to the last frame's time.
  const end = lags.length ? lags[lags.length - 1].t : seconds;
  const topics = Object.fromEntries(Object.entries(counts).map(([topic, n]) => {
    const rate = rates[topic.split('/').pop()];
    return [topic, { received: n, expected: rate ? Math.floor(rate * (end - 1) + 1e-6) + 1 : undefined }];
  }));
  // The lag of the frames of each 5 s of simulated time: flat when the run keeps up.
  const windows = [];
  for (let from = 0; from < seconds; from += 5) {
    const inWindow = lags.filter((l) => l.t >= from && l.t < from + 5);
    if (inWindow.length) windows.push({ from, to: from + 5, max_lag_s: Math.max(...inWindow.map((l) => l.lag)) });
  }
  return { seconds, topics, last_t: lags.length ? lags[lags.length - 1].t : 0, lag_windows: windows };
}

export async function benchRigsSection() {
  return { rigs: await benchRigs(), realtime: await benchRealtime() };
}

export function printRigs({ rigs, realtime }) {
  const { threads, one, pooled } = rigs;
  console.log('rigs: simulated seconds per wall second on the town (50 actors), one thread, then a pool');
  console.log(`  full.yaml (64-beam LiDAR, 640x360 camera, 3 radars, IMU, GNSS)   ${one.full.toFixed(2)}   ${pooled.full.toFixed(2)} on ${threads} threads (${(pooled.full / one.full).toFixed(2)}x)`);
  console.log(`  nuScenes-like (6 x 1600x900 at 12 Hz, 32-beam at 20 Hz, 5 radars) ${one.nuscenes.toFixed(3)}   ${pooled.nuscenes.toFixed(3)} on ${threads} threads (${(pooled.nuscenes / one.nuscenes).toFixed(2)}x)`);
  console.log(`realtime: run --realtime --serve of full.yaml for up to ${realtime.seconds} s (the default scenario may end sooner), frames a client received after 1 s (expected from the rates up to the last frame)`);
  for (const [topic, { received, expected }] of Object.entries(realtime.topics)) console.log(`  ${topic.padEnd(28)} ${String(received).padStart(5)}${expected !== undefined ? ` of ${expected}` : ''}`);
  const lag = realtime.lag_windows.map((w) => `${w.from}-${w.to} s: ${w.max_lag_s.toFixed(2)} s`).join(', ');
  console.log(`  last frame received at ${realtime.last_t.toFixed(2)} s; lag behind the wall clock, most in each 5 s: ${lag}`);
}
