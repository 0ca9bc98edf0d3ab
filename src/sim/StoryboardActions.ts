import { LaneChange } from '../scenario/controllers/LaneChange.js';
import { Pedestrian } from '../scenario/controllers/Pedestrian.js';
import { StopAt } from '../scenario/controllers/StopAt.js';
import type { ActionWithName, Dynamics, Position, Weather } from '../scenario/Scenario.js';
import type { SimActor } from './Actor.js';
import type { ActionHandle } from './Storyboard.js';
import { startMotionAction, type MotionHost } from './MotionActions.js';
import { startSpeedProfile } from './SpeedProfilePlan.js';
import { shiftLane } from './TrafficQueries.js';
import type { TrafficSignals } from './TrafficSignals.js';
import { startTrajectory } from './TrajectoryFollower.js';
import { walkPlan } from './WalkPlanner.js';

/** What storyboard actions need of the simulation they act on (the motion actions' needs, and more). */
export interface ActionHost extends MotionHost {
  readonly time: number;
  end(result: 'success' | 'failure' | 'stopped', reason: string): void;
  /** The weather in force from this step on. */
  setWeather(weather: Weather): void;
  /** The traffic signals (TrafficSignals.ts): their states and phases can be set. */
  readonly trafficSignals: TrafficSignals;
  place(actor: SimActor, position: Position): void;
  spawn(actor: SimActor, position: Position | undefined, speed: number | undefined): void;
  remove(actor: SimActor): void;
  /** Switches an actor's FollowGhostController off. */
  stopChasing(actor: SimActor): void;
  /** esmini's AddedGhostTeleport: the ghost back to its entity (after t = 0 a ghost restart). */
  restartGhost(): void;
  changeLane(actor: SimActor, lane: number, dynamics: Dynamics, reason: string, targetOffset?: number): boolean;
}

/**
 * Starts one storyboard action on its actor and returns a handle that tells when it is done
 * (a speed change reaching its target, a lane change completing, a stop standing still) and
 * cancels it (an overriding action, a stopped act). Instant actions are done at once.
 */
