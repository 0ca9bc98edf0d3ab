import { fresnel, type FresnelValue } from './Fresnel.js';
import { gaussLegendre } from './Quadrature.js';
import type { PlanGeometry, PlanPoint } from './ReferenceLine.js';

/**
 * A clothoid: curvature changes linearly from curvStart to curvEnd over the length. The
 * heading is the quadratic θ(u) = hdg + k0 u + c u²/2; completing the square turns the
 * position integrals into differences of Fresnel integrals, which is exact.
 *
 * When the curvature rate c is tiny next to k0 (a spiral that is nearly an arc), the
 * completed square's constant k0²/2c grows so large that the phase loses digits; there the
 * position integral is done by Gauss–Legendre panels of small heading change instead,
 * which is just as exact for such a smooth integrand.
 */
const MAX_SHIFT_PHASE = 1e6;
const PANEL_HEADING = 0.2;
const PANEL_LENGTH = 25;
/**
 * Above this many panels over the whole length, integrating from the start on every call
 * would cost thousands of panels per point (a long spiral that is nearly an arc, or a
 * "spiral" of equal curvatures): such a spiral integrates its panels once, lazily, and a
 * point costs one partial panel. Below it (every real map's spirals) each call integrates
 * from the start as it always has, so their points do not move by a rounding.
 */
const MAX_PANELS_PER_CALL = 64;

export class SpiralGeometry implements PlanGeometry {
  readonly rate: number;
  private readonly fresnelMode: boolean;
  private readonly scale: number = 0;
  private readonly sign: number = 1;
  private readonly cosPhi: number = 0;
  private readonly sinPhi: number = 0;
  private readonly shift: number = 0;
  private readonly start: FresnelValue = { c: 0, s: 0 };
  /** Integrate mode over many panels: position at each panel end, built on first use. */
  private table?: { step: number; x: Float64Array; y: Float64Array };

  constructor(
    readonly s: number, readonly x: number, readonly y: number, readonly heading: number,
    readonly length: number, readonly curvStart: number, readonly curvEnd: number,
  ) {
    this.rate = length > 0 ? (curvEnd - curvStart) / length : 0;
    const c = this.rate;
    this.fresnelMode = c !== 0 && Math.abs((curvStart * curvStart) / (2 * c)) < MAX_SHIFT_PHASE;
    if (this.fresnelMode) {
      this.sign = c > 0 ? 1 : -1;
      this.scale = Math.sqrt(Math.abs(c) / Math.PI);
      const phi = heading - (curvStart * curvStart) / (2 * c);
      this.cosPhi = Math.cos(phi);
      this.sinPhi = Math.sin(phi);
      this.shift = curvStart / c;
      this.start = fresnel(this.scale * this.shift);
    }
  }

  curvature(ds: number): number {
    return this.curvStart + this.rate * ds;
  }

  headingAt(ds: number): number {
    return this.heading + ds * (this.curvStart + 0.5 * this.rate * ds);
  }

  evaluate(ds: number): PlanPoint {
    const heading = this.headingAt(ds);
    if (this.fresnelMode) {
      const end = fresnel(this.scale * (this.shift + ds));
      const dC = end.c - this.start.c;
      const dS = end.s - this.start.s;
      return {
        x: this.x + (this.cosPhi * dC - this.sign * this.sinPhi * dS) / this.scale,
        y: this.y + (this.sinPhi * dC + this.sign * this.cosPhi * dS) / this.scale,
        heading,
      };
    }
    return this.integrate(ds, heading);
  }

  private integrate(ds: number, heading: number): PlanPoint {
    if (this.panels(this.length) > MAX_PANELS_PER_CALL) return this.fromTable(ds, heading);
    const panels = this.panels(ds);
    let x = this.x;
    let y = this.y;
    for (let i = 0; i < panels; i++) {
      const a = (ds * i) / panels;
      const b = (ds * (i + 1)) / panels;
      x += gaussLegendre((u) => Math.cos(this.headingAt(u)), a, b);
      y += gaussLegendre((u) => Math.sin(this.headingAt(u)), a, b);
    }
    return { x, y, heading };
  }

  /** Panels that keep each one's heading change and length small enough to be exact, over [0, ds]. */
  private panels(ds: number): number {
    const turn = Math.abs(this.curvStart) + Math.abs(this.rate) * ds;
    return Math.max(1, Math.ceil(Math.max((turn * ds) / PANEL_HEADING, ds / PANEL_LENGTH)));
  }

  /** The point at ds from the panel end before it and one partial panel (see MAX_PANELS_PER_CALL). */
  private fromTable(ds: number, heading: number): PlanPoint {
    if (!this.table) {
      const n = this.panels(this.length);
      const step = this.length / n;
      const x = new Float64Array(n + 1);
      const y = new Float64Array(n + 1);
      x[0] = this.x;
      y[0] = this.y;
      for (let i = 0; i < n; i++) {
        x[i + 1] = x[i] + gaussLegendre((u) => Math.cos(this.headingAt(u)), i * step, (i + 1) * step);
        y[i + 1] = y[i] + gaussLegendre((u) => Math.sin(this.headingAt(u)), i * step, (i + 1) * step);
      }
      this.table = { step, x, y };
    }
    const { step, x, y } = this.table;
    const i = Math.min(Math.max(Math.floor(ds / step), 0), x.length - 1);
    const a = i * step;
    return {
      x: x[i] + gaussLegendre((u) => Math.cos(this.headingAt(u)), a, ds),
      y: y[i] + gaussLegendre((u) => Math.sin(this.headingAt(u)), a, ds),
      heading,
    };
  }
}
