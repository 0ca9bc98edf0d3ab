import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Ajv } from 'ajv';
import { beforeAll, describe, expect, it } from 'vitest';
import { fieldArray, type Frame } from '../../src/core/frame.js';
import { rigidMatrix } from '../../src/core/pose.js';
import { McapRecorder } from '../../src/io/McapRecorder.js';
import { readFrames } from '../../src/io/McapSource.js';

/**
 * `export --format openlabel`: the scene validates against ASAM's published OpenLABEL 1.0
 * schema (Ajv, draft-07), and its cuboids, 2D boxes, intrinsics and transforms agree with what
 * the recording measured: each actor's LiDAR points inside its cuboid, its camera pixels inside
 * its 2D box, the body's pose times the sensor's mount giving the sensor's recorded pose.
 */
const CLI = 'dist/cli/main.js';
const SCHEMA = JSON.parse(readFileSync('test/fixtures/openlabel/openlabel_json_schema-v1.0.0.json', 'utf8'));
const dir = mkdtempSync(join(tmpdir(), 'roadcast-openlabel-'));
const recording = join(dir, 'run.mcap');
const out = join(dir, 'scene.json');
const frames: Frame[] = [];
/** The parsed scene: plain JSON, its shape checked by the schema in the first test. */
type Json = Record<string, any>;
let scene: Json;

const cli = (...args: string[]): ReturnType<typeof spawnSync> => spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8' });

beforeAll(async () => {
  const rig = join(dir, 'rig.yaml');
  // Motion distortion off: the points and the boxes belong to the same instant.
  writeFileSync(rig, [
    'sensors:',
    '  - { name: top, type: lidar, rate: 10, channels: 16, fov: { lower: -20, upper: 5 }, horizontal: { resolution: 0.5 }, range: { max: 60 }, mount: { z: 1.9 }, motion_distortion: false }',
    '  - { name: front, type: camera, rate: 10, width: 96, height: 64, fov: 90, mount: { x: 1.5, z: 1.5, pitch: 2 }, outputs: [rgb, instance] }',
    '  - { name: imu, type: imu, rate: 50 }',
    '  - { name: actors, type: ground_truth, rate: 10 }',
    '',
  ].join('\n'));
  const run = cli('run', 'scenarios/straight-road.yaml', '--rig', rig, '--duration', '0.3', '--no-dressing', '--record', recording);
  expect(run.stderr).toBe('');
  const exported = cli('export', recording, '--format', 'openlabel', '--out', out);
  expect(exported.stderr).toBe('');
  expect(exported.status).toBe(0);
  for await (const frame of readFrames(recording)) frames.push(frame);
  scene = JSON.parse(readFileSync(out, 'utf8')).openlabel;
}, 120_000);

const framesOf = (topic: string): Frame[] => frames.filter((f) => f.topic === topic);
/** A point (x, y, z) in the frame of a cuboid [x y z qx qy qz qw sx sy sz]: the inverse rotation of its offset. */
function inBox(val: number[], p: number[], margin: number): boolean {
  const [cx, cy, cz, qx, qy, qz, qw, sx, sy, sz] = val;
  const d = [p[0] - cx, p[1] - cy, p[2] - cz];
  // R^T d: the offset in the box's own axes (R from the quaternion, written out here).
  const r = [
    1 - 2 * (qy * qy + qz * qz), 2 * (qx * qy - qz * qw), 2 * (qx * qz + qy * qw),
    2 * (qx * qy + qz * qw), 1 - 2 * (qx * qx + qz * qz), 2 * (qy * qz - qx * qw),
    2 * (qx * qz - qy * qw), 2 * (qy * qz + qx * qw), 1 - 2 * (qx * qx + qy * qy),
  ];
  const local = [0, 1, 2].map((a) => r[a] * d[0] + r[3 + a] * d[1] + r[6 + a] * d[2]);
  return Math.abs(local[0]) <= sx / 2 + margin && Math.abs(local[1]) <= sy / 2 + margin && Math.abs(local[2]) <= sz / 2 + margin;
}
const mul4 = (a: number[], b: number[]): number[] => Array.from({ length: 16 }, (_, k) => [0, 1, 2, 3].reduce((s, j) => s + a[Math.floor(k / 4) * 4 + j] * b[j * 4 + (k % 4)], 0));

