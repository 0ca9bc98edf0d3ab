import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { fieldArray, type Frame } from '../../src/core/frame.js';
import { rigidMatrix } from '../../src/core/pose.js';
import { readFrames } from '../../src/io/McapSource.js';
import { consumersAvailable, runPython } from '../pythonConsumers.js';

/**
 * `export --format ros2` and `run --record-format ros2`, read back by the ROS 2 tools Python
 * users have (rosbags, mcap-ros2-support, mcap): every message decodes, its values are the
 * recording's frames', and the transforms put every sensor where the frames say it was.
 */
const CLI = 'dist/cli/main.js';
const READER = readFileSync('test/io/consumers/readRos2Bag.py', 'utf8');
const dir = mkdtempSync(join(tmpdir(), 'roadcast-ros2-'));
const recording = join(dir, 'run.mcap');
const bag = join(dir, 'run.ros2.mcap');
const live = join(dir, 'live.ros2.mcap');
const available = consumersAvailable('rosbags', 'mcap', 'mcap_ros2', 'numpy');
const frames: Frame[] = [];

interface Decoded {
  topic: string; type: string; t: number; stamp?: number; frame_id?: string;
  [key: string]: unknown;
}
interface Read {
  messages: Decoded[];
  poses: { topic: string; stamp: number; root: string; body: string; matrix: number[] }[];
  definition_mismatches: unknown[];
  unchecked_types: string[];
  connections: { topic: string; type: string; count: number; qos: { reliability: number; durability: number; depth: number }[] }[];
  mcap_ros2_counts: Record<string, number>;
  profile: string; schema_encodings: string[]; message_encodings: string[]; channel_ids: number[]; qos_channels: string[];
  raw?: [string, number, string][]; other_raw?: [string, number, string][];
}
let read: Read;

const cli = (...args: string[]): ReturnType<typeof spawnSync> => spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8' });

beforeAll(async () => {
  const rig = join(dir, 'rig.yaml');
  // Small sensors, every kind; a radar turned on its mount and a camera on another actor.
  writeFileSync(rig, [
    'sensors:',
    '  - { name: top, type: lidar, rate: 10, channels: 8, fov: { lower: -15, upper: 5 }, horizontal: { resolution: 3 }, range: { max: 60 }, mount: { z: 1.9 }, no_return: keep }',
    '  - { name: front, type: camera, rate: 10, width: 48, height: 32, fov: 90, mount: { x: 1.5, z: 1.5, pitch: 2 }, outputs: [rgb, depth, semantic, instance] }',
    '  - { name: chase, type: camera, parent: lead, rate: 10, width: 32, height: 24, fov: 100, model: fisheye, distortion: { k1: 0.05 }, mount: { x: -2.5, z: 1.4, yaw: 180 }, outputs: [rgb] }',
    '  - { name: front_radar, type: radar, preset: long-range, mount: { x: 2.3, z: 0.5, yaw: 10 } }',
    '  - { name: imu, type: imu, rate: 50 }',
    '  - { name: gnss, type: gnss, rate: 10, origin: { latitude: 57.7, longitude: 11.97, altitude: 12 }, noise: { horizontal_std: 0.5, vertical_std: 1.0 } }',
    '  - { name: actors, type: ground_truth, rate: 10 }',
    '',
  ].join('\n'));
  const args = ['run', 'scenarios/straight-road.yaml', '--rig', rig, '--duration', '0.3', '--no-dressing'];
  const run = cli(...args, '--record', recording);
  expect(run.stderr).toBe('');
  const exported = cli('export', recording, '--format', 'ros2', '--out', bag);
  expect(exported.stderr).toBe('');
  expect(exported.status).toBe(0);
  const recorded = cli(...args, '--record', live, '--record-format', 'ros2');
  expect(recorded.stderr).toBe('');
  for await (const frame of readFrames(recording)) frames.push(frame);
  if (available) read = runPython(READER, [bag, live]) as Read;
}, 120_000);

const ns = (frame: Frame): number => frame.t_ns;
const sha256 = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');
const of = (topic: string): Decoded[] => read.messages.filter((m) => m.topic === topic);
const framesOf = (topic: string): Frame[] => frames.filter((f) => f.topic === topic);

