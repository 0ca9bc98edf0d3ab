/**
 * Rain and snow in the camera (Precipitation.ts): particle counts against number density ×
 * frustum volume (Marshall–Palmer, Gunn–Marshall), fall speeds against measured terminal
 * velocities, streak length f v T / Z, streak brightness τ/T, and nothing changes without them.
 */
import { describe, expect, it } from 'vitest';
import { fieldArray, type Frame } from '../../src/core/frame.js';
import { MeshBuilder } from '../../src/core/MeshBuilder.js';
import { classId } from '../../src/core/semantic.js';
import { encodeFrame } from '../../src/io/codec.js';
import { Camera } from '../../src/sensors/camera/Camera.js';
import { drawPrecipitation, fallSpeed, sampleParticles, streakOf, type Pinhole } from '../../src/sensors/camera/Precipitation.js';
import { THRESHOLD_RELATIVE, Veil } from '../../src/sensors/camera/PrecipitationVeil.js';
import { cameraConfig } from '../../src/sensors/CameraConfig.js';
import { World } from '../../src/world/World.js';
import { actor, DEG, state } from './cameraHelpers.js';

/** A level camera looking along world +x (columns: the optical x, y, z axes in the world), as CameraView.m. */
const LEVEL_VIEW = [0, -1, 0, 0, 0, -1, 1, 0, 0];
const pinhole: Pinhole = { width: 200, height: 150, fx: 100, fy: 100, cx: 99.5, cy: 74.5 };
/** Frustum of the whole image between 0.5 and 8 m, by hand: (W/fx)(H/fy)(z1³ − z0³)/3. */
const VOLUME = (2 * 1.5 * (8 ** 3 - 0.5 ** 3)) / 3;

