import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decode as decodePng } from 'fast-png';
import { beforeAll, describe, expect, it } from 'vitest';
import { fieldArray, type Frame } from '../../src/core/frame.js';
import { readFrames } from '../../src/io/McapSource.js';

const CLI = 'dist/cli/main.js';
const dir = mkdtempSync(join(tmpdir(), 'roadcast-kitti-'));
const recording = join(dir, 'run.mcap');
const out = join(dir, 'kitti');
const lidars: Frame[] = [];
const cameras: Frame[] = [];

beforeAll(async () => {
  // Motion distortion off: points and boxes then belong to the same instant.
  const rig = join(dir, 'rig.yaml');
  writeFileSync(rig, [
    'sensors:',
    '  - { name: top, type: lidar, rate: 10, channels: 32, fov: { lower: -20, upper: 10 }, horizontal: { resolution: 0.4 }, range: { max: 80 }, mount: { z: 1.9 }, motion_distortion: false }',
    '  - { name: front, type: camera, rate: 10, width: 320, height: 180, fov: 90, mount: { x: 1.2, z: 1.5 }, outputs: [rgb, depth, instance] }',
    '',
  ].join('\n'));
  const run = spawnSync(process.execPath, [CLI, 'run', 'scenarios/straight-road.yaml', '--rig', rig, '--duration', '0.5', '--record', recording], { encoding: 'utf8' });
  expect(run.stderr).toBe('');
  const result = spawnSync(process.execPath, [CLI, 'export', recording, '--format', 'kitti', '--out', out], { encoding: 'utf8' });
  expect(result.stderr).toBe('');
  expect(result.status).toBe(0);
  for await (const frame of readFrames(recording)) {
    if (frame.topic === 'lidar/top') lidars.push(frame);
    if (frame.topic === 'camera/front') cameras.push(frame);
  }
});

const matrix = (line: string): number[] => line.split(':')[1].trim().split(/\s+/).map(Number);

