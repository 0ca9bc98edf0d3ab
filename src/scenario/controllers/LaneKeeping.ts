import type { ControlCommand, ControlContext, ControlledActor, Controller } from './types.js';

export interface LaneKeepingOptions {
  targetSpeed?: number;
  /** Drive at most at the lane's speed limit (default true). */
  respectSpeedLimit?: boolean;
  /** Look-ahead time for pure pursuit (s); the distance is max(minLookahead, lookahead · v). */
  lookahead?: number;
}

/**
 * Lane keeping / route following: pure pursuit steering toward a point on the lane path
 * ahead (the simulation supplies the point; `purePursuit` is the steering law), and a
 * proportional speed controller toward the target speed capped by the lane's speed limit.
 */
export class LaneKeeping implements Controller {
  readonly type = 'laneKeeping';
  readonly lookaheadTime: number;
  readonly minLookahead = 4;
  static readonly GAIN = 2;

  constructor(private readonly options: LaneKeepingOptions = {}) {
    this.lookaheadTime = options.lookahead ?? 0.6;
  }

  /** The speed this controller aims for. */
  desiredSpeed(actor: ControlledActor, ctx: ControlContext): number {
    let v = this.options.targetSpeed ?? actor.targetSpeed;
    if (this.options.respectSpeedLimit !== false) {
      const limit = ctx.speedLimit(actor);
      if (limit !== undefined) v = Math.min(v, limit);
    }
    return Math.min(v, actor.kind.maxSpeed);
  }

  update(actor: ControlledActor, ctx: ControlContext): ControlCommand {
    return { accel: speedControl(actor, this.desiredSpeed(actor, ctx), ctx.dt) };
  }

  lookaheadDistance(speed: number): number {
    return Math.max(this.minLookahead, this.lookaheadTime * speed);
  }
}

/**
 * Proportional speed control with the kind's limits; reaches the target exactly (no
 * overshoot) when the remaining error is within one step's acceleration.
 */
export function speedControl(actor: ControlledActor, target: number, dt: number): number {
  const error = target - actor.speed;
  let a = LaneKeeping.GAIN * error;
  if (Math.abs(error) <= Math.max(actor.kind.maxAccel, actor.kind.maxDecel) * dt) a = error / dt;
  return Math.min(Math.max(a, -actor.kind.maxDecel), actor.kind.maxAccel);
}

/**
 * Pure pursuit: the front-wheel angle that puts the rear axle on the circle through the
 * target point tangent to the current heading. Exact on paths of constant curvature.
 */
export function purePursuit(rearX: number, rearY: number, heading: number, targetX: number, targetY: number, wheelbase: number, maxSteer: number): number {
  const dx = targetX - rearX;
  const dy = targetY - rearY;
  const ld2 = dx * dx + dy * dy;
  if (ld2 < 1e-9) return 0;
  // Lateral coordinate of the target in the vehicle frame.
  const lateral = -Math.sin(heading) * dx + Math.cos(heading) * dy;
  const curvature = (2 * lateral) / ld2;
  const steer = Math.atan(wheelbase * curvature);
  return Math.min(Math.max(steer, -maxSteer), maxSteer);
}
