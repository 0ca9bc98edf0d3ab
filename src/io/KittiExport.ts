import { encode as encodePng } from 'fast-png';
import { rename, rm, stat, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { UserError } from '../core/errors.js';
import { fileSystemError, makeFolder } from '../core/fileErrors.js';
import { fieldArray, type Frame } from '../core/frame.js';
import { applyRigid, composeRigid, invertRigid, rigidMatrix, rotationMatrix } from '../core/pose.js';
import { isLightKind } from '../map/Signal.js';
import { SIGNALS_TOPIC } from '../sensors/SignalTruth.js';
import { inspectRecording, readFrames } from './McapSource.js';

export interface KittiExportOptions {
  file: string;
  outDir: string;
  /** The LiDAR and camera to pair; the recording's first of each kind when absent. */
  lidarTopic?: string;
  cameraTopic?: string;
  onProgress?: (done: number, total: number) => void;
}

/**
 * KITTI's types for the map's traffic lights and signs (by their semantic class): KITTI's own
 * eight classes have none, and its devkit and the loaders built on it skip types they do not
 * know, so these lines add the signals without changing what is evaluated.
 */
const KITTI_SIGNAL_TYPE: Record<string, string> = { traffic_light: 'TrafficLight', traffic_sign: 'TrafficSign' };

/** KITTI's object classes for roadcast's actor kinds; kinds not listed are not labelled. */
const KITTI_TYPE: Record<string, string> = {
  car: 'Car', parked_car: 'Car', van: 'Van', truck: 'Truck', bus: 'Misc',
  pedestrian: 'Pedestrian', child: 'Pedestrian', cyclist: 'Cyclist',
};

/**
 * Writes the KITTI object layout for one LiDAR and one camera: `velodyne/NNNNNN.bin`,
 * `image_2/NNNNNN.png`, `label_2/NNNNNN.txt` and `calib/NNNNNN.txt`, one sample per camera
 * frame paired with the LiDAR sweep nearest in time (within half a LiDAR period). Labels are
 * the LiDAR frame's ground-truth boxes moved into the camera frame, for the actors the camera
 * sees (their 2D boxes, truncation and occlusion come from the camera's instance image); see
 * `labels` for DontCare.
 * Calibration: one camera, so P0..P3 are all K [I | 0] and R0_rect is the identity;
 * Tr_velo_to_cam from the two sensor poses; Tr_imu_to_velo from the LiDAR's vehicle (body)
 * frame. Written into a temporary folder and moved into place when complete.
 */
export async function exportKitti(options: KittiExportOptions): Promise<number> {
  const summary = await inspectRecording(options.file);
  const pick = (kind: string, topic?: string): string => {
    const topics = summary.topics.filter((t) => t.kind === kind).map((t) => t.topic);
    if (topic !== undefined && !topics.includes(topic)) throw new UserError(`the recording has no ${kind} topic "${topic}" (${kind} topics: ${topics.join(', ') || 'none'})`, options.file);
    if (topics.length === 0) throw new UserError(`KITTI export needs a ${kind} topic; the recording has none (record with a rig that has a ${kind})`, options.file);
    return topic ?? topics[0];
  };
  const lidarTopic = pick('lidar', options.lidarTopic);
  const cameraTopic = pick('camera', options.cameraTopic);
  if (await stat(options.outDir).then(() => true, () => false)) throw new UserError('already exists; export into a new folder', options.outDir);

  // Pass 1: the times, to pair each camera frame with its nearest sweep; and the signals'
  // ground truth (their bodies stand still, so its first frame holds their boxes for all).
  const lidarTimes: number[] = [];
  const cameraTimes: number[] = [];
  let signals: Frame | undefined;
  for await (const frame of readFrames(options.file)) {
    if (frame.topic === SIGNALS_TOPIC) signals ??= frame;
    else if (frame.topic === lidarTopic) lidarTimes.push(frame.t_ns);
    else if (frame.topic === cameraTopic) cameraTimes.push(frame.t_ns);
  }
  const lidarPeriod = lidarTimes.length > 1 ? (lidarTimes[lidarTimes.length - 1] - lidarTimes[0]) / (lidarTimes.length - 1) : Infinity;
  const pairs = new Map<number, number>();
  for (const t of cameraTimes) {
    let best: number | undefined;
    for (const l of lidarTimes) if (best === undefined || Math.abs(l - t) < Math.abs(best - t)) best = l;
    if (best !== undefined && Math.abs(best - t) <= lidarPeriod / 2) pairs.set(t, best);
  }
  const wantedLidar = new Set(pairs.values());

  const staging = join(dirname(options.outDir), `.${basename(options.outDir)}.${process.pid}.tmp`);
  let written = 0;
  try {
    for (const folder of ['velodyne', 'image_2', 'label_2', 'calib']) await makeFolder(join(staging, folder));
    const lidars = new Map<number, Frame>();
    const cameras: Frame[] = [];
    for await (const frame of readFrames(options.file)) {
      if (frame.topic === lidarTopic && wantedLidar.has(frame.t_ns)) lidars.set(frame.t_ns, frame);
      else if (frame.topic === cameraTopic && pairs.has(frame.t_ns)) cameras.push(frame);
      // Write every camera frame whose sweep has arrived; a sweep is kept while a camera may still need it.
      for (let i = 0; i < cameras.length;) {
        const lidar = lidars.get(pairs.get(cameras[i].t_ns)!);
        if (!lidar) {
          i++;
          continue;
        }
        await writeSample(staging, written++, lidar, cameras[i], signals);
        options.onProgress?.(written, pairs.size);
        cameras.splice(i, 1);
      }
    }
    await rename(staging, options.outDir);
  } catch (error) {
    await rm(staging, { recursive: true, force: true });
    throw fileSystemError('cannot write the export', options.outDir, error);
  }
  return written;
}

async function writeSample(dir: string, index: number, lidar: Frame, camera: Frame, signals: Frame | undefined): Promise<void> {
  const name = String(index).padStart(6, '0');
  const points = fieldArray(lidar.data.points) as Float32Array;
  await writeFile(join(dir, 'velodyne', `${name}.bin`), new Uint8Array(points.buffer, points.byteOffset, points.byteLength));

  const width = Number(camera.fields.width), height = Number(camera.fields.height);
  const rgb = camera.data.rgb;
  if (!rgb) throw new UserError(`camera ${camera.topic} was recorded without rgb; KITTI needs colour images`);
  await writeFile(join(dir, 'image_2', `${name}.png`), encodePng({ width, height, data: fieldArray(rgb) as Uint8Array, channels: 3, depth: 8 }));

  // Camera (optical frame: x right, y down, z forward) from LiDAR.
  const veloToCam = composeRigid(invertRigid(rigidMatrix(camera.pose)), rigidMatrix(lidar.pose));
  const fx = Number(camera.fields.fx), fy = Number(camera.fields.fy), cx = Number(camera.fields.cx), cy = Number(camera.fields.cy);
  const p = [fx, 0, cx, 0, 0, fy, cy, 0, 0, 0, 1, 0];
  // The vehicle body stands in for KITTI's IMU: velo from body is the inverse of the mount.
  const mount = lidar.fields.mount as number[] | undefined;
  const imuToVelo = mount ? invertRigid(mount) : [1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0];
  const row = (values: readonly number[]): string => values.map((v) => v.toExponential(12)).join(' ');
  await writeFile(join(dir, 'calib', `${name}.txt`), [
    ...[0, 1, 2, 3].map((k) => `P${k}: ${row(p)}`),
    `R0_rect: ${row([1, 0, 0, 0, 1, 0, 0, 0, 1])}`,
    `Tr_velo_to_cam: ${row(veloToCam)}`,
    `Tr_imu_to_velo: ${row(imuToVelo)}`,
    '',
  ].join('\n'));

  await writeFile(join(dir, 'label_2', `${name}.txt`), labels(lidar, camera, veloToCam, signals).join(''));
}

/**
 * The KITTI label lines of one sample, KITTI's devkit semantics: one line per actor the camera
 * sees (it has pixels in the instance image, so its 2D box lies within the image and its
 * truncation, the share of its box out of view, is below 1) that the LiDAR's ground truth
 * boxes, with its 3D box from there; and one per traffic light or sign the camera sees, with
 * the box of its head or plate from the signals' ground truth. An actor the camera sees that
 * the LiDAR's ground truth does not hold (the LiDAR's own vehicle, seen by a camera on another
 * one) is genuinely unlabelled: a `DontCare` line with its 2D box, so a detection there is
 * neither right nor wrong.
 */
function labels(lidar: Frame, camera: Frame, veloToCam: number[], signals: Frame | undefined): string[] {
  if (!lidar.data.gt_boxes || !camera.data.boxes2d) return [];
  const boxes = fieldArray(lidar.data.gt_boxes) as Float32Array;
  const ids = fieldArray(lidar.data.gt_instance_ids) as Uint32Array;
  const kinds = (lidar.fields.gt_kinds as string[] | undefined) ?? [];
  const boxes2d = fieldArray(camera.data.boxes2d) as Float32Array;
  const boxed = new Map<number, number>();
  ids.forEach((id, i) => boxed.set(id, i));
  const signalBoxes = signalBoxesOf(signals);
  const worldToCam = invertRigid(rigidMatrix(camera.pose));
  const f = (v: number): string => v.toFixed(2);
  const lines: string[] = [];
  const dontCare: string[] = [];
  (fieldArray(camera.data.boxes2d_instance) as Uint32Array).forEach((id, k) => {
    const [x0, y0, x1, y1, truncation, occlusion] = boxes2d.subarray(k * 6, k * 6 + 6);
    const i = boxed.get(id);
    const signal = signalBoxes.get(id);
    let line: string | undefined;
    if (i !== undefined) {
      const type = KITTI_TYPE[kinds[i]];
      if (!type) return;
      const b = boxes.subarray(i * 10, i * 10 + 10);
      line = labelLine(type, veloToCam, [b[0], b[1], b[2]], rotationMatrix([b[3], b[4], b[5], b[6]]), b[7], b[8], b[9]);
    } else if (signal) {
      const type = KITTI_SIGNAL_TYPE[isLightKind(signal.kind) ? 'traffic_light' : 'traffic_sign'];
      const c = Math.cos(signal.facing), s = Math.sin(signal.facing);
      line = labelLine(type, worldToCam, signal.centre, [c, -s, 0, s, c, 0, 0, 0, 1], signal.length, signal.width, signal.height);
    }
    if (line === undefined) {
      dontCare.push(`DontCare -1 -1 -10 ${f(x0)} ${f(y0)} ${f(x1)} ${f(y1)} -1 -1 -1 -1000 -1000 -1000 -10\n`);
      return;
    }
    const occluded = occlusion < 0.1 ? 0 : occlusion < 0.5 ? 1 : 2;
    // The camera sees it, so some of it is in view: at most 0.99 once rounded (1 is wholly outside).
    const truncated = Math.min(truncation, 0.99);
    lines.push(line.replace('{2d}', `${f(truncated)} ${occluded}`).replace('{bbox}', `${f(x0)} ${f(y0)} ${f(x1)} ${f(y1)}`));
  });
  return [...lines, ...dontCare];
}

/**
 * One label line but its truncation, occlusion ({2d}) and 2D box ({bbox}): the 3D box centred
 * at `centre` with axes `r` (its columns: length, width, height axes) in the frame that
 * `toCam` takes into the camera's optical frame, as KITTI gives it: the bottom centre, h w l,
 * and rotation_y and alpha about the camera's y axis.
 */
function labelLine(type: string, toCam: number[], centre: readonly number[], r: readonly number[], length: number, width: number, height: number): string {
  const f = (v: number): string => v.toFixed(2);
  // Bottom centre: half the height down the box's own z axis, then into the camera frame.
  const bottom = applyRigid(toCam, [centre[0] - r[2] * height / 2, centre[1] - r[5] * height / 2, centre[2] - r[8] * height / 2]);
  // The box's length axis in the camera frame; KITTI's ry turns camera x towards -z about y (down).
  const axis = [0, 1, 2].map((a) => toCam[a * 4] * r[0] + toCam[a * 4 + 1] * r[3] + toCam[a * 4 + 2] * r[6]);
  const ry = Math.atan2(-axis[2], axis[0]);
  const alpha = wrap(ry - Math.atan2(bottom[0], bottom[2]));
  return `${type} {2d} ${f(alpha)} {bbox} ${f(height)} ${f(width)} ${f(length)} ${f(bottom[0])} ${f(bottom[1])} ${f(bottom[2])} ${f(ry)}\n`;
}

/** A signal's body from the signals' ground truth: its kind, centre, facing and size. */
interface SignalBox { kind: string; centre: number[]; facing: number; length: number; width: number; height: number }

/** The bodies of a signals ground-truth frame (SignalTruth.ts) by instance id. */
function signalBoxesOf(signals: Frame | undefined): Map<number, SignalBox> {
  const out = new Map<number, SignalBox>();
  if (!signals?.data.instance_ids || !signals.data.bodies) return out;
  const ids = fieldArray(signals.data.instance_ids) as Uint32Array;
  const bodies = fieldArray(signals.data.bodies) as Float32Array;
  const facing = fieldArray(signals.data.facing) as Float32Array;
  const kinds = signals.fields.kinds as string[];
  ids.forEach((id, i) => {
    if (id === 0) return;
    const b = bodies.subarray(i * 6, i * 6 + 6);
    out.set(id, { kind: kinds[i], centre: [b[0], b[1], b[2]], facing: facing[i], length: b[3], width: b[4], height: b[5] });
  });
  return out;
}

function wrap(a: number): number {
  return Math.atan2(Math.sin(a), Math.cos(a));
}
