import type { Position } from './Scenario.js';

/**
 * The shapes of an OpenSCENARIO Trajectory (FollowTrajectoryAction), with positions still
 * unresolved (a lane or relative position is resolved when the action starts). Positions are
 * of the entity's reference point; times are the shape's own (TimeReference scales them).
 */
export type TrajectoryShape =
  /**
   * Straight segments between vertices; `time` (s) when the entity is at each vertex; `heading`
   * when the vertex's position gives one (it then replaces the computed vertex heading).
   */
  | { type: 'polyline'; vertices: { position: Position; time?: number; heading?: VertexHeading }[] }
  /**
   * A clothoid (Euler spiral) from `start` (position and heading): curvature κ(s) = κ0 + κ'·s
   * over `length` m; times at its two ends, reached linearly in arc length.
   */
  | { type: 'clothoid'; start: Position; curvature: number; curvatureRate: number; length: number; startTime?: number; stopTime?: number }
  /** A rational B-spline of `order` (degree + 1) over its control points and knot vector. */
  | { type: 'nurbs'; order: number; controlPoints: { position: Position; weight: number; time?: number }[]; knots: number[] };

/**
 * A heading written on a polyline vertex (esmini's H_ABS / H_REL position modes): `absolute`
 * is the heading itself; `resolved` is the resolved position's heading plus `add` (0 where the
 * position reader already turned the position by its Orientation).
 */
export type VertexHeading = { type: 'absolute'; h: number } | { type: 'resolved'; add: number };

/**
 * TimeReference Timing, as esmini: at simulation time T the shape time is τ = T·scale + offset
 * (absolute), or τ = τ₀ + (T − start)·scale + offset (relative; τ₀ the shape time where the
 * entity starts, start the action's start).
 */
export interface TrajectoryTiming {
  domain: 'absolute' | 'relative';
  scale: number;
  offset: number;
}

/** One SpeedProfileEntry: the speed (m/s) to reach `time` s after the previous entry (or the action's start). */
export interface SpeedProfileEntry {
  speed: number;
  time?: number;
}

/** DynamicConstraints of a SpeedProfileAction in follow mode (m/s², m/s). */
export interface SpeedConstraints {
  maxAcceleration?: number;
  maxDeceleration?: number;
  maxSpeed?: number;
}

export type TrajectoryActionSpec = {
  type: 'trajectory';
  actor: string;
  shape: TrajectoryShape;
  /** Absent: TimeReference None, the entity moves along at its own speed. */
  timing?: TrajectoryTiming;
  /** A polyline's corner heading and timed speed profile, as esmini (src/sim/TrajectoryPolyline.ts). */
  followingMode: 'position' | 'follow';
  /** Where along the trajectory (m) the entity starts. */
  initialDistanceOffset: number;
};

export type SpeedProfileActionSpec = {
  type: 'speedProfile';
  actor: string;
  entries: SpeedProfileEntry[];
  /** Speeds relative to this entity's speed. */
  relativeTo?: string;
  followingMode: 'position' | 'follow';
  constraints?: SpeedConstraints;
};

/** Where a trajectory starts (its first vertex or control point, the clothoid's start). */
export function trajectoryStart(shape: TrajectoryShape): Position {
  if (shape.type === 'polyline') return shape.vertices[0].position;
  if (shape.type === 'clothoid') return shape.start;
  return shape.controlPoints[0].position;
}
