import type { ControlCommand, ControlContext, ControlledActor, Controller } from './types.js';

export type WalkMode = 'walk' | 'cross' | 'jaywalk' | 'crosswalk';

export interface WalkPlan {
  mode: WalkMode;
  speed: number;
  /** World heading to walk along (rad). */
  heading: number;
  /** Metres to walk; Infinity to keep going. */
  distance: number;
  /** A crossing at a crosswalk: where (road, s), so that the walker can wait for its signal. */
  crosswalk?: { road: string; s: number };
}

/**
 * Pedestrians: walk along a heading (a sidewalk's direction), cross the road to the far
 * kerb where they stand (perpendicular; jaywalking: at an angle), or walk along the sidewalk
 * to the nearest crosswalk and cross there; at a speed, once started (at once, or by a
 * `startWalking` action). A plan is a list of straight legs; the simulation moves the body.
 */
export class Pedestrian implements Controller {
  readonly type = 'pedestrian';
  private legs: WalkPlan[] = [];
  private leg = 0;
  /** Metres walked on the current leg. */
  walked = 0;
  started = false;

  constructor(readonly mode: WalkMode, readonly speed: number, readonly startNow: boolean, readonly heading?: number, readonly distance?: number) {}

  start(legs: WalkPlan | WalkPlan[]): void {
    this.legs = Array.isArray(legs) ? [...legs] : [legs];
    this.leg = 0;
    this.walked = 0;
    this.started = true;
  }

  /** The leg being walked (the last one once all are done). */
  get plan(): WalkPlan | undefined {
    while (this.leg < this.legs.length - 1 && this.walked >= this.legs[this.leg].distance - 1e-9) {
      this.walked -= this.legs[this.leg].distance;
      this.leg++;
    }
    return this.legs[this.leg];
  }

  /** Whether the walker stands at the start of its current leg (has not stepped onto it yet). */
  get atLegStart(): boolean {
    return this.plan !== undefined && this.walked < 1e-6;
  }

  get walking(): boolean {
    const plan = this.plan;
    return plan !== undefined && this.walked < plan.distance;
  }

  /** Speed this tick: the plan's, until the distance is covered (then it stands). */
  update(actor: ControlledActor, ctx: ControlContext): ControlCommand {
    if (!this.walking) return { accel: -actor.speed / ctx.dt };
    const remaining = this.plan!.distance - this.walked;
    const v = Math.min(this.plan!.speed, remaining / ctx.dt);
    return { accel: (v - actor.speed) / ctx.dt };
  }
}
