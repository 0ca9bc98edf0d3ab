import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { arrayField, fieldArray, type Frame } from '../../src/core/frame.js';
import { radarPcd } from '../../src/io/nuscenes/NuscenesFiles.js';
import { readFrames } from '../../src/io/McapSource.js';
import { consumersAvailable, runPython } from '../pythonConsumers.js';

const CLI = 'dist/cli/main.js';
const dir = mkdtempSync(join(tmpdir(), 'roadcast-nuscenes-'));
const recording = join(dir, 'drive.mcap');
const out = join(dir, 'nuscenes');
const frames: Frame[] = [];
const cli = (...args: string[]): ReturnType<typeof spawnSync> => spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8' });

// The bundled straight road runs along +x; lane -1's centre is at y = -1.75, lane 1's at +1.75, and
// lane -2 is the 2 m sidewalk beyond lane -1 (centre y = -4.5). Everyone keeps a constant speed
// along their lane: the ego and the car ahead at 8 m/s, 20 m apart; a parked car 40 m ahead of the
// ego, 0.6 m towards the kerb, hidden behind the car ahead; a walker at 1.4 m/s and a man standing
// on the sidewalk; a cyclist at 4 m/s and a cone in the other lane.
const scenario = [
  'name: nuscenes-drive',
  `map: ${join(process.cwd(), 'maps', 'straight_two_lane.xodr')}`,
  'duration: 2',
  'step: 0.01',
  'seed: 1',
  'buildings: 0',
  'actors:',
  '  - { id: ego, kind: car, ego: true, road: "1", lane: -1, s: 40, speed: 8 }',
  '  - { id: ahead, kind: car, road: "1", lane: -1, s: 60, speed: 8 }',
  '  - { id: parked, kind: parked_car, position: { type: lane, road: "1", lane: -1, s: 80, offset: -0.6 }, speed: 0 }',
  '  - { id: walker, kind: pedestrian, road: "1", lane: -2, s: 55, controllers: [{ type: pedestrian, mode: walk, speed: 1.4 }] }',
  '  - { id: stander, kind: pedestrian, road: "1", lane: -2, s: 65, speed: 0 }',
  '  - { id: bike, kind: cyclist, road: "1", lane: 1, s: 70, speed: 4 }',
  '  - { id: cone, kind: cone, road: "1", lane: 1, s: 95, speed: 0 }',
  '',
].join('\n');

// A LiDAR without motion distortion (its points and boxes belong to one instant) that keeps its
// rays without a return (for the export to leave out), a small camera
// and a corner radar with nuScenes' fields and false alarms for the devkit's filters to drop.
const rig = [
  'sensors:',
  '  - { name: lidar_top, type: lidar, rate: 10, channels: 32, fov: { lower: -25, upper: 10 }, horizontal: { resolution: 0.4 }, range: { max: 80 }, mount: { z: 1.9 }, motion_distortion: false, no_return: keep }',
  '  - { name: cam_front, type: camera, rate: 10, width: 320, height: 180, fov: 90, mount: { x: 1.2, z: 1.5 }, outputs: [rgb, instance] }',
  '  - { name: radar_front, type: radar, preset: corner, rate: 13, mount: { x: 2.3, z: 0.5 }, nuscenes_fields: true, false_alarm_rate: 2 }',
  '',
].join('\n');

beforeAll(async () => {
  writeFileSync(join(dir, 'drive.yaml'), scenario);
  writeFileSync(join(dir, 'rig.yaml'), rig);
  const run = cli('run', join(dir, 'drive.yaml'), '--rig', join(dir, 'rig.yaml'), '--no-dressing', '--record', recording);
  expect(run.stderr).toBe('');
  const result = cli('export', recording, '--format', 'nuscenes', '--out', out);
  expect(result.stderr).toBe('');
  expect(result.status).toBe(0);
  for await (const frame of readFrames(recording)) frames.push(frame);
}, 180_000);

afterAll(() => rmSync(dir, { recursive: true, force: true }));

const topic = (name: string): Frame[] => frames.filter((f) => f.topic === name);

