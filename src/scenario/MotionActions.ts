import type { Position } from './Scenario.js';

/**
 * The OpenSCENARIO actions that drive an entity relative to others or to a place, as the
 * scenario model carries them (read in OscMotionActions.ts, run in src/sim/MotionActions.ts).
 */

/** FinalSpeed of a SynchronizeAction: absolute (m/s), or relative to the master's speed. */
export type FinalSpeed = { absolute: number } | { relativeToMaster: number; valueType: 'delta' | 'factor' };

/** DynamicConstraints of a distance action (m/s², m/s); absent parts are unlimited. */
export interface DistanceConstraints {
  maxAcceleration?: number;
  maxDeceleration?: number;
  maxSpeed?: number;
  maxAccelerationRate?: number;
  maxDecelerationRate?: number;
}

export type MotionActionSpec =
  /** The actor reaches `position` when `master` reaches `masterPosition` (SynchronizeAction). */
  | {
    type: 'synchronize'; actor: string; master: string; masterPosition: Position; position: Position;
    tolerance: number; masterTolerance: number; finalSpeed?: FinalSpeed;
    /** Steady state before the target: the last `distance` m (or `time` s) at the final speed. */
    steadyState?: { distance?: number; time?: number };
  }
  /** Keep a distance (m) or time gap (s) behind (trailing) or ahead of (leading) an entity. */
  | {
    type: 'longitudinalDistance'; actor: string; target: string; distance?: number; timeGap?: number;
    freespace: boolean; continuous: boolean; displacement: 'trailingReferencedEntity' | 'leadingReferencedEntity' | 'any';
    constraints?: DistanceConstraints;
  }
  /**
   * Keep a lateral distance (m) left or right of an entity, measured in the entity's frame
   * (`entity`) or in road t (`road`). `none`: OpenSCENARIO 1.0, which has no displacement, so
   * the distance's own sign says the side (esmini's reading, src/sim/LateralDistance.ts).
   */
  | {
    type: 'lateralDistance'; actor: string; target: string; distance: number; freespace: boolean; continuous: boolean;
    displacement: 'leftToReferencedEntity' | 'rightToReferencedEntity' | 'any' | 'none';
    coordinateSystem: 'entity' | 'road';
    constraints?: DistanceConstraints;
  }
  /** Drive a route from where the actor is to a position; done on arrival. */
  | { type: 'acquirePosition'; actor: string; position: Position }
  /** Whether the actor is drawn, seen by other traffic, seen by sensors. */
  | { type: 'visibility'; actor: string; graphics: boolean; traffic: boolean; sensors: boolean };
