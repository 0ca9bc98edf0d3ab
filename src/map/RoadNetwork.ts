import { UserError } from '../core/errors.js';
import type { Road, RoadPose } from './Road.js';

export interface Bounds2 {
  minX: number;
  minY: number;
  maxX: number;
  maxY: number;
}

/** The roads of one map, looked up by id, with their lanes and road coordinates. */
export class RoadNetwork {
  private readonly byId: Map<string, Road>;

  constructor(
    readonly name: string,
    readonly roads: readonly Road[],
    /** Parts of the file that were read but not modelled, each naming file:line. */
    readonly warnings: readonly string[] = [],
  ) {
    this.byId = new Map(roads.map((r) => [r.id, r]));
  }

  road(id: string): Road {
    const road = this.byId.get(id);
    if (!road) throw new UserError(`the map has no road "${id}" (roads: ${[...this.byId.keys()].join(', ')})`);
    return road;
  }

  /** World pose of a point on a lane's centre line (or offset from it by dt). */
  lanePose(roadId: string, laneId: number, s: number, dt = 0): RoadPose {
    const road = this.road(roadId);
    if (s < 0 || s > road.length) throw new UserError(`s=${s} is outside road ${roadId} (length ${road.length} m)`);
    return road.pose(s, road.laneCenterT(laneId, s) + dt);
  }

  /** Plan-view bounds of every road's reference line and lanes, sampled every few metres. */
  bounds(): Bounds2 {
    const b = { minX: Infinity, minY: Infinity, maxX: -Infinity, maxY: -Infinity };
    for (const road of this.roads) {
      const steps = Math.max(1, Math.ceil(road.length / 2));
      for (let i = 0; i <= steps; i++) {
        const s = (road.length * i) / steps;
        const spans = road.laneSpans(s);
        const ts = [spans.center, ...spans.left.map((x) => x.outer), ...spans.right.map((x) => x.outer)];
        for (const t of ts) {
          const p = road.pose(s, t);
          b.minX = Math.min(b.minX, p.x); b.maxX = Math.max(b.maxX, p.x);
          b.minY = Math.min(b.minY, p.y); b.maxY = Math.max(b.maxY, p.y);
        }
      }
    }
    return b;
  }
}