describe('roadcast export --format kitti', () => {
  it('writes one sample per camera frame: velodyne points as float32, a PNG, labels and calibration', () => {
    for (const folder of ['velodyne', 'image_2', 'label_2', 'calib']) expect(readdirSync(join(out, folder))).toHaveLength(5);
    const bin = readFileSync(join(out, 'velodyne', '000000.bin'));
    expect(bin.equals(Buffer.from(lidars[0].data.points.bytes))).toBe(true);
    const png = decodePng(readFileSync(join(out, 'image_2', '000000.png')));
    expect([png.width, png.height, png.channels]).toEqual([320, 180, 3]);
    const calib = readFileSync(join(out, 'calib', '000000.txt'), 'utf8').trim().split('\n');
    expect(calib.map((l) => l.split(':')[0])).toEqual(['P0', 'P1', 'P2', 'P3', 'R0_rect', 'Tr_velo_to_cam', 'Tr_imu_to_velo']);
    // 90 degrees across 320 px: fx = 160 / tan 45 = 160; principal point at the centre, (W - 1) / 2.
    const p2 = matrix(calib[2]);
    expect(p2[0]).toBeCloseTo(160, 6);
    expect(p2[2]).toBeCloseTo(159.5, 6);
    // The camera sits 1.2 m ahead of and 0.4 m below the LiDAR, looking forward: velo x (forward)
    // is camera z, velo y (left) is camera -x, velo z (up) is camera -y.
    const tr = matrix(calib[5]);
    expect(tr.map((v) => Math.round(v * 1e9) / 1e9)).toEqual([0, -1, 0, 0, 0, 0, -1, -0.4, 1, 0, 0, -1.2].map((v) => expect.closeTo(v, 9)));
    // The vehicle body stands in for the IMU: the LiDAR is 1.9 m above it.
    expect(matrix(calib[6])).toEqual([1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, -1.9]);
  });

  it('labels boxes that contain each actor\'s LiDAR points after the calibration transforms, and project onto their 2D boxes', () => {
    let checkedActors = 0;
    for (let i = 0; i < 5; i++) {
      const name = String(i).padStart(6, '0');
      const calib = readFileSync(join(out, 'calib', `${name}.txt`), 'utf8').trim().split('\n');
      const tr = matrix(calib[5]);
      const p2 = matrix(calib[2]);
      const labels = readFileSync(join(out, 'label_2', `${name}.txt`), 'utf8').trim().split('\n').filter(Boolean).map((l) => l.split(' '));
      const frame = lidars[i];
      const points = fieldArray(frame.data.points) as Float32Array;
      const instance = fieldArray(frame.data.instance) as Uint32Array;
      const byActor = new Map<number, number[][]>();
      for (let k = 0; k < instance.length; k++) {
        if (instance[k] === 0) continue;
        const [x, y, z] = [points[k * 4], points[k * 4 + 1], points[k * 4 + 2]];
        const cam = [0, 1, 2].map((r) => tr[r * 4] * x + tr[r * 4 + 1] * y + tr[r * 4 + 2] * z + tr[r * 4 + 3]);
        if (!byActor.has(instance[k])) byActor.set(instance[k], []);
        byActor.get(instance[k])!.push(cam);
      }
      for (const [, cloud] of byActor) {
        // The actor's label: the one box that holds its points (in front of the camera only).
        if (cloud.every((c) => c[2] <= 0.5)) continue;
        const inside = (label: string[], c: number[]): boolean => {
          const [h, w, l, x, y, z, ry] = label.slice(8, 15).map(Number);
          const dx = c[0] - x, dz = c[2] - z;
          // Into the box frame: rotation ry about the camera's y axis (pointing down).
          const u = Math.cos(ry) * dx - Math.sin(ry) * dz;
          const v = Math.sin(ry) * dx + Math.cos(ry) * dz;
          return Math.abs(u) <= l / 2 + 0.02 && Math.abs(v) <= w / 2 + 0.02 && c[1] <= y + 0.02 && c[1] >= y - h - 0.02;
        };
        const label = labels.find((lab) => cloud.filter((c) => inside(lab, c)).length > cloud.length / 2);
        if (!label) continue; // an actor the camera does not see has no label
        expect(cloud.every((c) => inside(label, c))).toBe(true);
        expect(['Car', 'Van', 'Truck', 'Pedestrian', 'Cyclist', 'Misc']).toContain(label[0]);
        // Its points the camera sees too (its depth image agrees, 5 cm, at the pixel or one beside)
        // project inside the label's 2D box, the bounds of its visible pixels. The LiDAR, higher up,
        // sees past things that hide part of a parked car from the camera: those points may not.
        const [x0, y0, x1, y1] = label.slice(4, 8).map(Number);
        const depth = fieldArray(cameras[i].data.depth) as Float32Array;
        const seen = (u: number, v: number, z: number): boolean => {
          for (let dv = -1; dv <= 1; dv++) {
            for (let du = -1; du <= 1; du++) {
              const uu = Math.round(u) + du, vv = Math.round(v) + dv;
              if (uu >= 0 && uu < 320 && vv >= 0 && vv < 180 && Math.abs(depth[vv * 320 + uu] - z) < 0.05) return true;
            }
          }
          return false;
        };
        for (const c of cloud) {
          if (c[2] <= 0.5) continue;
          const u = (p2[0] * c[0] + p2[2] * c[2]) / c[2];
          const v = (p2[5] * c[1] + p2[6] * c[2]) / c[2];
          if (u < 0 || u > 319 || v < 0 || v > 179 || !seen(u, v, c[2])) continue;
          expect(u).toBeGreaterThanOrEqual(x0 - 1.5);
          expect(u).toBeLessThanOrEqual(x1 + 1.5);
          expect(v).toBeGreaterThanOrEqual(y0 - 1.5);
          expect(v).toBeLessThanOrEqual(y1 + 1.5);
        }
        checkedActors++;
      }
    }
    // The lead car is ahead of the ego in every sample.
    expect(checkedActors).toBeGreaterThanOrEqual(5);
  });
});

