/**
 * LiDAR in rain (drops after LISA, Kilic et al. 2021, on Marshall–Palmer; range noise after
 * Goodin et al. 2019) and on a wet road (src/sensors/LidarRain.ts). Expected values are
 * written out here from the equations, not taken from the module's constants; the drop
 * returns are checked against the exact sampler in lidarSnow.test.ts.
 */
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { fieldArray, type Frame } from '../../src/core/frame.js';
import { MeshBuilder } from '../../src/core/MeshBuilder.js';
import { Random } from '../../src/core/Random.js';
import { classId } from '../../src/core/semantic.js';
import { encodeFrame } from '../../src/io/codec.js';
import { Lidar } from '../../src/sensors/Lidar.js';
import type { LidarConfig } from '../../src/sensors/Rig.js';
import type { ActorState } from '../../src/sim/WorldState.js';
import { World } from '../../src/world/World.js';

const DEG = Math.PI / 180;

function config(overrides: Partial<LidarConfig> = {}): LidarConfig {
  const elevations: number[] = [];
  for (let e = -12; e <= 12; e += 0.5) elevations.push(e * DEG);
  return {
    name: 'l', type: 'lidar', parent: 'ego', mount: { x: 0, y: 0, z: 0, roll: 0, pitch: 0, yaw: 0 },
    rateHz: 10, elevations, horizontalFov: 70 * DEG, horizontalResolution: 0.25 * DEG,
    minRange: 0.3, maxRange: 120, rangeNoiseStd: 0, dropoutBase: 0, minSignal: 0, noReturn: 'keep', motionDistortion: false,
    ...overrides,
  };
}

// The run's ego, as the simulation marks it (a sensor on it names no parent in its frames).
const parent = { id: 'ego', ego: true, instanceId: 99, pose: { p: [0, 0, 0], q: [0, 0, 0, 1] } } as unknown as ActorState;

function wall(range: number): World {
  const mesh = new MeshBuilder();
  mesh.quad([range, 100, -100], [range, -100, -100], [range, -100, 100], [range, 100, 100], classId('building'));
  return World.fromMesh(mesh);
}

/** Per ray (noReturn 'keep' keeps rays aligned): range, intensity, valid, class. */
function rays(frame: Frame) {
  const p = fieldArray(frame.data.points) as Float32Array;
  const valid = fieldArray(frame.data.valid!) as Uint8Array;
  const semantic = fieldArray(frame.data.semantic) as Uint8Array;
  const out: { r: number; i: number; ok: boolean; c: number }[] = [];
  for (let k = 0; k < valid.length; k++) out.push({ r: Math.hypot(p[4 * k], p[4 * k + 1], p[4 * k + 2]), i: p[4 * k + 3], ok: valid[k] === 1, c: semantic[k] });
  return out;
}

/** ∫ f on [a, b] by Simpson's rule with n (even) panels. */
function simpson(f: (x: number) => number, a: number, b: number, n = 2000): number {
  const h = (b - a) / n;
  let sum = f(a) + f(b);
  for (let i = 1; i < n; i++) sum += (i % 2 ? 4 : 2) * f(a + i * h);
  return (sum * h) / 3;
}

/**
 * Rain's extinction (1/m) from Marshall and Palmer's drops, N(D) = 8000 e^(−ΛD) m⁻³ mm⁻¹ with
 * Λ = 4.1 R^−0.21, up to 6 mm, each removing twice its cross-section (Q_ext = 2):
 * α = 2 (π/4) ∫ D² N(D) dD, mm² m⁻³ = 1e-6 m⁻¹.
 */
const alphaPerM = (rate: number) => {
  const lambda = 4.1 * Math.pow(rate, -0.21);
  return 2 * (Math.PI / 4) * simpson((d) => d * d * 8000 * Math.exp(-lambda * d), 0, 6) * 1e-6;
};

const building = classId('building');

/** Mean of xs and its standard error. */
function meanAndError(xs: number[]): [number, number] {
  const n = xs.length, m = xs.reduce((a, b) => a + b, 0) / n;
  return [m, Math.sqrt(xs.reduce((a, b) => a + (b - m) ** 2, 0) / (n - 1) / n)];
}

