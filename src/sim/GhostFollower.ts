import type { FollowGhostSpec } from '../scenario/Scenario.js';
import type { SimActor } from './Actor.js';
import type { GhostTrail, TrailPoint } from './GhostTrail.js';
import { wrapAngle } from './LanePath.js';

/** esmini's driver model limits as ControllerFollowGhost sets them (vehicle::Vehicle). */
const MAX_ACC = 10;
const MAX_SPEED = 100;
const MAX_WHEEL = (60 * Math.PI) / 180;

/**
 * esmini's FollowGhostController: the entity chases its ghost's trail with esmini's simple
 * driver model (vehicle::Vehicle::DrivingControlTarget), which moves the entity's reference
 * point itself. Each step, at the step's new time t (the trail then holds samples up to the
 * previous step, as in esmini):
 *   followMode "time": the speed target is the trail's speed at time t − headstart +
 *     max(minLookaheadSpeed, lookaheadSpeed) and the steering target the trail's point at
 *     t − headstart + max(minLookaheadSteering, lookaheadSteering);
 *   followMode "position": from the trail point closest to the entity, the speed target lies
 *     max(minLookaheadSpeed, lookaheadSpeed·v) m further along, the steering target
 *     max(minLookaheadSteering, lookaheadSteering·v) m further.
 * Then a = clamp(10·(v_target − v), ±10 m/s²), v += a·dt (|v| ≤ 100 m/s); the wheel angle is the
 * heading error to the steering target, asin(forward × unit(target − p)), limited to
 * ±60°/(1 + steeringSpeedInertia·v²); the slip angle β = atan(0.15·tan δ) gives the yaw rate
 * v·sin β/(0.15·L) (L: the entity's length), and the reference point moves dt·v along h + β
 * (h before the step) while h turns by dt·(yaw rate).
 */
export class GhostFollower {
  private px = 0;
  private py = 0;
  private h = 0;
  private v = 0;
  private followIndex = 0;

  constructor(readonly spec: FollowGhostSpec, readonly trail: GhostTrail, actor: SimActor) {
    // As esmini's Activate: the model starts from the entity's pose and speed.
    [this.px, this.py] = actor.reference;
    this.h = actor.heading;
    this.v = actor.speed;
  }

  /** The speed and steering targets on the trail at time t (undefined: the trail is empty). */
  targets(time: number): { speed: TrailPoint; steer: TrailPoint } | undefined {
    const { spec, trail } = this;
    if (spec.followMode === 'position') {
      const near = trail.closest(this.px, this.py, this.followIndex);
      if (!near) return undefined;
      const speed = trail.at(near.s + Math.max(spec.minLookaheadSpeed, spec.lookaheadSpeed * this.v), near.index)!;
      const steer = trail.at(near.s + Math.max(spec.minLookaheadSteering, spec.lookaheadSteering * this.v), near.index)!;
      // esmini goes on searching from the steering target's segment.
      this.followIndex = steer.index;
      return { speed, steer };
    }
    const speed = trail.atTime(time - spec.headstartTime + Math.max(spec.minLookaheadSpeed, spec.lookaheadSpeed));
    const steer = trail.atTime(time - spec.headstartTime + Math.max(spec.minLookaheadSteering, spec.lookaheadSteering));
    return speed && steer ? { speed, steer } : undefined;
  }

  /**
   * One step to time `time`: moves the actor (body centre = reference point + referenceOffset
   * ahead). `blind`: the step esmini's entity takes on the emptied trail of a ghost restart.
   */
  advance(actor: SimActor, time: number, dt: number, blind = false): void {
    const t = blind ? undefined : this.targets(time);
    // No trail yet: esmini aims at the entity itself with speed 0.
    const targetSpeed = t ? t.speed.speed : 0;
    const tx = t ? t.steer.x : this.px, ty = t ? t.steer.y : this.py;
    const dx = tx - this.px, dy = ty - this.py;
    const len = Math.hypot(dx, dy);
    const cross = len > 1e-6 ? (Math.cos(this.h) * dy - Math.sin(this.h) * dx) / len : 0;
    const headingError = Math.asin(Math.min(Math.max(cross, -1), 1));
    const accel = Math.min(Math.max(MAX_ACC * (targetSpeed - this.v), -MAX_ACC), MAX_ACC);
    const v0 = this.v;
    this.v = Math.min(Math.max(this.v + accel * dt, -MAX_SPEED), MAX_SPEED);
    const limit = MAX_WHEEL / (1 + this.spec.steeringSpeedInertia * this.v * this.v);
    const wheel = Math.min(Math.max(headingError, -limit), limit);
    const beta = Math.atan(0.15 * Math.tan(wheel));
    const yawRate = (this.v * Math.sin(beta)) / (actor.length * 0.15);
    const x0 = this.px, y0 = this.py;
    this.px += dt * this.v * Math.cos(this.h + beta);
    this.py += dt * this.v * Math.sin(this.h + beta);
    this.h = wrapAngle(this.h + dt * yawRate);
    const o = actor.referenceOffset;
    actor.x = this.px + o * Math.cos(this.h);
    actor.y = this.py + o * Math.sin(this.h);
    const vel: [number, number, number] = [(this.px - x0) / dt, (this.py - y0) / dt, actor.vel[2]];
    actor.acc = [(vel[0] - actor.vel[0]) / dt, (vel[1] - actor.vel[1]) / dt, actor.acc[2]];
    actor.vel = vel;
    actor.heading = this.h;
    actor.speed = this.v;
    actor.accel = (this.v - v0) / dt;
    actor.yawRate = yawRate;
    actor.steer = wheel;
    actor.odometer += Math.hypot(this.px - x0, this.py - y0);
  }
}
