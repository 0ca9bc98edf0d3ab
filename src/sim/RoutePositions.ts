import { UserError } from '../core/errors.js';
import type { LaneRef } from '../map/LaneGraph.js';
import type { RoadNetwork } from '../map/RoadNetwork.js';
import type { Position } from '../scenario/Scenario.js';
import type { SimActor } from './Actor.js';
import type { ResolvedPosition } from './Positions.js';

type RoutePosition = Extract<Position, { type: 'route' }>;
type RelativeObject = Extract<Position, { type: 'relativeObject' }>;

/** The lanes through a route's waypoints in turn (the lane graph's shortest routes joined). */
export function routeLanes(network: RoadNetwork, waypoints: RoutePosition['waypoints']): LaneRef[] {
  const lanes: LaneRef[] = [];
  for (let i = 1; i < waypoints.length; i++) {
    const leg = network.route(waypoints[i - 1], waypoints[i]);
    if (!leg) throw new UserError(`route position: no lane route from road ${waypoints[i - 1].road} lane ${waypoints[i - 1].lane} to road ${waypoints[i].road} lane ${waypoints[i].lane}`);
    for (const ref of leg.lanes) {
      const last = lanes[lanes.length - 1];
      if (!last || last.road !== ref.road || last.section !== ref.section || last.lane !== ref.lane) lanes.push(ref);
    }
  }
  if (lanes.length === 0) {
    const first = waypoints[0];
    lanes.push({ road: first.road, section: network.road(first.road).sectionIndexAt(first.s), lane: first.lane });
  }
  return lanes;
}

/**
 * An OpenSCENARIO RoutePosition (InRoutePosition FromLaneCoordinates / FromRoadCoordinates):
 * pathS is measured along the route from its first waypoint, in the s of each road the route
 * runs through (as esmini measures a route's length), across lane sections and junctions; the
 * point lies on the road reached there, at the given lane (with its laneOffset) or at t, facing
 * the route's direction of travel. Past the route's end it stays at the end.
 */
export function routePosition(network: RoadNetwork, position: RoutePosition): ResolvedPosition {
  const graph = network.laneGraph();
  const lanes = routeLanes(network, position.waypoints);
  let remaining = Math.max(0, position.pathS);
  let at: { road: string; lane: number; s: number; forward: boolean } | undefined;
  for (let i = 0; i < lanes.length; i++) {
    const node = graph.node(lanes[i]);
    if (!node) continue;
    const start = i === 0 ? Math.min(Math.max(position.waypoints[0].s, node.s0), node.s1) : node.forward ? node.s0 : node.s1;
    const available = node.forward ? node.s1 - start : start - node.s0;
    const last = i === lanes.length - 1;
    if (remaining <= available + 1e-9 || last) {
      const along = Math.min(remaining, available);
      at = { road: node.road, lane: node.lane, s: node.forward ? start + along : start - along, forward: node.forward };
      break;
    }
    remaining -= available;
  }
  if (!at) throw new UserError(`route position: the route from road ${position.waypoints[0].road} has no drivable lane`);
  const road = network.road(at.road);
  let p: ResolvedPosition;
  if (position.t !== undefined) {
    const f = network.roadToWorld(at.road, at.s, position.t);
    p = { x: f.x, y: f.y, z: f.z, heading: f.heading + (at.forward ? 0 : Math.PI), road: at.road, s: at.s };
  } else {
    // The file's lane id where the road has it there, else the route's own lane.
    const wanted = position.lane ?? at.lane;
    const section = road.sectionAt(at.s);
    const lane = [...section.left, ...section.right].some((l) => l.id === wanted) ? wanted : at.lane;
    const offset = position.offset ?? 0;
    const pose = network.lanePose(at.road, lane, at.s, offset);
    const forward = road.laneRunsWithS(lane);
    p = { x: pose.x, y: pose.y, z: pose.z, heading: pose.heading + (forward ? 0 : Math.PI), road: at.road, lane, s: at.s, offset: forward ? offset : -offset };
  }
  // Orientation: relative to the route's direction of travel there (h = 0 faces along it), or absolute.
  if (position.heading !== undefined) p.heading = position.absoluteHeading ? position.heading : p.heading + position.heading;
  return ahead(p, position.ahead ?? 0);
}

/**
 * An OpenSCENARIO RelativeObjectPosition: (dx, dy) from the entity's reference point in the
 * entity's frame (x along its heading, y to its left), dz above it; the heading relative to
 * the entity's (or absolute). The result is of the placed entity's reference point; its body
 * centre lies `ahead` m further along its heading.
 */
export function relativeObjectPosition(ref: SimActor, position: RelativeObject): ResolvedPosition {
  const [rx, ry] = ref.reference;
  const c = Math.cos(ref.heading), s = Math.sin(ref.heading);
  const heading = position.absoluteHeading ? position.heading ?? 0 : ref.heading + (position.heading ?? 0);
  const p: ResolvedPosition = { x: rx + position.dx * c - position.dy * s, y: ry + position.dx * s + position.dy * c, heading };
  if (position.dz !== undefined) p.z = ref.z + position.dz;
  return ahead(p, position.ahead ?? 0);
}

function ahead(p: ResolvedPosition, d: number): ResolvedPosition {
  if (d === 0) return p;
  // Lane coordinates no longer name the point exactly: the placement projects it anew.
  return { x: p.x + d * Math.cos(p.heading), y: p.y + d * Math.sin(p.heading), z: p.z, heading: p.heading, road: p.road, lane: p.lane, s: p.s };
}
