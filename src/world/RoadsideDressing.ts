import { ACTOR_KINDS } from '../core/actorKinds.js';
import type { MeshBuilder } from '../core/MeshBuilder.js';
import { Random } from '../core/Random.js';
import type { Road } from '../map/Road.js';
import type { RoadNetwork } from '../map/RoadNetwork.js';
import type { StaticActorSpec } from '../sim/StaticActors.js';
import { footprintOverlap, type Footprint } from '../core/footprint.js';
import { BUILDING_RANGES, meshBuilding, type BuildingSpec } from './roadside/Buildings.js';
import { GUARDRAIL_POST_SPACING, meshGuardrail, type GuardrailSpec, type RailPoint } from './roadside/Guardrails.js';
import { BOLLARD_SIZE, meshBollard, meshSign, meshStreetLight, type BollardSpec, type SignSpec, type StreetLightSpec } from './roadside/StreetFurniture.js';
import { drawTree, meshTree, type TreeSpec } from './roadside/Trees.js';

export type { BollardSpec, BuildingSpec, GuardrailSpec, SignSpec, StreetLightSpec, TreeSpec };

export interface DressingOptions {
  /** Roadside buildings to place at most, spread over the roads' sides. */
  buildings: number;
  /** Street lights, trees, signs, bollards, guardrails and parked cars along every road (default true). */
  furniture?: boolean;
}
/**
 * What the roadside holds, decided once from the map, the seed and the options. Buildings,
 * street lights, trees, signs, bollards and guardrails are scenery: meshed into the static map
 * (instance 0), things no one labels as objects. Parked cars are objects: static actors that
 * join the run like the scenario's own (an instance id, a ground-truth box, a label in every
 * export).
 */
export interface RoadsidePlan {
  buildings: BuildingSpec[];
  trees: TreeSpec[];
  streetLights: StreetLightSpec[];
  signs: SignSpec[];
  bollards: BollardSpec[];
  guardrails: GuardrailSpec[];
  parkedCars: StaticActorSpec[];
  counts: { buildings: number; poles: number; trees: number; parkedCars: number; signs: number; bollards: number; guardrailMetres: number };
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
  for (const building of plan.buildings) meshBuilding(mesh, building);
  for (const tree of plan.trees) meshTree(mesh, tree);
  for (const light of plan.streetLights) meshStreetLight(mesh, light);
  for (const sign of plan.signs) meshSign(mesh, sign);
  for (const bollard of plan.bollards) meshBollard(mesh, bollard);
  for (const rail of plan.guardrails) meshGuardrail(mesh, rail);
}

const POLE_SPACING = 30;
const TREE_SPACING = 14;
const FURNITURE_OFFSET = 0.8;
/** Beside a guardrail, furniture stands behind it, clear of the posts. */
const FURNITURE_OFFSET_BEHIND_RAIL = 2.5;
/** The guardrail's beam stands this far beyond the outermost lane (the shoulder's edge). */
const GUARDRAIL_GAP = 0.5;
const BUILDING_SETBACK = 5;
/** Signs stand this far before the junction they announce, a typical distance in town. */
const SIGN_BEFORE_JUNCTION: [number, number] = [10, 16];
/** Bollards stand over this stretch before a junction, spaced so that no car passes between. */
const BOLLARDS_FROM_JUNCTION: [number, number] = [1.5, 6];
const BOLLARD_SPACING = 1.5;
/**
 * Cell of the grid that finds placed objects near a new one (m): larger than any object, so
 * one that overlaps lies in a neighbouring cell. A long map holds tens of thousands of
 * objects; testing each new one against all of them took minutes.
 */
const PLACED_CELL = 64;

type Side = -1 | 1;

/**
 * Seeded roadside objects for the sensors to see: guardrails along motorway-like roads, signs
 * and bollards before junctions, street lights, trees and parked cars just beyond each road's
 * outermost lane, and buildings set back from the road. Every object is kept off every lane of
 * every road (junctions included) and off every other object.
 */
export class RoadsideDressing {
  /** Placed footprints by grid cell (see PLACED_CELL), in the order they were placed. */
  private readonly placed = new Map<string, Footprint[]>();
  private readonly result: RoadsidePlan = {
    buildings: [], trees: [], streetLights: [], signs: [], bollards: [], guardrails: [], parkedCars: [],
    counts: { buildings: 0, poles: 0, trees: 0, parkedCars: 0, signs: 0, bollards: 0, guardrailMetres: 0 },
  };

  constructor(private readonly network: RoadNetwork, private readonly random: Random) {}

