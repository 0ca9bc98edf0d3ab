/**
 * Criticality metrics between two actors, as the criticality-metrics catalogue of Westhofen,
 * Neurohr, Koopmann et al. defines them ("Criticality Metrics for Automated Driving: A Review
 * and Suitability Analysis of the State of the Art", Archives of Computational Methods in
 * Engineering 30, 2023; criticality-metrics.readthedocs.io), each under its own prediction
 * model (constant velocity unless said):
 *
 * - TTC: the time until the two footprints (oriented rectangles) touch, both moving on at
 *   their velocities: min { t ≥ 0 | d(p1(t), p2(t)) = 0 }, ∞ if never; 0 while they overlap.
 *   Exact by the separating-axis theorem on the moving rectangles (each axis's projections
 *   overlap over one time interval; the boxes meet where all four intervals do).
 * - HW and THW (car following, A2 the lead of A1 along A1's lane): HW the bumper-to-bumper
 *   distance along the lane, THW = HW / v1 (the time A1 needs to reach where A2's rear is).
 * - DST: the deceleration A1 needs to keep a safety time t_s behind A2 driving on at constant
 *   speed: (v1 − v2)² / (2 (HW − v2 t_s)), when closing (Hupfer 1997, Schubert 2010).
 * - TTCE and DCE: the time to the closest encounter of the two centres under constant
 *   velocity and the distance then (Eggert 2014): t* = max(0, −r·w / |w|²), DCE = |r + w t*|.
 */

export interface MovingBox {
  /** Centre of the footprint (m). */
  x: number;
  y: number;
  heading: number;
  length: number;
  width: number;
  /** World velocity (m/s). */
  vx: number;
  vy: number;
}

/** Time to collision of two footprints under constant velocity (s): 0 if they overlap now, Infinity if they never touch. */
export function boxTimeToCollision(a: MovingBox, b: MovingBox): number {
  const axes: [number, number][] = [
    [Math.cos(a.heading), Math.sin(a.heading)], [-Math.sin(a.heading), Math.cos(a.heading)],
    [Math.cos(b.heading), Math.sin(b.heading)], [-Math.sin(b.heading), Math.cos(b.heading)],
  ];
  // b relative to a: position and velocity.
  const rx = b.x - a.x, ry = b.y - a.y, wx = b.vx - a.vx, wy = b.vy - a.vy;
  let enter = 0, leave = Infinity;
  for (const [ux, uy] of axes) {
    // Half extents of each box projected on the axis.
    const ea = halfExtent(a, ux, uy), eb = halfExtent(b, ux, uy);
    const reach = ea + eb;
    const p = rx * ux + ry * uy, v = wx * ux + wy * uy;
    // |p + v t| < reach over an interval of t (all t when v = 0 and |p| < reach).
    if (Math.abs(v) < 1e-12) {
      if (Math.abs(p) >= reach) return Infinity;
      continue;
    }
    const t1 = (-reach - p) / v, t2 = (reach - p) / v;
    enter = Math.max(enter, Math.min(t1, t2));
    leave = Math.min(leave, Math.max(t1, t2));
    if (enter >= leave) return Infinity;
  }
  return enter;
}

function halfExtent(box: MovingBox, ux: number, uy: number): number {
  const c = Math.cos(box.heading), s = Math.sin(box.heading);
  return (box.length / 2) * Math.abs(c * ux + s * uy) + (box.width / 2) * Math.abs(-s * ux + c * uy);
}

/** Time (s) to the closest encounter of two centres under constant velocity, and their distance then (m). */
export function closestEncounter(a: MovingBox, b: MovingBox): { time: number; distance: number } {
  const rx = b.x - a.x, ry = b.y - a.y, wx = b.vx - a.vx, wy = b.vy - a.vy;
  const w2 = wx * wx + wy * wy;
  const t = w2 > 0 ? Math.max(0, -(rx * wx + ry * wy) / w2) : 0;
  return { time: t, distance: Math.hypot(rx + wx * t, ry + wy * t) };
}

/** Time headway (s): the bumper-to-bumper headway over the follower's speed; Infinity standing still. */
export function headwayTime(headway: number, followerSpeed: number): number {
  return followerSpeed > 0 ? Math.max(0, headway) / followerSpeed : Infinity;
}

/**
 * Deceleration to safety time (m/s²) for a follower at v1 behind a lead at v2, `headway` m
 * apart bumper to bumper, keeping `safetyTime` s: 0 when not closing; Infinity when the
 * headway is already inside the safety distance v2 t_s.
 */
export function decelerationToSafetyTime(v1: number, v2: number, headway: number, safetyTime: number): number {
  if (v1 <= v2) return 0;
  const room = headway - v2 * safetyTime;
  return room > 0 ? ((v1 - v2) * (v1 - v2)) / (2 * room) : Infinity;
}

/** The footprint distance of two rectangles now (m): 0 when they touch or overlap (by sampling their edges' nearest points). */
export function boxDistance(a: MovingBox, b: MovingBox): number {
  let best = Infinity;
  const ca = corners(a), cb = corners(b);
  if (overlapNow(a, b)) return 0;
  for (let i = 0; i < 4; i++) {
    for (let j = 0; j < 4; j++) {
      best = Math.min(best, pointSegment(ca[i], cb[j], cb[(j + 1) % 4]), pointSegment(cb[j], ca[i], ca[(i + 1) % 4]));
    }
  }
  return best;
}

function overlapNow(a: MovingBox, b: MovingBox): boolean {
  return boxTimeToCollision({ ...a, vx: 0, vy: 0 }, { ...b, vx: 0, vy: 0 }) === 0;
}

function corners(box: MovingBox): [number, number][] {
  const c = Math.cos(box.heading), s = Math.sin(box.heading), l = box.length / 2, w = box.width / 2;
  return [[l, w], [-l, w], [-l, -w], [l, -w]].map(([u, v]) => [box.x + c * u - s * v, box.y + s * u + c * v]);
}

function pointSegment(p: [number, number], a: [number, number], b: [number, number]): number {
  const dx = b[0] - a[0], dy = b[1] - a[1];
  const len2 = dx * dx + dy * dy;
  const t = len2 > 0 ? Math.min(1, Math.max(0, ((p[0] - a[0]) * dx + (p[1] - a[1]) * dy) / len2)) : 0;
  return Math.hypot(p[0] - a[0] - t * dx, p[1] - a[1] - t * dy);
}
