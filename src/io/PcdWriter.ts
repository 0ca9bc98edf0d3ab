import { fieldArray, type Frame } from '../core/frame.js';

/**
 * A LiDAR frame's points as PCD v0.7 (binary): fields x y z intensity, float32, in the
 * sensor frame, with the sensor's pose in the world as the VIEWPOINT (tx ty tz qw qx qy qz),
 * so a viewer can place the cloud. A frame with per-point return indices (a LiDAR with the
 * beam model on, Lidar.ts) adds the field `return`, uint8, after intensity (17 bytes a point).
 */
export function encodePcd(frame: Frame): Uint8Array {
  const field = frame.data.points;
  if (!field || field.dtype !== 'float32' || field.shape.length !== 2 || field.shape[1] !== 4) {
    throw new Error(`frame ${frame.topic}#${frame.seq} has no float32 [N, 4] points to write as PCD`);
  }
  const points = fieldArray(field) as Float32Array;
  const n = field.shape[0];
  const { p, q } = frame.pose;
  const returns = frame.data.return;
  const withReturn = returns !== undefined && returns.dtype === 'uint8' && returns.shape[0] === n;
  const header = [
    '# .PCD v0.7 - Point Cloud Data file format',
    `# roadcast ${frame.topic} seq ${frame.seq} t_ns ${frame.t_ns} frame ${frame.frame_id}`,
    'VERSION 0.7',
    withReturn ? 'FIELDS x y z intensity return' : 'FIELDS x y z intensity',
    withReturn ? 'SIZE 4 4 4 4 1' : 'SIZE 4 4 4 4',
    withReturn ? 'TYPE F F F F U' : 'TYPE F F F F',
    withReturn ? 'COUNT 1 1 1 1 1' : 'COUNT 1 1 1 1',
    `WIDTH ${n}`,
    'HEIGHT 1',
    `VIEWPOINT ${p[0]} ${p[1]} ${p[2]} ${q[3]} ${q[0]} ${q[1]} ${q[2]}`,
    `POINTS ${n}`,
    'DATA binary',
    '',
  ].join('\n');
  const head = new TextEncoder().encode(header);
  const bytes = new Uint8Array(points.buffer, points.byteOffset, n * 16);
  if (!withReturn) {
    const out = new Uint8Array(head.length + n * 16);
    out.set(head, 0);
    out.set(bytes, head.length);
    return out;
  }
  // Binary PCD is interleaved: each point's 16 bytes of floats, then its return byte.
  const index = fieldArray(returns) as Uint8Array;
  const out = new Uint8Array(head.length + n * 17);
  out.set(head, 0);
  for (let k = 0; k < n; k++) {
    const o = head.length + k * 17;
    out.set(bytes.subarray(k * 16, k * 16 + 16), o);
    out[o + 16] = index[k];
  }
  return out;
}
