import { arrayField, FRAME_VERSION, type Frame, type Pose } from '../core/frame.js';
import { composePose, rotationMatrix } from '../core/pose.js';
import type { Random } from '../core/Random.js';
import { createHitBuffer, type HitBuffer, type RayBatch } from '../raycast/RaycastScene.js';
import type { ActorState } from '../sim/WorldState.js';
import type { World } from '../world/World.js';
import { mountPose, type LidarConfig } from './Rig.js';
import { SensorSchedule } from './SensorSchedule.js';

/**
 * A spinning (or sector) LiDAR: a fixed pattern of channels x columns, cast from the sensor's
 * pose each time it fires. Points are x, y, z, intensity in the sensor frame (x forward,
 * y left, z up), column by column as the head turns, one point per ray that returns.
 */
export class Lidar {
  readonly columns: number;
  readonly rayCount: number;
  /** Unit ray directions in the sensor frame, 3 per ray, column-major (all channels of a column together). */
  readonly pattern: Float32Array;
  readonly mount: Pose;
  readonly schedule: SensorSchedule;
  private readonly batch: RayBatch;
  private readonly hits: HitBuffer;

  constructor(readonly config: LidarConfig, private readonly random: Random) {
    const fullTurn = config.horizontalFov >= 2 * Math.PI - 1e-9;
    this.columns = fullTurn
      ? Math.round(config.horizontalFov / config.horizontalResolution)
      : Math.floor(config.horizontalFov / config.horizontalResolution + 1e-9) + 1;
    this.rayCount = this.columns * config.channels;
    this.pattern = new Float32Array(this.rayCount * 3);
    const elevationStep = config.channels > 1 ? (config.upperFov - config.lowerFov) / (config.channels - 1) : 0;
    for (let col = 0; col < this.columns; col++) {
      // Clockwise seen from above, starting at the left edge of the field of view.
      const azimuth = config.horizontalFov / 2 - col * config.horizontalResolution;
      for (let ch = 0; ch < config.channels; ch++) {
        const elevation = config.lowerFov + ch * elevationStep;
        const o = (col * config.channels + ch) * 3;
        this.pattern[o] = Math.cos(elevation) * Math.cos(azimuth);
        this.pattern[o + 1] = Math.cos(elevation) * Math.sin(azimuth);
        this.pattern[o + 2] = Math.sin(elevation);
      }
    }
    this.mount = mountPose(config.mount);
    this.schedule = new SensorSchedule(config.rateHz);
    this.batch = {
      origins: new Float32Array(this.rayCount * 3),
      directions: new Float32Array(this.rayCount * 3),
      count: this.rayCount,
      tMin: config.minRange,
      tMax: config.maxRange,
    };
    this.hits = createHitBuffer(this.rayCount);
  }

  get topic(): string {
    return `lidar/${this.config.name}`;
  }

  /** Casts one sweep from the parent's pose at time tNs and returns its frame. */
  capture(world: World, parent: ActorState, tNs: number): Frame {
    const seq = this.schedule.fire(tNs);
    const pose = composePose(parent.pose, this.mount);
    const r = rotationMatrix(pose.q);
    const { origins, directions } = this.batch;
    const pattern = this.pattern;
    for (let i = 0; i < this.rayCount; i++) {
      const o = i * 3;
      const x = pattern[o], y = pattern[o + 1], z = pattern[o + 2];
      origins[o] = pose.p[0];
      origins[o + 1] = pose.p[1];
      origins[o + 2] = pose.p[2];
      directions[o] = r[0] * x + r[1] * y + r[2] * z;
      directions[o + 1] = r[3] * x + r[4] * y + r[5] * z;
      directions[o + 2] = r[6] * x + r[7] * y + r[8] * z;
    }
    world.scene.cast(this.batch, this.hits, { ignoreInstanceId: parent.instanceId });
    const points = this.measure();
    return {
      v: FRAME_VERSION,
      topic: this.topic,
      kind: 'lidar',
      seq,
      t_ns: tNs,
      frame_id: this.config.name,
      pose,
      fields: {
        channels: this.config.channels,
        columns: this.columns,
        rate_hz: this.config.rateHz,
        min_range: this.config.minRange,
        max_range: this.config.maxRange,
        point_count: points.length / 4,
      },
      data: { points: arrayField(points, [points.length / 4, 4]) },
    };
  }

  /** Returns in the sensor frame: range along the pattern direction, intensity from reflectivity and incidence. */
  private measure(): Float32Array {
    const { distance, normal, reflectivity } = this.hits;
    const { directions } = this.batch;
    const std = this.config.rangeNoiseStd;
    let count = 0;
    for (let i = 0; i < this.rayCount; i++) if (distance[i] !== Infinity) count++;
    const points = new Float32Array(count * 4);
    let k = 0;
    for (let i = 0; i < this.rayCount; i++) {
      const d = distance[i];
      if (d === Infinity) continue;
      const range = std > 0 ? Math.max(0, d + this.random.normal(0, std)) : d;
      const o = i * 3;
      const cosIncidence = -(normal[o] * directions[o] + normal[o + 1] * directions[o + 1] + normal[o + 2] * directions[o + 2]);
      points[k] = range * this.pattern[o];
      points[k + 1] = range * this.pattern[o + 1];
      points[k + 2] = range * this.pattern[o + 2];
      points[k + 3] = Math.min(1, reflectivity[i] * Math.max(0, cosIncidence));
      k += 4;
    }
    return points;
  }
}
