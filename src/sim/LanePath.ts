import type { LaneRef } from '../map/LaneGraph.js';
import type { RoadNetwork } from '../map/RoadNetwork.js';

/** One lane of one section, sampled in the direction of travel. */
interface LaneSamples {
  ref: LaneRef;
  key: string;
  x: Float64Array;
  y: Float64Array;
  heading: Float64Array;
  s: Float64Array;
  t: Float64Array;
}

/** A stretch of the path on one lane: indices [i0, i1] into the path's samples. */
export interface PathRun {
  road: string;
  lane: number;
  section: number;
  key: string;
  i0: number;
  i1: number;
}

const SAMPLE_STEP = 1;
const caches = new WeakMap<RoadNetwork, Map<string, LaneSamples>>();

function laneSamples(network: RoadNetwork, ref: LaneRef, against = false): LaneSamples {
  let cache = caches.get(network);
  if (!cache) caches.set(network, (cache = new Map()));
  const key = `${ref.road}/${ref.section}/${ref.lane}${against ? '/against' : ''}`;
  let found = cache.get(key);
  if (!found) {
    const road = network.road(ref.road);
    const points = network.laneCenterLine(ref.road, ref.lane, SAMPLE_STEP, ref.section);
    const forward = road.laneRunsWithS(ref.lane) !== against;
    if (!forward) points.reverse();
    const n = points.length;
    found = { ref, key, x: new Float64Array(n), y: new Float64Array(n), heading: new Float64Array(n), s: new Float64Array(n), t: new Float64Array(n) };
    for (let i = 0; i < n; i++) {
      const p = points[i];
      found.x[i] = p.x; found.y[i] = p.y; found.s[i] = p.s; found.t[i] = p.t;
      found.heading[i] = forward ? p.heading : p.heading + Math.PI;
    }
    cache.set(key, found);
  }
  return found;
}

export interface Projection {
  /** Segment index (between samples i and i+1) and the fraction along it. */
  index: number;
  f: number;
  /** Distance along the path (m). */
  d: number;
  /** Signed lateral offset, left of the direction of travel positive (m). */
  e: number;
}

/**
 * A path along lane centre lines in the direction of travel: the lanes of a route, or the
 * current lane followed into its successors (the one that turns least). Samples every metre
 * with cumulative distance; vehicles project onto it each tick from their last index, and
 * it grows ahead as they drive.
 */
export class LanePath {
  x: number[] = [];
  y: number[] = [];
  heading: number[] = [];
  s: number[] = [];
  t: number[] = [];
  d: number[] = [];
  runIndex: number[] = [];
  readonly runs: PathRun[] = [];
  private last?: LaneRef;
  private readonly queue: LaneRef[];
  /** True once the path reached a lane with no successor. */
  ended = false;

  /** Samples of the lane being appended and the next one to take from it. */
  private pending?: { samples: LaneSamples; next: number; run: PathRun; runId: number };

  constructor(private readonly network: RoadNetwork, start: LaneRef, route: LaneRef[] = [], readonly against = false, fromS?: number) {
    this.queue = route.length > 0 && sameRef(route[0], start) ? route.slice(1) : [...route];
    this.append(start, fromS);
    this.ensure(60);
  }

  /** A path from a lane at s, with its traffic or (`against`, driving on the wrong side) against it. */
  static at(network: RoadNetwork, road: string, lane: number, s: number, route: LaneRef[] = [], against = false): LanePath | undefined {
    const r = network.road(road);
    const section = r.sectionIndexAt(s);
    const node = network.laneGraph().node({ road, section, lane });
    if (!node) return undefined;
    return new LanePath(network, { road, section, lane }, route, against, s);
  }

  get length(): number {
    return this.d.length > 0 ? this.d[this.d.length - 1] : 0;
  }

  /**
   * Starts taking samples from a lane (from the sample a few metres before `fromS`, or its
   * start); they are copied into the path in chunks as `ensure` asks for more.
   */
  private append(ref: LaneRef, fromS?: number): void {
    const samples = laneSamples(this.network, ref, this.against);
    const n = samples.x.length;
    let start = 0;
    if (fromS !== undefined && n > 1) {
      const s0 = samples.s[0], s1 = samples.s[n - 1];
      const f = s1 !== s0 ? (fromS - s0) / (s1 - s0) : 0;
      start = Math.max(0, Math.min(n - 2, Math.floor(f * (n - 1)) - 5));
    } else if (this.x.length > 0) {
      const lx = this.x[this.x.length - 1], ly = this.y[this.y.length - 1];
      // Skip a first sample that repeats the last one (lanes meet end to start).
      if (Math.hypot(samples.x[0] - lx, samples.y[0] - ly) < 1e-3) start = 1;
    }
    const run: PathRun = { road: ref.road, lane: ref.lane, section: ref.section, key: `${ref.road}:${ref.lane}`, i0: this.x.length, i1: this.x.length - 1 };
    this.runs.push(run);
    this.pending = { samples, next: start, run, runId: this.runs.length - 1 };
    this.last = ref;
    this.take(2);
  }

