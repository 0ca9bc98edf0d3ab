import type { RoadNetwork } from '../map/RoadNetwork.js';
import type { Road } from '../map/Road.js';
import { DRIVABLE_TYPES } from '../map/LaneGraph.js';
import type { MovingBox } from './Criticality.js';

/**
 * The map's conflict areas, where PET (post-encroachment time) is measured: the overlaps of
 * two lanes of a junction that cross or merge (lanes that only leave the same incoming lane
 * share its start, which is no conflict), and the overlap of each crosswalk with each driving
 * lane it crosses. An area is held as the centres of CELL-sized squares it covers (curved
 * junction lanes overlap in no simple shape); a footprint occupies it when it covers one of
 * them, so entry and exit times are exact to half a cell of travel.
 */
export interface ConflictArea {
  id: string;
  kind: 'junction' | 'crosswalk';
  /** Cell centres, x then y. */
  cells: Float64Array;
  /** Bounds of the cells: min x, min y, max x, max y. */
  bounds: [number, number, number, number];
}

/** Side of a cell (m): 0.2 m is 0.02 s of travel at 5 m/s either side of the exact time. */
export const CELL = 0.2;
/** Spacing of the samples along a lane when it is rasterised (m). */
const STEP = 0.25;
/** Fewest cells an overlap must cover to be a conflict area (lanes that touch along an edge are not). */
const MIN_CELLS = 4;

/** Every conflict area of a map. */
export function conflictAreas(network: RoadNetwork): ConflictArea[] {
  const areas: ConflictArea[] = [];
  const byJunction = new Map<string, { road: Road; lane: number; cells: Set<number>; from: string }[]>();
  for (const road of network.roads) {
    if (road.junction === '-1') continue;
    for (const lane of drivingLanes(road)) {
      const list = byJunction.get(road.junction) ?? [];
      const incoming = road.laneRunsWithS(lane) ? road.predecessor : road.successor;
      list.push({ road, lane, cells: laneCells(road, lane, 0, road.length), from: `${incoming?.elementId ?? ''}` });
      byJunction.set(road.junction, list);
    }
  }
  for (const [junction, lanes] of byJunction) {
    for (let a = 0; a < lanes.length; a++) {
      for (let b = a + 1; b < lanes.length; b++) {
        const x = lanes[a], y = lanes[b];
        if (x.road === y.road || x.from === y.from) continue;
        const shared = [...x.cells].filter((c) => y.cells.has(c));
        if (shared.length >= MIN_CELLS) areas.push(area(`junction ${junction}: ${x.road.id}:${x.lane} × ${y.road.id}:${y.lane}`, 'junction', shared));
      }
    }
  }
  for (const road of network.roads) {
    for (const crosswalk of road.crosswalks) {
      const inside = polygonCells(crosswalk.corners);
      const near = boundsOf(crosswalk.corners, 1);
      for (const lane of drivingLanes(road)) {
        const lanes = laneCells(road, lane, 0, road.length, near);
        const shared = [...inside].filter((c) => lanes.has(c));
        if (shared.length >= MIN_CELLS) areas.push(area(`crosswalk ${crosswalk.id} × ${road.id}:${lane}`, 'crosswalk', shared));
      }
    }
  }
  return areas;
}

/** Whether a footprint covers a cell of the area. */
export function occupies(box: MovingBox, area: ConflictArea): boolean {
  const c = Math.cos(box.heading), s = Math.sin(box.heading);
  const hl = box.length / 2, hw = box.width / 2;
  // The footprint's own bounds first: most areas are far away.
  const ex = Math.abs(c) * hl + Math.abs(s) * hw, ey = Math.abs(s) * hl + Math.abs(c) * hw;
  const [x0, y0, x1, y1] = area.bounds;
  if (box.x + ex < x0 || box.x - ex > x1 || box.y + ey < y0 || box.y - ey > y1) return false;
  const cells = area.cells;
  for (let k = 0; k < cells.length; k += 2) {
    const dx = cells[k] - box.x, dy = cells[k + 1] - box.y;
    if (Math.abs(dx * c + dy * s) <= hl && Math.abs(-dx * s + dy * c) <= hw) return true;
  }
  return false;
}

