import type { ResolvedPosition } from './Positions.js';
import type { Curve } from './TrajectoryCurve.js';

/** esmini's tolerance (SMALL_NUMBER) for picking segments and telling zero lengths. */
const SMALL = 1e-6;

/** esmini's SIGN: negative → −1, zero or positive → 1 (so starting from rest is no reversal). */
const sign = (x: number): number => (x < 0 ? -1 : 1);

/** a − b wrapped to [−π, π]: the shorter way round from b to a. */
function angleDiff(a: number, b: number): number {
  let d = (a - b) % (2 * Math.PI);
  if (d < -Math.PI) d += 2 * Math.PI;
  else if (d > Math.PI) d -= 2 * Math.PI;
  return d;
}

/**
 * A Polyline trajectory as esmini's PolyLineShape/PolyLineBase evaluate it, so that headings
 * and timed motion match the reference player:
 *
 * Heading. Each vertex gets the direction of the segment that leaves it (the last vertex the
 * last segment's; zero-length segments reuse the previous direction), unless its position
 * writes a heading (`given`: a WorldPosition's h, an Orientation's h), which then is the
 * vertex's heading whatever the segment's direction (esmini keeps a vertex's h when its
 * position mode has H_ABS/H_REL set). Along segment i, with
 * a = local s / segment length, the heading then depends on followingMode:
 *   follow   — turns linearly across the whole segment from vertex i's heading to vertex
 *              i+1's: h = hᵢ + a·Δ(hᵢ₊₁, hᵢ) (esmini's INTERPOLATE_SEGMENT);
 *   position — the segment's direction, blended only within r = min(2 m, length/2) of a
 *              corner, half-way at the corner itself (INTERPOLATE_CORNER): in the first r of
 *              segment i > 0, h = hᵢ₋₁ + (r + ls)/(2r)·Δ(hᵢ, hᵢ₋₁); in its last r,
 *              h = hᵢ + (1 − w)·Δ(hᵢ₊₁, hᵢ) with w = (r + length − ls)/(2r), or on the last
 *              segment w = (length − ls)/r.
 * Past the last vertex the pose is the last vertex's. trueHeading(s) is segment i's own
 * direction and writtenHeading(s) whether vertex i writes its heading (esmini's h_true and the
 * segment's position mode, which decide whether the entity drives it backwards).
 *
 * Time (every vertex timed). time(s) is linear in s within a segment (how esmini interpolates a
 * vertex's time, used for initialDistanceOffset). sAtTime(τ) on segment i (tᵢ ≤ τ ≤ tᵢ₊₁):
 * s = sᵢ + vᵢ·dt + aᵢ·dt²/2 with dt = τ − tᵢ, where
 *   position — vᵢ = Δs/Δt, aᵢ = 0 (each vertex at its time, constant speed in between);
 *   follow   — v₀ is the entity's speed when the action starts and each segment is one
 *              constant acceleration reaching the next vertex on time: aᵢ = 2(Δs − vᵢΔt)/Δt²,
 *              vᵢ₊₁ = vᵢ + aᵢΔt. If that would reverse the speed, the entity instead brakes to a
 *              stop exactly at the next vertex (aᵢ = −vᵢ²/(2Δs), vᵢ₊₁ = 0, arriving early and
 *              waiting there); a zero-length segment leaves it at rest (vᵢ₊₁ = 0).
 * speedAt(s) is esmini's TrajVertex speed, linear in s within segment i from vᵢ to vᵢ₊₁ (the
 * last vertex's speed is 0 in position mode, where esmini never sets it).
 */
