import { lastAtOrBefore } from '../core/search.js';

/**
 * A road's reference line: the planView geometries laid end to end. Each geometry maps its
 * own length ds to a point and heading in the world's x-y plane. Spirals and the cubic
 * curves live in Spiral.ts and ParamPoly3.ts.
 */
export interface PlanPoint {
  x: number;
  y: number;
  heading: number;
}

export interface PlanGeometry {
  readonly s: number;
  readonly length: number;
  /** Curvature at ds along this geometry (for chord-error tessellation). */
  curvature(ds: number): number;
  evaluate(ds: number): PlanPoint;
}

export class LineGeometry implements PlanGeometry {
  constructor(readonly s: number, readonly x: number, readonly y: number, readonly heading: number, readonly length: number) {}

  curvature(): number {
    return 0;
  }

  evaluate(ds: number): PlanPoint {
    return { x: this.x + ds * Math.cos(this.heading), y: this.y + ds * Math.sin(this.heading), heading: this.heading };
  }
}

export class ArcGeometry implements PlanGeometry {
  constructor(
    readonly s: number, readonly x: number, readonly y: number, readonly heading: number,
    readonly length: number, readonly k: number,
  ) {}

  curvature(): number {
    return this.k;
  }

  evaluate(ds: number): PlanPoint {
    const k = this.k;
    if (k === 0) return new LineGeometry(this.s, this.x, this.y, this.heading, this.length).evaluate(ds);
    const heading = this.heading + k * ds;
    return {
      x: this.x + (Math.sin(heading) - Math.sin(this.heading)) / k,
      y: this.y - (Math.cos(heading) - Math.cos(this.heading)) / k,
      heading,
    };
  }
}

export class ReferenceLine {
  readonly geometries: readonly PlanGeometry[];

  constructor(geometries: readonly PlanGeometry[]) {
    this.geometries = [...geometries].sort((a, b) => a.s - b.s);
  }

  geometryAt(s: number): PlanGeometry {
    return this.geometries[lastAtOrBefore(this.geometries, s, (g) => g.s)];
  }

  evaluate(s: number): PlanPoint {
    const g = this.geometryAt(s);
    return g.evaluate(Math.min(Math.max(s - g.s, 0), g.length));
  }

  curvature(s: number): number {
    const g = this.geometryAt(s);
    return g.curvature(Math.min(Math.max(s - g.s, 0), g.length));
  }
}
