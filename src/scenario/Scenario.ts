import type { ActorKindName } from '../core/actorKinds.js';
import type { RoadNetwork } from '../map/RoadNetwork.js';

/** Where an actor starts and how it moves: along a lane at a constant speed. */
export interface ActorSpec {
  id: string;
  kind: ActorKindName;
  /** The actor the default sensor rig is mounted on. Exactly one per scenario. */
  ego: boolean;
  road: string;
  lane: number;
  /** Start position along the road's reference line (m). */
  s: number;
  /** Speed along the lane (m/s); the actor drives in the lane's direction of travel. */
  speed: number;
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
  /** Roadside buildings to place (seeded). */
  buildings: number;
  actors: ActorSpec[];
}
