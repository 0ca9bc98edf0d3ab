import type { Pose } from '../core/frame.js';
import type { WorldState } from '../sim/WorldState.js';

/**
 * A pose a fraction f of the way from a to b: positions linearly, orientations by normalised
 * linear interpolation on the shorter arc. Within one 10 ms step the rotation is small, and
 * nlerp then differs from slerp by far less than a LiDAR's angular resolution.
 */
export function interpolatePose(a: Pose, b: Pose, f: number): Pose {
  const dot = a.q[0] * b.q[0] + a.q[1] * b.q[1] + a.q[2] * b.q[2] + a.q[3] * b.q[3];
  const sign = dot < 0 ? -1 : 1;
  const q = a.q.map((x, i) => x + (sign * b.q[i] - x) * f);
  const n = Math.hypot(q[0], q[1], q[2], q[3]);
  return {
    p: [a.p[0] + (b.p[0] - a.p[0]) * f, a.p[1] + (b.p[1] - a.p[1]) * f, a.p[2] + (b.p[2] - a.p[2]) * f],
    q: [q[0] / n, q[1] / n, q[2] / n, q[3] / n],
  };
}

/** The world a fraction f of the way through a step: every actor present at both ends, interpolated. */
export function interpolateState(a: WorldState, b: WorldState, f: number): WorldState {
  const later = new Map(b.actors.map((actor) => [actor.id, actor]));
  return {
    ...a,
    t_ns: Math.round(a.t_ns + (b.t_ns - a.t_ns) * f),
    actors: a.actors.filter((actor) => later.has(actor.id)).map((actor) => ({ ...actor, pose: interpolatePose(actor.pose, later.get(actor.id)!.pose, f) })),
  };
}
