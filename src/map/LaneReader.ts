import { CubicProfile, type CubicRecord } from './CubicProfile.js';
import type { MapWarnings } from './MapWarnings.js';
import type { Lane, LaneHeight, LaneSection, RoadMark } from './Road.js';
import type { XmlElement, XmlReader } from './xml.js';

/** Lane children that carry no geometry (speed limits, materials, access rules): read past silently. */
const LANE_METADATA = new Set(['speed', 'material', 'access', 'visibility', 'rule', 'userData', 'include', 'dataQuality']);

export function readCubic(xml: XmlReader, element: XmlElement, startAttribute: string): CubicRecord {
  return {
    start: xml.number(element, startAttribute),
    a: xml.number(element, 'a', 0),
    b: xml.number(element, 'b', 0),
    c: xml.number(element, 'c', 0),
    d: xml.number(element, 'd', 0),
    line: element.line,
  };
}

interface RawSection {
  s: number;
  line: number;
  /** "left" or "right" where the section describes one side only; the other side carries on. */
  singleSide?: 'left' | 'right';
  left: Lane[];
  right: Lane[];
  center: Lane;
}

/**
 * Reads the lane sections of one road. Sections with singleSide="true" describe one side
 * only; the other side continues from the last section that described it. They are merged
 * into ordinary sections with both sides, the carried-over lanes re-based on the new start.
 */
export function readLaneSections(xml: XmlReader, lanes: XmlElement, roadId: string, length: number, warnings: MapWarnings): LaneSection[] {
  const elements = xml.children(lanes, 'laneSection');
  if (elements.length === 0) xml.fail(lanes, `road ${roadId}: <lanes> has no <laneSection>`);
  const raw: RawSection[] = [];
  for (const element of elements) {
    const s = xml.number(element, 's');
    if (s < 0) xml.fail(element, `road ${roadId}: <laneSection> s must not be negative, got ${s}`);
    const previous = raw[raw.length - 1];
    if (previous && s < previous.s) xml.fail(element, `road ${roadId}: <laneSection> s=${s} comes before the previous section's s=${previous.s}`);
    if (s > length + 1e-6) {
      warnings.add(element, `road ${roadId}: <laneSection> s=${s} lies beyond the road's length ${length} and is ignored`);
      continue;
    }
    raw.push(readSection(xml, element, s, roadId, warnings));
  }
  if (raw.length === 0) xml.fail(lanes, `road ${roadId}: no <laneSection> lies on the road`);

  const sections: LaneSection[] = [];
  let left: { lanes: Lane[]; s: number } = { lanes: [], s: raw[0].s };
  let right: { lanes: Lane[]; s: number } = { lanes: [], s: raw[0].s };
  raw.forEach((section, i) => {
    if (section.singleSide !== 'right') left = { lanes: section.left, s: section.s };
    if (section.singleSide !== 'left') right = { lanes: section.right, s: section.s };
    const end = raw[i + 1]?.s ?? length;
    sections.push({
      s: section.s,
      end,
      line: section.line,
      left: left.lanes.map((lane) => rebase(lane, left.s, section.s)),
      right: right.lanes.map((lane) => rebase(lane, right.s, section.s)),
      center: section.center,
    });
  });
  // A section that starts exactly where the next starts has no extent; drop it rather than
  // give it zero-length geometry, but keep at least one.
  const kept = sections.filter((x) => x.end - x.s > 1e-9);
  return kept.length > 0 ? kept : [sections[sections.length - 1]];
}

/** A lane read in a section starting at `from`, described relative to a section starting at `to`. */
function rebase(lane: Lane, from: number, to: number): Lane {
  if (from === to) return lane;
  const shift = from - to;
  const move = (p: CubicProfile): CubicProfile => new CubicProfile(p.records.map((r) => ({ ...r, start: r.start + shift })));
  return {
    ...lane,
    width: move(lane.width),
    border: lane.border ? move(lane.border) : undefined,
    roadMarks: lane.roadMarks.map((m) => ({ ...m, sOffset: m.sOffset + shift })),
    heights: lane.heights?.map((h) => ({ ...h, sOffset: h.sOffset + shift })),
  };
}

