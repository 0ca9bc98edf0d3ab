import type { ActorKind } from '../../core/actorKinds.js';
import type { Dynamics } from '../Scenario.js';

/**
 * What a controller sees of the actor it drives. The simulation's actor implements this, so
 * that controllers live here in scenario/ without importing sim/.
 */
export interface ControlledActor {
  readonly id: string;
  readonly kind: ActorKind;
  readonly length: number;
  readonly speed: number;
  readonly accel: number;
  /** Cruise speed set by the scenario (initial speed, SpeedActions), in m/s. */
  targetSpeed: number;
  readonly road: string;
  readonly lane: number;
  readonly s: number;
  readonly t: number;
  readonly x: number;
  readonly y: number;
  readonly heading: number;
  readonly laneChanging: boolean;
}

export interface Neighbour {
  actor: ControlledActor;
  /** Bumper-to-bumper gap (m), positive ahead for a leader and behind for a follower. */
  gap: number;
  speed: number;
}

export interface AdjacentLane {
  lane: number;
  leader?: Neighbour;
  follower?: Neighbour;
}

export interface ControlContext {
  readonly dt: number;
  /** Simulation time (s). */
  readonly time: number;
  /** The nearest actor ahead along the actor's lane path, within `range` m. */
  leader(actor: ControlledActor, range?: number): Neighbour | undefined;
  /** The actor's follower in its own lane. */
  follower(actor: ControlledActor, range?: number): Neighbour | undefined;
  /** The neighbouring lane on the left (+1) or right (-1) of travel, if traffic may use it. */
  adjacent(actor: ControlledActor, side: 1 | -1, range?: number): AdjacentLane | undefined;
  /** The speed limit of the actor's lane (m/s), if the map gives one. */
  speedLimit(actor: ControlledActor): number | undefined;
  /** Starts a lane change to a lane id of the actor's road. */
  changeLane(actor: ControlledActor, lane: number, dynamics: Dynamics, reason: string): void;
}

/** The part of a control command a controller decides; undefined fields are left to others. */
export interface ControlCommand {
  /** Longitudinal acceleration (m/s²); the smallest proposal wins. */
  accel?: number;
  /** Front-wheel angle (rad), overriding path following. */
  steer?: number;
}

/** A behaviour attached to an actor: called once per tick before the actor moves. */
export interface Controller {
  readonly type: string;
  update(actor: ControlledActor, ctx: ControlContext): ControlCommand | undefined;
}
