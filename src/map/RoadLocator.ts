import { UserError } from '../core/errors.js';
import type { Road } from './Road.js';

/** Where a world point lies on the road network. */
export interface RoadPosition {
  road: string;
  /** The lane containing the point, or the nearest lane where it lies off the road. */
  lane: number;
  section: number;
  s: number;
  t: number;
  /** Horizontal distance from the point to the lane (0 inside it), in metres. */
  distance: number;
  /** Height of the point above the road surface there (0 where no z was given). */
  dz: number;
}

/** The grid's cell size (m), unless the map needs coarser cells (MAX_CELL_ENTRIES). */
const CELL = 10;
/**
 * Most (cell, chord) entries the grid holds. Roads many hundreds of metres wide would put
 * each chord in thousands of 10 m cells; the cell size doubles until the entries fit, which
 * leaves every map of ordinary roads on 10 m cells.
 */
export const MAX_CELL_ENTRIES = 4_000_000;
/**
 * Most chords one cell may list. A query refines every chord near it, so roads piled on one
 * another (a road that winds over itself, dozens of copies of one road) make every query
 * cost as much as the pile is deep. The busiest cell of the esmini corpus and the bundled
 * town, in a junction of thirteen roads, lists 54.
 */
export const MAX_CELL_CHORDS = 256;
const STEP = 4;
const MARGIN = 1;
const NEWTON_STEPS = 8;

/**
 * World → road coordinates. A uniform grid holds every road's reference line cut into short
 * chords, each cell listing the chords whose road surface (widened by its lanes) reaches it.
 * A query projects the point onto each candidate chord, refines s by Newton steps on the
 * true reference line (the foot of the perpendicular, corrected for curvature), then finds
 * the lane whose span holds t. Stacked roads (bridges) are told apart by z when it is given.
 */
export class RoadLocator {
  private readonly cells = new Map<number, number[]>();
  /** Cell size (m): CELL, or larger where the roads' extent needs it. */
  private readonly cell: number;
  private readonly segRoad: Int32Array;
  private readonly segS0: Float64Array;
  private readonly segS1: Float64Array;
  private readonly segXY: Float64Array;
  /** Largest distance of the road surface from each chord, for pruning before refinement. */
  private readonly segReach: Float64Array;
  private readonly stamp: Int32Array;
  private query = 0;
  private readonly candidates: number[] = [];
  private readonly candidateDistance: number[] = [];

  constructor(private readonly roads: readonly Road[], file = '') {
    const road: number[] = [];
    const s0: number[] = [];
    const s1: number[] = [];
    const xy: number[] = [];
    const boxes: number[] = [];
    const reach: number[] = [];
    roads.forEach((r, index) => {
      const cuts = new Set<number>([0, r.length]);
      for (const g of r.referenceLine.geometries) cuts.add(Math.min(g.s, r.length));
      for (const section of r.sections) cuts.add(section.s);
      const sorted = [...cuts].sort((a, b) => a - b);
      for (let i = 1; i < sorted.length; i++) {
        const n = Math.max(1, Math.ceil((sorted[i] - sorted[i - 1]) / STEP));
        for (let j = 0; j < n; j++) {
          const a = sorted[i - 1] + ((sorted[i] - sorted[i - 1]) * j) / n;
          const b = sorted[i - 1] + ((sorted[i] - sorted[i - 1]) * (j + 1)) / n;
          road.push(index); s0.push(a); s1.push(b);
          const pa = r.pose(a, 0);
          const pb = r.pose(b, 0);
          xy.push(pa.x, pa.y, pb.x, pb.y);
          let minX = Infinity, minY = Infinity, maxX = -Infinity, maxY = -Infinity;
          let far = 0;
          for (const s of [a, 0.5 * (a + b), b]) {
            const spans = r.laneSpans(s, r.sectionAt(Math.min(s, r.sectionAt(a).end - 1e-9)));
            const ts = [spans.center, ...spans.left.map((x) => x.outer), ...spans.right.map((x) => x.outer), 0];
            for (const t of ts) {
              const p = r.pose(s, t);
              far = Math.max(far, distanceToChord(p.x, p.y, pa.x, pa.y, pb.x, pb.y));
              minX = Math.min(minX, p.x); maxX = Math.max(maxX, p.x);
              minY = Math.min(minY, p.y); maxY = Math.max(maxY, p.y);
            }
          }
          boxes.push(minX - MARGIN, minY - MARGIN, maxX + MARGIN, maxY + MARGIN);
          // The surface between the three sampled stations bulges by at most the margin.
          reach.push(far + MARGIN);
        }
      }
    });
    this.segRoad = Int32Array.from(road);
    this.segS0 = Float64Array.from(s0);
    this.segS1 = Float64Array.from(s1);
    this.segXY = Float64Array.from(xy);
    this.segReach = Float64Array.from(reach);
    this.stamp = new Int32Array(road.length);
    this.cell = cellSize(boxes);
    const cell = this.cell;
    for (let i = 0; i < road.length; i++) {
      const [x0, y0, x1, y1] = boxes.slice(i * 4, i * 4 + 4);
      for (let cx = Math.floor(x0 / cell); cx <= Math.floor(x1 / cell); cx++) {
        for (let cy = Math.floor(y0 / cell); cy <= Math.floor(y1 / cell); cy++) {
          const key = cellKey(cx, cy);
          let list = this.cells.get(key);
          if (!list) this.cells.set(key, (list = []));
          list.push(i);
          if (list.length > MAX_CELL_CHORDS) {
            const r = roads[road[i]];
            throw new UserError(`road ${r.id}: more than ${MAX_CELL_CHORDS} pieces of road lie within one ${cell} m square near (${(cx + 0.5) * cell}, ${(cy + 0.5) * cell}); roads piled this deep on one another (a road winding over itself, many copies of a road) cannot be located in reasonable time`, `${file || '<map>'}:${r.line}`);
          }
        }
      }
    }
  }

