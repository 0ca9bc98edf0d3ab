/**
 * `roadcast export FILE --format openlabel --out SCENE.json`: the recording's ground truth as
 * one ASAM OpenLABEL 1.0 scene: coordinate systems (the world, each vehicle body after ISO 8855,
 * each sensor on its body), streams (every sensor, cameras with their intrinsics), one frame
 * per sweep of a LiDAR with the vehicle's pose, the actors' cuboids in that LiDAR's frame and
 * their 2D boxes in each camera's frame nearest in time, and one object per actor over the
 * frames it appears in. Written whole under a temporary name; the same recording gives the
 * same bytes.
 */
import { stat } from 'node:fs/promises';
import { basename, dirname } from 'node:path';
import { UserError } from '../core/errors.js';
import { makeFolder, writeFileWhole } from '../core/fileErrors.js';
import { fieldArray, type Frame } from '../core/frame.js';
import { composeRigid, invertRigid, rigidMatrix } from '../core/pose.js';
import { semanticClass } from '../core/semantic.js';
import { ROADCAST_VERSION } from '../core/version.js';
import { inspectRecording, readFrames } from './McapSource.js';

export interface OpenLabelExportOptions {
  file: string;
  /** The .json file to write. */
  out: string;
  /** The LiDAR whose sweeps are the frames and whose frame holds the cuboids; the first when absent. */
  lidarTopic?: string;
  onProgress?: (done: number, total: number) => void;
}

/** The scene's fixed coordinate system: the map's ENU world. */
export const OPENLABEL_WORLD = 'world';

/** A vehicle body's coordinate system: ISO 8855 (x forward, y left, z up), as roadcast's body frame. */
export function openLabelBody(parent: string | undefined): string {
  return parent === undefined ? 'vehicle-iso8855' : `${parent}/vehicle-iso8855`;
}

/** The stream type OpenLABEL names for each sensor kind. */
const STREAM_TYPES: Record<string, string> = { lidar: 'lidar', camera: 'camera', radar: 'radar', imu: 'gps_imu', gnss: 'gps_imu' };

/** What the export keeps of a frame: no images or points, only times, poses and labels. */
interface Kept {
  kind: string;
  topic: string;
  frameId: string;
  seq: number;
  tNs: number;
  /** World from sensor, 3x4. */
  pose: number[];
  /** Body from sensor, 3x4 (absent: not mounted). */
  mount?: number[];
  parent?: string;
  frame: Frame;
}

type Json = Record<string, unknown>;

