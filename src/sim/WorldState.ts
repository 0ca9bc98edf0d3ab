import type { ActorKindName } from '../core/actorKinds.js';
import type { Pose } from '../core/frame.js';
import type { Appearance } from '../core/materials.js';
import type { Weather } from '../scenario/Scenario.js';
import type { SimEvent } from './events.js';
import type { SignalState } from './TrafficSignals.js';

/** One actor at one tick. The pose is the centre of its footprint on the road, x forward. */
export interface ActorState {
  id: string;
  /** Stable for the whole run, from 1 (0 means "no actor" in sensor data). */
  instanceId: number;
  kind: ActorKindName;
  ego: boolean;
  pose: Pose;
  heading: number;
  velocity: [number, number, number];
  speed: number;
  /**
   * World-frame acceleration (m/s²), from the change of velocity over the last step. The
   * simulation always sets this and the fields below marked so; they are optional only so
   * that hand-built states (test fixtures) stay valid.
   */
  acceleration?: [number, number, number];
  /** Longitudinal acceleration (m/s²). Always set by the simulation. */
  accel?: number;
  /** Yaw rate (rad/s). Always set by the simulation. */
  yawRate?: number;
  /** The 3D box: size, and its centre in the body frame (origin at the footprint centre; always set by the simulation). */
  box: { length: number; width: number; height: number; center?: [number, number, number] };
  /**
   * OpenSCENARIO VisibilityAction, present only once an action set it: `sensors` false keeps the
   * actor out of the world the sensors see, `traffic` false out of other actors' perception
   * (leaders and followers), `graphics` is carried for viewers.
   */
  visibility?: { graphics: boolean; traffic: boolean; sensors: boolean };
  /**
   * How this actor looks, drawn per actor from the seed: a vehicle's paint (sRGB colour and its
   * 905 nm reflectivity), a person's clothing, skin and hair colours. Sensors read it for the
   * surfaces whose material is `car_paint`, `clothing`, `skin` or `hair`; absent, they use the
   * material's own values.
   */
  appearance?: Appearance;
  /** The drawn body style (sim/BodyStyles.ts: sedan, suv, van, truck_trailer, adult, bicycle, ...). Always set by the simulation. */
  style?: string;
  /** A person's or a cyclist rider's stature (m); set by the simulation for those kinds. */
  stature?: number;
  /** Metres travelled since the start: wheels turn by it, cranks follow it. Always set by the simulation. */
  odometer?: number;
  /** Front-wheel angle (rad, positive left) of the bicycle model. Always set by the simulation. */
  steer?: number;
  /** Walkers' stride phase in [0, 1) (0 at the left heel strike). Always set by the simulation. */
  gaitPhase?: number;
  /** Road coordinates; road is "" where the actor is off every road. */
  road: string;
  lane: number;
  s: number;
  t: number;
}

export type { Appearance };

export interface ScenarioOutcome {
  result: 'success' | 'failure' | 'stopped';
  reason: string;
  t_ns: number;
}

export interface WorldState {
  tick: number;
  t_ns: number;
  actors: ActorState[];
  /** What happened during the step that led to this state (triggers, actions, collisions). Always set by the simulation. */
  events?: SimEvent[];
  /** Set once the storyboard ended the scenario. */
  outcome?: ScenarioOutcome;
  /**
   * The weather in force; absent when clear (so a clear run's states are what they were).
   * The scenario's initial weather, until a storyboard `weather` action (OpenSCENARIO's
   * EnvironmentAction in a Story) sets another.
   */
  weather?: Weather;
  /**
   * What each controlled signal shows at this state's time (signal id → state), present only
   * when the map has signals that change: the camera lights their lamps by it. States are a
   * function of time and of the storyboard's actions, so the step carries them; the object is
   * shared by the states of consecutive ticks while no signal changes (treat it as read-only).
   */
  signals?: Readonly<Record<string, SignalState>>;
}
