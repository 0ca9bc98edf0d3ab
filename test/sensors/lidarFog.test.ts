/**
 * LiDAR in fog (src/sensors/LidarFog.ts, after Hahner et al., ICCV 2021). The expected values
 * are computed here from the equations, with an integral of our own (Simpson's rule on a fine
 * grid), not from the sensor's table.
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
    minRange: 0.3, maxRange: 120, rangeNoiseStd: 0, dropoutBase: 0, minSignal: 0, noReturn: 'drop', motionDistortion: false,
    ...overrides,
  };
}

// The run's ego, as the simulation marks it (a sensor on it names no parent in its frames).
const parent = { id: 'ego', ego: true, instanceId: 99, pose: { p: [0, 0, 0], q: [0, 0, 0, 1] } } as unknown as ActorState;

/** A flat wall facing the sensor at x = range: 200 m wide and tall, nothing else. */
function wall(range: number): World {
  const mesh = new MeshBuilder();
  mesh.quad([range, 100, -100], [range, -100, -100], [range, -100, 100], [range, 100, 100], classId('building'));
  return World.fromMesh(mesh);
}

const points = (frame: Frame) => fieldArray(frame.data.points) as Float32Array;
const ranges = (frame: Frame): number[] => {
  const p = points(frame);
  const out: number[] = [];
  for (let k = 0; k < p.length; k += 4) out.push(Math.hypot(p[k], p[k + 1], p[k + 2]));
  return out;
};

/** soft(R) = π R_ref² β ∫ p(R - r) ξ(r) e^(-2αr) / r² dr by Simpson's rule, 4000 intervals over the pulse. */
function softEcho(R: number, mor: number): number {
  const alpha = Math.log(20) / mor, beta = 0.046 / mor, L = 299_792_458 * 20e-9;
  const xi = (r: number) => (r <= 2 ? 0 : r >= 3 ? 1 : r - 2);
  const f = (r: number) => (r <= 0 ? 0 : Math.sin((Math.PI * (R - r)) / L) ** 2 * xi(r) * Math.exp(-2 * alpha * r) / (r * r));
  const a = Math.max(0, R - L), n = 4000, h = (R - a) / n;
  let sum = f(a) + f(R);
  for (let i = 1; i < n; i++) sum += (i % 2 ? 4 : 2) * f(a + i * h);
  return Math.PI * 100 * beta * (sum * h) / 3;
}

/** The fog's strongest echo before range `limit`, on a 1 cm search. */
function softMax(limit: number, mor: number): number {
  let best = 0;
  for (let R = 2; R <= Math.min(limit, 12); R += 0.01) best = Math.max(best, softEcho(R, mor));
  return best;
}

