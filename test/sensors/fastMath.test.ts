// The table-driven functions the weather models draw from, against Math and published
// normal quantiles (Abramowitz & Stegun, Table 26.5).
import { describe, expect, it } from 'vitest';
import { expOfBits, gaussianFromBits, normalQuantile, turnCos } from '../../src/sensors/FastMath.js';

describe('fast math of the weather models', () => {
  it('expOfBits(x) is -ln(x / 2³²) and turnCos(u) is cos 2πu', () => {
    for (let k = 1; k < 5000; k++) {
      const x = (Math.imul(k, 0x9e3779b1) >>> 0) || 1;
      expect(expOfBits(x)).toBeCloseTo(-Math.log(x / 4294967296), 12);
      expect(turnCos(k / 4999 - 0.3)).toBeCloseTo(Math.cos(2 * Math.PI * (k / 4999 - 0.3)), 12);
    }
  });

  it('normalQuantile matches the tabulated quantiles of the standard normal', () => {
    const table: [number, number][] = [[0.5, 0], [0.8413447460685429, 1], [0.975, 1.959963984540054], [0.995, 2.5758293035489], [0.9999, 3.719016485455709], [1e-6, -4.753424308822899]];
    for (const [p, z] of table) expect(Math.abs(normalQuantile(p) - z)).toBeLessThan(1e-8 * Math.max(1, Math.abs(z)));
  });

  it('gaussianFromBits over evenly spread words has the normal moments and tail shares', () => {
    const n = 1 << 20;
    let sum = 0, sq = 0, fourth = 0, beyond196 = 0, beyond3 = 0;
    for (let k = 0; k < n; k++) {
      const z = gaussianFromBits(k * 4096 + 2048); // words spread evenly over [0, 2³²)
      sum += z;
      sq += z * z;
      fourth += z ** 4;
      if (Math.abs(z) > 1.959963984540054) beyond196++;
      if (Math.abs(z) > 3) beyond3++;
    }
    // Evenly spread words are a quadrature of the quantile: the moments come out nearly exact.
    expect(Math.abs(sum / n)).toBeLessThan(1e-6);
    expect(Math.abs(sq / n - 1)).toBeLessThan(2e-3);
    expect(Math.abs(fourth / n - 3)).toBeLessThan(0.03);
    expect(Math.abs(beyond196 / n - 0.05)).toBeLessThan(1e-4);
    expect(Math.abs(beyond3 / n - 0.0026997960632601)).toBeLessThan(1e-4);
    // Extreme words stay finite.
    expect(Number.isFinite(gaussianFromBits(0)) && Number.isFinite(gaussianFromBits(0xffffffff))).toBe(true);
    expect(gaussianFromBits(0)).toBeLessThan(-6);
  });
});
