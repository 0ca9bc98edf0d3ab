/**
 * The sensor files of a nuScenes export, one per sample_data record: a LiDAR sweep as
 * `.pcd.bin`, a radar scan as PCD v0.7 binary with the 18 fields of the Continental ARS 408's
 * cluster list, a camera image as JPEG. Each is made from one recorded frame.
 */
import sharp from 'sharp';
import { UserError } from '../../core/errors.js';
import { fieldArray, type Frame } from '../../core/frame.js';
import { DYN_PROP } from '../../sensors/RadarNuscenes.js';

/** JPEG quality (libjpeg's 1..100 scale): visually lossless for training, a tenth of the raw size. */
const JPEG_QUALITY = 90;

/**
 * A sweep as nuScenes stores it: float32 x, y, z, intensity, ring per point, in the LiDAR's
 * frame. The intensity is roadcast's (ρ cos θ (10 m / r)², README "Intensity"), not nuScenes'
 * 0..255 scale; the ring is the laser's index, as a float. A LiDAR that keeps its rays without
 * a return (`no_return: keep`, points at the origin with valid 0) has them left out: a
 * nuScenes sweep holds returns only.
 */
export function lidarBin(frame: Frame): Uint8Array {
  const points = fieldArray(frame.data.points) as Float32Array;
  const ring = frame.data.ring ? (fieldArray(frame.data.ring) as Uint16Array) : undefined;
  const valid = frame.data.valid ? (fieldArray(frame.data.valid) as Uint8Array) : undefined;
  const n = points.length / 4;
  const out = new Float32Array(n * 5);
  let m = 0;
  for (let i = 0; i < n; i++) {
    if (valid && !valid[i]) continue;
    out[m * 5] = points[i * 4];
    out[m * 5 + 1] = points[i * 4 + 1];
    out[m * 5 + 2] = points[i * 4 + 2];
    out[m * 5 + 3] = points[i * 4 + 3];
    out[m * 5 + 4] = ring ? ring[i] : 0;
    m++;
  }
  return new Uint8Array(out.buffer, 0, m * 5 * 4);
}

/** The radar fields in nuScenes' order, with their byte sizes and PCD types (F float, I signed integer). */
const RADAR_FIELDS = [
  ['x', 4, 'F'], ['y', 4, 'F'], ['z', 4, 'F'], ['dyn_prop', 1, 'I'], ['id', 2, 'I'], ['rcs', 4, 'F'],
  ['vx', 4, 'F'], ['vy', 4, 'F'], ['vx_comp', 4, 'F'], ['vy_comp', 4, 'F'], ['is_quality_valid', 1, 'I'], ['ambig_state', 1, 'I'],
  ['x_rms', 1, 'I'], ['y_rms', 1, 'I'], ['invalid_state', 1, 'I'], ['pdh0', 1, 'I'], ['vx_rms', 1, 'I'], ['vy_rms', 1, 'I'],
] as const;
const RADAR_POINT_BYTES = RADAR_FIELDS.reduce((sum, [, size]) => sum + size, 0);

/** The per-detection arrays the radar writes with `nuscenes_fields: true` (sensors/RadarNuscenes.ts). */
export const RADAR_NUSCENES_ARRAYS = ['xyz', 'detections', 'dyn_prop', 'ambig_state', 'invalid_state', 'pdh0', 'is_quality_valid', 'velocity_xy', 'rms'] as const;

/** The detections of a radar frame the devkit's default filters keep: valid, unambiguous, dyn_prop 0..6. */
export interface RadarPoints {
  /** x, y, z per detection, sensor frame. */
  xyz: Float32Array;
  /** Whether the devkit's default filters keep each detection. */
  kept: Uint8Array;
}

/**
 * A radar scan as nuScenes writes it: PCD v0.7, binary, the header's lines in the order the
 * devkit's `RadarPointCloud.from_file` reads them by position. The fields are the recorded
 * ones (sensors/RadarNuscenes.ts), but dyn_prop 7 (stopped) is written as 1 (stationary): the
 * devkit keeps dyn_prop 0..6 by default, and a stopped car's detections are real. So the
 * default filters (invalid_state 0, ambig_state 3, dyn_prop 0..6) drop exactly the false
 * alarms and multipath ghosts (invalid), the ground clutter (valid with low RCS, 0x04) and the
 * folded velocities (ambiguous). An empty scan is one point of NaN, which the devkit reads as
 * empty (its reader needs at least one point). The devkit's reader also needs a byte after the
 * last point: a newline ends the file.
 */