describe('KITTI labels, by hand', () => {
  // Everyone stands still on the bundled straight road; the cars are given the size the hand
  // computations below assume (4.6 x 1.85 x 1.5 m) rather than a drawn one (along +x, lane -1's centre at y = -1.75,
  // lane 1's at +1.75, lane -2 the 2 m sidewalk beyond it). The camera sits on the ego's
  // footprint centre 0.75 m up, level, looking along +x: camera x = -world y, y = -world z,
  // z = world x, relative to it.
  const scenario = join(dir, 'still.yaml');
  const rig = join(dir, 'still-rig.yaml');
  const stillRecording = join(dir, 'still.mcap');
  const front = join(dir, 'kitti-front');
  const rear = join(dir, 'kitti-rear');
  const labelsOf = (folder: string): string[][] => readFileSync(join(folder, 'label_2', '000000.txt'), 'utf8').trim().split('\n').filter(Boolean).map((l) => l.split(' '));

  beforeAll(() => {
    writeFileSync(scenario, [
      'name: still',
      `map: ${join(process.cwd(), 'maps', 'straight_two_lane.xodr')}`,
      'duration: 0.2',
      'step: 0.01',
      'seed: 1',
      'buildings: 0',
      'actors:',
      '  - { id: ego, kind: car, ego: true, road: "1", lane: -1, s: 100, speed: 0, dimensions: &car { length: 4.6, width: 1.85, height: 1.5 } }',
      '  - { id: beside, kind: car, road: "1", lane: 1, s: 102, speed: 0, dimensions: *car }',
      '  - { id: walker, kind: pedestrian, road: "1", lane: -2, s: 112, speed: 0 }',
      '  - { id: ahead, kind: car, road: "1", lane: -1, s: 125, speed: 0, dimensions: *car }',
      '  - { id: behind, kind: car, road: "1", lane: -1, s: 85, speed: 0, dimensions: *car }',
      '',
    ].join('\n'));
    writeFileSync(rig, [
      'sensors:',
      '  - { name: top, type: lidar, rate: 10, channels: 32, fov: { lower: -20, upper: 10 }, horizontal: { resolution: 0.4 }, range: { max: 80 }, mount: { z: 1.9 }, motion_distortion: false }',
      '  - { name: front, type: camera, rate: 10, width: 640, height: 360, fov: 90, mount: { z: 0.75 }, outputs: [rgb, instance] }',
      '  - { name: rear, type: camera, parent: ahead, rate: 10, width: 640, height: 360, fov: 90, mount: { z: 0.75, yaw: 180 }, outputs: [rgb, instance] }',
      '',
    ].join('\n'));
    const run = spawnSync(process.execPath, [CLI, 'run', scenario, '--rig', rig, '--record', stillRecording], { encoding: 'utf8' });
    expect(run.stderr).toBe('');
    for (const [camera, folder] of [['camera/front', front], ['camera/rear', rear]]) {
      const result = spawnSync(process.execPath, [CLI, 'export', stillRecording, '--format', 'kitti', '--camera', camera, '--out', folder], { encoding: 'utf8' });
      expect(result.stderr).toBe('');
    }
  });

  it('puts each bottom centre on the ground where it stands, in the camera frame: a sidewalk is 15 cm up', () => {
    const labels = labelsOf(front);
    const at = (x: number): string[] | undefined => labels.find((l) => Math.abs(Number(l[11]) - x) < 0.005 && l[0] !== 'DontCare');
    // The car ahead: 25 m on, on the road 0.75 m below the camera; 4.6 m long, along camera z.
    expect(at(0)!.slice(8, 15)).toEqual(['1.50', '1.85', '4.60', '0.00', '0.75', '25.00', '-1.57']);
    // The pedestrian on the sidewalk: 12 m on, 2.75 m right, standing 0.15 m up on the kerb.
    const walker = at(2.75)!;
    expect(walker[0]).toBe('Pedestrian');
    expect(walker.slice(11, 14)).toEqual(['2.75', '0.60', '12.00']);
  });

  it('gives a car reaching past the camera the share of its box out of view, and a 2D box clipped to the image', () => {
    const beside = labelsOf(front).find((l) => l[11] === '-3.50')!;
    expect(beside.slice(11, 14)).toEqual(['-3.50', '0.75', '2.00']);
    // Out of view: all but the triangle of its footprint beyond the 45 deg edge ray x = -y, whose
    // legs are 4.3 - 2.575 = 1.725 m (its nearest side is 2.575 m out, its front 4.3 m ahead).
    const inView = (1.725 * 1.725) / 2 / (4.6 * 1.85);
    expect(Number(beside[1])).toBeCloseTo(1 - inView, 2);
    expect(beside[4]).toBe('0.00');
  });

  it('labels no one it cannot see, keeps every 2D box in the image, and marks the LiDAR\'s own car DontCare', () => {
    for (const folder of [front, rear]) {
      const labels = labelsOf(folder);
      for (const l of labels) {
        const [x0, y0, x1, y1] = l.slice(4, 8).map(Number);
        expect(x0).toBeGreaterThanOrEqual(0);
        expect(y0).toBeGreaterThanOrEqual(0);
        expect(x1).toBeLessThanOrEqual(639);
        expect(y1).toBeLessThanOrEqual(359);
        if (l[0] === 'DontCare') continue;
        expect(Number(l[1])).toBeLessThan(1);
        expect(Number(l[13])).toBeGreaterThan(0);
      }
    }
    // The car behind the ego is wholly outside the front camera's view: of the two in the ego's
    // lane only the one ahead is labelled, and nothing is DontCare.
    expect(labelsOf(front).filter((l) => l[11] === '0.00').map((l) => l[13])).toEqual(['25.00']);
    expect(labelsOf(front).filter((l) => l[0] === 'DontCare')).toHaveLength(0);
    // Looking back from the car ahead, the ego (the LiDAR's own car, which its ground truth leaves
    // out) is seen but unlabelled; the car beside it, 23 m away, is labelled from the LiDAR's boxes.
    const back = labelsOf(rear);
    const dontCare = back.filter((l) => l[0] === 'DontCare');
    expect(dontCare).toHaveLength(1);
    expect(dontCare[0].slice(8)).toEqual(['-1', '-1', '-1', '-1000', '-1000', '-1000', '-10']);
    // The ego, 25 m back, straight behind: its 2D box straddles the image centre column.
    const [x0, , x1] = dontCare[0].slice(4, 8).map(Number);
    expect(x0).toBeLessThan(319.5);
    expect(x1).toBeGreaterThan(319.5);
    expect(back.find((l) => l[0] === 'Car' && l[13] === '23.00')!.slice(11, 14)).toEqual(['3.50', '0.75', '23.00']);
  });
});
