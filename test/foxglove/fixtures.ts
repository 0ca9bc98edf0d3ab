import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'vitest';
import { fieldArray, type Frame } from '../../src/core/frame.js';

/** A small rig with every kind the Foxglove side converts: LiDAR, radar, IMU, GNSS, ground truth. */
export function smallRig(): string {
  const dir = mkdtempSync(join(tmpdir(), 'roadcast-foxglove-'));
  const file = join(dir, 'rig.yaml');
  writeFileSync(file, `sensors:
  - { name: top, type: lidar, parent: ego, mount: { z: 1.9 }, rate: 10, channels: 8, fov: { lower: -15, upper: 5 }, horizontal: { resolution: 2 }, range: { max: 80 } }
  - { name: front, type: radar, preset: long-range, mount: { x: 2.3, z: 0.5 } }
  - { name: imu, type: imu, rate: 20 }
  - { name: gnss, type: gnss, rate: 10, origin: { latitude: 57.7, longitude: 11.97, altitude: 12 } }
  - { name: actors, type: ground_truth, rate: 10 }
`);
  return file;
}

export interface Decoded {
  topic: string;
  timeNs: number;
  message: Record<string, any>;
}

const stamp = (t: { sec: number; nsec: number }): number => t.sec * 1e9 + t.nsec;
/** JSON has no negative zero: compare numbers with -0 read as 0. */
const z = (values: ArrayLike<number>): number[] => Array.from(values, (v) => v + 0);

/**
 * Checks the Foxglove messages against the roadcast frames they came from: every value that
 * was carried over must be equal (point bytes exactly, boxes and poses to the float).
 */
export function expectMatchesFrames(frames: Frame[], messages: Decoded[]): void {
  const byTopicTime = new Map<string, Decoded[]>();
  for (const m of messages) {
    const key = `${m.topic}@${m.timeNs}`;
    byTopicTime.set(key, [...(byTopicTime.get(key) ?? []), m]);
  }
  const one = (topic: string, timeNs: number): Decoded => {
    const found = byTopicTime.get(`${topic}@${timeNs}`) ?? [];
    expect(found, `${topic} at ${timeNs}`).toHaveLength(1);
    return found[0];
  };
  const kinds = new Set<string>();
  for (const frame of frames) {
    kinds.add(frame.kind);
    if (frame.frame_id !== 'world') {
      const tf = (byTopicTime.get(`tf@${frame.t_ns}`) ?? []).filter((m) => m.message.child_frame_id === frame.frame_id);
      expect(tf, `transform of ${frame.topic} at ${frame.t_ns}`).toHaveLength(1);
      const t = tf[0].message;
      expect(t.parent_frame_id).toBe('world');
      expect(stamp(t.timestamp)).toBe(frame.t_ns);
      expect(z([t.translation.x, t.translation.y, t.translation.z])).toEqual(z(frame.pose.p));
      expect(z([t.rotation.x, t.rotation.y, t.rotation.z, t.rotation.w])).toEqual(z(frame.pose.q));
    }
    switch (frame.kind) {
      case 'lidar': {
        const cloud = one(frame.topic, frame.t_ns).message;
        expect(stamp(cloud.timestamp)).toBe(frame.t_ns);
        expect(cloud.frame_id).toBe(frame.frame_id);
        expect(cloud.point_stride).toBe(16);
        expect(cloud.fields).toEqual(['x', 'y', 'z', 'intensity'].map((name, i) => ({ name, offset: i * 4, type: 7 })));
        const bytes = Buffer.from(cloud.data, 'base64');
        expect(bytes.byteLength / 16).toBe(frame.fields.point_count);
        expect(bytes.equals(Buffer.from(frame.data.points.bytes))).toBe(true);
        break;
      }
      case 'radar': {
        const cloud = one(frame.topic, frame.t_ns).message;
        expect(cloud.point_stride).toBe(24);
        const packed = new Float32Array(new Uint8Array(Buffer.from(cloud.data, 'base64')).buffer);
        const xyz = fieldArray(frame.data.xyz);
        const detections = fieldArray(frame.data.detections);
        const n = frame.data.xyz.shape[0];
        expect(packed.length).toBe(n * 6);
        for (let i = 0; i < n; i++) {
          expect(z(packed.subarray(i * 6, i * 6 + 3))).toEqual(z(xyz.subarray(i * 3, i * 3 + 3)));
          expect(packed[i * 6 + 3] + 0).toBe(detections[i * 6 + 3] + 0);
        }
        break;
      }
      case 'ground_truth': {
        const update = one(frame.topic, frame.t_ns).message;
        const boxes = fieldArray(frame.data.boxes);
        const ids = frame.fields.actor_ids as string[];
        expect(update.deletions).toEqual([{ timestamp: update.deletions[0].timestamp, type: 1, id: '' }]);
        expect(update.entities.map((e: { id: string }) => e.id)).toEqual(ids);
        update.entities.forEach((entity: any, i: number) => {
          const b = Array.from(boxes.subarray(i * 10, i * 10 + 10));
          const cube = entity.cubes[0];
          expect(entity.frame_id).toBe('world');
          expect(z([cube.pose.position.x, cube.pose.position.y, cube.pose.position.z])).toEqual(z(b.slice(0, 3)));
          expect(z([cube.pose.orientation.x, cube.pose.orientation.y, cube.pose.orientation.z, cube.pose.orientation.w])).toEqual(z(b.slice(3, 7)));
          expect(z([cube.size.x, cube.size.y, cube.size.z])).toEqual(z(b.slice(7, 10)));
          expect(entity.texts[0].text).toBe(`${ids[i]} (${(frame.fields.kinds as string[])[i]})`);
        });
        break;
      }
      case 'gnss': {
        const fix = one(frame.topic, frame.t_ns).message;
        expect(z([fix.latitude, fix.longitude, fix.altitude])).toEqual(z(fieldArray(frame.data.latitude_longitude_altitude)));
        break;
      }
      case 'imu': {
        const imu = one(frame.topic, frame.t_ns).message;
        const a = Array.from(fieldArray(frame.data.linear_acceleration));
        expect(z([imu.linear_acceleration.x, imu.linear_acceleration.y, imu.linear_acceleration.z])).toEqual(z(a));
        break;
      }
      case 'events': {
        const logs = byTopicTime.get(`${frame.topic}@${frame.t_ns}`) ?? [];
        expect(logs.map((l) => l.message.message)).toEqual(frame.fields.events);
        break;
      }
    }
  }
  expect([...kinds].sort()).toEqual(expect.arrayContaining(['ground_truth', 'gnss', 'imu', 'lidar', 'radar']));
  // The radar saw something (the lead car), so its values were compared, not just its count.
  expect(frames.some((f) => f.kind === 'radar' && f.data.xyz.shape[0] > 0)).toBe(true);
}
