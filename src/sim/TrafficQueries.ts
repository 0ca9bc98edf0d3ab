import { DRIVABLE_TYPES } from '../map/LaneGraph.js';
import type { RoadNetwork } from '../map/RoadNetwork.js';
import type { AdjacentLane, Neighbour } from '../scenario/controllers/types.js';
import type { SimActor } from './Actor.js';
import { wrapAngle } from './LanePath.js';

/**
 * Who is around an actor, for the controllers: the leader along its path (across junctions),
 * the follower in its lane, and the neighbours in the lanes beside it. Actors are indexed by
 * road and lane once per step (`invalidate` after they move).
 */
export class TrafficQueries {
  private laneIndex?: Map<string, SimActor[]>;

  constructor(private readonly network: RoadNetwork, private readonly actors: readonly SimActor[]) {}

  invalidate(): void {
    this.laneIndex = undefined;
  }

  private index(): Map<string, SimActor[]> {
    if (!this.laneIndex) {
      const index = new Map<string, SimActor[]>();
      for (const a of this.actors) {
        if (!a.active || !a.road || a.visibility?.traffic === false) continue;
        const key = `${a.road}:${a.lane}`;
        const list = index.get(key);
        if (list) list.push(a);
        else index.set(key, [a]);
      }
      this.laneIndex = index;
    }
    return this.laneIndex;
  }

  leader(actor: SimActor, range: number): Neighbour | undefined {
    const path = actor.path;
    if (!path) return undefined;
    const index = this.index();
    const d0 = path.project(actor.x, actor.y, actor.pathIndex).d;
    path.ensure(d0 + range);
    let best: Neighbour | undefined;
    let bestD = Infinity;
    const seen = new Set<string>();
    for (let r = path.runIndex[actor.pathIndex]; r < path.runs.length; r++) {
      const run = path.runs[r];
      if (path.d[run.i0] > d0 + range) break;
      if (seen.has(run.key)) continue;
      seen.add(run.key);
      const list = index.get(run.key);
      if (!list) continue;
      const sameRoad = run.road === actor.road;
      const dir = path.s[Math.min(run.i1, run.i0 + 1)] >= path.s[run.i0] ? 1 : -1;
      for (const other of list) {
        if (other === actor) continue;
        // Cheap rejection on the actor's own road: behind it, or beyond the range.
        if (sameRoad && r === path.runIndex[actor.pathIndex]) {
          const ds = (other.s - actor.s) * dir;
          if (ds <= 0 || ds > range + 50) continue;
        }
        const d = path.distanceOf(other.road, other.lane, other.s, actor.pathIndex, d0 + range);
        if (d === undefined || d <= d0 || d >= bestD) continue;
        bestD = d;
        const speed = other.speed * Math.cos(wrapAngle(other.heading - actor.heading));
        best = { actor: other, gap: d - d0 - (actor.length + other.length) / 2, speed };
      }
    }
    // Where the lanes end (a ramp's entry lane), the end is a standing obstacle.
    if (path.ended && path.length - d0 < Math.min(bestD - d0, range)) {
      best = { actor, gap: path.length - d0 - actor.length / 2, speed: 0 };
    }
    return best;
  }

  private sameLane(actor: SimActor, lane: number, range: number, ahead: boolean): Neighbour | undefined {
    const list = this.index().get(`${actor.road}:${lane}`);
    if (!list) return undefined;
    const dir = this.network.road(actor.road).laneRunsWithS(actor.lane) ? 1 : -1;
    let best: Neighbour | undefined;
    let bestDs = Infinity;
    for (const other of list) {
      if (other === actor) continue;
      const ds = (other.s - actor.s) * dir;
      if ((ahead && ds <= 0) || (!ahead && ds > 0)) continue;
      const dist = Math.abs(ds);
      if (dist > range || dist >= bestDs) continue;
      bestDs = dist;
      best = { actor: other, gap: dist - (actor.length + other.length) / 2, speed: other.speed };
    }
    return best;
  }

  follower(actor: SimActor, range: number): Neighbour | undefined {
    if (!actor.road) return undefined;
    return this.sameLane(actor, actor.lane, range, false);
  }

  adjacent(actor: SimActor, side: 1 | -1, range: number): AdjacentLane | undefined {
    if (!actor.road) return undefined;
    const road = this.network.road(actor.road);
    const forward = road.laneRunsWithS(actor.lane);
    const lane = shiftLane(actor.lane, forward ? side : -side);
    const span = road.laneSpan(lane, actor.s);
    if (!span || !DRIVABLE_TYPES.has(span.lane.type) || road.laneRunsWithS(lane) !== forward) return undefined;
    if (!this.network.laneGraph().node({ road: actor.road, section: road.sectionIndexAt(actor.s), lane })) return undefined;
    return { lane, leader: this.sameLane(actor, lane, range, true), follower: this.sameLane(actor, lane, range, false) };
  }
}

/** Moves a lane id by `d` lanes towards +t, skipping the centre lane 0. */
export function shiftLane(lane: number, d: number): number {
  let out = lane + d;
  if (lane < 0 && out >= 0) out += 1;
  else if (lane > 0 && out <= 0) out -= 1;
  return out;
}
