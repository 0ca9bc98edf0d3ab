import { DRIVABLE_TYPES } from '../map/LaneGraph.js';
import type { RoadNetwork } from '../map/RoadNetwork.js';
import type { SimActor } from './Actor.js';
import { boxDistance, boxTimeToCollision, closestEncounter, decelerationToSafetyTime, headwayTime, type MovingBox } from './Criticality.js';
import type { SimEvent } from './events.js';
import { wrapAngle } from './LanePath.js';
import type { SpeedLimits } from './SpeedLimits.js';
import type { Neighbour } from '../scenario/controllers/types.js';
import type { Objective } from '../scenario/objectives.js';
import { ObjectiveTracker } from './ObjectiveTracker.js';
import { PetTracker, type PetMeasure } from './PetTracker.js';

/** The safety time of the DST (s): Germany's recommended headway is 1.8 s, its fine threshold 0.9 s; we take 1 s. */
export const DST_SAFETY_TIME = 1;
/** A speed over the lane's limit by more than this (m/s, 1 km/h) is speeding: a speedometer's resolution. */
const SPEEDING_TOLERANCE = 1 / 3.6;

/** The ego against one other actor at one tick. */
export interface PairMetrics {
  id: string;
  /** Footprint distance (m), 0 in contact. */
  distance: number;
  ttc: number;
  /** Time to and distance of the closest encounter of the centres. */
  ttce: number;
  dce: number;
}

/** The ego's criticality at one tick (see Criticality.ts for the definitions). */
export interface EgoMetrics {
  time: number;
  speed: number;
  accel: number;
  /** Rate of change of the longitudinal acceleration (m/s³) over the last step. */
  jerk: number;
  /** The ego's lead along its lane, when it has one within 150 m. */
  lead?: { id: string; headway: number; thw: number; dst: number };
  others: PairMetrics[];
  /** The PETs completed at this tick (PetTracker.ts): the ego and another through one conflict area. */
  pets: PetMeasure[];
}

/** What a run's criticality came to: the extremes over every tick, and the first infraction. */
export interface CriticalitySummary {
  min_ttc: number;
  min_thw: number;
  max_dst: number;
  min_distance: number;
  /** Least post-encroachment time with the ego at a conflict area (∞: none measured). */
  min_pet: number;
  /** Seconds into the run of the first infraction (collision, red light, off-road, wrong way, sidewalk, speeding), if any. */
  first_infraction?: number;
  first_infraction_type?: string;
  /** The scenario's objectives' margins by name (scenario/objectives.ts), when it declares any. */
  objectives?: Record<string, number>;
}

type InfractionType = 'offRoad' | 'wrongWay' | 'sidewalk' | 'speeding';
type Emit = (event: { type: InfractionType; actor: string; road: string; lane: number; speed?: number; limit?: number }) => void;

/**
 * Measures every tick: the ego's metrics against every other actor (and its lead), the run's
 * extremes, and the infractions of every vehicle and cyclist (each emitted once when it starts:
 * off the drivable lanes, on a sidewalk, against its lane's direction, over the limit).
 */
export class CriticalityMonitor {
  latest?: EgoMetrics;
  private lastAccel?: number;
  private readonly summary: CriticalitySummary = { min_ttc: Infinity, min_thw: Infinity, max_dst: 0, min_distance: Infinity, min_pet: Infinity };
  /** Every PET the run completed so far, in order (the metrics topic publishes those since its last frame). */
  readonly petLog: PetMeasure[] = [];
  private readonly ongoing = new Map<SimActor, Set<InfractionType>>();

  private readonly tracker: ObjectiveTracker;
  private readonly pet: PetTracker;

  constructor(private readonly network: RoadNetwork, private readonly limits: SpeedLimits, objectives: readonly Objective[] = []) {
    this.tracker = new ObjectiveTracker(objectives);
    this.pet = new PetTracker(network);
  }

  /** After a step: the ego's metrics (lead from the traffic queries) and every actor's infractions. */
  update(time: number, dt: number, actors: readonly SimActor[], lead: (ego: SimActor) => Neighbour | undefined, emit: Emit): void {
    const ego = actors.find((a) => a.spec.ego && a.active);
    if (ego) this.measure(ego, time, dt, actors, lead);
    for (const actor of actors) if (actor.active && (actor.kind.category === 'vehicle' || actor.kind.category === 'cyclist')) this.infractions(actor, emit);
  }

