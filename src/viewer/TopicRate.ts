/**
 * A topic's rate for the side panel: frames per simulated second, from the spacing of the
 * frames' own t_ns, over the frames received in the last couple of seconds (at least the last
 * two). Frames reach the page in bursts (the socket, the worker, a busy main thread), so
 * arrival times would show 0 for a topic between bursts and thousands within one; the frames'
 * own times give the rate the sensor delivers, lowered by frames lost on the way.
 */
const WINDOW_MS = 2000;
/** Enough for a 1 kHz IMU over the window, at the page's worst. */
const MAX_KEPT = 4096;

export class TopicRate {
  #arrivals: number[] = [];
  #times: number[] = [];

  /** A frame of simulation time `tNs` received at `nowMs` (performance.now()). */
  add(tNs: number, nowMs: number): void {
    // Time going back (a replay looping to its start) begins a new series.
    if (this.#times.length > 0 && tNs <= this.#times[this.#times.length - 1]) {
      this.#arrivals = [];
      this.#times = [];
    }
    this.#arrivals.push(nowMs);
    this.#times.push(tNs);
    if (this.#arrivals.length > MAX_KEPT) {
      this.#arrivals.shift();
      this.#times.shift();
    }
  }

  /** Frames per simulated second, or undefined before the topic has two frames. */
  hz(nowMs: number): number | undefined {
    const n = this.#times.length;
    if (n < 2) return undefined;
    // Drop what left the window, but keep the last two frames whatever their age.
    let first = 0;
    while (first < n - 2 && nowMs - this.#arrivals[first] > WINDOW_MS) first++;
    if (first > 0) {
      this.#arrivals.splice(0, first);
      this.#times.splice(0, first);
    }
    const spanNs = this.#times[this.#times.length - 1] - this.#times[0];
    return ((this.#times.length - 1) * 1e9) / spanNs;
  }
}
