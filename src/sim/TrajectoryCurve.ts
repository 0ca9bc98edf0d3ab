import type { Position } from '../scenario/Scenario.js';
import type { TrajectoryShape } from '../scenario/TrajectorySpec.js';
import type { ResolvedPosition } from './Positions.js';
import { polyline } from './TrajectoryPolyline.js';

/** A point of a trajectory: where the reference point is and the entity's heading there (the tangent; a polyline's as esmini turns it at corners). */
export interface CurvePose {
  x: number;
  y: number;
  heading: number;
}

/** A trajectory in the world, parametrised by arc length s ∈ [0, length]. */
export interface Curve {
  readonly length: number;
  pose(s: number): CurvePose;
  /** The shape's time at s (timed shapes only). */
  time?(s: number): number;
  /** The arc length at which the shape's time is t (clamped to the ends). */
  sAtTime?(t: number): number;
  /**
   * The speed a timed shape asks at s (a polyline's vertex speeds, linear in s within a
   * segment, as esmini's TrajVertex speed; a clothoid's or NURBS's ds/dτ): what the entity
   * starts with under Timing.
   */
  speedAt?(s: number): number;
  /** The direction the curve runs at s (esmini's h_true: a polyline segment's, whatever its vertices write); absent: pose's heading. */
  trueHeading?(s: number): number;
  /** Whether the heading at s is one a vertex writes (the segment's start vertex: esmini's H_ABS/H_REL position mode); absent: never. */
  writtenHeading?(s: number): boolean;
}

/**
 * Builds the curve of a shape, its positions resolved (world, lane, road, relative) when the
 * action starts. The following mode and the entity's speed then matter to a polyline only
 * (its heading between corners, its timed speed profile: TrajectoryPolyline.ts), and so do
 * headings written on its vertices, which replace the computed ones; esmini
 * evaluates clothoids and NURBS the same in both modes.
 */
export function buildCurve(
  shape: TrajectoryShape,
  resolve: (p: Position) => ResolvedPosition,
  mode: 'position' | 'follow' = 'position',
  initialSpeed = 0,
): Curve {
  if (shape.type === 'polyline') {
    const pts = shape.vertices.map((v) => resolve(v.position));
    // A heading written on a vertex replaces the computed one (esmini's H_ABS/H_REL vertices).
    const given = shape.vertices.map((v, i) => (v.heading === undefined ? undefined : v.heading.type === 'absolute' ? v.heading.h : pts[i].heading + v.heading.add));
    return polyline(pts, shape.vertices.map((v) => v.time), mode, initialSpeed, given);
  }
  if (shape.type === 'clothoid') {
    const p = resolve(shape.start);
    const times = shape.startTime !== undefined && shape.stopTime !== undefined ? [shape.startTime, shape.stopTime] as const : undefined;
    return clothoid(p.x, p.y, p.heading, shape.curvature, shape.curvatureRate, shape.length, times);
  }
  const pts = shape.controlPoints.map((c) => resolve(c.position));
  const times = shape.controlPoints.every((c) => c.time !== undefined) ? shape.controlPoints.map((c) => c.time!) : undefined;
  return nurbs(shape.order, pts.map((p, i) => [p.x, p.y, times ? times[i] : 0]), shape.controlPoints.map((c) => c.weight), shape.knots, times !== undefined);
}

/** Index i with a[i] <= v <= a[i+1] of a non-decreasing array (clamped to the ends). */
function bracket(a: readonly number[], v: number): number {
  let lo = 0, hi = a.length - 1;
  if (v <= a[0]) return 0;
  if (v >= a[hi]) return Math.max(0, hi - 1);
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if (a[mid] <= v) lo = mid;
    else hi = mid;
  }
  return lo;
}

// 5-point Gauss–Legendre nodes and weights on [−1, 1].
const GL_X = [0, -0.5384693101056831, 0.5384693101056831, -0.906179845938664, 0.906179845938664];
const GL_W = [0.5688888888888889, 0.47862867049936647, 0.47862867049936647, 0.23692688505618908, 0.23692688505618908];

/**
 * A clothoid from (x0, y0) at heading h0: θ(s) = h0 + κ0·s + κ'·s²/2, and
 * (x, y)(s) = (x0, y0) + ∫₀ˢ (cos θ(u), sin θ(u)) du (the Fresnel integrals), integrated by
 * 5-point Gauss–Legendre on panels of at most 1 m (error far below a micrometre for road
 * curvatures). Timed, time runs linearly in s from startTime to stopTime.
 */