  /** Copies up to `count` pending samples into the path; false when the lane is used up. */
  private take(count: number): boolean {
    const p = this.pending;
    if (!p) return false;
    const { samples, run, runId } = p;
    const n = samples.x.length;
    const end = Math.min(n, p.next + count);
    for (let i = p.next; i < end; i++) {
      const k = this.x.length;
      const d = k === 0 ? 0 : this.d[k - 1] + Math.hypot(samples.x[i] - this.x[k - 1], samples.y[i] - this.y[k - 1]);
      this.x.push(samples.x[i]); this.y.push(samples.y[i]); this.heading.push(samples.heading[i]);
      this.s.push(samples.s[i]); this.t.push(samples.t[i]); this.d.push(d); this.runIndex.push(runId);
    }
    run.i1 = this.x.length - 1;
    p.next = end;
    if (end >= n) {
      this.pending = undefined;
      return false;
    }
    return true;
  }

  /** Grows the path until it reaches `d`, or until the lanes end. */
  ensure(d: number): void {
    while (!this.ended && this.length < d) {
      if (this.pending) {
        this.take(Math.max(16, Math.ceil(d - this.length) + 8));
        continue;
      }
      const next = this.nextLane();
      if (!next) {
        this.ended = true;
        break;
      }
      this.append(next);
    }
  }

  private nextLane(): LaneRef | undefined {
    if (this.queue.length > 0) return this.queue.shift();
    const graph = this.network.laneGraph();
    const node = graph.node(this.last!);
    const nextKeys = this.against ? node?.predecessors : node?.successors;
    if (!node || !nextKeys || nextKeys.length === 0) return undefined;
    const endHeading = this.heading[this.heading.length - 1];
    let best: LaneRef | undefined;
    let bestTurn = Infinity;
    for (const key of nextKeys) {
      const next = graph.nodes.get(key)!;
      const ref = { road: next.road, section: next.section, lane: next.lane };
      const samples = laneSamples(this.network, ref, this.against);
      const m = Math.min(samples.heading.length - 1, 10);
      const turn = Math.abs(wrapAngle(samples.heading[m] - endHeading));
      if (turn < bestTurn - 1e-9) {
        bestTurn = turn;
        best = ref;
      }
    }
    return best;
  }

  /** Projects a point onto the path, searching from a previous segment index. */
  project(px: number, py: number, hint = 0): Projection {
    if (this.x.length < 2) this.ensure(this.length + 50);
    if (this.x.length < 2) return { index: 0, f: 0, d: 0, e: 0 };
    let i = Math.min(Math.max(hint, 0), this.x.length - 2);
    let f = 0;
    for (let iter = 0; iter < 100000; iter++) {
      const ax = this.x[i], ay = this.y[i];
      const dx = this.x[i + 1] - ax, dy = this.y[i + 1] - ay;
      const len2 = dx * dx + dy * dy;
      f = len2 > 0 ? ((px - ax) * dx + (py - ay) * dy) / len2 : 0;
      if (f > 1 && (i < this.x.length - 2 || (!this.ended && (this.ensure(this.length + 50), i < this.x.length - 2)))) {
        i++;
        continue;
      }
      if (f < 0 && i > 0) {
        // Step back only if the previous segment is really nearer (corners).
        const bx = this.x[i - 1], by = this.y[i - 1];
        const ex = ax - bx, ey = ay - by;
        const l2 = ex * ex + ey * ey;
        const g = l2 > 0 ? ((px - bx) * ex + (py - by) * ey) / l2 : 0;
        if (g < 1) {
          i--;
          continue;
        }
      }
      break;
    }
    const ax = this.x[i], ay = this.y[i];
    const dx = this.x[i + 1] - ax, dy = this.y[i + 1] - ay;
    const len = Math.hypot(dx, dy);
    const e = len > 0 ? (dx * (py - ay) - dy * (px - ax)) / len : 0;
    return { index: i, f, d: this.d[i] + f * (this.d[i + 1] - this.d[i]), e };
  }

