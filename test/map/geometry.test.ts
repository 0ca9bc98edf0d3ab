import { describe, expect, it } from 'vitest';
import { fresnel } from '../../src/map/Fresnel.js';
import { readOpenDrive } from '../../src/map/OpenDriveReader.js';
import { ParamPoly3Geometry } from '../../src/map/ParamPoly3.js';
import { ArcGeometry } from '../../src/map/ReferenceLine.js';
import { SpiralGeometry } from '../../src/map/Spiral.js';

/** Composite Simpson's rule with n (even) panels: the independent reference for every integral here. */
function simpson(f: (x: number) => number, a: number, b: number, n = 100_000): number {
  const h = (b - a) / n;
  let sum = f(a) + f(b);
  for (let i = 1; i < n; i++) sum += (i % 2 ? 4 : 2) * f(a + i * h);
  return (sum * h) / 3;
}

describe('Fresnel integrals', () => {
  it('match numeric integration and known values across the series / continued-fraction switch', () => {
    expect(fresnel(1).c).toBeCloseTo(0.7798934003768228, 14);
    expect(fresnel(1).s).toBeCloseTo(0.4382591473903548, 14);
    for (const x of [0.01, 0.3, 1, 1.4999, 1.5, 1.5001, 2.2, 4, 7.5, -3]) {
      const c = simpson((t) => Math.cos((Math.PI * t * t) / 2), 0, x, 200_000);
      const s = simpson((t) => Math.sin((Math.PI * t * t) / 2), 0, x, 200_000);
      expect(Math.abs(fresnel(x).c - c)).toBeLessThan(1e-12);
      expect(Math.abs(fresnel(x).s - s)).toBeLessThan(1e-12);
    }
    // The limits at infinity are 1/2.
    expect(fresnel(1e4).c).toBeCloseTo(0.5, 4);
    expect(fresnel(1e4).s).toBeCloseTo(0.5, 4);
  });
});

describe('spiral (clothoid)', () => {
  const cases: [string, number, number][] = [
    ['from straight into a curve', 0, 0.05],
    ['curve to tighter curve', 0.01, 0.04],
    ['reversing curvature', 0.02, -0.03],
    ['out of a curve to straight, right-hand', -0.04, 0],
    ['nearly an arc (tiny curvature rate)', 0.02, 0.0200001],
    ['an arc to rounding (numeric fallback)', 0.02, 0.02 + 1e-13],
  ];
  for (const [name, k0, k1] of cases) {
    it(`${name}: matches numeric integration of the heading to 1e-6 m over 100 m`, () => {
      const L = 100;
      const x0 = 12, y0 = -7, hdg = 0.7;
      const g = new SpiralGeometry(0, x0, y0, hdg, L, k0, k1);
      const heading = (u: number): number => hdg + k0 * u + ((k1 - k0) / L) * u * u / 2;
      for (const s of [0, 10, 33.3, 50, 77, 100]) {
        const p = g.evaluate(s);
        const x = x0 + simpson((u) => Math.cos(heading(u)), 0, s, 20_000);
        const y = y0 + simpson((u) => Math.sin(heading(u)), 0, s, 20_000);
        expect(Math.hypot(p.x - x, p.y - y)).toBeLessThan(1e-6);
        expect(p.heading).toBeCloseTo(heading(s), 12);
        expect(g.curvature(s)).toBeCloseTo(k0 + ((k1 - k0) * s) / L, 12);
      }
    });
  }

  it('meets the next geometry of a file written by another tool (velodrome: line, spiral, arc, spiral)', () => {
    const road = readOpenDrive('test/fixtures/esmini/xodr/velodrome.xodr').road('1');
    const g = road.referenceLine.geometries;
    for (let i = 1; i < g.length; i++) {
      const end = g[i - 1].evaluate(g[i - 1].length);
      const start = g[i].evaluate(0);
      expect(Math.hypot(end.x - start.x, end.y - start.y)).toBeLessThan(1e-6);
      expect(Math.abs(Math.atan2(Math.sin(end.heading - start.heading), Math.cos(end.heading - start.heading)))).toBeLessThan(1e-9);
    }
  });
});

describe('arc', () => {
  it('lies on its circle with heading growing linearly', () => {
    const k = -0.03;
    const g = new ArcGeometry(0, 3, 4, 1.2, 80, k);
    const cx = 3 - Math.sin(1.2) / k, cy = 4 + Math.cos(1.2) / k;
    for (const s of [0, 5, 40, 80]) {
      const p = g.evaluate(s);
      expect(Math.hypot(p.x - cx, p.y - cy)).toBeCloseTo(1 / Math.abs(k), 10);
      expect(p.heading).toBeCloseTo(1.2 + k * s, 12);
      // The chord from the start subtends the angle k s: its length is 2 sin(|k| s / 2) / |k|.
      expect(Math.hypot(p.x - 3, p.y - 4)).toBeCloseTo((2 * Math.sin((Math.abs(k) * s) / 2)) / Math.abs(k), 10);
    }
  });
});

