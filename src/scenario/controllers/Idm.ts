import type { ControlCommand, ControlContext, ControlledActor, Controller } from './types.js';

export interface IdmParams {
  /** Desired speed v0 (m/s); defaults to the actor's target speed. */
  desiredSpeed?: number;
  /** Safe time headway T (s). */
  timeHeadway: number;
  /** Minimum gap s0 (m). */
  minGap: number;
  /** Maximum acceleration a (m/s²). */
  maxAccel: number;
  /** Comfortable deceleration b (m/s²). */
  comfortDecel: number;
  /** Acceleration exponent δ. */
  delta: number;
}

export const IDM_DEFAULTS: IdmParams = { timeHeadway: 1.5, minGap: 2, maxAccel: 1.5, comfortDecel: 2, delta: 4 };

/**
 * The Intelligent Driver Model (Treiber, Hennecke, Helbing 2000):
 * a = a_max [1 − (v/v0)^δ − (s_star / s)²], s_star = s0 + max(0, vT + vΔv / (2√(a_max b))).
 */
export function idmAccel(p: IdmParams, v0: number, v: number, gap?: number, leaderSpeed?: number): number {
  const free = v0 > 0 ? 1 - Math.pow(Math.max(v, 0) / v0, p.delta) : -1;
  if (gap === undefined || leaderSpeed === undefined) return p.maxAccel * free;
  const dv = v - leaderSpeed;
  const sStar = p.minGap + Math.max(0, v * p.timeHeadway + (v * dv) / (2 * Math.sqrt(p.maxAccel * p.comfortDecel)));
  const s = Math.max(gap, 0.01);
  return p.maxAccel * (free - (sStar / s) * (sStar / s));
}

/** The steady-state gap behind a leader at speed v: (s0 + vT) / √(1 − (v/v0)^δ). */
export function idmEquilibriumGap(p: IdmParams, v0: number, v: number): number {
  return (p.minGap + v * p.timeHeadway) / Math.sqrt(1 - Math.pow(v / v0, p.delta));
}

/** Car following with IDM behind the nearest actor ahead along the lane path. */
export class Idm implements Controller {
  readonly type = 'idm';
  readonly params: IdmParams;

  constructor(params: Partial<IdmParams> = {}) {
    this.params = { ...IDM_DEFAULTS, ...Object.fromEntries(Object.entries(params).filter(([, v]) => v !== undefined)) };
  }

  desiredSpeed(actor: ControlledActor, ctx: ControlContext): number {
    const v0 = this.params.desiredSpeed ?? actor.targetSpeed;
    const limit = ctx.speedLimit(actor);
    return Math.min(v0, limit ?? Infinity, actor.kind.maxSpeed);
  }

  accelBehind(actor: ControlledActor, ctx: ControlContext, gap?: number, leaderSpeed?: number): number {
    return idmAccel(this.params, this.desiredSpeed(actor, ctx), actor.speed, gap, leaderSpeed);
  }

  update(actor: ControlledActor, ctx: ControlContext): ControlCommand {
    const leader = ctx.leader(actor);
    const a = this.accelBehind(actor, ctx, leader?.gap, leader?.speed);
    return { accel: Math.max(a, -actor.kind.maxDecel) };
  }
}