  plan(options: DressingOptions): RoadsidePlan {
    const counts = this.result.counts;
    const roads = this.network.roads.filter((r) => r.junction === '-1');
    if (options.furniture ?? true) {
      // Fixed things first, so that the seeded ones make way for them.
      for (const road of roads) {
        for (const side of [-1, 1] as const) if (hasGuardrail(road, side)) this.guardrail(road, side);
      }
      for (const road of roads) this.junctionApproaches(road);
      for (const road of roads) {
        for (const side of [-1, 1] as const) {
          const gap = hasGuardrail(road, side) ? FURNITURE_OFFSET_BEHIND_RAIL : FURNITURE_OFFSET;
          for (let s = this.random.uniform(5, POLE_SPACING); s < road.length - 2; s += POLE_SPACING + this.random.uniform(-3, 3)) {
            if (this.streetLight(road, side, s, gap)) counts.poles++;
          }
          for (let s = this.random.uniform(3, TREE_SPACING); s < road.length - 3; s += TREE_SPACING + this.random.uniform(-4, 4)) {
            // A quarter of the slots hold a parked car instead of a tree.
            if (this.random.next() < 0.25) {
              if (this.parkedCar(road, side, s, gap)) counts.parkedCars++;
            } else if (this.tree(road, side, s, gap)) counts.trees++;
          }
        }
      }
    }
    // Buildings take turns over the roads and sides, so a small count still spreads out.
    const cursors = roads.flatMap((road) => [-1, 1].map((side) => ({ road, side: side as Side, s: this.random.uniform(0, 15) })));
    let idle = 0;
    for (let i = 0; counts.buildings < options.buildings && idle < cursors.length; i++) {
      const cursor = cursors[i % cursors.length];
      const along = this.random.uniform(10, 25);
      const depth = this.random.uniform(8, 16);
      const look = this.drawBuildingLook(depth);
      const s = cursor.s + along / 2;
      cursor.s += along + this.random.uniform(3, 12);
      if (s + along / 2 > cursor.road.length) {
        idle++;
        continue;
      }
      const at = this.besideRoad(cursor.road, cursor.side, s, BUILDING_SETBACK + depth / 2);
      if (this.tryPlace({ ...at, half: [along / 2, depth / 2] }, 1)) {
        this.result.buildings.push({ center: [at.x, at.y, at.z], yaw: at.heading, along, depth, ...look });
        counts.buildings++;
      }
    }
    return this.result;
  }

  /** A building's storeys, façade and roof, drawn from the seed. */
  private drawBuildingLook(depth: number): Pick<BuildingSpec, 'facade' | 'upperStoreys' | 'storeyHeight' | 'roof' | 'roofRise'> {
    const upperStoreys = this.random.int(...BUILDING_RANGES.upperStoreys);
    const storeyHeight = this.random.uniform(...BUILDING_RANGES.storeyHeight);
    const facade = this.random.next() < 0.5 ? 'facade_plaster' : 'facade_brick';
    // Low houses often have pitched roofs; blocks of flats and offices mostly flat ones.
    const pitched = this.random.next() < (upperStoreys <= 3 ? 0.6 : 0.15);
    const pitch = this.random.uniform(...BUILDING_RANGES.roofPitch);
    return { facade, upperStoreys, storeyHeight, roof: pitched ? 'pitched' : 'flat', roofRise: pitched ? (depth / 2) * Math.tan(pitch) : 0 };
  }

  /** A point `gap` metres beyond the road's outermost lane on one side, with the road's heading and slope. */
  private besideRoad(road: Road, side: Side, s: number, gap: number): { x: number; y: number; z: number; heading: number; pitch: number; roll: number } {
    const spans = road.laneSpans(s);
    const edge = side < 0 ? Math.min(spans.center, ...spans.right.map((x) => x.outer)) : Math.max(spans.center, ...spans.left.map((x) => x.outer));
    return road.pose(s, edge + side * gap);
  }

  private streetLight(road: Road, side: Side, s: number, gap: number): boolean {
    const at = this.besideRoad(road, side, s, gap);
    if (!this.tryPlace({ ...at, half: [0.15, 0.15] }, 0.3)) return false;
    // The arm reaches from the pole out over the road's edge.
    const toRoad: [number, number] = [Math.sin(at.heading) * side, -Math.cos(at.heading) * side];
    this.result.streetLights.push({ base: [at.x, at.y, at.z], yaw: at.heading, toRoad, height: 7, reach: gap + 0.6 });
    return true;
  }

  private tree(road: Road, side: Side, s: number, gap: number): boolean {
    const crown = this.random.uniform(1.8, 3.2);
    const at = this.besideRoad(road, side, s, gap + crown / 2);
    if (!this.tryPlace({ ...at, half: [crown / 2, crown / 2] }, 0.3)) return false;
    this.result.trees.push(drawTree(this.random, [at.x, at.y, at.z], crown, at.heading + this.random.uniform(0, Math.PI / 2)));
    return true;
  }

