/**
 * The camera follows the weather: its fog is the LiDAR's (α = ln 20 / visibility, so one fog
 * drives every sensor), its sun is the weather's, rain and snow draw streaks on a realistic camera,
 * and its frames carry the weather. Without weather nothing changes.
 */
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { Frame } from '../../src/core/frame.js';
import { MeshBuilder } from '../../src/core/MeshBuilder.js';
import { classId } from '../../src/core/semantic.js';
import { encodeFrame } from '../../src/io/codec.js';
import { Camera } from '../../src/sensors/camera/Camera.js';
import { cameraConfig } from '../../src/sensors/CameraConfig.js';
import { World } from '../../src/world/World.js';
import { actor, DEG, images, state } from './cameraHelpers.js';

const parent = { ...actor('ego', 999, 'car', 0, 0), pose: { p: [0, 0, 0] as [number, number, number], q: [0, 0, 0, 1] as [number, number, number, number] } };
/** The palette shader's horizon colour, which fog blends toward (Shading.ts). */
const HORIZON = [198, 216, 235];

function wallWorld(D: number): World {
  const mesh = new MeshBuilder();
  mesh.quad([D, 100, -100], [D, -100, -100], [D, -100, 100], [D, 100, 100], classId('building'));
  const world = World.fromMesh(mesh);
  world.update(state([]));
  return world;
}

function shadowWorld(): World {
  const mesh = new MeshBuilder();
  mesh.quad([-50, -50, 0], [100, -50, 0], [100, 50, 0], [-50, 50, 0], classId('road'));
  mesh.box([15, 0, 1.5], [1, 1, 3], 0, classId('building'));
  const world = World.fromMesh(mesh);
  world.update(state([]));
  return world;
}

/** The frame without the weather fields it carries (the rig-configured twin has none). */
function withoutWeather(frame: Frame): Frame {
  const { weather: _w, fog_visibility: _f, rain_rate: _r, snow_rate: _s, ...fields } = frame.fields;
  return { ...frame, fields };
}

const base = { width: 120, height: 80, fov: 60 * DEG, mount: { x: 0, y: 0, z: 1.5, roll: 0, pitch: 0, yaw: 0 }, shadows: false, fogDistance: Infinity };

