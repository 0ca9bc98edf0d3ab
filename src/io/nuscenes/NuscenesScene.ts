/**
 * One recording as one nuScenes scene (and its log): two passes over the frames. The first
 * reads what the tables need (each frame's time and pose, the key LiDAR's ground truth, the
 * cameras' 2D boxes) and plans the samples; the second writes each frame's file and counts the
 * radar points in the boxes. Both read the frames in the recording's order, so the export is
 * the same bytes every time.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { UserError } from '../../core/errors.js';
import { fieldArray, type Frame, type Pose } from '../../core/frame.js';
import { composePose, rotationMatrix } from '../../core/pose.js';
import { readFrames } from '../McapSource.js';
import { annotateSamples, countRadarPoints, globalOf, wxyz, type Annotation, type LidarSweep } from './NuscenesAnnotations.js';
import type { Channel } from './NuscenesChannels.js';
import { cameraJpeg, checkExportable, lidarBin, radarPcd } from './NuscenesFiles.js';
import {
  nuscenesToken, visibilityToken,
  type CalibratedSensorRecord, type EgoPoseRecord, type InstanceRecord, type LogRecord, type SampleAnnotationRecord,
  type SampleDataRecord, type SampleRecord, type SceneRecord, type SensorRecord,
} from './NuscenesTables.js';

/** Key frames are 2 Hz, as nuScenes' annotated samples. */
export const SAMPLE_PERIOD_NS = 500_000_000;

/** The records one scene adds to the tables. */
export interface SceneRecords {
  sensor: SensorRecord[];
  calibrated_sensor: CalibratedSensorRecord[];
  ego_pose: EgoPoseRecord[];
  log: LogRecord;
  scene: SceneRecord;
  sample: SampleRecord[];
  sample_data: SampleDataRecord[];
  sample_annotation: SampleAnnotationRecord[];
  instance: InstanceRecord[];
}

export interface SceneInput {
  file: string;
  /** The scene's (and log's) name: unique in the export, safe in a file name. */
  name: string;
  channels: Channel[];
  /** The world point at global (0, 0) (DrivableAreaMask.ts). */
  origin: [number, number];
  /** The log's location: the map's name. */
  location: string;
  description: string;
  /** The export's root folder (samples/, sweeps/ go under it). */
  root: string;
  onFrame?: () => void;
}

/** One frame of a channel: its time, the pose of its data's frame, and its sample_data token. */
interface FrameRef { tNs: number; pose: Pose }

/** A camera frame's 2D boxes: rows of x0 y0 x1 y1 truncation occlusion, by instance. */
interface CameraBoxes { rows: Float32Array; ids: Uint32Array }

const microseconds = (tNs: number): number => Math.round(tNs / 1000);

/** The inverse of a rigid pose. */
function invertPose(pose: Pose): Pose {
  const r = rotationMatrix(pose.q);
  const [x, y, z] = pose.p;
  return {
    p: [-(r[0] * x + r[3] * y + r[6] * z), -(r[1] * x + r[4] * y + r[7] * z), -(r[2] * x + r[5] * y + r[8] * z)],
    q: [-pose.q[0], -pose.q[1], -pose.q[2], pose.q[3]],
  };
}

