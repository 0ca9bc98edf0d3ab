import { UserError } from '../core/errors.js';
import { MeshBuilder } from '../core/MeshBuilder.js';
import { DEFAULT_MATERIAL_BY_CLASS, materialId } from '../core/materials.js';
import { lastAtOrBefore } from '../core/search.js';
import { classId } from '../core/semantic.js';
import type { Lane, LaneSection, Road } from './Road.js';
import type { RoadNetwork } from './RoadNetwork.js';
import { DRIVABLE_TYPES } from './LaneGraph.js';

export interface RoadMeshOptions {
  /** Largest distance between the tessellated surface and the true road surface (m). */
  chordError?: number;
  /** Longest step along s even where the road is flat and straight (m). */
  maxStep?: number;
  /** Shortest step the refinement goes down to (m), so a kink cannot recurse forever. */
  minStep?: number;
}

/**
 * Most border samples (stations times the borders cut at each) one mesh may take, about a
 * million triangles. The chord error refines a tight bend down to the shortest step, so a
 * map within MapLimits could still ask for hundreds of millions; the bundled town takes
 * 3,000, and 500 km of streets 120,000.
 */
export const MAX_MESH_SAMPLES = 500_000;

/** The samples a mesh has left; taking more than MAX_MESH_SAMPLES is a UserError naming the road. */
export class SampleBudget {
  #left = MAX_MESH_SAMPLES;

  constructor(private readonly file = '') {}

  take(road: Road, samples: number): void {
    this.#left -= samples;
    if (this.#left < 0) {
      throw new UserError(`road ${road.id}: the road mesh needs more than ${MAX_MESH_SAMPLES.toLocaleString('en-US')} samples (stations along the roads times lane borders); the roads are too long, too many or bend too tightly to draw`, `${this.file || '<map>'}:${road.line}`);
    }
  }
}

const MARKING_LIFT = 0.005;
const BROKEN_MARK = 3;
const BROKEN_GAP = 6;

/** Paved for traffic: every lane vehicles drive on, and the paved lanes they do not. */
const ROAD_SURFACE_TYPES = new Set([...DRIVABLE_TYPES, 'parking', 'biking', 'stop', 'tram', 'rail']);

export function laneClass(lane: Lane): number {
  if (lane.type === 'sidewalk' || lane.type === 'walking' || lane.type === 'curb') return classId('sidewalk');
  if (lane.type === 'shoulder' || lane.type === 'border' || lane.type === 'restricted') return classId('shoulder');
  if (lane.type === 'median' || lane.type === 'none') return classId('terrain');
  return ROAD_SURFACE_TYPES.has(lane.type) ? classId('road') : classId('shoulder');
}

/** Lateral offsets of every border at s: right outermost first, then the centre, then left outward. */
function bordersAt(road: Road, section: LaneSection, s: number): number[] {
  const spans = road.laneSpans(s, section);
  const out: number[] = [];
  for (let i = spans.right.length - 1; i >= 0; i--) out.push(spans.right[i].outer);
  out.push(spans.center);
  for (const span of spans.left) out.push(span.outer);
  return out;
}

/** World points of every border at s, flattened x, y, z. */
function borderPoints(road: Road, section: LaneSection, s: number): Float64Array {
  const ts = bordersAt(road, section, s);
  const out = new Float64Array(ts.length * 3);
  ts.forEach((t, i) => {
    const p = road.pose(s, t);
    out[i * 3] = p.x; out[i * 3 + 1] = p.y; out[i * 3 + 2] = p.z;
  });
  return out;
}

/** Largest distance between the true borders at s and the chord between the borders at a and b. */
function chordDeviation(road: Road, section: LaneSection, a: number, pa: Float64Array, b: number, pb: Float64Array, s: number): number {
  const f = (s - a) / (b - a);
  const p = borderPoints(road, section, s);
  let worst = 0;
  for (let i = 0; i < p.length; i += 3) {
    const dx = p[i] - (pa[i] + f * (pb[i] - pa[i]));
    const dy = p[i + 1] - (pa[i + 1] + f * (pb[i + 1] - pa[i + 1]));
    const dz = p[i + 2] - (pa[i + 2] + f * (pb[i + 2] - pa[i + 2]));
    worst = Math.max(worst, Math.hypot(dx, dy, dz));
  }
  return worst;
}