describe.skipIf(!available)('roadcast export --format ros2, read by rosbags and mcap-ros2-support', () => {
  it('is a ROS 2 MCAP file: profile ros2, ros2msg schemas that are ROS 2 Humble\'s own definitions, CDR messages, QoS on every channel', () => {
    expect(read.profile).toBe('ros2');
    expect(read.schema_encodings).toEqual(['ros2msg']);
    expect(read.message_encodings).toEqual(['cdr']);
    expect(read.definition_mismatches).toEqual([]);
    // vision_msgs is not one of the interfaces rosbags keeps: its definitions are checked by decoding alone.
    expect(read.unchecked_types.sort()).toEqual(['vision_msgs/msg/BoundingBox3D', 'vision_msgs/msg/Detection3D', 'vision_msgs/msg/Detection3DArray', 'vision_msgs/msg/ObjectHypothesis', 'vision_msgs/msg/ObjectHypothesisWithPose']);
    expect(read.channel_ids[0]).toBe(1);
    expect(read.qos_channels.length).toBe(read.connections.length);
    const tfStatic = read.connections.find((c) => c.topic === '/tf_static')!;
    // Latched: reliable (1), transient local (1), as tf2's static broadcaster offers it.
    expect(tfStatic.qos).toEqual([{ reliability: 1, durability: 1, depth: 1 }]);
    const types = Object.fromEntries(read.connections.map((c) => [c.topic, c.type]));
    expect(types).toMatchObject({
      '/lidar/top': 'sensor_msgs/msg/PointCloud2', '/lidar/top/boxes': 'visualization_msgs/msg/MarkerArray',
      '/camera/front/image_raw': 'sensor_msgs/msg/Image', '/camera/front/depth': 'sensor_msgs/msg/Image',
      '/camera/front/semantic': 'sensor_msgs/msg/Image', '/camera/front/instance': 'sensor_msgs/msg/Image',
      '/camera/front/camera_info': 'sensor_msgs/msg/CameraInfo', '/camera/chase/image_raw': 'sensor_msgs/msg/Image',
      '/radar/front_radar': 'sensor_msgs/msg/PointCloud2', '/imu/imu': 'sensor_msgs/msg/Imu', '/gnss/gnss': 'sensor_msgs/msg/NavSatFix',
      '/ground_truth/actors': 'visualization_msgs/msg/MarkerArray', '/ground_truth/actors/detections': 'vision_msgs/msg/Detection3DArray',
      '/lidar/top/detections': 'vision_msgs/msg/Detection3DArray', '/tf': 'tf2_msgs/msg/TFMessage', '/tf_static': 'tf2_msgs/msg/TFMessage',
    });
    // mcap-ros2-support decodes every message rosbags does.
    const counts: Record<string, number> = {};
    for (const m of read.messages) counts[m.topic] = (counts[m.topic] ?? 0) + 1;
    expect(read.mcap_ros2_counts).toEqual(counts);
    // One message per frame on each sensor's topics; every message stamped with its frame's time.
    for (const [topic, ros] of [['lidar/top', '/lidar/top'], ['camera/front', '/camera/front/camera_info'], ['radar/front_radar', '/radar/front_radar'], ['imu/imu', '/imu/imu'], ['gnss/gnss', '/gnss/gnss'], ['ground_truth/actors', '/ground_truth/actors']]) {
      // A MarkerArray has no header of its own: its markers' stamps.
      const stamps = of(ros).map((m) => m.stamp ?? (m.markers as { stamp: number }[])[0].stamp);
      expect(stamps, ros).toEqual(framesOf(topic).map(ns));
      expect(of(ros).map((m) => m.t), ros).toEqual(framesOf(topic).map(ns));
    }
  });

  it('LiDAR sweeps: x y z intensity float32, ring uint16, time float32 seconds, labels, each point as recorded (no-returns flagged, not dense)', () => {
    const sweeps = framesOf('lidar/top');
    const clouds = of('/lidar/top');
    expect(sweeps.length).toBe(3);
    sweeps.forEach((frame, i) => {
      const cloud = clouds[i] as Decoded & { columns: Record<string, number[]>; fields: [string, number, number, number][]; width: number; is_dense: boolean };
      expect(cloud.frame_id).toBe('top');
      expect(cloud.fields.map((f) => [f[0], f[2]])).toEqual([['x', 7], ['y', 7], ['z', 7], ['intensity', 7], ['ring', 4], ['time', 7], ['instance', 6], ['semantic', 2], ['valid', 2]]);
      const points = fieldArray(frame.data.points) as Float32Array;
      expect(cloud.width).toBe(frame.data.points.shape[0]);
      const valid = Array.from(fieldArray(frame.data.valid));
      expect(cloud.columns.valid).toEqual(valid);
      // Rays into the sky return nothing: kept, flagged, and the cloud says it is not dense.
      expect(valid).toContain(0);
      expect(cloud.is_dense).toBe(false);
      ['x', 'y', 'z', 'intensity'].forEach((name, k) => expect(cloud.columns[name], name).toEqual(Array.from({ length: cloud.width }, (_, p) => points[p * 4 + k])));
      expect(cloud.columns.ring).toEqual(Array.from(fieldArray(frame.data.ring)));
      expect(cloud.columns.instance).toEqual(Array.from(fieldArray(frame.data.instance)));
      expect(cloud.columns.semantic).toEqual(Array.from(fieldArray(frame.data.semantic)));
      const offsets = Array.from(fieldArray(frame.data.time_offset_ns));
      expect(Math.max(...offsets)).toBeGreaterThan(0);
      expect(cloud.columns.time).toEqual(offsets.map((o) => Math.fround(o / 1e9)));
    });
  });

  it('camera images are the recorded bytes with ROS encodings, and CameraInfo holds the intrinsics', () => {
    const images = framesOf('camera/front');
    const encodings = { image_raw: ['rgb', 'rgb8', 3], depth: ['depth', '32FC1', 4], semantic: ['semantic', 'mono8', 1], instance: ['instance', '32SC1', 4] } as const;
    for (const [suffix, [field, encoding, bytes]] of Object.entries(encodings)) {
      of(`/camera/front/${suffix}`).forEach((m, i) => {
        expect(m).toMatchObject({ frame_id: 'front_optical', width: 48, height: 32, encoding, step: 48 * bytes, is_bigendian: 0 });
        expect(m.sha256, suffix).toBe(sha256(images[i].data[field].bytes));
      });
    }
    const f = images[0].fields;
    const info = of('/camera/front/camera_info')[0];
    expect(info).toMatchObject({ distortion_model: 'plumb_bob', d: [0, 0, 0, 0, 0], r: [1, 0, 0, 0, 1, 0, 0, 0, 1] });
    // 90 degrees across 48 px: fx = 24 / tan 45; the principal point at the centre, (W - 1) / 2.
    expect(info.k).toEqual([f.fx, 0, f.cx, 0, f.fy, f.cy, 0, 0, 1]);
    expect((info.k as number[])[0]).toBeCloseTo(24, 9);
    expect((info.k as number[])[2]).toBe(23.5);
    expect(info.p).toEqual([f.fx, 0, f.cx, 0, 0, f.fy, f.cy, 0, 0, 0, 1, 0]);
    // The fisheye camera: OpenCV's equidistant model, k1..k4.
    expect(of('/camera/chase/camera_info')[0]).toMatchObject({ distortion_model: 'equidistant', d: [0.05, 0, 0, 0] });
  });

  it('radar detections: x y z and the detection columns as float32, instance uint32', () => {
    const detections = framesOf('radar/front_radar');
    of('/radar/front_radar').forEach((m, i) => {
      const cloud = m as Decoded & { columns: Record<string, number[]>; width: number };
      const frame = detections[i];
      const n = frame.data.xyz.shape[0];
      expect(cloud.width).toBe(n);
      const xyz = fieldArray(frame.data.xyz) as Float32Array;
      const table = fieldArray(frame.data.detections) as Float32Array;
      ['x', 'y', 'z'].forEach((name, k) => expect(cloud.columns[name]).toEqual(Array.from({ length: n }, (_, p) => xyz[p * 3 + k])));
      (frame.fields.columns as string[]).forEach((name, k) => expect(cloud.columns[name], name).toEqual(Array.from({ length: n }, (_, p) => table[p * 6 + k])));
      expect(cloud.columns.instance).toEqual(Array.from(fieldArray(frame.data.instance)));
    });
  });

  it('IMU and GNSS: the measured values, the fix with its noise as a diagonal covariance', () => {
    const imus = framesOf('imu/imu');
    expect(imus.length).toBe(15);
    of('/imu/imu').forEach((m, i) => {
      expect(m.frame_id).toBe('imu');
      expect(m.orientation).toEqual(Array.from(fieldArray(imus[i].data.orientation)));
      expect(m.angular_velocity).toEqual(Array.from(fieldArray(imus[i].data.angular_velocity)));
      expect(m.linear_acceleration).toEqual(Array.from(fieldArray(imus[i].data.linear_acceleration)));
    });
    const fixes = framesOf('gnss/gnss');
    of('/gnss/gnss').forEach((m, i) => {
      expect(m.lla).toEqual(Array.from(fieldArray(fixes[i].data.latitude_longitude_altitude)));
      expect(m).toMatchObject({ status: [0, 1], covariance: [0.25, 0, 0, 0, 0.25, 0, 0, 0, 1], covariance_type: 2 });
    });
  });

  it('boxes: a DELETEALL, then one cube per actor, and one detection each (the ground truth in the map, the LiDAR\'s in its frame)', () => {
    const truth = framesOf('ground_truth/actors');
    of('/ground_truth/actors').forEach((m, i) => {
      const markers = m.markers as { frame_id: string; ns: string; id: number; type: number; action: number; pose: number[]; scale: number[] }[];
      const boxes = fieldArray(truth[i].data.boxes);
      const ids = Array.from(fieldArray(truth[i].data.instance_ids));
      expect(markers[0].action).toBe(3);
      expect(markers.slice(1).map((k) => k.id)).toEqual(ids);
      markers.slice(1).forEach((k, j) => {
        expect(k).toMatchObject({ frame_id: 'map', ns: (truth[i].fields.kinds as string[])[j], type: 1, action: 0 });
        expect([...k.pose, ...k.scale]).toEqual(Array.from(boxes.subarray(j * 10, j * 10 + 10)));
      });
    });
    of('/ground_truth/actors/detections').forEach((m, i) => {
      const list = m.detections as { frame_id: string; id: string; results: [string, number][]; pose: number[]; size: number[] }[];
      const boxes = fieldArray(truth[i].data.boxes);
      expect(m.stamp).toBe(truth[i].t_ns);
      expect(list.map((d) => Number(d.id))).toEqual(Array.from(fieldArray(truth[i].data.instance_ids)));
      list.forEach((d, j) => {
        expect(d.frame_id).toBe('map');
        expect(d.results).toEqual([[(truth[i].fields.kinds as string[])[j], 1]]);
        expect([...d.pose, ...d.size]).toEqual(Array.from(boxes.subarray(j * 10, j * 10 + 10)));
      });
    });
    expect((of('/lidar/top/detections')[0].detections as unknown[]).length).toBe(framesOf('lidar/top')[0].data.gt_instance_ids.shape[0]);
    const sweep = framesOf('lidar/top')[0];
    const cubes = (of('/lidar/top/boxes')[0].markers as { frame_id: string; id: number; pose: number[]; scale: number[] }[]).slice(1);
    expect(cubes.map((k) => k.id)).toEqual(Array.from(fieldArray(sweep.data.gt_instance_ids)));
    const gt = fieldArray(sweep.data.gt_boxes);
    cubes.forEach((k, j) => {
      expect(k.frame_id).toBe('top');
      expect([...k.pose, ...k.scale]).toEqual(Array.from(gt.subarray(j * 10, j * 10 + 10)));
    });
  });

  it('the transforms map → base_link → sensor put every message\'s frame where the recording says the sensor was', () => {
    const byTopic = new Map<string, string>([['/lidar/top', 'lidar/top'], ['/camera/front/image_raw', 'camera/front'], ['/camera/chase/image_raw', 'camera/chase'], ['/radar/front_radar', 'radar/front_radar'], ['/imu/imu', 'imu/imu'], ['/gnss/gnss', 'gnss/gnss']]);
    let checked = 0;
    for (const pose of read.poses) {
      const topic = byTopic.get(pose.topic);
      if (!topic) continue;
      const frame = framesOf(topic).find((f) => f.t_ns === pose.stamp)!;
      expect(pose.root).toBe('map');
      // The chase camera rides on the lead car: its own body frame.
      expect(pose.body).toBe(topic === 'camera/chase' ? 'lead/base_link' : 'base_link');
      rigidMatrix(frame.pose).forEach((v, k) => expect(pose.matrix[k], `${topic} ${k}`).toBeCloseTo(v, 6));
      checked++;
    }
    expect(checked).toBe(3 + 3 + 3 + framesOf('radar/front_radar').length + 15 + 3);
  });

  it('run --record-format ros2 writes the same messages as the export, and the export is the same bytes every time', () => {
    expect(read.other_raw).toEqual(read.raw);
    const again = join(dir, 'again.ros2.mcap');
    expect(cli('export', recording, '--format', 'ros2', '--out', again).status).toBe(0);
    expect(readFileSync(again).equals(readFileSync(bag))).toBe(true);
  });
});

describe('roadcast export --format ros2 refuses what it cannot export', () => {
  it('a file with no roadcast frames (to export or replay) and a folder as --out: one line, exit 1, nothing left behind', () => {
    const out = join(dir, 'bad');
    mkdirSync(out);
    const before = readdirSync(dir).sort();
    const notFrames = cli('export', live, '--format', 'ros2', '--out', join(out, 'x.mcap'));
    expect(notFrames.status).toBe(1);
    expect(notFrames.stderr).toMatch(/^roadcast: .*has no roadcast frames to export.*\n$/);
    const replay = cli('replay', live, '--port', '0');
    expect(replay.status).toBe(1);
    expect(replay.stderr).toMatch(/^roadcast: .*has no roadcast frames to replay.*\n$/);
    const folder = cli('export', recording, '--format', 'ros2', '--out', out);
    expect(folder.status).toBe(1);
    expect(folder.stderr).toMatch(/^roadcast: .*is a folder.*\n$/);
    expect(readdirSync(out)).toEqual([]);
    expect(readdirSync(dir).sort()).toEqual(before);
  });
});