function drivingLanes(road: Road): number[] {
  const section = road.sections[0];
  return [...section.left, ...section.right].filter((l) => DRIVABLE_TYPES.has(l.type)).map((l) => l.id);
}

/** A grid square's number from its indices (|i|, |j| < 2^20): offset to be non-negative, in one double (exact below 2^53). */
const OFFSET = 2 ** 20;
export const gridKey = (i: number, j: number): number => (i + OFFSET) * 2 ** 21 + (j + OFFSET);

/**
 * The cells whose centres a lane's strip covers between s0 and s1: quads between samples STEP
 * apart, each rasterised; only quads reaching into `near` (min x, min y, max x, max y) if given.
 */
function laneCells(road: Road, lane: number, s0: number, s1: number, near?: [number, number, number, number]): Set<number> {
  const out = new Set<number>();
  const n = Math.max(1, Math.ceil((s1 - s0) / STEP));
  let last: { x: number; y: number }[] | undefined;
  for (let k = 0; k <= n; k++) {
    const s = Math.min(s1, s0 + (k * (s1 - s0)) / n);
    const span = road.laneSpan(lane, s);
    if (!span) {
      last = undefined;
      continue;
    }
    const a = road.pose(s, span.inner), b = road.pose(s, span.outer);
    const edge = [{ x: a.x, y: a.y }, { x: b.x, y: b.y }];
    const quad = last && [last[0], last[1], edge[1], edge[0]];
    if (quad && (!near || overlaps(boundsOf(quad, 0), near))) for (const c of polygonCells(quad)) out.add(c);
    last = edge;
  }
  return out;
}

function boundsOf(points: readonly { x: number; y: number }[], margin: number): [number, number, number, number] {
  const xs = points.map((p) => p.x), ys = points.map((p) => p.y);
  return [Math.min(...xs) - margin, Math.min(...ys) - margin, Math.max(...xs) + margin, Math.max(...ys) + margin];
}

function overlaps(a: readonly number[], b: readonly number[]): boolean {
  return a[0] <= b[2] && b[0] <= a[2] && a[1] <= b[3] && b[1] <= a[3];
}

/** The cells whose centres lie inside a (convex or not) polygon, by the even-odd rule. */
function polygonCells(corners: readonly { x: number; y: number }[]): Set<number> {
  const out = new Set<number>();
  const xs = corners.map((c) => c.x), ys = corners.map((c) => c.y);
  const i0 = Math.ceil(Math.min(...xs) / CELL - 0.5), i1 = Math.floor(Math.max(...xs) / CELL - 0.5);
  const j0 = Math.ceil(Math.min(...ys) / CELL - 0.5), j1 = Math.floor(Math.max(...ys) / CELL - 0.5);
  for (let i = i0; i <= i1; i++) {
    for (let j = j0; j <= j1; j++) {
      const px = (i + 0.5) * CELL, py = (j + 0.5) * CELL;
      let inside = false;
      for (let k = 0, m = corners.length - 1; k < corners.length; m = k++) {
        const a = corners[k], b = corners[m];
        if ((a.y > py) !== (b.y > py) && px < ((b.x - a.x) * (py - a.y)) / (b.y - a.y) + a.x) inside = !inside;
      }
      if (inside) out.add(gridKey(i, j));
    }
  }
  return out;
}

function area(id: string, kind: ConflictArea['kind'], keys: number[]): ConflictArea {
  const cells = new Float64Array(keys.length * 2);
  const bounds: [number, number, number, number] = [Infinity, Infinity, -Infinity, -Infinity];
  keys.sort((a, b) => a - b).forEach((k, n) => {
    const i = Math.floor(k / 2 ** 21) - OFFSET, j = (k % 2 ** 21) - OFFSET;
    const x = (i + 0.5) * CELL, y = (j + 0.5) * CELL;
    cells[n * 2] = x;
    cells[n * 2 + 1] = y;
    bounds[0] = Math.min(bounds[0], x); bounds[1] = Math.min(bounds[1], y); bounds[2] = Math.max(bounds[2], x); bounds[3] = Math.max(bounds[3], y);
  });
  return { id, kind, cells, bounds };
}
