/**
 * What a live run can be told while it goes: pause, resume, step N ticks, change the
 * real-time factor. The run loop awaits `gate()` before each tick. Pacing to the wall clock
 * happens here, in run/, never inside the simulation, so it cannot change what is simulated.
 */
import type { ControlMessage, EgoMessage, RunState } from '../io/ControlProtocol.js';
import { RealtimeMonitor, type PacingReport } from './RealtimeMonitor.js';

export type { PacingReport } from './RealtimeMonitor.js';
export type { ControlMessage, EgoMessage, RunState } from '../io/ControlProtocol.js';

export class RunControl {
  #paused = false;
  #stepBudget = 0;
  #rate = 1;
  #wake: (() => void) | undefined;
  #ego: ((message: EgoMessage) => string | undefined) | undefined;
  /** Wall-clock anchor for pacing: this simulated time was reached at this wall time. */
  #anchorSimNs = 0;
  #anchorWallMs = 0;
  #anchored = false;
  #monitor = new RealtimeMonitor();
  #pacingListeners: ((report: PacingReport) => void)[] = [];
  #stateListeners: ((state: RunState) => void)[] = [];
  /** Whether the last state told was "paused" (so each change is told once). */
  #toldPaused = false;

  constructor(readonly realtime: boolean = false) {}

  /** Reports, about once a second, how fast a real-time run really goes (RealtimeMonitor). */
  onPacing(listener: (report: PacingReport) => void): void {
    this.#pacingListeners.push(listener);
  }

  /**
   * Told when the run stops at a gate (paused, or its steps used up) and when it goes on
   * again: after every frame of the ticks before, since those ran before the gate.
   */
  onState(listener: (state: RunState) => void): void {
    this.#stateListeners.push(listener);
  }

  get paused(): boolean {
    return this.#paused;
  }

  get rate(): number {
    return this.#rate;
  }

  pause(): void {
    this.#paused = true;
  }

  resume(): void {
    this.#paused = false;
    this.#stepBudget = 0;
    this.#anchored = false;
    this.#wakeUp();
  }

  /** While paused, lets the run advance this many more ticks. */
  step(ticks: number): void {
    this.#paused = true;
    this.#stepBudget += ticks;
    this.#wakeUp();
  }

  setRate(factor: number): void {
    this.#rate = factor;
    this.#anchored = false;
  }

  /** Routes `ego` messages to the run's simulation (its external controller), while it runs. */
  attachEgo(handler: ((message: EgoMessage) => string | undefined) | undefined): void {
    this.#ego = handler;
  }

  /** Applies a validated control message. Returns why it was refused, or undefined. */
  apply(message: ControlMessage): string | undefined {
    switch (message.type) {
      case 'pause':
        this.pause();
        return undefined;
      case 'resume':
        this.resume();
        return undefined;
      case 'step':
        this.step(message.ticks);
        return undefined;
      case 'rate':
        if (!this.realtime) return 'this run is not paced to the wall clock; start it with --realtime to set a rate';
        this.setRate(message.factor);
        return undefined;
      case 'ego':
        return this.#ego ? this.#ego(message) : 'no actor of this run takes external commands';
    }
  }

  /** Restarts pacing from the next gate (a replay that loops back to its first frame). */
  reanchor(): void {
    this.#anchored = false;
  }

  /**
   * Resolves when the tick that reaches `simNs` may run: at once, or when resumed or
   * stepped, and (in real time) not before the wall clock catches up.
   */
  async gate(simNs: number, signal?: AbortSignal): Promise<void> {
    if (this.#paused && this.#stepBudget === 0 && !signal?.aborted) this.#tell(true, simNs);
    while (this.#paused && this.#stepBudget === 0 && !signal?.aborted) {
      await new Promise<void>((resolve) => {
        // One abort listener per wait, removed when the wait ends (a run paused a thousand
        // times must not hold a thousand listeners).
        const onAbort = (): void => resolve();
        this.#wake = () => {
          signal?.removeEventListener('abort', onAbort);
          resolve();
        };
        signal?.addEventListener('abort', onAbort, { once: true });
      });
      this.#anchored = false;
    }
    // Stopped for good (Ctrl-C): the run ends here, it does not go again.
    if (signal?.aborted) return;
    this.#tell(false, simNs);
    if (this.#paused && this.#stepBudget > 0) {
      this.#stepBudget--;
      return;
    }
    if (!this.realtime) return;
    const now = performance.now();
    if (!this.#anchored) {
      this.#anchorSimNs = simNs;
      this.#anchorWallMs = now;
      this.#anchored = true;
      this.#monitor.reset();
      this.#sample(now, simNs);
      return;
    }
    const due = this.#anchorWallMs + (simNs - this.#anchorSimNs) / 1e6 / this.#rate;
    if (due - now > 1) await new Promise((resolve) => setTimeout(resolve, due - now));
    this.#sample(performance.now(), simNs);
  }

  #sample(wallMs: number, simNs: number): void {
    const report = this.#monitor.sample(wallMs, simNs, this.#rate);
    if (report) for (const listener of this.#pacingListeners) listener(report);
  }

  #tell(paused: boolean, simNs: number): void {
    if (paused === this.#toldPaused) return;
    this.#toldPaused = paused;
    for (const listener of this.#stateListeners) listener({ paused, t_ns: simNs });
  }

  #wakeUp(): void {
    const wake = this.#wake;
    this.#wake = undefined;
    wake?.();
  }
}
