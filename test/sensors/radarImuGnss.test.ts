import { describe, expect, it } from 'vitest';
import { fieldArray } from '../../src/core/frame.js';
import { quatFromRollPitchYaw, rotationMatrix } from '../../src/core/pose.js';
import { Random } from '../../src/core/Random.js';
import { boxesInSensorFrame } from '../../src/sensors/boxesInSensorFrame.js';
import { Gnss } from '../../src/sensors/Gnss.js';
import { GRAVITY, Imu } from '../../src/sensors/Imu.js';
import { Lidar } from '../../src/sensors/Lidar.js';
import { Radar } from '../../src/sensors/Radar.js';
import { type GnssConfig, type ImuConfig, type LidarConfig, type RadarConfig } from '../../src/sensors/Rig.js';
import type { ActorState } from '../../src/sim/WorldState.js';
import { sensorConfig, car, worldWith } from './radarScene.js';

const sensor = <T>(yaml: string): T => sensorConfig<T>(yaml, 's');
const actor = car;

describe('radar', () => {
  const config = (): RadarConfig => sensor<RadarConfig>('type: radar\npreset: long-range\nmount: { x: 2, z: 0.5 }');

  it('measures the closing speed of a head-on target as a negative range rate at its range and bearing', () => {
    const ego = actor('ego', 1, 0, 0, 0, [10, 0, 0]);
    const target = actor('car', 2, 60, 0, Math.PI, [-5, 0, 0]);
    const { world, state } = worldWith([ego, target]);
    const frame = new Radar(config(), new Random(1)).capture(world, ego, state, 0);
    const table = fieldArray(frame.data.detections) as Float32Array;
    const instance = fieldArray(frame.data.instance) as Uint32Array;
    const onTarget = [...instance.keys()].filter((i) => instance[i] === 2);
    expect(onTarget.length).toBeGreaterThan(0);
    for (const i of onTarget) {
      const [range, azimuth, , radialVelocity, rcsDb, snrDb] = table.subarray(i * 6, i * 6 + 6);
      // Returns come from the target's front (60 - 2.3 m) back to its cabin's front (60 - 1.0 m);
      // the radar sits 2 m forward of the ego's origin.
      expect(range).toBeGreaterThan(60 - 2.3 - 2 - 0.05);
      expect(range).toBeLessThan(60 - 1.0 - 2 + 0.05);
      expect(Math.abs(azimuth)).toBeLessThan(2 * (Math.PI / 180));
      // Range rate = (target - sensor velocity) . line of sight = -15 cos(bearing).
      expect(radialVelocity).toBeCloseTo(-15 * Math.cos(azimuth), 2);
      expect(snrDb).toBeGreaterThanOrEqual(10);
      expect(Number.isFinite(rcsDb)).toBe(true);
    }
  });

  it('sees no range rate for a crossing target at its closest point, beyond the bearing of each return', () => {
    const ego = actor('ego', 1, 0, 0, 0, [0, 0, 0]);
    const target = actor('car', 2, 40, 0, Math.PI / 2, [0, 12, 0]);
    const { world, state } = worldWith([ego, target]);
    const frame = new Radar(config(), new Random(1)).capture(world, ego, state, 0);
    const table = fieldArray(frame.data.detections) as Float32Array;
    const instance = fieldArray(frame.data.instance) as Uint32Array;
    const velocities: number[] = [];
    for (let i = 0; i < instance.length; i++) {
      if (instance[i] !== 2) continue;
      const azimuth = table[i * 6 + 1];
      const radialVelocity = table[i * 6 + 3];
      // Moving along +y seen from the origin: range rate 12 sin(bearing), 0 dead ahead.
      expect(radialVelocity).toBeCloseTo(12 * Math.sin(azimuth), 2);
      velocities.push(radialVelocity);
    }
    expect(velocities.length).toBeGreaterThan(0);
    expect(Math.min(...velocities.map(Math.abs))).toBeLessThan(0.25);
  });

  it('adds seeded false alarms, flagged, the same for the same seed', () => {
    const base = config();
    const noisy = { ...base, falseAlarmRate: 3 };
    const ego = actor('ego', 1, 0, 0, 0, [0, 0, 0]);
    const { world, state } = worldWith([ego]);
    const a = new Radar(noisy, new Random(9)).capture(world, ego, state, 0);
    const b = new Radar(noisy, new Random(9)).capture(world, ego, state, 0);
    expect(Buffer.from(a.data.detections.bytes).equals(Buffer.from(b.data.detections.bytes))).toBe(true);
    const flags = fieldArray(a.data.false_alarm) as Uint8Array;
    const instance = fieldArray(a.data.instance) as Uint32Array;
    const alarms = [...flags.keys()].filter((i) => flags[i] === 1);
    expect(alarms.length).toBeGreaterThan(0);
    for (const i of alarms) expect(instance[i]).toBe(0);
    // The real detections come first, strongest first; the false alarms are appended.
    expect(alarms).toEqual(Array.from({ length: alarms.length }, (_, k) => flags.length - alarms.length + k));
  });
});

