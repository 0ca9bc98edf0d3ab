/**
 * LiDAR in snow (Hahner et al., CVPR 2022; src/sensors/LidarSnow.ts). Expected values come from
 * the published formulas written out here (Gunn & Marshall's N0 and Λ, the beam's cross-section
 * integrated numerically, the lens area by hand, D*(r) from its definition), never from the
 * module's tables. The exact sampler the module replaced (every flake in the beam) is kept here
 * as the reference for the statistics the split into large and small flakes must preserve.
 */
import { describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { fieldArray, type Frame } from '../../src/core/frame.js';
import { MeshBuilder } from '../../src/core/MeshBuilder.js';
import { Random } from '../../src/core/Random.js';
import { classId } from '../../src/core/semantic.js';
import { encodeFrame } from '../../src/io/codec.js';
import { Lidar, passThroughUniform } from '../../src/sensors/Lidar.js';
import type { LidarConfig } from '../../src/sensors/Rig.js';
import type { ActorState } from '../../src/sim/WorldState.js';
import { World } from '../../src/world/World.js';
import { onEveryPool } from '../helpers.js';
import { pulse } from '../../src/sensors/LidarFog.js';
import {
  circleOverlap,
  createSnowScratch,
  flakeEchoes,
  meanShare,
  prepareSnow,
  sampleLargeFlakes,
  snowBeam,
  snowfall,
  softEcho,
  strongestEcho,
  type Snowfall,
} from '../../src/sensors/LidarSnow.js';
import { rainfall } from '../../src/sensors/LidarRain.js';

const DIVERGENCE = 3e-3; // rad, full angle
const APERTURE = 0.01; // m
const PULSE = 299_792_458 * 20e-9; // cτ_H of the 20 ns pulse, m
const FLOOR = 0.1 * (10 / 120) ** 2; // a 10 % target at 120 m: 6.94e-4
const EPS = 0.05;
const RHO = 0.9;

/** Gunn & Marshall (1958) for R mm/h: N0 (m⁻³ mm⁻¹) and Λ (mm⁻¹); α = π N0 / Λ³ (m⁻¹ after 1e-6). */
const gm = (R: number) => {
  const n0 = 3.8e3 * Math.pow(R, -0.87), lambda = 2.55 * Math.pow(R, -0.48);
  return { n0, lambda, alpha: (Math.PI * n0) / lambda ** 3 * 1e-6 };
};

/** ∫ f on [a, b] by Simpson's rule with n (even) panels. */
function simpson(f: (x: number) => number, a: number, b: number, n = 2000): number {
  const h = (b - a) / n;
  let s = f(a) + f(b);
  for (let i = 1; i < n; i++) s += (i % 2 ? 4 : 2) * f(a + i * h);
  return (s * h) / 3;
}

const radius = (r: number) => APERTURE / 2 + r * Math.tan(DIVERGENCE / 2);
/** The receiver overlap ξ: 0 to 2 m, linear to 1 at 3 m (LidarFog.ts's published choice). */
const xi = (r: number) => (r <= 2 ? 0 : r >= 3 ? 1 : r - 2);
/** D*(r) in mm from its definition: an on-axis flake covering (D/2b)² echoes ε F, or shades ε. */
const dStarMm = (r: number) => {
  const q = RHO * xi(r) * 100;
  const share = EPS * (q > FLOOR * r * r ? (FLOOR * r * r) / q : 1);
  return 2e3 * radius(r) * Math.sqrt(share);
};
/** The cross-section's large-flake count per metre: π b² ∫_(D*)^∞ N dD. */
const largePerMetre = (R: number) => (r: number) => {
  const { n0, lambda } = gm(R);
  return Math.PI * radius(r) ** 2 * (n0 / lambda) * Math.exp(-lambda * dStarMm(r));
};
/** ∫ over [0, limit] split where ξ has kinks (2 m, 3 m; D* jumps just past 2 m). */
const overRange = (f: (r: number) => number, limit: number) =>
  simpson(f, 0, 2) + simpson(f, 2 + 1e-9, 2.001, 200) + simpson(f, 2.001, 3) + simpson(f, 3, limit, 20000);

const seedOf = (seed: number, beam: number) => Math.floor(passThroughUniform(seed, 0, beam, 0x736e6f77) * 4294967296);

/** The exact sampler the module replaced: every flake of the beam, 3 hashed uniforms each. */
function exactBeam(seed: number, beam: number, snow: Snowfall, hardRange: number, hardAmplitude: number) {
  const u = (k: number) => passThroughUniform(seed, 1, beam, k);
  const t = Math.tan(DIVERGENCE / 2), h = APERTURE / 2;
  const limit = Math.min(hardRange, 120);
  const volume = (r: number) => (Math.PI * r * ((h + r * t) ** 2 + (h + r * t) * h + h * h)) / 3;
  const rangeOf = (v: number) => (Math.cbrt(h ** 3 + (3 * t * v) / Math.PI) - h) / t;
  const total = snow.density * volume(limit);
  const ranges: number[] = [], amps: number[] = [];
  let cumulative = 0, unoccluded = 1;
  const residual = 2 * snow.alpha - snow.alphaGeometric;
  for (let j = 0; j < 400; j++) {
    cumulative -= Math.log1p(-u(3 * j));
    if (cumulative >= total) break;
    const r = rangeOf(cumulative / snow.density);
    const d = -Math.log1p(-u(3 * j + 1)) / snow.lambda * 1e-3;
    const b = radius(r);
    const s = circleOverlap(d / 2, b, b * Math.sqrt(u(3 * j + 2))) / (Math.PI * b * b);
    ranges.push(r);
    amps.push(snow.reflectance * s * xi(r) * (10 / r) ** 2 * unoccluded * Math.exp(-residual * r));
    unoccluded *= 1 - s;
  }
  let hardIndex = -1;
  if (hardRange !== Infinity) {
    hardIndex = ranges.length;
    ranges.push(hardRange);
    amps.push(hardAmplitude * unoccluded * Math.exp(-residual * hardRange));
  }
  return strongestEcho(ranges, amps, ranges.length, PULSE, hardIndex);
}

describe('LiDAR snow: the split into large and small flakes', () => {
  it('gives the mean share a flake centred uniformly in the beam covers (lens area averaged by quadrature)', () => {
    for (const [f, b] of [[0.0003, 0.02], [0.002, 0.005], [0.004, 0.005], [0.009, 0.005], [0.012, 0.005]]) {
      // E[s] = ∫₀^b lens(f, b, d) 2πd dd / (π b²)²
      const mean = simpson((d) => circleOverlap(f, b, d) * 2 * Math.PI * d, 0, b, 20000) / (Math.PI * b * b) ** 2;
      expect(meanShare(f, b)).toBeCloseTo(mean, 8);
    }
    expect(meanShare(0.0001, 0.02) / (0.0001 / 0.02) ** 2).toBeCloseTo(1, 2); // small: its area
    expect(meanShare(0.011, 0.005)).toBe(1); // wider than the beam's diameter: covers it
  });

  it('meets a Poisson number of large flakes with mean ∫ π b² (N0/Λ) e^(-Λ D*(r)) dr', () => {
    const R = 2, limit = 50, beams = 4000;
    const expected = overRange(largePerMetre(R), limit);
    expect(expected).toBeGreaterThan(15); // ~22 to 50 m at 2 mm/h (of 1137 m⁻³ · V(50 m) ≈ 406 flakes in all)
    expect(expected).toBeLessThan(30);
    const t = prepareSnow(R, DIVERGENCE, APERTURE, FLOOR, 120, 10, { epsilon: EPS });
    const scratch = createSnowScratch();
    let sum = 0, sumSq = 0, ordered = true;
    for (let b = 0; b < beams; b++) {
      const k = sampleLargeFlakes(t, seedOf(1, b), limit, scratch);
      sum += k;
      sumSq += k * k;
      for (let j = 0; j < k; j++) if ((j > 0 && scratch.range[j] < scratch.range[j - 1]) || !(scratch.range[j] < limit)) ordered = false;
    }
    expect(ordered).toBe(true);
    const mean = sum / beams;
    expect(Math.abs(mean - expected)).toBeLessThan(3 * Math.sqrt(expected / beams));
    expect(Math.abs((sumSq / beams - mean * mean) / expected - 1)).toBeLessThan(0.1); // Poisson
  });

  it('draws large diameters as D* + Exp(Λ): (D − D*)Λ has mean 1 and P(> 1) = 1/e', () => {
    // D* is taken at the midpoint of the 5 cm range cell, as the tables of counts and mean shadow take it.
    const cellMid = (r: number) => (Math.floor(r / 0.05) + 0.5) * 0.05;
    const R = 0.5, beams = 3000;
    const { lambda } = gm(R);
    const t = prepareSnow(R, DIVERGENCE, APERTURE, FLOOR, 120, 10, { epsilon: EPS });
    const scratch = createSnowScratch();
    let sum = 0, over = 0, count = 0, below = 0;
    for (let b = 0; b < beams; b++) {
      const k = sampleLargeFlakes(t, seedOf(2, b), 120, scratch);
      for (let j = 0; j < k; j++) {
        const y = (scratch.diameter[j] * 1e3 - dStarMm(cellMid(scratch.range[j]))) * lambda;
        if (y < -1e-9) below++;
        sum += y;
        if (y > 1) over++;
        // Centres uniform over the disk: (d/b)² uniform, checked through its mean below.
      }
      count += k;
    }
    expect(below).toBe(0);
    expect(count).toBeGreaterThan(20000);
    expect(Math.abs(sum / count - 1)).toBeLessThan(3 / Math.sqrt(count));
    const p = Math.exp(-1);
    expect(Math.abs(over / count - p)).toBeLessThan(3 * Math.sqrt((p * (1 - p)) / count));
  });

  it('shades the hard echo by e^(−2αR) on average: large flakes sampled, small ones by their mean', () => {
    const R = 2, beams = 20000;
    const { alpha } = gm(R);
    const t = prepareSnow(R, DIVERGENCE, APERTURE, FLOOR, 120, 10, { epsilon: EPS });
    const scratch = createSnowScratch();
    for (const wall of [8, 50]) {
      let sum = 0, sumSq = 0;
      for (let b = 0; b < beams; b++) {
        sampleLargeFlakes(t, seedOf(3 + wall, b), wall, scratch);
        const hard = flakeEchoes(t, scratch, wall, 1);
        sum += hard;
        sumSq += hard * hard;
      }
      const mean = sum / beams, sd = Math.sqrt(sumSq / beams - mean * mean);
      expect(Math.abs(mean - Math.exp(-2 * alpha * wall))).toBeLessThan(3 * sd / Math.sqrt(beams) + 1e-6);
    }
  });

  it('keeps the small flakes as a soft echo, ~a tenth of the floor at 2 mm/h, as the integral gives', () => {
    const R = 2, x = 25;
    const { n0, lambda, alpha } = gm(R);
    const t = prepareSnow(R, DIVERGENCE, APERTURE, FLOOR, 120, 10, { epsilon: EPS });
    // Mean echo density of the flakes under D*: ρ ξ (10/r)² e^(−2αr) ∫_0^(D*) N (πD²/4) dD.
    const density = (r: number) => {
      const area = simpson((d) => n0 * Math.exp(-lambda * d) * (Math.PI * d * d) / 4, 0, dStarMm(r), 200) * 1e-6;
      return RHO * xi(r) * (10 / r) ** 2 * Math.exp(-2 * alpha * r) * area;
    };
    const expected = simpson((r) => pulse(x - r, PULSE) * density(r), x - PULSE, x, 600);
    // The edge term (4/3π)(D/2b)³ and the 5 cm grid leave ~1 %.
    expect(Math.abs(softEcho(t, x, 120) / expected - 1)).toBeLessThan(0.02);
    expect(expected).toBeGreaterThan(0.05 * FLOOR); // it matters next to the floor: kept
    expect(expected).toBeLessThan(0.3 * FLOOR); // but alone never reaches it
    // Behind a wall at 20 m the flakes past it are in its shadow: the soft echo fades to 0 at 20 m + L.
    expect(softEcho(t, 20 + PULSE, 20)).toBeLessThan(1e-6 * softEcho(t, 20, 20));
    expect(softEcho(t, 20 + PULSE / 2, 20) / softEcho(t, 20, 20)).toBeCloseTo(0.5, 3); // half the pulse left
    expect(softEcho(t, 20, 20)).toBeCloseTo(softEcho(t, 20, 120), 15);
  });

  it('turns a 10 % wall at 25 m and 50 m, and open sky, into snow as often as the exact sampler', () => {
    const R = 2, beams = 3000;
    const snow = snowfall(R);
    const t = prepareSnow(R, DIVERGENCE, APERTURE, FLOOR, 120, 10, { epsilon: EPS });
    const scratch = createSnowScratch();
    for (const [wall, seed] of [[25, 11], [50, 12], [Infinity, 13]]) {
      const amplitude = wall === Infinity ? 0 : 0.1 * (10 / wall) ** 2;
      let fast = 0, exact = 0;
      for (let b = 0; b < beams; b++) {
        const got = snowBeam(t, seedOf(seed, b), wall, amplitude, scratch);
        if (got && got.isSnow && got.amplitude >= FLOOR) fast++;
        const ref = exactBeam(seed, b, snow, wall, amplitude);
        if (ref && !ref.fromHard && ref.amplitude >= FLOOR) exact++;
      }
      const p1 = fast / beams, p2 = exact / beams;
      const se = Math.sqrt((p1 * (1 - p1) + p2 * (1 - p2)) / beams);
      expect(p2).toBeGreaterThan(wall === 25 ? 0.1 : 0.5); // ~20 %, ~61 %, ~98 %
      expect(Math.abs(p1 - p2)).toBeLessThan(3 * se + 1e-9);
    }
  }, 30000);
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
      [[3, 3.5, 4, 4.5, 5, 5.5, 6], [0.01, 0.01, 0.01, 0.012, 0.01, 0.01, 0.01]], // many small ones beat the largest
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
    const t = prepareSnow(rate, DIVERGENCE, APERTURE, FLOOR, 120, 10, { epsilon: EPS });
    const scratch = createSnowScratch();
    // One flake, 20 cm across on the axis: the beam is 2.25 cm wide at 5 m, all of it covered.
    scratch.count = 1;
    scratch.capped = false;
    scratch.range[0] = rFlake;
    const b = radius(rFlake);
    scratch.share[0] = circleOverlap(0.1, b, 0) / (Math.PI * b * b);
    expect(scratch.share[0]).toBeCloseTo(1, 12);
    expect(flakeEchoes(t, scratch, wall, 0.5 * (10 / wall) ** 2)).toBe(0);
    // Its echo: ρ_snow (0.9) · s (1) · (10/5)², times a deterministic transmission between the
    // mean two-way e^(−2αr) and e^(−(2α − α_geo)r) (the large flakes' mean shadow given back).
    const { alpha } = gm(rate);
    expect(scratch.echoAmplitude[0]).toBeGreaterThanOrEqual(0.9 * 4 * Math.exp(-2 * alpha * rFlake));
    expect(scratch.echoAmplitude[0]).toBeLessThanOrEqual(0.9 * 4 * Math.exp(-1.5 * alpha * rFlake));
    const peak = strongestEcho(scratch.echoRange, scratch.echoAmplitude, scratch.echoCount, PULSE, scratch.hardIndex)!;
    expect(peak.range).toBeCloseTo(rFlake, 9);
    expect(peak.amplitude).toBeCloseTo(scratch.echoAmplitude[0], 12);
    expect(peak.fromHard).toBe(false);
  });

  it('returns the hard echo exactly when it does not snow', () => {
    const scratch = createSnowScratch();
    const clear = prepareSnow(0, DIVERGENCE, APERTURE, FLOOR, 120, 10);
    for (const [r, a] of [[7.25, 0.31], [93.5, 1.7e-4]]) {
      expect({ ...snowBeam(clear, 7, r, a, scratch) }).toEqual({ range: r, amplitude: a, isSnow: false });
    }
    expect(snowBeam(clear, 7, Infinity, 0, scratch)).toBeUndefined();
  });

  it('refuses a noise floor of 0: every flake would be large', () => {
    expect(() => prepareSnow(2, DIVERGENCE, APERTURE, 0, 120, 10)).toThrow(/noise floor/);
  });
});

