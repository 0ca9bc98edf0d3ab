import type { ControlCommand, ControlContext, ControlledActor, Controller } from './types.js';

/**
 * Stops at a position along the road: brakes with the constant deceleration v²/(2d) that
 * ends at the stop point (never gentler than needed, never above the kind's limit), or
 * stops at once with `decel` when no position is given.
 */
export class StopAt implements Controller {
  readonly type = 'stopAt';

  constructor(
    private readonly target: { road: string; s: number } | undefined,
    private readonly decel = 4,
    /** Distance from the actor's centre to the stop point along its lane, supplied by the simulation. */
    private readonly distanceTo: (actor: ControlledActor, road: string, s: number) => number | undefined,
  ) {}

  stopped(actor: ControlledActor): boolean {
    return actor.speed < 1e-3;
  }

  update(actor: ControlledActor, ctx: ControlContext): ControlCommand {
    if (!this.target) return { accel: actor.speed > 0 ? -Math.min(this.decel, actor.speed / ctx.dt) : 0 };
    const d = this.distanceTo(actor, this.target.road, this.target.s);
    if (d === undefined) return {};
    const v = actor.speed;
    if (d <= 0.01) return { accel: -Math.min(actor.kind.maxDecel, v / ctx.dt) };
    const needed = (v * v) / (2 * d);
    // Start braking when the needed deceleration reaches the requested one.
    if (needed < this.decel * 0.98) return {};
    return { accel: -Math.min(Math.max(needed, 0), actor.kind.maxDecel, v / ctx.dt) };
  }
}