/**
 * The s values at which a lane section is cut across: its ends, every place a piece of the
 * road's description starts (geometry, elevation, superelevation, lane offset, widths,
 * marks), and between those, halvings until every lane border strays less than the chord
 * error from the straight pieces between stations (checked at the quarter points, so an
 * S-bend whose midpoint happens to lie on the chord is still refined).
 */
export function sampleStations(road: Road, section: LaneSection, options: RoadMeshOptions = {}, budget = new SampleBudget()): number[] {
  const chordError = options.chordError ?? 0.02;
  const maxStep = options.maxStep ?? 20;
  const minStep = options.minStep ?? 0.05;
  const cuts = new Set<number>([section.s, section.end]);
  for (const g of road.referenceLine.geometries) cuts.add(g.s).add(g.s + g.length);
  for (const p of [road.elevation, road.laneOffset, road.superelevation]) for (const b of p.breakpoints()) cuts.add(b);
  for (const lane of [...section.left, ...section.right, section.center]) {
    for (const b of lane.width.breakpoints()) cuts.add(section.s + b);
    for (const b of lane.border?.breakpoints() ?? []) cuts.add(section.s + b);
    for (const m of lane.roadMarks) cuts.add(section.s + m.sOffset);
    for (const h of lane.heights ?? []) cuts.add(section.s + h.sOffset);
  }
  const sorted = [...cuts].filter((s) => s > section.s + 1e-9 && s < section.end - 1e-9).sort((a, b) => a - b);
  const stations: number[] = [section.s];
  const borders = section.left.length + section.right.length + 1;
  const take = (): void => budget.take(road, borders);
  take();
  let a = section.s;
  let pa = borderPoints(road, section, a);
  for (const next of [...sorted, section.end]) {
    if (next - a < 1e-9) continue;
    const n = Math.max(1, Math.ceil((next - a) / maxStep));
    for (let j = 1; j <= n; j++) {
      const b = j === n ? next : a + ((next - a) * 1) / (n - j + 1);
      const pb = borderPoints(road, section, b);
      refine(road, section, a, pa, b, pb, chordError, minStep, stations, take);
      take();
      stations.push(b);
      a = b;
      pa = pb;
    }
  }
  return stations;
}

/** Pushes the stations strictly between a and b that bring the chord error under the bound. */
function refine(road: Road, section: LaneSection, a: number, pa: Float64Array, b: number, pb: Float64Array, chordError: number, minStep: number, out: number[], take: () => void): void {
  if (b - a <= minStep) return;
  const error = Math.max(
    chordDeviation(road, section, a, pa, b, pb, a + 0.25 * (b - a)),
    chordDeviation(road, section, a, pa, b, pb, 0.5 * (a + b)),
    chordDeviation(road, section, a, pa, b, pb, a + 0.75 * (b - a)),
  );
  if (error <= chordError) return;
  const m = 0.5 * (a + b);
  const pm = borderPoints(road, section, m);
  refine(road, section, a, pa, m, pm, chordError, minStep, out, take);
  take();
  out.push(m);
  refine(road, section, m, pm, b, pb, chordError, minStep, out, take);
}

/** One lane section cut across at its stations: each station's border points as in bordersAt. */
export interface SectionStrip {
  stations: number[];
  /** Per station, x, y, z of every border (right outermost, ..., centre, ..., left outermost). */
  borders: Float64Array[];
  /** The lane whose outer border each entry of `borders` is (0: the centre line). */
  ids: number[];
}

export function tessellateSection(road: Road, section: LaneSection, options: RoadMeshOptions = {}): SectionStrip {
  const stations = sampleStations(road, section, options);
  const ids = [...section.right.map((l) => l.id).reverse(), 0, ...section.left.map((l) => l.id)];
  return { stations, borders: stations.map((s) => borderPoints(road, section, s)), ids };
}

