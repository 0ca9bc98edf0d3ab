/**
 * Motion blur by sub-frames over the shutter time (MotionBlur.ts): a box crossing the view at
 * speed v at depth Z is smeared over its image motion f v T / Z; a static scene gives back the
 * frame without blur, byte for byte.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { MeshBuilder } from '../../src/core/MeshBuilder.js';
import { classId } from '../../src/core/semantic.js';
import { fieldArray, type Frame } from '../../src/core/frame.js';
import { encodeFrame } from '../../src/io/codec.js';
import { Camera } from '../../src/sensors/camera/Camera.js';
import { NOISE_DEFAULTS } from '../../src/sensors/camera/SensorNoise.js';
import { cameraConfig, type CameraConfig } from '../../src/sensors/CameraConfig.js';
import { loadRig } from '../../src/sensors/Rig.js';
import type { ActorState } from '../../src/sim/WorldState.js';
import { World } from '../../src/world/World.js';
import { userError } from '../helpers.js';
import { actor, DEG, images, state } from './cameraHelpers.js';

const H = 1.5;
const rgbOf = (frame: Frame) => fieldArray(frame.data.rgb) as Uint8Array;
const parentAt = (velocity: [number, number, number] = [0, 0, 0]): ActorState => ({
  ...actor('ego', 999, 'car', 0, 0), velocity, pose: { p: [0, 0, 0], q: [0, 0, 0, 1] },
});
/** The crossing box: 1 m wide (world y), 2 cm deep (world x), 1 m tall, centred at the camera's height. */
const BOX = [0.02, 1, 1] as const;

function worldWith(box: { y: number; Z: number; vy: number } | undefined): World {
  const ground = new MeshBuilder();
  ground.quad([-50, -50, 0], [100, -50, 0], [100, 50, 0], [-50, 50, 0], classId('road'));
  const model = new MeshBuilder();
  model.box([0, 0, 0], [...BOX], 0, classId('static_prop'));
  const world = World.fromMesh(ground, { models: { byKind: new Map(), byActor: new Map([['box', model]]) } });
  const actors: ActorState[] = [];
  if (box) actors.push({ ...actor('box', 7, 'car', box.Z, box.y, 0, H), velocity: [0, box.vy, 0] });
  world.update(state(actors));
  return world;
}

// 160 x 33: fx = 100 px; the middle row (v = cy = 16) runs along the horizon, with sky behind the box.
const config = (over: Partial<CameraConfig> = {}) => cameraConfig({
  width: 160, height: 33, fov: 2 * Math.atan(0.8), mount: { x: 0, y: 0, z: H, roll: 0, pitch: 0, yaw: 0 },
  shadows: false, boxes: false, outputs: ['rgb'], // 1/50 s at ISO 25, f/16: about the metered exposure of daylight (a motion-blur shutter that does not saturate).
  exposure: { shutter: 0.02, iso: 25, fNumber: 16 }, ...over,
});

/** Columns of the middle row whose colour differs from the same row without the box. */
function extentInRow(rgb: Uint8Array, empty: Uint8Array, c: CameraConfig): [number, number] {
  const row = Math.round(c.cy);
  let lo = Infinity, hi = -Infinity;
  for (let u = 0; u < c.width; u++) {
    const i = (row * c.width + u) * 3;
    if (rgb[i] !== empty[i] || rgb[i + 1] !== empty[i + 1] || rgb[i + 2] !== empty[i + 2]) { lo = Math.min(lo, u); hi = Math.max(hi, u); }
  }
  return [lo, hi];
}

/** Hand projection of the box's outermost columns with its centre at world y (camera at the origin looking along +x: u = cx + fx (−y) / x). */
function handColumns(c: CameraConfig, y: number, Z: number): [number, number] {
  const us: number[] = [];
  for (const dx of [-BOX[0] / 2, BOX[0] / 2]) for (const dy of [-BOX[1] / 2, BOX[1] / 2]) us.push(c.cx + (c.fx * -(y + dy)) / (Z + dx));
  return [Math.min(...us), Math.max(...us)];
}