describe('IMU and GNSS', () => {
  it('an IMU at rest reads gravity up and no rotation; a turning, braking car reads its deceleration and yaw rate', () => {
    const imu = new Imu(sensor<ImuConfig>('type: imu'), new Random(1));
    const still = actor('ego', 1, 5, 5, 0.3, [0, 0, 0]);
    const rest = imu.capture(still, still, 0.01, 0);
    expect(Array.from(fieldArray(rest.data.linear_acceleration))).toEqual([0, 0, GRAVITY].map((x) => expect.closeTo(x, 12)));
    expect(Array.from(fieldArray(rest.data.angular_velocity))).toEqual([0, 0, 0].map((x) => expect.closeTo(x, 12)));
    // Heading 0, braking from 10 to 9.95 m/s in 10 ms while yawing 0.002 rad: -5 m/s^2, 0.2 rad/s.
    const a = actor('ego', 1, 0, 0, 0, [10, 0, 0]);
    const b = actor('ego', 1, 0.1, 0, 0.002, [9.95, 0, 0]);
    const moving = imu.capture(a, b, 0.01, 0);
    const accel = fieldArray(moving.data.linear_acceleration);
    expect(accel[0]).toBeCloseTo(-5, 9);
    expect(accel[2]).toBeCloseTo(GRAVITY, 9);
    expect(fieldArray(moving.data.angular_velocity)[2]).toBeCloseTo(0.2, 9);
  });

  it('GNSS turns metres east and north of the origin into latitude and longitude on WGS84', () => {
    const gnss = new Gnss(sensor<GnssConfig>('type: gnss\norigin: { latitude: 0, longitude: 0, altitude: 0 }'), new Random(1));
    const north = fieldArray(gnss.capture(actor('ego', 1, 0, 1000, 0, [0, 0, 0]), 0).data.latitude_longitude_altitude);
    // Meridian radius of curvature at the equator: a (1 - e^2) = 6335439.327 m.
    expect(north[0]).toBeCloseTo((1000 / 6335439.327) * (180 / Math.PI), 9);
    expect(north[1]).toBeCloseTo(0, 12);
    const east = fieldArray(gnss.capture(actor('ego', 1, 1000, 0, 0, [0, 0, 0]), 0).data.latitude_longitude_altitude);
    // Along the equator: a = 6378137 m; the tangent plane drops below the sphere by d^2 / 2a.
    expect(east[1]).toBeCloseTo((Math.atan(1000 / 6378137)) * (180 / Math.PI), 9);
    expect(east[2]).toBeCloseTo(1000 ** 2 / (2 * 6378137), 4);
  });
});

