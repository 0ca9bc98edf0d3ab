import type { ActorKindName } from '../core/actorKinds.js';
import type { RoadNetwork } from '../map/RoadNetwork.js';
import type { MotionActionSpec } from './MotionActions.js';
import type { SpeedProfileActionSpec, TrajectoryActionSpec } from './TrajectorySpec.js';
import type { Objective } from './objectives.js';

/**
 * The one scenario model. YAML/JSON files, TypeScript modules and OpenSCENARIO files all
 * produce this; the simulation runs nothing else.
 */

/** Where something is. Headings are relative to the lane/road direction unless `absolute`. */
export type Position =
  /** heading: relative to the lane's direction of travel (the road's), or the heading itself with absoluteHeading. */
  | { type: 'lane'; road: string; lane: number; s: number; offset?: number; heading?: number; absoluteHeading?: boolean }
  | { type: 'road'; road: string; s: number; t: number; heading?: number; absoluteHeading?: boolean }
  | { type: 'world'; x: number; y: number; z?: number; heading?: number }
  | { type: 'relativeLane'; entity: string; dLane: number; ds: number; offset?: number }
  | { type: 'relativeRoad'; entity: string; ds: number; dt: number }
  | { type: 'relativeWorld'; entity: string; dx: number; dy: number }
  /** OpenSCENARIO RelativeObjectPosition: dx ahead, dy left of the entity's reference point, in its heading's frame. */
  | { type: 'relativeObject'; entity: string; dx: number; dy: number; dz?: number; heading?: number; absoluteHeading?: boolean; ahead?: number }
  /**
   * OpenSCENARIO RoutePosition: pathS (m) along the route from its first waypoint, then a lane
   * and offset (or t); heading relative to the route's direction of travel, or absolute.
   */
  | { type: 'route'; waypoints: { road: string; lane: number; s: number }[]; pathS: number; lane?: number; offset?: number; t?: number; heading?: number; absoluteHeading?: boolean; ahead?: number };

export type DynamicsShape = 'step' | 'linear' | 'cubic' | 'sinusoidal';

/** How a value moves to its target: over a time, a distance, or at a rate (per second). */
export interface Dynamics {
  shape: DynamicsShape;
  dimension: 'time' | 'distance' | 'rate';
  value: number;
}

/** Behaviours an actor runs (see src/scenario/controllers/, one file each). */
export type ControllerSpec =
  | { type: 'laneKeeping'; targetSpeed?: number; respectSpeedLimit?: boolean; respectSignals?: boolean; lookahead?: number }
  | { type: 'idm'; respectSignals?: boolean; desiredSpeed?: number; timeHeadway?: number; minGap?: number; maxAccel?: number; comfortDecel?: number; delta?: number }
  | { type: 'mobil'; politeness?: number; threshold?: number; safeDecel?: number; laneChangeDuration?: number }
  | { type: 'route'; waypoints: { road: string; lane: number; s: number }[] }
  | { type: 'stopAt'; road: string; s: number; decel?: number }
  | { type: 'pedestrian'; mode: 'walk' | 'cross' | 'jaywalk' | 'crosswalk'; speed: number; heading?: number; distance?: number; start?: 'now' | 'onAction' }
  | { type: 'external' }
  /** esmini's FollowGhostController: the entity chases the trail of its ghost (src/sim/GhostFollower.ts). */
  | ({ type: 'followGhost' } & FollowGhostSpec);

/**
 * The properties of esmini's FollowGhostController (defaults: esmini's). Times are seconds; the
 * look-aheads are seconds in followMode "time" and metres (or seconds × speed) in "position".
 */
export interface FollowGhostSpec {
  headstartTime: number;
  followMode: 'time' | 'position';
  lookaheadSpeed: number;
  minLookaheadSpeed: number;
  lookaheadSteering: number;
  minLookaheadSteering: number;
  /** Steering shrinks as 1 / (1 + k·v²) with this k. */
  steeringSpeedInertia: number;
}

