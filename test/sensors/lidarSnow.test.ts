/**
 * LiDAR in snow (Hahner et al., CVPR 2022; src/sensors/LidarSnow.ts). Expected values come from
 * the published formulas written out here (Gunn & Marshall's N0 and Λ, the cone's volume by
 * numerical integration of π b(r)², the lens area by hand), never from the module's output.
 */
import { describe, expect, it } from 'vitest';
import { passThroughUniform } from '../../src/sensors/Lidar.js';
import { pulse } from '../../src/sensors/LidarFog.js';
import { circleOverlap, createSnowScratch, flakeEchoes, sampleFlakes, snowBeam, snowfall, strongestEcho } from '../../src/sensors/LidarSnow.js';

const DIVERGENCE = 3e-3; // rad, full angle
const APERTURE = 0.01; // m
const PULSE = 299_792_458 * 20e-9; // cτ_H of the 20 ns pulse, m

/** Gunn & Marshall (1958) for R mm/h: N0 (m⁻³ mm⁻¹) and Λ (mm⁻¹). */
const gm = (R: number) => ({ n0: 3.8e3 * Math.pow(R, -0.87), lambda: 2.55 * Math.pow(R, -0.48) });

/** ∫ f on [a, b] by Simpson's rule with n (even) panels. */
function simpson(f: (x: number) => number, a: number, b: number, n = 2000): number {
  const h = (b - a) / n;
  let s = f(a) + f(b);
  for (let i = 1; i < n; i++) s += (i % 2 ? 4 : 2) * f(a + i * h);
  return (s * h) / 3;
}

/** The beam's radius and its volume up to r, integrated numerically (not the module's closed form). */
const radius = (r: number) => APERTURE / 2 + r * Math.tan(DIVERGENCE / 2);
const volume = (r: number) => simpson((x) => Math.PI * radius(x) ** 2, 0, r);

/** The LiDAR's way of drawing per-ray randomness: a hash of (seed, beam, k). */
const source = (seed: number, beam: number) => (k: number) => passThroughUniform(seed, beam, k, 0x736e6f77);

