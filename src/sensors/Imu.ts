import { FRAME_VERSION, arrayField, type Frame, type Pose } from '../core/frame.js';
import { composePose, rotationMatrix } from '../core/pose.js';
import type { Random } from '../core/Random.js';
import type { ActorState } from '../sim/WorldState.js';
import type { ImuConfig } from './MotionSensorConfig.js';
import { mountPose } from './Rig.js';
import { mountFields } from './MountFields.js';
import { SensorSchedule } from './SensorSchedule.js';

export const GRAVITY = 9.80665;

/**
 * An IMU: specific force (what an accelerometer feels: acceleration minus gravity, so it reads
 * +g up at rest) and angular rate, both in the sensor frame, from the parent's motion over one
 * simulation step, plus white noise and a constant per-axis bias drawn once from the seed.
 * The lever arm of the mount is not modelled: the sensor moves with the parent's origin.
 */
export class Imu {
  readonly schedule: SensorSchedule;
  readonly mount: Pose;
  private readonly accelBias: number[];
  private readonly gyroBias: number[];

  constructor(readonly config: ImuConfig, private readonly random: Random) {
    this.schedule = new SensorSchedule(config.rateHz);
    this.mount = mountPose(config.mount);
    this.accelBias = [0, 1, 2].map(() => (config.accelBiasStd > 0 ? random.normal(0, config.accelBiasStd) : 0));
    this.gyroBias = [0, 1, 2].map(() => (config.gyroBiasStd > 0 ? random.normal(0, config.gyroBiasStd) : 0));
  }

  get topic(): string {
    return `imu/${this.config.name}`;
  }

  /** A sample at the start of the step from `from` to `to` (dt seconds), from their velocities and poses. */
  capture(from: ActorState, to: ActorState, dt: number, tNs: number): Frame {
    const seq = this.schedule.fire(tNs);
    const pose = composePose(from.pose, this.mount);
    const world = [0, 1, 2].map((a) => (to.velocity[a] - from.velocity[a]) / dt);
    world[2] += GRAVITY;
    const r = rotationMatrix(pose.q);
    // World to sensor: the transpose of the sensor's rotation.
    const accel = [0, 1, 2].map((a) => r[a] * world[0] + r[3 + a] * world[1] + r[6 + a] * world[2]);
    const gyro = angularVelocity(composePose(from.pose, this.mount).q, composePose(to.pose, this.mount).q, dt);
    const { accelNoiseStd, gyroNoiseStd } = this.config;
    for (let a = 0; a < 3; a++) {
      accel[a] += this.accelBias[a] + (accelNoiseStd > 0 ? this.random.normal(0, accelNoiseStd) : 0);
      gyro[a] += this.gyroBias[a] + (gyroNoiseStd > 0 ? this.random.normal(0, gyroNoiseStd) : 0);
    }
    return {
      v: FRAME_VERSION,
      topic: this.topic,
      kind: 'imu',
      seq,
      t_ns: tNs,
      frame_id: this.config.name,
      pose,
      fields: { ...mountFields(this.mount, from) },
      data: {
        linear_acceleration: arrayField(new Float64Array(accel), [3]),
        angular_velocity: arrayField(new Float64Array(gyro), [3]),
        orientation: arrayField(new Float64Array(pose.q), [4]),
      },
    };
  }
}

/** Body-frame angular velocity turning q0 into q1 over dt: 2 vec(q0^-1 q1) / dt, on the shorter arc. */
function angularVelocity(q0: readonly number[], q1: readonly number[], dt: number): number[] {
  const [x0, y0, z0, w0] = q0;
  const [x1, y1, z1, w1] = q1;
  // conj(q0) * q1
  const w = w0 * w1 + x0 * x1 + y0 * y1 + z0 * z1;
  const x = w0 * x1 - x0 * w1 - y0 * z1 + z0 * y1;
  const y = w0 * y1 + x0 * z1 - y0 * w1 - z0 * x1;
  const z = w0 * z1 - x0 * y1 + y0 * x1 - z0 * w1;
  const sign = w < 0 ? -1 : 1;
  const s = Math.hypot(x, y, z);
  const angle = 2 * Math.atan2(s, Math.abs(w));
  const k = s > 1e-15 ? (sign * angle) / (s * dt) : (2 * sign) / dt;
  return [x * k, y * k, z * k];
}
