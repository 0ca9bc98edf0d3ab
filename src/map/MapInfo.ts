import { UserError } from '../core/errors.js';
import type { Bounds2, RoadNetwork } from './RoadNetwork.js';
import { SIGNAL_KINDS, type SignalKind } from './Signal.js';

/** What `map info` reports about a network. */
export interface MapInfo {
  file: string;
  name: string;
  roads: number;
  junctions: number;
  /** Roads that belong to a junction (connecting roads). */
  connecting_roads: number;
  /** Total length of every road's reference line (m). */
  length_m: number;
  bbox: Bounds2;
  /** Lane counts by OpenDRIVE lane type, over every lane section. */
  lanes: Record<string, number>;
  lane_sections: number;
  crosswalks: number;
  /** Traffic signals and signs by kind (every kind listed, 0 when none), and what else places and switches them. */
  signals: Record<SignalKind, number>;
  signal_references: number;
  signal_controllers: number;
  stop_lines: number;
  warnings: string[];
}

export function mapInfo(network: RoadNetwork): MapInfo {
  const lanes: Record<string, number> = {};
  let sections = 0;
  for (const road of network.roads) {
    for (const section of road.sections) {
      sections++;
      for (const lane of [...section.left, ...section.right]) lanes[lane.type] = (lanes[lane.type] ?? 0) + 1;
    }
  }
  const signals = Object.fromEntries(SIGNAL_KINDS.map((k) => [k, 0])) as Record<SignalKind, number>;
  for (const signal of network.signals()) signals[signal.kind]++;
  const sorted = Object.fromEntries(Object.entries(lanes).sort(([a], [b]) => a.localeCompare(b)));
  return {
    file: network.file,
    name: network.name,
    roads: network.roads.length,
    junctions: network.junctions.length,
    connecting_roads: network.roads.filter((r) => r.junction !== '-1').length,
    length_m: network.totalLength(),
    bbox: network.bounds(),
    lanes: sorted,
    lane_sections: sections,
    crosswalks: network.roads.reduce((n, r) => n + r.crosswalks.length, 0),
    signals,
    signal_references: network.roads.reduce((n, r) => n + r.signalReferences.length, 0),
    signal_controllers: network.controllers.length,
    stop_lines: network.stopLines().length,
    warnings: [...network.warnings],
  };
}

/** One road as `map info --roads` lists it: enough to place actors without reading the XML. */
export interface RoadSummary {
  id: string;
  name: string;
  length_m: number;
  /** The junction the road belongs to, or undefined for a road outside junctions. */
  junction?: string;
  /** Lane sections in order: their s range and lanes (left by increasing id, then right). */
  sections: { s: number; end: number; lanes: { id: number; type: string }[] }[];
}

export function roadSummaries(network: RoadNetwork): RoadSummary[] {
  return network.roads.map((road) => ({
    id: road.id,
    name: road.name,
    length_m: road.length,
    ...(road.junction !== '-1' ? { junction: road.junction } : {}),
    sections: road.sections.map((section) => ({
      s: section.s,
      end: section.end,
      lanes: [...[...section.left].reverse(), ...section.right].map((lane) => ({ id: lane.id, type: lane.type })),
    })),
  }));
}

/** Most rows `map sample` prints: a step that asks for more is a mistake, not a wish for terabytes. */
export const MAX_SAMPLE_ROWS = 1_000_000;

/** One row of `map sample`: a reference-line point and each lane's centre t there. */
export interface ReferenceSample {
  s: number;
  x: number;
  y: number;
  z: number;
  heading: number;
  /** Lane id → lateral offset of its centre line (lanes of zero width included). */
  lanes: Record<string, number>;
}

/** A road's reference line every `step` metres of s, and the road's end. */
export function sampleReferenceLine(network: RoadNetwork, roadId: string, step: number): ReferenceSample[] {
  const road = network.road(roadId);
  const n = Math.max(1, Math.ceil(road.length / step - 1e-9));
  if (!(n <= MAX_SAMPLE_ROWS)) {
    throw new UserError(`a step of ${step} m gives ${Math.ceil(road.length / step)} samples along road ${road.id} (${road.length} m); at most ${MAX_SAMPLE_ROWS.toLocaleString('en-US')} are printed`, '--step');
  }
  const rows: ReferenceSample[] = [];
  for (let i = 0; i <= n; i++) {
    const s = Math.min(i * step, road.length);
    const p = road.pose(s, 0);
    const spans = road.laneSpans(s);
    const lanes: Record<string, number> = {};
    for (const span of [...spans.left].reverse()) lanes[String(span.lane.id)] = 0.5 * (span.inner + span.outer);
    for (const span of spans.right) lanes[String(span.lane.id)] = 0.5 * (span.inner + span.outer);
    rows.push({ s, x: p.x, y: p.y, z: p.z, heading: p.heading, lanes });
  }
  return rows;
}