describe('LiDAR snow: flakes in the beam', () => {
  it('meets a Poisson number of flakes with mean n V(limit), at ranges with density ∝ the cross-section', () => {
    const R = 2, limit = 20, beams = 4000;
    const { n0, lambda } = gm(R);
    const n = n0 / lambda; // the 20 mm cap removes e^(-36.6) of it
    const expected = n * volume(limit); // 2079.2 / 1.8283 = 1137.2 m⁻³ times 0.02985 m³ ≈ 33.9
    expect(expected).toBeCloseTo(33.94, 1);
    const snow = snowfall(R);
    const scratch = createSnowScratch();
    let sum = 0, sumSq = 0, sumRange = 0, flakes = 0, ordered = true, sumOffset2 = 0;
    for (let b = 0; b < beams; b++) {
      const k = sampleFlakes(source(1, b), snow, DIVERGENCE, APERTURE, limit, scratch);
      sum += k;
      sumSq += k * k;
      for (let j = 0; j < k; j++) {
        sumRange += scratch.range[j];
        sumOffset2 += (scratch.offset[j] / radius(scratch.range[j])) ** 2;
        if ((j > 0 && scratch.range[j] < scratch.range[j - 1]) || !(scratch.range[j] < limit)) ordered = false;
      }
      flakes += k;
    }
    expect(ordered).toBe(true); // in order of range, all before the limit
    const mean = sum / beams;
    expect(Math.abs(mean - expected)).toBeLessThan(3 * Math.sqrt(expected / beams));
    // Poisson: variance equals the mean (its estimate has a relative spread of ~sqrt(2/beams) = 2 %).
    const variance = sumSq / beams - mean * mean;
    expect(Math.abs(variance / expected - 1)).toBeLessThan(0.08);
    // Range density ∝ π b(r)²: E[r] = ∫ r b² dr / ∫ b² dr; its spread is at most limit/√12 per flake.
    const meanRange = simpson((x) => x * radius(x) ** 2, 0, limit) / simpson((x) => radius(x) ** 2, 0, limit);
    expect(meanRange).toBeGreaterThan(limit / 2); // the cone widens: more flakes far out
    expect(Math.abs(sumRange / flakes - meanRange)).toBeLessThan((3 * limit) / Math.sqrt(12 * flakes));
    // Centres uniform over the beam's disk: (d/b)² is uniform on [0, 1], mean 1/2, sd 1/√12.
    expect(Math.abs(sumOffset2 / flakes - 0.5)).toBeLessThan(3 / Math.sqrt(12 * flakes));
  });

  it('draws diameters from the exponential: mean 1/Λ', () => {
    const R = 0.5, beams = 3000;
    const { lambda } = gm(R); // 2.55 · 0.5^-0.48 = 3.557 mm⁻¹: mean 0.281 mm
    const snow = snowfall(R);
    const scratch = createSnowScratch();
    let sum = 0, count = 0;
    for (let b = 0; b < beams; b++) {
      const k = sampleFlakes(source(2, b), snow, DIVERGENCE, APERTURE, 15, scratch);
      for (let j = 0; j < k; j++) sum += scratch.diameter[j] * 1e3; // m → mm
      count += k;
    }
    expect(count).toBeGreaterThan(10000);
    // The exponential's standard deviation is its mean 1/Λ.
    expect(Math.abs(sum / count - 1 / lambda)).toBeLessThan((3 / lambda) / Math.sqrt(count));
  });

  it('stops at the cap and shadows the rest of the way to the hard target by the mean e^(-α_geo Δr)', () => {
    const snow = snowfall(1);
    const scratch = createSnowScratch(4);
    expect(sampleFlakes(source(9, 0), snow, DIVERGENCE, APERTURE, 100, scratch)).toBe(4);
    expect(scratch.capped).toBe(true);
    const hard = flakeEchoes(scratch, snow, 100, 0.02, 10);
    // α = π N0/Λ³ (Q_ext = 2), α_geo = α/2: T = ∏(1 − s_i) e^(−α/2 (100 − r_4)) e^(−(2α − α/2) 100).
    const { n0, lambda } = gm(1);
    const alpha = (Math.PI * n0) / lambda ** 3 * 1e-6;
    let t = 1;
    for (let j = 0; j < 4; j++) t *= 1 - scratch.share[j];
    expect(hard).toBeCloseTo(0.02 * t * Math.exp(-(alpha / 2) * (100 - scratch.range[3]) - 1.5 * alpha * 100), 12);
  });

  it('computes the extinction of the distribution: α = 2 ∫ (πD²/4) N(D) dD', () => {
    const { n0, lambda } = gm(2);
    const integral = simpson((d) => 2 * (Math.PI * d * d / 4) * n0 * Math.exp(-lambda * d), 0, 20, 20000) * 1e-6; // mm² m⁻³ → m⁻¹
    expect(integral).toBeCloseTo((Math.PI * n0) / lambda ** 3 * 1e-6, 9);
    expect(snowfall(2).alpha).toBeCloseTo(integral, 8);
    expect(snowfall(2).alpha).toBeCloseTo(1.0688e-3, 6);
  });
});

describe('LiDAR snow: circle overlap', () => {
  it('gives 0 for disjoint disks, the smaller disk when contained, and the lens of equal circles', () => {
    expect(circleOverlap(1, 2, 3.5)).toBe(0);
    expect(circleOverlap(1, 2, 3)).toBe(0); // tangent outside
    expect(circleOverlap(0.5, 2, 1)).toBeCloseTo(Math.PI * 0.25, 12);
    expect(circleOverlap(2, 0.5, 1.5)).toBeCloseTo(Math.PI * 0.25, 12); // tangent inside
    expect(circleOverlap(1, 1, 0)).toBeCloseTo(Math.PI, 12);
    // Equal circles of radius r, centres r apart: two 120° segments, r² (2π/3 − √3/2).
    expect(circleOverlap(3, 3, 3)).toBeCloseTo(9 * (2 * Math.PI / 3 - Math.sqrt(3) / 2), 10);
    // Equal unit circles √2 apart: two quarter-disk segments, 2 (π/4 − 1/2) = π/2 − 1.
    expect(circleOverlap(1, 1, Math.SQRT2)).toBeCloseTo(Math.PI / 2 - 1, 12);
  });
});

