import type { Signal, SignalReference } from './Signal.js';
import { lastAtOrBefore } from '../core/search.js';
import { CubicProfile } from './CubicProfile.js';
import type { ReferenceLine } from './ReferenceLine.js';

/** Height of a sidewalk whose lane gives no <height> (m): a kerb of common town streets. */
export const SIDEWALK_HEIGHT = 0.15;

export interface RoadMark {
  /** Start, relative to the lane section's s. */
  sOffset: number;
  /** OpenDRIVE's type: solid, broken, solid solid, none, ... */
  type: string;
  color: string;
  width: number;
}

/** Lane height (kerbs, raised sidewalks) from sOffset on: z offsets at the inner and outer border. */
export interface LaneHeight {
  sOffset: number;
  inner: number;
  outer: number;
}

export interface Lane {
  /** Positive on the left of the reference line, negative on the right, 0 the centre lane. */
  id: number;
  type: string;
  /** Width over ds measured from the lane section's start. */
  width: CubicProfile;
  /**
   * Where a lane gives <border> and no <width>: the signed t of its outer border, measured
   * from the reference line, over ds from the section's start.
   */
  border?: CubicProfile;
  roadMarks: RoadMark[];
  heights?: LaneHeight[];
  /** Lane ids this lane continues from / into across its section's start / end. */
  predecessor?: number;
  successor?: number;
}

export interface LaneSection {
  s: number;
  end: number;
  /** Line of the <laneSection> element, for messages. */
  line?: number;
  /** Left lanes by increasing id (1, 2, ...), right lanes by decreasing id (-1, -2, ...). */
  left: Lane[];
  right: Lane[];
  center: Lane;
}

export interface RoadPose {
  x: number;
  y: number;
  z: number;
  heading: number;
}

/** A road pose with the surface's slope: pitch up along s, roll (superelevation) about s. */
export interface RoadFrame extends RoadPose {
  pitch: number;
  roll: number;
}

/** The lateral extent of one lane at one s: `inner` is the border nearer the centre lane. */
export interface LaneSpan {
  lane: Lane;
  inner: number;
  outer: number;
}

export type ContactPoint = 'start' | 'end';

export interface RoadLink {
  elementType: 'road' | 'junction';
  elementId: string;
  /** Which end of the linked road touches this one (roads only). */
  contactPoint?: ContactPoint;
  line: number;
}

/** A crosswalk's outline, already placed in the world. */
export interface Crosswalk {
  id: string;
  line: number;
  corners: { x: number; y: number; z: number }[];
}

export interface RoadExtras {
  superelevation?: CubicProfile;
  predecessor?: RoadLink;
  successor?: RoadLink;
  /** Traffic rule: right-hand (default) or left-hand traffic. */
  rule?: 'RHT' | 'LHT';
  /** Line of the <road> element, for messages. */
  line?: number;
}

export class Road {
  readonly superelevation: CubicProfile;
  readonly predecessor?: RoadLink;
  readonly successor?: RoadLink;
  readonly rule: 'RHT' | 'LHT';
  readonly line: number;
  readonly crosswalks: Crosswalk[] = [];
  /** Its traffic signals and signs, and the signals of other roads placed on it too (Signal.ts). */
  readonly signals: Signal[] = [];
  readonly signalReferences: SignalReference[] = [];

  constructor(
    readonly id: string,
    readonly name: string,
    readonly length: number,
    /** The junction this road belongs to, or "-1". */
    readonly junction: string,
    readonly referenceLine: ReferenceLine,
    readonly elevation: CubicProfile,
    readonly laneOffset: CubicProfile,
    readonly sections: readonly LaneSection[],
    extras: RoadExtras = {},
  ) {
    this.superelevation = extras.superelevation ?? CubicProfile.zero();
    this.predecessor = extras.predecessor;
    this.successor = extras.successor;
    this.rule = extras.rule ?? 'RHT';
    this.line = extras.line ?? 0;
  }

  sectionAt(s: number): LaneSection {
    return this.sections[lastAtOrBefore(this.sections, s, (section) => section.s)];
  }

  sectionIndexAt(s: number): number {
    return lastAtOrBefore(this.sections, s, (section) => section.s);
  }

  /** Every lane's lateral span at s, centre outward on each side. */
  laneSpans(s: number, section = this.sectionAt(s)): { left: LaneSpan[]; right: LaneSpan[]; center: number } {
    const center = this.laneOffset.value(s);
    const ds = s - section.s;
    const left: LaneSpan[] = [];
    let t = center;
    for (const lane of section.left) {
      const outer = lane.border && lane.width.records.length === 0 ? Math.max(t, lane.border.value(ds)) : t + Math.max(0, lane.width.value(ds));
      left.push({ lane, inner: t, outer });
      t = outer;
    }
    const right: LaneSpan[] = [];
    t = center;
    for (const lane of section.right) {
      const outer = lane.border && lane.width.records.length === 0 ? Math.min(t, lane.border.value(ds)) : t - Math.max(0, lane.width.value(ds));
      right.push({ lane, inner: t, outer });
      t = outer;
    }
    return { left, right, center };
  }

