import type { Pose } from '../core/frame.js';
import { composePose, rigidMatrix } from '../core/pose.js';
import type { ActorState } from '../sim/WorldState.js';

/**
 * What every mounted sensor's frame says about where it sits, so an exporter can rebuild the
 * vehicle's transform tree (world → body → sensor) from the frames alone: `mount`, the sensor
 * frame's pose in its parent's body frame as a row-major 3x4 (body from sensor; for a camera,
 * its optical frame's), and `parent`, the actor it rides on, only when that is not the ego.
 */
export interface MountFields {
  mount: number[];
  parent?: string;
}

export function mountFields(mount: Pose, parent: Pick<ActorState, 'id' | 'ego'>, frameInSensor?: Pose): MountFields {
  return {
    mount: rigidMatrix(frameInSensor ? composePose(mount, frameInSensor) : mount),
    ...(parent.ego ? {} : { parent: parent.id }),
  };
}
