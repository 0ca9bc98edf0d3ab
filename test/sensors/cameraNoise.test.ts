import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { MeshBuilder } from '../../src/core/MeshBuilder.js';
import { classId } from '../../src/core/semantic.js';
import { Camera } from '../../src/sensors/camera/Camera.js';
import { meteredShutter, SATURATION_TO_CURVE, signalPerRadiance } from '../../src/sensors/camera/Exposure.js';
import { NOISE_DEFAULTS, SensorNoise, sensorBase, type NoiseConfig } from '../../src/sensors/camera/SensorNoise.js';
import { exposureScale } from '../../src/sensors/camera/ToneMapping.js';
import { cameraConfig, type CameraConfig } from '../../src/sensors/CameraConfig.js';
import { loadRig } from '../../src/sensors/Rig.js';
import { World } from '../../src/world/World.js';
import { userError } from '../helpers.js';
import { actor, DEG, images, state } from './cameraHelpers.js';

const dir = mkdtempSync(join(tmpdir(), 'roadcast-noise-'));
let files = 0;
function rigWith(yaml: string): { file: string; config: () => CameraConfig } {
  const file = join(dir, `rig${files++}.yaml`);
  writeFileSync(file, `sensors:\n  - name: cam\n    type: camera\n${yaml.replace(/^/gm, '    ')}\n`);
  return { file, config: () => loadRig(file).sensors[0] as CameraConfig };
}

const noiseConfig = (over: Partial<NoiseConfig> = {}): NoiseConfig => ({ ...NOISE_DEFAULTS, gainDnPerE: undefined, seed: 7, ...over });

function stats(a: Uint16Array): { mean: number; variance: number } {
  let s = 0;
  for (const v of a) s += v;
  const mean = s / a.length;
  let q = 0;
  for (const v of a) q += (v - mean) ** 2;
  return { mean, variance: q / (a.length - 1) };
}

describe('exposure (ISO 12232)', () => {
  it('a shutter set as the grey-card meter sets it puts mid grey where auto-exposure does', () => {
    for (const [E, bias, iso, N] of [[100, 0, 100, 2], [3.5, 1, 800, 1.4], [40, -2, 250, 8]]) {
      const shutter = meteredShutter(E, iso, N, bias);
      // By hand: H_grey = 10/S · 2^bias, H = (π/4) L t / N², L = 0.18 E / π (cd/m², E in lux).
      const L = (0.18 * E * 1000) / Math.PI;
      expect(shutter).toBeCloseTo(((10 / iso) * 2 ** bias) / ((Math.PI / 4) * L / (N * N)), 12);
      expect(signalPerRadiance({ shutter, iso, fNumber: N }) * SATURATION_TO_CURVE).toBeCloseTo(exposureScale(E, bias), 9);
    }
    // The ISO saturation exposure, 78 / S lux·s, is signal 1: at ISO 100, f/2, 1/100 s that is L = 78·4/(0.785·1) cd/m².
    const Lsat = (78 * 4) / ((Math.PI / 4) * 0.01 * 100) / 1000; // kcd/m²
    expect(signalPerRadiance({ shutter: 0.01, iso: 100, fNumber: 2 }) * Lsat).toBeCloseTo(1, 12);
  });
});