  /**
   * The lane at (x, y), or the nearest lane within `radius` metres of it; undefined where no
   * road comes that close. With z, a point between stacked roads picks the nearer surface.
   */
  locate(x: number, y: number, z?: number, radius = 10): RoadPosition | undefined {
    return this.search(x, y, z, radius, false);
  }

  /**
   * Whether any lane lies within `radius` of (x, y): locate() !== undefined, answered at the
   * first lane found. Where roads lie on top of each other (a road that winds over itself
   * many times, bridges stacked high) locate() refines every one of them to pick the best.
   */
  near(x: number, y: number, radius: number): boolean {
    return this.search(x, y, undefined, radius, true) !== undefined;
  }

  private search(x: number, y: number, z: number | undefined, radius: number, first: boolean): RoadPosition | undefined {
    let best: RoadPosition | undefined;
    let bestScore = Infinity;
    let bestCentre = Infinity;
    this.query++;
    const cx = Math.floor(x / this.cell);
    const cy = Math.floor(y / this.cell);
    const rings = Math.ceil(radius / this.cell);
    for (let ring = 0; ring <= rings; ring++) {
      for (let i = cx - ring; i <= cx + ring; i++) {
        for (let j = cy - ring; j <= cy + ring; j++) {
          if (Math.max(Math.abs(i - cx), Math.abs(j - cy)) !== ring) continue;
          const list = this.cells.get(cellKey(i, j));
          if (!list) continue;
          for (const seg of list) {
            if (this.stamp[seg] === this.query) continue;
            this.stamp[seg] = this.query;
            const xy = this.segXY;
            this.candidates.push(seg);
            this.candidateDistance.push(distanceToChord(x, y, xy[seg * 4], xy[seg * 4 + 1], xy[seg * 4 + 2], xy[seg * 4 + 3]) - this.segReach[seg]);
          }
        }
      }
      // Nearest chords first; a chord farther than the best answer so far cannot beat it, and
      // a chord next to one already refined on the same road leads to the same foot point.
      const order = this.candidates.map((_, k) => k).sort((a, b) => this.candidateDistance[a] - this.candidateDistance[b]);
      const refined: number[] = [];
      for (const k of order) {
        const seg = this.candidates[k];
        if (this.candidateDistance[k] > radius || (best && this.candidateDistance[k] > bestScore)) break;
        if (refined.some((r) => this.segRoad[r] === this.segRoad[seg] && Math.abs(r - seg) <= 2)) continue;
        refined.push(seg);
        const found = this.refine(seg, x, y, z);
        if (!found || found.distance > radius) continue;
        if (first) {
          this.candidates.length = 0;
          this.candidateDistance.length = 0;
          return found.position;
        }
        const score = found.distance + Math.abs(found.dz);
        const centre = found.centreOffset;
        // Equal scores (overlapping junction lanes) go to the lane whose centre is nearer.
        if (score < bestScore - 1e-6 || (score < bestScore + 1e-6 && centre < bestCentre)) {
          best = found.position;
          bestScore = score;
          bestCentre = centre;
        }
      }
      this.candidates.length = 0;
      this.candidateDistance.length = 0;
      // Inside a lane already: every chord whose surface covers the point is in the first cell.
      if (best && best.distance === 0) break;
    }
    return best;
  }