  /** The run's summary so far; first infractions come from the event log (with collisions and red lights). */
  result(events: readonly SimEvent[]): CriticalitySummary {
    const first = events.find((e) => INFRACTIONS.has(e.type));
    return {
      ...this.summary,
      ...(first ? { first_infraction: first.t_ns / 1e9, first_infraction_type: first.type } : {}),
      ...(this.tracker.objectives.length > 0 ? { objectives: this.tracker.result() } : {}),
    };
  }

  private measure(ego: SimActor, time: number, dt: number, actors: readonly SimActor[], lead: (ego: SimActor) => Neighbour | undefined): void {
    const box = moving(ego);
    const others: PairMetrics[] = [];
    const boxes = new Map<string, MovingBox>([[ego.id, box]]);
    for (const other of actors) {
      if (other === ego || !other.active || other.kind.category === 'prop') continue;
      const b = moving(other);
      boxes.set(other.id, b);
      const encounter = closestEncounter(box, b);
      const pair = { id: other.id, distance: boxDistance(box, b), ttc: boxTimeToCollision(box, b), ttce: encounter.time, dce: encounter.distance };
      others.push(pair);
      this.summary.min_ttc = Math.min(this.summary.min_ttc, pair.ttc);
      this.summary.min_distance = Math.min(this.summary.min_distance, pair.distance);
    }
    const accel = ego.accel;
    const jerk = this.lastAccel === undefined || !(dt > 0) ? 0 : (accel - this.lastAccel) / dt;
    this.lastAccel = accel;
    const neighbour = lead(ego);
    let leadMetrics: EgoMetrics['lead'];
    if (neighbour && neighbour.actor !== ego) {
      const thw = headwayTime(neighbour.gap, ego.speed);
      const dst = decelerationToSafetyTime(ego.speed, neighbour.speed, neighbour.gap, DST_SAFETY_TIME);
      leadMetrics = { id: neighbour.actor.id, headway: neighbour.gap, thw, dst };
      this.summary.min_thw = Math.min(this.summary.min_thw, thw);
      this.summary.max_dst = Math.max(this.summary.max_dst, dst);
    }
    const pets = this.pet.update(time, ego.id, boxes);
    for (const p of pets) {
      this.summary.min_pet = Math.min(this.summary.min_pet, p.pet);
      this.petLog.push(p);
    }
    this.latest = { time, speed: ego.speed, accel, jerk, ...(leadMetrics ? { lead: leadMetrics } : {}), others, pets };
    this.tracker.add(this.latest);
  }

  private infractions(actor: SimActor, emit: Emit): void {
    const now = new Set<InfractionType>();
    let limit: number | undefined;
    if (!actor.road) now.add('offRoad');
    else {
      const road = this.network.road(actor.road);
      const span = road.laneSpan(actor.lane, actor.s);
      const type = span?.lane.type ?? '';
      if (type === 'sidewalk') now.add('sidewalk');
      else if (!DRIVABLE_TYPES.has(type)) now.add('offRoad');
      else {
        // Against the lane's direction by more than a right angle (bidirectional lanes go both ways).
        const along = road.pose(actor.s, actor.t).heading + (road.laneRunsWithS(actor.lane) ? 0 : Math.PI);
        if (type !== 'bidirectional' && Math.abs(wrapAngle(actor.heading - along)) > Math.PI / 2 && actor.speed > 0.1) now.add('wrongWay');
        limit = this.limits.limit(actor.road, actor.section, actor.lane, actor.s);
        if (limit !== undefined && actor.speed > limit + SPEEDING_TOLERANCE) now.add('speeding');
      }
    }
    const before = this.ongoing.get(actor) ?? new Set<InfractionType>();
    for (const type of now) {
      if (!before.has(type)) emit({ type, actor: actor.id, road: actor.road, lane: actor.lane, ...(type === 'speeding' ? { speed: actor.speed, limit } : {}) });
    }
    this.ongoing.set(actor, now);
  }
}

const INFRACTIONS = new Set<string>(['collision', 'redLight', 'offRoad', 'wrongWay', 'sidewalk', 'speeding']);

/** An actor's footprint: its box centre (the body's centre x ahead of the pose) and its velocity. */
function moving(a: SimActor): MovingBox {
  const cx = a.build?.centerX ?? 0;
  return { x: a.x + cx * Math.cos(a.heading), y: a.y + cx * Math.sin(a.heading), heading: a.heading, length: a.length, width: a.width, vx: a.vel[0], vy: a.vel[1] };
}