describe('rain and snow particles', () => {
  it('number the density of the size distribution times the frustum volume, within sampling error', () => {
    const cases: ['rain' | 'snow', number, number, number, number, number][] = [
      // kind, rate (mm/h), N0 (m⁻³ mm⁻¹), Λ (mm⁻¹), D range (mm), by hand from the papers' constants
      ['rain', 5, 8000, 4.1 * 5 ** -0.21, 0.5, 6],
      ['rain', 25, 8000, 4.1 * 25 ** -0.21, 0.5, 6],
      ['snow', 1, 3.8e3, 2.55, 0.5, 10],
      ['snow', 3, 3.8e3 * 3 ** -0.87, 2.55 * 3 ** -0.48, 0.5, 10],
    ];
    for (const [kind, rate, n0, lambda, d0, d1] of cases) {
      const density = (n0 / lambda) * (Math.exp(-lambda * d0) - Math.exp(-lambda * d1));
      const expected = density * VOLUME;
      const frames = 3;
      let count = 0, near = 0, dSum = 0, outside = 0;
      for (let f = 0; f < frames; f++) {
        const p = sampleParticles(kind, rate, pinhole, 11, f);
        count += p.diameter.length;
        for (let i = 0; i < p.diameter.length; i++) {
          const x = p.position[i * 3], y = p.position[i * 3 + 1], z = p.position[i * 3 + 2];
          // Inside the image and the depth band.
          const u = pinhole.cx + (pinhole.fx * x) / z, v = pinhole.cy + (pinhole.fy * y) / z;
          if (!(u >= -0.5 && u <= pinhole.width - 0.5 && v >= -0.5 && v <= pinhole.height - 0.5 && z >= 0.5 && z <= 8)) outside++;
          if (z < 4) near++;
          dSum += p.diameter[i];
        }
      }
      expect(outside).toBe(0);
      // Poisson: σ = √(frames · expected).
      expect(Math.abs(count - frames * expected)).toBeLessThan(4 * Math.sqrt(frames * expected));
      // Depth density ∝ z²: the share nearer than 4 m is (4³ − 0.5³)/(8³ − 0.5³) ≈ 0.125.
      const share = (4 ** 3 - 0.5 ** 3) / (8 ** 3 - 0.5 ** 3);
      expect(Math.abs(near / count - share)).toBeLessThan(4 * Math.sqrt((share * (1 - share)) / count));
      // Mean of an exponential truncated to [d0, d1]: d0 + 1/Λ − (d1 − d0) e^(−Λ(d1−d0)) / (1 − e^(−Λ(d1−d0))).
      const w = d1 - d0, e = Math.exp(-lambda * w);
      const mean = d0 + 1 / lambda - (w * e) / (1 - e);
      expect(Math.abs(dSum / count - mean)).toBeLessThan(4 * (1 / lambda) / Math.sqrt(count));
    }
  });

  it('falls at the terminal speeds measured by Gunn & Kinzer (1949) within 3 %', () => {
    // Gunn & Kinzer, J. Meteorology 6, 243 (1949), Table 2 (D mm → m/s).
    for (const [d, v] of [[1, 4.03], [2, 6.49], [3, 8.06], [4, 8.83], [5, 9.09]]) expect(Math.abs(fallSpeed('rain', d) / v - 1)).toBeLessThan(0.03);
    expect(fallSpeed('snow', 3)).toBe(1);
  });

  it('draws a drop at depth Z as a streak f v T / Z long, each pixel τ/T of the drop', () => {
    const Z = 2, T = 0.01;
    for (const D of [1.5, 3]) {
      const v = 9.65 - 10.3 * Math.exp(-0.6 * D); // Atlas et al. (1973)
      const L = (pinhole.fx * v * T) / Z;
      // A level camera: the fall is +y in the optical frame (down the image).
      const s = streakOf(pinhole, 0.3, 0, Z, D, [0, v, 0], T)!;
      expect(Math.hypot(s.u1 - s.u0, s.v1 - s.v0)).toBeCloseTo(L, 9);
      expect(s.u0).toBeCloseTo(pinhole.cx + (100 * 0.3) / Z, 9);
      expect(s.v1 - s.v0).toBeCloseTo(L, 9);
    }
    // Rendered: left half of the image radiance 2, right half 0, so the drop (on the right) has the mean radiance, 1,
    // and a pixel's value is its α. fx = 1024 and x = 63/1024 m at 2 m put the streak on column 131 exactly.
    const D = 1.5, v = 9.65 - 10.3 * Math.exp(-0.6 * D);
    const big: Pinhole = { ...pinhole, fx: 1024, fy: 1024 };
    const L = (big.fx * v * T) / Z; // ≈ 28 px
    const w = (big.fx * D * 1e-3) / Z; // the drop's width, 0.77 px
    const { width, height } = big;
    const linear = new Float32Array(width * height * 3);
    for (let i = 0; i < width * height; i++) if (i % width < width / 2) linear.fill(2, i * 3, i * 3 + 3);
    const before = linear.slice();
    const drawn = drawPrecipitation({
      pinhole: big, linear, range: new Float32Array(width * height).fill(Infinity), m: LEVEL_VIEW,
      cameraVelocity: [0, 0, 0], shutter: T, illuminance: 100,
    }, [{ kind: 'rain', position: new Float64Array([63 / 1024, 0, Z]), diameter: new Float64Array([D]) }]);
    expect(drawn).toBe(1);
    let first = Infinity, last = -Infinity, alphaSum = 0;
    for (let r = 0; r < height; r++) {
      for (let c = 0; c < width; c++) {
        const i = (r * width + c) * 3;
        if (linear[i] === before[i]) continue;
        expect(c).toBe(131);
        first = Math.min(first, r); last = Math.max(last, r);
        alphaSum += linear[i];
      }
    }
    // Rows painted: a run of f v T / Z plus the drop's one-pixel footprint, ℓ = L + 1 long, touches ⌈ℓ⌉ or ⌈ℓ⌉ + 1 rows.
    expect([Math.ceil(L + 1), Math.ceil(L + 1) + 1]).toContain(last - first + 1);
    // The drop's image, a disc of area π w²/4, is there for all of T: the streak holds that area-time.
    expect(alphaSum).toBeCloseTo((Math.PI * w * w) / 4, 4);
    // Garg & Nayar: a pixel mid-streak sees the drop for τ = T / L (one pixel of L) over π w²/4 of its area.
    const midAlpha = linear[(Math.round(big.cy) * width + 131) * 3];
    expect(Math.abs(midAlpha / ((Math.PI * w * w) / 4 / L) - 1)).toBeLessThan(0.05);
    // So the streak's length, its whole α over the α of one pixel of it, is f v T / Z within a pixel.
    expect(Math.abs(alphaSum / midAlpha - L)).toBeLessThan(1);
  });
});