describe('sensor noise (EMVA 1288)', () => {
  it('counts photons from radiance, pixel size, f-number and shutter', () => {
    const cfg = noiseConfig();
    const noise = new SensorNoise(cfg, { shutter: 0.001, iso: 100, fNumber: 2 }, 3);
    // 1 kcd/m² at f/2: E_v = (π/4)·1000/4 lux = 196.35 lux; /683 lm/W = 0.28748 W/m²;
    // photon energy hc/550 nm = 3.6118e-19 J; pixel 3.45 µm: A = 1.19025e-11 m².
    const photons = (1.19025e-11 * ((Math.PI / 4) * 1000 / 4 / 683) * 0.001) / ((6.62607015e-34 * 299792458) / 550e-9);
    expect(photons).toBeCloseTo(9474, -1);
    expect(noise.electronsPerRadiance).toBeCloseTo(0.65 * photons, 6);
  });

  it('follows the photon transfer curve σ² = K (μ − μ_dark) + K² σ_d² + 1/12', () => {
    const n = 60000;
    for (const over of [{}, { gainDnPerE: 2, darkNoiseE: 3, fullWellE: 2000 }]) {
      const cfg = noiseConfig({ prnu: 0, dsnuE: 0, ...over });
      const noise = new SensorNoise(cfg, { shutter: 0.001, iso: sensorBase(cfg).iso, fNumber: 2 }, n);
      const K = noise.gain;
      expect(K).toBeCloseTo(cfg.gainDnPerE ?? (4095 - 64) / 10500, 12);
      const out = new Uint16Array(n);
      noise.digitise(new Float32Array(n), 3, out);
      const dark = stats(out);
      expect(dark.mean).toBeCloseTo(64, 1);
      expect(dark.variance / (K * K * cfg.darkNoiseE ** 2 + 1 / 12)).toBeCloseTo(1, 1);
      for (const mu of [4, 12, 30, 200, 1500]) {
        noise.digitise(new Float32Array(n).fill(mu), 11, out);
        const s = stats(out);
        // The mean is linear in μ_e within its standard error (and that of the dark mean).
        expect(Math.abs(s.mean - dark.mean - K * mu)).toBeLessThan(4 * Math.sqrt((s.variance + dark.variance) / n) + 0.01);
        const expected = K * (s.mean - dark.mean) + K * K * cfg.darkNoiseE ** 2 + 1 / 12;
        // Sampling error of a variance over n values: √(2/n) ≈ 0.6 %.
        expect(Math.abs(s.variance / expected - 1)).toBeLessThan(0.04);
      }
    }
  });

  it('draws the shot noise of dim pixels from the Poisson distribution itself (χ² against e^−μ μⁿ / n!)', () => {
    // One DN per electron, no offset, no other noise: the digital value is the photon count.
    const n = 80000;
    const cfg = noiseConfig({ prnu: 0, dsnuE: 0, darkNoiseE: 0, blackLevelDn: 0, gainDnPerE: 1 });
    const noise = new SensorNoise(cfg, { shutter: 0.001, iso: sensorBase(cfg).iso, fNumber: 2 }, n);
    const out = new Uint16Array(n);
    // Means on and between the sampler's grid nodes, up to just below where it turns Gaussian.
    for (const mu of [0.03, 0.5, 1.7, 3.33, 8.0, 12.96, 19.99]) {
      noise.digitise(new Float32Array(n).fill(mu), 5, out);
      const counts = new Map<number, number>();
      for (const v of out) counts.set(v, (counts.get(v) ?? 0) + 1);
      // Pool the counts into bins that each expect at least 20 values; the rest into the last bin.
      let chi2 = 0, bins = 0, seen = 0, expectedSeen = 0, pmf = Math.exp(-mu), binObserved = 0, binExpected = 0;
      for (let k = 0; k < 100; k++) {
        binObserved += counts.get(k) ?? 0;
        binExpected += n * pmf;
        pmf *= mu / (k + 1);
        if (binExpected >= 20 && n - expectedSeen - binExpected >= 20) {
          chi2 += (binObserved - binExpected) ** 2 / binExpected;
          seen += binObserved; expectedSeen += binExpected; bins++;
          binObserved = 0; binExpected = 0;
        }
      }
      const tailExpected = n - expectedSeen, tailObserved = n - seen;
      chi2 += (tailObserved - tailExpected) ** 2 / tailExpected;
      const dof = bins;
      // Five standard deviations of χ² above its mean: a wrong sampler is far outside.
      expect(chi2, `μ = ${mu}`).toBeLessThan(dof + 5 * Math.sqrt(2 * dof));
    }
  });

  it('clips the noisy count at the full well, not the mean: a pixel far over it is full in every frame', () => {
    const n = 40000;
    const cfg = noiseConfig({ prnu: 0, dsnuE: 0 });
    const noise = new SensorNoise(cfg, { shutter: 0.001, iso: sensorBase(cfg).iso, fNumber: 2 }, n);
    const out = new Uint16Array(n);
    const atMax = (mu: number) => {
      noise.digitise(new Float32Array(n).fill(mu), 9, out);
      return out.filter((v) => v === 4095).length / n;
    };
    // K = (4095 − 64) / full well, so a full pixel is black + K·full = 4095 exactly.
    expect(atMax(3 * cfg.fullWellE)).toBe(1);
    expect(atMax(cfg.fullWellE + 6 * Math.sqrt(cfg.fullWellE))).toBe(1);
    // At the full well itself a count is as likely under it as over it; under, it rounds to 4094 or less only
    // when short of it by over half a DN (1.3 e⁻ of a 102 e⁻ noise: 1 % of the half).
    expect(Math.abs(atMax(cfg.fullWellE) - 0.5)).toBeLessThan(0.02);
    // Two standard deviations below it, 2.3 % of counts reach it (the normal tail).
    expect(atMax(cfg.fullWellE - 2 * Math.sqrt(cfg.fullWellE + 2.2 ** 2))).toBeCloseTo(0.02275, 2);
  });

  it('is the same for the same seed and frame, new in every frame, and its PRNU is a fixed pattern', () => {
    const n = 20000, mu = 5000, prnu = 0.05;
    const frameOf = (cfg: NoiseConfig, frame: number) => {
      const out = new Uint16Array(n);
      new SensorNoise(cfg, { shutter: 0.001, iso: 100, fNumber: 2 }, n).digitise(new Float32Array(n).fill(mu), frame, out);
      return out;
    };
    const cfg = noiseConfig({ prnu, dsnuE: 0 });
    expect(frameOf(cfg, 4)).toEqual(frameOf(cfg, 4));
    expect(frameOf(cfg, 4)).not.toEqual(frameOf(cfg, 5));
    expect(frameOf(noiseConfig({ prnu, dsnuE: 0, seed: 8 }), 4)).not.toEqual(frameOf(cfg, 4));
    const correlation = (a: Uint16Array, b: Uint16Array) => {
      const sa = stats(a), sb = stats(b);
      let c = 0;
      for (let i = 0; i < n; i++) c += (a[i] - sa.mean) * (b[i] - sb.mean);
      return c / (n - 1) / Math.sqrt(sa.variance * sb.variance);
    };
    // Between frames only the fixed pattern is shared: (prnu μ)² / ((prnu μ)² + μ + σ_d²).
    const shared = (prnu * mu) ** 2;
    expect(correlation(frameOf(cfg, 1), frameOf(cfg, 2))).toBeCloseTo(shared / (shared + mu + 2.2 ** 2), 1);
    expect(Math.abs(correlation(frameOf(noiseConfig({ prnu: 0, dsnuE: 0 }), 1), frameOf(noiseConfig({ prnu: 0, dsnuE: 0 }), 2)))).toBeLessThan(0.03);
  });
});