export interface ActorSpec {
  id: string;
  kind: ActorKindName;
  /** The actor the default sensor rig is mounted on. Exactly one per scenario. */
  ego: boolean;
  position: Position;
  /** Initial speed (m/s) along the heading. */
  speed: number;
  /**
   * OpenSCENARIO's BoundingBox Center x: how far ahead of the entity's reference point its
   * body centre lies (m, along the heading). Distances of conditions are measured from the
   * reference point. Absent: 0 (the reference point is the body centre).
   */
  referenceOffset?: number;
  /** Overrides of the kind's box (catalog dimensions). */
  dimensions?: { length: number; width: number; height: number };
  /** OpenSCENARIO Vehicle Performance: speed actions keep within it, as esmini's do. */
  performance?: Performance;
  controllers: ControllerSpec[];
  /** Whether its lane drivers stop for traffic lights (default true; OpenSCENARIO entities false, as esmini's default controller). */
  respectSignals?: boolean;
  /**
   * A FollowGhostController is assigned to this entity: a ghost runs its storyboard actions
   * headstartTime s ahead and the entity chases the ghost's trail (src/sim/Ghost.ts).
   */
  ghost?: FollowGhostSpec;
  /** Absent from the world until a `spawn` action adds it. */
  spawnLater?: boolean;
  /** Legacy fields of the first scenario format (road/lane/s): kept for callers that read them. */
  road?: string;
  lane?: number;
  s?: number;
}

/** A vehicle's limits: m/s, and m/s² (both positive). */
export interface Performance {
  maxSpeed: number;
  maxAcceleration: number;
  maxDeceleration: number;
}

export type DistanceType = 'longitudinal' | 'lateral' | 'euclidean';
/**
 * OpenSCENARIO's coordinateSystem of a distance: `entity` measures in the triggering entity's
 * own frame (x forward, y left), `road` and `lane` in road coordinates (s, t). Set, the
 * condition measures between reference points as the standard says; absent (our YAML
 * scenarios), between body centres as roadcast always has.
 */
export type CoordinateSystem = 'entity' | 'road' | 'lane';

export type Rule = 'greaterThan' | 'lessThan' | 'equalTo' | 'greaterOrEqual' | 'lessOrEqual' | 'notEqualTo';
export type ConditionEdge = 'none' | 'rising' | 'falling' | 'risingOrFalling';
export type ElementType = 'story' | 'act' | 'maneuverGroup' | 'maneuver' | 'event' | 'action';
export type ElementState = 'standby' | 'running' | 'complete' | 'startTransition' | 'endTransition' | 'stopTransition' | 'skipTransition';

interface ByEntity {
  /** Triggering entities; with `entitiesRule` any (default) or all. */
  entity: string | string[];
  entitiesRule?: 'any' | 'all';
}

export type ConditionKind =
  | { type: 'simulationTime'; value: number; rule: Rule }
  | { type: 'storyboardState'; element: string; elementType?: ElementType; state: ElementState }
  | { type: 'timeSince'; element: string; state?: ElementState; value: number; rule?: Rule }
  | ({ type: 'reachPosition'; position: Position; tolerance: number } & ByEntity)
  | ({ type: 'roadS'; road: string; s: number; rule?: Rule } & ByEntity)
  | ({ type: 'traveledDistance'; value: number } & ByEntity)
  | ({ type: 'relativeDistance'; target: string; value: number; rule: Rule; distanceType?: DistanceType; freespace?: boolean; coordinateSystem?: CoordinateSystem } & ByEntity)
  | ({ type: 'timeHeadway'; target: string; value: number; rule: Rule; freespace?: boolean; coordinateSystem?: CoordinateSystem; distanceType?: DistanceType } & ByEntity)
  | ({ type: 'timeToCollision'; target: string; value: number; rule: Rule; freespace?: boolean; coordinateSystem?: CoordinateSystem; distanceType?: DistanceType } & ByEntity)
  /** OpenSCENARIO DistanceCondition: from the entity's reference point (or box) to a position. */
  | ({ type: 'distance'; position: Position; value: number; rule: Rule; freespace?: boolean; coordinateSystem?: CoordinateSystem; distanceType?: DistanceType } & ByEntity)
  | ({ type: 'speed'; value: number; rule: Rule } & ByEntity)
  | ({ type: 'relativeSpeed'; target: string; value: number; rule: Rule } & ByEntity)
  | ({ type: 'acceleration'; value: number; rule: Rule } & ByEntity)
  | ({ type: 'collision'; target?: string } & ByEntity)
  | ({ type: 'laneChangeDone' } & ByEntity)
  | ({ type: 'standStill'; duration: number } & ByEntity)
  /** OpenSCENARIO EndOfRoadCondition / OffroadCondition: the state held for `duration` s (see src/sim/RoadConditions.ts). */
  | ({ type: 'endOfRoad'; duration: number } & ByEntity)
  | ({ type: 'offroad'; duration: number } & ByEntity)
  /** OpenSCENARIO ParameterCondition / VariableCondition: the value now (see RuntimeValues). */
  | { type: 'value'; store: ValueStore; ref: string; value: RuntimeValue; rule: Rule }
  /** A traffic signal shows a state (OpenSCENARIO TrafficSignalCondition; the state as SignalSetup's). */
  | { type: 'signalState'; signal: string; state: string }
  /** A signal controller is in a phase (OpenSCENARIO TrafficSignalControllerCondition). */
  | { type: 'signalPhase'; controller: string; phase: string };

