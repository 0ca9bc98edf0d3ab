// Export throughput for the io section: one short recording of the bundled straight road (a
// 32-beam LiDAR at 10 Hz, a 640 x 360 camera at 10 Hz, a corner radar with nuScenes' fields at
// 13 Hz), exported in turn as KITTI (the baseline), nuScenes, ROS 2 and OpenLABEL in the same
// run, in MB/s of recording read: interleaved rounds, so all see the same load on a shared
// machine, the first of each a warm-up, the best of the rest.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { exportKitti, exportNuscenes, exportOpenLabel, exportRos2 } from '../dist/index.js';

const ROOT = join(fileURLToPath(import.meta.url), '..', '..');

const RIG = [
  'sensors:',
  '  - { name: lidar_top, type: lidar, rate: 10, channels: 32, fov: { lower: -25, upper: 10 }, horizontal: { resolution: 0.4 }, range: { max: 80 }, mount: { z: 1.9 } }',
  '  - { name: cam_front, type: camera, rate: 10, width: 640, height: 360, fov: 90, mount: { x: 1.2, z: 1.5 }, outputs: [rgb, instance] }',
  '  - { name: radar_front, type: radar, preset: corner, rate: 13, mount: { x: 2.3, z: 0.5 }, nuscenes_fields: true }',
  '  - { name: actors, type: ground_truth, rate: 10 }',
  '',
].join('\n');

/** Each export, writing under `out` (a folder, or a file beside it). */
const EXPORTS = {
  kitti: (file, out) => exportKitti({ file, outDir: out }),
  nuscenes: (file, out) => exportNuscenes({ input: file, outDir: out }),
  ros2: (file, out) => exportRos2({ file, out: `${out}.mcap` }),
  openlabel: (file, out) => exportOpenLabel({ file, out: `${out}.json` }),
};

export async function benchExports({ duration = 3, rounds = 3 } = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'roadcast-bench-export-'));
  try {
    const rig = join(dir, 'rig.yaml');
    const recording = join(dir, 'run.mcap');
    writeFileSync(rig, RIG);
    const run = spawnSync(process.execPath, [join(ROOT, 'dist/cli/main.js'), 'run', join(ROOT, 'scenarios/straight-road.yaml'), '--rig', rig, '--duration', String(duration), '--record', recording], { encoding: 'utf8' });
    if (run.status !== 0) throw new Error(`the benchmark's recording failed: ${run.stderr}`);
    const mb = statSync(recording).size / 1e6;
    const best = Object.fromEntries(Object.keys(EXPORTS).map((name) => [name, Infinity]));
    let n = 0;
    for (let round = 0; round <= rounds; round++) {
      for (const [name, exporter] of Object.entries(EXPORTS)) {
        const out = join(dir, `out-${n++}`);
        const start = performance.now();
        await exporter(recording, out);
        const seconds = (performance.now() - start) / 1000;
        if (round > 0) best[name] = Math.min(best[name], seconds);
        for (const path of [out, `${out}.mcap`, `${out}.json`]) rmSync(path, { recursive: true, force: true });
      }
    }
    const r = { export_input_mb: mb };
    for (const name of Object.keys(EXPORTS)) {
      r[`export_${name}_mb_per_s`] = mb / best[name];
      if (name !== 'kitti') r[`export_${name}_vs_kitti`] = best.kitti / best[name];
    }
    return r;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export function printExports(r) {
  const others = ['nuscenes', 'ros2', 'openlabel'].map((name) => `${{ nuscenes: 'nuScenes', ros2: 'ROS 2', openlabel: 'OpenLABEL' }[name]} ${r[`export_${name}_mb_per_s`].toFixed(1)} (${r[`export_${name}_vs_kitti`].toFixed(2)}x)`);
  console.log(`  exports of a ${r.export_input_mb.toFixed(1)} MB recording, MB/s of input: KITTI ${r.export_kitti_mb_per_s.toFixed(1)}   ${others.join('   ')}`);
}