/** Exports one recording as one scene: writes its files under `root` and returns its records. */
export async function exportScene(input: SceneInput): Promise<SceneRecords> {
  const { name, channels, origin } = input;
  const byTopic = new Map(channels.map((c) => [c.topic, c]));
  const key = channels[0];

  // Pass 1: times and poses, the key LiDAR's ground truth, the cameras' 2D boxes.
  const frames = new Map<string, FrameRef[]>(channels.map((c) => [c.topic, []]));
  const sweeps: LidarSweep[] = [];
  const boxes2d = new Map<string, CameraBoxes[]>();
  for await (const frame of readFrames(input.file)) {
    const channel = byTopic.get(frame.topic);
    if (!channel) continue;
    checkExportable(frame, input.file);
    frames.get(frame.topic)!.push({ tNs: frame.t_ns, pose: frame.pose });
    if (channel === key) sweeps.push(sweepOf(frame));
    else if (channel.modality === 'camera') {
      if (!boxes2d.has(frame.topic)) boxes2d.set(frame.topic, []);
      boxes2d.get(frame.topic)!.push(cameraBoxesOf(frame));
    }
  }
  const keyFrames = frames.get(key.topic)!;
  if (keyFrames.length === 0) throw new UserError(`the LiDAR ${key.topic} has no sweeps; nuScenes samples are its sweeps`, input.file);

  const sceneToken = nuscenesToken('scene', name);
  const samples = planSamples(keyFrames).map((sweep, s) => ({ token: nuscenesToken('sample', name, s), sweep, tNs: keyFrames[sweep].tNs }));
  const keyOf = new Map(channels.map((c) => [c.topic, keyFramesOf(frames.get(c.topic)!, samples, c === key)]));

  // Annotations from the key sweeps; visibility from the cameras' key frames.
  const cameraKeys = channels.filter((c) => c.modality === 'camera').map((c) => ({ boxes: boxes2d.get(c.topic) ?? [], frameOf: new Map([...keyOf.get(c.topic)!].map(([k, s]) => [s, k])) }));
  const visibility = (s: number, id: number): string => {
    if (cameraKeys.length === 0) return '';
    let seen = 0;
    for (const camera of cameraKeys) {
      const k = camera.frameOf.get(s);
      if (k === undefined) continue;
      const { rows, ids } = camera.boxes[k];
      const i = ids.indexOf(id);
      // The share of the box in view and unhidden in this image; cameras side by side add up.
      if (i >= 0) seen += (1 - rows[i * 6 + 4]) * (1 - rows[i * 6 + 5]);
    }
    return visibilityToken(Math.min(1, seen));
  };
  const { annotations, instances } = annotateSamples(name, sweeps, samples, origin, visibility);

  // The records of every frame: sample_data, its ego pose, chained per channel.
  const records: SceneRecords = {
    sensor: [], calibrated_sensor: [], ego_pose: [], sample_data: [], instance: instances,
    // The timestamps count simulated time from 0, so the log is dated at their epoch, never by the wall clock.
    log: { token: nuscenesToken('log', name), logfile: name, vehicle: 'ego', date_captured: '1970-01-01', location: input.location },
    scene: {
      token: sceneToken, log_token: nuscenesToken('log', name), nbr_samples: samples.length,
      first_sample_token: samples[0]?.token ?? '', last_sample_token: samples[samples.length - 1]?.token ?? '', name, description: input.description,
    },
    sample: samples.map((sample, s) => ({
      token: sample.token, timestamp: microseconds(sample.tNs), prev: samples[s - 1]?.token ?? '', next: samples[s + 1]?.token ?? '', scene_token: sceneToken,
    })),
    sample_annotation: annotations.flat().map((a) => a.record),
  };
  const filenames = new Map<string, string[]>();
  for (const channel of channels) {
    const sensorToken = nuscenesToken('sensor', channel.channel);
    records.sensor.push({ token: sensorToken, channel: channel.channel, modality: channel.modality });
    const calibrated = nuscenesToken('calibrated_sensor', name, channel.channel);
    const camera = channel.camera;
    records.calibrated_sensor.push({
      token: calibrated, sensor_token: sensorToken, translation: [...channel.inEgo.p], rotation: wxyz(channel.inEgo.q),
      camera_intrinsic: camera ? [[camera.fx, 0, camera.cx], [0, camera.fy, camera.cy], [0, 0, 1]] : [],
    });
    const refs = frames.get(channel.topic)!;
    const keys = keyOf.get(channel.topic)!;
    const fromEgo = invertPose(channel.inEgo);
    const ext = channel.modality === 'lidar' ? 'pcd.bin' : channel.modality === 'radar' ? 'pcd' : 'jpg';
    const token = (k: number): string => nuscenesToken('sample_data', name, channel.channel, k);
    const files: string[] = [];
    refs.forEach((ref, k) => {
      const s = keys.get(k);
      const timestamp = microseconds(ref.tNs);
      // A sweep belongs to the sample after it (the devkit interpolates its boxes from the one before), the last ones to the last.
      const sample = s ?? firstAtOrAfter(samples, ref.tNs);
      const ego = composePose(ref.pose, fromEgo);
      const egoToken = nuscenesToken('ego_pose', name, channel.channel, k);
      records.ego_pose.push({ token: egoToken, timestamp, rotation: wxyz(ego.q), translation: globalOf(ego.p, origin) });
      const filename = `${s === undefined ? 'sweeps' : 'samples'}/${channel.channel}/${name}__${channel.channel}__${timestamp}.${ext}`;
      files.push(filename);
      records.sample_data.push({
        token: token(k), sample_token: samples[sample]?.token ?? '', ego_pose_token: egoToken, calibrated_sensor_token: calibrated, timestamp,
        fileformat: channel.modality === 'camera' ? 'jpg' : 'pcd', is_key_frame: s !== undefined,
        height: camera ? camera.height : 0, width: camera ? camera.width : 0, filename,
        prev: k > 0 ? token(k - 1) : '', next: k + 1 < refs.length ? token(k + 1) : '',
      });
    });
    filenames.set(channel.topic, files);
    for (const folder of new Set(files.map((f) => dirname(f)))) await mkdir(join(input.root, folder), { recursive: true });
  }

  // Pass 2: each frame's file; the radar points in the boxes of the samples their scans are key to.
  const written = new Map<string, number>(channels.map((c) => [c.topic, 0]));
  for await (const frame of readFrames(input.file)) {
    const channel = byTopic.get(frame.topic);
    if (!channel) continue;
    const k = written.get(frame.topic)!;
    written.set(frame.topic, k + 1);
    await writeFile(join(input.root, filenames.get(frame.topic)![k]), await fileOf(frame, channel, input.file, keyOf.get(frame.topic)!.get(k), annotations));
    input.onFrame?.();
  }
  return records;
}

