import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fieldArray, type Frame } from '../../src/core/frame.js';
import { MeshBuilder } from '../../src/core/MeshBuilder.js';
import { Random } from '../../src/core/Random.js';
import { classId } from '../../src/core/semantic.js';
import { Lidar } from '../../src/sensors/Lidar.js';
import { LIDAR_PRESETS } from '../../src/sensors/LidarPresets.js';
import { loadRig, type LidarConfig } from '../../src/sensors/Rig.js';
import type { ActorState } from '../../src/sim/WorldState.js';
import { World } from '../../src/world/World.js';

const DEG = Math.PI / 180;
const dir = mkdtempSync(join(tmpdir(), 'roadcast-lidar-'));

function rigWith(yaml: string): LidarConfig {
  const file = join(dir, `rig${Math.random().toString(36).slice(2)}.yaml`);
  writeFileSync(file, `sensors:\n  - name: l\n    type: lidar\n${yaml.replace(/^/gm, '    ')}\n`);
  return loadRig(file).sensors[0] as LidarConfig;
}

function parentAt(x: number, instanceId = 99): ActorState {
  return { id: 'ego', instanceId, pose: { p: [x, 0, 0], q: [0, 0, 0, 1] } } as unknown as ActorState;
}

/** A closed room: every ray from inside returns. */
function room(): World {
  const mesh = new MeshBuilder();
  mesh.quad([-100, -100, 0], [100, -100, 0], [100, 100, 0], [-100, 100, 0], classId('road'));
  mesh.box([0, 0, 20], [60, 60, 40], 0, classId('building'));
  return World.fromMesh(mesh);
}

const arrays = (frame: Frame) => ({
  points: fieldArray(frame.data.points) as Float32Array,
  ring: fieldArray(frame.data.ring) as Uint16Array,
  time: fieldArray(frame.data.time_offset_ns) as Uint32Array,
  semantic: fieldArray(frame.data.semantic) as Uint8Array,
  instance: fieldArray(frame.data.instance) as Uint32Array,
});

