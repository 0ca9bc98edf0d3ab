import { describe, expect, it } from 'vitest';
import { MeshBuilder } from '../../src/core/MeshBuilder.js';
import { classId } from '../../src/core/semantic.js';
import { ggxSpecular } from '../../src/sensors/camera/Brdf.js';
import { Camera } from '../../src/sensors/camera/Camera.js';
import { Sky } from '../../src/sensors/camera/Sky.js';
import { acesFitted, encode8, srgbEncode } from '../../src/sensors/camera/ToneMapping.js';
import { cameraConfig } from '../../src/sensors/CameraConfig.js';
import { World } from '../../src/world/World.js';
import { actor, DEG, images, projectByHand, state } from './cameraHelpers.js';

const parent = (z: number) => ({ ...actor('ego', 999, 'car', 0, 0), pose: { p: [0, 0, z] as [number, number, number], q: [0, 0, 0, 1] as [number, number, number, number] } });

describe('realistic camera shading', () => {
  it('paints a car with its own appearance, not its class colour, and two paints differently', () => {
    const mesh = new MeshBuilder();
    mesh.quad([-50, -50, 0], [100, -50, 0], [100, 50, 0], [-50, 50, 0], classId('road'));
    const world = World.fromMesh(mesh);
    const red = { ...actor('red', 1, 'car', 12, 2.5, Math.PI / 2), appearance: { paint: { name: 'red', srgb: [180, 20, 20] as [number, number, number], nir: 0.4 } } };
    const blue = { ...actor('blue', 2, 'car', 12, -2.5, Math.PI / 2), appearance: { paint: { name: 'blue', srgb: [20, 40, 170] as [number, number, number], nir: 0.3 } } };
    world.update(state([red, blue]));
    const config = cameraConfig({ width: 160, height: 90, fov: 70 * DEG, mount: { x: 0, y: 0, z: 1.5, roll: 0, pitch: 0, yaw: 0 }, fogDistance: Infinity });
    const { rgb, instance } = images(new Camera(config).capture(world, parent(0), 0));
    const mean = (id: number) => {
      const sum = [0, 0, 0];
      let n = 0;
      for (let i = 0; i < instance.length; i++) if (instance[i] === id) { for (let c = 0; c < 3; c++) sum[c] += rgb![i * 3 + c]; n++; }
      expect(n).toBeGreaterThan(50);
      return sum.map((x) => x / n);
    };
    const r = mean(1), b = mean(2);
    // Not the vehicle class's Cityscapes colour (0, 0, 142) for either.
    const classColour = [0, 0, 142];
    for (const m of [r, b]) expect(Math.hypot(m[0] - classColour[0], m[1] - classColour[1], m[2] - classColour[2])).toBeGreaterThan(40);
    expect(r[0]).toBeGreaterThan(r[2] + 20);
    expect(b[2]).toBeGreaterThan(b[0] + 20);
  });

  it('anti-aliases edges with intermediate values while semantic, instance and depth stay exact at pixel centres', () => {
    // A flat, untextured box face 10 m ahead against the sky, its left edge at a fractional column.
    const mesh = new MeshBuilder();
    mesh.box([10, -2.2137, 1.5], [0.2, 4, 3], 0, classId('static_prop'));
    const world = World.fromMesh(mesh);
    world.update(state([]));
    const config = cameraConfig({ width: 120, height: 80, fov: 60 * DEG, mount: { x: 0, y: 0, z: 1.5, roll: 0, pitch: 0, yaw: 0 }, shadows: false, fogDistance: Infinity });
    const real = images(new Camera(config).capture(world, parent(0), 0));
    const flat = images(new Camera({ ...config, shading: 'palette' }).capture(world, parent(0), 0));
    expect(real.semantic).toEqual(flat.semantic);
    expect(real.instance).toEqual(flat.instance);
    expect(real.depth).toEqual(flat.depth);
    // Hand projection of the face's left edge (world y = -0.2137 at x = 9.9).
    const [uEdge] = projectByHand([9.9, -0.2137, 1.5], 1.5, config.fx, config.fy, config.cx, config.cy);
    const row = Math.round(config.cy);
    const col = Math.ceil(uEdge);
    expect(col - uEdge).toBeGreaterThan(0.1);
    expect(col - uEdge).toBeLessThan(0.5);
    // Centres: the first covered column is exactly where the hand projection puts it.
    expect(real.semantic[row * config.width + col]).toBe(classId('static_prop'));
    expect(real.semantic[row * config.width + col - 1]).toBe(0);
    // Its left corners see the sky: its value lies strictly between the face's and the sky's.
    const lum = (i: number) => real.rgb![i * 3] + real.rgb![i * 3 + 1] + real.rgb![i * 3 + 2];
    const edge = lum(row * config.width + col), inside = lum(row * config.width + col + 3), sky = lum(row * config.width + col - 3);
    expect(Math.abs(inside - sky)).toBeGreaterThan(60);
    expect(edge).toBeGreaterThan(Math.min(inside, sky) + 10);
    expect(edge).toBeLessThan(Math.max(inside, sky) - 10);
  });

  it('gives the sky the zenith-to-horizon luminance ratio of Preetham et al. (1999)', () => {
    // The model, written out again from the paper: Perez F(θ, γ) and the Y coefficients.
    const T = 3.2, thetaS = 40 * DEG;
    const A = 0.1787 * T - 1.463, B = -0.3554 * T + 0.4275, C = -0.0227 * T + 5.3251, D = 0.1206 * T - 2.5771, E = -0.067 * T + 0.3703;
    const F = (theta: number, gamma: number) => (1 + A * Math.exp(B / Math.cos(theta))) * (1 + C * Math.exp(D * gamma) + E * Math.cos(gamma) ** 2);
    const sun = [Math.sin(thetaS), 0, Math.cos(thetaS)];
    const sky = new Sky(T, sun);
    for (const [elevation, azimuth] of [[5 * DEG, Math.PI], [10 * DEG, Math.PI / 2], [30 * DEG, 0.3]]) {
      const theta = Math.PI / 2 - elevation;
      const dir = [Math.sin(theta) * Math.cos(azimuth), Math.sin(theta) * Math.sin(azimuth), Math.cos(theta)];
      const gamma = Math.acos(dir[0] * sun[0] + dir[1] * sun[1] + dir[2] * sun[2]);
      // Y(θ, γ) / Y_z = F(θ, γ) / F(0, θs).
      const want = F(theta, gamma) / F(0, thetaS);
      expect(sky.luminance(dir[0], dir[1], dir[2]) / sky.luminance(0, 0, 1)).toBeCloseTo(want, 9);
    }
    // Zenith luminance (kcd/m²) of the paper's formula.
    const chi = (4 / 9 - T / 120) * (Math.PI - 2 * thetaS);
    expect(sky.luminance(0, 0, 1)).toBeCloseTo((4.0453 * T - 4.971) * Math.tan(chi) - 0.2155 * T + 2.4192, 9);
  });

  it('encodes linear light with the sRGB OETF (IEC 61966-2-1) and the ACES fit is monotone into [0, 1]', () => {
    expect(srgbEncode(0)).toBe(0);
    expect(srgbEncode(1)).toBe(1);
    expect(srgbEncode(0.0031308)).toBeCloseTo(0.0404499, 6);
    expect(srgbEncode(0.001)).toBeCloseTo(0.01292, 9);
    expect(srgbEncode(0.18)).toBeCloseTo(0.4613561, 6);
    expect(srgbEncode(0.5)).toBeCloseTo(0.7353570, 6);
    expect([encode8(0), encode8(0.001), encode8(0.18), encode8(0.5), encode8(1)]).toEqual([0, 3, 118, 188, 255]);
    let last = -1;
    for (let x = 0; x < 50; x += 0.01) {
      const y = acesFitted(x);
      expect(y).toBeGreaterThanOrEqual(last);
      last = y;
    }
    expect(acesFitted(0)).toBe(0);
    expect(acesFitted(1e6)).toBe(1);
  });

  it('puts the GGX highlight at the mirror direction', () => {
    const fr = { w: 0 };
    // View 40 degrees from the normal (z) in the x-z plane; the mirror direction is 40 degrees on the other side.
    const v = [Math.sin(40 * DEG), 0, Math.cos(40 * DEG)];
    let best = -Infinity, bestAngle = NaN;
    for (let a = -89; a <= 89; a += 0.5) {
      for (const phi of [0, 90]) {
        const l = [Math.sin(a * DEG) * Math.cos(phi * DEG), Math.sin(a * DEG) * Math.sin(phi * DEG), Math.cos(a * DEG)];
        const f = ggxSpecular(0, 0, 1, v[0], v[1], v[2], l[0], l[1], l[2], 0.3, fr) * l[2];
        if (f > best) { best = f; bestAngle = phi === 0 ? a : 999; }
      }
    }
    expect(bestAngle).toBeCloseTo(-40, 0);
  });
});