function clothoid(x0: number, y0: number, h0: number, k0: number, k1: number, length: number, times?: readonly [number, number]): Curve {
  const theta = (u: number): number => h0 + k0 * u + 0.5 * k1 * u * u;
  const curve: Curve = {
    length,
    pose(s) {
      const sc = Math.min(Math.max(s, 0), length);
      const n = Math.max(1, Math.ceil(sc));
      const h = sc / n;
      let x = x0, y = y0;
      for (let k = 0; k < n; k++) {
        const mid = (k + 0.5) * h;
        for (let j = 0; j < 5; j++) {
          const th = theta(mid + 0.5 * h * GL_X[j]);
          x += 0.5 * h * GL_W[j] * Math.cos(th);
          y += 0.5 * h * GL_W[j] * Math.sin(th);
        }
      }
      return { x, y, heading: theta(sc) };
    },
  };
  if (times) {
    const [t0, t1] = times;
    curve.time = (s) => t0 + ((t1 - t0) * Math.min(Math.max(s, 0), length)) / length;
    curve.sAtTime = (t) => (t1 > t0 ? Math.min(Math.max((t - t0) / (t1 - t0), 0), 1) * length : t >= t1 ? length : 0);
    // Time linear in s: the whole length at one speed. (esmini leaves a clothoid's vertex speed
    // 0, but its first step sets the speed to Δs/dt, this speed, in the frame the action starts.)
    curve.speedAt = () => (t1 > t0 ? length / (t1 - t0) : 0);
  }
  return curve;
}

/**
 * A NURBS curve of order p+1: C(u) = Σ Nᵢ,ₚ(u)·wᵢ·Pᵢ / Σ Nᵢ,ₚ(u)·wᵢ, evaluated by de Boor's
 * algorithm in homogeneous coordinates (wx, wy, wt, w) over u ∈ [u_p, u_n]. The control points'
 * times are a coordinate like x and y (the same rational blend). Arc length comes from a table
 * of 64 chords per control point; a point at arc length s is then evaluated exactly on the
 * curve at the parameter interpolated from the table, so it never leaves the curve.
 */
function nurbs(order: number, pts: number[][], weights: number[], knots: number[], timed: boolean): Curve {
  const p = order - 1;
  const n = pts.length;
  const u0 = knots[p], u1 = knots[n];
  const hom = pts.map((q, i) => [q[0] * weights[i], q[1] * weights[i], q[2] * weights[i], weights[i]]);
  const span = (u: number): number => {
    let k = p;
    for (let i = p; i < n; i++) if (knots[i] <= u && knots[i] < knots[i + 1]) k = i;
    return k;
  };
  const at = (u: number): [number, number, number] => {
    const uc = Math.min(Math.max(u, u0), u1);
    const k = span(uc);
    const d = Array.from({ length: p + 1 }, (_, j) => hom[j + k - p].slice());
    for (let r = 1; r <= p; r++) {
      for (let j = p; j >= r; j--) {
        const lo = knots[j + k - p], hi = knots[j + 1 + k - r];
        const a = hi > lo ? (uc - lo) / (hi - lo) : 0;
        for (let c = 0; c < 4; c++) d[j][c] = (1 - a) * d[j - 1][c] + a * d[j][c];
      }
    }
    const w = d[p][3];
    return [d[p][0] / w, d[p][1] / w, d[p][2] / w];
  };
  const m = 64 * n;
  const us: number[] = [], cum: number[] = [], ts: number[] = [];
  let prev = at(u0);
  for (let i = 0; i <= m; i++) {
    const u = u0 + ((u1 - u0) * i) / m;
    const q = at(u);
    us.push(u);
    cum.push(i === 0 ? 0 : cum[i - 1] + Math.hypot(q[0] - prev[0], q[1] - prev[1]));
    ts.push(q[2]);
    prev = q;
  }
  const length = cum[m];
  const uAt = (s: number): number => {
    const i = bracket(cum, s);
    const seg = cum[i + 1] - cum[i];
    return us[i] + (seg > 1e-12 ? Math.min(Math.max((s - cum[i]) / seg, 0), 1) : 0) * (us[i + 1] - us[i]);
  };
  const du = 1e-6 * (u1 - u0);
  const curve: Curve = {
    length,
    pose(s) {
      const u = uAt(s);
      const q = at(u);
      const a = at(Math.max(u0, u - du)), b = at(Math.min(u1, u + du));
      return { x: q[0], y: q[1], heading: Math.atan2(b[1] - a[1], b[0] - a[0]) };
    },
  };
  if (timed) {
    curve.time = (s) => at(uAt(s))[2];
    // ds/dτ of the chord table around s (esmini leaves the NURBS vertex speed 0 and its first
    // step sets the speed to Δs/dt, which this is in the limit).
    curve.speedAt = (s) => {
      const i = bracket(cum, Math.min(Math.max(s, 0), length));
      const dt = ts[i + 1] - ts[i];
      return dt > 1e-12 ? (cum[i + 1] - cum[i]) / dt : 0;
    };
    curve.sAtTime = (t) => {
      const i = bracket(ts, t);
      const dt = ts[i + 1] - ts[i];
      return cum[i] + (dt > 1e-12 ? Math.min(Math.max((t - ts[i]) / dt, 0), 1) : 1) * (cum[i + 1] - cum[i]);
    };
  }
  return curve;
}
