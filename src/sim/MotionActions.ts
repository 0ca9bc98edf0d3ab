import type { RoadNetwork } from '../map/RoadNetwork.js';
import type { MotionActionSpec } from '../scenario/MotionActions.js';
import type { ControllerSpec, Position } from '../scenario/Scenario.js';
import type { SimActor } from './Actor.js';
import { LongitudinalDistance } from './DistanceKeeping.js';
import { LateralDistance } from './LateralDistance.js';
import type { ResolvedPosition } from './Positions.js';
import type { ActionHandle } from './Storyboard.js';
import { Synchronize } from './Synchronize.js';

/** What the motion actions need of the simulation. */
export interface MotionHost {
  readonly network: RoadNetwork;
  actor(id: string): SimActor | undefined;
  /** Where a position is now (in the world, with road coordinates where it has them). */
  resolve(position: Position): ResolvedPosition;
  addController(actor: SimActor, spec: ControllerSpec): void;
  distanceAlong(actor: SimActor, road: string, s: number): number | undefined;
}

/**
 * Starts a motion action (MotionActions.ts in src/scenario) on its actor: the drives take over
 * the actor's longitudinal or lateral motion each step until they end or are cancelled.
 */
export function startMotionAction(sim: MotionHost, actor: SimActor, action: MotionActionSpec): ActionHandle {
  const finished: ActionHandle = { done: () => true, cancel: () => undefined };
  const done = { value: false };
  const onDone = (): void => { done.value = true; };
  switch (action.type) {
    case 'visibility':
      actor.visibility = action.graphics && action.traffic && action.sensors ? undefined : { graphics: action.graphics, traffic: action.traffic, sensors: action.sensors };
      return finished;
    case 'synchronize': {
      const master = sim.actor(action.master);
      if (!master) return finished;
      actor.speedProfile = undefined;
      actor.stopAt = undefined;
      const drive = new Synchronize(sim, action, master, sim.resolve(action.position), sim.resolve(action.masterPosition), onDone);
      actor.longitudinalDrive = drive;
      return { done: () => done.value, cancel: () => { if (actor.longitudinalDrive === drive) actor.longitudinalDrive = undefined; done.value = true; } };
    }
    case 'longitudinalDistance': {
      const target = sim.actor(action.target);
      if (!target) return finished;
      actor.speedProfile = undefined;
      actor.stopAt = undefined;
      const drive = new LongitudinalDistance(sim.network, action, target, actor, onDone);
      actor.longitudinalDrive = drive;
      return { done: () => done.value, cancel: () => { if (actor.longitudinalDrive === drive) actor.longitudinalDrive = undefined; done.value = true; } };
    }
    case 'lateralDistance': {
      const target = sim.actor(action.target);
      if (!target) return finished;
      const drive = new LateralDistance(action, target, actor, onDone);
      actor.lateralDrive = drive;
      return { done: () => done.value, cancel: () => { if (actor.lateralDrive === drive) actor.lateralDrive = undefined; done.value = true; } };
    }
    case 'acquirePosition': {
      // A route from where the actor is to the position (the lane graph's shortest), driven at
      // the actor's speed; done once its reference point reaches the position.
      const p = sim.resolve(action.position);
      let road = p.road, lane = p.lane, s = p.s;
      if (road === undefined || lane === undefined || s === undefined) {
        const found = sim.network.worldToRoad(p.x, p.y, p.z, 5);
        if (found) ({ road, lane, s } = found);
      }
      if (road === undefined || lane === undefined || s === undefined || !actor.isVehicle) return finished;
      sim.addController(actor, { type: 'route', waypoints: [{ road, lane, s }] });
      const goal = { road, s };
      let seen = false;
      return {
        done: () => {
          if (done.value) return true;
          // Reached when the reference point is at the goal, or the goal has fallen behind.
          const d = sim.distanceAlong(actor, goal.road, goal.s);
          if (d !== undefined) seen = true;
          done.value = d !== undefined ? d + actor.referenceOffset <= 0.01 : seen;
          return done.value;
        },
        cancel: () => { done.value = true; },
      };
    }
  }
}
