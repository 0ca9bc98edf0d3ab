import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { MeshBuilder } from '../../src/core/MeshBuilder.js';
import { classId } from '../../src/core/semantic.js';
import { Camera } from '../../src/sensors/camera/Camera.js';
import { Lens } from '../../src/sensors/camera/Lens.js';
import { cameraConfig, type CameraConfig } from '../../src/sensors/CameraConfig.js';
import { loadRig } from '../../src/sensors/Rig.js';
import { mountSensors } from '../../src/sensors/Rigging.js';
import { World } from '../../src/world/World.js';
import { userError } from '../helpers.js';
import { actor, boxCorners, DEG, hull, images, insideDistance, projectByHand, state } from './cameraHelpers.js';

const dir = mkdtempSync(join(tmpdir(), 'roadcast-camera-'));
let files = 0;

function rigWith(yaml: string): { file: string; config: () => CameraConfig } {
  const file = join(dir, `rig${files++}.yaml`);
  writeFileSync(file, `sensors:\n  - name: cam\n    type: camera\n${yaml.replace(/^/gm, '    ')}\n`);
  return { file, config: () => loadRig(file).sensors[0] as CameraConfig };
}

/** The camera's parent: at the origin facing +x, not part of the scene. */
const parent = (z = 0) => ({ ...actor('ego', 999, 'car', 0, 0), pose: { p: [0, 0, z] as [number, number, number], q: [0, 0, 0, 1] as [number, number, number, number] } });

describe('camera config', () => {
  it('reads intrinsics from a horizontal field of view or from fx, fy, cx, cy, and the rest of the entry', () => {
    const c = rigWith('rate: 20\nwidth: 640\nheight: 360\nfov: 90\nmount: { x: 1.5, z: 1.4, pitch: 5 }\noutputs: [depth, semantic]\nshadows: false').config();
    expect(c.fx).toBeCloseTo(320, 9);
    expect([c.fy, c.cx, c.cy]).toEqual([c.fx, 319.5, 179.5]);
    expect(c.mount.pitch).toBeCloseTo(5 * DEG, 12);
    expect([c.rateHz, c.outputs, c.shadows, c.model]).toEqual([20, ['depth', 'semantic'], false, 'pinhole']);
    const k = rigWith('rate: 10\nwidth: 100\nheight: 80\nintrinsics: { fx: 120, fy: 110, cx: 48, cy: 41 }\ndistortion: { k1: -0.2, p2: 0.001 }\nrolling_shutter: { readout_time: 0.03 }').config();
    expect([k.fx, k.fy, k.cx, k.cy]).toEqual([120, 110, 48, 41]);
    expect(k.distortion).toEqual({ k1: -0.2, k2: 0, k3: 0, p1: 0, p2: 0.001 });
    expect(k.rollingShutter).toEqual({ readoutTime: 0.03, rowsPerBand: 8 });
    const f = rigWith('rate: 10\nwidth: 400\nheight: 400\nmodel: fisheye\nfov: 190').config();
    expect(f.fx).toBeCloseTo(400 / (190 * DEG), 9);
  });

  it('names the file, line and path of a mistake', () => {
    const bad = rigWith('rate: 10\nwidth: 64\nheight: 48\nmodel: orthographic');
    expect(userError(bad.config).message).toMatch(new RegExp(`${bad.file}:7 \\(\\$\\.sensors\\[0\\]\\.model\\).*pinhole, fisheye`));
    const both = rigWith('rate: 10\nwidth: 64\nheight: 48\nfov: 60\nintrinsics: { fx: 50 }');
    expect(userError(both.config).message).toMatch(/:8 .*either fov or intrinsics/);
    const fish = rigWith('rate: 10\nwidth: 64\nheight: 48\nmodel: fisheye\ndistortion: { p1: 0.1 }');
    expect(userError(fish.config).message).toMatch(/p1 and p2 must be 0/);
    expect(userError(rigWith('rate: 10\nwidth: 64\nheight: 48\noutputs: [rgb, thermal]').config).message).toMatch(/outputs\[1\].*rgb, depth, semantic, instance/);
    expect(userError(rigWith('rate: 10\nwidth: 64\nheight: 48\ngain: 3').config).message).toMatch(/unknown key "gain"/);
    // `exposure` is a key now (shutter, ISO, f-number: cameraNoise.test.ts); a number there is still refused.
    expect(userError(rigWith('rate: 10\nwidth: 64\nheight: 48\nexposure: 3').config).message).toMatch(/:7 .*exposure/);
  });
});

