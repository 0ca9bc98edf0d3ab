import { lastAtOrBefore } from '../core/search.js';

/**
 * A piecewise cubic in a distance along the road, as OpenDRIVE writes elevation, lane
 * offsets and lane widths: records `(start, a, b, c, d)`, each valid from its start until
 * the next, evaluated at ds = s - start as a + b ds + c ds^2 + d ds^3.
 */
export interface CubicRecord {
  start: number;
  a: number;
  b: number;
  c: number;
  d: number;
  /** Line of the element it was read from, for messages. */
  line?: number;
}

export class CubicProfile {
  /** Records sorted by start. */
  readonly records: readonly CubicRecord[];

  constructor(records: readonly CubicRecord[]) {
    this.records = [...records].sort((x, y) => x.start - y.start);
  }

  static zero(): CubicProfile {
    return new CubicProfile([]);
  }

  private recordAt(s: number): CubicRecord | undefined {
    return this.records[lastAtOrBefore(this.records, s, (r) => r.start)];
  }

  value(s: number): number {
    const r = this.recordAt(s);
    if (!r) return 0;
    const ds = s - r.start;
    return r.a + ds * (r.b + ds * (r.c + ds * r.d));
  }

  derivative(s: number): number {
    const r = this.recordAt(s);
    if (!r) return 0;
    const ds = s - r.start;
    return r.b + ds * (2 * r.c + ds * 3 * r.d);
  }

  /**
   * The record whose value strays farthest from zero for s in [from, to], and how far (the
   * cubics' extremes over the stretch each one applies to: its ends and where its slope is
   * zero). The first record also applies before its start, as value() applies it. NaN (from
   * overflowing coefficients) counts as farther than anything.
   */
  largest(from: number, to: number): { record: CubicRecord; magnitude: number } | undefined {
    let worst: { record: CubicRecord; magnitude: number } | undefined;
    this.records.forEach((record, i) => {
      const next = this.records[i + 1]?.start ?? Infinity;
      // A record followed by one with the same start never applies.
      if (next <= record.start && i + 1 < this.records.length) return;
      const lo = i === 0 ? from : Math.max(record.start, from);
      const hi = Math.min(next, to);
      if (lo > hi) return;
      const magnitude = cubicMagnitude(record, lo - record.start, hi - record.start);
      if (!worst || !(magnitude <= worst.magnitude)) worst = { record, magnitude };
    });
    return worst;
  }

  /** Distances where a record starts, for tessellation that must sample each piece's ends. */
  breakpoints(): number[] {
    return this.records.map((r) => r.start);
  }
}

/** Largest |a + b x + c x² + d x³| for x in [from, to]: at the ends, or where the slope is zero. */
export function cubicMagnitude(r: CubicRecord, from: number, to: number): number {
  const f = (x: number): number => r.a + x * (r.b + x * (r.c + x * r.d));
  let m = Math.max(Math.abs(f(from)), Math.abs(f(to)));
  // b + 2c x + 3d x² = 0
  const qa = 3 * r.d, qb = 2 * r.c, qc = r.b;
  const roots: number[] = [];
  if (qa === 0) {
    if (qb !== 0) roots.push(-qc / qb);
  } else {
    const disc = qb * qb - 4 * qa * qc;
    if (disc >= 0) roots.push((-qb - Math.sqrt(disc)) / (2 * qa), (-qb + Math.sqrt(disc)) / (2 * qa));
  }
  for (const x of roots) if (x > from && x < to) m = Math.max(m, Math.abs(f(x)));
  // NaN (overflow) survives Math.max, so it reaches the caller's range check.
  return m;
}