/** Every file under a folder, by its path inside it, with its bytes. */
function tree(root: string): Map<string, Buffer> {
  const files = new Map<string, Buffer>();
  const walk = (folder: string): void => {
    for (const entry of readdirSync(folder, { withFileTypes: true })) {
      const path = join(folder, entry.name);
      if (entry.isDirectory()) walk(path);
      else files.set(relative(root, path), readFileSync(path));
    }
  };
  walk(root);
  return files;
}

describe('roadcast export --format nuscenes, the files', () => {
  it('writes each LiDAR sweep\'s returns as float32 x y z intensity ring, the key ones under samples/ and the rest under sweeps/', () => {
    const sweeps = topic('lidar/lidar_top');
    expect(sweeps).toHaveLength(20);
    const files = tree(out);
    // Key frames at 0, 0.5, 1.0 and 1.5 s (10 Hz sweeps: every fifth), named by their microseconds.
    const keys = [...files.keys()].filter((f) => f.startsWith('samples/LIDAR_TOP/')).sort();
    expect(keys).toEqual([0, 1000000, 1500000, 500000].map((t) => `samples/LIDAR_TOP/drive__LIDAR_TOP__${t}.pcd.bin`));
    expect([...files.keys()].filter((f) => f.startsWith('sweeps/LIDAR_TOP/'))).toHaveLength(16);
    for (const sweep of sweeps) {
      const t = sweep.t_ns / 1000;
      const bytes = files.get(`${t % 500000 === 0 ? 'samples' : 'sweeps'}/LIDAR_TOP/drive__LIDAR_TOP__${t}.pcd.bin`)!;
      const got = new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
      const points = fieldArray(sweep.data.points) as Float32Array;
      const ring = fieldArray(sweep.data.ring) as Uint16Array;
      const valid = fieldArray(sweep.data.valid) as Uint8Array;
      const returns = [...valid.keys()].filter((i) => valid[i] === 1);
      expect(returns.length).toBeLessThan(valid.length);
      expect(got.length).toBe(returns.length * 5);
      returns.forEach((i, k) => {
        if (k % 97 === 0) expect([...got.subarray(k * 5, k * 5 + 5)]).toEqual([...points.subarray(i * 4, i * 4 + 4), ring[i]]);
      });
    }
    // Every camera frame is a JPEG of the camera's size (SOF0: height, width at bytes 5..8 of the segment).
    const jpegs = [...files.entries()].filter(([f]) => f.endsWith('.jpg'));
    expect(jpegs).toHaveLength(topic('camera/cam_front').length);
    for (const [, jpeg] of jpegs) {
      expect([jpeg[0], jpeg[1]]).toEqual([0xff, 0xd8]);
      const sof = jpeg.indexOf(Buffer.from([0xff, 0xc0]));
      expect([jpeg.readUInt16BE(sof + 7), jpeg.readUInt16BE(sof + 5)]).toEqual([320, 180]);
    }
  });

  it('is the same bytes every time', () => {
    const again = join(dir, 'again');
    expect(cli('export', recording, '--format', 'nuscenes', '--out', again).status).toBe(0);
    const a = tree(out), b = tree(again);
    expect([...b.keys()].sort()).toEqual([...a.keys()].sort());
    for (const [file, bytes] of a) expect(b.get(file)!.equals(bytes), file).toBe(true);
  }, 60_000);
});