describe('LiDAR particles: a hard echo far above the rest', () => {
  it('reports the peak of the summed waveform, found by a 1 mm scan, within 1 cm and 0.1 %', () => {
    // Rain at 25 mm/h: drops a few metres in front of a road return at 8 m, their echoes far
    // under it. The scan sums every sin² pulse and the soft echo on a 1 mm grid.
    const t = prepareSnow(rainfall(25), DIVERGENCE, APERTURE, FLOOR, 120, 10, { epsilon: 0.2 });
    const scratch = createSnowScratch();
    const hardRange = 8, hardAmplitude = 0.3 * (10 / 8) ** 2;
    let withDrops = 0;
    for (let b = 0; b < 400; b++) {
      const got = snowBeam(t, seedOf(11, b), hardRange, hardAmplitude, scratch);
      expect(got).toBeDefined();
      const n = scratch.echoCount;
      if (n > 1) withDrops++;
      let best = -1, bestX = 0;
      for (let x = 0; x < hardRange + PULSE; x += 1e-3) {
        let v = softEcho(t, x, hardRange);
        for (let i = 0; i < n; i++) v += scratch.echoAmplitude[i] * pulse(x - scratch.echoRange[i], PULSE);
        if (v > best) { best = v; bestX = x; }
      }
      expect(Math.abs(got!.range - (bestX - PULSE / 2))).toBeLessThan(0.01);
      expect(Math.abs(got!.amplitude / best - 1)).toBeLessThan(1e-3);
      expect(got!.isSnow).toBe(false);
    }
    expect(withDrops).toBeGreaterThan(100);
  });
});