describe('LiDAR snow: the summed waveform', () => {
  it('finds the highest peak of the sum exactly: never below a fine grid, and its value is the sum there', () => {
    const cases: [number[], number[]][] = [
      [[10], [0.3]],
      [[10, 12], [0.5, 0.5]], // two pulses 2 m apart add up between them
      [[5, 7.5, 9, 20], [0.2, 0.1, 0.3, 0.25]],
      [[4, 4.2, 4.4, 30], [0.01, 0.02, 0.015, 0.04]],
    ];
    for (const [ranges, amps] of cases) {
      const sum = (x: number) => ranges.reduce((s, r, i) => s + amps[i] * pulse(x - r, PULSE), 0);
      const got = strongestEcho(ranges, amps, ranges.length, PULSE)!;
      const h = 1e-4;
      let grid = 0;
      for (let x = ranges[0]; x <= ranges[ranges.length - 1] + PULSE; x += h) grid = Math.max(grid, sum(x));
      // |f''| ≤ (Σ A) 2π²/L², so a grid of step h misses the peak by at most (Σ A) π² h² / (4 L²).
      const slack = amps.reduce((a, b) => a + b) * Math.PI ** 2 * h * h / (4 * PULSE * PULSE);
      expect(got.amplitude).toBeGreaterThanOrEqual(grid - 1e-12);
      expect(got.amplitude).toBeLessThanOrEqual(grid + slack + 1e-12);
      expect(sum(got.range + PULSE / 2)).toBeCloseTo(got.amplitude, 12);
    }
    // Two pulses of A = 0.5, 2 m apart: the sum is A (1 − cos(2πu/L) cos(2π/L)) with u = x − 11,
    // highest at u = L/2 (reported range 11 m), worth A (1 + cos(2π/L)) = 2A cos²(π/L).
    const two = strongestEcho([10, 12], [0.5, 0.5], 2, PULSE)!;
    expect(two.range).toBeCloseTo(11, 9);
    expect(two.amplitude).toBeCloseTo(2 * 0.5 * Math.cos(Math.PI / PULSE) ** 2, 12);
  });

  it('reports a flake that covers the whole beam, in front of a wall whose echo it blocks', () => {
    const rate = 2, rFlake = 5, wall = 20;
    const snow = snowfall(rate);
    const scratch = createSnowScratch();
    // One flake, 20 cm across on the axis: the beam is 2.25 cm wide at 5 m, all of it covered.
    scratch.count = 1;
    scratch.capped = false;
    scratch.range[0] = rFlake;
    scratch.diameter[0] = 0.2;
    scratch.offset[0] = 0;
    const b = radius(rFlake);
    scratch.share[0] = circleOverlap(0.1, b, 0) / (Math.PI * b * b);
    expect(scratch.share[0]).toBeCloseTo(1, 12);
    const hard = flakeEchoes(scratch, snow, wall, 0.5 * (10 / wall) ** 2, 10);
    expect(hard).toBe(0);
    // Its echo: ρ_snow (0.9) · s (1) · (10/5)², through the snowfall's residual extinction
    // (2α − α/2) r: the flake itself is the geometric shadow. α = π N0 / Λ³ (Q_ext = 2).
    const { n0, lambda } = gm(rate);
    const alpha = (Math.PI * n0) / lambda ** 3 * 1e-6;
    const echo = 0.9 * 1 * (10 / rFlake) ** 2 * Math.exp(-1.5 * alpha * rFlake);
    const peak = strongestEcho(scratch.echoRange, scratch.echoAmplitude, scratch.echoCount, PULSE, scratch.hardIndex)!;
    expect(peak.range).toBeCloseTo(rFlake, 9);
    expect(peak.amplitude).toBeCloseTo(echo, 12);
    expect(peak.fromHard).toBe(false);
  });

  it('returns the hard echo exactly when it does not snow', () => {
    const scratch = createSnowScratch();
    const clear = snowfall(0);
    for (const [r, a] of [[7.25, 0.31], [93.5, 1.7e-4]]) {
      expect(snowBeam(source(3, 1), clear, DIVERGENCE, APERTURE, r, a, 120, 10, scratch)).toEqual({ range: r, amplitude: a, isSnow: false });
    }
    expect(snowBeam(source(3, 1), clear, DIVERGENCE, APERTURE, Infinity, 0, 120, 10, scratch)).toBeUndefined();
  });
});