export function polyline(
  pts: ResolvedPosition[],
  times: (number | undefined)[],
  mode: 'position' | 'follow' = 'position',
  initialSpeed = 0,
  given: (number | undefined)[] = [],
): Curve {
  const n = pts.length;
  const cum = [0];
  for (let i = 1; i < n; i++) cum.push(cum[i - 1] + Math.hypot(pts[i].x - pts[i - 1].x, pts[i].y - pts[i - 1].y));
  const length = cum[n - 1];
  const dir = (i: number): number => Math.atan2(pts[i + 1].y - pts[i].y, pts[i + 1].x - pts[i].x);

  // Vertex headings: the first segment of some length sets the start (a polyline of coincident
  // vertices keeps the first position's heading); each later segment of some length its own
  // start vertex's, the last vertex inheriting the last segment's.
  const hv: number[] = [];
  /** The direction each vertex's segment runs (esmini's h_true), whatever the vertex writes. */
  const hTrue: number[] = [];
  let cur = pts[0].heading;
  for (let i = 0; i + 1 < n; i++) {
    if (cum[i + 1] - cum[i] > SMALL) {
      cur = dir(i);
      break;
    }
  }
  for (let i = 0; i < n; i++) {
    hv.push(given[i] ?? cur);
    hTrue.push(cur);
    if (i + 2 < n && cum[i + 2] - cum[i + 1] > SMALL) cur = dir(i + 1);
  }

  // The segment esmini evaluates s on: the first whose end is not more than SMALL behind s (so
  // a vertex belongs to the segment ending there); at or within SMALL of the end, the last vertex.
  const segmentAt = (s: number): number => {
    if (s > length - SMALL) return n - 1;
    let i = 0;
    while (i < n - 2 && s > cum[i + 1] + SMALL) i++;
    return i;
  };

  const heading = (i: number, ls: number, len: number): number => {
    const a = ls / len;
    if (mode === 'follow') return hv[i] + a * angleDiff(hv[i + 1], hv[i]);
    const r = Math.min(2, len / 2);
    if (ls < r) return i > 0 ? hv[i - 1] + ((r + ls) / (2 * r)) * angleDiff(hv[i], hv[i - 1]) : hv[i];
    if (ls > len - r) {
      const w = i < n - 2 ? (r + (len - ls)) / (2 * r) : (len - ls) / r;
      return hv[i] + (1 - w) * angleDiff(hv[i + 1], hv[i]);
    }
    return hv[i];
  };

  const curve: Curve = {
    length,
    pose(s) {
      const i = segmentAt(s);
      if (i === n - 1) return { x: pts[i].x, y: pts[i].y, heading: hv[i] };
      const len = Math.max(cum[i + 1] - cum[i], SMALL);
      const ls = Math.min(Math.max(s - cum[i], 0), len);
      const f = ls / len;
      return { x: pts[i].x + f * (pts[i + 1].x - pts[i].x), y: pts[i].y + f * (pts[i + 1].y - pts[i].y), heading: heading(i, ls, len) };
    },
    trueHeading: (s) => hTrue[segmentAt(s)],
    writtenHeading: (s) => given[segmentAt(s)] !== undefined,
  };
  if (!times.every((t) => t !== undefined)) return curve;

  const ts = times as number[];
  const v: number[] = [];
  const acc: number[] = new Array<number>(n).fill(0);
  if (mode === 'follow') {
    let speed = initialSpeed;
    v.push(speed);
    for (let i = 1; i < n; i++) {
      const ds = cum[i] - cum[i - 1];
      const dt = ts[i] - ts[i - 1];
      let a = 0;
      if (Math.abs(ds) <= SMALL) speed = 0;
      else if (dt > 0) {
        a = (2 * (ds - speed * dt)) / (dt * dt);
        if (sign(speed + a * dt) !== sign(speed)) {
          a = -(speed * speed) / (2 * ds);
          speed = 0;
        } else speed += a * dt;
      }
      // dt ≤ 0 with a distance to cover: esmini's formula divides by zero; roadcast keeps the
      // speed and lets the lookup below jump across the zero-duration segment.
      acc[i - 1] = a;
      v.push(speed);
    }
  } else {
    for (let i = 0; i < n; i++) {
      const dt = i + 1 < n ? ts[i + 1] - ts[i] : 0;
      v.push(i + 1 < n && dt > SMALL ? (cum[i + 1] - cum[i]) / dt : 0);
    }
  }

  // A vertex value at arc length s, linear in distance along its segment.
  const along = (values: readonly number[], s: number): number => {
    const i = segmentAt(s);
    if (i === n - 1) return values[i];
    const len = Math.max(cum[i + 1] - cum[i], SMALL);
    const f = Math.min(Math.max(s - cum[i], 0), len) / len;
    return (1 - f) * values[i] + f * values[i + 1];
  };
  curve.time = (s) => along(ts, s);
  curve.speedAt = (s) => along(v, s);
  curve.sAtTime = (tau) => {
    if (tau > ts[n - 1]) return length;
    let i = 0;
    while (i < n - 1 && ts[i + 1] < tau) i++;
    if (i === n - 1) return length;
    let dt = Math.max(0, tau - ts[i]);
    // Braking to a stop before the next vertex's time: it waits where it stopped.
    if (acc[i] < 0) dt = Math.min(dt, -v[i] / acc[i]);
    return Math.min(cum[i] + dt * v[i] + 0.5 * acc[i] * dt * dt, length);
  };
  return curve;
}