export function startAction(sim: ActionHost, action: ActionWithName): ActionHandle {
  const done = { value: false };
  const finished: ActionHandle = { done: () => true, cancel: () => undefined };
  const handle = (onCancel?: () => void): ActionHandle => ({ done: () => done.value, cancel: () => { done.value = true; onCancel?.(); } });
  if (action.type === 'end') {
    sim.end(action.outcome, action.reason);
    return finished;
  }
  if (action.type === 'weather') {
    sim.setWeather(action.weather);
    return finished;
  }
  if (action.type === 'signalState') {
    sim.trafficSignals.setState(action.signal, action.state);
    return finished;
  }
  if (action.type === 'signalPhase') {
    sim.trafficSignals.setPhase(action.controller, action.phase, sim.time);
    return finished;
  }
  // Parameter and variable actions act on the storyboard's values (see RuntimeValues).
  if (action.type === 'value') return finished;
  const actor = sim.actor(action.actor);
  if (!actor) return finished;
  switch (action.type) {
    case 'speed': {
      const target = action.target;
      const compute = typeof target === 'number'
        ? () => target
        : () => {
          const ref = sim.actor(target.relativeTo);
          const v = ref ? ref.speed : 0;
          return target.valueType === 'factor' ? v * target.value : v + target.value;
        };
      const continuous = typeof target !== 'number' && target.continuous === true;
      const dyn = action.dynamics ?? { shape: 'step', dimension: 'time', value: 0 };
      actor.stopAt = undefined;
      const previous = actor.speedProfile;
      // A Performance caps the target itself (esmini's transition to ABS_LIMIT(target, maxSpeed)).
      const max = actor.performance?.maxSpeed ?? Infinity;
      const capped = (): number => Math.max(-max, Math.min(max, compute()));
      actor.speedProfile = {
        v0: actor.speed, t0: sim.time, odo0: actor.odometer, target: capped, shape: dyn.shape,
        dimension: dyn.dimension, value: Math.abs(dyn.value), continuous, onDone: () => { done.value = true; },
      };
      previous?.onDone?.();
      if (dyn.shape === 'step' || dyn.value === 0) {
        actor.speed = capped();
        actor.vel = [actor.speed * Math.cos(actor.heading), actor.speed * Math.sin(actor.heading), 0];
        if (!continuous) {
          actor.targetSpeed = actor.speed;
          actor.speedProfile = undefined;
          return finished;
        }
      }
      return handle(() => { if (actor.speedProfile?.onDone && !done.value) actor.speedProfile = undefined; });
    }
    case 'laneChange': {
      const dyn = action.dynamics ?? { shape: 'sinusoidal', dimension: 'time', value: 3 };
      let lane: number;
      if ('lane' in action.target) lane = action.target.lane;
      else {
        const ref = sim.actor(action.target.relativeTo);
        if (!ref) return finished;
        const forward = ref.road ? sim.network.road(ref.road).laneRunsWithS(ref.lane) : true;
        lane = shiftLane(ref.lane, forward ? action.target.value : -action.target.value);
      }
      if (!sim.changeLane(actor, lane, dyn, action.name ?? 'storyboard', action.targetOffset ?? 0)) return finished;
      actor.onLateralDone = () => { done.value = true; };
      return handle(() => { actor.onLateralDone = undefined; });
    }
    case 'laneOffset': {
      let dyn = action.dynamics ?? { shape: 'sinusoidal', dimension: 'time', value: 2 };
      const from = actor.offsetChange ? actor.offsetChange.offset(sim.time, actor.odometer) : actor.laneOffset;
      if (action.maxLateralAccel !== undefined && action.maxLateralAccel > 0) {
        const delta = Math.abs(action.offset - from);
        const shape = dyn.shape;
        const k = shape === 'sinusoidal' ? Math.PI * Math.PI / 2 : shape === 'cubic' ? 6 : 4;
        dyn = { shape, dimension: 'time', value: Math.sqrt((k * delta) / action.maxLateralAccel) };
      }
      actor.laneOffset = from;
      actor.offsetChange = new LaneChange(from, action.offset, dyn, sim.time, actor.odometer);
      actor.onOffsetDone = () => { done.value = true; };
      return handle(() => { actor.onOffsetDone = undefined; });
    }
    case 'ghostRestart':
      sim.restartGhost();
      return finished;
    case 'teleport':
      // An entity with no Init position enters the world at its first TeleportAction.
      if (!actor.active && actor.spec.spawnLater) sim.spawn(actor, action.position, undefined);
      else sim.place(actor, action.position);
      return finished;
    case 'spawn':
      sim.spawn(actor, action.position, action.speed);
      return finished;
    case 'remove':
      sim.remove(actor);
      return finished;
    case 'startWalking': {
      const ped = actor.pedestrian ?? (actor.pedestrian = new Pedestrian(action.mode ?? 'walk', action.speed ?? 1.4, false));
      const mode = action.mode ?? ped.mode;
      ped.start(walkPlan(sim.network, actor, mode, action.speed ?? ped.speed, action.heading ?? ped.heading, action.distance ?? ped.distance));
      return finished;
    }
    case 'stop': {
      actor.speedProfile = undefined;
      const target = action.road !== undefined && action.s !== undefined ? { road: action.road, s: action.s } : undefined;
      actor.stopAt = new StopAt(target, action.decel ?? 6, (a, road, s) => sim.distanceAlong(a as SimActor, road, s));
      actor.targetSpeed = 0;
      return { done: () => actor.speed < 1e-3, cancel: () => { actor.stopAt = undefined; } };
    }
    case 'synchronize':
    case 'longitudinalDistance':
    case 'lateralDistance':
    case 'acquirePosition':
    case 'visibility':
      return startMotionAction(sim, actor, action);
    case 'trajectory':
      return startTrajectory(sim, actor, action, done);
    case 'speedProfile':
      return startSpeedProfile(sim, actor, action, done);
    case 'controller':
      if (action.enable === false) {
        actor.controllers = actor.controllers.filter((c) => c.type !== action.controller.type);
        if (action.controller.type === 'external') actor.external = undefined;
        if (action.controller.type === 'followGhost') sim.stopChasing(actor);
      } else {
        sim.addController(actor, action.controller);
      }
      return finished;
  }
}
