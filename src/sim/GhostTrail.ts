/** esmini's SMALL_NUMBER: the tolerance of its trail look-ups and sampling. */
const SMALL = 1e-6;

/** One sample of the ghost: its reference point, the time, its speed and the arc length so far. */
export interface TrailVertex {
  x: number;
  y: number;
  time: number;
  speed: number;
  s: number;
}

/** A point on the trail and the segment it lies on (the start of the next search). */
export interface TrailPoint {
  x: number;
  y: number;
  speed: number;
  s: number;
  index: number;
}

/**
 * The trail a ghost leaves: a polyline of its reference point sampled every `sampleTime` s
 * (esmini's ghost_trail_dt, 0.2 s by default), as esmini records it after each step
 * (ScenarioEngine::prepareGroundTruth): a sample once more than sampleTime has passed since
 * the last, none while the ghost stands still (last and current speed 0), and after such a
 * pause the last sample repeated sampleTime before the new one so the wait stays in the
 * trail's timing. Between samples everything (position, speed, time) is linear in arc length.
 */
export class GhostTrail {
  readonly vertices: TrailVertex[] = [];

  constructor(readonly sampleTime = 0.2) {}

  /** Forgets every sample (esmini's trail Reset at a ghost restart). */
  clear(): void {
    this.vertices.length = 0;
  }

  get length(): number {
    return this.vertices.length > 0 ? this.vertices[this.vertices.length - 1].s : 0;
  }

  record(x: number, y: number, time: number, speed: number): void {
    const v = this.vertices;
    const last = v[v.length - 1];
    if (last) {
      if (time - last.time <= this.sampleTime - SMALL) return;
      if (Math.abs(last.speed) <= SMALL && Math.abs(speed) <= SMALL) return;
      if (time - last.time > 2 * this.sampleTime - SMALL) v.push({ ...last, time: time - this.sampleTime });
    }
    const prev = v[v.length - 1];
    v.push({ x, y, time, speed, s: prev ? prev.s + Math.hypot(x - prev.x, y - prev.y) : 0 });
  }

  /** The point at arc length s (clamped to the trail), searched from segment `from`. */
  at(s: number, from = 0): TrailPoint | undefined {
    const v = this.vertices;
    if (v.length === 0) return undefined;
    const n = v.length;
    if (n === 1 || s >= v[n - 1].s - SMALL) return { x: v[n - 1].x, y: v[n - 1].y, speed: v[n - 1].speed, s: v[n - 1].s, index: n - 1 };
    let i = Math.min(Math.max(from, 0), n - 2);
    while (i < n - 2 && s > v[i + 1].s) i++;
    while (i > 0 && s < v[i].s) i--;
    const a = v[i], b = v[i + 1];
    const f = Math.min(Math.max((s - a.s) / Math.max(b.s - a.s, SMALL), 0), 1);
    return { x: a.x + f * (b.x - a.x), y: a.y + f * (b.y - a.y), speed: a.speed + f * (b.speed - a.speed), s: Math.max(s, 0), index: i };
  }

  /**
   * The point where the ghost was at `time`: arc length linear in time between samples
   * (esmini's Time2S), clamped to the first and last sample.
   */
  atTime(time: number): TrailPoint | undefined {
    const v = this.vertices;
    if (v.length === 0) return undefined;
    if (v.length === 1 || time < v[0].time + SMALL) return this.at(0);
    if (time > v[v.length - 1].time - SMALL) return this.at(v[v.length - 1].s, v.length - 1);
    let lo = 0, hi = v.length - 1;
    while (hi - lo > 1) {
      const mid = (lo + hi) >> 1;
      if (v[mid].time <= time) lo = mid;
      else hi = mid;
    }
    const w = (time - v[lo].time) / (v[hi].time - v[lo].time);
    return this.at(Math.max(0, v[lo].s + w * (v[hi].s - v[lo].s)), lo);
  }

  /**
   * The point of the trail closest to (x, y), as esmini's FindClosestPoint looks for it: from
   * segment `from` forward while the distance keeps falling (ties move on), then backward from
   * `from` while it keeps falling: the local minimum around where the follower was last.
   */
  closest(x: number, y: number, from: number): TrailPoint | undefined {
    const v = this.vertices;
    if (v.length === 0) return undefined;
    if (v.length === 1) return this.at(0);
    const start = from + 1 > v.length - 1 ? 0 : Math.max(from, 0);
    const dist = (i: number): { d: number; s: number } => {
      const a = v[i], b = v[i + 1];
      const dx = b.x - a.x, dy = b.y - a.y;
      const len2 = dx * dx + dy * dy;
      const f = len2 > 0 ? Math.min(Math.max(((x - a.x) * dx + (y - a.y) * dy) / len2, 0), 1) : 0;
      return { d: Math.hypot(a.x + f * dx - x, a.y + f * dy - y), s: a.s + f * (b.s - a.s) };
    };
    let best = { d: Infinity, s: 0, i: start };
    const consider = (i: number): boolean => {
      const c = dist(i);
      if (c.d < best.d + SMALL) {
        best = { ...c, i };
        return true;
      }
      return false;
    };
    let i = start;
    while (i < v.length - 1) {
      if (!consider(i) && start > 0) break;
      i++;
    }
    for (i = start - 1; i >= 0 && start > 0; i--) if (!consider(i)) break;
    return this.at(best.s, best.i);
  }
}
