import type { ActorKind, ActorKindName } from '../core/actorKinds.js';
import { quatFromRollPitchYaw } from '../core/pose.js';
import type { ControlledActor, Controller } from '../scenario/controllers/types.js';
import type { External } from '../scenario/controllers/External.js';
import type { LaneChange } from '../scenario/controllers/LaneChange.js';
import type { Pedestrian } from '../scenario/controllers/Pedestrian.js';
import type { StopAt } from '../scenario/controllers/StopAt.js';
import type { LaneKeeping } from '../scenario/controllers/LaneKeeping.js';
import type { ActorSpec, DynamicsShape, Performance } from '../scenario/Scenario.js';
import type { ActorBuild } from './BodyStyles.js';
import type { LanePath } from './LanePath.js';
import type { GhostFollower } from './GhostFollower.js';
import type { TrajectoryFollower } from './TrajectoryFollower.js';
import type { ActorState } from './WorldState.js';

/** A speed transition in progress (SpeedAction): from v0 at t0 to a target with a shape. */
export interface SpeedProfile {
  v0: number;
  t0: number;
  odo0: number;
  /** Evaluated each tick for continuous relative targets. */
  target: () => number;
  shape: DynamicsShape;
  dimension: 'time' | 'distance' | 'rate';
  value: number;
  continuous: boolean;
  /** Called once when the profile completes. */
  onDone?: () => void;
  /** A planned speed over time (SpeedProfileAction), in place of the shape from v0 to the target. */
  speedAt?: (time: number) => number;
}

/** An action that sets an actor's longitudinal motion each step (SynchronizeAction, LongitudinalDistanceAction). */
export interface LongitudinalDrive {
  /** This step's acceleration (and speed, where set outright); undefined leaves the controllers in charge. */
  command(actor: SimActor, dt: number): { accel: number; setSpeed?: number } | undefined;
}

/** An action that sets an actor's lateral position each step (LateralDistanceAction). */
export interface LateralDrive {
  /** Before the step's move, where every actor still is where the last step left it. */
  command(actor: SimActor, dt: number): void;
  /** After the step's move: the pose where the action sets it outright. */
  advance(actor: SimActor, dt: number): void;
}

/** One actor in the simulation: its body, road position and the behaviours that drive it. */
export class SimActor implements ControlledActor {
  readonly id: string;
  readonly kind: ActorKind;
  readonly kindName: ActorKindName;
  readonly length: number;
  readonly width: number;
  readonly height: number;
  readonly mass: number;
  active = true;

  // Body: footprint centre, heading, speed along heading.
  x = 0;
  y = 0;
  z = 0;
  heading = 0;
  /**
   * Slope of the body (rad): nose up positive, as the road's pitch; roll: left side up
   * positive. The pose's quaternion is REP 103's Rz(yaw)·Ry(pitch)·Rx(roll), whose positive
   * pitch turns x towards −z (nose down): actorState negates it.
   */
  pitch = 0;
  roll = 0;
  speed = 0;
  accel = 0;
  yawRate = 0;
  steer = 0;
  vel: [number, number, number] = [0, 0, 0];
  acc: [number, number, number] = [0, 0, 0];
  odometer = 0;
  /** Walkers: the stride phase, advanced by distance over the stride length at the current speed. */
  gaitPhase = 0;
  standStillSince = 0;

  /** The reference point of OpenSCENARIO lies this far behind the body centre (ActorSpec.referenceOffset). */
  readonly referenceOffset: number;
  /** OpenSCENARIO Performance, where given: the limits speed actions keep within. */
  readonly performance?: Performance;

  // Road position (of the body centre); roadHeading: the road's s direction there.
  road = '';
  roadHeading = 0;
  lane = 0;
  section = 0;
  s = 0;
  t = 0;