/** Returns the number of frames and objects written. */
export async function exportOpenLabel(options: OpenLabelExportOptions): Promise<{ frames: number; objects: number }> {
  const summary = await inspectRecording(options.file);
  const lidars = summary.topics.filter((t) => t.kind === 'lidar').map((t) => t.topic);
  if (options.lidarTopic !== undefined && !lidars.includes(options.lidarTopic)) {
    throw new UserError(`the recording has no lidar topic "${options.lidarTopic}" (lidar topics: ${lidars.join(', ') || 'none'})`, options.file);
  }
  if (lidars.length === 0) throw new UserError('OpenLABEL export needs a lidar topic (its frames are the sweeps, its cuboids in the LiDAR frame); the recording has none (record with a rig that has a lidar)', options.file);
  const lidarTopic = options.lidarTopic ?? lidars[0];
  const existing = await stat(options.out).catch(() => undefined);
  if (existing?.isDirectory()) throw new UserError('is a folder; give a file name such as scene.openlabel.json', options.out);
  if (existing && !existing.isFile()) throw new UserError('is not a regular file (a device, pipe or socket); give a file name such as scene.openlabel.json', options.out);

  // One pass: every frame's time, pose and labels (no images, no points).
  const byTopic = new Map<string, Kept[]>();
  const actorNames = new Map<number, string>();
  let done = 0;
  for await (const frame of readFrames(options.file)) {
    done++;
    options.onProgress?.(done, summary.messageCount);
    if (frame.kind === 'ground_truth' && frame.data.instance_ids) {
      const ids = fieldArray(frame.data.instance_ids);
      const names = (frame.fields.actor_ids as string[] | undefined) ?? [];
      ids.forEach((id, i) => { if (names[i] !== undefined) actorNames.set(id, names[i]); });
      continue;
    }
    if (!STREAM_TYPES[frame.kind]) continue;
    const mount = frame.fields.mount as number[] | undefined;
    const kept: Kept = {
      kind: frame.kind, topic: frame.topic, frameId: frame.frame_id, seq: frame.seq, tNs: frame.t_ns, pose: rigidMatrix(frame.pose),
      ...(Array.isArray(mount) && mount.length === 12 ? { mount } : {}),
      ...(typeof frame.fields.parent === 'string' ? { parent: frame.fields.parent } : {}),
      // Only what the labels need: a frame's arrays are dropped but the LiDAR's and camera's boxes.
      frame: labelsOnly(frame),
    };
    if (!byTopic.has(frame.topic)) byTopic.set(frame.topic, []);
    byTopic.get(frame.topic)!.push(kept);
  }
  const sweeps = byTopic.get(lidarTopic) ?? [];
  if (sweeps.length === 0) throw new UserError(`the lidar topic "${lidarTopic}" has no frames`, options.file);
  const document = sceneDocument(options.file, summary.metadata.scenario, sweeps, byTopic, actorNames);
  await makeFolder(dirname(options.out)).catch(() => undefined);
  writeFileWhole(options.out, `${JSON.stringify(document)}\n`, 'cannot write the export');
  const openlabel = document.openlabel as Json;
  return { frames: sweeps.length, objects: Object.keys(openlabel.objects as Json).length };
}

function labelsOnly(frame: Frame): Frame {
  const keep = ['gt_boxes', 'gt_instance_ids', 'gt_point_counts', 'boxes2d', 'boxes2d_instance', 'boxes2d_class'];
  const data: Frame['data'] = {};
  for (const name of keep) if (frame.data[name]) data[name] = frame.data[name];
  return { ...frame, data };
}

/** A rigid 3x4 as OpenLABEL's row-major 4x4. */
function matrix4x4(m: readonly number[]): { matrix4x4: number[] } {
  return { matrix4x4: [...m, 0, 0, 0, 1] };
}

/** The frame of `frames` nearest in time to tNs, within half the LiDAR's period. */
function nearest(frames: readonly Kept[], tNs: number, halfPeriodNs: number): Kept | undefined {
  let best: Kept | undefined;
  for (const f of frames) if (!best || Math.abs(f.tNs - tNs) < Math.abs(best.tNs - tNs)) best = f;
  return best && Math.abs(best.tNs - tNs) <= halfPeriodNs ? best : undefined;
}

