import { arrayField, FRAME_VERSION, type Frame, type Pose } from '../core/frame.js';
import { composePose, rigidMatrix, rotationMatrix } from '../core/pose.js';
import type { Random } from '../core/Random.js';
import { createHitBuffer, MISS, type HitBuffer, type RayBatch } from '../raycast/RaycastScene.js';
import type { ActorState } from '../sim/WorldState.js';
import type { World } from '../world/World.js';
import { boxesInSensorFrame } from './boxesInSensorFrame.js';
import { interpolatePose } from './interpolation.js';
import { mountPose, type LidarConfig } from './Rig.js';
import { SensorSchedule } from './SensorSchedule.js';

/** Signal reference range: a return's signal is intensity x (REFERENCE_RANGE / range)^2. */
const REFERENCE_RANGE = 10;

/**
 * A spinning (or sector-scanning) LiDAR: channels x columns rays, the columns swept
 * clockwise from the left edge of the field of view over one period. Each column fires at
 * its own time, from the sensor's pose at that time, so a sweep taken while moving shows the
 * distortion a real sensor shows (unless `motionDistortion` is off: then the whole sweep is
 * cast from the pose at its start). Points are in the sensor frame at their firing time.
 *
 * Per point: x, y, z, intensity; ring (0 = lowest channel), time offset from the sweep
 * start, semantic class and instance id of the surface hit.
 */
export class Lidar {
  readonly channels: number;
  readonly columns: number;
  readonly rayCount: number;
  /** Unit ray directions in the sensor frame, 3 per ray, column-major, channels in table order. */
  readonly pattern: Float32Array;
  /** Ring of each channel: its rank by elevation. */
  readonly rings: Uint16Array;
  readonly mount: Pose;
  readonly schedule: SensorSchedule;
  private readonly batch: RayBatch;
  private readonly hits: HitBuffer;
  /** Firing time of each ray's column, ns after the sweep start. */
  private readonly rayTimeNs: Uint32Array;
  private sweep: { startNs: number; seq: number; pose: Pose; nextColumn: number; actors: readonly ActorState[] } | undefined;