describe('LiDAR snow: beams at 2 mm/h', () => {
  const snow = snowfall(2);
  const n = gm(2).n0 / gm(2).lambda;
  const beams = 3000;
  const snowShare = (range: number, amplitude: number, seed: number) => {
    const scratch = createSnowScratch();
    let k = 0;
    for (let b = 0; b < beams; b++) if (snowBeam(source(seed, b), snow, DIVERGENCE, APERTURE, range, amplitude, 120, 10, scratch)?.isSnow) k++;
    return k / beams;
  };

  it('reports snow whenever a flake is seen in front of a target too faint to compete', () => {
    // The receiver sees nothing nearer than 2 m (the overlap of LidarFog.ts); any flake between
    // 2 m and the target beats an echo of 1e-12, so P(snow) = 1 − e^(−n (V(4) − V(2))).
    const p = 1 - Math.exp(-n * (volume(4) - volume(2))); // n · 5.72e-4 m³ = 0.65: p ≈ 0.48
    expect(p).toBeGreaterThan(0.4);
    expect(p).toBeLessThan(0.6);
    const share = snowShare(4, 1e-12, 4);
    expect(Math.abs(share - p)).toBeLessThan(3 * Math.sqrt((p * (1 - p)) / beams));
  });

  it('turns more returns of a 10 % wall to snow the farther the wall is', () => {
    // The wall's echo falls as 1/R² while the near flakes' echoes stay, and more flakes lie in
    // front of it; never more snow than beams with a visible flake at all.
    const ranges = [10, 25, 50, 100];
    const shares = ranges.map((r, i) => snowShare(r, 0.1 * (10 / r) ** 2, 10 + i));
    for (let i = 0; i < ranges.length; i++) {
      const bound = 1 - Math.exp(-n * (volume(ranges[i]) - volume(2)));
      expect(shares[i]).toBeLessThanOrEqual(bound + 3 * Math.sqrt((bound * (1 - bound)) / beams) + 1e-9);
      if (i > 0) {
        const se = Math.sqrt((shares[i] * (1 - shares[i]) + shares[i - 1] * (1 - shares[i - 1])) / beams);
        expect(shares[i] - shares[i - 1]).toBeGreaterThan(3 * se);
      }
    }
  });

  it('gives the same output for the same uniform source, and another for another', () => {
    const a = createSnowScratch(), b = createSnowScratch();
    const runs = (scratch: typeof a, seed: number) =>
      Array.from({ length: 50 }, (_, ray) => snowBeam(source(seed, ray), snow, DIVERGENCE, APERTURE, 60, 0.1 * (10 / 60) ** 2, 120, 10, scratch));
    const first = runs(a, 5);
    expect(runs(b, 5)).toEqual(first);
    expect(runs(a, 5)).toEqual(first); // reusing a scratch changes nothing
    expect(runs(b, 6)).not.toEqual(first);
  });
});
