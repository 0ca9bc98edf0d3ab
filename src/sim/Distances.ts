import type { RoadNetwork } from '../map/RoadNetwork.js';
import type { CoordinateSystem, DistanceType } from '../scenario/Scenario.js';
import type { SimActor } from './Actor.js';
import type { ResolvedPosition } from './Positions.js';

// Distances between actors as the storyboard's conditions measure them (OpenSCENARIO's
// RelativeDistanceCondition): along the road where both are on it, else in the plane; with
// `freespace`, between the actors' boxes rather than their reference points.

/** Signed distance from a to b along a's direction of travel. */
export function longitudinalDistance(network: RoadNetwork, a: SimActor, b: SimActor, freespace: boolean): number | undefined {
  let d: number | undefined;
  if (a.road && a.road === b.road) {
    const forward = network.road(a.road).laneRunsWithS(a.lane === 0 ? -1 : a.lane);
    d = (b.s - a.s) * (forward ? 1 : -1);
  } else if (a.path && b.road) {
    const d0 = a.path.project(a.x, a.y, a.pathIndex).d;
    const db = a.path.distanceOf(b.road, undefined, b.s, a.pathIndex, d0 + 1000);
    if (db !== undefined) d = db - d0;
  }
  if (d === undefined) d = (b.x - a.x) * Math.cos(a.heading) + (b.y - a.y) * Math.sin(a.heading);
  if (freespace) {
    const half = (a.length + b.length) / 2;
    d = d > 0 ? Math.max(0, d - half) : Math.min(0, d + half);
  }
  return d;
}

export function lateralDistance(a: SimActor, b: SimActor, freespace: boolean): number {
  let d = a.road && a.road === b.road ? b.t - a.t : -(b.x - a.x) * Math.sin(a.heading) + (b.y - a.y) * Math.cos(a.heading);
  if (freespace) d = Math.sign(d) * Math.max(0, Math.abs(d) - (a.width + b.width) / 2);
  return d;
}

export function euclideanDistance(a: SimActor, b: SimActor, freespace: boolean): number {
  const d = Math.hypot(b.x - a.x, b.y - a.y);
  return freespace ? Math.max(0, d - (a.length + b.length) / 2) : d;
}

// ------------------------------------------------------------------ OpenSCENARIO semantics
//
// ASAM OpenSCENARIO 1.x (RelativeDistanceCondition, TimeHeadwayCondition,
// TimeToCollisionCondition, DistanceCondition): distances run between the entities' reference
// points, or with freespace="true" between their bounding boxes; coordinateSystem="entity"
// measures in the triggering entity's frame (x forward, y left), "road" and "lane" in road
// coordinates (s along the road, t to its left; lane is read as road: both measure along the
// road's s, which differs from the lane centre's length only on curves); relativeDistanceType
// longitudinal and lateral are signed (positive ahead of / left of the triggering entity's
// direction of travel), euclidean (cartesianDistance, euclidianDistance) is not.

export interface DistanceHow {
  coordinateSystem: CoordinateSystem;
  type: DistanceType;
  freespace: boolean;
}

/** The four corners of an actor's bounding box in the world (x, y), counter-clockwise. */
export function boxCorners(a: SimActor): [number, number][] {
  const c = Math.cos(a.heading), s = Math.sin(a.heading);
  const cx = a.x + (a.build?.centerX ?? 0) * c, cy = a.y + (a.build?.centerX ?? 0) * s;
  const hl = a.length / 2, hw = a.width / 2;
  return [[hl, -hw], [hl, hw], [-hl, hw], [-hl, -hw]].map(([u, v]) => [cx + u * c - v * s, cy + u * s + v * c]);
}

/** Gap between two intervals on a line, signed by the side b lies on (0 where they overlap). */
function intervalGap(aMin: number, aMax: number, bMin: number, bMax: number): number {
  if (bMin > aMax) return bMin - aMax;
  if (bMax < aMin) return bMax - aMin;
  return 0;
}

function project(points: [number, number][], ox: number, oy: number, ux: number, uy: number): [number, number] {
  let lo = Infinity, hi = -Infinity;
  for (const [x, y] of points) {
    const d = (x - ox) * ux + (y - oy) * uy;
    lo = Math.min(lo, d);
    hi = Math.max(hi, d);
  }
  return [lo, hi];
}

function pointSegment(px: number, py: number, ax: number, ay: number, bx: number, by: number): number {
  const dx = bx - ax, dy = by - ay;
  const f = Math.max(0, Math.min(1, ((px - ax) * dx + (py - ay) * dy) / (dx * dx + dy * dy)));
  return Math.hypot(px - ax - f * dx, py - ay - f * dy);
}