describe('LiDAR in rain', () => {
  it('attenuates a wall at R by e^(−2αR) on average, α from the Marshall–Palmer drops (Q_ext = 2)', () => {
    const R = 30, rate = 50;
    const a = alphaPerM(rate);
    // Λ = 1.809 mm⁻¹: α = π 8000 / Λ³ (1 − e^(−6Λ)(…)) 1e-6 ≈ 4.28e-3 /m, 4.3 km⁻¹ (a free-space
    // optics fit, 1.076 R^0.67 dB/km, gives 3.4 km⁻¹).
    expect(a).toBeCloseTo(4.28e-3, 4);
    const clear = rays(new Lidar(config(), new Random(3)).capture(wall(R), parent, 0));
    const rain = rays(new Lidar(config(), new Random(3)).capture(wall(R), parent, 0, [], { rain: { rate } }));
    // Each ray's transmission is random (the large drops in its beam are drawn), with mean
    // e^(−2αd): compare the ratio rain / clear with it, ray by ray, on average.
    const diff: number[] = [];
    let replaced = 0;
    for (let k = 0; k < clear.length; k++) {
      if (!clear[k].ok) continue;
      if (!rain[k].ok || rain[k].c !== building) { replaced++; continue; }
      diff.push(rain[k].i / clear[k].i - Math.exp(-2 * a * clear[k].r));
    }
    expect(diff.length).toBeGreaterThan(5000);
    expect(replaced).toBeLessThan(diff.length / 50);
    const [mean, se] = meanAndError(diff);
    expect(Math.abs(mean)).toBeLessThan(4 * se + 1e-4);
  });

  it('spreads the range with σ = 0.02 z (1 - e^(-R_rain))², within sampling error', () => {
    const R = 50, rate = 2;
    const g2 = (1 - Math.exp(-rate)) ** 2; // 0.748
    const clear = rays(new Lidar(config(), new Random(3)).capture(wall(R), parent, 0));
    const rain = rays(new Lidar(config(), new Random(3)).capture(wall(R), parent, 0, [], { rain: { rate } }));
    const z: number[] = [];
    for (let k = 0; k < clear.length; k++) if (clear[k].ok && rain[k].ok && rain[k].c === building) z.push((rain[k].r - clear[k].r) / (0.02 * clear[k].r * g2));
    const n = z.length;
    const mean = z.reduce((s, v) => s + v, 0) / n;
    const std = Math.sqrt(z.reduce((s, v) => s + (v - mean) ** 2, 0) / (n - 1));
    expect(n).toBeGreaterThan(5000);
    // Standard errors: 1/√n for the mean, 1/√(2n) for the standard deviation; 4 of each.
    expect(Math.abs(mean)).toBeLessThan(4 / Math.sqrt(n));
    expect(Math.abs(std - 1)).toBeLessThan(4 / Math.sqrt(2 * n));
  });

  it('multiplies the extinctions of fog and rain together', () => {
    const R = 30, rate = 10, mor = 2000;
    const clear = rays(new Lidar(config(), new Random(3)).capture(wall(R), parent, 0));
    const both = rays(new Lidar(config(), new Random(3)).capture(wall(R), parent, 0, [], { fog: { visibility: mor }, rain: { rate } }));
    const alpha = Math.log(20) / mor + alphaPerM(rate);
    const diff: number[] = [];
    for (let k = 0; k < clear.length; k++) {
      if (!clear[k].ok || !both[k].ok || both[k].c !== building) continue;
      diff.push(both[k].i / clear[k].i - Math.exp(-2 * alpha * clear[k].r));
    }
    expect(diff.length).toBeGreaterThan(5000);
    const [mean, se] = meanAndError(diff);
    expect(Math.abs(mean)).toBeLessThan(4 * se + 1e-4);
  });

  it('loses the road returns whose attenuated echo is well under the noise floor 0.1 (10/max range)², keeps those well over it', () => {
    // A road seen from 1.8 m: far, grazing returns are faint (ρ cosθ (10/d)² ≪ floor).
    const mesh = new MeshBuilder();
    mesh.quad([-200, -100, 0], [200, -100, 0], [200, 100, 0], [-200, 100, 0], classId('road'));
    const world = World.fromMesh(mesh);
    const c = config({ mount: { x: 0, y: 0, z: 1.8, roll: 0, pitch: 0, yaw: 0 } });
    const rate = 10, a = alphaPerM(rate), floor = 0.1 * (10 / 120) ** 2;
    const clear = rays(new Lidar(c, new Random(3)).capture(world, parent, 0));
    const rain = rays(new Lidar(c, new Random(3)).capture(world, parent, 0, [], { rain: { rate } }));
    let under = 0, over = 0;
    for (let k = 0; k < clear.length; k++) {
      if (!clear[k].ok) continue;
      const echo = clear[k].i * Math.exp(-2 * a * clear[k].r);
      // Under half the floor: no road return (lost, or a drop's echo near the sensor).
      if (echo < floor / 2) {
        under++;
        expect(rain[k].ok && rain[k].c === classId('road')).toBe(false);
      }
      // Over twice the floor: the road return survives (a drop in front shades a few per cent).
      if (echo > floor * 2) {
        over++;
        expect(rain[k].ok).toBe(true);
      }
    }
    expect(under).toBeGreaterThan(100);
    expect(over).toBeGreaterThan(1000);
  });
});

