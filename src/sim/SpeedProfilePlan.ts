import type { SpeedProfileActionSpec } from '../scenario/TrajectorySpec.js';
import type { SimActor } from './Actor.js';
import type { ActionHandle } from './Storyboard.js';
import type { ActionHost } from './StoryboardActions.js';

/** A speed plan in time: piecewise linear through (times[i], speeds[i]); speeds after the first are relative when `relative`. */
export interface SpeedPlan {
  times: number[];
  speeds: number[];
  /** The plan's end (s after its start). */
  duration: number;
}

/**
 * The plan of a SpeedProfileAction (OpenSCENARIO 1.2) that starts at speed v0. Each entry is
 * reached `time` s after the previous one (or the action's start), the speed linear in time
 * in between: in followingMode position exactly so, constant acceleration on each leg. An
 * entry without a time is reached at the limiting acceleration (DynamicConstraints
 * maxAcceleration / maxDeceleration, else the vehicle's). In followingMode follow the
 * constraints also stretch a leg whose time would need a harder acceleration
 * (|Δv|/time > limit → the leg takes |Δv|/limit) and cap every speed at maxSpeed. esmini's
 * follow mode instead fits a jerk-limited smooth profile through the entries; ours keeps the
 * constant-acceleration legs of the standard's definition (README). `refSpeed` is the
 * referenced entity's speed at the start (entityRef: speeds relative to it), used only to
 * size the legs; the speeds themselves follow the entity as it goes (planSpeed).
 */
export function speedPlan(spec: SpeedProfileActionSpec, v0: number, refSpeed: number, kindAccel: number, kindDecel: number): SpeedPlan {
  const follow = spec.followingMode === 'follow';
  const c = spec.constraints ?? {};
  const accel = c.maxAcceleration ?? kindAccel;
  const decel = c.maxDeceleration ?? kindDecel;
  const cap = follow && c.maxSpeed !== undefined ? c.maxSpeed : Infinity;
  const times = [0];
  const speeds = [v0];
  let abs = v0;
  for (const e of spec.entries) {
    const target = Math.min(e.speed + refSpeed, cap);
    const dv = target - abs;
    const limit = dv >= 0 ? accel : decel;
    const needed = limit > 0 ? Math.abs(dv) / limit : 0;
    const dt = e.time === undefined ? needed : follow ? Math.max(e.time, needed) : e.time;
    times.push(times[times.length - 1] + dt);
    speeds.push(Math.min(e.speed, cap - refSpeed));
    abs = target;
  }
  return { times, speeds, duration: times[times.length - 1] };
}

/** The plan's speed `elapsed` s after its start, the reference entity now at `refSpeed`. */
export function planSpeed(plan: SpeedPlan, elapsed: number, refSpeed: number): number {
  const { times, speeds } = plan;
  const abs = (i: number): number => (i === 0 ? speeds[0] : speeds[i] + refSpeed);
  if (elapsed >= plan.duration) return abs(speeds.length - 1);
  let i = 0;
  while (i < times.length - 2 && times[i + 1] <= elapsed) i++;
  const span = times[i + 1] - times[i];
  const f = span > 0 ? (elapsed - times[i]) / span : 1;
  return abs(i) + f * (abs(i + 1) - abs(i));
}

/** Starts a SpeedProfileAction on an actor: its plan drives the speed until the last entry. */
export function startSpeedProfile(sim: ActionHost, actor: SimActor, action: SpeedProfileActionSpec, done: { value: boolean }): ActionHandle {
  const refSpeed = (): number => (action.relativeTo ? sim.actor(action.relativeTo)?.speed ?? 0 : 0);
  const plan = speedPlan(action, actor.speed, refSpeed(), actor.kind.maxAccel, actor.kind.maxDecel);
  const t0 = sim.time;
  actor.stopAt = undefined;
  const previous = actor.speedProfile;
  const last = (): number => planSpeed(plan, plan.duration, refSpeed());
  if (plan.duration <= 0) {
    actor.speedProfile = undefined;
    previous?.onDone?.();
    actor.speed = last();
    actor.targetSpeed = actor.speed;
    actor.vel = [actor.speed * Math.cos(actor.heading), actor.speed * Math.sin(actor.heading), actor.vel[2]];
    done.value = true;
    return { done: () => true, cancel: () => undefined };
  }
  // A linear profile over the plan's duration: control asks speedAt(t + dt) each step and the
  // integrator's mean-speed step makes positions exact on each constant-acceleration leg.
  actor.speedProfile = {
    v0: actor.speed, t0, odo0: actor.odometer, target: last, shape: 'linear', dimension: 'time', value: plan.duration,
    continuous: false, onDone: () => { done.value = true; }, speedAt: (time) => planSpeed(plan, time - t0, refSpeed()),
  };
  previous?.onDone?.();
  return { done: () => done.value, cancel: () => { if (!done.value) { done.value = true; actor.speedProfile = undefined; } } };
}
