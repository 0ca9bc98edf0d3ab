import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { fieldArray, type Frame } from '../../src/core/frame.js';
import { rotationMatrix } from '../../src/core/pose.js';
import { classId } from '../../src/core/semantic.js';
import { frameMessages } from '../../src/io/foxglove/messages.js';
import { exportKitti } from '../../src/io/KittiExport.js';
import { isSignalInstance } from '../../src/world/roadside/SignalHeads.js';
import { runScenario } from '../../src/run/runScenario.js';
import { McapRecorder } from '../../src/io/McapRecorder.js';
import { loadScenario } from '../../src/scenario/loadScenario.js';
import { drawActorBuild } from '../../src/sim/BodyStyles.js';
import { loadRig } from '../../src/sensors/Rig.js';
import { planRoadside } from '../../src/world/RoadsideDressing.js';

/**
 * The bundled town's default scenario, one second of it, with a KITTI-like rig: every object
 * the sensors see, the roadside's parked cars included, is an actor with an instance id and a
 * ground-truth box, in the LiDAR frames, the ground truth, KITTI labels and Foxglove.
 */
const dir = mkdtempSync(join(tmpdir(), 'roadcast-roadside-'));
const recording = join(dir, 'town.mcap');
const kitti = join(dir, 'kitti');
const scenario = loadScenario('scenarios/default.yaml');
const plan = planRoadside(scenario.network, scenario.seed, { buildings: scenario.buildings });
const frames: Frame[] = [];
/** A parked car's drawn length, width and height. */
const sizeOf = (id: string): [number, number, number] => {
  const build = drawActorBuild(scenario.seed, id, 'parked_car');
  return [build.length, build.width, build.height];
};
const OBJECT_CLASSES = new Set(['vehicle', 'truck', 'bus', 'pedestrian', 'bicycle', 'rider'].map(classId));

beforeAll(async () => {
  const rigFile = join(dir, 'rig.yaml');
  writeFileSync(rigFile, [
    'sensors:',
    '  - { name: top, type: lidar, preset: hdl-64e, mount: { z: 1.9 }, motion_distortion: false }',
    '  - { name: front, type: camera, rate: 10, width: 640, height: 360, fov: 90, mount: { x: 1.5, z: 1.6, pitch: 2 }, outputs: [rgb, semantic, instance] }',
    '  - { name: actors, type: ground_truth, rate: 10 }',
    '',
  ].join('\n'));
  const recorder = await McapRecorder.open(recording);
  await runScenario({ scenario, rig: loadRig(rigFile), duration: 1, threads: 1, sinks: [recorder, { write: (frame) => void frames.push(frame) }] });
  await recorder.close();
  await exportKitti({ file: recording, outDir: kitti });
}, 120_000);

const ofTopic = (topic: string): Frame[] => frames.filter((f) => f.topic === topic);

