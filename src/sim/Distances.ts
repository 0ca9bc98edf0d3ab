import type { RoadNetwork } from '../map/RoadNetwork.js';
import type { SimActor } from './Actor.js';

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