  /** The span of one lane at s, or undefined where the section has no such lane. */
  laneSpan(laneId: number, s: number, section = this.sectionAt(s)): LaneSpan | undefined {
    const spans = this.laneSpans(s, section);
    return (laneId > 0 ? spans.left : spans.right).find((x) => x.lane.id === laneId);
  }

  /** Lateral offset of a lane's centre line at s. */
  laneCenterT(laneId: number, s: number, section = this.sectionAt(s)): number {
    if (laneId === 0) return this.laneOffset.value(s);
    const span = this.laneSpan(laneId, s, section);
    if (!span) throw new Error(`road ${this.id} has no lane ${laneId} at s=${s}`);
    return 0.5 * (span.inner + span.outer);
  }

  /**
   * The lane of the neighbouring section (the next one across `end`) that continues a lane:
   * its own link if it has one, else a lane there that links back to it, else the same id if
   * that lane links to nothing else. Undefined where the lane ends or there is no such section.
   */
  continuation(sectionIndex: number, laneId: number, end: ContactPoint): number | undefined {
    const here = this.sections[sectionIndex];
    const there = this.sections[end === 'end' ? sectionIndex + 1 : sectionIndex - 1];
    if (!here || !there) return undefined;
    const find = (section: LaneSection, id: number): Lane | undefined => (id === 0 ? section.center : (id > 0 ? section.left : section.right).find((l) => l.id === id));
    const lane = find(here, laneId);
    if (!lane) return undefined;
    const forward = end === 'end' ? lane.successor : lane.predecessor;
    if (forward !== undefined) return find(there, forward) ? forward : undefined;
    const lanes = [...there.left, ...there.right];
    const back = lanes.find((l) => (end === 'end' ? l.predecessor : l.successor) === laneId);
    if (back) return back.id;
    const same = find(there, laneId);
    const sameBack = same ? (end === 'end' ? same.predecessor : same.successor) : undefined;
    return same && (sameBack === undefined || sameBack === laneId) ? laneId : undefined;
  }

  /** Whether traffic in a lane runs towards +s: right lanes do under right-hand traffic. */
  laneRunsWithS(laneId: number): boolean {
    return this.rule === 'LHT' ? laneId > 0 : laneId < 0;
  }

  /**
   * Road coordinates (s along the reference line, t to the left of it, measured along the
   * banked surface) to the world. Superelevation rolls the cross-section about the
   * reference line, so t shrinks by cos(roll) in plan and lifts by sin(roll).
   */
  pose(s: number, t: number): RoadFrame {
    const p = this.referenceLine.evaluate(s);
    const roll = this.superelevation.value(s);
    const horizontal = roll === 0 ? t : t * Math.cos(roll);
    return {
      x: p.x - horizontal * Math.sin(p.heading),
      y: p.y + horizontal * Math.cos(p.heading),
      z: this.elevation.value(s) + (roll === 0 ? 0 : t * Math.sin(roll)),
      heading: p.heading,
      pitch: this.pitchAt(s, t, roll, horizontal),
      roll,
    };
  }

  /**
   * The surface's slope angle along the line of constant t (nose up positive). With
   * z = elevation(s) + t·sin(roll(s)) the height changes by elevation′ + t·cos(roll)·roll′
   * per metre of s, over a plan length of 1 − κ·t·cos(roll) (the reference line's curvature κ
   * stretches or shrinks parallels): a changing superelevation pitches every lane but the
   * reference line, and on a curve a parallel climbs faster or slower than the reference line.
   */
  private pitchAt(s: number, t: number, roll: number, horizontal: number): number {
    const grade = this.elevation.derivative(s);
    const banking = t === 0 ? 0 : t * Math.cos(roll) * this.superelevation.derivative(s);
    // Along the reference line, or level and unbanked, it is the grade alone (as it always was).
    if (banking === 0 && (grade === 0 || horizontal === 0)) return Math.atan(grade);
    const rise = grade + banking;
    const stretch = 1 - this.referenceLine.curvature(s) * horizontal;
    return stretch === 1 ? Math.atan(rise) : Math.atan2(rise, Math.abs(stretch));
  }

  /**
   * Height of a lane's surface above the road at s, a fraction f from its inner to its outer
   * border: its <height> records, or for a sidewalk (or walking lane) that gives none, a kerb
   * of SIDEWALK_HEIGHT. The road mesh and the simulation both stand on this surface.
   */
  surfaceHeight(lane: Lane, section: LaneSection, s: number, f: number): number {
    if (lane.heights) return this.laneHeight(lane, section, s, f);
    return lane.type === 'sidewalk' || lane.type === 'walking' ? SIDEWALK_HEIGHT : 0;
  }

  /** Extra height of a lane's surface (kerbs, raised sidewalks) at s, a fraction f from inner to outer border, from its <height> records alone. */
  laneHeight(lane: Lane, section: LaneSection, s: number, f: number): number {
    const heights = lane.heights;
    if (!heights || heights.length === 0) return 0;
    const ds = s - section.s;
    let h = heights[0];
    for (const x of heights) if (x.sOffset <= ds) h = x;
    return h.inner + (h.outer - h.inner) * f;
  }
}