export type ConditionSpec = ConditionKind & { name?: string; delay?: number; edge?: ConditionEdge };

/** Condition groups are OR-ed; the conditions inside a group are AND-ed. */
export type TriggerSpec = ConditionSpec[][];

export type SpeedTarget = number | { relativeTo: string; value: number; valueType: 'delta' | 'factor'; continuous?: boolean };
export type LaneTarget = { lane: number } | { relativeTo: string; value: number };

export type ActionSpec =
  | { type: 'speed'; actor: string; target: SpeedTarget; dynamics?: Dynamics }
  | { type: 'laneChange'; actor: string; target: LaneTarget; dynamics?: Dynamics; targetOffset?: number }
  | { type: 'laneOffset'; actor: string; offset: number; dynamics?: Dynamics; maxLateralAccel?: number }
  | { type: 'teleport'; actor: string; position: Position }
  | { type: 'spawn'; actor: string; position?: Position; speed?: number }
  | { type: 'remove'; actor: string }
  | { type: 'startWalking'; actor: string; speed?: number; mode?: 'walk' | 'cross' | 'jaywalk' | 'crosswalk'; heading?: number; distance?: number }
  | { type: 'stop'; actor: string; decel?: number; road?: string; s?: number }
  | { type: 'controller'; actor: string; controller: ControllerSpec; enable?: boolean }
  | { type: 'end'; outcome: 'success' | 'failure'; reason: string }
  /** Sets the weather in force from now on, whole (an empty one clears it). */
  | { type: 'weather'; weather: Weather }
  /** Holds a signal in a state (OpenSCENARIO TrafficSignalStateAction), or gives it back to its controller with state "auto". */
  | { type: 'signalState'; signal: string; state: string }
  /** Puts a signal controller into one of its phases, which starts now (OpenSCENARIO TrafficSignalControllerAction). */
  | { type: 'signalPhase'; controller: string; phase: string }
  /** OpenSCENARIO Parameter/Variable Set or Modify action on the storyboard's runtime values. */
  | { type: 'value'; store: ValueStore; ref: string; set?: RuntimeValue; add?: number; multiply?: number }
  /**
   * esmini's AddedGhostTeleport, which no file writes: src/scenario/GhostStoryboard.ts puts it
   * first in a ghost's event that starts on a condition the ghost cannot answer for its entity.
   */
  | { type: 'ghostRestart'; actor: string }
  | MotionActionSpec
  /** FollowTrajectoryAction and SpeedProfileAction (OpenSCENARIO): see TrajectorySpec.ts. */
  | TrajectoryActionSpec
  | SpeedProfileActionSpec;

/** Where a runtime value lives: OpenSCENARIO parameters or (1.2) variables. */
export type ValueStore = 'parameter' | 'variable';
export type RuntimeValue = number | string | boolean;
/** A declared runtime value: its OpenSCENARIO type and its value at the start of the run. */
export interface DeclaredValue {
  type: 'double' | 'integer' | 'unsignedInt' | 'unsignedShort' | 'boolean' | 'string' | 'dateTime';
  value: RuntimeValue;
}

export type ActionWithName = ActionSpec & { name?: string };

export interface EventSpec {
  name: string;
  priority: 'overwrite' | 'parallel' | 'skip';
  maxCount: number;
  /** Absent: starts as soon as its maneuver runs. */
  startTrigger?: TriggerSpec;
  actions: ActionWithName[];
}

export interface ManeuverSpec {
  name: string;
  /** The maneuver group's name (for state conditions) and its actors. */
  group: string;
  actors: string[];
  events: EventSpec[];
}

export interface ActSpec {
  name: string;
  story: string;
  /** Absent: starts at once. */
  startTrigger?: TriggerSpec;
  stopTrigger?: TriggerSpec;
  maneuvers: ManeuverSpec[];
}

export interface StoryboardSpec {
  acts: ActSpec[];
  /** Ends the whole scenario (outcome "stopped" unless an end action said otherwise). */
  stopTrigger?: TriggerSpec;
  /** Runtime parameters and variables that value actions set and value conditions read. */
  values?: { parameter: Record<string, DeclaredValue>; variable: Record<string, DeclaredValue> };
}

