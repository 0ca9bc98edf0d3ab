/**
 * The sizes and ranges of map a user may hand roadcast, checked while the file is read, before
 * any work is done on it. Every later stage (the mesh, the locator, the lane graph, the
 * dressing) does work in proportion to what passes here, so an absurd number in a file (a road
 * 1e308 m long, a width cubic of 1e15, a curvature of 1e6) is a one-line error naming the
 * element and line, not minutes of work or gigabytes of memory. The limits are far beyond any
 * real map (the esmini and ASAM corpora, CARLA's towns) and hold UTM coordinates (x ~ 5e5,
 * y ~ 5e6 m); the README lists them.
 */
import { UserError } from '../core/errors.js';
import type { CubicProfile } from './CubicProfile.js';
import type { Lane, LaneSection, Road } from './Road.js';
import type { PlanGeometry } from './ReferenceLine.js';
import type { XmlElement, XmlReader } from './xml.js';

export const MAP_LIMITS = {
  /** |x| and |y| of every point of a reference line (m): the Earth in any projection. */
  coordinate: 1e8,
  /** A road's length, and a geometry's s and length (m). */
  length: 1e5,
  /** |curvature| of arcs and spirals (1/m): a radius of at least 1 cm. */
  curvature: 100,
  /** How far one geometry may turn, |curvature| times length at its sharpest (rad): 100 turns. */
  turning: 200 * Math.PI,
  /**
   * How far a road's lanes reach from its reference line (m): the lane offset plus the widths
   * of one side's lanes (each at its widest), or a lane's border; and road mark widths.
   */
  lateral: 1000,
  /** |elevation|, lane heights and crosswalk heights (m). */
  height: 1e4,
  /** |superelevation| (rad): less than a right angle, or the road would be a wall. */
  superelevation: Math.PI / 2,
  /** Lanes on each side of one lane section. */
  lanesPerSide: 32,
  /**
   * Lane sections' lengths times their lanes (the centre line counted as one), summed over the
   * map (m): 2000 km, a city of some 500 km of streets.
   */
  laneLength: 2e6,
} as const;

/** Fails unless `value` lies within ±limit (NaN never does). */
function within(xml: XmlReader, element: XmlElement, value: number, limit: number, message: () => string): void {
  if (!(Math.abs(value) <= limit)) xml.fail(element, message());
}

/** A geometry's own numbers, before it is built: s, length, position and curvature. */
export function checkGeometryNumbers(xml: XmlReader, element: XmlElement, roadId: string, n: { s: number; x: number; y: number; length: number; curvatures: number[] }): void {
  const scope = `road ${roadId}: <geometry>`;
  within(xml, element, n.s, MAP_LIMITS.length, () => `${scope} s=${n.s} is beyond the longest road roadcast reads (${MAP_LIMITS.length} m)`);
  within(xml, element, n.length, MAP_LIMITS.length, () => `${scope} length=${n.length} is beyond the longest road roadcast reads (${MAP_LIMITS.length} m)`);
  for (const [name, value] of [['x', n.x], ['y', n.y]] as const) {
    within(xml, element, value, MAP_LIMITS.coordinate, () => `${scope} ${name}=${value} is farther than ${MAP_LIMITS.coordinate} m from the origin`);
  }
  for (const k of n.curvatures) {
    within(xml, element, k, MAP_LIMITS.curvature, () => `${scope} curvature ${k} is beyond ±${MAP_LIMITS.curvature} 1/m (a radius under ${1 / MAP_LIMITS.curvature} m)`);
  }
  const sharpest = Math.max(0, ...n.curvatures.map(Math.abs));
  within(xml, element, sharpest * n.length, MAP_LIMITS.turning, () => `${scope} turns by up to ${(sharpest * n.length).toPrecision(3)} rad over its length; at most ${MAP_LIMITS.turning / (2 * Math.PI)} full turns are read`);
}

/** Points of a built geometry stay within the coordinate limit (a cubic may swing far between its ends). */
export function checkGeometryPoints(xml: XmlReader, element: XmlElement, roadId: string, g: PlanGeometry): void {
  const samples = 16;
  for (let i = 0; i <= samples; i++) {
    const p = g.evaluate((g.length * i) / samples);
    within(xml, element, Math.max(Math.abs(p.x), Math.abs(p.y)), MAP_LIMITS.coordinate, () => `road ${roadId}: <geometry> reaches (${p.x}, ${p.y}), farther than ${MAP_LIMITS.coordinate} m from the origin`);
  }
}