describe('LiDAR in fog', () => {
  it('keeps the hard returns of a flat wall whose attenuated echo beats both the fog echo and the noise floor, in the closed-form share', () => {
    const R = 90, mor = 1000;
    const alpha = Math.log(20) / mor;
    const clear = new Lidar(config(), new Random(7)).capture(wall(R), parent, 0);
    const foggy = new Lidar(config(), new Random(7)).capture(wall(R), parent, 0, [], { fog: { visibility: mor } });
    // Each clear point gives its ray's range d and clear echo ρ cosθ (10/d)².
    const p = points(clear);
    const floor = 0.1 * (10 / 120) ** 2;
    const soft = softMax(R, mor);
    let expected = 0;
    const n = p.length / 4;
    for (let k = 0; k < n; k++) {
      const d = Math.hypot(p[4 * k], p[4 * k + 1], p[4 * k + 2]);
      if (p[4 * k + 3] * Math.exp(-2 * alpha * d) > Math.max(soft, floor)) expected++;
    }
    const kept = ranges(foggy).filter((r) => r > R - 0.01).length;
    const share = kept / n, want = expected / n;
    // Not trivial: some kept, some lost.
    expect(want).toBeGreaterThan(0.1);
    expect(want).toBeLessThan(0.9);
    // Three binomial standard errors, and the table's 5 cm grid.
    expect(Math.abs(share - want)).toBeLessThan(3 * Math.sqrt((want * (1 - want)) / n) + 0.01);
    // Kept hard returns are attenuated by exactly e^(-2αd).
    const f = points(foggy);
    const byDirection = new Map<string, number>();
    for (let k = 0; k < n; k++) byDirection.set(`${(p[4 * k + 1] / p[4 * k]).toFixed(5)},${(p[4 * k + 2] / p[4 * k]).toFixed(5)}`, p[4 * k + 3]);
    let checked = 0;
    for (let k = 0; k < f.length / 4; k++) {
      if (f[4 * k] < R - 0.01) continue;
      const i0 = byDirection.get(`${(f[4 * k + 1] / f[4 * k]).toFixed(5)},${(f[4 * k + 2] / f[4 * k]).toFixed(5)}`)!;
      const d = Math.hypot(f[4 * k], f[4 * k + 1], f[4 * k + 2]);
      expect(f[4 * k + 3]).toBeCloseTo(i0 * Math.exp(-2 * alpha * d), 6);
      checked++;
    }
    expect(checked).toBe(kept);
  });

  it('moves most points of a wall at 40 m below 10 m in a 30 m fog, as unlabeled points of no instance', () => {
    const frame = new Lidar(config(), new Random(3)).capture(wall(40), parent, 0, [], { fog: { visibility: 30 } });
    const r = ranges(frame);
    expect(r.length).toBeGreaterThan(0.9 * 141 * 49);
    expect(r.filter((x) => x < 10).length / r.length).toBeGreaterThan(0.95);
    const semantic = fieldArray(frame.data.semantic) as Uint8Array;
    const near = r.map((x, k) => (x < 10 ? semantic[k] : 0));
    expect(Math.max(...near)).toBe(0);
    // The fog points are spread over the pulse's range resolution (3 m) about the echo's peak, not on one sphere.
    const fogRanges = r.filter((x) => x < 10);
    expect(Math.max(...fogRanges) - Math.min(...fogRanges)).toBeGreaterThan(2);
    expect(frame.fields.fog_visibility).toBe(30);
    expect(frame.fields.weather).toBe('{"fog":{"visibility":30}}');
  });

  it('sets its noise floor by the data sheet\'s range on a 10 % target: a light fog (MOR 1 km) returns from open sky only for a sensor rated 10 % at its full range', () => {
    const sky = World.fromMesh(new MeshBuilder());
    const mor = 1000;
    // The fog's peak echo, 0.0026, between the floors of a 10 % target at 50 m (0.004) and at 120 m (0.00069).
    const soft = softMax(120, mor);
    expect(soft).toBeLessThan(0.1 * (10 / 50) ** 2);
    expect(soft).toBeGreaterThan(0.1 * (10 / 120) ** 2);
    const rated50 = new Lidar(config({ rangeAt10Percent: 50 }), new Random(2)).capture(sky, parent, 0, [], { fog: { visibility: mor } });
    const rated120 = new Lidar(config(), new Random(2)).capture(sky, parent, 0, [], { fog: { visibility: mor } });
    expect(ranges(rated50)).toHaveLength(0);
    const lidar = new Lidar(config(), new Random(2));
    expect(ranges(rated120)).toHaveLength(lidar.rayCount);
  });

  it('is deterministic: the same seed, sweep and rays give the same points', () => {
    const a = new Lidar(config(), new Random(5)).capture(wall(40), parent, 0, [], { fog: { visibility: 30 } });
    const b = new Lidar(config(), new Random(5)).capture(wall(40), parent, 0, [], { fog: { visibility: 30 } });
    expect(Buffer.from(encodeFrame(a)).equals(Buffer.from(encodeFrame(b)))).toBe(true);
  });

  it('changes nothing without weather or with an empty one: the frame is byte-identical', () => {
    const world = wall(25);
    const today = new Lidar(config({ rangeNoiseStd: 0.02, dropoutBase: 0.05 }), new Random(9)).capture(world, parent, 0);
    const empty = new Lidar(config({ rangeNoiseStd: 0.02, dropoutBase: 0.05 }), new Random(9)).capture(world, parent, 0, [], {});
    const undef = new Lidar(config({ rangeNoiseStd: 0.02, dropoutBase: 0.05 }), new Random(9)).capture(world, parent, 0, [], undefined);
    const bytes = Buffer.from(encodeFrame(today));
    expect(Buffer.from(encodeFrame(empty)).equals(bytes)).toBe(true);
    expect(Buffer.from(encodeFrame(undef)).equals(bytes)).toBe(true);
    expect(today.fields.weather).toBeUndefined();
  });

  it('gives, for a world without weather or with `{}`, the very frames of the code before weather (commit 3f53f97)', () => {
    // The digest was computed by the same capture run against a build of 3f53f97.
    const mesh = new MeshBuilder();
    mesh.quad([-200, -50, 0], [200, -50, 0], [200, 50, 0], [-200, 50, 0], classId('road'));
    mesh.box([30, 0, 5], [2, 40, 10], 0, classId('building'));
    const world = World.fromMesh(mesh);
    const cfg = config({ mount: { x: 0, y: 0, z: 1.5, roll: 0, pitch: 0, yaw: 0 }, horizontalFov: 360 * DEG, horizontalResolution: 0.5 * DEG, rangeNoiseStd: 0.02, dropoutBase: 0.05, minSignal: 0.001, noReturn: 'keep' });
    for (const weather of [undefined, {}]) {
      const lidar = new Lidar(cfg, new Random(11));
      const h = createHash('sha256');
      for (let i = 0; i < 3; i++) h.update(encodeFrame(lidar.capture(world, parent, i * 100_000_000, [], weather)));
      expect(h.digest('hex')).toBe('9b25f7330999ed019aaf8510e39d085d0df087ec6cfa0a2e2d5f3d71f560e0a7');
    }
  });
});
