import { describe, expect, it } from 'vitest';
import { MeshBuilder } from '../../src/core/MeshBuilder.js';
import { classId } from '../../src/core/semantic.js';
import { Camera } from '../../src/sensors/camera/Camera.js';
import { cameraConfig } from '../../src/sensors/CameraConfig.js';
import type { ActorState } from '../../src/sim/WorldState.js';
import { StaticActors } from '../../src/sim/StaticActors.js';
import { World } from '../../src/world/World.js';
import { actor, DEG, images, projectByHand, state, townWithStreetActors } from './cameraHelpers.js';

const at = (x: number, y: number, z = 0, yaw = 0): ActorState => ({
  ...actor('ego', 999, 'car', x, y, yaw, z),
});

describe('camera in a town', () => {
  it('rasterised and ray-per-pixel images agree on depth (1 mm) and on instance and class ids (99.5 %)', () => {
    // Actors along the street the camera looks down (road 6 runs from x = 10 to 61 at y = 69) and around.
    const { network, roadside, world, actors } = townWithStreetActors(['car', 'van', 'truck', 'bus', 'cyclist', 'pedestrian', 'barrier', 'cone'], 1);
    // The roadside's parked cars are actors too, after the others.
    actors.push(...new StaticActors(roadside.parkedCars, actors.length + 1, new Set()).states);
    world.update(state(actors));
    const ego = network.lanePose('6', -1, 3);
    const parent = at(ego.x, ego.y, ego.z, ego.heading);
    const config = cameraConfig({ width: 320, height: 180, fov: 90 * DEG, mount: { x: 1, y: 0, z: 1.6, roll: 0, pitch: 3 * DEG, yaw: 0 }, shadows: false });
    const raster = images(new Camera(config, 'raster').capture(world, parent, 0));
    const rays = images(new Camera(config, 'rays').capture(world, parent, 0));
    const n = config.width * config.height;
    let same = 0, both = 0, depthOff = 0, actorsSeen = 0;
    for (let i = 0; i < n; i++) {
      if (raster.instance[i] === rays.instance[i] && raster.semantic[i] === rays.semantic[i] && (raster.depth[i] > 0) === (rays.depth[i] > 0)) same++;
      if (raster.instance[i] > 0) actorsSeen++;
      if (raster.depth[i] > 0 && rays.depth[i] > 0 && raster.instance[i] === rays.instance[i] && raster.semantic[i] === rays.semantic[i]) {
        both++;
        if (Math.abs(raster.depth[i] - rays.depth[i]) > 1e-3) depthOff++;
      }
    }
    expect(actorsSeen).toBeGreaterThan(1000);
    expect(same / n).toBeGreaterThan(0.995);
    expect(both).toBeGreaterThan(0.5 * n);
    // Where both see the same surface, depth agrees to 1 mm.
    expect(depthOff).toBe(0);
  });
});

const brightnessOf = (rgb: Uint8Array, i: number) => rgb[i * 3] + rgb[i * 3 + 1] + rgb[i * 3 + 2];