/** A road's length, before its parts are read. */
export function checkRoadLength(xml: XmlReader, element: XmlElement, roadId: string, length: number): void {
  if (!(length > 0)) xml.fail(element, `road ${roadId}: length must be positive, got ${length}`);
  within(xml, element, length, MAP_LIMITS.length, () => `road ${roadId}: length ${length} is beyond the longest road roadcast reads (${MAP_LIMITS.length} m)`);
}

type Fail = (line: number | undefined, message: string) => never;

/**
 * Profiles and lanes of a read road: elevation, superelevation and lane offset over the road,
 * each lane's width or border and heights over its section, road mark widths, lanes per side.
 */
export function checkRoadRanges(xml: XmlReader, element: XmlElement, road: Road): void {
  const fail: Fail = (line, message) => {
    throw new UserError(`road ${road.id}: ${message}`, `${xml.file}:${line ?? element.line}`);
  };
  checkProfile(fail, '<elevation>', road.elevation, 0, road.length, MAP_LIMITS.height, 'm');
  checkProfile(fail, '<laneOffset>', road.laneOffset, 0, road.length, MAP_LIMITS.lateral, 'm');
  const offset = road.laneOffset.largest(0, road.length)?.magnitude ?? 0;
  const roll = road.superelevation.largest(0, road.length);
  if (roll && !(roll.magnitude < MAP_LIMITS.superelevation)) {
    fail(roll.record.line, `<superelevation> reaches ${roll.magnitude.toPrecision(3)} rad; expected less than a right angle (${MAP_LIMITS.superelevation.toFixed(4)} rad)`);
  }
  for (const section of road.sections) checkSection(section, offset, fail);
}

function checkProfile(fail: Fail, what: string, p: CubicProfile, from: number, to: number, limit: number, unit: string): void {
  const worst = p.largest(from, to);
  if (worst && !(worst.magnitude <= limit)) fail(worst.record.line, `${what} reaches ${worst.magnitude.toPrecision(3)} ${unit} where it applies; expected at most ±${limit} ${unit}`);
}

function checkSection(section: LaneSection, offset: number, fail: Fail): void {
  const length = section.end - section.s;
  const mark = (lane: Lane, width: number): void => {
    if (!(Math.abs(width) <= MAP_LIMITS.lateral)) fail(undefined, `lane ${lane.id}: <roadMark> width ${width} is beyond ±${MAP_LIMITS.lateral} m`);
  };
  for (const [side, lanes] of [['left', section.left], ['right', section.right]] as const) {
    if (lanes.length > MAP_LIMITS.lanesPerSide) fail(section.line, `the lane section at s=${section.s} has ${lanes.length} ${side} lanes; at most ${MAP_LIMITS.lanesPerSide} on a side are read`);
    // Lanes side by side: the reach of the outermost is at most the offset plus every width.
    let reach = offset;
    for (const lane of lanes) {
      checkProfile(fail, `lane ${lane.id}: <width>`, lane.width, 0, length, MAP_LIMITS.lateral, 'm');
      if (lane.border) checkProfile(fail, `lane ${lane.id}: <border>`, lane.border, 0, length, MAP_LIMITS.lateral, 'm');
      reach += lane.width.largest(0, length)?.magnitude ?? 0;
      if (!(reach <= MAP_LIMITS.lateral)) {
        fail(lane.width.records[0]?.line ?? section.line, `lane ${lane.id} lies up to ${reach.toPrecision(3)} m from the reference line (lane offset and widths of the lanes inside it, each at its widest); expected at most ${MAP_LIMITS.lateral} m`);
      }
      for (const m of lane.roadMarks) mark(lane, m.width);
      for (const h of lane.heights ?? []) {
        if (!(Math.max(Math.abs(h.inner), Math.abs(h.outer)) <= MAP_LIMITS.height)) fail(section.line, `lane ${lane.id}: <height> ${h.inner}/${h.outer} is beyond ±${MAP_LIMITS.height} m`);
      }
    }
  }
  for (const m of section.center.roadMarks) mark(section.center, m.width);
}

/** The running total of MAP_LIMITS.laneLength over the roads of one map. */
export class LaneLengthBudget {
  #total = 0;

  add(xml: XmlReader, element: XmlElement, road: Road): void {
    for (const section of road.sections) this.#total += (section.end - section.s) * (section.left.length + section.right.length + 1);
    if (!(this.#total <= MAP_LIMITS.laneLength)) {
      xml.fail(element, `road ${road.id}: the map's lanes add up to more than ${MAP_LIMITS.laneLength / 1000} km here (each lane section's length times its lanes, centre line included); roadcast reads maps up to that size`);
    }
  }
}