describe('motion blur (sub-frames over the shutter)', () => {
  it('smears a crossing box over f v T / Z pixels (hand projection), within a pixel', () => {
    const Z = 4, v = 20, T = 0.02, y0 = 0.2;
    for (const samples of [8, 24]) {
      const c = config({ motionBlur: { samples } });
      const smear = (c.fx * v * T) / Z; // 100 · 20 · 0.02 / 4 = 10 px
      expect(smear).toBeCloseTo(10, 12);
      const empty = rgbOf(new Camera(c).capture(worldWith(undefined), parentAt(), 0));
      // Moving toward world −y: to the right in the image (optical x = −world y).
      const blurred = extentInRow(rgbOf(new Camera(c).capture(worldWith({ y: y0, Z, vy: -v }), parentAt(), 0)), empty, c);
      const sharp = extentInRow(rgbOf(new Camera(config()).capture(worldWith({ y: y0, Z, vy: -v }), parentAt(), 0)), empty, c);
      // The sharp box covers its hand-projected columns (edge pixels partly, anti-aliased).
      const [a, b] = handColumns(c, y0, Z);
      expect(Math.abs(sharp[0] - a)).toBeLessThanOrEqual(1);
      expect(Math.abs(sharp[1] - b)).toBeLessThanOrEqual(1);
      // Blurred: the leading edge runs on by the smear, the trailing edge stays.
      expect(blurred[0]).toBe(sharp[0]);
      expect(Math.abs(blurred[1] - sharp[1] - smear)).toBeLessThanOrEqual(1);
      // The end of the streak is where the hand projection puts the box at the end of the exposure.
      expect(Math.abs(blurred[1] - handColumns(c, y0 - v * T, Z)[1])).toBeLessThanOrEqual(1);
    }
  });

  it('smears a static box the same when the camera moves past it instead', () => {
    const Z = 4, v = 20, T = 0.02, y0 = 0.2;
    const c = config({ motionBlur: { samples: 16 } });
    const empty = rgbOf(new Camera(c).capture(worldWith(undefined), parentAt(), 0));
    // The camera moving toward world +y sees the box slide toward −y relative to it.
    const blurred = extentInRow(rgbOf(new Camera(c).capture(worldWith({ y: y0, Z, vy: 0 }), parentAt([0, v, 0]), 0)), empty, c);
    const sharp = extentInRow(rgbOf(new Camera(config()).capture(worldWith({ y: y0, Z, vy: 0 }), parentAt(), 0)), empty, c);
    expect(blurred[0]).toBe(sharp[0]);
    expect(Math.abs(blurred[1] - sharp[1] - (c.fx * v * T) / Z)).toBeLessThanOrEqual(1);
  });

  it('takes the camera\'s sub-frame poses between the step\'s states when the simulation advances it', () => {
    const Z = 4, v = 20, T = 0.02, y0 = 0.2, step = 0.1;
    const c = config({ motionBlur: { samples: 16 } });
    const empty = rgbOf(new Camera(c).capture(worldWith(undefined), parentAt(), 0));
    const from = parentAt(), to = { ...parentAt(), pose: { p: [0, v * step, 0] as [number, number, number], q: [0, 0, 0, 1] as [number, number, number, number] } };
    const advanced = new Camera(c).advance(worldWith({ y: y0, Z, vy: 0 }), from, to, 0, step * 1e9)!;
    const blurred = extentInRow(rgbOf(advanced), empty, c);
    const sharp = extentInRow(rgbOf(new Camera(config()).capture(worldWith({ y: y0, Z, vy: 0 }), parentAt(), 0)), empty, c);
    expect(blurred[0]).toBe(sharp[0]);
    expect(Math.abs(blurred[1] - sharp[1] - (c.fx * v * T) / Z)).toBeLessThanOrEqual(1);
    // Standing still, the advanced frame is the frame without blur.
    const still = (cfg: CameraConfig) => rgbOf(new Camera(cfg).advance(worldWith({ y: y0, Z, vy: 0 }), from, from, 0, step * 1e9)!);
    expect(Buffer.from(still(c)).equals(Buffer.from(still(config())))).toBe(true);
  });

  it('gives a static scene the very bytes of the frame without blur (mean of identical sub-frames), noise and all', () => {
    for (const over of [{}, { noise: { ...NOISE_DEFAULTS, gainDnPerE: undefined, seed: 3 } }, { shading: 'palette' as const }]) {
      const plain = config({ ...over, outputs: ['rgb', 'depth', 'semantic', 'instance'], boxes: true });
      const frame = (c: CameraConfig) => Buffer.from(encodeFrame(new Camera(c).capture(worldWith({ y: 0.2, Z: 4, vy: 0 }), parentAt(), 0)));
      const blurredFrame = frame({ ...plain, motionBlur: { samples: 5 } });
      const plainFrame = frame(plain);
      // The frame gains only its blur fields; the images are the same bytes.
      const a = images(new Camera({ ...plain, motionBlur: { samples: 5 } }).capture(worldWith({ y: 0.2, Z: 4, vy: 0 }), parentAt(), 0));
      const b = images(new Camera(plain).capture(worldWith({ y: 0.2, Z: 4, vy: 0 }), parentAt(), 0));
      expect(Buffer.from(a.rgb!).equals(Buffer.from(b.rgb!))).toBe(true);
      expect(a.depth).toEqual(b.depth);
      expect(a.boxes).toEqual(b.boxes);
      expect(blurredFrame.length).toBeGreaterThan(plainFrame.length);
    }
  });
});

describe('motion blur config', () => {
  const dir = mkdtempSync(join(tmpdir(), 'roadcast-blur-'));
  let files = 0;
  const rig = (yaml: string) => {
    const file = join(dir, `rig${files++}.yaml`);
    writeFileSync(file, `sensors:\n  - name: cam\n    type: camera\n    rate: 10\n    width: 64\n    height: 48\n${yaml.replace(/^/gm, '    ')}\n`);
    return { file, config: () => loadRig(file).sensors[0] as CameraConfig };
  };

  it('is off by default, on with true (8 sub-frames) or a sample count', () => {
    expect(rig('shading: realistic').config().motionBlur).toBeUndefined();
    expect(rig('motion_blur: true').config().motionBlur).toEqual({ samples: 8 });
    expect(rig('motion_blur: { samples: 12 }').config().motionBlur).toEqual({ samples: 12 });
    expect(rig('motion_blur: false').config().motionBlur).toBeUndefined();
  });

  it('names the line of a bad value', () => {
    const cases: [string, RegExp][] = [
      ['motion_blur: { samples: 1 }', /samples.*>= 2/],
      ['motion_blur: { count: 4 }', /unknown key "count"/],
      ['shading: palette\nmotion_blur: true', /needs exposure: \{ shutter \}/],
      ['raw: true', /raw.*add noise/],
      ['shading: palette\nprecipitation: true', /precipitation.*realistic/],
    ];
    for (const [yaml, message] of cases) {
      const bad = rig(yaml);
      const error = userError(bad.config).message;
      expect(error).toMatch(new RegExp(`${bad.file}:\\d+ `));
      expect(error).toMatch(message);
    }
  });
});