export type Distribution =
  | { type: 'uniform'; min: number; max: number }
  | { type: 'normal'; mean: number; std: number }
  | { type: 'truncatedNormal'; mean: number; std: number; min: number; max: number }
  | { type: 'logNormal'; mu: number; sigma: number }
  | { type: 'choice'; values: (number | string)[]; weights?: number[] };

export interface ParameterSpec {
  name: string;
  default: number | string;
  min?: number;
  max?: number;
  distribution?: Distribution;
}

/** `models:` of a scenario: a .glb per actor kind, and per actor id (which wins over its kind's). */
export interface ActorModelFiles {
  byKind: Partial<Record<ActorKindName, string>>;
  byActor: Record<string, string>;
}

/**
 * The weather in force (`weather:` of a scenario, EnvironmentAction of OpenSCENARIO). Every
 * part is optional: an absent part is clear (no fog, no rain, a dry road). The sensors read it
 * each frame (the LiDAR's fog, rain, snow and wet road; the camera's fog, sun, rain and snow;
 * the radar's rain: see the README's Weather and Sensors sections), and frames and recordings
 * carry it for downstream tools.
 */
export interface Weather {
  /** Meteorological optical range (m, > 0): the distance at which contrast falls to 5 %. */
  fog?: { visibility: number };
  /** Rain rate (mm/h). */
  rain?: { rate: number };
  /** Snowfall rate (mm/h water equivalent). */
  snow?: { rate: number };
  /** How wet the road is, 0 (dry) to 1 (standing water). */
  wetRoad?: number;
  /** Where the sun is (degrees): azimuth clockwise from north, elevation above the horizon. */
  sun?: { azimuth: number; elevation: number };
}

/** Whether a weather has no part at all: then nothing downstream may change (runs stay byte-identical). */
export function isClearWeather(weather: Weather | undefined): boolean {
  return !weather || (weather.fog === undefined && weather.rain === undefined && weather.snow === undefined && weather.wetRoad === undefined && weather.sun === undefined);
}

export interface Scenario {
  name: string;
  /** The scenario file, or "<script>" for one built in code. */
  file: string;
  mapFile: string;
  network: RoadNetwork;
  /** The sensor rig file (absolute), unless the caller gives one. */
  rigFile?: string;
  /** Simulated seconds to run unless the caller says otherwise. */
  duration: number;
  /** Fixed simulation step (s). */
  step: number;
  seed: number;
  /**
   * `file:line ($.json.path)` of a place in the scenario's file, for errors found later (a
   * placement, say); absent where the file has no lines to point at.
   */
  locate?: (path: readonly (string | number)[]) => string;
  /** Roadside buildings to place (seeded). */
  buildings: number;
  /** Street lights, trees and parked cars along the roads (seeded). */
  furniture: boolean;
  /** The user's glTF models (absolute .glb paths) that replace the built-in meshes, if any. */
  models?: ActorModelFiles;
  actors: ActorSpec[];
  /** The weather at the start; absent or empty is clear. */
  weather?: Weather;
  /** Traffic signal plans beyond the map's defaults (src/sim/TrafficSignals.ts). */
  signals?: SignalSetup;
  /** Monitors whose end-of-run margins go into the run's criticality summary (objectives.ts). */
  objectives?: Objective[];
  storyboard: StoryboardSpec;
  parameters: ParameterSpec[];
  /** The parameter values this scenario was built with. */
  parameterValues: Record<string, number | string>;
  /** Parts of the input that were read but not modelled (OpenSCENARIO), each with file:line. */
  warnings: string[];
}

/**
 * How a scenario sets up the map's traffic signals: the timing of the default fixed-time
 * plans, start offsets by junction or controller id (absent: drawn from the seed), and
 * controllers with explicit phases (OpenSCENARIO's RoadNetwork TrafficSignalController). A
 * state is "red", "amber" ("yellow"), "green" or "off", or lamp by lamp top to bottom as
 * esmini writes them ("on;off;off" is red on a red-amber-green head).
 */
export interface SignalSetup {
  timing?: { green?: number; amber?: number; allRed?: number };
  offsets?: Record<string, number>;
  controllers?: SignalControllerPlan[];
}

export interface SignalControllerPlan {
  id: string;
  /** Its cycle starts `delay` s after the reference controller's (or after time 0). */
  delay?: number;
  reference?: string;
  phases: { name: string; duration: number; states: { signal: string; state: string }[] }[];
}
