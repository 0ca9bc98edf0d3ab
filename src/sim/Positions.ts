import { UserError } from '../core/errors.js';
import type { Road } from '../map/Road.js';
import type { RoadNetwork } from '../map/RoadNetwork.js';
import type { Position } from '../scenario/Scenario.js';
import type { SimActor } from './Actor.js';
import { relativeObjectPosition, routePosition } from './RoutePositions.js';
import { shiftLane } from './TrafficQueries.js';

/** A scenario position in the world, with its road coordinates where it has them. */
export interface ResolvedPosition {
  x: number;
  y: number;
  z?: number;
  heading: number;
  road?: string;
  lane?: number;
  s?: number;
  offset?: number;
}

/**
 * Where a position of a scenario is now: lane and road positions through the road network,
 * relative ones from the actor they name (which must exist: the error names it).
 */
export function resolvePosition(network: RoadNetwork, position: Position, actors: ReadonlyMap<string, SimActor>): ResolvedPosition {
  switch (position.type) {
    case 'lane': {
      const road = network.road(position.road);
      const s = Math.min(Math.max(position.s, 0), road.length);
      const offset = position.offset ?? 0;
      const p = network.lanePose(position.road, position.lane, s, offset);
      const forward = road.laneRunsWithS(position.lane);
      const heading = position.absoluteHeading ? position.heading ?? 0 : p.heading + (forward ? 0 : Math.PI) + (position.heading ?? 0);
      return { x: p.x, y: p.y, z: p.z, heading, road: position.road, lane: position.lane, s, offset: forward ? offset : -offset };
    }
    case 'road': {
      const p = network.roadToWorld(position.road, position.s, position.t);
      return { x: p.x, y: p.y, z: p.z, heading: position.absoluteHeading ? position.heading ?? 0 : p.heading + (position.heading ?? 0), road: position.road, s: position.s };
    }
    case 'world':
      return { x: position.x, y: position.y, z: position.z, heading: position.heading ?? 0 };
    case 'relativeLane': {
      const ref = requireActor(actors, position.entity);
      const lane = shiftLane(ref.lane, position.dLane);
      const forward = network.road(ref.road).laneRunsWithS(ref.lane);
      return resolvePosition(network, { type: 'lane', road: ref.road, lane, s: ref.s + (forward ? position.ds : -position.ds), offset: position.offset }, actors);
    }
    case 'relativeRoad': {
      const ref = requireActor(actors, position.entity);
      return resolvePosition(network, { type: 'road', road: ref.road, s: ref.s + position.ds, t: ref.t + position.dt }, actors);
    }
    case 'relativeWorld': {
      const ref = requireActor(actors, position.entity);
      return { x: ref.x + position.dx, y: ref.y + position.dy, heading: ref.heading };
    }
    case 'relativeObject':
      return relativeObjectPosition(requireActor(actors, position.entity), position);
    case 'route':
      return routePosition(network, position);
  }
}

function requireActor(actors: ReadonlyMap<string, SimActor>, id: string): SimActor {
  const a = actors.get(id);
  if (!a) throw new UserError(`position refers to an unknown actor "${id}"`);
  return a;
}

/** The lane at (s, t) of a road, or `fallback` between lanes. */
export function laneAt(road: Road, s: number, t: number, fallback: number): number {
  const section = road.sectionAt(s);
  const spans = road.laneSpans(s, section);
  for (const span of t >= spans.center ? spans.left : spans.right) {
    const lo = Math.min(span.inner, span.outer), hi = Math.max(span.inner, span.outer);
    if (t >= lo && t <= hi && hi - lo > 1e-6) return span.lane.id;
  }
  return fallback;
}
