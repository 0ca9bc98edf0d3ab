/**
 * The camera's raw output and its photon transfer curve (EMVA 1288 release 4.0, section 2):
 * a flat grey wall filling the view, rendered with noise at several shutter times; the
 * temporal variance from the difference of two frames, σ_y² = ½ var(y_A − y_B) (the fixed
 * patterns cancel), against the mean above the dark level follows
 *   σ_y² = K (μ_y − μ_y.dark) + K² σ_d² + 1/12,
 * K = (2^12 − 1 − 64) / 10 500 DN/e⁻ at the base ISO of the default sensor (full well over the
 * 12-bit range above the black level), σ_d = 2.2 e⁻.
 */
import { describe, expect, it } from 'vitest';
import { fieldArray, type Frame } from '../../src/core/frame.js';
import { MeshBuilder } from '../../src/core/MeshBuilder.js';
import { classId } from '../../src/core/semantic.js';
import { Camera } from '../../src/sensors/camera/Camera.js';
import { meteredShutter } from '../../src/sensors/camera/Exposure.js';
import { NOISE_DEFAULTS, sensorBase } from '../../src/sensors/camera/SensorNoise.js';
import { cameraConfig, type CameraConfig } from '../../src/sensors/CameraConfig.js';
import { World } from '../../src/world/World.js';
import { actor, DEG, state } from './cameraHelpers.js';

const parent = { ...actor('ego', 999, 'car', 0, 0), pose: { p: [0, 0, 0] as [number, number, number], q: [0, 0, 0, 1] as [number, number, number, number] } };

function wall(): World {
  const mesh = new MeshBuilder();
  mesh.quad([10, 100, -100], [10, -100, -100], [10, -100, 100], [10, 100, 100], classId('building'));
  const world = World.fromMesh(mesh);
  world.update(state([]));
  return world;
}

const noise = { ...NOISE_DEFAULTS, gainDnPerE: undefined, seed: 5 };
const K = (4095 - 64) / 10500;
const SIGMA_D = 2.2;

const config = (shutter: number, raw = true): CameraConfig => cameraConfig({
  width: 128, height: 96, fov: 50 * DEG, mount: { x: 0, y: 0, z: 1.5, roll: 0, pitch: 0, yaw: 0 }, shadows: false, boxes: false,
  fogDistance: Infinity, outputs: ['rgb'], noise, exposure: { shutter, iso: sensorBase(noise).iso, fNumber: 2 }, raw,
});

const rawOf = (frame: Frame) => fieldArray(frame.data.raw) as Uint16Array;

/** Mean and temporal variance (½ var of the difference) of two frames of the same scene. */
function pair(shutter: number): { mean: number; variance: number } {
  const camera = new Camera(config(shutter)), world = wall();
  const a = rawOf(camera.capture(world, parent, 0)), b = rawOf(camera.capture(world, parent, 100_000_000));
  let s = 0, d = 0, d2 = 0;
  for (let i = 0; i < a.length; i++) { s += a[i] + b[i]; d += a[i] - b[i]; d2 += (a[i] - b[i]) ** 2; }
  const n = a.length;
  return { mean: s / (2 * n), variance: (d2 / n - (d / n) ** 2) / 2 };
}

describe('camera raw output', () => {
  it('is absent unless asked for, and holds u16 digital numbers [height, width, 3] when it is', () => {
    const t = 0.001;
    expect(new Camera(config(t, false)).capture(wall(), parent, 0).data.raw).toBeUndefined();
    const frame = new Camera(config(t)).capture(wall(), parent, 0);
    expect(frame.data.raw.dtype).toBe('uint16');
    expect(frame.data.raw.shape).toEqual([96, 128, 3]);
    expect(Math.max(...rawOf(frame))).toBeLessThanOrEqual(4095);
    expect(frame.fields.raw).toMatch(/black level 64 DN/);
  });

  it('follows the photon transfer curve of the sensor: slope K within 5 %, dark variance K² σ_d² + 1/12', () => {
    // Shutter times around the metered one (mid grey ≈ 13 % of saturation), staying under saturation.
    const metered = meteredShutter(100, sensorBase(noise).iso, 2, 0);
    const dark = pair(1e-9);
    expect(dark.mean).toBeCloseTo(64, 0);
    expect(Math.abs(dark.variance / (K * K * SIGMA_D ** 2 + 1 / 12) - 1)).toBeLessThan(0.1);
    const xs: number[] = [], ys: number[] = [];
    for (const k of [0.25, 0.5, 1, 2, 3]) {
      const p = pair(k * metered);
      expect(p.mean).toBeLessThan(0.8 * 4095);
      xs.push(p.mean - dark.mean);
      ys.push(p.variance);
    }
    expect(Math.max(...xs)).toBeGreaterThan(500);
    // Least-squares line through (μ − μ_dark, σ²).
    const n = xs.length, mx = xs.reduce((a, b) => a + b) / n, my = ys.reduce((a, b) => a + b) / n;
    let sxy = 0, sxx = 0;
    for (let i = 0; i < n; i++) { sxy += (xs[i] - mx) * (ys[i] - my); sxx += (xs[i] - mx) ** 2; }
    const slope = sxy / sxx;
    expect(Math.abs(slope / K - 1)).toBeLessThan(0.05);
    // Every point on the curve within its sampling error (√(2/n) of a variance over n values, n = 128·96·3).
    for (let i = 0; i < n; i++) {
      const expected = K * xs[i] + K * K * SIGMA_D ** 2 + 1 / 12;
      expect(Math.abs(ys[i] / expected - 1)).toBeLessThan(4 * Math.sqrt(2 / (128 * 96 * 3)) + 0.01);
    }
  });
});