function readSection(xml: XmlReader, element: XmlElement, s: number, roadId: string, warnings: MapWarnings): RawSection {
  const side = (name: string): Lane[] => {
    const container = xml.optionalChild(element, name);
    return container ? xml.children(container, 'lane').map((lane) => readLane(xml, lane, roadId, warnings)) : [];
  };
  const left = side('left').sort((a, b) => a.id - b.id);
  const right = side('right').sort((a, b) => b.id - a.id);
  const centerLanes = side('center');
  if (centerLanes.length !== 1) xml.fail(element, `<laneSection> needs exactly one centre lane, found ${centerLanes.length}`);
  for (const lane of left) if (lane.id <= 0) xml.fail(element, `left lane ids must be positive, found ${lane.id}`);
  for (const lane of right) if (lane.id >= 0) xml.fail(element, `right lane ids must be negative, found ${lane.id}`);
  if (centerLanes[0].id !== 0) xml.fail(element, `the centre lane's id must be 0, found ${centerLanes[0].id}`);
  const checkSequence = (lanes: Lane[], sign: number): void => {
    lanes.forEach((lane, i) => {
      if (lane.id !== sign * (i + 1)) xml.fail(element, `lane ids must run ${sign * 1}, ${sign * 2}, ... without gaps; found ${lanes.map((l) => l.id).join(', ')}`);
    });
  };
  checkSequence(left, 1);
  checkSequence(right, -1);
  for (const child of element.children) {
    if (!['left', 'center', 'right', 'userData', 'include', 'dataQuality'].includes(child.name)) warnings.unsupported(child, `road ${roadId}: `);
  }
  let singleSide: 'left' | 'right' | undefined;
  if (xml.optionalString(element, 'singleSide') === 'true') {
    const hasLeft = left.length > 0;
    const hasRight = right.length > 0;
    if (hasLeft === hasRight) xml.fail(element, 'a <laneSection singleSide="true"> must have lanes on exactly one side');
    singleSide = hasLeft ? 'left' : 'right';
  }
  return { s, line: element.line, singleSide, left, right, center: centerLanes[0] };
}

function readLane(xml: XmlReader, element: XmlElement, roadId: string, warnings: MapWarnings): Lane {
  const id = xml.number(element, 'id');
  if (!Number.isInteger(id)) xml.fail(element, `lane id must be an integer, got ${id}`);
  const widths = xml.children(element, 'width');
  const borders = xml.children(element, 'border');
  if (id === 0 && (widths.length > 0 || borders.length > 0)) {
    warnings.add(element, `road ${roadId}: the centre lane cannot have a width; its <width>/<border> is ignored`);
  }
  if (widths.length > 0 && borders.length > 0) {
    warnings.add(borders[0], `road ${roadId} lane ${id}: has both <width> and <border>; the widths are used, as the standard says`);
  }
  for (const w of widths) {
    if (xml.number(w, 'sOffset') < 0) xml.fail(w, `<width> sOffset must not be negative`);
  }
  const roadMarks: RoadMark[] = xml.children(element, 'roadMark').map((m) => {
    const weight = xml.optionalString(m, 'weight');
    const mark = {
      sOffset: xml.number(m, 'sOffset', 0),
      type: xml.optionalString(m, 'type') ?? 'none',
      color: xml.optionalString(m, 'color') ?? 'standard',
      width: xml.number(m, 'width', weight === 'bold' ? 0.25 : 0.12),
    };
    if (!SUPPORTED_MARKS.has(mark.type)) warnings.add(m, `road ${roadId}: roadMark type "${mark.type}" is not drawn`, `${roadId}|mark|${mark.type}`);
    return mark;
  }).sort((a, b) => a.sOffset - b.sOffset);
  const heights: LaneHeight[] = xml.children(element, 'height').map((h) => ({
    sOffset: xml.number(h, 'sOffset', 0),
    inner: xml.number(h, 'inner', 0),
    outer: xml.number(h, 'outer', 0),
  })).sort((a, b) => a.sOffset - b.sOffset);
  const link = xml.optionalChild(element, 'link');
  const linkId = (name: string): number | undefined => {
    const e = link ? xml.optionalChild(link, name) : undefined;
    if (!e) return undefined;
    const value = xml.number(e, 'id');
    if (!Number.isInteger(value)) xml.fail(e, `lane link id must be an integer, got ${value}`);
    return value;
  };
  for (const child of element.children) {
    if (['width', 'border', 'roadMark', 'height', 'link'].includes(child.name) || LANE_METADATA.has(child.name)) continue;
    warnings.unsupported(child, `road ${roadId}: `);
  }
  return {
    id,
    type: xml.optionalString(element, 'type') ?? 'none',
    width: new CubicProfile(id === 0 ? [] : widths.map((w) => readCubic(xml, w, 'sOffset'))),
    border: id !== 0 && widths.length === 0 && borders.length > 0 ? new CubicProfile(borders.map((b) => readCubic(xml, b, 'sOffset'))) : undefined,
    roadMarks,
    heights: heights.length > 0 ? heights : undefined,
    predecessor: linkId('predecessor'),
    successor: linkId('successor'),
  };
}

/** Road mark types the mesh draws; others (botts dots, grass, curb) are warned about. */
export const SUPPORTED_MARKS = new Set(['none', 'solid', 'broken', 'solid solid', 'solid broken', 'broken solid', 'broken broken']);