describe('camera weather', () => {
  it('blends a wall at range d toward the horizon by e^(-αd), α = ln(20) / visibility', () => {
    const D = 50, V = 200;
    const alpha = Math.log(20) / V;
    const config = cameraConfig({ ...base, shading: 'palette', outputs: ['rgb', 'depth', 'semantic', 'instance'] });
    const clear = images(new Camera(config).capture(wallWorld(D), parent, 0));
    const foggy = images(new Camera(config).capture(wallWorld(D), parent, 0, { fog: { visibility: V } }));
    let checked = 0;
    for (let i = 0; i < config.width * config.height; i += 37) {
      // Pinhole depth is along the axis; the range of the pixel's ray is depth / cos(angle off axis).
      const u = i % config.width, v = Math.floor(i / config.width);
      const x = (u - config.cx) / config.fx, y = (v - config.cy) / config.fy;
      const range = clear.depth[i] * Math.hypot(1, x, y);
      const f = Math.exp(-alpha * range);
      for (let c = 0; c < 3; c++) {
        // Uint8 truncation of both images: at most 1 + f apart.
        expect(Math.abs(foggy.rgb![i * 3 + c] - (clear.rgb![i * 3 + c] * f + HORIZON[c] * (1 - f)))).toBeLessThanOrEqual(1 + f);
      }
      checked++;
    }
    expect(checked).toBeGreaterThan(200);
  });

  it('gives the realistic camera in weather fog the very image of a rig fog distance of visibility / ln 20', () => {
    const V = 300;
    const inWeather = new Camera(cameraConfig({ ...base })).capture(wallWorld(80), parent, 0, { fog: { visibility: V } });
    const inRig = new Camera(cameraConfig({ ...base, fogDistance: V / Math.log(20) })).capture(wallWorld(80), parent, 0);
    expect(Buffer.from(encodeFrame(withoutWeather(inWeather))).equals(Buffer.from(encodeFrame(inRig)))).toBe(true);
  });

  it('moves the shadows with the sun: north casts them south (right of the image), south casts them north', () => {
    const config = cameraConfig({ ...base, shading: 'palette', shadows: true, mount: { x: 0, y: 0, z: 6, roll: 0, pitch: 20 * DEG, yaw: 0 } });
    /** Mean column of road pixels in shadow (darker than the lit road). */
    const shadowColumn = (azimuth: number) => {
      const { rgb, semantic } = images(new Camera(config).capture(shadowWorld(), parent, 0, { sun: { azimuth, elevation: 30 } }));
      let lit = 0;
      for (let i = 0; i < semantic.length; i++) if (semantic[i] === classId('road')) lit = Math.max(lit, rgb![i * 3] + rgb![i * 3 + 1] + rgb![i * 3 + 2]);
      let sum = 0, n = 0;
      for (let i = 0; i < semantic.length; i++) {
        if (semantic[i] === classId('road') && rgb![i * 3] + rgb![i * 3 + 1] + rgb![i * 3 + 2] < 0.8 * lit) { sum += i % config.width; n++; }
      }
      expect(n).toBeGreaterThan(5);
      return sum / n;
    };
    // The box is on the axis (column cx); +y (north) is to the left of the image.
    const north = shadowColumn(0), south = shadowColumn(180);
    expect(north).toBeGreaterThan(config.cx + 2);
    expect(south).toBeLessThan(config.cx - 2);
  });

  it('turns the weather sun (clockwise from north, degrees) into the rig sun (counter-clockwise from east)', () => {
    const az = 120, el = 25;
    const inWeather = new Camera(cameraConfig({ ...base, shadows: true })).capture(shadowWorld(), parent, 0, { sun: { azimuth: az, elevation: el } });
    const inRig = new Camera(cameraConfig({ ...base, shadows: true, sunAzimuth: (90 - az) * DEG, sunElevation: el * DEG })).capture(shadowWorld(), parent, 0);
    expect(Buffer.from(encodeFrame(withoutWeather(inWeather))).equals(Buffer.from(encodeFrame(inRig)))).toBe(true);
  });

  it('holds the weather at the exposure start through a rolling-shutter exposure', () => {
    const config = cameraConfig({ ...base, shading: 'palette', shadows: true, rollingShutter: { readoutTime: 0.03, rowsPerBand: 20 } });
    const weather = { sun: { azimuth: 0, elevation: 30 }, fog: { visibility: 150 } };
    const shutter = new Camera(config);
    const world = shadowWorld();
    // A standing camera: every band sees the same scene, so the frame is the global-shutter one.
    const frame = shutter.advance(world, parent, parent, 0, 100_000_000, weather)!;
    const whole = new Camera({ ...config, rollingShutter: undefined }).capture(world, parent, 0, weather);
    expect(images(frame).rgb).toEqual(images(whole).rgb);
    const clear = new Camera(config).advance(world, parent, parent, 0, 100_000_000)!;
    expect(images(clear).rgb).not.toEqual(images(frame).rgb);
  });

  it('changes nothing without sun or fog in the weather: byte-identical frames', () => {
    const digest = (weather?: object) => {
      const camera = new Camera(cameraConfig({ ...base, shadows: true, fogDistance: 400 }));
      const h = createHash('sha256');
      for (let i = 0; i < 2; i++) h.update(encodeFrame(camera.capture(shadowWorld(), parent, i * 100_000_000, weather)));
      return h.digest('hex');
    };
    const plain = digest();
    expect(digest({})).toBe(plain);
  });

  it('draws rain on a realistic camera, none with precipitation: false or palette shading', () => {
    const rgb = (config: object, weather?: object) => images(new Camera(cameraConfig({ ...base, ...config })).capture(shadowWorld(), parent, 0, weather)).rgb!;
    const rain = { rain: { rate: 10 }, wetRoad: 0.5 };
    expect(rgb({}, rain)).not.toEqual(rgb({}));
    expect(rgb({ precipitation: false }, rain)).toEqual(rgb({}));
    expect(rgb({ shading: 'palette' }, rain)).toEqual(rgb({ shading: 'palette' }));
  });

  it('carries the weather in force in the frame fields, and a clear frame\'s fields are what they were', () => {
    const fields = (weather?: object) => new Camera(cameraConfig({ ...base, shading: 'palette' })).capture(shadowWorld(), parent, 0, weather).fields;
    const clear = fields();
    expect(fields({})).toEqual(clear);
    for (const key of ['weather', 'fog_visibility', 'rain_rate', 'snow_rate']) expect(clear).not.toHaveProperty(key);
    const weather = { fog: { visibility: 120 }, rain: { rate: 7 }, snow: { rate: 1.5 } };
    const f = fields(weather);
    expect(JSON.parse(f.weather as string)).toEqual(weather);
    expect(f.fog_visibility).toBe(120);
    expect(f.rain_rate).toBe(7);
    expect(f.snow_rate).toBe(1.5);
    const sunny = fields({ sun: { azimuth: 90, elevation: 30 } });
    expect(JSON.parse(sunny.weather as string)).toEqual({ sun: { azimuth: 90, elevation: 30 } });
    expect(sunny).not.toHaveProperty('rain_rate');
    expect({ ...sunny, weather: undefined }).toEqual({ ...clear, weather: undefined });
  });
});
