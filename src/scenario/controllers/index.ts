export { External, type ExternalCommand } from './External.js';
export { Idm, idmAccel, idmEquilibriumGap, IDM_DEFAULTS, type IdmParams } from './Idm.js';
export { LaneChange, shapeFraction } from './LaneChange.js';
export { LaneKeeping, purePursuit, speedControl } from './LaneKeeping.js';
export { Mobil, MOBIL_DEFAULTS, type MobilParams } from './Mobil.js';
export { Pedestrian, type WalkMode, type WalkPlan } from './Pedestrian.js';
export { StopAt } from './StopAt.js';
export type { AdjacentLane, ControlCommand, ControlContext, ControlledActor, Controller, Neighbour } from './types.js';
