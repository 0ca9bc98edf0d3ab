/**
 * Fixed-step simulation clock. Time is kept as an integer tick count and an integer step in
 * nanoseconds, so that times never drift by floating-point accumulation and every timestamp
 * on the wire is exact.
 */
export class SimClock {
  readonly stepNs: number;
  private ticks = 0;

  constructor(stepSeconds: number) {
    if (!(stepSeconds > 0)) throw new Error(`step must be positive, got ${stepSeconds}`);
    this.stepNs = Math.round(stepSeconds * 1e9);
  }

  get tick(): number {
    return this.ticks;
  }

  get timeNs(): number {
    return this.ticks * this.stepNs;
  }

  get time(): number {
    return this.timeNs / 1e9;
  }

  get step(): number {
    return this.stepNs / 1e9;
  }

  advance(): void {
    this.ticks++;
  }
}

export const NS_PER_SECOND = 1_000_000_000;

export function secondsToNs(seconds: number): number {
  return Math.round(seconds * NS_PER_SECOND);
}
