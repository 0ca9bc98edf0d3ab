import { ACTOR_KINDS } from '../core/actorKinds.js';
import type { MeshBuilder } from '../core/MeshBuilder.js';
import { Random } from '../core/Random.js';
import { classId } from '../core/semantic.js';
import type { Road } from '../map/Road.js';
import type { RoadNetwork } from '../map/RoadNetwork.js';
import type { StaticActorSpec } from '../sim/StaticActors.js';
import { footprintOverlap, type Footprint } from '../core/footprint.js';

export interface DressingOptions {
  /** Roadside buildings to place at most, spread over the roads' sides. */
  buildings: number;
  /** Street lights, trees and parked cars along every road (default true). */
  furniture?: boolean;
}

/** One box of scenery: centre, size (along, across, up), yaw, semantic class. */
export interface SceneryBox {
  center: [number, number, number];
  size: [number, number, number];
  yaw: number;
  cls: number;
}

/**
 * What the roadside holds, decided once from the map, the seed and the options. Buildings,
 * street lights and trees are scenery: meshed into the static map (instance 0), things no one
 * labels as objects. Parked cars are objects: static actors that join the run like the
 * scenario's own (an instance id, a ground-truth box, a label in every export).
 */
export interface RoadsidePlan {
  scenery: SceneryBox[];
  parkedCars: StaticActorSpec[];
  counts: { buildings: number; poles: number; trees: number; parkedCars: number };
}

/**
 * The roadside plan of a run: a pure function of the map, the seed and the options (the
 * same random stream the static world has always drawn its dressing from).
 */
export function planRoadside(network: RoadNetwork, seed: number, options: DressingOptions): RoadsidePlan {
  return new RoadsideDressing(network, new Random(seed).split('world').split('dressing')).plan(options);
}

/** Meshes a plan's scenery (not its parked cars: they are actors, meshed by their kind's model). */
export function meshScenery(plan: RoadsidePlan, mesh: MeshBuilder): void {
  for (const box of plan.scenery) mesh.box(box.center, box.size, box.yaw, box.cls);
}


const POLE_SPACING = 30;
const TREE_SPACING = 14;
const FURNITURE_OFFSET = 0.8;
const BUILDING_SETBACK = 5;
/**
 * Cell of the grid that finds placed objects near a new one (m): larger than any object, so
 * one that overlaps lies in a neighbouring cell. A long map holds tens of thousands of
 * objects; testing each new one against all of them took minutes.
 */
const PLACED_CELL = 64;

/**
 * Seeded roadside objects for the sensors to see: buildings set back from the road, and
 * street lights, trees and parked cars just beyond each road's outermost lane. Every object is
 * kept off every lane of every road (junctions included) and off every other object.
 */
export class RoadsideDressing {
  /** Placed footprints by grid cell (see PLACED_CELL), in the order they were placed. */
  private readonly placed = new Map<string, Footprint[]>();
  private readonly scenery: SceneryBox[] = [];
  private readonly parkedCars: StaticActorSpec[] = [];

  constructor(private readonly network: RoadNetwork, private readonly random: Random) {}

  plan(options: DressingOptions): RoadsidePlan {
    const counts = { buildings: 0, poles: 0, trees: 0, parkedCars: 0 };
    const roads = this.network.roads.filter((r) => r.junction === '-1');
    if (options.furniture ?? true) {
      for (const road of roads) {
        for (const side of [-1, 1] as const) {
          for (let s = this.random.uniform(5, POLE_SPACING); s < road.length - 2; s += POLE_SPACING + this.random.uniform(-3, 3)) {
            if (this.pole(road, side, s)) counts.poles++;
          }
          for (let s = this.random.uniform(3, TREE_SPACING); s < road.length - 3; s += TREE_SPACING + this.random.uniform(-4, 4)) {
            // A quarter of the slots hold a parked car instead of a tree.
            if (this.random.next() < 0.25) {
              if (this.parkedCar(road, side, s)) counts.parkedCars++;
            } else if (this.tree(road, side, s)) counts.trees++;
          }
        }
      }
    }
    // Buildings take turns over the roads and sides, so a small count still spreads out.
    const cursors = roads.flatMap((road) => [-1, 1].map((side) => ({ road, side: side as -1 | 1, s: this.random.uniform(0, 15) })));
    let idle = 0;
    for (let i = 0; counts.buildings < options.buildings && idle < cursors.length; i++) {
      const cursor = cursors[i % cursors.length];
      const along = this.random.uniform(10, 25);
      const depth = this.random.uniform(8, 16);
      const height = this.random.uniform(6, 30);
      const s = cursor.s + along / 2;
      cursor.s += along + this.random.uniform(3, 12);
      if (s + along / 2 > cursor.road.length) {
        idle++;
        continue;
      }
      const at = this.besideRoad(cursor.road, cursor.side, s, BUILDING_SETBACK + depth / 2);
      if (this.tryPlace({ ...at, half: [along / 2, depth / 2] }, 1)) {
        this.box([at.x, at.y, at.z + height / 2], [along, depth, height], at.heading, classId('building'));
        counts.buildings++;
      }
    }
    return { scenery: this.scenery, parkedCars: this.parkedCars, counts };
  }