function sceneDocument(file: string, scenario: string | undefined, sweeps: Kept[], byTopic: Map<string, Kept[]>, actorNames: Map<number, string>): Json {
  const lidar = sweeps[0];
  const period = sweeps.length > 1 ? (sweeps[sweeps.length - 1].tNs - sweeps[0].tNs) / (sweeps.length - 1) : Infinity;
  const streamsByTopic = [...byTopic.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));

  // Coordinate systems: the world, each body with a sensor on it, each mounted sensor on its body.
  const coordinateSystems: Record<string, Json> = { [OPENLABEL_WORLD]: { type: 'scene_cs', parent: '', children: [] as string[] } };
  const streams: Record<string, Json> = {};
  for (const [topic, frames] of streamsByTopic) {
    const first = frames[0];
    streams[first.frameId] = { type: STREAM_TYPES[first.kind], uri: `${basename(file)}#${topic}`, description: `roadcast topic ${topic}`, ...cameraProperties(first.frame) };
    if (!first.mount) continue;
    const body = openLabelBody(first.parent);
    if (!coordinateSystems[body]) {
      coordinateSystems[body] = { type: 'local_cs', parent: OPENLABEL_WORLD, children: [] as string[] };
      (coordinateSystems[OPENLABEL_WORLD].children as string[]).push(body);
    }
    (coordinateSystems[body].children as string[]).push(first.frameId);
    coordinateSystems[first.frameId] = { type: 'sensor_cs', parent: body, pose_wrt_parent: matrix4x4(first.mount) };
  }

  const frames: Record<string, Json> = {};
  const objects = new Map<number, { type: string; frames: number[]; data: Map<string, { type: string; frames: number[] }> }>();
  const seen = (id: number, type: string, index: number, dataName: string, dataType: string): void => {
    let object = objects.get(id);
    if (!object) objects.set(id, object = { type, frames: [], data: new Map() });
    // The LiDAR's ground truth knows the actor's kind; a camera only its class.
    if (dataType === 'cuboid') object.type = type;
    if (object.frames[object.frames.length - 1] !== index) object.frames.push(index);
    let data = object.data.get(dataName);
    if (!data) object.data.set(dataName, data = { type: dataType, frames: [] });
    data.frames.push(index);
  };

  sweeps.forEach((sweep, index) => {
    const frameObjects: Record<string, { object_data: { cuboid?: Json[]; bbox?: Json[] } }> = {};
    const objectData = (id: number): { cuboid?: Json[]; bbox?: Json[] } => (frameObjects[String(id)] ??= { object_data: {} }).object_data;
    // The actors' cuboids in the LiDAR's frame: centre, quaternion x y z w, length width height.
    const boxes = sweep.frame.data.gt_boxes ? fieldArray(sweep.frame.data.gt_boxes) : new Float32Array(0);
    const ids = sweep.frame.data.gt_instance_ids ? fieldArray(sweep.frame.data.gt_instance_ids) : new Uint32Array(0);
    const counts = sweep.frame.data.gt_point_counts ? fieldArray(sweep.frame.data.gt_point_counts) : undefined;
    const kinds = (sweep.frame.fields.gt_kinds as string[] | undefined) ?? [];
    ids.forEach((id, i) => {
      const val = Array.from(boxes.subarray(i * 10, i * 10 + 10));
      objectData(id).cuboid = [{
        name: 'box3d', coordinate_system: sweep.frameId, val,
        ...(counts ? { attributes: { num: [{ name: 'lidar_points', val: counts[i] }] } } : {}),
      }];
      seen(id, kinds[i] ?? 'actor', index, 'box3d', 'cuboid');
    });

    // Each stream's frame nearest the sweep; the cameras' 2D boxes; the bodies' poses.
    const sync: Record<string, Json> = {};
    const transforms: Record<string, Json> = {};
    const place = (f: Kept): void => {
      if (!f.mount) return;
      const body = openLabelBody(f.parent);
      const key = `${body}_to_${OPENLABEL_WORLD}`;
      // The body's pose at the frame's time: world from sensor, then sensor from body.
      transforms[key] ??= { src: body, dst: OPENLABEL_WORLD, transform_src_to_dst: matrix4x4(composeRigid(f.pose, invertRigid(f.mount))) };
    };
    place(sweep);
    for (const [, streamFrames] of streamsByTopic) {
      const f = streamFrames === sweeps ? sweep : nearest(streamFrames, sweep.tNs, period / 2);
      if (!f) continue;
      sync[f.frameId] = { stream_properties: { sync: { frame_stream: f.seq, timestamp: f.tNs / 1e9 } } };
      place(f);
      if (f.kind !== 'camera' || !f.frame.data.boxes2d) continue;
      const b = fieldArray(f.frame.data.boxes2d);
      const instances = fieldArray(f.frame.data.boxes2d_instance);
      const classes = f.frame.data.boxes2d_class ? fieldArray(f.frame.data.boxes2d_class) : undefined;
      const name = `bbox-${f.frameId}`;
      instances.forEach((id, k) => {
        const [x0, y0, x1, y1, truncation, occlusion] = b.subarray(k * 6, k * 6 + 6);
        // Inclusive pixel indices, pixels centred on integers: the box spans x0 - 0.5 .. x1 + 0.5.
        const data = objectData(id);
        (data.bbox ??= []).push({
          name, coordinate_system: f.frameId, val: [(x0 + x1) / 2, (y0 + y1) / 2, x1 - x0 + 1, y1 - y0 + 1],
          attributes: { num: [{ name: 'truncation', val: truncation }, { name: 'occlusion', val: occlusion }] },
        });
        seen(id, classes ? semanticClass(classes[k]).name : 'object', index, name, 'bbox');
      });
    }
    frames[String(index)] = {
      objects: Object.fromEntries(Object.entries(frameObjects).sort(([a], [b]) => Number(a) - Number(b))),
      frame_properties: { timestamp: sweep.tNs / 1e9, streams: sync, transforms },
    };
  });

  const objectEntries = [...objects.entries()].sort(([a], [b]) => a - b).map(([id, o]) => [String(id), {
    name: actorNames.get(id) ?? `${o.type}-${id}`,
    type: o.type,
    coordinate_system: lidar.frameId,
    frame_intervals: intervals(o.frames),
    object_data_pointers: Object.fromEntries([...o.data.entries()].map(([name, d]) => [name, { type: d.type, frame_intervals: intervals(d.frames) }])),
  }]);
  return {
    openlabel: {
      metadata: {
        schema_version: '1.0.0',
        name: scenario ?? basename(file),
        annotator: `roadcast ${ROADCAST_VERSION}`,
        tagged_file: basename(file),
        comment: `ground truth of a simulated run; one frame per sweep of ${lidar.topic}, cuboids (x y z qx qy qz qw length width height) in its frame, 2D boxes [x, y, w, h] in pixels of each camera's frame nearest in time`,
      },
      coordinate_systems: coordinateSystems,
      streams,
      frame_intervals: [{ frame_start: 0, frame_end: sweeps.length - 1 }],
      frames,
      objects: Object.fromEntries(objectEntries),
    },
  };
}

