import type { ActorKindName } from '../core/actorKinds.js';
import type { Pose } from '../core/frame.js';

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
  box: { length: number; width: number; height: number };
  road: string;
  lane: number;
  s: number;
  t: number;
}

export interface WorldState {
  tick: number;
  t_ns: number;
  actors: ActorState[];
}