describe('poly3 and paramPoly3', () => {
  const arcLengthPoly = { aU: 0, bU: 1, cU: -0.002, dU: 0.00001, aV: 0, bV: 0, cV: 0.01, dV: -0.00005 };

  it('paramPoly3 with pRange normalized equals the same curve with pRange arcLength', () => {
    const L = 60;
    const normalized = {
      aU: arcLengthPoly.aU, bU: arcLengthPoly.bU * L, cU: arcLengthPoly.cU * L * L, dU: arcLengthPoly.dU * L ** 3,
      aV: arcLengthPoly.aV, bV: arcLengthPoly.bV * L, cV: arcLengthPoly.cV * L * L, dV: arcLengthPoly.dV * L ** 3,
    };
    const a = new ParamPoly3Geometry(0, 5, 6, 0.3, L, arcLengthPoly, L);
    const b = new ParamPoly3Geometry(0, 5, 6, 0.3, L, normalized, 1);
    for (const s of [0, 1, 17.5, 30, 59.9]) {
      const pa = a.evaluate(s);
      const pb = b.evaluate(s);
      expect(Math.hypot(pa.x - pb.x, pa.y - pb.y)).toBeLessThan(1e-9);
      expect(pa.heading).toBeCloseTo(pb.heading, 10);
    }
  });

  it('maps s to the point whose arc length from the start is s, to 1e-6 m', () => {
    const L = 60;
    const g = new ParamPoly3Geometry(0, 0, 0, 0, L, arcLengthPoly, L);
    const q = arcLengthPoly;
    const speed = (p: number): number => Math.hypot(q.bU + 2 * q.cU * p + 3 * q.dU * p * p, q.bV + 2 * q.cV * p + 3 * q.dV * p * p);
    for (const s of [5, 20, 42]) {
      // Independent inversion: bisect p on the Simpson arc length.
      let lo = 0, hi = L;
      for (let i = 0; i < 60; i++) {
        const mid = 0.5 * (lo + hi);
        if (simpson(speed, 0, mid, 2000) < s) lo = mid; else hi = mid;
      }
      const p = 0.5 * (lo + hi);
      const x = q.aU + p * (q.bU + p * (q.cU + p * q.dU));
      const y = q.aV + p * (q.bV + p * (q.cV + p * q.dV));
      const got = g.evaluate(s);
      expect(Math.hypot(got.x - x, got.y - y)).toBeLessThan(1e-6);
    }
  });

  it('poly3 of a straight slanted line runs along it by arc length', () => {
    const slope = 0.75; // a 3-4-5 triangle: u = 0.8 s, v = 0.6 s
    const g = ParamPoly3Geometry.poly3(0, 1, 2, 0, 50, 0, slope, 0, 0);
    for (const s of [0, 10, 25, 50]) {
      const p = g.evaluate(s);
      expect(p.x).toBeCloseTo(1 + 0.8 * s, 9);
      expect(p.y).toBeCloseTo(2 + 0.6 * s, 9);
      expect(p.heading).toBeCloseTo(Math.atan(slope), 12);
    }
  });

  it('poly3 equals the paramPoly3 with u = p', () => {
    const g = ParamPoly3Geometry.poly3(0, 0, 0, 0.2, 40, 0, 0.1, 0.004, -0.0001);
    const u = g.parameterAt(40);
    const direct = new ParamPoly3Geometry(0, 0, 0, 0.2, 40, { aU: 0, bU: 1, cU: 0, dU: 0, aV: 0, bV: 0.1, cV: 0.004, dV: -0.0001 }, u);
    for (const s of [0, 13, 40]) {
      const a = g.evaluate(s), b = direct.evaluate(s);
      expect(Math.hypot(a.x - b.x, a.y - b.y)).toBeLessThan(1e-9);
    }
    expect(direct.curveLength).toBeCloseTo(40, 9);
  });

  it('reads the qc-opendrive normalized paramPoly3 road continuously across its two geometries', () => {
    const network = readOpenDrive('test/fixtures/qc-opendrive/param_poly3_normalized.xodr');
    expect(network.warnings).toEqual([]);
    const g = network.road('0').referenceLine.geometries;
    const end = g[0].evaluate(g[0].length), start = g[1].evaluate(0);
    expect(Math.hypot(end.x - start.x, end.y - start.y)).toBeLessThan(1e-3);
  });
});
