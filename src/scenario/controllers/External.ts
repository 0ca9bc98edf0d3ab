import type { ControlCommand, ControlContext, ControlledActor, Controller } from './types.js';

/** One command from outside (the WebSocket control channel): the shape of the `ego` message. */
export interface ExternalCommand {
  /** 0..1 of the kind's maximum acceleration. */
  throttle?: number;
  /** 0..1 of the kind's maximum deceleration. */
  brake?: number;
  /** −1..1 of the kind's maximum steering angle, positive to the left. */
  steer?: number;
  /** Target speed (m/s): hands the pedals back to the speed controller. */
  speed?: number;
  /** Target lane id on the current road: hands the steering back to lane keeping. */
  lane?: number;
}

/**
 * Drives an actor from outside. Pedal commands hold until a target speed replaces them; a
 * steering command holds until a target lane replaces it. Commands apply from the next tick.
 */
export class External implements Controller {
  readonly type = 'external';
  private pedals?: { throttle: number; brake: number };
  private steer?: number;
  private pendingLane?: number;

  command(cmd: ExternalCommand, actor: ControlledActor): void {
    if (cmd.throttle !== undefined || cmd.brake !== undefined) {
      this.pedals = { throttle: cmd.throttle ?? this.pedals?.throttle ?? 0, brake: cmd.brake ?? this.pedals?.brake ?? 0 };
    }
    if (cmd.speed !== undefined) {
      this.pedals = undefined;
      actor.targetSpeed = cmd.speed;
    }
    if (cmd.steer !== undefined) this.steer = cmd.steer;
    if (cmd.lane !== undefined) {
      this.steer = undefined;
      this.pendingLane = cmd.lane;
    }
  }

  get steering(): boolean {
    return this.steer !== undefined;
  }

  update(actor: ControlledActor, ctx: ControlContext): ControlCommand | undefined {
    if (this.pendingLane !== undefined) {
      if (this.pendingLane !== actor.lane) ctx.changeLane(actor, this.pendingLane, { shape: 'sinusoidal', dimension: 'time', value: 3 }, 'external');
      this.pendingLane = undefined;
    }
    const out: ControlCommand = {};
    if (this.pedals) out.accel = this.pedals.throttle * actor.kind.maxAccel - this.pedals.brake * actor.kind.maxDecel;
    if (this.steer !== undefined) out.steer = this.steer * actor.kind.maxSteer;
    return out;
  }
}
