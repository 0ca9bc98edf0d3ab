import { quat, vec3 } from 'gl-matrix';
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

/** `parent ∘ child`: the pose of a frame given in `parent`'s frame, expressed in the world. */
export function composePose(parent: Pose, child: Pose): Pose {
  const q = quat.multiply(new Float64Array(4), parent.q, child.q);
  quat.normalize(q, q);
  const p = vec3.transformQuat(new Float64Array(3), child.p, parent.q);
  return {
    p: [parent.p[0] + p[0], parent.p[1] + p[1], parent.p[2] + p[2]],
    q: [q[0], q[1], q[2], q[3]],
  };
}

/** Row-major 3x3 rotation matrix of a unit quaternion. */
export function rotationMatrix(q: readonly number[]): number[] {
  const [x, y, z, w] = q;
  return [
    1 - 2 * (y * y + z * z), 2 * (x * y - z * w), 2 * (x * z + y * w),
    2 * (x * y + z * w), 1 - 2 * (x * x + z * z), 2 * (y * z - x * w),
    2 * (x * z - y * w), 2 * (y * z + x * w), 1 - 2 * (x * x + y * y),
  ];
}

export function poseFromYaw(x: number, y: number, z: number, yaw: number): Pose {
  return { p: [x, y, z], q: [0, 0, Math.sin(yaw / 2), Math.cos(yaw / 2)] };
}