/** Tessellates every lane of every road (junction connecting roads too): surfaces, kerbs, markings, crosswalks. */
export function buildRoadMesh(network: RoadNetwork, options: RoadMeshOptions = {}): MeshBuilder {
  const mesh = new MeshBuilder();
  const budget = new SampleBudget(network.file);
  for (const road of network.roads) {
    for (const section of road.sections) {
      if (section.end - section.s < 1e-9) continue;
      addSection(mesh, road, section, sampleStations(road, section, options, budget));
    }
    addCrosswalks(mesh, road);
  }
  return mesh;
}

const ROAD = classId('road');
const KERB_STONE = materialId('kerb_stone');
const ASPHALT_NEW = materialId('asphalt_new');
const ASPHALT_WORN = materialId('asphalt_worn');

/**
 * A road's driving surface: worn (lighter, greyer asphalt) on about a third of the roads, new
 * and dark on the rest, chosen by a hash of the road's id so every run and every sensor agree.
 */
function roadSurfaceMaterial(road: Road): number {
  let h = 2166136261;
  for (let i = 0; i < road.id.length; i++) h = Math.imul(h ^ road.id.charCodeAt(i), 16777619);
  return (h >>> 0) % 3 === 0 ? ASPHALT_WORN : ASPHALT_NEW;
}

function addSection(mesh: MeshBuilder, road: Road, section: LaneSection, stations: number[]): void {
  const spansAt = stations.map((s) => road.laneSpans(s, section));
  const point = (s: number, t: number, lift: number): number[] => {
    const p = road.pose(s, t);
    return [p.x, p.y, p.z + lift];
  };
  const surface = roadSurfaceMaterial(road);
  for (const [side, lanes] of [[1, section.left], [-1, section.right]] as const) {
    let previous: Lane | undefined;
    for (const lane of lanes) {
      const cls = laneClass(lane);
      const material = cls === ROAD ? surface : DEFAULT_MATERIAL_BY_CLASS[cls];
      for (let i = 1; i < stations.length; i++) {
        const s0 = stations[i - 1];
        const s1 = stations[i];
        const a = findSpan(spansAt[i - 1], lane);
        const b = findSpan(spansAt[i], lane);
        if (Math.abs(a.outer - a.inner) < 1e-6 && Math.abs(b.outer - b.inner) < 1e-6) continue;
        const in0 = point(s0, a.inner, road.surfaceHeight(lane, section, s0, 0)), out0 = point(s0, a.outer, road.surfaceHeight(lane, section, s0, 1));
        const in1 = point(s1, b.inner, road.surfaceHeight(lane, section, s1, 0)), out1 = point(s1, b.outer, road.surfaceHeight(lane, section, s1, 1));
        // Wind counter-clockwise seen from above on both sides of the reference line.
        if (side > 0) mesh.quad(out0, in0, in1, out1, cls, material);
        else mesh.quad(in0, out0, out1, in1, cls, material);
        // A kerb: the step up (or down) from the inner neighbour's outer edge to this lane's inner edge.
        const below0 = previous ? road.surfaceHeight(previous, section, s0, 1) : 0;
        const below1 = previous ? road.surfaceHeight(previous, section, s1, 1) : 0;
        const step0 = in0[2] - point(s0, a.inner, below0)[2];
        const step1 = in1[2] - point(s1, b.inner, below1)[2];
        if (Math.abs(step0) > 1e-4 || Math.abs(step1) > 1e-4) {
          const high = step0 + step1 > 0 ? cls : laneClass(previous ?? lane);
          const foot0 = point(s0, a.inner, below0), foot1 = point(s1, b.inner, below1);
          if (side > 0) mesh.quad(foot0, foot1, in1, in0, high, KERB_STONE);
          else mesh.quad(foot1, foot0, in0, in1, high, KERB_STONE);
        }
      }
      addMarks(mesh, road, section, lane, stations);
      previous = lane;
    }
  }
  addMarks(mesh, road, section, section.center, stations);
}

