import type { Road } from '../map/Road.js';
import type { RoadNetwork } from '../map/RoadNetwork.js';
import type { WalkMode, WalkPlan } from '../scenario/controllers/Pedestrian.js';
import type { SimActor } from './Actor.js';

/**
 * Where a pedestrian walks when told to: straight on (walk), across the road from where it
 * stands (cross, jaywalk at an angle), or along the sidewalk to the nearest crosswalk and
 * across there (crosswalk). Off the road every mode walks straight on.
 */
export function walkPlan(network: RoadNetwork, actor: SimActor, mode: WalkMode, speed: number, heading?: number, distance?: number): WalkPlan[] {
  if (!actor.road) return [{ mode, speed, heading: actor.heading + (heading ?? 0), distance: distance ?? Infinity }];
  const road = network.road(actor.road);
  const frame = road.pose(actor.s, actor.t);
  if (mode === 'walk') {
    const base = heading !== undefined ? frame.heading + heading : actor.heading;
    return [{ mode, speed, heading: base, distance: distance ?? Infinity }];
  }
  if (mode === 'crosswalk') {
    // Along the sidewalk to the nearest crosswalk of this road, then across there.
    const target = nearestCrosswalkS(network, road, actor.s);
    if (target !== undefined && Math.abs(target - actor.s) > 1e-6) {
      const along = Math.abs(target - actor.s);
      const towards = road.pose(Math.min(Math.max(actor.s + Math.sign(target - actor.s) * 0.01, 0), road.length), actor.t);
      const alongHeading = Math.atan2(towards.y - frame.y, towards.x - frame.x);
      return [{ mode, speed, heading: alongHeading, distance: along }, { ...crossing(road, target, actor.t, 'cross', speed, heading, distance), crosswalk: { road: road.id, s: target } }];
    }
    return [{ ...crossing(road, actor.s, actor.t, 'cross', speed, heading, distance), ...(target !== undefined ? { crosswalk: { road: road.id, s: target } } : {}) }];
  }
  return [crossing(road, actor.s, actor.t, mode, speed, heading, distance)];
}

/** Across the road from (s, t) towards the other side, perpendicular to it (jaywalk: at an angle). */
function crossing(road: Road, s: number, t: number, mode: WalkMode, speed: number, heading?: number, distance?: number): WalkPlan {
  const frame = road.pose(s, t);
  const spans = road.laneSpans(s);
  const toLeft = t < spans.center;
  const far = toLeft ? spans.left : spans.right;
  const kerb = farKerb(far);
  const base = frame.heading + (toLeft ? Math.PI / 2 : -Math.PI / 2) + (mode === 'jaywalk' ? heading ?? 0 : 0);
  const across = Math.abs(kerb - t) / Math.max(Math.abs(Math.cos(base - frame.heading - (toLeft ? Math.PI / 2 : -Math.PI / 2))), 0.2);
  return { mode, speed, heading: base, distance: distance ?? across + 0.5 };
}

/** The s of the crosswalk of a road nearest to s (crosswalks are located by their outline's centre). */
function nearestCrosswalkS(network: RoadNetwork, road: Road, s: number): number | undefined {
  let best: number | undefined;
  for (const crosswalk of road.crosswalks) {
    const n = crosswalk.corners.length;
    const cx = crosswalk.corners.reduce((a, c) => a + c.x, 0) / n;
    const cy = crosswalk.corners.reduce((a, c) => a + c.y, 0) / n;
    const at = network.worldToRoad(cx, cy, undefined, 1);
    if (!at || at.road !== road.id) continue;
    if (best === undefined || Math.abs(at.s - s) < Math.abs(best - s)) best = at.s;
  }
  return best;
}

/** The t of the kerb on one side: where the carriageway meets a sidewalk, else the road's edge. */
function farKerb(spans: { lane: { type: string }; inner: number; outer: number }[]): number {
  for (const span of spans) if (span.lane.type === 'sidewalk') return span.inner;
  return spans.length > 0 ? spans[spans.length - 1].outer : 0;
}