describe('camera in a rig', () => {
  it('is mounted on its parent and publishes camera/<name> frames with its pose, intrinsics and images', () => {
    const { file } = rigWith('rate: 10\nwidth: 64\nheight: 48\nfov: 90\nmount: { x: 2, z: 1.5, yaw: 90 }\nrolling_shutter: { readout_time: 0.02, rows_per_band: 4 }');
    const mesh = new MeshBuilder();
    mesh.quad([-50, -50, 0], [50, -50, 0], [50, 50, 0], [-50, 50, 0], classId('road'));
    const world = World.fromMesh(mesh);
    const ego = { ...actor('ego', 1, 'car', 0, 0), ego: true };
    const [sensor] = mountSensors(loadRig(file), [ego], 1);
    expect(sensor.topic).toBe('camera/cam');
    const frames = [];
    for (let k = 0; k < 12; k++) {
      const from = state([ego], k * 10_000_000), to = state([ego], (k + 1) * 10_000_000);
      const frame = sensor.advance({ world, from, to, middle: () => from });
      if (frame) frames.push(frame);
    }
    // The 20 ms readout completes within the third step; the next exposure starts at 100 ms.
    expect(frames.map((f) => f.t_ns)).toEqual([0, 100_000_000]);
    const f = frames[0];
    expect([f.kind, f.frame_id, f.fields.width, f.fields.height, f.fields.model, f.fields.rolling_shutter_s]).toEqual(['camera', 'cam_optical', 64, 48, 'pinhole', 0.02]);
    expect(f.fields.fx).toBeCloseTo(32, 9);
    expect(Object.keys(f.data).sort()).toEqual(['boxes2d', 'boxes2d_class', 'boxes2d_instance', 'boxes2d_signal_state', 'depth', 'instance', 'rgb', 'semantic']);
    expect(f.data.rgb.shape).toEqual([48, 64, 3]);
    // Pose: at (2, 0, 1.5) on the ego, optical z (forward) along the mount's +x, i.e. world +y after the 90 degree yaw.
    expect(f.pose.p.map((x) => +x.toFixed(9) + 0)).toEqual([2, 0, 1.5]);
    const [qx, qy, qz, qw] = f.pose.q;
    const zAxis = [2 * (qx * qz + qy * qw), 2 * (qy * qz - qx * qw), 1 - 2 * (qx * qx + qy * qy)];
    expect(zAxis.map((x) => +x.toFixed(9) + 0)).toEqual([0, 1, 0]);
    // The lower half of the image sees the road.
    const { semantic, depth } = images(f);
    expect(semantic[47 * 64 + 32]).toBe(classId('road'));
    expect(depth[47 * 64 + 32]).toBeCloseTo(1.5 / ((47 - 23.5) / 32), 3);
  });
});