describe('LiDAR on a wet road', () => {
  function scene(): World {
    const mesh = new MeshBuilder();
    mesh.quad([-200, -50, 0], [200, -50, 0], [200, 50, 0], [-200, 50, 0], classId('road'));
    mesh.box([40, 0, 5], [2, 60, 10], 0, classId('building'));
    return World.fromMesh(mesh);
  }
  const cfg = () => config({ mount: { x: 0, y: 0, z: 1.8, roll: 0, pitch: 0, yaw: 0 } });

  it('lowers the road return by 1 - 0.7 w, drops w × 20 % of road returns, and leaves the rest alone', () => {
    const w = 0.5;
    const dry = rays(new Lidar(cfg(), new Random(5)).capture(scene(), parent, 0));
    const wet = rays(new Lidar(cfg(), new Random(5)).capture(scene(), parent, 0, [], { wetRoad: w }));
    let road = 0, dropped = 0, building = 0;
    for (let k = 0; k < dry.length; k++) {
      if (!dry[k].ok) continue;
      if (dry[k].c === classId('road')) {
        road++;
        if (!wet[k].ok) { dropped++; continue; }
        expect(wet[k].i / dry[k].i).toBeCloseTo(1 - 0.7 * w, 5);
        expect(wet[k].r).toBe(dry[k].r);
      } else {
        building++;
        expect(wet[k].ok).toBe(true);
        expect(wet[k].i).toBe(dry[k].i);
      }
    }
    expect(road).toBeGreaterThan(3000);
    expect(building).toBeGreaterThan(1000);
    // Binomial: p = 0.2 w = 0.1, within 4 standard errors.
    const p = 0.2 * w;
    expect(Math.abs(dropped / road - p)).toBeLessThan(4 * Math.sqrt((p * (1 - p)) / road));
  });

  it('is seeded: the same seed gives the same wet frame', () => {
    const a = new Lidar(cfg(), new Random(5)).capture(scene(), parent, 0, [], { wetRoad: 0.8, rain: { rate: 5 } });
    const b = new Lidar(cfg(), new Random(5)).capture(scene(), parent, 0, [], { wetRoad: 0.8, rain: { rate: 5 } });
    expect(Buffer.from(encodeFrame(a)).equals(Buffer.from(encodeFrame(b)))).toBe(true);
  });
});

describe('LiDAR without rain or wet road', () => {
  it('gives the very frames of the code before weather (commit 3f53f97) without weather, with `{}` and with only the sun', () => {
    // Same scene and digest as lidarFog.test.ts: computed against a build of 3f53f97.
    const mesh = new MeshBuilder();
    mesh.quad([-200, -50, 0], [200, -50, 0], [200, 50, 0], [-200, 50, 0], classId('road'));
    mesh.box([30, 0, 5], [2, 40, 10], 0, classId('building'));
    const world = World.fromMesh(mesh);
    const c = config({ mount: { x: 0, y: 0, z: 1.5, roll: 0, pitch: 0, yaw: 0 }, horizontalFov: 360 * DEG, horizontalResolution: 0.5 * DEG, rangeNoiseStd: 0.02, dropoutBase: 0.05, minSignal: 0.001, noReturn: 'keep' });
    for (const weather of [undefined, {}]) {
      const lidar = new Lidar(c, new Random(11));
      const h = createHash('sha256');
      for (let i = 0; i < 3; i++) h.update(encodeFrame(lidar.capture(world, parent, i * 100_000_000, [], weather)));
      expect(h.digest('hex')).toBe('9b25f7330999ed019aaf8510e39d085d0df087ec6cfa0a2e2d5f3d71f560e0a7');
    }
    // The sun, a dry road (w = 0) and no rain touch no point: only the weather field is added.
    const plain = new Lidar(c, new Random(11)).capture(world, parent, 0);
    const sunny = new Lidar(c, new Random(11)).capture(world, parent, 0, [], { sun: { azimuth: 90, elevation: 30 }, wetRoad: 0, rain: { rate: 0 } });
    expect(Buffer.from(encodeFrame({ ...sunny, fields: plain.fields })).equals(Buffer.from(encodeFrame(plain)))).toBe(true);
  });
});
