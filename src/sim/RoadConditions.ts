import type { RoadNetwork } from '../map/RoadNetwork.js';
import type { SimActor } from './Actor.js';

/** How close (m) the front of a vehicle must come to the end of its lanes to be at the road's end. */
const END_TOLERANCE = 0.1;

/**
 * Whether an actor is off the road, as esmini's Position::IsOffRoad has it: its reference
 * point lies farther from the reference line, on its side, than the road's lanes reach (every
 * lane but those of type none), or on no road at all.
 */
export function isOffroad(network: RoadNetwork, actor: SimActor): boolean {
  if (!actor.road) return true;
  const road = network.road(actor.road);
  const s = Math.min(Math.max(actor.s, 0), road.length);
  const spans = road.laneSpans(s);
  const t = actor.referenceST[1];
  const reach = (side: typeof spans.left): number | undefined => side.filter((x) => x.lane.type !== 'none').map((x) => x.outer).reduce<number | undefined>((m, v) => (m === undefined ? v : t >= spans.center ? Math.max(m, v) : Math.min(m, v)), undefined);
  if (t >= spans.center) {
    const left = reach(spans.left);
    return left === undefined ? t > spans.center : t > left;
  }
  const right = reach(spans.right);
  return right === undefined ? true : t < right;
}

/**
 * Whether an actor stands at the end of the road: its lanes lead nowhere further (the lane
 * path ended) and its front is at that end, where the simulation holds vehicles.
 */
export function isAtEndOfRoad(actor: SimActor): boolean {
  const path = actor.path;
  if (!path || !path.ended) return false;
  const d = path.project(actor.x, actor.y, actor.pathIndex).d;
  return path.length - d - actor.length / 2 <= END_TOLERANCE;
}

/**
 * Keeps the moments since when an actor has been off road and at the end of the road, for
 * OffroadCondition and EndOfRoadCondition (true once the state has lasted `duration`).
 */
export function trackRoadState(network: RoadNetwork, actor: SimActor, time: number): void {
  if (isOffroad(network, actor)) actor.offroadSince ??= time;
  else actor.offroadSince = undefined;
  if (isAtEndOfRoad(actor)) actor.endOfRoadSince ??= time;
  else actor.endOfRoadSince = undefined;
}

/** Whether a road state that began at `since` has lasted `duration` s at `time`. */
export function heldFor(since: number | undefined, duration: number, time: number): boolean {
  return since !== undefined && time - since >= duration - 1e-9;
}