describe('camera projection', () => {
  const h = 1.5;
  const size = [1, 1, 1];

  /** A world of unit boxes (class building) at known places, and the pixels each should cover. */
  function boxWorld(centres: number[][]): World {
    const mesh = new MeshBuilder();
    for (const c of centres) mesh.box(c as [number, number, number], size as [number, number, number], 0, classId('building'));
    return World.fromMesh(mesh);
  }

  /** Pixel bounds of the pixels of class `cls` within a window. */
  function bounds(semantic: Uint8Array, width: number, cls: number, window: number[]): number[] {
    const out = [Infinity, Infinity, -Infinity, -Infinity];
    for (let v = window[1]; v <= window[3]; v++) {
      for (let u = window[0]; u <= window[2]; u++) {
        if (semantic[v * width + u] !== cls) continue;
        out[0] = Math.min(out[0], u); out[1] = Math.min(out[1], v);
        out[2] = Math.max(out[2], u); out[3] = Math.max(out[3], v);
      }
    }
    return out;
  }

  /** Expected pixel bounds: pixel centres (integers) inside the projected corners' extent. */
  const expectedBounds = (pixels: number[][]) => [
    Math.ceil(Math.min(...pixels.map((p) => p[0]))), Math.ceil(Math.min(...pixels.map((p) => p[1]))),
    Math.floor(Math.max(...pixels.map((p) => p[0]))), Math.floor(Math.max(...pixels.map((p) => p[1]))),
  ];

  const centres = [[12, 0, 1.5], [15, 5, 2.5], [10, -3.5, 0.8], [20, 6, -1]];

  it('puts the corners of boxes at known poses on the pixels a hand computation gives (pinhole)', () => {
    const config = cameraConfig({ width: 320, height: 240, fov: 80 * DEG, mount: { x: 0, y: 0, z: h, roll: 0, pitch: 0, yaw: 0 }, outputs: ['semantic', 'depth', 'instance'] });
    const frame = new Camera(config).capture(boxWorld(centres), parent(), 0);
    const { semantic } = images(frame);
    const lens = new Lens(config);
    for (const c of centres) {
      const corners = boxCorners(c, size);
      const pixels = corners.map((p) => projectByHand(p, h, config.fx, config.fy, config.cx, config.cy));
      // The lens's own projection agrees with the hand computation.
      const out = [0, 0];
      for (const [i, p] of corners.entries()) {
        expect(lens.project(-p[1], -(p[2] - h), p[0], out)).toBe(true);
        expect(out[0]).toBeCloseTo(pixels[i][0], 9);
        expect(out[1]).toBeCloseTo(pixels[i][1], 9);
      }
      const want = expectedBounds(pixels);
      const got = bounds(semantic, config.width, classId('building'), [want[0] - 3, want[1] - 3, want[2] + 3, want[3] + 3]);
      // A box seen along its axis: the silhouette is the hull of its corners, so the bounds are exact.
      expect(got).toEqual(want);
    }
  });

  it('with Brown–Conrady distortion, corners land where the distorted hand projection puts them', () => {
    const d = { k1: -0.25, k2: 0.08, k3: -0.01, p1: 0.002, p2: -0.003 };
    const config = cameraConfig({ width: 320, height: 240, fov: 80 * DEG, mount: { x: 0, y: 0, z: h, roll: 0, pitch: 0, yaw: 0 }, distortion: d, outputs: ['semantic', 'depth', 'instance'] });
    const small = [[10, 4, 3], [10, -5, 0.2], [14, 0, 1.5], [9, 5, -0.5]];
    const mesh = new MeshBuilder();
    const tiny = [0.3, 0.3, 0.3] as [number, number, number];
    for (const c of small) mesh.box(c as [number, number, number], tiny, 0, classId('pole'));
    const frame = new Camera(config).capture(World.fromMesh(mesh), parent(), 0);
    const { semantic } = images(frame);
    const byHand = (p: number[]): number[] => {
      const x = -p[1] / p[0], y = -(p[2] - h) / p[0];
      const r2 = x * x + y * y;
      const radial = 1 + d.k1 * r2 + d.k2 * r2 * r2 + d.k3 * r2 * r2 * r2;
      const xd = x * radial + 2 * d.p1 * x * y + d.p2 * (r2 + 2 * x * x);
      const yd = y * radial + d.p1 * (r2 + 2 * y * y) + 2 * d.p2 * x * y;
      return [config.fx * xd + config.cx, config.fy * yd + config.cy];
    };
    const lens = new Lens(config);
    const out = [0, 0];
    const ray = [0, 0, 0];
    for (const c of small) {
      const corners = boxCorners(c, tiny);
      const pixels = corners.map(byHand);
      for (const [i, p] of corners.entries()) {
        lens.project(-p[1], -(p[2] - h), p[0], out);
        expect(Math.hypot(out[0] - pixels[i][0], out[1] - pixels[i][1])).toBeLessThan(1e-9);
        // And back: the pixel's ray points at the corner.
        lens.unproject(out[0], out[1], ray);
        const n = Math.hypot(p[0], p[1], p[2] - h);
        expect(Math.hypot(ray[0] + p[1] / n, ray[1] + (p[2] - h) / n, ray[2] - p[0] / n)).toBeLessThan(1e-9);
      }
      // Edges bend under distortion but stay within a pixel over a box this small.
      const want = expectedBounds(pixels);
      const got = bounds(semantic, config.width, classId('pole'), [want[0] - 4, want[1] - 4, want[2] + 4, want[3] + 4]);
      for (let k = 0; k < 4; k++) expect(Math.abs(got[k] - want[k])).toBeLessThanOrEqual(1);
    }
  });

  it('with the equidistant fisheye model, corners land where θ_d = f θ puts them, including beyond 90 degrees', () => {
    const config = cameraConfig({ width: 400, height: 400, model: 'fisheye', fov: 200 * DEG, distortion: { k1: 0.02, k2: -0.004, k3: 0, p1: 0, p2: 0 }, mount: { x: 0, y: 0, z: h, roll: 0, pitch: 0, yaw: 0 }, outputs: ['semantic', 'depth', 'instance'] });
    const small = [[10, 0, 1.5], [6, 6, 2], [3, 9, 1.5], [-1, -8, 1.5], [8, -2, 5]];
    const tiny = [0.6, 0.6, 0.6] as [number, number, number];
    const mesh = new MeshBuilder();
    for (const c of small) mesh.box(c as [number, number, number], tiny, 0, classId('pole'));
    const frame = new Camera(config).capture(World.fromMesh(mesh), parent(), 0);
    const { semantic, depth } = images(frame);
    const byHand = (p: number[]): number[] => {
      const x = -p[1], y = -(p[2] - h), z = p[0];
      const r = Math.hypot(x, y);
      const theta = Math.atan2(r, z);
      const td = theta * (1 + 0.02 * theta ** 2 - 0.004 * theta ** 4);
      return [config.fx * td * (x / r) + config.cx, config.fy * td * (y / r) + config.cy];
    };
    for (const c of small) {
      const pixels = boxCorners(c, tiny).map(byHand);
      // Clamped to the image: the box behind and to the right is cut by the image's edge.
      const want = expectedBounds(pixels).map((x) => Math.min(399, Math.max(0, x)));
      const got = bounds(semantic, config.width, classId('pole'), [Math.max(0, want[0] - 4), Math.max(0, want[1] - 4), Math.min(399, want[2] + 4), Math.min(399, want[3] + 4)]);
      for (let k = 0; k < 4; k++) expect(Math.abs(got[k] - want[k])).toBeLessThanOrEqual(1);
    }
    // Fisheye depth is the range along the ray: the near face of the box straight ahead is 9.7 m away.
    const centre = Math.round(config.cy) * 400 + Math.round(config.cx);
    expect(depth[centre]).toBeCloseTo(9.7, 2);
  });
});