describe('camera lighting', () => {
  it('a shadow falls on the ground behind a box from the sun', () => {
    const mesh = new MeshBuilder();
    mesh.quad([-50, -50, 0], [100, -50, 0], [100, 50, 0], [-50, 50, 0], classId('road'));
    mesh.box([15, 0, 1], [2, 2, 2], 0, classId('building'));
    const world = World.fromMesh(mesh);
    // The sun in the north (+y), 30 degrees up: the box's shadow falls toward -y, 3.5 m beyond its side.
    const config = cameraConfig({ width: 200, height: 120, fov: 60 * DEG, mount: { x: 0, y: 0, z: 3, roll: 0, pitch: 8 * DEG, yaw: 0 }, sunAzimuth: 90 * DEG, sunElevation: 30 * DEG, fogDistance: Infinity, outputs: ['rgb', 'depth', 'semantic', 'instance'] });
    const frame = new Camera(config).capture(world, at(0, 0), 0);
    const { rgb, semantic } = images(frame);
    // Ground points: one 1.5 m south of the box (in its shadow), one 5.5 m south (lit), both in view.
    const pixelOf = (p: number[]): number => {
      // Camera pitched down 8 degrees: rotate the point into the camera's level frame first.
      const c = Math.cos(8 * DEG), s = Math.sin(8 * DEG);
      const dx = p[0], dz = p[2] - 3;
      const q = [c * dx - s * dz, p[1], s * dx + c * dz + 3];
      const [u, v] = projectByHand(q, 3, config.fx, config.fy, config.cx, config.cy);
      return Math.round(v) * config.width + Math.round(u);
    };
    const shadowed = pixelOf([15, -2.5, 0]);
    const open = pixelOf([15, -6.5, 0]);
    expect(semantic[shadowed]).toBe(classId('road'));
    expect(semantic[open]).toBe(classId('road'));
    const brightness = (i: number) => rgb![i * 3] + rgb![i * 3 + 1] + rgb![i * 3 + 2];
    expect(brightness(shadowed)).toBeLessThan(0.8 * brightness(open));
    // With shadows off the two are lit alike: exactly with the flat palette shading; with the
    // realistic one (asphalt grain varies from point to point) their 7 x 7 neighbourhoods agree on average.
    const flat = images(new Camera({ ...config, shadows: false, shading: 'palette' }).capture(world, at(0, 0), 0)).rgb!;
    expect(Math.abs(flat[shadowed * 3] - flat[open * 3])).toBeLessThanOrEqual(1);
    const real = images(new Camera({ ...config, shadows: false }).capture(world, at(0, 0), 0)).rgb!;
    const patch = (i: number) => {
      let sum = 0;
      for (let dv = -3; dv <= 3; dv++) for (let du = -3; du <= 3; du++) sum += brightnessOf(real, i + dv * config.width + du);
      return sum / 49;
    };
    expect(Math.abs(patch(shadowed) - patch(open))).toBeLessThan(0.08 * patch(open));
    // And the palette shading darkens the shadow too.
    const palette = images(new Camera({ ...config, shading: 'palette' }).capture(world, at(0, 0), 0)).rgb!;
    expect(brightnessOf(palette, shadowed)).toBeLessThan(0.8 * brightnessOf(palette, open));
  });
});

describe('rolling shutter', () => {
  it('shifts each row of a moving camera\'s image by speed x row time', () => {
    // A wall 10 m ahead whose left edge is at y = 0; the camera slides left (+y) at 20 m/s.
    const mesh = new MeshBuilder();
    mesh.quad([10, 0, -20], [10, -30, -20], [10, -30, 20], [10, 0, 20], classId('building'));
    const world = World.fromMesh(mesh);
    const speed = 20, readout = 0.04;
    const config = cameraConfig({ width: 200, height: 100, fov: 60 * DEG, rollingShutter: { readoutTime: readout, rowsPerBand: 1 }, outputs: ['semantic', 'depth', 'instance'], boxes: false });
    const camera = new Camera(config);
    world.update(state([]));
    const step = 10_000_000;
    let frame;
    for (let k = 0; !frame && k < 20; k++) {
      const from = { ...at(0, (speed * k * step) / 1e9), instanceId: 999 };
      const to = { ...at(0, (speed * (k + 1) * step) / 1e9), instanceId: 999 };
      frame = camera.advance(world, from, to, k * step, (k + 1) * step);
    }
    expect(frame).toBeDefined();
    const { semantic } = images(frame!);
    for (const row of [0, 25, 50, 75, 99]) {
      // Camera at y = speed * t(row); the edge (world y = 0) at optical x = y_cam, so u = cx + fx * y_cam / 10.
      const t = (readout * row) / config.height;
      const want = config.cx + (config.fx * speed * t) / 10;
      let edge = -1;
      for (let u = 0; u < config.width; u++) if (semantic[row * config.width + u] === classId('building')) { edge = u; break; }
      expect(Math.abs(edge - Math.ceil(want))).toBeLessThanOrEqual(1);
    }
    // The top and bottom rows differ by the distance moved during the readout: 20 m/s x 0.04 s x 0.99 at 10 m.
    expect(config.fx * speed * readout * 0.99 / 10).toBeGreaterThan(10);
  });
});

