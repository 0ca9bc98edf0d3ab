/**
 * When a sensor fires: at t = 0 and then once per period, on the first tick at or after each
 * firing time (so rates whose period is not a multiple of the step still average right), and
 * the per-topic sequence number of each frame.
 */
export class SensorSchedule {
  readonly periodNs: number;
  private nextFireNs = 0;
  private seq = 0;

  constructor(rateHz: number) {
    this.periodNs = Math.round(1e9 / rateHz);
  }

  isDue(tNs: number): boolean {
    return tNs >= this.nextFireNs;
  }

  /** Marks a firing at tNs and returns its sequence number. */
  fire(tNs: number): number {
    this.nextFireNs = Math.max(this.nextFireNs, tNs) + this.periodNs;
    return this.seq++;
  }
}