  private refine(seg: number, x: number, y: number, z: number | undefined): { position: RoadPosition; distance: number; dz: number; centreOffset: number } | undefined {
    const road = this.roads[this.segRoad[seg]];
    const s0 = this.segS0[seg];
    const s1 = this.segS1[seg];
    const ax = this.segXY[seg * 4], ay = this.segXY[seg * 4 + 1];
    const bx = this.segXY[seg * 4 + 2], by = this.segXY[seg * 4 + 3];
    const dx = bx - ax, dy = by - ay;
    const len2 = dx * dx + dy * dy;
    const f = len2 > 0 ? Math.min(Math.max(((x - ax) * dx + (y - ay) * dy) / len2, 0), 1) : 0;
    let s = s0 + f * (s1 - s0);
    // Neighbouring chords are skipped once this one is refined, so the foot may lie on them.
    const lo = Math.max(0, s0 - 2 * STEP);
    const hi = Math.min(road.length, s1 + 2 * STEP);
    let p = road.referenceLine.evaluate(s);
    for (let k = 0; k < NEWTON_STEPS; k++) {
      const c = Math.cos(p.heading), sn = Math.sin(p.heading);
      const ex = x - p.x, ey = y - p.y;
      const along = ex * c + ey * sn;
      const across = -ex * sn + ey * c;
      const kappa = road.referenceLine.curvature(s);
      const denom = 1 - kappa * across;
      const step = denom > 0.1 ? along / denom : along;
      const next = Math.min(Math.max(s + step, lo), hi);
      if (Math.abs(next - s) < 1e-10) break;
      s = next;
      p = road.referenceLine.evaluate(s);
    }
    const ex = x - p.x, ey = y - p.y;
    const roll = road.superelevation.value(s);
    const horizontal = -ex * Math.sin(p.heading) + ey * Math.cos(p.heading);
    const t = roll === 0 ? horizontal : horizontal / Math.cos(roll);
    // Where Newton stopped at a bound (a road end, or the reach of this chord) the point lies
    // beyond the foot; elsewhere only rounding is left, which must not count as distance.
    const residual = Math.abs(ex * Math.cos(p.heading) + ey * Math.sin(p.heading));
    const along = residual > 1e-7 ? residual : 0;
    const section = road.sectionAt(s);
    const spans = road.laneSpans(s, section);
    let lane = 0;
    let gap = Infinity;
    let centreOffset = Infinity;
    for (const span of t >= spans.center ? spans.left : spans.right) {
      const a = Math.min(span.inner, span.outer);
      const b = Math.max(span.inner, span.outer);
      if (b - a < 1e-6) continue;
      const g = t < a ? a - t : t > b ? t - b : 0;
      if (g < gap - 1e-12) {
        gap = g;
        lane = span.lane.id;
        centreOffset = Math.abs(t - 0.5 * (a + b));
      }
      if (g === 0) break;
    }
    if (lane === 0) {
      // The point is on the side without lanes: take the nearest lane on the other side.
      for (const span of t >= spans.center ? spans.right : spans.left) {
        const a = Math.min(span.inner, span.outer);
        const b = Math.max(span.inner, span.outer);
        if (b - a < 1e-6) continue;
        const g = t < a ? a - t : t > b ? t - b : 0;
        if (g < gap) { gap = g; lane = span.lane.id; centreOffset = Math.abs(t - 0.5 * (a + b)); }
      }
      if (lane === 0) return undefined;
    }
    const distance = Math.hypot(gap, along);
    let dz = 0;
    if (z !== undefined) {
      const q = road.pose(s, t);
      dz = z - q.z;
    }
    return {
      position: { road: road.id, lane, section: road.sections.indexOf(section), s, t, distance, dz },
      distance,
      dz,
      centreOffset,
    };
  }
}

function distanceToChord(x: number, y: number, ax: number, ay: number, bx: number, by: number): number {
  const dx = bx - ax, dy = by - ay;
  const len2 = dx * dx + dy * dy;
  const f = len2 > 0 ? Math.min(Math.max(((x - ax) * dx + (y - ay) * dy) / len2, 0), 1) : 0;
  return Math.hypot(x - ax - f * dx, y - ay - f * dy);
}

/** The smallest of CELL, 2 CELL, 4 CELL, ... at which the chords' boxes take at most MAX_CELL_ENTRIES entries. */
function cellSize(boxes: readonly number[]): number {
  for (let cell = CELL; ; cell *= 2) {
    let entries = 0;
    for (let i = 0; i < boxes.length && entries <= MAX_CELL_ENTRIES; i += 4) {
      entries += (Math.floor(boxes[i + 2] / cell) - Math.floor(boxes[i] / cell) + 1) * (Math.floor(boxes[i + 3] / cell) - Math.floor(boxes[i + 1] / cell) + 1);
    }
    // Cells wider than the whole map: every box is in at most four, whatever their number.
    if (entries <= MAX_CELL_ENTRIES || cell > 1e9) return cell;
  }
}

/**
 * One number per cell. Cells within ±2^24 of the origin get distinct keys under 2^50: with
 * coordinates within MapLimits (1e8 m) and cells of at least 10 m, that is every cell.
 */
function cellKey(cx: number, cy: number): number {
  return (cx + 0x1000000) * 0x2000000 + (cy + 0x1000000);
}
