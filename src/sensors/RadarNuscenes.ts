/**
 * The per-detection fields of a nuScenes radar point (Continental ARS 408-21 cluster list), so
 * exporters can fill them: the codes are those documented in the nuScenes devkit
 * (nuscenes/utils/data_classes.py, RadarPointCloud.from_file) and, for the rms codes, in the
 * ARS 408 "Cluster_2_Quality" message table. Where the real sensor estimates a field, we give
 * the ground truth the simulation knows (a ghost is known to be a ghost); the README says
 * which field is which.
 */
import type { Detection } from './RadarDetection.js';

/** dyn_prop codes (devkit): 0 moving, 1 stationary, 2 oncoming, 3 stationary candidate, 4 unknown, 5 crossing stationary, 6 crossing moving, 7 stopped. */
export const DYN_PROP = { moving: 0, stationary: 1, oncoming: 2, stationaryCandidate: 3, unknown: 4, crossingStationary: 5, crossingMoving: 6, stopped: 7 } as const;
/** ambig_state codes (devkit): 0 invalid, 1 ambiguous, 2 staggered ramp, 3 unambiguous, 4 stationary candidates. */
export const AMBIG_STATE = { ambiguous: 1, unambiguous: 3 } as const;
/** invalid_state codes used here (devkit): 0x00 valid, 0x01 invalid due to low RCS, 0x04 valid cluster with low RCS, 0x06 invalid cluster due to high mirror probability. */
export const INVALID_STATE = { valid: 0x00, lowRcsInvalid: 0x01, lowRcsValid: 0x04, mirror: 0x06 } as const;
/** pdh0 codes (devkit): false-alarm probability of the cluster, 1 < 25 %, ..., 7 <= 100 %. */
export const PDH0 = { below25: 1, atMost100: 7 } as const;

/** Ground speed (m/s) under which an object counts as standing: our choice, a little above walking-pace noise. */
export const STANDING_SPEED = 0.5;

/**
 * dyn_prop of a detection from its object's ground-truth velocity over the ground, in the sensor
 * frame (x forward, y left). Standing (below STANDING_SPEED): stopped if it has moved before in
 * this run, else stationary. Moving: by the heading of its velocity against the sensor's x axis,
 * within 45 deg of it moving (away, as the sensor looks), within 45 deg of its reverse oncoming,
 * otherwise crossing moving. The static world (instance 0, clutter) is stationary; false
 * alarms, which belong to nothing, unknown. The ARS 408 documents the codes, not its thresholds:
 * the 45 deg sectors and the speed are ours.
 */
export function dynProp(groundVelocitySensor: readonly number[] | undefined, hasMoved: boolean): number {
  if (!groundVelocitySensor) return DYN_PROP.unknown;
  const [vx, vy] = groundVelocitySensor;
  if (Math.hypot(vx, vy) < STANDING_SPEED) return hasMoved ? DYN_PROP.stopped : DYN_PROP.stationary;
  const heading = Math.abs(Math.atan2(vy, vx));
  if (heading <= Math.PI / 4) return DYN_PROP.moving;
  if (heading >= (3 * Math.PI) / 4) return DYN_PROP.oncoming;
  return DYN_PROP.crossingMoving;
}

/**
 * Upper bounds (m or m/s) of the ARS 408 rms codes 0..31 of Cluster_2_Quality (DistLong_rms,
 * DistLat_rms, VrelLong_rms, VrelLat_rms): a geometric table from 0.005 to 12.9, about
 * 10^0.11 apart.
 */
const RMS_BOUNDS = [
  0.005, 0.006, 0.008, 0.011, 0.014, 0.018, 0.023, 0.029, 0.038, 0.049, 0.063, 0.081, 0.105, 0.135, 0.174, 0.224,
  0.288, 0.371, 0.478, 0.616, 0.794, 1.023, 1.317, 1.697, 2.187, 2.817, 3.63, 4.676, 6.025, 7.762, 10.0, 12.9,
];

/** The rms code of a standard deviation: the first whose bound it does not exceed (31 beyond the table). */
export function rmsCode(std: number): number {
  const k = RMS_BOUNDS.findIndex((bound) => std <= bound);
  return k < 0 ? RMS_BOUNDS.length - 1 : k;
}