  constructor(readonly config: LidarConfig, private readonly random: Random) {
    const fullTurn = config.horizontalFov >= 2 * Math.PI - 1e-9;
    this.channels = config.elevations.length;
    this.columns = fullTurn
      ? Math.round(config.horizontalFov / config.horizontalResolution)
      : Math.floor(config.horizontalFov / config.horizontalResolution + 1e-9) + 1;
    this.rayCount = this.columns * this.channels;
    this.pattern = new Float32Array(this.rayCount * 3);
    for (let col = 0; col < this.columns; col++) {
      const azimuth = config.horizontalFov / 2 - col * config.horizontalResolution;
      config.elevations.forEach((elevation, ch) => {
        const o = (col * this.channels + ch) * 3;
        this.pattern[o] = Math.cos(elevation) * Math.cos(azimuth);
        this.pattern[o + 1] = Math.cos(elevation) * Math.sin(azimuth);
        this.pattern[o + 2] = Math.sin(elevation);
      });
    }
    const order = config.elevations.map((e, i) => [e, i] as const).sort((a, b) => a[0] - b[0] || a[1] - b[1]);
    this.rings = new Uint16Array(this.channels);
    order.forEach(([, channel], ring) => (this.rings[channel] = ring));
    this.mount = mountPose(config.mount);
    this.schedule = new SensorSchedule(config.rateHz);
    this.rayTimeNs = new Uint32Array(this.rayCount);
    for (let col = 0; col < this.columns; col++) this.rayTimeNs.fill(this.columnTimeNs(col), col * this.channels, (col + 1) * this.channels);
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

  /** When column `col` fires, ns after the sweep starts: the sweep spans one period. */
  columnTimeNs(col: number): number {
    return Math.floor((col * this.schedule.periodNs) / this.columns);
  }

  /**
   * A whole sweep from one pose at tNs (no motion distortion), returned at once. `actors` (the
   * world's actors at tNs) get their boxes in the frame, with the number of points on each.
   */
  capture(world: World, parent: ActorState, tNs: number, actors: readonly ActorState[] = []): Frame {
    const seq = this.schedule.fire(tNs);
    const pose = composePose(parent.pose, this.mount);
    this.aim(0, this.columns, pose);
    world.scene.cast(this.batch, this.hits, { ignoreInstanceId: parent.instanceId });
    return this.frame(seq, tNs, pose, false, actors.filter((a) => a.instanceId !== parent.instanceId));
  }

  /**
   * Casts the columns that fire in [fromNs, toNs), with the parent's pose interpolated to each
   * column's time between `from` and `to` (its states at those times); the world's actors must
   * already be placed for this interval. Returns the frame of a sweep that completes here.
   */
  advance(world: World, from: ActorState, to: ActorState, fromNs: number, toNs: number, actors: readonly ActorState[] = []): Frame | undefined {
    if (!this.sweep && this.schedule.isDue(fromNs)) {
      const others = actors.filter((a) => a.instanceId !== from.instanceId);
      this.sweep = { startNs: fromNs, seq: this.schedule.fire(fromNs), pose: composePose(from.pose, this.mount), nextColumn: 0, actors: others };
    }
    const sweep = this.sweep;
    if (!sweep) return undefined;
    let end = sweep.nextColumn;
    while (end < this.columns && sweep.startNs + this.columnTimeNs(end) < toNs) end++;
    for (let col = sweep.nextColumn; col < end; col++) {
      const f = (sweep.startNs + this.columnTimeNs(col) - fromNs) / (toNs - fromNs);
      this.aim(col, col + 1, composePose(interpolatePose(from.pose, to.pose, f), this.mount));
    }
    if (end > sweep.nextColumn) {
      world.scene.cast(this.batch, this.hits, { first: sweep.nextColumn * this.channels, end: end * this.channels, ignoreInstanceId: from.instanceId });
      sweep.nextColumn = end;
    }
    if (sweep.nextColumn < this.columns) return undefined;
    this.sweep = undefined;
    return this.frame(sweep.seq, sweep.startNs, sweep.pose, true, sweep.actors);
  }

  /** Sets the world-frame rays of columns [c0, c1) from one sensor pose. */
  private aim(c0: number, c1: number, pose: Pose): void {
    const r = rotationMatrix(pose.q);
    const { origins, directions } = this.batch;
    const pattern = this.pattern;
    for (let i = c0 * this.channels; i < c1 * this.channels; i++) {
      const o = i * 3;
      const x = pattern[o], y = pattern[o + 1], z = pattern[o + 2];
      origins[o] = pose.p[0];
      origins[o + 1] = pose.p[1];
      origins[o + 2] = pose.p[2];
      directions[o] = r[0] * x + r[1] * y + r[2] * z;
      directions[o + 1] = r[3] * x + r[4] * y + r[5] * z;
      directions[o + 2] = r[6] * x + r[7] * y + r[8] * z;
    }
  }

  /**
   * The measurement model over the swept rays: Gaussian range noise, dropout (at random, and
   * when the signal, intensity falling with the square of range, is too weak), and rays with
   * no return left out or kept flagged.
   */
  private frame(seq: number, tNs: number, pose: Pose, distorted: boolean, actors: readonly ActorState[]): Frame {
    const { distance, normal, reflectivity, classId, instanceId } = this.hits;
    const { directions } = this.batch;
    const { rangeNoiseStd: std, dropoutBase, minSignal, noReturn } = this.config;
    const keep = new Uint8Array(this.rayCount);
    const range = new Float64Array(this.rayCount);
    const intensity = new Float32Array(this.rayCount);
    let count = 0;
    for (let i = 0; i < this.rayCount; i++) {
      const d = distance[i];
      if (d !== Infinity) {
        const o = i * 3;
        const cosIncidence = -(normal[o] * directions[o] + normal[o + 1] * directions[o + 1] + normal[o + 2] * directions[o + 2]);
        const value = Math.min(1, reflectivity[i] * Math.max(0, cosIncidence));
        const lost = (dropoutBase > 0 && this.random.next() < dropoutBase) || value * (REFERENCE_RANGE / d) ** 2 < minSignal;
        if (!lost) {
          range[i] = std > 0 ? Math.max(0, d + this.random.normal(0, std)) : d;
          intensity[i] = value;
          keep[i] = 2;
        }
      }
      if (keep[i] === 0 && noReturn === 'keep') keep[i] = 1;
      if (keep[i] > 0) count++;
    }
    const points = new Float32Array(count * 4);
    const ring = new Uint16Array(count);
    const timeOffset = new Uint32Array(count);
    const semantic = new Uint8Array(count);
    const instance = new Uint32Array(count);
    const valid = new Uint8Array(count);
    let k = 0;
    for (let i = 0; i < this.rayCount; i++) {
      if (keep[i] === 0) continue;
      const o = i * 3;
      if (keep[i] === 2) {
        points[k * 4] = range[i] * this.pattern[o];
        points[k * 4 + 1] = range[i] * this.pattern[o + 1];
        points[k * 4 + 2] = range[i] * this.pattern[o + 2];
        points[k * 4 + 3] = intensity[i];
        semantic[k] = classId[i];
        instance[k] = instanceId[i] === MISS ? 0 : instanceId[i];
        valid[k] = 1;
      }
      ring[k] = this.rings[i % this.channels];
      timeOffset[k] = distorted ? this.rayTimeNs[i] : 0;
      k++;
    }
    return {
      v: FRAME_VERSION,
      topic: this.topic,
      kind: 'lidar',
      seq,
      t_ns: tNs,
      frame_id: this.config.name,
      pose,
      fields: {
        channels: this.channels,
        columns: this.columns,
        rate_hz: this.config.rateHz,
        min_range: this.config.minRange,
        max_range: this.config.maxRange,
        point_count: count,
        motion_distortion: distorted,
        gt_kinds: actors.map((a) => a.kind),
        // Vehicle body from sensor, row-major 3x4: the extrinsic calibration.
        mount: rigidMatrix(this.mount),
      },
      data: {
        points: arrayField(points, [count, 4]),
        ring: arrayField(ring, [count]),
        time_offset_ns: arrayField(timeOffset, [count]),
        semantic: arrayField(semantic, [count]),
        instance: arrayField(instance, [count]),
        ...(noReturn === 'keep' ? { valid: arrayField(valid, [count]) } : {}),
        ...boxesInSensorFrame(pose, actors, points),
      },
    };
  }
}
