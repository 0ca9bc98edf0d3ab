import type { Dynamics, DynamicsShape } from '../Scenario.js';

/** The fraction of a transition done at f ∈ [0, 1] for each dynamics shape. */
export function shapeFraction(shape: DynamicsShape, f: number): number {
  if (f <= 0) return shape === 'step' ? 1 : 0;
  if (f >= 1) return 1;
  switch (shape) {
    case 'step': return 1;
    case 'linear': return f;
    case 'cubic': return f * f * (3 - 2 * f);
    case 'sinusoidal': return 0.5 - 0.5 * Math.cos(Math.PI * f);
  }
}

/**
 * A scripted lateral transition (lane change or lane offset): the lateral reference moves
 * from `from` to `to` (metres, relative to the target lane's centre) over a time or a
 * distance with a dynamics shape. Path following tracks the reference; `done` says when the
 * profile has ended.
 */
export class LaneChange {
  constructor(
    readonly from: number,
    readonly to: number,
    readonly dynamics: Dynamics,
    readonly startTime: number,
    readonly startOdometer: number,
    readonly targetLane?: number,
  ) {}

  /** Progress in [0, 1] at a time and odometer reading. */
  progress(time: number, odometer: number): number {
    const { dimension, value } = this.dynamics;
    if (this.dynamics.shape === 'step' || value <= 0) return 1;
    if (dimension === 'distance') return (odometer - this.startOdometer) / value;
    if (dimension === 'rate') {
      // Rate: metres of lateral travel per second.
      const duration = Math.abs(this.to - this.from) / value;
      return duration > 0 ? (time - this.startTime) / duration : 1;
    }
    return (time - this.startTime) / value;
  }

  /** The lateral reference at a time and odometer reading. */
  offset(time: number, odometer: number): number {
    const f = shapeFraction(this.dynamics.shape, this.progress(time, odometer));
    return this.from + (this.to - this.from) * f;
  }

  done(time: number, odometer: number): boolean {
    return this.progress(time, odometer) >= 1 - 1e-9;
  }
}