describe('roadcast export --format nuscenes, bad input', () => {
  const recordWith = (name: string, sensors: string[]): string => {
    const file = join(dir, `${name}.mcap`);
    writeFileSync(join(dir, `${name}.yaml`), ['sensors:', ...sensors, ''].join('\n'));
    // One thread: a pool's start-up would cost these tiny runs more than it saves.
    const run = cli('run', join(dir, 'drive.yaml'), '--rig', join(dir, `${name}.yaml`), '--no-dressing', '--duration', '0.2', '--threads', '1', '--record', file);
    expect(run.stderr).toBe('');
    return file;
  };
  const tinyLidar = '  - { name: top, type: lidar, rate: 10, channels: 4, fov: { lower: -10, upper: 0 }, horizontal: { resolution: 4 }, range: { max: 50 } }';

  /** Exports into a new folder; the one-line error, with nothing left behind. */
  const refused = (input: string): string => {
    const target = join(dir, `refused-${Math.random().toString(36).slice(2)}`);
    const result = cli('export', input, '--format', 'nuscenes', '--out', target);
    expect(result.status).toBe(1);
    const stderr = String(result.stderr);
    expect(stderr.trim().split('\n')).toHaveLength(1);
    expect(stderr).not.toMatch(/\n\s+at /);
    expect(existsSync(target)).toBe(false);
    expect(readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
    return stderr;
  };

  it('refuses a recording without a LiDAR, one with a distorted camera, and a radar without nuScenes fields, saying what is missing', () => {
    const noLidar = recordWith('no-lidar', ['  - { name: front, type: radar, preset: corner, nuscenes_fields: true }']);
    expect(refused(noLidar)).toMatch(/^roadcast: .*no-lidar\.mcap: nuScenes export needs a LiDAR on the ego .*no LiDAR topic/);
    const distorted = recordWith('distorted', [tinyLidar, '  - { name: wide, type: camera, rate: 10, width: 64, height: 36, fov: 90, distortion: { k1: -0.2 }, outputs: [rgb] }']);
    expect(refused(distorted)).toMatch(/distorted\.mcap: camera wide is distorted \(k1 -0\.2\); nuScenes images are undistorted pinhole images/);
    const plainRadar = recordWith('plain-radar', [tinyLidar, '  - { name: front, type: radar, preset: corner }']);
    expect(refused(plainRadar)).toMatch(/plain-radar\.mcap: radar radar\/front was recorded without its nuScenes fields .*nuscenes_fields: true/);
    expect(refused(join(dir, 'nothing-here.mcap'))).toMatch(/nothing-here\.mcap: no such recording or folder/);
    // A LiDAR on another car: the ego has none.
    const onOther = recordWith('on-other', [tinyLidar.replace('name: top,', 'name: top, parent: ahead,')]);
    expect(refused(onOther)).toMatch(/on-other\.mcap: nuScenes export needs a LiDAR on the ego .*lidar\/top on "ahead", none on the ego/);
  }, 120_000);

  it('refuses to write into a folder that exists', () => {
    const result = cli('export', recording, '--format', 'nuscenes', '--out', dir);
    expect(result.status).toBe(1);
    expect(String(result.stderr)).toMatch(/already exists; export into a new folder/);
  });
});

/** What the devkit answers (test/io/nuscenes_devkit.py). */
interface DevkitAnnotation {
  category: string; attributes: string[]; visibility: string; translation: number[]; size: number[]; velocity: (number | null)[];
  num_lidar_pts: number; num_radar_pts: number; devkit_lidar_pts: number; center: number[]; wlh: number[]; rotation_matrix: number[]; token: string;
}
interface DevkitChannel { timestamps: number[]; key: boolean[]; files: string[]; modality: string; translation: number[]; rotation: number[]; intrinsic: number[][]; size: number[]; ego: { translation: number[]; rotation: number[] }[] }
interface Devkit {
  tables: Record<string, number>;
  not_hex: string[];
  repeated_tokens: number;
  scenes: { name: string; nbr_samples: number; timestamps: number[]; last_is_last: boolean; log: string; map_token: string }[];
  maps: { token: string; logs: number; origin: number[]; shape: number[] }[];
  channels: Record<string, DevkitChannel>;
  on_mask: Record<string, boolean[]>;
  samples: { timestamp: number; channels: string[]; lidar_file: string; anns: DevkitAnnotation[]; camera: { token: string; center: number[]; bounds: number[] }[]; radar: Record<string, number> }[];
  radar: { kept: number; xyz: number[][]; dyn_prop: number[]; invalid_state: number[]; ambig_state: number[] }[];
  eval: { classes: string[]; mean_ap: number; ap: Record<string, number> };
}

const withDevkit = consumersAvailable('nuscenes', 'pyquaternion');

describe.skipIf(!withDevkit)('the nuScenes devkit loads the export', () => {
  let devkit: Devkit;
  beforeAll(() => {
    const evalDir = join(dir, 'eval');
    mkdirSync(evalDir);
    devkit = runPython(readFileSync(join('test', 'io', 'nuscenes_devkit.py'), 'utf8'), [out, 'v1.0-trainval', evalDir]) as Devkit;
  }, 180_000);
  /** The world point of a global one: global = world less the map's origin. */
  const world = (p: readonly number[]): number[] => [p[0] + devkit.maps[0].origin[0], p[1] + devkit.maps[0].origin[1], p[2]];
  const annotationAt = (sample: number, x: number, y: number): DevkitAnnotation => {
    const found = devkit.samples[sample].anns.find((a) => Math.abs(world(a.translation)[0] - x) < 0.05 && Math.abs(world(a.translation)[1] - y) < 0.05);
    if (!found) throw new Error(`no annotation at (${x}, ${y}) in sample ${sample}`);
    return found;
  };

  it('has the 13 tables, 32-hex tokens, samples at 2 Hz chained in a scene, and every frame in its channel\'s chain', () => {
    expect(Object.keys(devkit.tables).sort()).toEqual(['attribute', 'calibrated_sensor', 'category', 'ego_pose', 'instance', 'log', 'map', 'sample', 'sample_annotation', 'sample_data', 'scene', 'sensor', 'visibility']);
    expect(devkit.tables.category).toBe(23);
    expect(devkit.tables.attribute).toBe(8);
    expect(devkit.not_hex).toEqual(['1', '2', '3', '4']);
    expect(devkit.repeated_tokens).toBe(0);
    expect(devkit.scenes).toEqual([{ name: 'drive', nbr_samples: 4, timestamps: [0, 500000, 1000000, 1500000], last_is_last: true, log: 'drive', map_token: devkit.maps[0].token }]);
    for (const sample of devkit.samples) expect(sample.channels).toEqual(['CAM_FRONT', 'LIDAR_TOP', 'RADAR_FRONT']);
    // One sample_data and one ego pose per recorded frame, chained in time, four of each channel key.
    expect(devkit.tables.sample_data).toBe(frames.filter((f) => f.kind !== 'events').length);
    expect(devkit.tables.ego_pose).toBe(devkit.tables.sample_data);
    for (const [channel, name] of [['LIDAR_TOP', 'lidar/lidar_top'], ['CAM_FRONT', 'camera/cam_front'], ['RADAR_FRONT', 'radar/radar_front']]) {
      const c = devkit.channels[channel];
      expect(c.timestamps).toEqual(topic(name).map((f) => f.t_ns / 1000));
      expect(c.key.filter(Boolean)).toHaveLength(4);
    }
    // The radar's key frames are its scans nearest each sample (13 Hz: 0, 0.48 or 0.56, 0.96 or 1.04, 1.52 s).
    const radar = devkit.channels.RADAR_FRONT;
    expect(radar.timestamps.filter((_, i) => radar.key[i])).toEqual([0, 500000, 1000000, 1500000].map((t) => radar.timestamps.reduce((a, b) => (Math.abs(b - t) < Math.abs(a - t) ? b : a))));
  });

  it('calibrates each sensor in the ego frame, poses the ego where it drives, and masks the drivable area', () => {
    const { LIDAR_TOP: lidar, CAM_FRONT: camera, RADAR_FRONT: radar } = devkit.channels;
    expect([lidar.translation, lidar.rotation, lidar.intrinsic]).toEqual([[0, 0, 1.9], [1, 0, 0, 0], []]);
    expect([radar.translation, radar.rotation]).toEqual([[2.3, 0, 0.5], [1, 0, 0, 0]]);
    // The camera's optical frame (x right, y down, z forward) on a forward camera: x = -y_ego,
    // y = -z_ego, z = x_ego, the rotation (w, x, y, z) = (1/2, -1/2, 1/2, -1/2).
    expect(camera.translation).toEqual([1.2, 0, 1.5]);
    camera.rotation.forEach((v, i) => expect(v).toBeCloseTo([0.5, -0.5, 0.5, -0.5][i], 12));
    // 90 degrees across 320 px: f = 160 / tan 45 = 160, the principal point at ((W - 1) / 2, (H - 1) / 2).
    const k = camera.intrinsic.flat();
    [160, 0, 159.5, 0, 160, 89.5, 0, 0, 1].forEach((v, i) => expect(k[i]).toBeCloseTo(v, 9));
    expect(camera.size).toEqual([320, 180]);
    // The ego drives lane -1 from s = 40 at 8 m/s, level, along +x: every channel's ego pose says so.
    for (const c of [lidar, camera, radar]) {
      c.ego.forEach((pose, i) => {
        const [x, y, z] = world(pose.translation);
        expect(x).toBeCloseTo(40 + 8 * (c.timestamps[i] / 1e6), 6);
        expect(y).toBeCloseTo(-1.75, 6);
        expect(z).toBeCloseTo(0, 6);
        pose.rotation.forEach((v, j) => expect(v).toBeCloseTo([1, 0, 0, 0][j], 9));
      });
    }
    // The mask: the ego's lane and the other lane are drivable, the sidewalk and the field 30 m off are not.
    expect(devkit.on_mask).toEqual({ ego: [true, true, true, true], other_lane: [true, true, true, true], sidewalk: [false, false, false, false], off_road: [false, false, false, false] });
    expect(devkit.maps).toHaveLength(1);
    expect(devkit.maps[0].logs).toBe(1);
  });

  it('gives boxes, in the LiDAR frame as get_sample_data places them, that hold each actor\'s points and the counts roadcast made', () => {
    const sweeps = topic('lidar/lidar_top');
    let checked = 0;
    devkit.samples.forEach((sample, s) => {
      const sweep = sweeps.find((f) => f.t_ns / 1000 === sample.timestamp)!;
      expect(sample.lidar_file).toBe(`samples/LIDAR_TOP/drive__LIDAR_TOP__${sample.timestamp}.pcd.bin`);
      const points = fieldArray(sweep.data.points) as Float32Array;
      const instance = fieldArray(sweep.data.instance) as Uint32Array;
      const actors = new Set(fieldArray(sweep.data.gt_instance_ids) as Uint32Array);
      // Is point i in the box, 2 cm of slack for the actors' meshes (as the KITTI test allows)?
      const inside = (a: DevkitAnnotation, i: number, slack: number): boolean => {
        const d = [0, 1, 2].map((k) => points[i * 4 + k] - a.center[k]);
        const r = a.rotation_matrix;
        const half = [a.wlh[1] / 2, a.wlh[0] / 2, a.wlh[2] / 2];
        return [0, 1, 2].every((axis) => Math.abs(r[axis] * d[0] + r[3 + axis] * d[1] + r[6 + axis] * d[2]) <= half[axis] + slack);
      };
      for (const id of actors) {
        const mine = [...instance.keys()].filter((i) => instance[i] === id);
        if (mine.length === 0) continue;
        const box = sample.anns.find((a) => mine.filter((i) => inside(a, i, 0.02)).length > mine.length / 2);
        expect(box, `actor ${id} in sample ${s}`).toBeDefined();
        expect(mine.every((i) => inside(box!, i, 0.02))).toBe(true);
        expect(box!.num_lidar_pts).toBeGreaterThanOrEqual(mine.length);
        checked++;
      }
      // The devkit's own count agrees with roadcast's, but for points on a box's very face (the
      // ground under a car lies on its box's bottom, where float rounding decides).
      for (const a of sample.anns) {
        expect(a.devkit_lidar_pts).toBeLessThanOrEqual(a.num_lidar_pts);
        expect(a.devkit_lidar_pts).toBeGreaterThanOrEqual(Math.floor(a.num_lidar_pts * 0.97));
      }
    });
    expect(checked).toBeGreaterThanOrEqual(20);
  });

  it('projects the car ahead onto its pixels: its box 18.8 m in front of the camera, its 2D box inside the projected corners', () => {
    const camera = topic('camera/cam_front');
    devkit.samples.forEach((sample, s) => {
      // The car ahead: 20 m ahead of the ego's centre, so 18.8 m from the camera, centred on its axis.
      const ahead = annotationAt(s, 60 + 4 * s, -1.75);
      const seen = sample.camera.find((c) => c.token === ahead.token)!;
      expect(seen.center[0]).toBeCloseTo(0, 4);
      expect(seen.center[2]).toBeCloseTo(18.8, 4);
      // The recorded 2D box of the same car (the LiDAR's ground truth names its instance).
      const sweep = topic('lidar/lidar_top').find((f) => f.t_ns / 1000 === sample.timestamp)!;
      const gt = fieldArray(sweep.data.gt_boxes) as Float32Array;
      const ids = fieldArray(sweep.data.gt_instance_ids) as Uint32Array;
      const id = ids.find((_, j) => Math.abs(gt[j * 10] - 20) < 0.01 && Math.abs(gt[j * 10 + 1]) < 0.01)!;
      const frame = camera.find((f) => f.t_ns / 1000 === sample.timestamp)!;
      const k = [...(fieldArray(frame.data.boxes2d_instance) as Uint32Array)].indexOf(id);
      const [x0, y0, x1, y1] = (fieldArray(frame.data.boxes2d) as Float32Array).subarray(k * 6, k * 6 + 4);
      const [u0, v0, u1, v1] = seen.bounds;
      expect(x0).toBeGreaterThanOrEqual(u0 - 1);
      expect(y0).toBeGreaterThanOrEqual(v0 - 1);
      expect(x1).toBeLessThanOrEqual(u1 + 1);
      expect(y1).toBeLessThanOrEqual(v1 + 1);
    });
  });

  it('writes the radar scans as the devkit reads them: its default filters drop exactly the false alarms, and the boxes hold the points counted', () => {
    const scans = topic('radar/radar_front');
    expect(devkit.radar).toHaveLength(scans.length);
    let falseAlarms = 0;
    devkit.radar.forEach((read, i) => {
      const xyz = fieldArray(scans[i].data.xyz) as Float32Array;
      const falseAlarm = fieldArray(scans[i].data.false_alarm) as Uint8Array;
      expect(read.xyz.flat()).toEqual([...xyz]);
      const real = falseAlarm.filter((f) => f === 0).length;
      falseAlarms += falseAlarm.length - real;
      expect(read.kept).toBe(real);
    });
    expect(falseAlarms).toBeGreaterThan(0);
    let counted = 0;
    for (const sample of devkit.samples) {
      for (const a of sample.anns) {
        expect(a.num_radar_pts).toBe(sample.radar[a.token]);
        counted += a.num_radar_pts;
      }
    }
    expect(counted).toBeGreaterThan(0);
  });

  it('names the categories, attributes and visibility, and the devkit finds each actor\'s velocity', () => {
    // Sample 1, at 0.5 s: everyone where their speed has taken them (the walker and the cyclist
    // along their lanes' directions, +x and -x).
    const s = 1;
    const check = (x: number, y: number, category: string, attributes: string[], velocity: number[]): DevkitAnnotation => {
      const a = annotationAt(s, x, y);
      expect([a.category, a.attributes]).toEqual([category, attributes]);
      a.velocity.forEach((v, i) => expect(v).toBeCloseTo(velocity[i], 3));
      return a;
    };
    const ahead = check(64, -1.75, 'vehicle.car', ['vehicle.moving'], [8, 0, 0]);
    const parked = check(80, -2.35, 'vehicle.car', ['vehicle.parked'], [0, 0, 0]);
    check(55.7, -4.5, 'human.pedestrian.adult', ['pedestrian.moving'], [1.4, 0, 0]);
    check(65, -4.5, 'human.pedestrian.adult', ['pedestrian.standing'], [0, 0, 0]);
    check(68, 1.75, 'vehicle.bicycle', ['cycle.with_rider'], [-4, 0, 0]);
    check(95, 1.75, 'movable_object.trafficcone', [], [0, 0, 0]);
    // The car ahead is in full view; the parked car behind it is hidden from the camera.
    expect(ahead.visibility).toBe('4');
    expect(parked.visibility).toBe('1');
    // Sizes are width, length, height.
    expect(ahead.size[1]).toBeGreaterThan(ahead.size[0]);
  });

  it('scores the ground truth against itself mAP 1.0 in the devkit\'s detection evaluation, on the export\'s split of its scenes', () => {
    expect(devkit.eval.classes).toEqual(['bicycle', 'car', 'pedestrian']);
    expect(devkit.eval.mean_ap).toBeCloseTo(1, 9);
    for (const ap of Object.values(devkit.eval.ap)) expect(ap).toBeCloseTo(1, 9);
  });
});

describe.skipIf(!withDevkit)('radar scans by hand', () => {
  it('keeps a stopped car\'s detection (dyn_prop 7 written as 1) and drops an invalid and an ambiguous one; an empty scan reads as empty', () => {
    // Four detections: a moving car (dyn_prop 0), a stopped car (7), a ghost (invalid_state 0x06)
    // and a folded velocity (ambig_state 1), at x = 10, 20, 30, 40 m.
    const n = 4;
    const scan = (count: number): Frame => ({
      v: 1, topic: 'radar/front', kind: 'radar', seq: 0, t_ns: 0, frame_id: 'front', pose: { p: [0, 0, 0], q: [0, 0, 0, 1] }, fields: {},
      data: {
        xyz: arrayField(Float32Array.from({ length: count * 3 }, (_, i) => (i % 3 === 0 ? 10 * (i / 3 + 1) : 0)), [count, 3]),
        detections: arrayField(Float32Array.from({ length: count * 6 }, (_, i) => (i % 6 === 4 ? 5 : 0)), [count, 6]),
        dyn_prop: arrayField(Uint8Array.from([0, 7, 1, 0].slice(0, count)), [count]),
        ambig_state: arrayField(Uint8Array.from([3, 3, 3, 1].slice(0, count)), [count]),
        invalid_state: arrayField(Uint8Array.from([0, 0, 6, 0].slice(0, count)), [count]),
        pdh0: arrayField(new Uint8Array(count).fill(1), [count]),
        is_quality_valid: arrayField(new Uint8Array(count).fill(1), [count]),
        velocity_xy: arrayField(new Float32Array(count * 4).fill(0.5), [count, 4]),
        rms: arrayField(new Uint8Array(count * 4).fill(3), [count, 4]),
      },
    });
    const full = join(dir, 'hand.pcd');
    const empty = join(dir, 'empty.pcd');
    writeFileSync(full, radarPcd(scan(n), 'hand').bytes);
    writeFileSync(empty, radarPcd(scan(0), 'hand').bytes);
    const answer = runPython([
      'import json, sys',
      'from nuscenes.utils.data_classes import RadarPointCloud',
      'kept = RadarPointCloud.from_file(sys.argv[1]).points',
      'RadarPointCloud.disable_filters()',
      'everything = RadarPointCloud.from_file(sys.argv[1]).points',
      "print(json.dumps({'kept_x': kept[0].tolist(), 'dyn_prop': everything[3].tolist(), 'rcs': everything[5].tolist(), 'x_rms': everything[12].tolist(), 'empty': RadarPointCloud.from_file(sys.argv[2]).nbr_points()}))",
    ].join('\n'), [full, empty]) as { kept_x: number[]; dyn_prop: number[]; rcs: number[]; x_rms: number[]; empty: number };
    expect(answer).toEqual({ kept_x: [10, 20], dyn_prop: [0, 1, 1, 0], rcs: [5, 5, 5, 5], x_rms: [3, 3, 3, 3], empty: 0 });
  });
});

describe.skipIf(!withDevkit)('a sweep\'s folder', () => {
  it('becomes one scene per run, one log each, and one map record covering both logs', () => {
    const sweep = join(dir, 'sweep');
    mkdirSync(sweep);
    copyFileSync(recording, join(sweep, 'run-0001.mcap'));
    copyFileSync(recording, join(sweep, 'run-0002.mcap'));
    const target = join(dir, 'sweep-nuscenes');
    const result = cli('export', sweep, '--format', 'nuscenes', '--out', target);
    expect(result.stderr).toBe('');
    const answer = runPython([
      'import json, sys',
      'from nuscenes.nuscenes import NuScenes',
      "nusc = NuScenes(version='v1.0-trainval', dataroot=sys.argv[1], verbose=False)",
      "print(json.dumps({'scenes': [s['name'] for s in nusc.scene], 'logs': len(nusc.log), 'samples': len(nusc.sample),",
      "  'maps': [sorted(m['log_tokens']) == sorted(l['token'] for l in nusc.log) for m in nusc.map],",
      "  'splits': json.load(open(sys.argv[1] + '/v1.0-trainval/splits.json'))}))",
    ].join('\n'), [target]);
    expect(answer).toEqual({ scenes: ['run-0001', 'run-0002'], logs: 2, samples: 8, maps: [true], splits: { roadcast: ['run-0001', 'run-0002'] } });
  }, 120_000);
});