/** What the fields need beyond the detection: the sensor's resolution and noise, and the truth. */
export interface NuscenesContext {
  rangeResolution: number;
  azimuthResolution: number;
  rangeNoiseStd: number;
  azimuthNoiseStd: number;
  velocityNoiseStd: number;
  /** The sensor's own velocity over the ground, in the sensor frame. */
  sensorVelocity: readonly number[];
  /** An object's velocity over the ground in the sensor frame; undefined for none (false alarms). */
  groundVelocity(d: Detection): readonly number[] | undefined;
  hasMoved(instance: number): boolean;
}

export interface NuscenesFields {
  dynProp: Uint8Array;
  ambigState: Uint8Array;
  invalidState: Uint8Array;
  pdh0: Uint8Array;
  isQualityValid: Uint8Array;
  /** vx, vy, vx_comp, vy_comp per detection (m/s, sensor frame). */
  velocity: Float32Array;
  /** x_rms, y_rms, vx_rms, vy_rms codes per detection. */
  rms: Uint8Array;
}

/**
 * The fields of each detection. vx, vy: the measured radial velocity v_r (noise and folding
 * included) as a vector along the line of sight u = (cos el cos az, cos el sin az, sin el),
 * its x and y components. vx_comp, vy_comp: the same after adding back the sensor's own motion
 * along u, v_r + v_sensor . u, the target's radial velocity over the ground (0 for anything
 * standing). rms: the standard deviations of x, y and of vx, vy from the cell (a uniform error
 * over one cell, width / sqrt(12)) and the configured noise, carried through x = r cos az,
 * y = r sin az and v_x = v_r cos az, v_y = v_r sin az to first order, as rms codes.
 */
export function nuscenesFields(detections: readonly Detection[], ctx: NuscenesContext): NuscenesFields {
  const n = detections.length;
  const out: NuscenesFields = {
    dynProp: new Uint8Array(n), ambigState: new Uint8Array(n), invalidState: new Uint8Array(n), pdh0: new Uint8Array(n),
    isQualityValid: new Uint8Array(n), velocity: new Float32Array(n * 4), rms: new Uint8Array(n * 4),
  };
  const rangeVar = ctx.rangeResolution ** 2 / 12 + ctx.rangeNoiseStd ** 2;
  const azimuthVar = ctx.azimuthResolution ** 2 / 12 + ctx.azimuthNoiseStd ** 2;
  const velocityVar = ctx.velocityNoiseStd ** 2;
  const [sx, sy, sz] = ctx.sensorVelocity;
  detections.forEach((d, i) => {
    const ground = d.falseAlarm ? undefined : ctx.groundVelocity(d);
    out.dynProp[i] = dynProp(ground, ground !== undefined && d.instance !== 0 && ctx.hasMoved(d.instance));
    out.ambigState[i] = d.velocityWrapped ? AMBIG_STATE.ambiguous : AMBIG_STATE.unambiguous;
    out.invalidState[i] = d.falseAlarm ? INVALID_STATE.lowRcsInvalid : d.ghost ? INVALID_STATE.mirror : d.clutter ? INVALID_STATE.lowRcsValid : INVALID_STATE.valid;
    out.pdh0[i] = d.falseAlarm || d.ghost ? PDH0.atMost100 : PDH0.below25;
    out.isQualityValid[i] = 1;
    const ux = Math.cos(d.elevation) * Math.cos(d.azimuth), uy = Math.cos(d.elevation) * Math.sin(d.azimuth), uz = Math.sin(d.elevation);
    const compensated = d.radialVelocity + sx * ux + sy * uy + sz * uz;
    out.velocity.set([d.radialVelocity * ux, d.radialVelocity * uy, compensated * ux, compensated * uy], i * 4);
    const c = Math.cos(d.azimuth), s = Math.sin(d.azimuth);
    const r2 = d.range * d.range, v2 = d.radialVelocity * d.radialVelocity;
    out.rms.set([
      rmsCode(Math.sqrt(c * c * rangeVar + r2 * s * s * azimuthVar)),
      rmsCode(Math.sqrt(s * s * rangeVar + r2 * c * c * azimuthVar)),
      rmsCode(Math.sqrt(c * c * velocityVar + v2 * s * s * azimuthVar)),
      rmsCode(Math.sqrt(s * s * velocityVar + v2 * c * c * azimuthVar)),
    ], i * 4);
  });
  return out;
}