  /** The point at distance d along the path, shifted `offset` m to the left. */
  pointAt(d: number, offset = 0, hint = 0): { x: number; y: number; heading: number; index: number } {
    this.ensure(d + 1);
    const n = this.x.length;
    let i = Math.min(Math.max(hint, 0), n - 2);
    while (i < n - 2 && this.d[i + 1] < d) i++;
    while (i > 0 && this.d[i] > d) i--;
    const span = this.d[i + 1] - this.d[i];
    const f = span > 0 ? (d - this.d[i]) / span : 0;
    const x = this.x[i] + f * (this.x[i + 1] - this.x[i]);
    const y = this.y[i] + f * (this.y[i + 1] - this.y[i]);
    const heading = Math.atan2(this.y[i + 1] - this.y[i], this.x[i + 1] - this.x[i]);
    return { x: x - offset * Math.sin(heading), y: y + offset * Math.cos(heading), heading, index: i };
  }

  /** Road coordinates at a projection: road, lane, section, s and the lane centre's t. */
  roadAt(p: Projection): { road: string; lane: number; section: number; s: number; tCenter: number; forward: boolean } {
    const i = p.index;
    const run = this.runs[this.runIndex[i]];
    const nextRun = this.runs[this.runIndex[i + 1]];
    const f = Math.min(Math.max(p.f, 0), 1);
    const useNext = nextRun !== run && f > 0.5;
    const r = useNext ? nextRun : run;
    let s: number, t: number;
    if (nextRun === run) {
      s = this.s[i] + f * (this.s[i + 1] - this.s[i]);
      t = this.t[i] + f * (this.t[i + 1] - this.t[i]);
    } else {
      s = useNext ? this.s[i + 1] : this.s[i];
      t = useNext ? this.t[i + 1] : this.t[i];
    }
    const forward = this.network.road(r.road).laneRunsWithS(r.lane) !== this.against;
    return { road: r.road, lane: r.lane, section: r.section, s, tCenter: t, forward };
  }

  /** Distance along the path of a point given in road coordinates on one of its runs at or after `fromIndex`. */
  distanceOf(road: string, lane: number | undefined, s: number, fromIndex: number, maxD: number): number | undefined {
    let start = this.runIndex[Math.min(fromIndex, this.runIndex.length - 1)];
    for (let r = start; r < this.runs.length; r++) {
      const run = this.runs[r];
      if (this.d[run.i0] > maxD) return undefined;
      if (run.road !== road || (lane !== undefined && run.lane !== lane)) continue;
      const sa = this.s[run.i0], sb = this.s[run.i1];
      const lo = Math.min(sa, sb), hi = Math.max(sa, sb);
      if (s < lo - 1e-6 || s > hi + 1e-6) continue;
      // Samples are uniform in s within a run: find the segment by s.
      const span = sb - sa;
      const count = run.i1 - run.i0;
      let k = span !== 0 ? Math.floor(((s - sa) / span) * count) : 0;
      k = Math.min(Math.max(k, 0), Math.max(count - 1, 0));
      let i = run.i0 + k;
      while (i < run.i1 - 1 && (this.s[i + 1] - s) * Math.sign(span) < 0) i++;
      while (i > run.i0 && (this.s[i] - s) * Math.sign(span) > 0) i--;
      const ds = this.s[Math.min(i + 1, run.i1)] - this.s[i];
      const f = ds !== 0 ? (s - this.s[i]) / ds : 0;
      const j = Math.min(i + 1, run.i1);
      return this.d[i] + f * (this.d[j] - this.d[i]);
    }
    start = 0;
    return undefined;
  }

  /** Drops samples well behind `index`, keeping distances as they were; returns the shift. */
  trim(index: number): number {
    const keep = 50;
    if (index < 1000) return 0;
    const cut = index - keep;
    const firstRun = this.runIndex[cut];
    this.x = this.x.slice(cut); this.y = this.y.slice(cut); this.heading = this.heading.slice(cut);
    this.s = this.s.slice(cut); this.t = this.t.slice(cut); this.d = this.d.slice(cut);
    this.runIndex = this.runIndex.slice(cut).map((r) => r - firstRun);
    this.runs.splice(0, firstRun);
    if (this.pending) this.pending.runId -= firstRun;
    for (const run of this.runs) {
      run.i0 = Math.max(0, run.i0 - cut);
      run.i1 -= cut;
    }
    return cut;
  }
}

function sameRef(a: LaneRef, b: LaneRef): boolean {
  return a.road === b.road && a.section === b.section && a.lane === b.lane;
}

/** The angle in (−π, π]. */
export function wrapAngle(a: number): number {
  return a - 2 * Math.PI * Math.ceil((a - Math.PI) / (2 * Math.PI));
}
