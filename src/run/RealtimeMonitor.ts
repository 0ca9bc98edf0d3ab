/**
 * How fast a run paced to the wall clock really goes: simulated time over wall time across a
 * sliding window of the last few seconds (not since the start, so a run that slows down, or
 * catches up, says so within seconds). RunControl feeds it each tick; it reports about once a
 * second, and says when a warning is due: when the run first falls behind, then at most once
 * per warning interval (a run that keeps slipping behind and catching up warns no more often).
 *
 * The clock is given by the caller (wall milliseconds), so tests drive it with made-up times.
 */

export interface PacingReport {
  /** Simulated seconds per wall-clock second over the window. */
  factor: number;
  /** The factor asked for (1: real time; a `rate` message sets another). */
  target: number;
  /** factor is short of target by more than the tolerance. */
  behind: boolean;
  /** Behind, and a warning is due: the first report behind, then at most one per warning interval. */
  warn: boolean;
}

export interface RealtimeMonitorOptions {
  /** The sliding window of wall time the factor is measured over. */
  windowMs?: number;
  /** No report before the window spans this much (the first ticks say little). */
  minSpanMs?: number;
  /** Wall time between reports. */
  reportEveryMs?: number;
  /** While behind, wall time between warnings. */
  warnEveryMs?: number;
  /** Behind means factor < tolerance * target. */
  tolerance?: number;
}

export class RealtimeMonitor {
  readonly #windowMs: number;
  readonly #minSpanMs: number;
  readonly #reportEveryMs: number;
  readonly #warnEveryMs: number;
  readonly #tolerance: number;
  /** (wall ms, simulated ns) per tick within the window, oldest first. */
  #wall: number[] = [];
  #sim: number[] = [];
  #reportedAt = -Infinity;
  #warnedAt = -Infinity;

  constructor(options: RealtimeMonitorOptions = {}) {
    this.#windowMs = options.windowMs ?? 5000;
    this.#minSpanMs = options.minSpanMs ?? 2000;
    this.#reportEveryMs = options.reportEveryMs ?? 1000;
    this.#warnEveryMs = options.warnEveryMs ?? 10_000;
    this.#tolerance = options.tolerance ?? 0.95;
  }

  /**
   * Starts the window afresh (pause, resume, a new rate: time spent paused is no lag). The
   * warning interval still counts from the last warning.
   */
  reset(): void {
    this.#wall = [];
    this.#sim = [];
  }

  /** One tick released at `wallMs` reaching `simNs`; returns a report when one is due. */
  sample(wallMs: number, simNs: number, target: number): PacingReport | undefined {
    this.#wall.push(wallMs);
    this.#sim.push(simNs);
    // Keep one sample at or before the window's start, so the window spans all of it.
    let drop = 0;
    while (drop + 1 < this.#wall.length && this.#wall[drop + 1] <= wallMs - this.#windowMs) drop++;
    if (drop > 0) {
      this.#wall.splice(0, drop);
      this.#sim.splice(0, drop);
    }
    const spanMs = wallMs - this.#wall[0];
    if (spanMs < this.#minSpanMs || wallMs - this.#reportedAt < this.#reportEveryMs) return undefined;
    this.#reportedAt = wallMs;
    const factor = (simNs - this.#sim[0]) / 1e6 / spanMs;
    const behind = factor < this.#tolerance * target;
    const warn = behind && wallMs - this.#warnedAt >= this.#warnEveryMs;
    if (warn) this.#warnedAt = wallMs;
    return { factor, target, behind, warn };
  }
}

/** The run's warning line, e.g. "running at 0.42x real time (the sensors take longer than the wall clock allows)". */
export function pacingWarning(report: PacingReport): string {
  const asked = report.target === 1 ? '' : `, ${report.target}x asked`;
  return `running at ${report.factor.toFixed(2)}x real time${asked} (the sensors take longer than the wall clock allows)`;
}