/** A camera's intrinsics as OpenLABEL stream properties: pinhole (OpenCV's k1 k2 p1 p2 k3) or fisheye. */
function cameraProperties(frame: Frame): Json {
  if (frame.kind !== 'camera') return {};
  const width_px = Number(frame.fields.width), height_px = Number(frame.fields.height);
  const fx = Number(frame.fields.fx), fy = Number(frame.fields.fy), cx = Number(frame.fields.cx), cy = Number(frame.fields.cy);
  const [k1, k2, k3, p1, p2] = (frame.fields.distortion as number[] | undefined) ?? [0, 0, 0, 0, 0];
  if (frame.fields.model === 'fisheye') {
    return { stream_properties: { intrinsics_fisheye: { width_px, height_px, focal_length_x: fx, focal_length_y: fy, center_x_px: cx, center_y_px: cy, lens_coeffs: [k1, k2, k3, 0] } } };
  }
  return { stream_properties: { intrinsics_pinhole: { width_px, height_px, camera_matrix: [fx, 0, cx, 0, 0, fy, cy, 0, 0, 0, 1, 0], distortion_coeffs: [k1, k2, p1, p2, k3] } } };
}

/** Sorted frame numbers as OpenLABEL's closed intervals of consecutive frames. */
function intervals(frames: readonly number[]): { frame_start: number; frame_end: number }[] {
  const out: { frame_start: number; frame_end: number }[] = [];
  for (const f of [...new Set(frames)].sort((a, b) => a - b)) {
    const last = out[out.length - 1];
    if (last && last.frame_end === f - 1) last.frame_end = f;
    else out.push({ frame_start: f, frame_end: f });
  }
  return out;
}