  private box(center: [number, number, number], size: [number, number, number], yaw: number, cls: number): void {
    this.scenery.push({ center, size, yaw, cls });
  }

  /** A point `gap` metres beyond the road's outermost lane on one side, with the road's heading and slope. */
  private besideRoad(road: Road, side: -1 | 1, s: number, gap: number): { x: number; y: number; z: number; heading: number; pitch: number; roll: number } {
    const spans = road.laneSpans(s);
    const edge = side < 0 ? Math.min(spans.center, ...spans.right.map((x) => x.outer)) : Math.max(spans.center, ...spans.left.map((x) => x.outer));
    return road.pose(s, edge + side * gap);
  }

  private pole(road: Road, side: -1 | 1, s: number): boolean {
    const at = this.besideRoad(road, side, s, FURNITURE_OFFSET);
    if (!this.tryPlace({ ...at, half: [0.15, 0.15] }, 0.3)) return false;
    const cls = classId('pole');
    this.box([at.x, at.y, at.z + 3.5], [0.2, 0.2, 7], at.heading, cls);
    // The lamp arm reaches out over the road edge.
    const reach = -side * 1.2;
    this.box([at.x - Math.sin(at.heading) * reach, at.y + Math.cos(at.heading) * reach, at.z + 6.9], [0.25, 2.4, 0.15], at.heading, cls);
    return true;
  }

  private tree(road: Road, side: -1 | 1, s: number): boolean {
    const crown = this.random.uniform(1.8, 3.2);
    const at = this.besideRoad(road, side, s, FURNITURE_OFFSET + crown / 2);
    if (!this.tryPlace({ ...at, half: [crown / 2, crown / 2] }, 0.3)) return false;
    const trunk = this.random.uniform(1.8, 3);
    const cls = classId('vegetation');
    this.box([at.x, at.y, at.z + trunk / 2], [0.3, 0.3, trunk], at.heading, cls);
    this.box([at.x, at.y, at.z + trunk + crown / 2], [crown, crown, crown], at.heading + this.random.uniform(0, Math.PI / 2), cls);
    return true;
  }

  /**
   * A car parked along the kerb, facing the way the traffic beside it drives (right-hand
   * traffic: along s on the right of the reference line, against it on the left).
   */
  private parkedCar(road: Road, side: -1 | 1, s: number): boolean {
    const kind = ACTOR_KINDS.parked_car;
    const at = this.besideRoad(road, side, s, FURNITURE_OFFSET + 1);
    // The footprint keeps 2.5 cm clear of the body on each side.
    if (!this.tryPlace({ ...at, half: [kind.length / 2, kind.width / 2 + 0.025] }, 0.3)) return false;
    const turned = side < 0 ? at.heading : at.heading + Math.PI;
    const heading = Math.atan2(Math.sin(turned), Math.cos(turned));
    this.parkedCars.push({
      id: `roadside_${this.parkedCars.length + 1}`, kind: 'parked_car', x: at.x, y: at.y, z: at.z, heading,
      // The ground's slope along and across the car's own heading.
      pitch: side < 0 ? at.pitch : -at.pitch, roll: side < 0 ? at.roll : -at.roll,
    });
    return true;
  }

  /**
   * Accepts a footprint that stays `margin` metres clear of every lane (checked at its centre,
   * corners and edge midpoints) and does not overlap an object already placed.
   */
  private tryPlace(footprint: Footprint, margin: number): boolean {
    const { x, y, half, heading } = footprint;
    const c = Math.cos(heading), s = Math.sin(heading);
    for (const [u, v] of [[0, 0], [1, 1], [1, -1], [-1, 1], [-1, -1], [1, 0], [-1, 0], [0, 1], [0, -1]]) {
      const px = x + c * u * half[0] - s * v * half[1];
      const py = y + s * u * half[0] + c * v * half[1];
      if (this.network.nearRoad(px, py, margin)) return false;
    }
    // Every footprint is smaller than a cell, so any it overlaps has its centre within one cell.
    const cx = Math.floor(x / PLACED_CELL), cy = Math.floor(y / PLACED_CELL);
    for (let i = cx - 1; i <= cx + 1; i++) {
      for (let j = cy - 1; j <= cy + 1; j++) {
        if (this.placed.get(`${i},${j}`)?.some((other) => footprintOverlap(footprint, other) > 0)) return false;
      }
    }
    const key = `${cx},${cy}`;
    const list = this.placed.get(key);
    if (list) list.push(footprint);
    else this.placed.set(key, [footprint]);
    return true;
  }
}
