import { shapeFraction } from '../scenario/controllers/LaneChange.js';
import type { SimActor } from './Actor.js';
import { strideLength } from './Bodies.js';
import { wrapAngle } from './LanePath.js';

/** What a controller asks of an actor for one step. */
export interface Command {
  accel: number;
  steer?: number;
  /** Speed set directly this tick (step speed profiles). */
  setSpeed?: number;
}

/**
 * One fixed step dt of an actor's motion. The speed advances first, v1 = v0 + a·dt (or the
 * speed a step profile sets); the position then advances with the mean speed of the step,
 * ½(v0 + v1)·dt (trapezoidal rule): exact for a constant acceleration, so a speed ramp that
 * starts on a tick lands where x0 + v0·t + ½·a·t² says at every tick, whatever the step.
 * esmini moves with the new speed instead (semi-implicit Euler, x += v1·dt), which puts it
 * ½·a·t·dt ahead while accelerating and ½·Δv·dt ahead after a speed change of Δv (README).
 * A speed that a step profile sets, and a pedestrian's, carry the actor over the whole step
 * at the new speed, as in esmini. Vehicles are kinematic bicycles about the rear axle
 * (heading at the step's mean yaw). Vertical velocity is set from the road in
 * Simulation.afterMove.
 */
export function integrate(actor: SimActor, cmd: Command, dt: number): void {
  const v0 = actor.speed;
  const category = actor.kind.category;
  let v1 = cmd.setSpeed !== undefined ? cmd.setSpeed : v0 + cmd.accel * dt;
  v1 = Math.max(0, Math.min(v1, actor.kind.maxSpeed > 0 ? Math.max(actor.kind.maxSpeed, v0) : v1));
  const h0 = actor.heading;
  const vm = cmd.setSpeed !== undefined || category === 'pedestrian' ? v1 : 0.5 * (v0 + v1);
  if (category === 'pedestrian') {
    const plan = actor.pedestrian?.plan;
    if (plan) actor.heading = plan.heading;
    actor.x += vm * Math.cos(actor.heading) * dt;
    actor.y += vm * Math.sin(actor.heading) * dt;
    if (actor.pedestrian) actor.pedestrian.walked += vm * dt;
    if (actor.build) actor.gaitPhase = (actor.gaitPhase + (vm * dt) / strideLength(vm, actor.build.stature)) % 1;
  } else {
    // Kinematic bicycle about the rear axle; the body centre sits half a wheelbase ahead.
    const L = actor.kind.wheelbase;
    const steer = cmd.steer ?? 0;
    actor.steer = steer;
    const yawRate = (vm * Math.tan(steer)) / L;
    const h1 = h0 + yawRate * dt;
    const hm = 0.5 * (h0 + h1);
    const rx = actor.x - (L / 2) * Math.cos(h0) + vm * Math.cos(hm) * dt;
    const ry = actor.y - (L / 2) * Math.sin(h0) + vm * Math.sin(hm) * dt;
    actor.heading = wrapAngle(h1);
    actor.x = rx + (L / 2) * Math.cos(actor.heading);
    actor.y = ry + (L / 2) * Math.sin(actor.heading);
  }
  actor.yawRate = wrapAngle(actor.heading - h0) / dt;
  actor.accel = (v1 - v0) / dt;
  actor.speed = v1;
  actor.odometer += vm * dt;
  // The vertical components follow the road in afterMove.
  const vel: [number, number, number] = [v1 * Math.cos(actor.heading), v1 * Math.sin(actor.heading), actor.vel[2]];
  actor.acc = [(vel[0] - actor.vel[0]) / dt, (vel[1] - actor.vel[1]) / dt, 0];
  actor.vel = vel;
}

/** How far (0..1) an actor's speed profile has come at a time: by time, distance or rate. */
export function profileProgress(actor: SimActor, time: number): number {
  const p = actor.speedProfile!;
  if (p.shape === 'step' || p.value <= 0) return 1;
  if (p.dimension === 'distance') return (actor.odometer - p.odo0) / p.value;
  if (p.dimension === 'rate') {
    const duration = Math.abs(p.target() - p.v0) / Math.abs(p.value);
    return duration > 0 ? (time - p.t0) / duration : 1;
  }
  return (time - p.t0) / p.value;
}

/**
 * This step's command from an actor's speed profile: the acceleration to the speed the profile
 * asks for at the step's end (a step profile sets the speed outright). Within the vehicle's
 * OpenSCENARIO Performance, as esmini's LongSpeedAction keeps it (the target is capped at
 * maxSpeed where the action starts): the acceleration at maxAcceleration / maxDeceleration; where the cap binds
 * the transition falls behind by the share of the step it could not take (its start time moves
 * on by that much), so a ramp too steep for the vehicle takes as long as the vehicle needs.
 */
export function speedProfileCommand(actor: SimActor, time: number, dt: number): { accel: number; setSpeed?: number } {
  const p = actor.speedProfile!;
  const limits = actor.performance;
  const v = profileSpeed(actor, time + dt);
  if (p.shape === 'step' || p.value <= 0) return { accel: (v - actor.speed) / dt, setSpeed: v };
  const wanted = (v - actor.speed) / dt;
  if (!limits) return { accel: wanted };
  const accel = Math.min(limits.maxAcceleration, Math.max(-limits.maxDeceleration, wanted));
  if (accel !== wanted && p.dimension !== 'distance' && profileProgress(actor, time + dt) < 1) p.t0 += dt * (1 - accel / wanted);
  return { accel };
}

/** The speed an actor's profile asks for at a time (its shape between start speed and target). */
export function profileSpeed(actor: SimActor, time: number): number {
  const p = actor.speedProfile!;
  const target = p.target();
  const f = profileProgress(actor, time);
  if (f >= 1) return target;
  if (p.speedAt) return p.speedAt(time);
  return p.v0 + (target - p.v0) * shapeFraction(p.shape, f);
}