  // Driving.
  targetSpeed = 0;
  /** Whether it stops for traffic lights (false: a scripted red-light run). */
  respectSignals = true;
  path?: LanePath;
  pathIndex = 0;
  rearIndex = 0;
  lateral?: LaneChange;
  laneOffset = 0;
  offsetChange?: LaneChange;
  speedProfile?: SpeedProfile;
  /** A FollowTrajectoryAction in progress: it sets the pose after each move. */
  trajectory?: TrajectoryFollower;
  /**
   * How far ahead in time this actor runs (s): esmini's ghost, headstartTime; 0 for everyone
   * else. Absolute trajectory times are read that much later (FollowTrajectoryAction::Move).
   */
  headstartTime = 0;
  /** An active FollowGhostController: it moves the actor after each step, in place of control. */
  ghostFollower?: GhostFollower;
  controllers: Controller[] = [];
  laneKeeping?: LaneKeeping;
  external?: External;
  stopAt?: StopAt;
  pedestrian?: Pedestrian;
  /** Lane changes finished since the scenario started (for laneChangeDone conditions). */
  laneChangesDone = 0;
  collisions: string[] = [];
  longitudinalDrive?: LongitudinalDrive;
  lateralDrive?: LateralDrive;
  /** VisibilityAction: absent while visible to all (graphics, other traffic, sensors). */
  visibility?: { graphics: boolean; traffic: boolean; sensors: boolean };
  /** Since when (s) the actor has been off every road / at a road's end, for their conditions. */
  offroadSince?: number;
  endOfRoadSince?: number;
  /** Callbacks for the storyboard when a lane change / offset finishes. */
  onLateralDone?: () => void;
  onOffsetDone?: () => void;

  /**
   * `build` is the actor's drawn style, size and look (drawActorBuild); without one the actor
   * is the kind's nominal box (or the scenario's dimensions) with no style.
   */
  constructor(readonly spec: ActorSpec, readonly instanceId: number, kind: ActorKind, readonly build?: ActorBuild) {
    this.id = spec.id;
    this.kind = kind;
    this.kindName = spec.kind;
    this.length = build?.length ?? spec.dimensions?.length ?? kind.length;
    this.width = build?.width ?? spec.dimensions?.width ?? kind.width;
    this.height = build?.height ?? spec.dimensions?.height ?? kind.height;
    this.mass = kind.mass;
    this.referenceOffset = spec.referenceOffset ?? 0;
    this.performance = spec.performance;
  }

  /** The reference point in the world (x, y). */
  get reference(): [number, number] {
    const o = this.referenceOffset;
    return [this.x - o * Math.cos(this.heading), this.y - o * Math.sin(this.heading)];
  }

  /** The reference point in road coordinates (s, t) of the road the body centre is on. */
  get referenceST(): [number, number] {
    const o = this.referenceOffset;
    const rel = this.heading - this.roadHeading;
    return [this.s - o * Math.cos(rel), this.t - o * Math.sin(rel)];
  }

  get laneChanging(): boolean {
    return this.lateral !== undefined;
  }

  get isVehicle(): boolean {
    return this.kind.category === 'vehicle' || this.kind.category === 'cyclist';
  }
}

/** What the world state reports of an actor. */
export function actorState(a: SimActor): ActorState {
  const { heading, pitch, roll } = a;
  const state: ActorState = {
    id: a.id,
    instanceId: a.instanceId,
    kind: a.kindName,
    ego: a.spec.ego,
    // Nose up (pitch > 0) is a negative rotation about REP 103's y (left) axis.
    // (A level pose keeps its zero as it is, so flat-road output is bit for bit what it was.)
    pose: { p: [a.x, a.y, a.z], q: quatFromRollPitchYaw(roll, pitch === 0 ? pitch : -pitch, heading) },
    heading,
    velocity: [a.vel[0], a.vel[1], a.vel[2]],
    acceleration: [a.acc[0], a.acc[1], a.acc[2]],
    speed: a.speed,
    accel: a.accel,
    yawRate: a.yawRate,
    box: { length: a.length, width: a.width, height: a.height, center: [a.build?.centerX ?? 0, 0, a.height / 2] },
    road: a.road,
    lane: a.lane,
    s: a.s,
    t: a.t,
    odometer: a.odometer,
    steer: a.steer,
    gaitPhase: a.gaitPhase,
  };
  if (a.visibility) state.visibility = { ...a.visibility };
  if (a.build) {
    state.style = a.build.style;
    state.appearance = a.build.appearance;
    if (a.build.stature > 0) state.stature = a.build.stature;
  }
  return state;
}
