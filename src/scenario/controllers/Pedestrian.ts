import type { ControlCommand, ControlContext, ControlledActor, Controller } from './types.js';

export type WalkMode = 'walk' | 'cross' | 'jaywalk';

export interface WalkPlan {
  mode: WalkMode;
  speed: number;
  /** World heading to walk along (rad). */
  heading: number;
  /** Metres to walk; Infinity to keep going. */
  distance: number;
}

/**
 * Pedestrians: walk along a heading (a sidewalk's direction), cross the road to the far
 * kerb (perpendicular, at a crosswalk or anywhere: jaywalking), at a speed, once started
 * (at once, or by a `startWalking` action). The simulation moves the body; this holds the plan.
 */
export class Pedestrian implements Controller {
  readonly type = 'pedestrian';
  plan?: WalkPlan;
  walked = 0;
  started = false;

  constructor(readonly mode: WalkMode, readonly speed: number, readonly startNow: boolean, readonly heading?: number, readonly distance?: number) {}

  start(plan: WalkPlan): void {
    this.plan = plan;
    this.walked = 0;
    this.started = true;
  }

  get walking(): boolean {
    return this.plan !== undefined && this.walked < this.plan.distance;
  }

  /** Speed this tick: the plan's, until the distance is covered (then it stands). */
  update(actor: ControlledActor, ctx: ControlContext): ControlCommand {
    if (!this.walking) return { accel: -actor.speed / ctx.dt };
    const remaining = this.plan!.distance - this.walked;
    const v = Math.min(this.plan!.speed, remaining / ctx.dt);
    return { accel: (v - actor.speed) / ctx.dt };
  }
}
