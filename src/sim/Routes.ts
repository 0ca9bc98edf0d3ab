import { UserError } from '../core/errors.js';
import type { RoadNetwork } from '../map/RoadNetwork.js';
import type { ControllerSpec } from '../scenario/Scenario.js';
import type { SimActor } from './Actor.js';

/** A point on a lane: road, lane id, s. */
export interface LanePoint {
  road: string;
  lane: number;
  s: number;
}

/**
 * The lanes an actor drives through to reach its waypoints in turn (its `route` controller's
 * by default), from `from` or its start position: the road network's routes joined, without
 * repeats. A first waypoint already behind the start is passed; an unreachable one is an
 * error that names the actor and the two lanes.
 */
export function laneRoute(network: RoadNetwork, actor: SimActor, waypoints?: LanePoint[], from?: LanePoint): { road: string; section: number; lane: number }[] {
  const route = waypoints ?? actor.spec.controllers.find((c): c is Extract<ControllerSpec, { type: 'route' }> => c.type === 'route')?.waypoints;
  if (!route || route.length === 0) return [];
  const start = from ?? (actor.spec.position.type === 'lane' ? actor.spec.position : undefined);
  const points = start ? [{ road: start.road, lane: start.lane, s: start.s }, ...route] : route;
  const lanes: { road: string; section: number; lane: number }[] = [];
  for (let i = 1; i < points.length; i++) {
    const leg = network.route(points[i - 1], points[i]);
    if (!leg && i === 1 && start) {
      // A first waypoint already behind the start position is passed.
      points[1] = points[0];
      continue;
    }
    if (!leg) throw new UserError(`actor "${actor.id}": no lane route from road ${points[i - 1].road} lane ${points[i - 1].lane} to road ${points[i].road} lane ${points[i].lane}`);
    for (const ref of leg.lanes) {
      const last = lanes[lanes.length - 1];
      if (!last || last.road !== ref.road || last.section !== ref.section || last.lane !== ref.lane) lanes.push(ref);
    }
  }
  return lanes;
}
