import { quat } from 'gl-matrix';
import type { Pose } from './frame.js';

/**
 * Rigid poses as position + unit quaternion (x, y, z, w), the wire format's order.
 * gl-matrix does the algebra; every output is a Float64Array so nothing rounds to float32.
 */
export type Quat = [number, number, number, number];
export type Vec3 = [number, number, number];

/** The rotation Rz(yaw) · Ry(pitch) · Rx(roll): body x forward, y left, z up (REP 103). */
export function quatFromRollPitchYaw(roll: number, pitch: number, yaw: number): Quat {
  const cr = Math.cos(roll / 2), sr = Math.sin(roll / 2);
  const cp = Math.cos(pitch / 2), sp = Math.sin(pitch / 2);
  const cy = Math.cos(yaw / 2), sy = Math.sin(yaw / 2);
  return [
    sr * cp * cy - cr * sp * sy,
    cr * sp * cy + sr * cp * sy,
    cr * cp * sy - sr * sp * cy,
    cr * cp * cy + sr * sp * sy,
  ];
}

/**
 * `parent ∘ child`: the pose of a frame given in `parent`'s frame, expressed in the world.
 * Written out rather than through gl-matrix's typed-array calls, which allocated two arrays per
 * call (the world composes every actor part's pose every step); the operations are gl-matrix's
 * quat.multiply, quat.normalize and vec3.transformQuat in their order, so the bits are the same
 * (test/core/pose.test.ts compares them).
 */
export function composePose(parent: Pose, child: Pose): Pose {
  const ax = parent.q[0], ay = parent.q[1], az = parent.q[2], aw = parent.q[3];
  const bx = child.q[0], by = child.q[1], bz = child.q[2], bw = child.q[3];
  const qx = ax * bw + aw * bx + ay * bz - az * by;
  const qy = ay * bw + aw * by + az * bx - ax * bz;
  const qz = az * bw + aw * bz + ax * by - ay * bx;
  const qw = aw * bw - ax * bx - ay * by - az * bz;
  let len = qx * qx + qy * qy + qz * qz + qw * qw;
  if (len > 0) len = 1 / Math.sqrt(len);
  const vx = child.p[0], vy = child.p[1], vz = child.p[2];
  let tx = ay * vz - az * vy, ty = az * vx - ax * vz, tz = ax * vy - ay * vx;
  tx = tx + tx; ty = ty + ty; tz = tz + tz;
  return {
    p: [parent.p[0] + (vx + aw * tx + ay * tz - az * ty), parent.p[1] + (vy + aw * ty + az * tx - ax * tz), parent.p[2] + (vz + aw * tz + ax * ty - ay * tx)],
    q: [qx * len, qy * len, qz * len, qw * len],
  };
}

/** Row-major 3x3 rotation matrix of a unit quaternion. */
export function rotationMatrix(q: ArrayLike<number>): number[] {
  // Filled, not sized: an array made with a length is holey, and every read of it checks for holes.
  const out = [0, 0, 0, 0, 0, 0, 0, 0, 0];
  rotationMatrixInto(q, out, 0);
  return out;
}

/**
 * rotationMatrix written into `out` from index `at` (the top level's transforms, placed every
 * step): no array, and the quaternion read by index (destructuring a typed array runs its
 * iterator, an object a call).
 */
export function rotationMatrixInto(q: ArrayLike<number>, out: { [k: number]: number }, at: number): void {
  const x = q[0], y = q[1], z = q[2], w = q[3];
  out[at] = 1 - 2 * (y * y + z * z); out[at + 1] = 2 * (x * y - z * w); out[at + 2] = 2 * (x * z + y * w);
  out[at + 3] = 2 * (x * y + z * w); out[at + 4] = 1 - 2 * (x * x + z * z); out[at + 5] = 2 * (y * z - x * w);
  out[at + 6] = 2 * (x * z - y * w); out[at + 7] = 2 * (y * z + x * w); out[at + 8] = 1 - 2 * (x * x + y * y);
}

export function poseFromYaw(x: number, y: number, z: number, yaw: number): Pose {
  return { p: [x, y, z], q: [0, 0, Math.sin(yaw / 2), Math.cos(yaw / 2)] };
}

/** A rigid transform as a row-major 3x4 matrix [R | t]: the pose's frame to the world. */
export function rigidMatrix(pose: Pose): number[] {
  const r = rotationMatrix(pose.q);
  return [r[0], r[1], r[2], pose.p[0], r[3], r[4], r[5], pose.p[1], r[6], r[7], r[8], pose.p[2]];
}

/** The inverse of a rigid 3x4 transform: [R^T | -R^T t]. */
export function invertRigid(m: readonly number[]): number[] {
  const t = [m[3], m[7], m[11]];
  const out: number[] = [];
  for (let row = 0; row < 3; row++) {
    const r = [m[row], m[4 + row], m[8 + row]];
    out.push(r[0], r[1], r[2], -(r[0] * t[0] + r[1] * t[1] + r[2] * t[2]));
  }
  return out;
}

/** a · b for rigid 3x4 transforms (apply b, then a). */
export function composeRigid(a: readonly number[], b: readonly number[]): number[] {
  const out: number[] = [];
  for (let row = 0; row < 3; row++) {
    for (let col = 0; col < 4; col++) {
      let v = a[row * 4] * b[col] + a[row * 4 + 1] * b[4 + col] + a[row * 4 + 2] * b[8 + col];
      if (col === 3) v += a[row * 4 + 3];
      out.push(v);
    }
  }
  return out;
}

/** m · (x, y, z, 1). */
export function applyRigid(m: readonly number[], p: readonly number[]): [number, number, number] {
  return [
    m[0] * p[0] + m[1] * p[1] + m[2] * p[2] + m[3],
    m[4] * p[0] + m[5] * p[1] + m[6] * p[2] + m[7],
    m[8] * p[0] + m[9] * p[1] + m[10] * p[2] + m[11],
  ];
}

/** The pose of a rigid 3x4 transform [R | t] (the inverse of rigidMatrix), its quaternion with w ≥ 0. */
export function poseFromRigid(m: readonly number[]): Pose {
  const r = [m[0], m[1], m[2], m[4], m[5], m[6], m[8], m[9], m[10]];
  const q = quat.fromMat3(new Float64Array(4), [r[0], r[3], r[6], r[1], r[4], r[7], r[2], r[5], r[8]]);
  quat.normalize(q, q);
  const s = q[3] < 0 ? -1 : 1;
  return { p: [m[3], m[7], m[11]], q: [s * q[0], s * q[1], s * q[2], s * q[3]] };
}
