/**
 * Rigs of absurd sizes are refused when the rig is read, naming the line, before anything is
 * allocated for them (they used to load and then fail mid-run, or exhaust memory).
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadRig } from '../../src/sensors/Rig.js';
import { userError } from '../helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'roadcast-rigs-'));
const rig = (name: string, text: string): string => {
  const file = join(dir, name);
  writeFileSync(file, text);
  return file;
};

describe('rig limits', () => {
  it('refuse a LiDAR sweep of more rays than any sensor casts, however it is asked for', () => {
    const fine = rig('fine.yaml', 'sensors:\n  - { name: top, type: lidar, channels: 32, fov: { lower: -25, upper: 15 }, rate: 10, horizontal: { resolution: 0.000000001 }, range: { max: 100 } }\n');
    // 360° / 1e-9° columns: 3.6e11 of them, times 32 channels.
    expect(userError(() => loadRig(fine)).message).toBe(`${fine}:2 ($.sensors[0].horizontal): this LiDAR would cast 360000000000 columns x 32 channels = 11520000000000 rays a sweep; at most 65536 columns and 4194304 rays (a coarser resolution or fewer points per second)`);
    const dense = rig('dense.yaml', 'sensors:\n  - { name: top, type: lidar, preset: os1-128, horizontal: { points_per_second: 1000000000000000 } }\n');
    expect(userError(() => loadRig(dense)).message).toMatch(/dense\.yaml:2 \(\$\.sensors\[0\]\.horizontal\): this LiDAR would cast \d+ columns x 128 channels/);
    // The densest preset is well inside: 2048 x 128.
    expect(loadRig(rig('os1.yaml', 'sensors:\n  - { name: top, type: lidar, preset: os1-128 }\n')).sensors).toHaveLength(1);
  });

  it('refuse a camera of more pixels than 4096 x 4096, and a side over 8192', () => {
    const huge = rig('huge.yaml', 'sensors:\n  - { name: cam, type: camera, width: 16384, height: 16384 }\n');
    expect(userError(() => loadRig(huge)).message).toBe(`${huge}:2 ($.sensors[0].width): expected a number <= 8192, got 16384`);
    const wide = rig('wide.yaml', 'sensors:\n  - { name: cam, type: camera, width: 8192, height: 4096 }\n');
    expect(userError(() => loadRig(wide)).message).toBe(`${wide}:2 ($.sensors[0].height): 8192 x 4096 is 33554432 pixels; a camera has at most 16777216 (4096 x 4096)`);
  });

  it('refuse a radar fan of over a million rays, and endless false alarms', () => {
    const fan = rig('fan.yaml', 'sensors:\n  - { name: r, type: radar, preset: long-range, resolution: { azimuth: 0.00001 } }\n');
    expect(userError(() => loadRig(fan)).message).toMatch(/fan\.yaml:2 \(\$\.sensors\[0\]\.resolution\.azimuth\): this radar would cast \d+ x \d+ = \d+ rays a scan; at most 1048576/);
    const alarms = rig('alarms.yaml', 'sensors:\n  - { name: r, type: radar, preset: corner, false_alarm_rate: 1e12 }\n');
    expect(userError(() => loadRig(alarms)).message).toBe(`${alarms}:2 ($.sensors[0].false_alarm_rate): expected a number <= 1000, got 1000000000000`);
  });

  it('refuse more than 64 sensors', () => {
    const many = rig('many.yaml', `sensors:\n${Array.from({ length: 1000 }, (_, i) => `  - { name: imu${i}, type: imu }\n`).join('')}`);
    expect(userError(() => loadRig(many)).message).toBe(`${many}:2 ($.sensors): a rig has at most 64 sensors, got 1000`);
  });
});
