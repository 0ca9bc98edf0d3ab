import { CubicProfile } from './CubicProfile.js';
import type { ReferenceLine } from './ReferenceLine.js';

export interface RoadMark {
  /** Start, relative to the lane section's s. */
  sOffset: number;
  /** OpenDRIVE's type: solid, broken, solid solid, none, ... */
  type: string;
  color: string;
  width: number;
}

export interface Lane {
  /** Positive on the left of the reference line, negative on the right, 0 the centre lane. */
  id: number;
  type: string;
  /** Width over ds measured from the lane section's start. */
  width: CubicProfile;
  roadMarks: RoadMark[];
}

export interface LaneSection {
  s: number;
  end: number;
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

/** The lateral extent of one lane at one s: `inner` is the border nearer the centre lane. */
export interface LaneSpan {
  lane: Lane;
  inner: number;
  outer: number;
}

export class Road {
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
  ) {}

  sectionAt(s: number): LaneSection {
    let found = this.sections[0];
    for (const section of this.sections) if (section.s <= s) found = section;
    return found;
  }

  /** Every lane's lateral span at s, centre outward on each side. */
  laneSpans(s: number, section = this.sectionAt(s)): { left: LaneSpan[]; right: LaneSpan[]; center: number } {
    const center = this.laneOffset.value(s);
    const ds = s - section.s;
    const left: LaneSpan[] = [];
    let t = center;
    for (const lane of section.left) {
      const outer = t + Math.max(0, lane.width.value(ds));
      left.push({ lane, inner: t, outer });
      t = outer;
    }
    const right: LaneSpan[] = [];
    t = center;
    for (const lane of section.right) {
      const outer = t - Math.max(0, lane.width.value(ds));
      right.push({ lane, inner: t, outer });
      t = outer;
    }
    return { left, right, center };
  }

  /** Lateral offset of a lane's centre line at s. */
  laneCenterT(laneId: number, s: number): number {
    const spans = this.laneSpans(s);
    const span = [...spans.left, ...spans.right].find((x) => x.lane.id === laneId);
    if (!span) throw new Error(`road ${this.id} has no lane ${laneId} at s=${s}`);
    return 0.5 * (span.inner + span.outer);
  }

  /** Road coordinates (s along the reference line, t to the left of it) to the world. */
  pose(s: number, t: number): RoadPose {
    const p = this.referenceLine.evaluate(s);
    return {
      x: p.x - t * Math.sin(p.heading),
      y: p.y + t * Math.cos(p.heading),
      z: this.elevation.value(s),
      heading: p.heading,
    };
  }
}