describe('LiDAR snow: beams at 2 mm/h', () => {
  const t = prepareSnow(2, DIVERGENCE, APERTURE, FLOOR, 120, 10, { epsilon: EPS });
  const beams = 3000;
  const share = (range: number, amplitude: number, seed: number) => {
    const scratch = createSnowScratch();
    let k = 0;
    for (let b = 0; b < beams; b++) if (snowBeam(t, seedOf(seed, b), range, amplitude, scratch)?.isSnow) k++;
    return k / beams;
  };

  it('turns more returns of a 10 % wall to snow the farther the wall is', () => {
    const shares = [10, 25, 50, 100].map((r, i) => share(r, 0.1 * (10 / r) ** 2, 20 + i));
    for (let i = 1; i < shares.length; i++) {
      const se = Math.sqrt((shares[i] * (1 - shares[i]) + shares[i - 1] * (1 - shares[i - 1])) / beams);
      expect(shares[i] - shares[i - 1]).toBeGreaterThan(3 * se);
    }
  });

  it('gives the same output for the same seed, whatever came before, and another for another', () => {
    const a = createSnowScratch(), b = createSnowScratch();
    const runs = (scratch: typeof a, seed: number, order: number[]) => {
      const out: unknown[] = [];
      for (const ray of order) out[ray] = { ...snowBeam(t, seedOf(seed, ray), 60, 0.1 * (10 / 60) ** 2, scratch) };
      return out;
    };
    const forward = Array.from({ length: 50 }, (_, i) => i);
    const first = runs(a, 5, forward);
    expect(runs(b, 5, [...forward].reverse())).toEqual(first);
    expect(runs(a, 5, forward)).toEqual(first); // reusing a scratch changes nothing
    expect(runs(b, 6, forward)).not.toEqual(first);
  });
});

