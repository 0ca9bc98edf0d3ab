import { MeshBuilder } from '../core/MeshBuilder.js';
import { classId } from '../core/semantic.js';
import type { Lane, LaneSection, Road } from './Road.js';
import type { RoadNetwork } from './RoadNetwork.js';

export interface RoadMeshOptions {
  /** Largest distance between the tessellated surface and the true reference line (m). */
  chordError?: number;
  /** Longest step along s even on straight road (m), so width and elevation cubics are followed. */
  maxStep?: number;
}

export const SIDEWALK_HEIGHT = 0.15;
const MARKING_LIFT = 0.005;
const BROKEN_MARK = 3;
const BROKEN_GAP = 6;

const ROAD_SURFACE_TYPES = new Set(['driving', 'entry', 'exit', 'onRamp', 'offRamp', 'connectingRamp', 'bidirectional', 'parking', 'biking', 'stop', 'slipLane', 'tram', 'rail', 'bus', 'taxi', 'HOV']);

function laneClass(lane: Lane): number {
  if (lane.type === 'sidewalk' || lane.type === 'walking' || lane.type === 'curb') return classId('sidewalk');
  if (lane.type === 'shoulder' || lane.type === 'border' || lane.type === 'restricted') return classId('shoulder');
  if (lane.type === 'median' || lane.type === 'none') return classId('terrain');
  return ROAD_SURFACE_TYPES.has(lane.type) ? classId('road') : classId('shoulder');
}

function raised(lane: Lane): number {
  return lane.type === 'sidewalk' || lane.type === 'walking' ? SIDEWALK_HEIGHT : 0;
}

/** The s values at which a lane section is sampled: its ends, every breakpoint, and enough between. */
export function sampleStations(road: Road, section: LaneSection, options: RoadMeshOptions = {}): number[] {
  const chordError = options.chordError ?? 0.02;
  const maxStep = options.maxStep ?? 2;
  const cuts = new Set<number>([section.s, section.end]);
  for (const g of road.referenceLine.geometries) cuts.add(g.s).add(g.s + g.length);
  for (const b of road.elevation.breakpoints()) cuts.add(b);
  for (const b of road.laneOffset.breakpoints()) cuts.add(b);
  for (const lane of [...section.left, ...section.right]) {
    for (const b of lane.width.breakpoints()) cuts.add(section.s + b);
    for (const m of lane.roadMarks) cuts.add(section.s + m.sOffset);
  }
  const sorted = [...cuts].filter((s) => s >= section.s && s <= section.end).sort((a, b) => a - b);
  const stations: number[] = [sorted[0]];
  for (let i = 1; i < sorted.length; i++) {
    const a = sorted[i - 1];
    const b = sorted[i];
    if (b - a < 1e-9) continue;
    const geometry = road.referenceLine.geometryAt(0.5 * (a + b));
    const k = Math.abs(geometry.curvature(0.5 * (a + b) - geometry.s));
    // A chord of length L on a circle of curvature k strays k L^2 / 8 from the arc.
    const step = k > 0 ? Math.min(maxStep, Math.sqrt((8 * chordError) / k)) : maxStep;
    const n = Math.max(1, Math.ceil((b - a) / step));
    for (let j = 1; j <= n; j++) stations.push(a + ((b - a) * j) / n);
  }
  return stations;
}

/** Tessellates every lane of every road: surfaces, kerbs and raised lane markings. */
export function buildRoadMesh(network: RoadNetwork, options: RoadMeshOptions = {}): MeshBuilder {
  const mesh = new MeshBuilder();
  for (const road of network.roads) {
    for (const section of road.sections) {
      if (section.end - section.s < 1e-9) continue;
      const stations = sampleStations(road, section, options);
      addSection(mesh, road, section, stations);
    }
  }
  return mesh;
}

function addSection(mesh: MeshBuilder, road: Road, section: LaneSection, stations: number[]): void {
  const spansAt = stations.map((s) => road.laneSpans(s, section));
  const point = (s: number, t: number, lift: number): number[] => {
    const p = road.pose(s, t);
    return [p.x, p.y, p.z + lift];
  };
  const lanes = [...section.left, ...section.right];
  for (const lane of lanes) {
    const cls = laneClass(lane);
    const lift = raised(lane);
    const left = lane.id > 0;
    for (let i = 1; i < stations.length; i++) {
      const s0 = stations[i - 1];
      const s1 = stations[i];
      const a = findSpan(spansAt[i - 1], lane);
      const b = findSpan(spansAt[i], lane);
      if (Math.abs(a.outer - a.inner) < 1e-6 && Math.abs(b.outer - b.inner) < 1e-6) continue;
      const in0 = point(s0, a.inner, lift), out0 = point(s0, a.outer, lift);
      const in1 = point(s1, b.inner, lift), out1 = point(s1, b.outer, lift);
      // Wind counter-clockwise seen from above on both sides of the reference line.
      if (left) mesh.quad(out0, in0, in1, out1, cls);
      else mesh.quad(in0, out0, out1, in1, cls);
      if (lift > 0) {
        // The kerb face on the inner border, down to the road surface.
        mesh.quad(point(s0, a.inner, 0), point(s1, b.inner, 0), in1, in0, cls);
      }
    }
    addMarks(mesh, road, section, lane, stations);
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
    const lines = mark.type === 'solid' || mark.type === 'broken' ? [0]
      : mark.type === 'solid solid' || mark.type === 'broken broken' || mark.type === 'solid broken' || mark.type === 'broken solid'
        ? [-mark.width, mark.width] : [];
    for (const [lineIndex, offset] of lines.entries()) {
      const broken = mark.type.split(' ')[lineIndex] === 'broken';
      const lift = raised(lane) + MARKING_LIFT;
      for (let i = 1; i < stations.length; i++) {
        let s0 = stations[i - 1];
        let s1 = stations[i];
        if (s1 <= start || s0 >= end) continue;
        s0 = Math.max(s0, start);
        s1 = Math.min(s1, end);
        for (const [a, b] of broken ? dashes(s0, s1, start) : [[s0, s1]]) {
          const ta = findSpan(road.laneSpans(a, section), lane).outer + offset;
          const tb = findSpan(road.laneSpans(b, section), lane).outer + offset;
          const h = mark.width / 2;
          const pa = road.pose(a, ta), pb = road.pose(b, tb);
          const sideA = [-Math.sin(pa.heading) * h, Math.cos(pa.heading) * h];
          const sideB = [-Math.sin(pb.heading) * h, Math.cos(pb.heading) * h];
          mesh.quad(
            [pa.x - sideA[0], pa.y - sideA[1], pa.z + lift], [pb.x - sideB[0], pb.y - sideB[1], pb.z + lift],
            [pb.x + sideB[0], pb.y + sideB[1], pb.z + lift], [pa.x + sideA[0], pa.y + sideA[1], pa.z + lift],
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