describe('camera with exposure and noise', () => {
  const parent = { ...actor('ego', 999, 'car', 0, 0), pose: { p: [0, 0, 0] as [number, number, number], q: [0, 0, 0, 1] as [number, number, number, number] } };
  const scene = () => {
    const mesh = new MeshBuilder();
    mesh.quad([-50, -50, 0], [100, -50, 0], [100, 50, 0], [-50, 50, 0], classId('road'));
    mesh.box([15, 0, 1], [1, 4, 2], 0, classId('static_prop'));
    const world = World.fromMesh(mesh);
    world.update(state([]));
    return world;
  };
  const base = cameraConfig({ width: 64, height: 48, fov: 70 * DEG, mount: { x: 0, y: 0, z: 1.5, roll: 0, pitch: 0, yaw: 0 } });
  const rgbOf = (config: CameraConfig, tNs = 0) => images(new Camera(config).capture(scene(), parent, tNs)).rgb!;

  it('is today\'s image without the new keys or with auto-exposure alone; noise is seeded and per frame', () => {
    const plain = rgbOf(base);
    expect(rgbOf({ ...base, exposure: { shutter: undefined, iso: 100, fNumber: 2 } })).toEqual(plain);
    const noisy = { ...base, noise: noiseConfig(), exposure: { shutter: undefined, iso: 400, fNumber: 2 } };
    const a = rgbOf(noisy);
    expect(rgbOf(noisy)).toEqual(a);
    expect(a).not.toEqual(plain);
    // The mean image stays: noise scatters codes around the clean ones.
    let d = 0;
    for (let i = 0; i < a.length; i++) d += a[i] - plain[i];
    expect(Math.abs(d / a.length)).toBeLessThan(3);
    const cam = new Camera(noisy), world = scene();
    const f0 = images(cam.capture(world, parent, 0)).rgb!;
    const f1 = images(cam.capture(world, parent, 100_000_000)).rgb!;
    expect(f0).toEqual(a);
    expect(f1).not.toEqual(f0);
  });

  it('saturates a long manual exposure to white', () => {
    const rgb = rgbOf({ ...base, exposure: { shutter: 1, iso: 100, fNumber: 2 } });
    expect(Math.min(...rgb)).toBeGreaterThan(200);
  });
});