export function radarPcd(frame: Frame, where: string): { bytes: Uint8Array; points: RadarPoints } {
  checkExportable(frame, where);
  const xyz = fieldArray(frame.data.xyz) as Float32Array;
  const detections = fieldArray(frame.data.detections) as Float32Array;
  const u8 = (name: string): Uint8Array => fieldArray(frame.data[name]) as Uint8Array;
  const dynProp = u8('dyn_prop'), ambig = u8('ambig_state'), invalid = u8('invalid_state'), pdh0 = u8('pdh0'), quality = u8('is_quality_valid'), rms = u8('rms');
  const velocity = fieldArray(frame.data.velocity_xy) as Float32Array;
  const n = xyz.length / 3;
  const rows = Math.max(n, 1);
  const header = [
    '# .PCD v0.7 - Point Cloud Data file format',
    'VERSION 0.7',
    `FIELDS ${RADAR_FIELDS.map(([name]) => name).join(' ')}`,
    `SIZE ${RADAR_FIELDS.map(([, size]) => size).join(' ')}`,
    `TYPE ${RADAR_FIELDS.map(([, , type]) => type).join(' ')}`,
    `COUNT ${RADAR_FIELDS.map(() => 1).join(' ')}`,
    `WIDTH ${rows}`,
    'HEIGHT 1',
    'VIEWPOINT 0 0 0 1 0 0 0',
    `POINTS ${rows}`,
    'DATA binary',
    '',
  ].join('\n');
  const head = new TextEncoder().encode(header);
  const bytes = new Uint8Array(head.length + rows * RADAR_POINT_BYTES + 1);
  bytes.set(head);
  const view = new DataView(bytes.buffer, head.length);
  const kept = new Uint8Array(n);
  if (n === 0) {
    for (const k of [0, 4, 8]) view.setFloat32(k, NaN, true);
  }
  for (let i = 0; i < n; i++) {
    const dyn = dynProp[i] === DYN_PROP.stopped ? DYN_PROP.stationary : dynProp[i];
    kept[i] = invalid[i] === 0 && ambig[i] === 3 && dyn <= 6 ? 1 : 0;
    let o = i * RADAR_POINT_BYTES;
    const f32 = (v: number): void => { view.setFloat32(o, v, true); o += 4; };
    const i8 = (v: number): void => { view.setInt8(o, v); o += 1; };
    f32(xyz[i * 3]); f32(xyz[i * 3 + 1]); f32(xyz[i * 3 + 2]);
    i8(dyn);
    view.setInt16(o, Math.min(i, 0x7fff), true); o += 2;
    f32(detections[i * 6 + 4]);
    for (let k = 0; k < 4; k++) f32(velocity[i * 4 + k]);
    i8(quality[i]); i8(ambig[i]);
    i8(rms[i * 4]); i8(rms[i * 4 + 1]);
    i8(invalid[i]); i8(pdh0[i]);
    i8(rms[i * 4 + 2]); i8(rms[i * 4 + 3]);
  }
  bytes[bytes.length - 1] = 0x0a;
  return { bytes, points: { xyz, kept } };
}

/** Refuses a frame that lacks what its file needs: a radar's nuScenes fields, a camera's colour image. */
export function checkExportable(frame: Frame, where: string): void {
  if (frame.kind === 'radar') {
    for (const name of RADAR_NUSCENES_ARRAYS) {
      if (!frame.data[name]) throw new UserError(`radar ${frame.topic} was recorded without its nuScenes fields (no "${name}"); set nuscenes_fields: true on it in the rig and record again`, where);
    }
  }
  if (frame.kind === 'camera' && !frame.data.rgb) throw new UserError(`camera ${frame.topic} was recorded without rgb; nuScenes needs colour images (add rgb to its outputs)`, where);
}

/**
 * A camera frame's colour image as JPEG: baseline, 4:2:0, as nuScenes' images. sharp encodes it
 * (libvips' libjpeg-turbo, prebuilt for each platform): about 2 ms for 320 x 180 and 10 ms for
 * 1600 x 900 here, where the pure-JavaScript and WebAssembly encoders took 10 to 100 times as
 * long and would make the JPEGs most of an export's time.
 */
export async function cameraJpeg(frame: Frame, where: string): Promise<Uint8Array> {
  checkExportable(frame, where);
  const width = Number(frame.fields.width), height = Number(frame.fields.height);
  const pixels = fieldArray(frame.data.rgb) as Uint8Array;
  return sharp(pixels, { raw: { width, height, channels: 3 } }).jpeg({ quality: JPEG_QUALITY, chromaSubsampling: '4:2:0' }).toBuffer();
}