/** Simpson's rule of f over [a, b] in `steps` (even) steps. */
function simpson(f: (x: number) => number, a: number, b: number, steps = 400): number {
  const h = (b - a) / steps;
  let sum = f(a) + f(b);
  for (let i = 1; i < steps; i++) sum += (i % 2 ? 4 : 2) * f(a + i * h);
  return (sum * h) / 3;
}

describe('particles under the visibility threshold', () => {
  // Snow 2 mm/h, Gunn & Marshall by hand.
  const N0 = 3.8e3 * 2 ** -0.87, L = 2.55 * 2 ** -0.48, D0 = 0.5, D1 = 10;
  const dStar = (kappa: number, z: number) => Math.min(D1, Math.max(D0, kappa * z));

  it('sets ε to one 8-bit code at mid grey: ε / L_grey = 1 code / (255 d(sRGB∘ACES)/dx) / 0.15', () => {
    // Narkowicz's ACES fit and the sRGB OETF, written out here.
    const aces = (x: number) => (x * (2.51 * x + 0.03)) / (x * (2.43 * x + 0.59) + 0.14);
    const code = (x: number) => 255 * (1.055 * aces(x) ** (1 / 2.4) - 0.055);
    const slope = (code(0.15 + 1e-5) - code(0.15 - 1e-5)) / 2e-5;
    expect(THRESHOLD_RELATIVE).toBeCloseTo(1 / slope / 0.15, 6);
  });

  it('draws as many as ∫ (N0/Λ)(e^(−Λ D*(z)) − e^(−Λ D_max)) dV, within sampling error', () => {
    for (const kappa of [0.15, 0.3]) {
      // dV = (W/fx)(H/fy) z² dz over the image's frustum.
      const expected = simpson((z) => (N0 / L) * (Math.exp(-L * dStar(kappa, z)) - Math.exp(-L * D1)) * 2 * 1.5 * z * z, 0.5, 8);
      let count = 0, below = 0;
      const frames = 3;
      for (let f = 0; f < frames; f++) {
        const p = sampleParticles('snow', 2, pinhole, 5, f, kappa);
        count += p.diameter.length;
        for (let i = 0; i < p.diameter.length; i++) if (p.diameter[i] < kappa * p.position[i * 3 + 2]) below++;
      }
      expect(below).toBe(0);
      expect(Math.abs(count - frames * expected)).toBeLessThan(4 * Math.sqrt(frames * expected));
      // Far fewer than all of them (κ = 0).
      expect(count).toBeLessThan(0.8 * frames * VOLUME * (N0 / L) * (Math.exp(-L * D0) - Math.exp(-L * D1)));
    }
  });

  it('changes a black wall behind snow by the closed-form veil plus the drawn flakes: the whole size distribution', () => {
    const kappa = 0.3, Zw = 6, E = 100;
    const { width, height } = pinhole;
    const n = width * height;
    const range = new Float32Array(n);
    for (let r = 0; r < height; r++) for (let c = 0; c < width; c++) range[r * width + c] = Zw * Math.hypot(1, (c - pinhole.cx) / pinhole.fx, (r - pinhole.cy) / pinhole.fy);
    // Expected area-time share per pixel: (π/4) 10⁻⁶ ∫ dz ∫ N(D) D² dD (the frustum's z² and the disc's 1/z² cancel).
    const m2 = (a: number, b: number) => simpson((d) => N0 * Math.exp(-L * d) * d * d, a, b, 200);
    const veilAlpha = (Math.PI / 4) * 1e-6 * simpson((z) => m2(D0, dStar(kappa, z)), 0.5, Zw, 100);
    const drawnAlpha = (Math.PI / 4) * 1e-6 * simpson((z) => m2(dStar(kappa, z), D1), 0.5, Zw, 100);
    const snow = (0.9 * E) / Math.PI;
    let mean = 0, least = Infinity;
    const frames = 4;
    for (let f = 0; f < frames; f++) {
      const linear = new Float32Array(n * 3);
      const set = sampleParticles('snow', 2, pinhole, 9, f, kappa);
      set.veil = new Veil('snow', 2, kappa, pinhole);
      drawPrecipitation({ pinhole, linear, range, m: LEVEL_VIEW, cameraVelocity: [0, 0, 0], shutter: 1e-3, illuminance: E }, [set]);
      for (let i = 0; i < n; i++) { mean += linear[i * 3] / snow / (n * frames); least = Math.min(least, linear[i * 3] / snow); }
    }
    // A pixel no flake crossed has the veil alone.
    expect(Math.abs(least / veilAlpha - 1)).toBeLessThan(0.01);
    expect(Math.abs(mean / (veilAlpha + drawnAlpha) - 1)).toBeLessThan(0.04);
    expect(drawnAlpha).toBeGreaterThan(0.2 * veilAlpha);
  });
});

