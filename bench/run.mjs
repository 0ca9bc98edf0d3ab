// run section of `npm run bench`: the full rig as `roadcast run --record` runs it. The default
// scenario (the bundled town, its dressing and traffic) with sensors/full.yaml plus the
// benchmark camera (640 x 360, every output, 2D boxes), through runScenario into an MCAP
// recording, in simulated seconds per wall second, on one thread and on a raycast pool over
// every core. Beside it, in the same run: the same with the recorder in the run's own thread
// (McapRecorder, as before the recorder had a thread), and with no recording at all (the
// ceiling the recording can at best reach). Wall-clock rates on a shared machine swing with
// the other processes' load, so each way also reports its main thread's CPU seconds per
// simulated second (Linux: /proc), the run's critical path, which the load hardly moves.
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cameraConfig, loadRunInputs, McapRecorder, RecorderThread, recordingOptions, runScenario } from '../dist/index.js';

const ROOT = join(fileURLToPath(import.meta.url), '..', '..');
const DEG = Math.PI / 180;
/** Simulated seconds per measured run: ten frames of every 10 Hz sensor. */
const DURATION = 1;

const MAIN_THREAD_STAT = `/proc/self/task/${process.pid}/stat`;

/** CPU seconds this process's main thread has run (user + system), or NaN where /proc is not. */
function mainThreadCpu() {
  if (!existsSync(MAIN_THREAD_STAT)) return NaN;
  const fields = readFileSync(MAIN_THREAD_STAT, 'utf8').split(') ')[1].split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

async function simulatedPerWall(inputs, rig, threads, recorder) {
  const out = mkdtempSync(join(tmpdir(), 'roadcast-bench-run-'));
  try {
    const sink = recorder ? await recorder.open(join(out, 'run.mcap'), recordingOptions(inputs)) : undefined;
    const start = performance.now(), cpu = mainThreadCpu();
    const summary = await runScenario({ scenario: inputs.scenario, rig, seed: inputs.seed, duration: DURATION, sinks: sink ? [sink] : [], threads, models: inputs.models });
    await sink?.close();
    const seconds = summary.simulatedSeconds;
    return { rate: seconds / ((performance.now() - start) / 1000), mainCpu: (mainThreadCpu() - cpu) / seconds };
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}

export async function benchRun() {
  const inputs = await loadRunInputs(join(ROOT, 'scenarios', 'default.yaml'), { rig: join(ROOT, 'sensors', 'full.yaml'), duration: DURATION });
  const camera = cameraConfig({ name: 'bench', width: 640, height: 360, fov: 90 * DEG, mount: { x: 1.0, y: 0, z: 1.6, roll: 0, pitch: 0, yaw: 0 }, outputs: ['rgb', 'depth', 'semantic', 'instance'], boxes: true });
  const rig = { ...inputs.rig, sensors: [...inputs.rig.sensors, { ...camera, parent: 'ego' }] };
  const threads = availableParallelism();
  const ways = { thread: RecorderThread, inline: McapRecorder, none: undefined };
  const results = {};
  // Interleaved rounds, the best of each kept, against the shared machine's noise; the first
  // round also warms up (part meshes, lens tables).
  await simulatedPerWall(inputs, rig, 1, undefined);
  for (let round = 0; round < 3; round++) {
    for (const t of [1, threads]) {
      for (const [name, recorder] of Object.entries(ways)) {
        const key = `${name}_${t === 1 ? 'one_thread' : 'pool'}`;
        const { rate, mainCpu } = await simulatedPerWall(inputs, rig, t, recorder);
        results[key] = Math.max(results[key] ?? 0, rate);
        results[`${key}_main_cpu`] = Math.min(results[`${key}_main_cpu`] ?? Infinity, mainCpu);
      }
    }
  }
  return { threads, ...results };
}

export function printRun(r) {
  console.log(`run: default scenario, full.yaml + a 640x360 camera, recorded (simulated s per wall s; pool: ${r.threads} threads)`);
  for (const t of ['one_thread', 'pool']) {
    const label = t === 'one_thread' ? 'one thread' : `pool of ${r.threads}`;
    console.log(`  ${label.padEnd(12)} recorder on its own thread ${r[`thread_${t}`].toFixed(3)}   in the run's thread ${r[`inline_${t}`].toFixed(3)}   (${(r[`thread_${t}`] / r[`inline_${t}`]).toFixed(2)}x)   not recorded ${r[`none_${t}`].toFixed(3)}`);
    console.log(`  ${''.padEnd(12)} main thread, CPU s per simulated s: ${r[`thread_${t}_main_cpu`].toFixed(2)}   ${r[`inline_${t}_main_cpu`].toFixed(2)}   (${(r[`inline_${t}_main_cpu`] / r[`thread_${t}_main_cpu`]).toFixed(2)}x less)   ${r[`none_${t}_main_cpu`].toFixed(2)}`);
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) printRun(await benchRun());