describe('LiDAR measurement model', () => {
  it('presets carry the data-sheet elevation tables, and each point\'s ring and elevation agree with them', () => {
    const vlp = rigWith('preset: vlp-16\nmotion_distortion: false');
    expect(vlp.elevations.map((e) => Math.round(e / DEG))).toEqual([-15, 1, -13, 3, -11, 5, -9, 7, -7, 9, -5, 11, -3, 13, -1, 15]);
    expect([vlp.rateHz, vlp.maxRange]).toEqual([10, 100]);
    const hdl = rigWith('preset: hdl-64e\nrate: 20');
    expect(hdl.elevations).toHaveLength(64);
    expect(hdl.elevations[0] / DEG).toBeCloseTo(2, 9);
    expect(hdl.elevations[31] / DEG).toBeCloseTo(2 - 31 / 3, 9);
    expect(hdl.elevations[63] / DEG).toBeCloseTo(-24.33, 9);
    expect(hdl.rateHz).toBe(20);
    expect(rigWith('preset: pandar64').elevations.map((e) => e / DEG).slice(0, 3)).toEqual([14.882, 11.032, 8.059].map((x) => expect.closeTo(x, 9)));

    const lidar = new Lidar({ ...vlp, horizontalResolution: 2 * DEG, mount: { ...vlp.mount, z: 1.5 } }, new Random(1));
    const frame = lidar.capture(room(), parentAt(0), 0);
    const { points, ring } = arrays(frame);
    const sorted = [...vlp.elevations].sort((a, b) => a - b);
    expect(points.length / 4).toBe(16 * 180);
    for (let i = 0; i < points.length / 4; i++) {
      const elevation = Math.atan2(points[i * 4 + 2], Math.hypot(points[i * 4], points[i * 4 + 1]));
      expect(elevation).toBeCloseTo(sorted[ring[i]], 5);
    }
    expect(new Set(ring).size).toBe(16);
  });

  /**
   * The data sheets' figures (single return): points per second, default rate, channels, the
   * vertical field's edges (deg), maximum range (m). VLP-16: 16 lasers every 55.296 us (user
   * manual 63-9243, "~300,000 pts/s"); HDL-32E: 32 every 46.08 us (manual 63-9113, "~695,000");
   * HDL-64E: each laser ~20,833 times a second (">1.333 M", 0.1728 deg at 10 Hz as in KITTI);
   * OS1-128: 2048 columns at 10 Hz; Pandar64: 0.2 deg at 10 Hz; AT128: 1200 x 128 at 10 Hz.
   */
  const DATA_SHEETS = {
    'vlp-16': { pps: 289_352, rate: 10, channels: 16, lowest: -15, highest: 15, range: 100 },
    'hdl-32e': { pps: 694_444, rate: 10, channels: 32, lowest: -30.67, highest: 10.67, range: 100 },
    'hdl-64e': { pps: 1_333_333, rate: 10, channels: 64, lowest: -24.33, highest: 2, range: 120 },
    'os1-128': { pps: 2_621_440, rate: 10, channels: 128, lowest: -22.5, highest: 22.5, range: 120 },
    'pandar64': { pps: 1_152_000, rate: 10, channels: 64, lowest: -24.897, highest: 14.882, range: 200 },
    'solid-state-120': { pps: 1_536_000, rate: 10, channels: 128, lowest: -12.5, highest: 12.9, range: 200 },
  };

  it('every preset sweeps its data sheet\'s points: a whole sweep inside a closed room returns points per second / rate, to one column', () => {
    expect(Object.keys(DATA_SHEETS).sort()).toEqual(Object.keys(LIDAR_PRESETS).sort());
    for (const [name, sheet] of Object.entries(DATA_SHEETS)) {
      const config = rigWith(`preset: ${name}\nmount: { z: 1.5 }\nmotion_distortion: false`);
      expect([config.rateHz, config.elevations.length, config.maxRange]).toEqual([sheet.rate, sheet.channels, sheet.range]);
      expect(Math.min(...config.elevations) / DEG).toBeCloseTo(sheet.lowest, 2);
      expect(Math.max(...config.elevations) / DEG).toBeCloseTo(sheet.highest, 2);
      const frame = new Lidar(config, new Random(1)).capture(room(), parentAt(0), 0);
      const points = frame.fields.point_count as number;
      expect(Math.abs(points - sheet.pps / sheet.rate), name).toBeLessThanOrEqual(sheet.channels);
    }
  });

  it('a preset\'s lasers fire at their data-sheet rate whatever the rotation rate: the HDL-64E steps 0.1728 deg at 10 Hz, 0.0864 deg at 5 Hz', () => {
    expect(rigWith('preset: hdl-64e').horizontalResolution / DEG).toBeCloseTo(0.1728, 4);
    expect(rigWith('preset: hdl-64e\nrate: 5').horizontalResolution / DEG).toBeCloseTo(0.0864, 4);
    // The VLP-16 manual's table: 0.2 deg at 10 Hz (600 RPM), 0.4 deg at 20 Hz.
    expect(rigWith('preset: vlp-16').horizontalResolution / DEG).toBeCloseTo(0.2, 2);
    expect(rigWith('preset: vlp-16\nrate: 20').horizontalResolution / DEG).toBeCloseTo(0.4, 2);
    // An explicit resolution still wins over the preset's.
    expect(rigWith('preset: hdl-64e\nhorizontal: { resolution: 0.4 }').horizontalResolution / DEG).toBeCloseTo(0.4, 12);
    // The HDL-32E's laser ids interleave its two blocks (manual 63-9113, appendix).
    expect(rigWith('preset: hdl-32e').elevations.slice(0, 4).map((e) => e / DEG)).toEqual([-30.67, -9.33, -29.33, -8].map((x) => expect.closeTo(x, 2)));
  });

  it('points_per_second gives a sector scanner its columns edge to edge', () => {
    // 120 deg, 4 channels, 10 Hz, 4,000 points/s: 100 columns, 100 x 4 = 400 points a frame.
    const config = rigWith('channels: 4\nfov: { lower: -2, upper: 2 }\nhorizontal: { fov: 120, points_per_second: 4000 }\nrate: 10\nrange: { max: 100 }\nmount: { z: 1.5 }\nmotion_distortion: false');
    expect(new Lidar(config, new Random(1)).capture(room(), parentAt(0), 0).fields.point_count).toBe(400);
  });

  it('shifts points on a wall by speed x time offset when the sensor moves during the sweep', () => {
    const mesh = new MeshBuilder();
    mesh.box([50.5, 0, 5], [1, 200, 20], 0, classId('building'));
    const world = World.fromMesh(mesh);
    const config = rigWith('channels: 1\nfov: { lower: 0, upper: 0 }\nhorizontal: { fov: 60, resolution: 1 }\nrate: 10\nrange: { max: 200 }');
    expect(config.motionDistortion).toBe(true);
    const lidar = new Lidar(config, new Random(1));
    const speed = 10;
    const step = 10_000_000;
    let frame: Frame | undefined;
    for (let k = 0; k < 10 && !frame; k++) {
      const t0 = k * step;
      frame = lidar.advance(world, parentAt(speed * (t0 / 1e9)), parentAt(speed * ((t0 + step) / 1e9)), t0, t0 + step);
    }
    expect(frame).toBeDefined();
    const { points, time } = arrays(frame!);
    expect(points.length / 4).toBe(61);
    const shifts: number[] = [];
    for (let i = 0; i < 61; i++) {
      const tau = time[i] / 1e9;
      // Column i fires i/61 of the way through the 100 ms sweep.
      expect(time[i]).toBe(Math.floor((i * 100_000_000) / 61));
      // The wall's face is at x = 50; the sensor is at speed * tau when the column fires.
      expect(points[i * 4]).toBeCloseTo(50 - speed * tau, 4);
      shifts.push(50 - points[i * 4]);
    }
    expect(shifts[60] - shifts[0]).toBeCloseTo(speed * (time[60] / 1e9), 4);
    expect(frame!.t_ns).toBe(0);
    expect(frame!.pose.p[0]).toBe(0);
  });

  it('drops weak returns by signal, drops at random with a probability, and can keep no-returns flagged', () => {
    const mesh = new MeshBuilder();
    mesh.quad([-100, -100, 0], [100, -100, 0], [100, 100, 0], [-100, 100, 0], classId('road'));
    const world = World.fromMesh(mesh);
    const base = 'channels: 2\nfov: { lower: -30, upper: 10 }\nhorizontal: { resolution: 1 }\nrate: 10\nrange: { max: 100 }\nmount: { z: 2 }\nmotion_distortion: false\n';
    // Ground (new asphalt, 0.08) at 4 m, 30 deg from grazing: intensity 0.08 x sin 30 x (10/4)^2 = 0.25.
    const count = (yaml: string) => new Lidar(rigWith(base + yaml), new Random(3)).capture(world, parentAt(0), 0).fields.point_count;
    expect(count('dropout: { min_signal: 0.2 }')).toBe(360);
    expect(count('dropout: { min_signal: 0.3 }')).toBe(0);
    const kept = count('dropout: { probability: 0.5 }') as number;
    expect(kept).toBeGreaterThan(360 * 0.4);
    expect(kept).toBeLessThan(360 * 0.6);
    const flagged = new Lidar(rigWith(base + 'no_return: keep'), new Random(3)).capture(world, parentAt(0), 0);
    expect(flagged.fields.point_count).toBe(720);
    const valid = fieldArray(flagged.data.valid) as Uint8Array;
    const points = fieldArray(flagged.data.points) as Float32Array;
    // The upper channel (+10 deg) sees only sky: flagged invalid, at the origin.
    for (let i = 0; i < 720; i++) {
      expect(valid[i]).toBe(i % 2 === 0 ? 1 : 0);
      if (!valid[i]) expect([points[i * 4], points[i * 4 + 1], points[i * 4 + 2], points[i * 4 + 3]]).toEqual([0, 0, 0, 0]);
    }
  });

  it('labels each point with the semantic class and instance id it hit', () => {
    const mesh = new MeshBuilder();
    mesh.quad([-100, -100, 0], [100, -100, 0], [100, 100, 0], [-100, 100, 0], classId('road'));
    const world = World.fromMesh(mesh);
    world.update({ tick: 0, t_ns: 0, actors: [{ id: 'car', instanceId: 7, kind: 'car', pose: { p: [10, 0, 0], q: [0, 0, 0, 1] } } as unknown as ActorState] });
    const config = rigWith('channels: 1\nfov: { lower: -2, upper: -2 }\nhorizontal: { fov: 90, resolution: 1 }\nrate: 10\nrange: { max: 100 }\nmount: { z: 1 }\nmotion_distortion: false');
    const { points, semantic, instance } = arrays(new Lidar(config, new Random(1)).capture(world, parentAt(0), 0));
    let carPoints = 0;
    for (let i = 0; i < semantic.length; i++) {
      const onCar = points[i * 4] < 20 && Math.abs(points[i * 4 + 1]) < 1.2;
      expect(semantic[i]).toBe(onCar ? classId('vehicle') : classId('road'));
      expect(instance[i]).toBe(onCar ? 7 : 0);
      if (onCar) carPoints++;
    }
    expect(carPoints).toBeGreaterThan(5);
  });
});