function findSpan(spans: ReturnType<Road['laneSpans']>, lane: Lane): { inner: number; outer: number } {
  if (lane.id === 0) return { inner: spans.center, outer: spans.center };
  const list = lane.id > 0 ? spans.left : spans.right;
  return list.find((x) => x.lane === lane)!;
}

function addMarks(mesh: MeshBuilder, road: Road, section: LaneSection, lane: Lane, stations: number[]): void {
  const cls = classId('lane_marking');
  lane.roadMarks.forEach((mark, index) => {
    const start = section.s + mark.sOffset;
    const end = index + 1 < lane.roadMarks.length ? section.s + lane.roadMarks[index + 1].sOffset : section.end;
    const kinds = mark.type.split(' ');
    const lines = kinds.length === 1 && (mark.type === 'solid' || mark.type === 'broken') ? [0]
      : kinds.length === 2 && kinds.every((k) => k === 'solid' || k === 'broken') ? [-mark.width, mark.width] : [];
    // The first station interval that reaches past the mark's start (stations are sorted):
    // a lane with many marks must not walk every station for each.
    const first = Math.max(1, lastAtOrBefore(stations, start, (s) => s));
    for (const [lineIndex, offset] of lines.entries()) {
      const broken = kinds[lineIndex] === 'broken';
      for (let i = first; i < stations.length && stations[i - 1] < end; i++) {
        let s0 = stations[i - 1];
        let s1 = stations[i];
        if (s1 <= start || s0 >= end) continue;
        s0 = Math.max(s0, start);
        s1 = Math.min(s1, end);
        for (const [a, b] of broken ? dashes(s0, s1, start) : [[s0, s1]]) {
          const ta = findSpan(road.laneSpans(a, section), lane).outer + offset;
          const tb = findSpan(road.laneSpans(b, section), lane).outer + offset;
          const lift = (s: number): number => (lane.id === 0 ? 0 : road.surfaceHeight(lane, section, s, 1)) + MARKING_LIFT;
          const h = mark.width / 2;
          const pa = road.pose(a, ta), pb = road.pose(b, tb);
          const la = lift(a), lb = lift(b);
          const sideA = [-Math.sin(pa.heading) * h, Math.cos(pa.heading) * h];
          const sideB = [-Math.sin(pb.heading) * h, Math.cos(pb.heading) * h];
          mesh.quad(
            [pa.x - sideA[0], pa.y - sideA[1], pa.z + la], [pb.x - sideB[0], pb.y - sideB[1], pb.z + lb],
            [pb.x + sideB[0], pb.y + sideB[1], pb.z + lb], [pa.x + sideA[0], pa.y + sideA[1], pa.z + la],
            cls,
          );
        }
      }
    }
  });
}

/** The painted parts of a broken line within [s0, s1], with the pattern anchored at `origin`. */
function dashes(s0: number, s1: number, origin: number): [number, number][] {
  const period = BROKEN_MARK + BROKEN_GAP;
  const out: [number, number][] = [];
  let k = Math.floor((s0 - origin) / period);
  for (;; k++) {
    const a = origin + k * period;
    const b = a + BROKEN_MARK;
    if (a >= s1) break;
    const lo = Math.max(a, s0);
    const hi = Math.min(b, s1);
    if (hi > lo + 1e-9) out.push([lo, hi]);
  }
  return out;
}

/** Crosswalk outlines as painted polygons (a fan, as outlines are convex), just above the road. */
function addCrosswalks(mesh: MeshBuilder, road: Road): void {
  const cls = classId('lane_marking');
  for (const crosswalk of road.crosswalks) {
    const c = crosswalk.corners.map((p) => [p.x, p.y, p.z + MARKING_LIFT]);
    // Wind counter-clockwise from above whatever order the file lists the corners in.
    let area = 0;
    for (let i = 0; i < c.length; i++) {
      const j = (i + 1) % c.length;
      area += c[i][0] * c[j][1] - c[j][0] * c[i][1];
    }
    if (area < 0) c.reverse();
    for (let i = 1; i + 1 < c.length; i++) mesh.triangle(c[0], c[i], c[i + 1], cls);
  }
}
