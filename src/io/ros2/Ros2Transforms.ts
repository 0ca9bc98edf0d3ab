import type { Frame, Pose } from '../../core/frame.js';
import { composeRigid, invertRigid, poseFromRigid, rigidMatrix } from '../../core/pose.js';

/** The fixed frame of the ROS 2 export: the map's ENU world (REP 105's `map`). */
export const MAP_FRAME = 'map';

/** One edge of the transform tree: `child` in `parent`, at `tNs`. */
export interface TransformEdge {
  tNs: number;
  parent: string;
  child: string;
  pose: Pose;
}

/**
 * The transform tree of a run, map → body → sensor, rebuilt from the frames' `mount` and
 * `parent` fields (MountFields.ts) in the order the frames come: each mounted sensor adds its
 * static edge body → sensor frame once, and each of its frames the body's pose in the map at the
 * frame's time (once per body and time), so a lookup at any frame's stamp is exact. The ego's
 * body is `base_link` (REP 105); another actor's is `<actor>/base_link`.
 */
export class Ros2Transforms {
  #statics: TransformEdge[] = [];
  #staticChildren = new Set<string>();
  /** The last times each body's pose was given, to give each once (frames come nearly in time order). */
  #recent = new Map<string, number[]>();

  /**
   * What a frame adds: the whole static tree when it grew (a latched /tf_static carries it
   * whole, as tf2's static broadcaster sends it), and the body's pose at the frame's time.
   */
  add(frame: Frame): { statics?: TransformEdge[]; dynamic?: TransformEdge } {
    const mount = frame.fields.mount as number[] | undefined;
    if (!Array.isArray(mount) || mount.length !== 12) return {};
    const body = bodyFrame(frame.fields.parent as string | undefined);
    let statics: TransformEdge[] | undefined;
    if (!this.#staticChildren.has(frame.frame_id)) {
      this.#staticChildren.add(frame.frame_id);
      this.#statics.push({ tNs: frame.t_ns, parent: body, child: frame.frame_id, pose: poseFromRigid(mount) });
      statics = [...this.#statics];
    }
    const recent = this.#recent.get(body) ?? [];
    let dynamic: TransformEdge | undefined;
    if (!recent.includes(frame.t_ns)) {
      recent.push(frame.t_ns);
      if (recent.length > 64) recent.shift();
      this.#recent.set(body, recent);
      dynamic = { tNs: frame.t_ns, parent: MAP_FRAME, child: body, pose: poseFromRigid(composeRigid(rigidMatrix(frame.pose), invertRigid(mount))) };
    }
    return { statics, dynamic };
  }
}

/** The body frame of the actor a sensor rides on (`parent` absent: the ego). */
export function bodyFrame(parent: string | undefined): string {
  return parent === undefined ? 'base_link' : `${parent}/base_link`;
}
