import { FRAME_VERSION, arrayField, type Frame, type Pose } from '../core/frame.js';
import { enuToGeodetic } from '../core/geodesy.js';
import { composePose } from '../core/pose.js';
import type { Random } from '../core/Random.js';
import type { ActorState } from '../sim/WorldState.js';
import type { GnssConfig } from './MotionSensorConfig.js';
import { mountPose } from './Rig.js';
import { mountFields } from './MountFields.js';
import { SensorSchedule } from './SensorSchedule.js';

/**
 * A GNSS receiver: the antenna's position as WGS84 latitude, longitude and altitude, the map's
 * x, y, z being metres east, north and up of the configured origin, with Gaussian noise
 * (horizontal and vertical); and the velocity east, north, up.
 */
export class Gnss {
  readonly schedule: SensorSchedule;
  readonly mount: Pose;

  constructor(readonly config: GnssConfig, private readonly random: Random) {
    this.schedule = new SensorSchedule(config.rateHz);
    this.mount = mountPose(config.mount);
  }

  get topic(): string {
    return `gnss/${this.config.name}`;
  }

  capture(parent: ActorState, tNs: number): Frame {
    const seq = this.schedule.fire(tNs);
    const pose = composePose(parent.pose, this.mount);
    const { horizontalNoiseStd: h, verticalNoiseStd: v } = this.config;
    const east = pose.p[0] + (h > 0 ? this.random.normal(0, h) : 0);
    const north = pose.p[1] + (h > 0 ? this.random.normal(0, h) : 0);
    const up = pose.p[2] + (v > 0 ? this.random.normal(0, v) : 0);
    const fix = enuToGeodetic(this.config.origin, east, north, up);
    return {
      v: FRAME_VERSION,
      topic: this.topic,
      kind: 'gnss',
      seq,
      t_ns: tNs,
      frame_id: this.config.name,
      pose,
      fields: { horizontal_std: h, vertical_std: v, ...mountFields(this.mount, parent) },
      data: {
        latitude_longitude_altitude: arrayField(new Float64Array([fix.latitude, fix.longitude, fix.altitude]), [3]),
        velocity_enu: arrayField(new Float64Array(parent.velocity), [3]),
      },
    };
  }
}