describe('ground truth in the LiDAR frame', () => {
  it('gives each actor\'s box in the sensor frame and the number of points that hit it', () => {
    const config = sensor<LidarConfig>('type: lidar\nchannels: 8\nfov: { lower: -10, upper: 4 }\nhorizontal: { resolution: 0.5 }\nrate: 10\nrange: { max: 80 }\nmount: { z: 1.8 }\nmotion_distortion: false');
    const ego = actor('ego', 1, 0, 0, Math.PI / 2, [0, 0, 0]);
    const car = actor('car', 2, 0, 12, Math.PI / 2, [0, 0, 0]);
    const { world, state } = worldWith([ego, car]);
    const frame = new Lidar(config, new Random(1)).capture(world, ego, 0, state.actors);
    const boxes = Array.from(fieldArray(frame.data.gt_boxes));
    // The car is 12 m ahead of the ego (both face +y): in the sensor frame x = 12, z = 0.75 - 1.8.
    expect(boxes.slice(0, 3)).toEqual([12, 0, 0.75 - 1.8].map((x) => expect.closeTo(x, 5)));
    expect(boxes.slice(3, 7)).toEqual([0, 0, 0, 1].map((x) => expect.closeTo(x, 6)));
    expect(boxes.slice(7)).toEqual([4.6, 1.85, 1.5].map((x) => expect.closeTo(x, 6)));
    expect(Array.from(fieldArray(frame.data.gt_instance_ids))).toEqual([2]);
    // Points inside the box (hits on the car, and on the ground under its body), counted by hand.
    const points = fieldArray(frame.data.points) as Float32Array;
    let inside = 0;
    for (let i = 0; i < points.length / 4; i++) {
      const [x, y, z] = [points[i * 4], points[i * 4 + 1], points[i * 4 + 2]];
      if (Math.abs(x - 12) <= 2.3 + 1e-3 && Math.abs(y) <= 0.925 + 1e-3 && z >= -1.8 - 1e-3 && z <= -0.3 + 1e-3) inside++;
    }
    expect(inside).toBeGreaterThan(10);
    expect(Array.from(fieldArray(frame.data.gt_point_counts))).toEqual([inside]);
  });

  it('counts the points in each of many boxes as a scan of every point against every box does', () => {
    const random = new Random(4);
    const points = new Float32Array(4 * 60_000);
    for (let i = 0; i < points.length; i += 4) points.set([random.uniform(-90, 90), random.uniform(-90, 90), random.uniform(-4, 0), 0], i);
    // Forty cars and vans at random places and headings, some beyond the points, tilted a little.
    const actors = Array.from({ length: 40 }, (_, k) => {
      const yaw = random.uniform(-Math.PI, Math.PI), pitch = random.uniform(-0.1, 0.1);
      const a = actor(`a${k}`, k + 1, random.uniform(-100, 100), random.uniform(-100, 100), yaw, [0, 0, 0]);
      return { ...a, kind: k % 2 ? 'van' : 'car', box: k % 2 ? { length: 5.3, width: 2, height: 2.2 } : a.box, pose: { p: [a.pose.p[0], a.pose.p[1], random.uniform(-2, 0)], q: quatFromRollPitchYaw(0, pitch, yaw) } } as ActorState;
    });
    const sensor = { p: [3, -2, 1.8], q: quatFromRollPitchYaw(0.02, -0.03, 0.4) };
    const counts = Array.from(fieldArray(boxesInSensorFrame(sensor, actors, points).gt_point_counts));
    // By hand: each point into the world (sensor pose), then into each box's frame.
    const rs = rotationMatrix(sensor.q);
    const expected = actors.map((a) => {
      const r = rotationMatrix(a.pose.q);
      const half = [a.box.length / 2, a.box.width / 2, a.box.height / 2];
      const centre = [0, 1, 2].map((i) => a.pose.p[i] + r[i * 3 + 2] * half[2]);
      let n = 0;
      for (let i = 0; i < points.length; i += 4) {
        const w = [0, 1, 2].map((row) => sensor.p[row] + rs[row * 3] * points[i] + rs[row * 3 + 1] * points[i + 1] + rs[row * 3 + 2] * points[i + 2] - centre[row]);
        if ([0, 1, 2].every((axis) => Math.abs(r[axis] * w[0] + r[3 + axis] * w[1] + r[6 + axis] * w[2]) <= half[axis])) n++;
      }
      return n;
    });
    expect(expected.filter((n) => n > 0).length).toBeGreaterThan(20);
    expect(counts).toEqual(expected);
  });
});