describe('camera images against the scene', () => {
  it('a box of known class and instance id covers exactly the pixels of its projected outline', () => {
    const h = 1.2;
    const config = cameraConfig({ width: 320, height: 200, fov: 70 * DEG, mount: { x: 0, y: 0, z: h, roll: 0, pitch: 0, yaw: 0 } });
    const mesh = new MeshBuilder();
    mesh.box([25, -6, 3], [4, 4, 6], 0.3, classId('building'));
    const world = World.fromMesh(mesh);
    // A barrier (two boxes: base 2 x 0.5 x 0.4 and a 2 x 0.2 x 0.6 panel on top), turned 30 degrees.
    const yaw = 30 * DEG;
    const b = actor('b', 7, 'barrier', 9, 1.5, yaw);
    world.update(state([b]));
    const frame = new Camera(config).capture(world, parent(), 0);
    const { semantic, instance } = images(frame);
    const proj = (p: number[]) => projectByHand(p, h, config.fx, config.fy, config.cx, config.cy);
    const rot = (x: number, y: number, z: number) => [9 + Math.cos(yaw) * x - Math.sin(yaw) * y, 1.5 + Math.sin(yaw) * x + Math.cos(yaw) * y, z];
    const parts = [[[0, 0, 0.2], [2, 0.5, 0.4]], [[0, 0, 0.7], [2, 0.2, 0.6]]].map(([c, s]) =>
      hull(boxCorners([0, 0, 0], s).map((q) => proj(rot(q[0] + c[0], q[1] + c[1], q[2] + c[2])))));
    const building = hull(boxCorners([25, -6, 3], [4, 4, 6], 0.3).map(proj));
    let checked = 0;
    for (let v = 0; v < config.height; v++) {
      for (let u = 0; u < config.width; u++) {
        const i = v * config.width + u;
        const inBarrier = Math.max(...parts.map((p) => insideDistance(p, u, v)));
        const inBuilding = insideDistance(building, u, v);
        if (inBarrier > 1) {
          expect(instance[i]).toBe(7);
          expect(semantic[i]).toBe(classId('static_prop'));
          checked++;
        } else if (inBarrier < -1) {
          expect(instance[i]).toBe(0);
          if (inBuilding > 1) expect(semantic[i]).toBe(classId('building'));
          if (inBuilding < -1) expect(semantic[i]).toBe(0);
        }
      }
    }
    expect(checked).toBeGreaterThan(500);
  });

  it('depth of a plane at a known pose equals the analytic depth at every pixel (1 mm)', () => {
    // A tilted plane: through (20, 0, 0) with normal (1, 0.3, 0.4) in the world; camera pitched down 10 degrees and yawed 5.
    const n = [1, 0.3, 0.4];
    const p0 = [20, 0, 0];
    const mesh = new MeshBuilder();
    const on = (a: number, b: number) => [p0[0] - 0.3 * a - 0.4 * b, p0[1] + a, p0[2] + b];
    mesh.quad(on(-100, -100), on(100, -100), on(100, 100), on(-100, 100), classId('building'));
    const pitch = 10 * DEG, yaw = 5 * DEG;
    const config = cameraConfig({ width: 160, height: 120, fov: 75 * DEG, mount: { x: 0, y: 0, z: 2, roll: 0, pitch, yaw } });
    const { depth } = images(new Camera(config).capture(World.fromMesh(mesh), parent(), 0));
    // Camera axes in the world: forward f, right r, down d (from yaw, pitch; pitch down is positive in REP 103).
    const f = [Math.cos(pitch) * Math.cos(yaw), Math.cos(pitch) * Math.sin(yaw), -Math.sin(pitch)];
    const left = [-Math.sin(yaw), Math.cos(yaw), 0];
    const up = [Math.sin(pitch) * Math.cos(yaw), Math.sin(pitch) * Math.sin(yaw), Math.cos(pitch)];
    const c = [0, 0, 2];
    const dot = (a: number[], b: number[]) => a[0] * b[0] + a[1] * b[1] + a[2] * b[2];
    let worst = 0;
    for (let v = 0; v < config.height; v++) {
      for (let u = 0; u < config.width; u++) {
        const x = (u - config.cx) / config.fx, y = (v - config.cy) / config.fy;
        // World direction of the ray with optical z = 1: f + x * right + y * down.
        const dir = [0, 1, 2].map((k) => f[k] - x * left[k] - y * up[k]);
        const denom = dot(n, dir);
        const z = denom > 0 ? dot(n, [p0[0] - c[0], p0[1] - c[1], p0[2] - c[2]]) / denom : Infinity;
        const got = depth[v * config.width + u];
        if (z > 0 && z < 1000) worst = Math.max(worst, Math.abs(got - z));
        else expect(got).toBe(0);
      }
    }
    expect(worst).toBeLessThan(1e-3);
  });
});
