/**
 * Rain's attenuation at radar frequencies (src/sensors/RadarRain.ts) against the values
 * Recommendation ITU-R P.838-3 tabulates for horizontal polarisation (its Table 5: k_H, α_H).
 */
import { describe, expect, it } from 'vitest';
import { rainAttenuationDbPerKm, rainCoefficients, rainTwoWayFactor } from '../../src/sensors/RadarRain.js';

/** [GHz, k_H, α_H] from P.838-3's table. */
const TABLE: [number, number, number][] = [
  [10, 0.01217, 1.2571],
  [20, 0.09164, 1.0568],
  [40, 0.4431, 0.8673],
  [60, 0.8606, 0.7656],
  [70, 1.0315, 0.7345],
  [80, 1.1704, 0.7115],
  [100, 1.3671, 0.6815],
];

describe('radar rain attenuation (ITU-R P.838-3)', () => {
  it('gives the recommendation\'s tabulated k and α', () => {
    for (const [f, k, alpha] of TABLE) {
      const c = rainCoefficients(f);
      expect(c.k / k).toBeCloseTo(1, 2);
      expect(c.alpha).toBeCloseTo(alpha, 3);
    }
  });

  it('takes k R^α dB/km, none without rain, and the round trip as 10^(−2γd/10000)', () => {
    const { k, alpha } = rainCoefficients(77);
    expect(rainAttenuationDbPerKm(77, 25)).toBeCloseTo(k * 25 ** alpha, 10);
    // Between the 70 and 80 GHz rows: 25 mm/h costs 10.9 to 11.6 dB/km.
    expect(rainAttenuationDbPerKm(77, 25)).toBeGreaterThan(1.0315 * 25 ** 0.7345);
    expect(rainAttenuationDbPerKm(77, 25)).toBeLessThan(1.1704 * 25 ** 0.7115);
    expect(rainAttenuationDbPerKm(77, 0)).toBe(0);
    // 10 dB/km over 500 m and back is 10 dB: a tenth of the power.
    expect(rainTwoWayFactor(10, 500)).toBeCloseTo(0.1, 12);
    expect(rainTwoWayFactor(0, 500)).toBe(1);
  });
});
