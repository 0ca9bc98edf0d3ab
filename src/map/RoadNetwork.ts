import { stopLinesOf, type Signal, type SignalController, type StopLine } from './Signal.js';
import { UserError } from '../core/errors.js';
import type { Junction } from './Junction.js';
import { LaneGraph, type LanePosition, type Route } from './LaneGraph.js';
import type { Lane, LaneSection, Road, RoadFrame, RoadPose } from './Road.js';
import { RoadLocator, type RoadPosition } from './RoadLocator.js';

export interface Bounds2 {
  minX: number;
  minY: number;
  maxX: number;
  maxY: number;
}

/** One sample of a lane's centre line. */
export interface LanePoint extends RoadFrame {
  s: number;
  t: number;
  section: number;
}

/**
 * The roads and junctions of one map: lookup by id, road ↔ world coordinates, lane centre
 * lines, and (built on first use) the world→road index and the lane graph with routes.
 */
export class RoadNetwork {
  private readonly byId: Map<string, Road>;
  private readonly junctionsById: Map<string, Junction>;
  private locator?: RoadLocator;
  private graph?: LaneGraph;

  constructor(
    readonly name: string,
    readonly roads: readonly Road[],
    /** Parts of the file that were read but not modelled, each naming file:line. */
    readonly warnings: readonly string[] = [],
    readonly junctions: readonly Junction[] = [],
    /** The file the network was read from, for messages. */
    readonly file = '',
    /** The signal controllers (OpenDRIVE <controller>): signals that switch together. */
    readonly controllers: readonly SignalController[] = [],
  ) {
    this.byId = new Map(roads.map((r) => [r.id, r]));
    this.junctionsById = new Map(junctions.map((j) => [j.id, j]));
  }

  road(id: string): Road {
    const road = this.byId.get(id);
    if (!road) throw new UserError(`the map has no road "${id}" (roads: ${[...this.byId.keys()].join(', ')})`);
    return road;
  }

  /** Every road's traffic signals and signs. */
  signals(): Signal[] {
    return this.roads.flatMap((r) => r.signals);
  }

  /** Every stop line: where vehicles of its lanes stop (Signal.stopLinesOf). */
  stopLines(): StopLine[] {
    return this.roads.flatMap((r) => stopLinesOf(r));
  }

  hasRoad(id: string): boolean {
    return this.byId.has(id);
  }

  junction(id: string): Junction {
    const junction = this.junctionsById.get(id);
    if (!junction) throw new UserError(`the map has no junction "${id}"`);
    return junction;
  }

  /** The lane with this id at s on a road. */
  lane(roadId: string, laneId: number, s: number): { lane: Lane; section: LaneSection; sectionIndex: number } {
    const road = this.road(roadId);
    const section = road.sectionAt(s);
    const lane = laneId === 0 ? section.center : (laneId > 0 ? section.left : section.right).find((l) => l.id === laneId);
    if (!lane) throw new UserError(`road ${roadId} has no lane ${laneId} at s=${s}`);
    return { lane, section, sectionIndex: road.sections.indexOf(section) };
  }

  /** Road coordinates to the world: position, heading, pitch and superelevation roll. */
  roadToWorld(roadId: string, s: number, t: number): RoadFrame {
    const road = this.road(roadId);
    if (!(s >= -1e-9 && s <= road.length + 1e-9)) throw new UserError(`s=${s} is outside road ${roadId} (length ${road.length} m)`);
    return road.pose(Math.min(Math.max(s, 0), road.length), t);
  }

  /** World pose of a point on a lane's centre line (or offset from it by dt). */
  lanePose(roadId: string, laneId: number, s: number, dt = 0): RoadPose {
    const road = this.road(roadId);
    if (s < 0 || s > road.length) throw new UserError(`s=${s} is outside road ${roadId} (length ${road.length} m)`);
    return road.pose(s, road.laneCenterT(laneId, s) + dt);
  }

  /**
   * World to road coordinates: the lane holding (x, y) (nearest surface to z where roads
   * stack), or the nearest lane within `radius` m; undefined if no road is that close.
   */
  worldToRoad(x: number, y: number, z?: number, radius = 10): RoadPosition | undefined {
    this.locator ??= new RoadLocator(this.roads, this.file);
    return this.locator.locate(x, y, z, radius);
  }

  /** Whether any lane lies within `radius` m of (x, y): worldToRoad() !== undefined, sooner. */
  nearRoad(x: number, y: number, radius: number): boolean {
    this.locator ??= new RoadLocator(this.roads, this.file);
    return this.locator.near(x, y, radius);
  }

  /**
   * A lane's centre line sampled every `step` metres of s (plus each section's end), over
   * every lane section that has the lane, or only the given one.
   */
  laneCenterLine(roadId: string, laneId: number, step: number, sectionIndex?: number): LanePoint[] {
    if (!(step > 0)) throw new UserError(`the sampling step must be positive, got ${step}`);
    const road = this.road(roadId);
    const points: LanePoint[] = [];
    road.sections.forEach((section, index) => {
      if (sectionIndex !== undefined && index !== sectionIndex) return;
      if (laneId !== 0 && !(laneId > 0 ? section.left : section.right).some((l) => l.id === laneId)) return;
      const n = Math.max(1, Math.ceil((section.end - section.s) / step - 1e-9));
      for (let i = 0; i <= n; i++) {
        if (i === 0 && points.length > 0 && points[points.length - 1].s === section.s) continue;
        const s = Math.min(section.s + i * step, section.end);
        const t = road.laneCenterT(laneId, s, section);
        points.push({ s, t, section: index, ...road.pose(s, t) });
      }
    });
    if (points.length === 0) throw new UserError(`road ${roadId} has no lane ${laneId}`);
    return points;
  }

  /** The lane graph: driving lanes and where traffic goes next, across links and junctions. */
  laneGraph(): LaneGraph {
    this.graph ??= new LaneGraph(this.byId, this.junctionsById, undefined, this.file);
    return this.graph;
  }

  /** Shortest route along lanes between two lane positions (Dijkstra by length). */
  route(from: LanePosition, to: LanePosition): Route | undefined {
    for (const p of [from, to]) this.lane(p.road, p.lane, p.s);
    return this.laneGraph().route(from, to);
  }

  /** Total length of every road's reference line (m). */
  totalLength(): number {
    return this.roads.reduce((sum, r) => sum + r.length, 0);
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

export type { RoadPosition } from './RoadLocator.js';
export type { LanePosition, Route, LaneRef } from './LaneGraph.js';
