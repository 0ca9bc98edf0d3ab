// Export throughput for the io section: one recording of the full rig (a 64-channel LiDAR, a
// 640 x 360 camera with every output, three radars, IMU, GNSS, ground truth) on the straight
// road, exported as KITTI (the baseline), ROS 2 and OpenLABEL in the same run, in MB/s of
// input (the recording's size on disk), the best of a few interleaved rounds.
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { exportKitti, exportOpenLabel, exportRos2, loadRunInputs, McapRecorder, recordingOptions, runScenario } from '../dist/index.js';

const ROOT = join(fileURLToPath(import.meta.url), '..', '..');
/** Simulated seconds recorded: ten sweeps and images. */
const DURATION = 1;
const ROUNDS = 2;

const EXPORTS = {
  kitti: (file, out) => exportKitti({ file, outDir: out }),
  ros2: (file, out) => exportRos2({ file, out: `${out}.mcap` }),
  openlabel: (file, out) => exportOpenLabel({ file, out: `${out}.json` }),
};

export async function benchExports() {
  const dir = mkdtempSync(join(tmpdir(), 'roadcast-bench-export-'));
  try {
    const file = join(dir, 'run.mcap');
    const inputs = await loadRunInputs(join(ROOT, 'scenarios', 'straight-road.yaml'), { rig: join(ROOT, 'sensors', 'full.yaml'), duration: DURATION });
    const recorder = await McapRecorder.open(file, recordingOptions(inputs));
    await runScenario({ scenario: inputs.scenario, rig: inputs.rig, seed: inputs.seed, duration: DURATION, sinks: [recorder], models: inputs.models });
    await recorder.close();
    const mb = statSync(file).size / 1e6;
    const best = {};
    let n = 0;
    for (let round = 0; round < ROUNDS; round++) {
      for (const [name, run] of Object.entries(EXPORTS)) {
        const out = join(dir, `out-${n++}`);
        const start = performance.now();
        await run(file, out);
        const seconds = (performance.now() - start) / 1000;
        best[name] = Math.max(best[name] ?? 0, mb / seconds);
        rmSync(out, { recursive: true, force: true });
        rmSync(`${out}.mcap`, { force: true });
        rmSync(`${out}.json`, { force: true });
      }
    }
    return {
      export_input_mb: mb,
      export_kitti_mb_per_s: best.kitti,
      export_ros2_mb_per_s: best.ros2,
      export_openlabel_mb_per_s: best.openlabel,
      export_ros2_vs_kitti: best.ros2 / best.kitti,
      export_openlabel_vs_kitti: best.openlabel / best.kitti,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export function printExports(r) {
  console.log(`  exports of a ${r.export_input_mb.toFixed(1)} MB recording (full rig, 1 s), MB/s of input:`);
  console.log(`    KITTI ${r.export_kitti_mb_per_s.toFixed(1)}   ROS 2 ${r.export_ros2_mb_per_s.toFixed(1)} (${r.export_ros2_vs_kitti.toFixed(2)}x KITTI)   OpenLABEL ${r.export_openlabel_mb_per_s.toFixed(1)} (${r.export_openlabel_vs_kitti.toFixed(2)}x KITTI)`);
}