describe('exposure and noise config', () => {
  it('reads shutter, ISO, f-number and the EMVA parameters, with defaults', () => {
    const c = rigWith('rate: 10\nwidth: 64\nheight: 48\nexposure: { shutter: 0.002, iso: 200, f_number: 2.8 }\nnoise: { prnu: 0.01, bits: 10 }').config();
    expect(c.exposure).toEqual({ shutter: 0.002, iso: 200, fNumber: 2.8 });
    expect(c.noise).toMatchObject({ prnu: 0.01, bits: 10, quantumEfficiency: 0.65, darkNoiseE: 2.2, fullWellE: 10500, blackLevelDn: 64 });
    const auto = rigWith('rate: 10\nwidth: 64\nheight: 48\nnoise: true').config();
    expect(auto.exposure!.shutter).toBeUndefined();
    expect(auto.exposure!.iso).toBeCloseTo(sensorBase(auto.noise!).iso, 9);
    const none = rigWith('rate: 10\nwidth: 64\nheight: 48\nauto_exposure: true').config();
    expect(none.exposure).toBeUndefined();
    expect(none.noise).toBeUndefined();
  });

  it('names the line of a bad value', () => {
    const cases: [string, number, RegExp][] = [
      ['noise: { quantum_efficiency: 1.5 }', 7, /quantum_efficiency.*<= 1/],
      ['noise: { bits: 7 }', 7, /bits.*>= 8/],
      ['noise: { gain: 2 }', 7, /unknown key "gain"/],
      ['exposure: { iso: 100 }', 7, /shutter.*expected a number/],
      ['exposure: 3', 7, /exposure.*object|mapping/],
      ['exposure: { shutter: 0.01 }\nauto_exposure: true', 7, /auto_exposure meters the shutter/],
      ['exposure: { shutter: -1 }', 7, /shutter.*> 0/],
    ];
    for (const [yaml, line, message] of cases) {
      const bad = rigWith(`rate: 10\nwidth: 64\nheight: 48\n${yaml}`);
      const error = userError(bad.config).message;
      expect(error).toMatch(new RegExp(`${bad.file}:${line} `));
      expect(error).toMatch(message);
      expect(error.split('\n')).toHaveLength(1);
    }
  });
});