describe('roadcast export --format openlabel', () => {
  it('validates against the ASAM OpenLABEL 1.0.0 JSON schema, which rejects a broken scene', () => {
    const validate = new Ajv({ strict: false, allErrors: true }).compile(SCHEMA);
    expect(validate({ openlabel: scene }), JSON.stringify(validate.errors)).toBe(true);
    // The validator does check: a cuboid of 8 values and an unknown schema version are refused.
    const broken = JSON.parse(JSON.stringify(scene));
    const someObject = Object.values(broken.frames['0'].objects as Json)[0] as Json;
    someObject.object_data.cuboid[0].val = [1, 2, 3, 4, 5, 6, 7, 8];
    broken.metadata.schema_version = '0.9.0';
    expect(validate({ openlabel: broken })).toBe(false);
    expect(validate.errors!.map((e: { instancePath: string }) => e.instancePath)).toEqual(expect.arrayContaining(['/openlabel/metadata/schema_version']));
  });

  it('one frame per sweep with its time, the camera and IMU frames nearest it, the vehicle\'s pose', () => {
    const sweeps = framesOf('lidar/top');
    expect(sweeps.length).toBe(3);
    expect(scene.frame_intervals).toEqual([{ frame_start: 0, frame_end: 2 }]);
    sweeps.forEach((sweep, i) => {
      const frame = scene.frames[String(i)];
      expect(frame.frame_properties.timestamp).toBe(sweep.t_ns / 1e9);
      expect(frame.frame_properties.streams.top.stream_properties.sync).toEqual({ frame_stream: sweep.seq, timestamp: sweep.t_ns / 1e9 });
      expect(frame.frame_properties.streams.front_optical.stream_properties.sync.frame_stream).toBe(framesOf('camera/front')[i].seq);
      // World from body, times body from sensor, is the sensor's recorded pose.
      const transform = frame.frame_properties.transforms['vehicle-iso8855_to_world'];
      expect(transform).toMatchObject({ src: 'vehicle-iso8855', dst: 'world' });
      const world = mul4(transform.transform_src_to_dst.matrix4x4, scene.coordinate_systems.top.pose_wrt_parent.matrix4x4);
      rigidMatrix(sweep.pose).forEach((v, k) => expect(world[k]).toBeCloseTo(v, 9));
    });
  });

  it('coordinate systems: the world, the vehicle (ISO 8855) and each sensor on it; the camera stream with its intrinsics', () => {
    const cs = scene.coordinate_systems;
    expect(cs.world).toEqual({ type: 'scene_cs', parent: '', children: ['vehicle-iso8855'] });
    expect(cs['vehicle-iso8855']).toMatchObject({ type: 'local_cs', parent: 'world' });
    expect(cs['vehicle-iso8855'].children.sort()).toEqual(['front_optical', 'imu', 'top']);
    // The LiDAR 1.9 m above the body's origin; the camera's optical axis (z) along the body's x, 2 degrees down.
    expect(cs.top).toEqual({ type: 'sensor_cs', parent: 'vehicle-iso8855', pose_wrt_parent: { matrix4x4: [1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 1.9, 0, 0, 0, 1] } });
    const m = cs.front_optical.pose_wrt_parent.matrix4x4;
    expect([m[2], m[6], m[10]].map((v: number) => v.toFixed(6))).toEqual([Math.cos(2 * Math.PI / 180), 0, -Math.sin(2 * Math.PI / 180)].map((v) => v.toFixed(6)));
    expect([m[3], m[7], m[11]]).toEqual([1.5, 0, 1.5]);
    expect(scene.streams.top).toMatchObject({ type: 'lidar' });
    expect(scene.streams.imu).toMatchObject({ type: 'gps_imu' });
    // 90 degrees across 96 px: fx = 48 / tan 45 = 48; the principal point (W - 1) / 2, (H - 1) / 2.
    const pinhole = scene.streams.front_optical.stream_properties.intrinsics_pinhole;
    expect(pinhole).toMatchObject({ width_px: 96, height_px: 64, distortion_coeffs: [0, 0, 0, 0, 0] });
    [48, 0, 47.5, 0, 0, 48, 31.5, 0, 0, 0, 1, 0].forEach((v, k) => expect(pinhole.camera_matrix[k]).toBeCloseTo(v, 9));
  });

  it('cuboids in the LiDAR frame hold each actor\'s points; 2D boxes hold its pixels; objects are the actors', () => {
    const truth = framesOf('ground_truth/actors')[0];
    const names = new Map((Array.from(fieldArray(truth.data.instance_ids)) as number[]).map((id, i) => [id, (truth.fields.actor_ids as string[])[i]]));
    const kinds = new Map((Array.from(fieldArray(truth.data.instance_ids)) as number[]).map((id, i) => [id, (truth.fields.kinds as string[])[i]]));
    let pointsChecked = 0, pixelsChecked = 0;
    framesOf('lidar/top').forEach((sweep, i) => {
      const objects = scene.frames[String(i)].objects as Record<string, Json>;
      const points = fieldArray(sweep.data.points) as Float32Array;
      const instance = fieldArray(sweep.data.instance) as Uint32Array;
      for (let k = 0; k < instance.length; k++) {
        const id = instance[k];
        if (id === 0 || !names.has(id)) continue;
        const cuboid = objects[String(id)].object_data.cuboid[0];
        expect(cuboid.coordinate_system).toBe('top');
        expect(inBox(cuboid.val, [points[k * 4], points[k * 4 + 1], points[k * 4 + 2]], 0.05), `point ${k} of ${names.get(id)}`).toBe(true);
        pointsChecked++;
      }
      const camera = framesOf('camera/front')[i];
      const pixels = fieldArray(camera.data.instance) as Uint32Array;
      const width = Number(camera.fields.width);
      for (let p = 0; p < pixels.length; p++) {
        const id = pixels[p];
        if (id === 0 || !names.has(id)) continue;
        const [x, y, w, h] = objects[String(id)].object_data.bbox[0].val;
        const col = p % width, row = Math.floor(p / width);
        expect(Math.abs(col - x) <= w / 2 && Math.abs(row - y) <= h / 2, `pixel ${col},${row} of ${names.get(id)}`).toBe(true);
        pixelsChecked++;
      }
    });
    expect(pointsChecked).toBeGreaterThan(40);
    expect(pixelsChecked).toBeGreaterThan(20);
    for (const [id, object] of Object.entries(scene.objects as Record<string, Json>)) {
      if (!names.has(Number(id))) continue;
      expect(object.name).toBe(names.get(Number(id)));
      expect(object.type).toBe(kinds.get(Number(id)));
      expect(object.object_data_pointers.box3d).toEqual({ type: 'cuboid', frame_intervals: [{ frame_start: 0, frame_end: 2 }] });
    }
    expect(scene.objects[String([...names.entries()].find(([, n]) => n === 'lead')![0])].object_data_pointers['bbox-front_optical'].type).toBe('bbox');
  });

  it('writes the same bytes every time; a recording without a LiDAR is one line naming it, and nothing is written', async () => {
    const again = join(dir, 'again.json');
    expect(cli('export', recording, '--format', 'openlabel', '--out', again).status).toBe(0);
    expect(readFileSync(again).equals(readFileSync(out))).toBe(true);
    // A recording of an IMU alone.
    const noLidar = join(dir, 'imu.mcap');
    const recorder = await McapRecorder.open(noLidar);
    await recorder.write(framesOf('imu/imu')[0]);
    await recorder.close();
    const before = readdirSync(dir).sort();
    const refused = cli('export', noLidar, '--format', 'openlabel', '--out', join(dir, 'none.json'));
    expect(refused.status).toBe(1);
    expect(refused.stderr).toMatch(/^roadcast: .*needs a lidar topic.*\n$/);
    expect(readdirSync(dir).sort()).toEqual(before);
  });
});