describe('rolling shutter over moving actors', () => {
  it('reads each band\'s rows as a global shutter sees them with the actors where the band\'s step placed them', () => {
    // A van crossing 12 m ahead at 25 m/s (its wheels 1.5 m below the camera), the camera still; the run places actors halfway through each 10 ms step.
    const world = World.fromMesh(new MeshBuilder());
    const step = 10_000_000, speed = 25, readout = 0.04;
    const base = cameraConfig({ width: 120, height: 64, fov: 70 * DEG, boxes: false, shadows: false });
    const config = { ...base, rollingShutter: { readoutTime: readout, rowsPerBand: 4 } };
    const van = (k: number): ActorState => actor('van', 5, 'van', 12, -1 + (speed * (k + 0.5) * step) / 1e9, 90 * DEG, -1.5);
    const parent = at(0, 0);
    const rolling = new Camera(config);
    let frame;
    for (let k = 0; !frame && k < 10; k++) {
      world.update(state([van(k)]));
      frame = rolling.advance(world, parent, parent, k * step, (k + 1) * step);
    }
    expect(frame).toBeDefined();
    const read = images(frame!).instance;
    // Band b (rows 4b..4b+3) is read at the time of its middle row, in step floor(time / step).
    const global: Uint32Array[] = [];
    const stepOfRow = (row: number): number => {
      const r0 = row - (row % 4), middle = Math.floor((r0 + Math.min(base.height, r0 + 4) - 1) / 2);
      return Math.floor(Math.round((readout * 1e9 * middle) / base.height) / step);
    };
    const w = base.width;
    let seen = 0;
    for (let row = 0; row < base.height; row++) {
      const k = stepOfRow(row);
      if (!global[k]) {
        world.update(state([van(k)]));
        global[k] = images(new Camera(base).capture(world, parent, 0)).instance;
      }
      expect([...read.subarray(row * w, (row + 1) * w)], `row ${row} (step ${k})`).toEqual([...global[k].subarray(row * w, (row + 1) * w)]);
      seen += read.subarray(row * w, (row + 1) * w).filter((id) => id === 5).length;
    }
    // The van is in view, and moves between the steps: the steps' images differ.
    expect(seen).toBeGreaterThan(200);
    expect(global.filter(Boolean).length).toBeGreaterThan(2);
    expect(Buffer.compare(Buffer.from(global[0].buffer), Buffer.from(global[global.length - 1].buffer))).not.toBe(0);
  });
});

describe('2D boxes', () => {
  const config = cameraConfig({ width: 320, height: 240, fov: 60 * DEG, mount: { x: 0, y: 0, z: 0.5, roll: 0, pitch: 0, yaw: 0 }, shadows: false });
  const fovEdge = 30 * DEG;

  it('an actor half out of the image has truncation about 0.5, and its box starts at the image edge', () => {
    // A barrier 20 m out along the ray through the left image edge, turned square to that ray.
    const world = World.fromMesh(new MeshBuilder());
    const d = 20;
    const b = actor('b', 5, 'barrier', d * Math.cos(fovEdge), d * Math.sin(fovEdge), fovEdge + 90 * DEG);
    world.update(state([b]));
    const { boxes, boxIds } = images(new Camera(config).capture(world, at(0, 0), 0));
    expect([...boxIds]).toEqual([5]);
    expect(boxes[0]).toBe(0);
    expect(boxes[4]).toBeGreaterThan(0.45);
    expect(boxes[4]).toBeLessThan(0.55);
    expect(boxes[5]).toBeCloseTo(0, 6);
  });

  it('an actor half hidden behind a wall has occlusion about 0.5, and one in the open none', () => {
    const mesh = new MeshBuilder();
    // A wall 10 m ahead covering everything left of the optical axis (world y > 0).
    mesh.quad([10, 0, -5], [10, 30, -5], [10, 30, 10], [10, 0, 10], classId('building'));
    const world = World.fromMesh(mesh);
    const hidden = actor('h', 3, 'barrier', 20, 0, 90 * DEG);
    const free = actor('f', 4, 'barrier', 20, -4, 90 * DEG);
    world.update(state([hidden, free]));
    const { boxes, boxIds, instance } = images(new Camera(config).capture(world, at(0, 0), 0));
    expect([...boxIds]).toEqual([3, 4]);
    expect(boxes[5]).toBeGreaterThan(0.45);
    expect(boxes[5]).toBeLessThan(0.55);
    expect(boxes[11]).toBeCloseTo(0, 6);
    expect(boxes[10]).toBeCloseTo(0, 6);
    // Tight bounds: the hidden one's visible pixels start right of the wall's edge (u > cx).
    expect(boxes[0]).toBe(Math.ceil(config.cx));
    let maxU = -1;
    for (let i = 0; i < instance.length; i++) if (instance[i] === 4) maxU = Math.max(maxU, i % config.width);
    expect(boxes[8]).toBe(maxU);
  });
});
