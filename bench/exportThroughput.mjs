// Export throughput for the io section: one short recording of the bundled straight road (a
// 32-beam LiDAR at 10 Hz, a 640 x 360 camera at 10 Hz, a corner radar with nuScenes' fields at
// 13 Hz), exported in turn as KITTI (the baseline) and as nuScenes, best of three rounds each,
// in MB/s of recording read. Both read every frame twice (a planning pass, then the writing
// pass) and encode every camera frame (KITTI PNG, nuScenes JPEG).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { exportKitti, exportNuscenes } from '../dist/index.js';

const ROOT = join(fileURLToPath(import.meta.url), '..', '..');

const RIG = [
  'sensors:',
  '  - { name: lidar_top, type: lidar, rate: 10, channels: 32, fov: { lower: -25, upper: 10 }, horizontal: { resolution: 0.4 }, range: { max: 80 }, mount: { z: 1.9 } }',
  '  - { name: cam_front, type: camera, rate: 10, width: 640, height: 360, fov: 90, mount: { x: 1.2, z: 1.5 }, outputs: [rgb, instance] }',
  '  - { name: radar_front, type: radar, preset: corner, rate: 13, mount: { x: 2.3, z: 0.5 }, nuscenes_fields: true }',
  '',
].join('\n');

export async function exportThroughput({ duration = 3, rounds = 3 } = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'roadcast-bench-export-'));
  try {
    const rig = join(dir, 'rig.yaml');
    const recording = join(dir, 'run.mcap');
    writeFileSync(rig, RIG);
    const run = spawnSync(process.execPath, [join(ROOT, 'dist/cli/main.js'), 'run', join(ROOT, 'scenarios/straight-road.yaml'), '--rig', rig, '--duration', String(duration), '--record', recording], { encoding: 'utf8' });
    if (run.status !== 0) throw new Error(`the benchmark's recording failed: ${run.stderr}`);
    const mb = statSync(recording).size / 1e6;
    const best = { kitti: Infinity, nuscenes: Infinity };
    const exporters = {
      kitti: (outDir) => exportKitti({ file: recording, outDir }),
      nuscenes: (outDir) => exportNuscenes({ input: recording, outDir }),
    };
    // Interleaved rounds, so both see the same load on a shared machine; the first of each warms up.
    for (let round = 0; round <= rounds; round++) {
      for (const [name, exporter] of Object.entries(exporters)) {
        const outDir = join(dir, `${name}-${round}`);
        const start = performance.now();
        await exporter(outDir);
        const seconds = (performance.now() - start) / 1000;
        if (round > 0) best[name] = Math.min(best[name], seconds);
        rmSync(outDir, { recursive: true, force: true });
      }
    }
    return {
      export_input_mb: mb,
      kitti_export_mb_per_s: mb / best.kitti,
      nuscenes_export_mb_per_s: mb / best.nuscenes,
      nuscenes_vs_kitti: best.kitti / best.nuscenes,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export function printExportThroughput(r) {
  console.log(`  export (${r.export_input_mb.toFixed(1)} MB recording)  KITTI ${r.kitti_export_mb_per_s.toFixed(1)} MB/s   nuScenes ${r.nuscenes_export_mb_per_s.toFixed(1)} MB/s (${r.nuscenes_vs_kitti.toFixed(2)}x KITTI)`);
}