describe('roadside parked cars on the bundled town', () => {
  it('are static actors after the scenario\'s, in every ground-truth frame and Foxglove scene update', () => {
    expect(plan.parkedCars.length).toBeGreaterThan(10);
    const truths = ofTopic('ground_truth/actors');
    expect(truths).toHaveLength(10);
    for (const frame of truths) {
      const ids = frame.fields.actor_ids as string[];
      const kinds = frame.fields.kinds as string[];
      const instances = fieldArray(frame.data.instance_ids) as Uint32Array;
      const boxes = fieldArray(frame.data.boxes) as Float64Array;
      expect(ids.slice(0, 4)).toEqual(['ego', 'lead', 'oncoming', 'walker']);
      plan.parkedCars.forEach((car, k) => {
        const i = 4 + k;
        expect([ids[i], kinds[i], instances[i]]).toEqual([car.id, 'parked_car', 5 + k]);
        // Box centre half the car's height above where it stands (the town is flat); the car's drawn size.
        const size = sizeOf(car.id);
        expect(Array.from(boxes.subarray(i * 10, i * 10 + 3))).toEqual([car.x, car.y, car.z + size[2] / 2].map((v) => expect.closeTo(v, 9)));
        expect(Array.from(boxes.subarray(i * 10 + 7, i * 10 + 10))).toEqual(size.map((v) => expect.closeTo(v, 6)));
      });
      const entities = (frameMessages(frame)[0].message as { entities: { id: string; cubes: { size: object }[] }[] }).entities;
      for (const car of plan.parkedCars) {
        const [x, y, z] = sizeOf(car.id);
        expect(entities.find((e) => e.id === car.id)!.cubes[0].size).toEqual({ x: expect.closeTo(x, 6), y: expect.closeTo(y, 6), z: expect.closeTo(z, 6) });
      }
    }
  });

  it('every LiDAR point on a vehicle, pedestrian or cyclist carries an instance id the frame boxes, and lies in that box', () => {
    let objectPoints = 0, parkedPoints = 0;
    const wrong: string[] = [];
    for (const frame of ofTopic('lidar/top')) {
      const points = fieldArray(frame.data.points) as Float32Array;
      const semantic = fieldArray(frame.data.semantic) as Uint8Array;
      const instance = fieldArray(frame.data.instance) as Uint32Array;
      const boxes = fieldArray(frame.data.gt_boxes) as Float32Array;
      const ids = Array.from(fieldArray(frame.data.gt_instance_ids) as Uint32Array);
      const counts = fieldArray(frame.data.gt_point_counts) as Uint32Array;
      const perBox = new Map<number, number>();
      for (let k = 0; k < semantic.length; k++) {
        if (!OBJECT_CLASSES.has(semantic[k])) continue;
        objectPoints++;
        const id = instance[k];
        const i = ids.indexOf(id);
        if (id === 0 || i < 0) {
          wrong.push(`seq ${frame.seq} point ${k}: class ${semantic[k]}, instance ${id}, not boxed`);
          continue;
        }
        if (id > 4) parkedPoints++;
        // Into the box's frame by hand: R^T (p - c), within its half sizes (+2 cm).
        const b = boxes.subarray(i * 10, i * 10 + 10);
        const r = rotationMatrix([b[3], b[4], b[5], b[6]]);
        const d = [points[k * 4] - b[0], points[k * 4 + 1] - b[1], points[k * 4 + 2] - b[2]];
        for (let axis = 0; axis < 3; axis++) {
          if (Math.abs(r[axis] * d[0] + r[3 + axis] * d[1] + r[6 + axis] * d[2]) > b[7 + axis] / 2 + 0.02) wrong.push(`seq ${frame.seq} point ${k} outside box ${id}`);
        }
        perBox.set(i, (perBox.get(i) ?? 0) + 1);
      }
      for (const [i, n] of perBox) expect(counts[i]).toBeGreaterThanOrEqual(n);
    }
    expect(wrong.slice(0, 5)).toEqual([]);
    // Thousands of points a sweep on the parked cars, which used to be scenery with instance 0.
    expect(parkedPoints).toBeGreaterThan(10 * 2000);
    expect(objectPoints).toBeGreaterThan(parkedPoints);
  });

  it('the camera sees no vehicle or person pixel without an instance, and KITTI labels every parked car it sees where it stands', () => {
    const cameras = ofTopic('camera/front');
    expect(cameras).toHaveLength(10);
    let labelled = 0;
    cameras.forEach((camera, n) => {
      const semantic = fieldArray(camera.data.semantic) as Uint8Array;
      const instance = fieldArray(camera.data.instance) as Uint32Array;
      const pixels = new Map<number, number>();
      let unlabelled = 0;
      for (let k = 0; k < semantic.length; k++) {
        if (OBJECT_CLASSES.has(semantic[k]) && instance[k] === 0) unlabelled++;
        // The parked cars: the instances after the four moving actors (the town's lights have ids of their own, far above).
        if (instance[k] > 4 && !isSignalInstance(instance[k])) pixels.set(instance[k], (pixels.get(instance[k]) ?? 0) + 1);
      }
      expect(unlabelled).toBe(0);
      const labels = readFileSync(join(kitti, 'label_2', `${String(n).padStart(6, '0')}.txt`), 'utf8').trim().split('\n').map((l) => l.split(' '));
      expect(labels.some((l) => l[0] === 'DontCare')).toBe(false);
      // The optical frame from the world: R^T (p - c) with the camera frame's pose.
      const r = rotationMatrix(camera.pose.q);
      for (const [id] of pixels) {
        const car = plan.parkedCars[id - 5];
        const d = [car.x - camera.pose.p[0], car.y - camera.pose.p[1], car.z - camera.pose.p[2]];
        const expected = [0, 1, 2].map((axis) => (r[axis] * d[0] + r[3 + axis] * d[1] + r[6 + axis] * d[2]).toFixed(2));
        const label = labels.find((l) => l.slice(11, 14).every((v, a) => Math.abs(Number(v) - Number(expected[a])) <= 0.011));
        expect(label, `${car.id} in sample ${n}`).toBeDefined();
        // KITTI's order: height, width, length.
        const [length, width, height] = sizeOf(car.id);
        expect([label![0], ...label!.slice(8, 11)]).toEqual(['Car', height.toFixed(2), width.toFixed(2), length.toFixed(2)]);
        labelled++;
      }
    });
    expect(labelled).toBeGreaterThan(10);
  });

  it('labels the town\'s traffic lights in KITTI, each 3D box projecting onto the 2D box the camera measured', () => {
    const camera = ofTopic('camera/front')[0];
    const fx = Number(camera.fields.fx), fy = Number(camera.fields.fy), cx = Number(camera.fields.cx), cy = Number(camera.fields.cy);
    let checked = 0;
    for (let n = 0; n < 10; n++) {
      const labels = readFileSync(join(kitti, 'label_2', `${String(n).padStart(6, '0')}.txt`), 'utf8').trim().split('\n').map((l) => l.split(' '));
      for (const l of labels.filter((x) => x[0] === 'TrafficLight')) {
        const [truncated, occluded] = [Number(l[1]), Number(l[2])];
        const [x0, y0, x1, y1, h, w, len, x, y, z, ry] = l.slice(4).map(Number);
        // A head: 0.7 m (two lamps) or 1.0 m (three) tall, 0.35 or 0.45 m wide, 0.27 m deep with its lenses.
        expect([[0.7, 0.35], [1, 0.45]]).toContainEqual([h, w]);
        expect(len).toBe(0.27);
        if (truncated > 0 || occluded > 0) continue;
        // KITTI's devkit (computeBox3D): corners about the bottom centre, turned by ry about y, projected by P.
        const us: number[] = [], vs: number[] = [];
        for (const [a, b, c] of [[1, 0, 1], [1, 0, -1], [-1, 0, -1], [-1, 0, 1], [1, 1, 1], [1, 1, -1], [-1, 1, -1], [-1, 1, 1]]) {
          const px = (a * len) / 2, py = -b * h, pz = (c * w) / 2;
          const X = Math.cos(ry) * px + Math.sin(ry) * pz + x, Y = py + y, Z = -Math.sin(ry) * px + Math.cos(ry) * pz + z;
          us.push(cx + (fx * X) / Z);
          vs.push(cy + (fy * Y) / Z);
        }
        // The 2D box holds the pixels whose centres the head covers: inside the projection (labels' 2 decimals), and short
        // of it by at most one pixel on a side (two where a sliver under a tenth of the head, occluded level 0, is hidden).
        const [u0, u1, v0, v1] = [Math.min(...us), Math.max(...us), Math.min(...vs), Math.max(...vs)];
        for (const [inner, outer] of [[x0, u0], [y0, v0]]) expect(inner - outer).toBeGreaterThanOrEqual(-0.02);
        for (const [inner, outer] of [[x1, u1], [y1, v1]]) expect(outer - inner).toBeGreaterThanOrEqual(-0.02);
        for (const gap of [x0 - u0, u1 - x1, y0 - v0, v1 - y1]) expect(gap).toBeLessThanOrEqual(2);
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(3);
  });
});
