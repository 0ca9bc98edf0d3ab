import { arrayField, FRAME_VERSION, type Frame } from '../core/frame.js';
import { ACTOR_KINDS } from '../core/actorKinds.js';
import type { WorldState } from '../sim/WorldState.js';
import type { GroundTruthConfig } from './Rig.js';
import { SensorSchedule } from './SensorSchedule.js';

/**
 * Every actor's 3D box in the world frame: what perception output is scored against, and
 * what a viewer draws. Box rows are centre x, y, z (the middle of the box, not the
 * footprint), orientation quaternion x, y, z, w, and size length, width, height.
 */
export class GroundTruth {
  readonly schedule: SensorSchedule;

  constructor(readonly config: GroundTruthConfig) {
    this.schedule = new SensorSchedule(config.rateHz);
  }

  get topic(): string {
    return `ground_truth/${this.config.name}`;
  }

  capture(state: WorldState, tNs: number): Frame {
    const n = state.actors.length;
    const boxes = new Float64Array(n * 10);
    const velocities = new Float32Array(n * 3);
    const instanceIds = new Uint32Array(n);
    const classes = new Uint8Array(n);
    state.actors.forEach((actor, i) => {
      const [qx, qy, qz, qw] = actor.pose.q;
      // The box centre is half its height above the footprint, along the body's z axis.
      const up = [2 * (qx * qz + qy * qw), 2 * (qy * qz - qx * qw), 1 - 2 * (qx * qx + qy * qy)];
      const h = actor.box.height / 2;
      boxes.set([
        actor.pose.p[0] + up[0] * h, actor.pose.p[1] + up[1] * h, actor.pose.p[2] + up[2] * h,
        qx, qy, qz, qw, actor.box.length, actor.box.width, actor.box.height,
      ], i * 10);
      velocities.set(actor.velocity, i * 3);
      instanceIds[i] = actor.instanceId;
      classes[i] = ACTOR_KINDS[actor.kind].semanticClass;
    });
    return {
      v: FRAME_VERSION,
      topic: this.topic,
      kind: 'ground_truth',
      seq: this.schedule.fire(tNs),
      t_ns: tNs,
      frame_id: 'world',
      pose: { p: [0, 0, 0], q: [0, 0, 0, 1] },
      fields: {
        actor_ids: state.actors.map((a) => a.id),
        kinds: state.actors.map((a) => a.kind),
        ego: state.actors.find((a) => a.ego)?.id ?? '',
        // The weather in force, as the LiDAR's frames carry it; absent in clear air.
        ...(state.weather ? { weather: JSON.stringify(state.weather) } : {}),
      },
      data: {
        boxes: arrayField(boxes, [n, 10]),
        velocities: arrayField(velocities, [n, 3]),
        instance_ids: arrayField(instanceIds, [n]),
        classes: arrayField(classes, [n]),
      },
    };
  }
}
