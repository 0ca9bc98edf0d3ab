import type { Pose } from '../../core/frame.js';
import { composePose, rotationMatrix } from '../../core/pose.js';

/**
 * The optical frame (x right, y down, z forward) in the sensor's body frame (x forward,
 * y left, z up): optical x = -body y, optical y = -body z, optical z = body x.
 */
export const OPTICAL_IN_BODY: Pose = { p: [0, 0, 0], q: [-0.5, 0.5, -0.5, 0.5] };

/** A camera pose as the renderer uses it: world to optical rotation, centre, and the sun. */
export interface CameraView {
  /** Optical from world rotation, row-major (its rows are the optical axes in the world). */
  m: Float64Array;
  position: [number, number, number];
  /** Unit vector toward the sun, world frame. */
  sun: [number, number, number];
  /** The optical frame's pose in the world (what the frame reports). */
  optical: Pose;
}

/** The view of a camera whose body frame (x forward) has pose `sensor` in the world. */
export function cameraView(sensor: Pose, sun: [number, number, number]): CameraView {
  const optical = composePose(sensor, OPTICAL_IN_BODY);
  const r = rotationMatrix(optical.q); // world from optical; its transpose is optical from world
  const m = new Float64Array([r[0], r[3], r[6], r[1], r[4], r[7], r[2], r[5], r[8]]);
  return { m, position: [...optical.p], sun, optical };
}

/** Unit vector toward a sun at azimuth (from +x, counter-clockwise) and elevation. */
export function sunDirection(azimuth: number, elevation: number): [number, number, number] {
  return [Math.cos(elevation) * Math.cos(azimuth), Math.cos(elevation) * Math.sin(azimuth), Math.sin(elevation)];
}