  /**
   * A W-beam guardrail just beyond the outermost lane, a post every few metres. A stretch
   * that would cross another road's lanes (a ramp joining) is left out, so the rail breaks
   * there as real ones do.
   */
  private guardrail(road: Road, side: Side): void {
    const steps = Math.max(1, Math.ceil(road.length / GUARDRAIL_POST_SPACING));
    const point = (i: number): RailPoint => {
      const at = this.besideRoad(road, side, (road.length * i) / steps, GUARDRAIL_GAP);
      return { x: at.x, y: at.y, z: at.z, normal: [-Math.sin(at.heading) * side, Math.cos(at.heading) * side] };
    };
    let run: RailPoint[] = [];
    const close = (): void => {
      if (run.length > 1) this.result.guardrails.push({ points: run });
      run = [];
    };
    let previous = point(0);
    for (let i = 1; i <= steps; i++) {
      const next = point(i);
      const length = Math.hypot(next.x - previous.x, next.y - previous.y);
      const footprint = { x: (previous.x + next.x) / 2, y: (previous.y + next.y) / 2, heading: Math.atan2(next.y - previous.y, next.x - previous.x), half: [length / 2, 0.15] as [number, number] };
      if (length > 0 && this.tryPlace(footprint, 0.1)) {
        if (run.length === 0) run.push(previous);
        run.push(next);
        this.result.counts.guardrailMetres += length;
      } else close();
      previous = next;
    }
    close();
  }

  /**
   * Before each junction a road leads into: a sign on a post where its traffic approaches
   * (right of the traffic in right-hand traffic), and bollards at the sidewalk's edge on both
   * sides of a street with sidewalks. A map's own OpenDRIVE signals are not read yet.
   */
  private junctionApproaches(road: Road): void {
    const ends: { s: number; into: 1 | -1; atJunction: boolean }[] = [
      { s: road.length, into: 1, atJunction: road.successor?.elementType === 'junction' },
      { s: 0, into: -1, atJunction: road.predecessor?.elementType === 'junction' },
    ];
    const sidewalks = road.sections.some((sec) => [...sec.left, ...sec.right].some((l) => l.type === 'sidewalk'));
    for (const end of ends) {
      if (!end.atJunction || road.length < 2 * SIGN_BEFORE_JUNCTION[1]) continue;
      // Traffic into this end drives along s on the right of the reference line (right-hand traffic).
      const trafficSide: Side = (end.into === 1) === (road.rule === 'RHT') ? -1 : 1;
      const before = this.random.uniform(...SIGN_BEFORE_JUNCTION);
      const at = this.besideRoad(road, trafficSide, end.s - end.into * before, FURNITURE_OFFSET);
      if (this.tryPlace({ ...at, half: [0.3, 0.3] }, 0.3)) {
        const travel = end.into === 1 ? at.heading : at.heading + Math.PI;
        const wide = this.random.next() < 0.25;
        this.result.signs.push({ base: [at.x, at.y, at.z], facing: travel + Math.PI, plate: wide ? [1.2, 0.6] : [0.65, 0.65], height: 2.3 });
        this.result.counts.signs++;
      }
      if (!sidewalks) continue;
      for (const side of [-1, 1] as const) {
        for (let d = BOLLARDS_FROM_JUNCTION[0]; d <= BOLLARDS_FROM_JUNCTION[1]; d += BOLLARD_SPACING) {
          const spot = this.besideRoad(road, side, end.s - end.into * d, 0.3 + BOLLARD_SIZE[0] / 2);
          if (!this.tryPlace({ ...spot, half: [BOLLARD_SIZE[0] / 2, BOLLARD_SIZE[1] / 2] }, 0.2)) continue;
          this.result.bollards.push({ base: [spot.x, spot.y, spot.z], yaw: spot.heading });
          this.result.counts.bollards++;
        }
      }
    }
  }

  /**
   * A car parked along the kerb, facing the way the traffic beside it drives (right-hand
   * traffic: along s on the right of the reference line, against it on the left).
   */
  private parkedCar(road: Road, side: Side, s: number, gap: number): boolean {
    const kind = ACTOR_KINDS.parked_car;
    const at = this.besideRoad(road, side, s, gap + 1);
    // The footprint keeps 2.5 cm clear of the body on each side.
    if (!this.tryPlace({ ...at, half: [kind.length / 2, kind.width / 2 + 0.025] }, 0.3)) return false;
    const turned = side < 0 ? at.heading : at.heading + Math.PI;
    const heading = Math.atan2(Math.sin(turned), Math.cos(turned));
    this.result.parkedCars.push({
      id: `roadside_${this.result.parkedCars.length + 1}`, kind: 'parked_car', x: at.x, y: at.y, z: at.z, heading,
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

/**
 * Whether a side of a road gets a guardrail: a motorway-like cross-section, a shoulder as its
 * outermost lane and no sidewalk anywhere (the highway generator's roads; town streets have
 * sidewalks and kerbs instead).
 */
export function hasGuardrail(road: Road, side: Side): boolean {
  if (road.junction !== '-1') return false;
  const lanes = (sec: Road['sections'][number]): readonly { type: string }[] => (side < 0 ? sec.right : sec.left);
  if (road.sections.some((sec) => [...sec.left, ...sec.right].some((l) => l.type === 'sidewalk'))) return false;
  return road.sections.some((sec) => lanes(sec).at(-1)?.type === 'shoulder');
}