describe('LiDAR snow in the sensor: every beam of a sweep', () => {
  const DEG = Math.PI / 180;
  // A narrow fan about the axis: 20 x 61 = 1220 beams; no beam config, so the snow takes the
  // default 3 mrad divergence and the default floor 0.1 (10/120)², the constants above.
  const config = (overrides: Partial<LidarConfig> = {}): LidarConfig => ({
    name: 'l', type: 'lidar', parent: 'ego', mount: { x: 0, y: 0, z: 0, roll: 0, pitch: 0, yaw: 0 },
    rateHz: 10, elevations: Array.from({ length: 20 }, (_, i) => (i - 9.5) * 0.5 * DEG), horizontalFov: 30 * DEG,
    horizontalResolution: 0.5 * DEG, minRange: 0.3, maxRange: 120, rangeNoiseStd: 0, dropoutBase: 0, minSignal: 0,
    noReturn: 'drop', motionDistortion: false, ...overrides,
  });
  const parent = { id: 'ego', instanceId: 99, pose: { p: [0, 0, 0], q: [0, 0, 0, 1] } } as unknown as ActorState;
  /** A wall facing the sensor at x = range (beyond 120 m: open sky for the sensor). */
  const wall = (range: number) => {
    const mesh = new MeshBuilder();
    mesh.quad([range, 100, -100], [range, -100, -100], [range, -100, 100], [range, 100, 100], classId('building'));
    return World.fromMesh(mesh);
  };
  const snowy = { snow: { rate: 2 } };
  const points = (f: Frame) => fieldArray(f.data.points) as Float32Array;
  const semantic = (f: Frame) => fieldArray(f.data.semantic) as Uint8Array;
  /** The exact sampler's share of `refBeams` beams into open sky that return a point over the floor. */
  const openSkyShare = (seed: number, particles: Snowfall, refBeams: number) => {
    let returned = 0;
    for (let b = 0; b < refBeams; b++) {
      const ref = exactBeam(seed, b, particles, Infinity, 0);
      if (ref && ref.amplitude >= FLOOR) returned++;
    }
    return returned / refBeams;
  };
  const within3se = (p1: number, n1: number, p2: number, n2: number) =>
    expect(Math.abs(p1 - p2)).toBeLessThan(3 * Math.sqrt((p1 * (1 - p1)) / n1 + (p2 * (1 - p2)) / n2) + 1e-9);

  it('returns snow from open sky as often as the exact sampler of every flake, all unlabeled', () => {
    const frame = new Lidar(config(), new Random(3)).capture(wall(500), parent, 0, [], snowy);
    const beams = 1220;
    const n = frame.fields.point_count as number;
    expect(semantic(frame).every((c) => c === 0)).toBe(true);
    expect(fieldArray(frame.data.instance).every((c) => c === 0)).toBe(true);
    const refBeams = 3000;
    const exact = openSkyShare(31, snowfall(2), refBeams);
    expect(exact).toBeGreaterThan(0.9);
    within3se(n / beams, beams, exact, refBeams);
    expect(frame.fields).toMatchObject({ snow_rate: 2, weather: JSON.stringify(snowy) });
  });

  it('turns returns of a wall at 50 m into snow in front of it as often as the exact sampler given each beam\'s clear echo', () => {
    const world = wall(50);
    const clear = new Lidar(config(), new Random(4)).capture(world, parent, 0);
    const frame = new Lidar(config(), new Random(4)).capture(world, parent, 0, [], snowy);
    const p = points(clear);
    const beams = p.length / 4;
    expect(beams).toBe(1220); // 20 channels x 61 columns
    const snow = snowfall(2);
    let exactSnow = 0, exactWall = 0;
    for (let k = 0; k < beams; k++) {
      // The clear echo (intensity ρ cosθ (10/d)²) and range of beam k: the hard target's.
      const d = Math.hypot(p[4 * k], p[4 * k + 1], p[4 * k + 2]);
      // Three reference draws a beam, for a tighter reference share.
      for (const seed of [41, 42, 43]) {
        const ref = exactBeam(seed, k, snow, d, p[4 * k + 3]);
        if (!ref || ref.amplitude < FLOOR) continue;
        if (ref.fromHard) exactWall++;
        else exactSnow++;
      }
    }
    const cls = semantic(frame), q = points(frame);
    let gotSnow = 0, gotWall = 0;
    for (let k = 0; k < cls.length; k++) {
      const r = Math.hypot(q[4 * k], q[4 * k + 1], q[4 * k + 2]);
      if (cls[k] === 0) {
        gotSnow++;
        expect(r).toBeLessThan(50 / Math.cos(16 * DEG));
      } else {
        expect(cls[k]).toBe(classId('building'));
        gotWall++;
      }
    }
    expect(exactSnow / (3 * beams)).toBeGreaterThan(0.1);
    within3se(gotSnow / beams, beams, exactSnow / (3 * beams), 3 * beams);
    within3se(gotWall / beams, beams, exactWall / (3 * beams), 3 * beams);
  });

  it('reports snow and the wall behind it on a dual-return sensor: the last return is the wall at its range', () => {
    const world = wall(50);
    const dual = config({ beam: { subRays: 1, divergence: DIVERGENCE, rangeResolution: 1, returnMode: 'dual' } });
    const frame = new Lidar(dual, new Random(5)).capture(world, parent, 0, [], snowy);
    const cls = semantic(frame), q = points(frame), ret = fieldArray(frame.data.return) as Uint8Array;
    let pairs = 0;
    for (let k = 0; k + 1 < cls.length; k++) {
      if (ret[k] !== 0 || ret[k + 1] !== 1 || cls[k] !== 0) continue;
      // Strongest: snow; last: the wall, on the beam's axis at x = 25 m.
      expect(cls[k + 1]).toBe(classId('building'));
      expect(q[4 * (k + 1)]).toBeCloseTo(50, 3);
      pairs++;
    }
    expect(pairs).toBeGreaterThan(50);
  });

  it('returns rain drops near the sensor from open sky as often as the exact sampler (LISA: Marshall–Palmer, Fresnel ρ)', () => {
    const R = 25;
    // Marshall & Palmer (1948): N0 = 8000 m⁻³ mm⁻¹, Λ = 4.1 R^−0.21 mm⁻¹ (2.09 at 25 mm/h); water
    // at 905 nm (n = 1.328) reflects ((n − 1)/(n + 1))² = 0.0199 at normal incidence; Q_ext = 2.
    const lambda = 4.1 * Math.pow(R, -0.21), n0 = 8000;
    const alphaGeometric = (Math.PI / 4) * simpson((d) => d * d * n0 * Math.exp(-lambda * d), 0, 6) * 1e-6;
    const drops = { rate: R, n0, lambda, minDiameter: 0, maxDiameter: 6, density: (n0 / lambda) * (1 - Math.exp(-6 * lambda)), alpha: 2 * alphaGeometric, alphaGeometric, reflectance: (0.328 / 2.328) ** 2 };
    const frame = new Lidar(config(), new Random(8)).capture(wall(500), parent, 0, [], { rain: { rate: R } });
    const beams = 1220;
    const n = frame.fields.point_count as number;
    expect(semantic(frame).every((c) => c === 0)).toBe(true);
    const refBeams = 4000;
    const exact = openSkyShare(51, drops, refBeams);
    // ~25 % of beams into open sky come back from a drop, all within ~10 m. (The exact sampler
    // stops at 400 drops, ~30 m out at this density: no drop past ~10 m echoes over the floor.)
    expect(exact).toBeGreaterThan(0.1);
    within3se(n / beams, beams, exact, refBeams);
    const p = points(frame);
    for (let k = 0; k < n; k++) expect(Math.hypot(p[4 * k], p[4 * k + 1], p[4 * k + 2])).toBeLessThan(12);
    expect(frame.fields).toMatchObject({ rain_rate: R });
  });

  it('gives identical bytes for one seed on a pool of 1 or 2 threads or none, and others for another seed', async () => {
    const world = wall(40);
    const digest = (seed: number) => createHash('sha256').update(encodeFrame(new Lidar(config(), new Random(seed)).capture(world, parent, 0, [], snowy))).digest('hex');
    const alone = digest(6);
    await onEveryPool(world.scene, () => expect(digest(6)).toBe(alone));
    expect(digest(7)).not.toBe(alone);
  });
});