/** Whether a point lies inside a convex polygon (counter-clockwise corners). */
function inside(px: number, py: number, poly: [number, number][]): boolean {
  for (let i = 0; i < poly.length; i++) {
    const [ax, ay] = poly[i], [bx, by] = poly[(i + 1) % poly.length];
    if ((bx - ax) * (py - ay) - (by - ay) * (px - ax) < 0) return false;
  }
  return true;
}

/** Shortest distance between two convex polygons in the plane (0 when they overlap). */
export function polygonDistance(p: [number, number][], q: [number, number][]): number {
  if (p.some(([x, y]) => inside(x, y, q)) || q.some(([x, y]) => inside(x, y, p))) return 0;
  let best = Infinity;
  for (const [from, to] of [[p, q], [q, p]]) {
    for (const [x, y] of from) {
      for (let i = 0; i < to.length; i++) {
        const [ax, ay] = to[i], [bx, by] = to[(i + 1) % to.length];
        best = Math.min(best, pointSegment(x, y, ax, ay, bx, by));
      }
    }
  }
  // Crossing edges with no corner inside the other (a cross shape) overlap too.
  for (let i = 0; i < p.length; i++) {
    for (let j = 0; j < q.length; j++) {
      if (segmentsCross(p[i], p[(i + 1) % p.length], q[j], q[(j + 1) % q.length])) return 0;
    }
  }
  return best;
}

function segmentsCross(a: [number, number], b: [number, number], c: [number, number], d: [number, number]): boolean {
  const cross = (o: [number, number], p: [number, number], q: [number, number]) => (p[0] - o[0]) * (q[1] - o[1]) - (p[1] - o[1]) * (q[0] - o[0]);
  return cross(a, b, c) * cross(a, b, d) < 0 && cross(c, d, a) * cross(c, d, b) < 0;
}

/** +1 where an actor travels towards +s of its road, −1 against it. */
function roadSense(a: SimActor): number {
  return Math.cos(a.heading - a.roadHeading) >= 0 ? 1 : -1;
}

/** Half extents of an actor's box along s and t of its road. */
function roadExtents(a: SimActor): [number, number] {
  const rel = a.heading - a.roadHeading;
  const c = Math.abs(Math.cos(rel)), s = Math.abs(Math.sin(rel));
  return [(a.length / 2) * c + (a.width / 2) * s, (a.length / 2) * s + (a.width / 2) * c];
}

/** Shrinks a signed centre-to-centre distance by two half extents (0 where the boxes overlap). */
function shrink(d: number, extent: number): number {
  return d > 0 ? Math.max(0, d - extent) : Math.min(0, d + extent);
}

/**
 * Distance from a to b as an OpenSCENARIO condition measures it (see above); undefined where
 * road coordinates are asked for and the two are not on one road and a's lane path does not
 * reach b.
 */
export function relativeDistance(network: RoadNetwork, a: SimActor, b: SimActor, how: DistanceHow): number | undefined {
  if (how.coordinateSystem === 'entity' || !a.road || !b.road) return entityDistance(a, b, how);
  const sense = roadSense(a);
  let ds: number, dt: number;
  if (a.road === b.road) {
    const [sa, ta] = a.referenceST, [sb, tb] = b.referenceST;
    ds = (sb - sa) * sense;
    dt = (tb - ta) * sense;
    if (how.freespace) {
      const [ea, fa] = roadExtents(a), [eb, fb] = roadExtents(b);
      ds = shrink((b.s - a.s) * sense, ea + eb);
      dt = shrink((b.t - a.t) * sense, fa + fb);
    }
  } else {
    // Different roads: along a's lane path, between centres, then moved to the reference points.
    const centres = longitudinalDistance(network, a, b, false);
    if (centres === undefined) return undefined;
    const bSense = Math.cos(b.heading - a.heading) >= 0 ? 1 : -1;
    ds = how.freespace ? shrink(centres, roadExtents(a)[0] + roadExtents(b)[0]) : centres + a.referenceOffset - b.referenceOffset * bSense;
    dt = lateralDistance(a, b, how.freespace);
  }
  return how.type === 'longitudinal' ? ds : how.type === 'lateral' ? dt : Math.hypot(ds, dt);
}

