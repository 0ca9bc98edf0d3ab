import { IDM_DEFAULTS, idmAccel, type IdmParams } from './Idm.js';
import type { ControlCommand, ControlContext, ControlledActor, Controller } from './types.js';

export interface MobilParams {
  /** Politeness p: weight of the neighbours' advantage. */
  politeness: number;
  /** Switching threshold Δa_th (m/s²). */
  threshold: number;
  /** Largest deceleration imposed on the new follower (m/s²). */
  safeDecel: number;
  /** Duration of the lane change it starts (s). */
  laneChangeDuration: number;
  /** Seconds between decisions. */
  interval: number;
}

export const MOBIL_DEFAULTS: MobilParams = { politeness: 0.3, threshold: 0.2, safeDecel: 4, laneChangeDuration: 4, interval: 1 };

/**
 * MOBIL lane changes (Kesting, Treiber, Helbing 2007): change when
 * ã_c − a_c + p[(ã_n − a_n) + (ã_o − a_o)] > Δa_th and ã_n ≥ −b_safe, accelerations by IDM.
 */
export class Mobil implements Controller {
  readonly type = 'mobil';
  readonly params: MobilParams;
  private nextDecision = 0;

  constructor(params: Partial<MobilParams> = {}, private readonly idm: IdmParams = IDM_DEFAULTS) {
    this.params = { ...MOBIL_DEFAULTS, ...Object.fromEntries(Object.entries(params).filter(([, v]) => v !== undefined)) };
  }

  update(actor: ControlledActor, ctx: ControlContext): ControlCommand | undefined {
    if (ctx.time + 1e-9 < this.nextDecision || actor.laneChanging) return undefined;
    this.nextDecision = ctx.time + this.params.interval;
    const decision = this.decide(actor, ctx);
    if (decision !== undefined) {
      ctx.changeLane(actor, decision, { shape: 'sinusoidal', dimension: 'time', value: this.params.laneChangeDuration }, 'mobil');
    }
    return undefined;
  }

  /** The lane MOBIL would move to now, or undefined to stay. */
  decide(actor: ControlledActor, ctx: ControlContext): number | undefined {
    const p = this.params;
    const v0 = (a: ControlledActor): number => Math.min(a.targetSpeed, ctx.speedLimit(a) ?? Infinity, a.kind.maxSpeed);
    const acc = (a: ControlledActor, gap?: number, speed?: number): number => idmAccel(this.idm, v0(a), a.speed, gap, speed);
    const leader = ctx.leader(actor);
    const follower = ctx.follower(actor);
    const aC = acc(actor, leader?.gap, leader?.speed);
    let best: { lane: number; gain: number } | undefined;
    for (const side of [1, -1] as const) {
      const target = ctx.adjacent(actor, side);
      if (!target) continue;
      const newLeader = target.leader;
      const newFollower = target.follower;
      if (newLeader && newLeader.gap < 0) continue;
      if (newFollower && newFollower.gap < 0) continue;
      const aCNew = acc(actor, newLeader?.gap, newLeader?.speed);
      let aN = 0, aNNew = 0;
      if (newFollower) {
        const gapToLeader = newLeader ? newFollower.gap + actor.length + newLeader.gap : undefined;
        aN = acc(newFollower.actor, gapToLeader, newLeader?.speed);
        aNNew = acc(newFollower.actor, newFollower.gap, actor.speed);
        if (aNNew < -p.safeDecel) continue;
      }
      let aO = 0, aONew = 0;
      if (follower) {
        aO = acc(follower.actor, follower.gap, actor.speed);
        const gap = leader ? follower.gap + actor.length + leader.gap : undefined;
        aONew = acc(follower.actor, gap, leader?.speed);
      }
      const gain = aCNew - aC + p.politeness * (aNNew - aN + aONew - aO);
      if (gain > p.threshold && (!best || gain > best.gain)) best = { lane: target.lane, gain };
    }
    return best?.lane;
  }
}
