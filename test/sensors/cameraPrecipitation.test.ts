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
    const on = { ...base, precipitation: true };
    expect(bytes(new Camera(on).capture(world(), parent, 0)).equals(plain)).toBe(true);
    expect(bytes(new Camera(on).capture(world(), parent, 0, { fog: { visibility: 1e9 }, wetRoad: 0.5 })).equals(bytes(new Camera(base).capture(world(), parent, 0, { fog: { visibility: 1e9 }, wetRoad: 0.5 })))).toBe(true);
    // Without the rig option, rain leaves the image alone.
    expect(bytes(new Camera(base).capture(world(), parent, 0, { rain: { rate: 20 } })).equals(plain)).toBe(true);
    for (const weather of [{ rain: { rate: 20 } }, { snow: { rate: 2 } }]) {
      const a = rgb(new Camera(on).capture(world(), parent, 0, weather));
      expect(rgb(new Camera(on).capture(world(), parent, 0, weather))).toEqual(a);
      expect(a).not.toEqual(rgb(new Camera(base).capture(world(), parent, 0, weather)));
      const cam = new Camera(on), w = world();
      cam.capture(w, parent, 0, weather);
      expect(rgb(cam.capture(w, parent, 100_000_000, weather))).not.toEqual(a);
    }
  });

  it('brightens the image with snow (white flakes under the sky) and keeps a surface in front of the flakes', () => {
    const on = { ...base, precipitation: true, outputs: ['rgb' as const, 'depth' as const] };
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