function entityDistance(a: SimActor, b: SimActor, how: DistanceHow): number {
  const [ax, ay] = a.reference, [bx, by] = b.reference;
  const c = Math.cos(a.heading), s = Math.sin(a.heading);
  if (how.type === 'euclidean') return how.freespace ? polygonDistance(boxCorners(a), boxCorners(b)) : Math.hypot(bx - ax, by - ay);
  const [ux, uy] = how.type === 'longitudinal' ? [c, s] : [-s, c];
  if (!how.freespace) return (bx - ax) * ux + (by - ay) * uy;
  const [aMin, aMax] = project(boxCorners(a), ax, ay, ux, uy);
  const [bMin, bMax] = project(boxCorners(b), ax, ay, ux, uy);
  return intervalGap(aMin, aMax, bMin, bMax);
}

/** Unit vector of "ahead" for a's longitudinal distances in a coordinate system. */
function aheadDirection(a: SimActor, cs: CoordinateSystem): [number, number] {
  const h = cs === 'entity' || !a.road ? a.heading : a.roadHeading + (roadSense(a) > 0 ? 0 : Math.PI);
  return [Math.cos(h), Math.sin(h)];
}

/**
 * Time headway of a to b (s): the distance over a's speed, defined while a moves forward and
 * b is ahead of it (positive longitudinal distance between reference points); else undefined.
 */
export function timeHeadway(network: RoadNetwork, a: SimActor, b: SimActor, how: DistanceHow): number | undefined {
  if (a.speed < 1e-10) return undefined;
  const ahead = relativeDistance(network, a, b, { ...how, type: 'longitudinal', freespace: false });
  if (ahead === undefined || ahead <= 0) return undefined;
  const d = relativeDistance(network, a, b, how);
  return d === undefined ? undefined : Math.abs(d) / a.speed;
}

/**
 * Time to collision of a with b (s): the distance over the speed at which it closes (a's
 * velocity minus b's, along the direction the distance is measured in), defined while b is
 * ahead and the gap closes; else undefined (they never meet).
 */
export function timeToCollision(network: RoadNetwork, a: SimActor, b: SimActor, how: DistanceHow): number | undefined {
  const ahead = relativeDistance(network, a, b, { ...how, type: 'longitudinal', freespace: false });
  if (ahead === undefined || ahead <= 0) return undefined;
  const d = relativeDistance(network, a, b, how);
  if (d === undefined) return undefined;
  let u: [number, number];
  if (how.type === 'euclidean') {
    const [ax, ay] = a.reference, [bx, by] = b.reference;
    const n = Math.hypot(bx - ax, by - ay);
    if (n < 1e-12) return 0;
    u = [(bx - ax) / n, (by - ay) / n];
  } else {
    const [fx, fy] = aheadDirection(a, how.coordinateSystem);
    u = how.type === 'longitudinal' ? [fx, fy] : [-fy * Math.sign(d), fx * Math.sign(d)];
  }
  const closing = (a.vel[0] - b.vel[0]) * u[0] + (a.vel[1] - b.vel[1]) * u[1];
  if (closing < 1e-10) return undefined;
  return Math.abs(d) / closing;
}

/** Distance from a (reference point, or box with freespace) to a resolved position. */
export function distanceToPoint(network: RoadNetwork, a: SimActor, p: ResolvedPosition, how: DistanceHow): number | undefined {
  const [ax, ay] = a.reference;
  if (how.coordinateSystem === 'entity' || !a.road) {
    if (how.type === 'euclidean') {
      if (!how.freespace) return Math.hypot(p.x - ax, p.y - ay);
      const box = boxCorners(a);
      if (inside(p.x, p.y, box)) return 0;
      return Math.min(...box.map(([x, y], i) => pointSegment(p.x, p.y, x, y, box[(i + 1) % 4][0], box[(i + 1) % 4][1])));
    }
    const c = Math.cos(a.heading), s = Math.sin(a.heading);
    const [ux, uy] = how.type === 'longitudinal' ? [c, s] : [-s, c];
    const d = (p.x - ax) * ux + (p.y - ay) * uy;
    if (!how.freespace) return d;
    const [lo, hi] = project(boxCorners(a), ax, ay, ux, uy);
    return intervalGap(lo, hi, d, d);
  }
  const located = network.worldToRoad(p.x, p.y, p.z, 10);
  if (!located || located.road !== a.road) return undefined;
  const at = { s: p.road === a.road && p.s !== undefined ? p.s : located.s, t: located.t };
  const sense = roadSense(a);
  const [sa, ta] = a.referenceST;
  let ds = (at.s - sa) * sense, dt = (at.t - ta) * sense;
  if (how.freespace) {
    const [e, f] = roadExtents(a);
    ds = shrink((at.s - a.s) * sense, e);
    dt = shrink((at.t - a.t) * sense, f);
  }
  return how.type === 'longitudinal' ? ds : how.type === 'lateral' ? dt : Math.hypot(ds, dt);
}
