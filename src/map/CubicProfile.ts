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

  /** Distances where a record starts, for tessellation that must sample each piece's ends. */
  breakpoints(): number[] {
    return this.records.map((r) => r.start);
  }
}
