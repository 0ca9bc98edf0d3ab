import { gaussLegendre } from './Quadrature.js';
import type { PlanGeometry, PlanPoint } from './ReferenceLine.js';

export interface Cubic2 {
  aU: number; bU: number; cU: number; dU: number;
  aV: number; bV: number; cV: number; dV: number;
}

const PANELS = 64;
const NEWTON_TOLERANCE = 1e-12;

/**
 * A parametric cubic (u(p), v(p)) in the local frame at (x, y, hdg): OpenDRIVE's paramPoly3,
 * and poly3 as the special case u = p. OpenDRIVE's s is arc length, but p is not (not even
 * with pRange="arcLength", where it only runs over the same interval), so s is mapped to p
 * by inverting the arc length ∫|(u', v')| dp: a table of cumulative lengths at panel ends,
 * then Newton steps on the remainder inside one panel.
 */
export class ParamPoly3Geometry implements PlanGeometry {
  private readonly cos: number;
  private readonly sin: number;
  /** Parameter at each panel end, and the arc length from p = 0 to it. */
  private readonly panelP: Float64Array;
  private readonly panelS: Float64Array;
  private readonly panelSpeed: Float64Array;
  /** True arc length of the curve over [0, pMax]. */
  readonly curveLength: number;

  constructor(
    readonly s: number, readonly x: number, readonly y: number, readonly heading: number,
    readonly length: number, readonly poly: Cubic2, readonly pMax: number,
  ) {
    this.cos = Math.cos(heading);
    this.sin = Math.sin(heading);
    this.panelP = new Float64Array(PANELS + 1);
    this.panelS = new Float64Array(PANELS + 1);
    this.panelSpeed = new Float64Array(PANELS + 1);
    this.panelSpeed[0] = this.speed(0);
    for (let i = 1; i <= PANELS; i++) {
      const p0 = (pMax * (i - 1)) / PANELS;
      const p1 = (pMax * i) / PANELS;
      this.panelP[i] = p1;
      this.panelS[i] = this.panelS[i - 1] + gaussLegendre((p) => this.speed(p), p0, p1);
      this.panelSpeed[i] = this.speed(p1);
    }
    this.curveLength = this.panelS[PANELS];
  }

  /** poly3: v(u) with u running from 0 to where the curve's arc length equals `length`. */
  static poly3(s: number, x: number, y: number, heading: number, length: number, a: number, b: number, c: number, d: number): ParamPoly3Geometry {
    const poly = { aU: 0, bU: 1, cU: 0, dU: 0, aV: a, bV: b, cV: c, dV: d };
    // The curve is at least as long as its u extent, so u = length over-reaches; invert on it.
    const probe = new ParamPoly3Geometry(s, x, y, heading, length, poly, Math.max(length, 1e-9));
    return new ParamPoly3Geometry(s, x, y, heading, length, poly, probe.parameterAt(length));
  }

  private derivative(p: number): [number, number] {
    const q = this.poly;
    return [q.bU + p * (2 * q.cU + 3 * q.dU * p), q.bV + p * (2 * q.cV + 3 * q.dV * p)];
  }

  private speed(p: number): number {
    const [du, dv] = this.derivative(p);
    return Math.hypot(du, dv);
  }

  private lastDs = NaN;
  private lastP = 0;

  /** The parameter p whose arc length from the start is ds (clamped to the curve). */
  parameterAt(ds: number): number {
    // Callers often ask for the point and then the curvature at the same s: invert once.
    if (ds === this.lastDs) return this.lastP;
    const p = this.invert(ds);
    this.lastDs = ds;
    this.lastP = p;
    return p;
  }

  private invert(ds: number): number {
    if (ds <= 0) return 0;
    if (ds >= this.curveLength) return this.pMax;
    const S = this.panelS;
    let lo = 0;
    let hi = PANELS;
    while (hi - lo > 1) {
      const mid = (lo + hi) >> 1;
      if (S[mid] <= ds) lo = mid;
      else hi = mid;
    }
    const p0 = this.panelP[lo];
    const p1 = this.panelP[hi];
    const target = ds - S[lo];
    // Start from the cubic Hermite inverse (dp/ds = 1/speed at both panel ends), which is
    // already close to rounding on short panels; then Newton on L(p) - target, bracketed.
    const h = S[hi] - S[lo];
    const v0 = this.panelSpeed[lo];
    const v1 = this.panelSpeed[hi];
    let p = p0 + ((p1 - p0) * target) / h;
    if (v0 > 1e-9 && v1 > 1e-9) {
      const u = target / h;
      const h10 = u * (1 - u) * (1 - u);
      const h01 = u * u * (3 - 2 * u);
      const h11 = u * u * (u - 1);
      const guess = p0 + h01 * (p1 - p0) + h * (h10 / v0 + h11 / v1);
      if (guess > p0 && guess < p1) p = guess;
    }
    let a = p0;
    let b = p1;
    for (let i = 0; i < 30; i++) {
      const f = gaussLegendre((q) => this.speed(q), p0, p) - target;
      if (f > 0) b = p;
      else a = p;
      const v = this.speed(p);
      let next = v > 1e-12 ? p - f / v : 0.5 * (a + b);
      if (!(next > a && next < b)) next = 0.5 * (a + b);
      if (Math.abs(next - p) < NEWTON_TOLERANCE * Math.max(1, this.pMax)) return next;
      p = next;
    }
    return p;
  }

  /** Point and heading at parameter p, in the world. */
  atParameter(p: number): PlanPoint {
    const q = this.poly;
    const u = q.aU + p * (q.bU + p * (q.cU + p * q.dU));
    const v = q.aV + p * (q.bV + p * (q.cV + p * q.dV));
    const [du, dv] = this.derivative(p);
    return {
      x: this.x + u * this.cos - v * this.sin,
      y: this.y + u * this.sin + v * this.cos,
      heading: this.heading + Math.atan2(dv, du),
    };
  }

  evaluate(ds: number): PlanPoint {
    return this.atParameter(this.parameterAt(ds));
  }

  curvature(ds: number): number {
    const p = this.parameterAt(ds);
    const q = this.poly;
    const [du, dv] = this.derivative(p);
    const ddu = 2 * q.cU + 6 * q.dU * p;
    const ddv = 2 * q.cV + 6 * q.dV * p;
    const v = Math.hypot(du, dv);
    return v > 1e-12 ? (du * ddv - dv * ddu) / (v * v * v) : 0;
  }
}