/** The samples, as indices of the key LiDAR's sweeps: the sweep nearest each multiple of 0.5 s, within half a sweep. */
function planSamples(sweeps: readonly FrameRef[]): number[] {
  const out: number[] = [];
  const reach = Math.min(period(sweeps), SAMPLE_PERIOD_NS) / 2;
  for (let slot = 0; slot * SAMPLE_PERIOD_NS <= sweeps[sweeps.length - 1].tNs + SAMPLE_PERIOD_NS / 2; slot++) {
    const sweep = nearest(sweeps, slot * SAMPLE_PERIOD_NS);
    if (Math.abs(sweeps[sweep].tNs - slot * SAMPLE_PERIOD_NS) <= reach && out[out.length - 1] !== sweep) out.push(sweep);
  }
  return out;
}

/**
 * A channel's key frames (frame index to sample index): its frame nearest each sample's time,
 * within half its period, each key to one sample at most; the key LiDAR's are the samples' sweeps.
 */
function keyFramesOf(refs: readonly FrameRef[], samples: readonly { sweep: number; tNs: number }[], isKeyLidar: boolean): Map<number, number> {
  const keys = new Map<number, number>();
  if (refs.length === 0) return keys;
  const half = period(refs) / 2;
  samples.forEach((sample, s) => {
    const k = isKeyLidar ? sample.sweep : nearest(refs, sample.tNs);
    if (Math.abs(refs[k].tNs - sample.tNs) <= half && !keys.has(k)) keys.set(k, s);
  });
  return keys;
}

/** A frame's file; a radar scan key to a sample counts its points in that sample's boxes. */
async function fileOf(frame: Frame, channel: Channel, file: string, sample: number | undefined, annotations: Annotation[][]): Promise<Uint8Array> {
  if (channel.modality === 'lidar') return lidarBin(frame);
  if (channel.modality === 'camera') return cameraJpeg(frame, file);
  const { bytes, points } = radarPcd(frame, file);
  if (sample !== undefined) countRadarPoints(annotations[sample], frame.pose, points);
  return bytes;
}

/** A sweep's ground truth, copied out of the frame (whose arrays view the whole decoded message). */
function sweepOf(frame: Frame): LidarSweep {
  const { gt_boxes: boxes, gt_instance_ids: ids, gt_point_counts: counts } = frame.data;
  return {
    tNs: frame.t_ns,
    pose: frame.pose,
    boxes: boxes ? (fieldArray(boxes) as Float32Array).slice() : new Float32Array(0),
    ids: ids ? (fieldArray(ids) as Uint32Array).slice() : new Uint32Array(0),
    counts: counts ? (fieldArray(counts) as Uint32Array).slice() : new Uint32Array(0),
    kinds: (frame.fields.gt_kinds as string[] | undefined) ?? [],
  };
}

function cameraBoxesOf(frame: Frame): CameraBoxes {
  if (!frame.data.boxes2d || !frame.data.boxes2d_instance) return { rows: new Float32Array(0), ids: new Uint32Array(0) };
  return { rows: (fieldArray(frame.data.boxes2d) as Float32Array).slice(), ids: (fieldArray(frame.data.boxes2d_instance) as Uint32Array).slice() };
}

/** The mean time between a channel's frames (ns); Infinity for a single frame. */
function period(refs: readonly FrameRef[]): number {
  return refs.length > 1 ? (refs[refs.length - 1].tNs - refs[0].tNs) / (refs.length - 1) : Infinity;
}

/** The index of the frame nearest tNs (the earlier one on a tie); frames are in time order. */
function nearest(refs: readonly FrameRef[], tNs: number): number {
  let lo = 0, hi = refs.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (refs[mid].tNs < tNs) lo = mid + 1;
    else hi = mid;
  }
  return lo > 0 && tNs - refs[lo - 1].tNs <= refs[lo].tNs - tNs ? lo - 1 : lo;
}

function firstAtOrAfter(samples: readonly { tNs: number }[], tNs: number): number {
  const i = samples.findIndex((s) => s.tNs >= tNs);
  return i < 0 ? samples.length - 1 : i;
}