describe('rain and snow in the camera', () => {
  const parent = { ...actor('ego', 999, 'car', 0, 0), pose: { p: [0, 0, 0] as [number, number, number], q: [0, 0, 0, 1] as [number, number, number, number] } };
  const world = () => {
    const mesh = new MeshBuilder();
    mesh.quad([-50, -50, 0], [100, -50, 0], [100, 50, 0], [-50, 50, 0], classId('road'));
    mesh.box([15, 0, 1.5], [1, 4, 3], 0, classId('building'));
    const w = World.fromMesh(mesh);
    w.update(state([]));
    return w;
  };
  const base = cameraConfig({ width: 96, height: 64, fov: 70 * DEG, mount: { x: 0, y: 0, z: 1.5, roll: 0, pitch: 0, yaw: 0 }, shadows: false, boxes: false, exposure: { shutter: 0.005, iso: 50, fNumber: 8 } });
  const bytes = (frame: Frame) => Buffer.from(encodeFrame(frame));
  const rgb = (frame: Frame) => fieldArray(frame.data.rgb) as Uint8Array;

  it('changes nothing without rain or snow (byte-identical frames), and draws seeded particles with them', () => {
    const plain = bytes(new Camera(base).capture(world(), parent, 0));
    // On by default: the weather drives it.
    const on = base, off = { ...base, precipitation: false };
    expect(bytes(new Camera(on).capture(world(), parent, 0)).equals(plain)).toBe(true);
    expect(bytes(new Camera(on).capture(world(), parent, 0, { fog: { visibility: 1e9 }, wetRoad: 0.5 })).equals(bytes(new Camera(base).capture(world(), parent, 0, { fog: { visibility: 1e9 }, wetRoad: 0.5 })))).toBe(true);
    // Turned off, rain leaves the image alone (but for the frame's weather fields).
    expect(rgb(new Camera(off).capture(world(), parent, 0, { rain: { rate: 20 } }))).toEqual(rgb(new Camera(base).capture(world(), parent, 0)));
    for (const weather of [{ rain: { rate: 20 } }, { snow: { rate: 2 } }]) {
      const a = rgb(new Camera(on).capture(world(), parent, 0, weather));
      expect(rgb(new Camera(on).capture(world(), parent, 0, weather))).toEqual(a);
      expect(a).not.toEqual(rgb(new Camera(off).capture(world(), parent, 0, weather)));
      const cam = new Camera(on), w = world();
      cam.capture(w, parent, 0, weather);
      expect(rgb(cam.capture(w, parent, 100_000_000, weather))).not.toEqual(a);
    }
  });

  it('brightens the image with snow (white flakes under the sky) and keeps a surface in front of the flakes', () => {
    const on = { ...base, outputs: ['rgb' as const, 'depth' as const] };
    const clear = rgb(new Camera(on).capture(world(), parent, 0));
    const snowy = rgb(new Camera(on).capture(world(), parent, 0, { snow: { rate: 5 } }));
    let changed = 0;
    for (let i = 0; i < clear.length; i++) if (snowy[i] !== clear[i]) changed++;
    expect(changed).toBeGreaterThan(clear.length / 50);
    // A wall 0.3 m in front of the lens, nearer than every flake (0.5 m on): nothing is drawn over it.
    const walled = () => {
      const mesh = new MeshBuilder();
      mesh.quad([0.3, 50, -50], [0.3, -50, -50], [0.3, -50, 50], [0.3, 50, 50], classId('building'));
      const w = World.fromMesh(mesh);
      w.update(state([]));
      return w;
    };
    expect(rgb(new Camera(on).capture(walled(), parent, 0, { snow: { rate: 5 } }))).toEqual(rgb(new Camera(on).capture(walled(), parent, 0)));
  });
});
