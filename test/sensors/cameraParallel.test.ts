import { afterAll, describe, expect, it } from 'vitest';
import type { Frame } from '../../src/core/frame.js';
import { RaycastPool } from '../../src/raycast/RaycastPool.js';
import { Camera } from '../../src/sensors/camera/Camera.js';
import { NOISE_DEFAULTS } from '../../src/sensors/camera/SensorNoise.js';
import { cameraConfig, type CameraConfig } from '../../src/sensors/CameraConfig.js';
import type { ActorState } from '../../src/sim/WorldState.js';
import { StaticActors } from '../../src/sim/StaticActors.js';
import { actor, DEG, state, townWithStreetActors } from './cameraHelpers.js';

/**
 * The camera drawn and shaded in tiles on a RaycastPool (TiledRender.ts) against the same
 * camera without a pool (one tile, on this thread): every output byte for byte, for 0, 1 and 2
 * workers, on the bundled town with actors in view. Every kind of camera the tiles draw:
 * pinhole, distorted, fisheye (with pixels beyond the render cast), rolling shutter (also read
 * over several steps while the actors move), palette, and no RGB at all.
 */
describe('camera on the pool', () => {
  const { network, roadside, world, actors: street } = townWithStreetActors(['car', 'van', 'truck', 'bus', 'cyclist', 'pedestrian', 'car', 'cone'], 2);
  const actors: ActorState[] = street.map((a) => ({ ...a, velocity: [3, 1, 0] }));
  const ego = network.lanePose('6', -1, 3);
  const parent = { ...actor('ego', 1, 'car', ego.x, ego.y, ego.heading, ego.z), velocity: [8 * Math.cos(ego.heading), 8 * Math.sin(ego.heading), 0] };
  actors.push(parent, ...new StaticActors(roadside.parkedCars, actors.length + 2, new Set()).states);
  world.update(state(actors));
  const mount = { x: 1, y: 0, z: 1.6, roll: 0, pitch: 3 * DEG, yaw: 0 };
  const distortion = { k1: -0.3, k2: 0.1, k3: 0, p1: 0.001, p2: -0.002 };
  const cameras: Record<string, CameraConfig> = {
    pinhole: cameraConfig({ width: 320, height: 181, fov: 90 * DEG, mount }),
    'noise and raw': cameraConfig({ width: 160, height: 90, fov: 90 * DEG, mount, noise: { ...NOISE_DEFAULTS, gainDnPerE: undefined, seed: 5 }, exposure: { iso: 400, fNumber: 2 }, raw: true }),
    'motion blur': cameraConfig({ width: 160, height: 90, fov: 90 * DEG, mount, motionBlur: { samples: 3 }, exposure: { shutter: 0.02, iso: 100, fNumber: 2 } }),
    fisheye: cameraConfig({ width: 200, height: 160, fov: 190 * DEG, model: 'fisheye', mount }),
    distorted: cameraConfig({ width: 160, height: 90, fov: 100 * DEG, mount, distortion }),
    'rolling shutter': cameraConfig({ width: 160, height: 90, fov: 90 * DEG, mount, rollingShutter: { readoutTime: 0.02, rowsPerBand: 8 } }),
    'rolling shutter, distorted': cameraConfig({ width: 160, height: 90, fov: 90 * DEG, mount, distortion, rollingShutter: { readoutTime: 0.03, rowsPerBand: 7 } }),
    palette: cameraConfig({ width: 160, height: 90, fov: 90 * DEG, mount, shading: 'palette' }),
    'palette fisheye, rolling shutter': cameraConfig({ width: 160, height: 120, fov: 190 * DEG, model: 'fisheye', mount, shading: 'palette', rollingShutter: { readoutTime: 0.02, rowsPerBand: 8 } }),
    'no RGB': cameraConfig({ width: 160, height: 90, fov: 90 * DEG, mount, outputs: ['depth', 'semantic', 'instance'] }),
    'no RGB, fisheye': cameraConfig({ width: 160, height: 90, fov: 190 * DEG, model: 'fisheye', mount, outputs: ['semantic', 'instance'] }),
  };
  /** Two frames of each camera: clear, then rain (drawn over the shaded image before the sensor). */
  const shoot = (): Record<string, Frame[]> => Object.fromEntries(Object.entries(cameras).map(([name, config]) => {
    world.update(state(actors));
    const camera = new Camera(config);
    const frames = [camera.capture(world, parent, 0), camera.capture(world, parent, 100_000_000, { rain: { rate: 10 } })];
    if (config.rollingShutter) frames.push(readOut(config));
    camera.dispose();
    return [name, frames];
  }));
  /** A rolling-shutter exposure read over 10 ms steps, the actors placed halfway through each: every band drawn as the world was then. */
  const readOut = (config: CameraConfig): Frame => {
    const camera = new Camera(config);
    const at = (k: number): ActorState[] => actors.map((a) => ({ ...a, pose: { ...a.pose, p: [a.pose.p[0] + a.velocity[0] * 0.01 * k, a.pose.p[1] + a.velocity[1] * 0.01 * k, a.pose.p[2]] } }));
    for (let k = 0; ; k++) {
      world.update(state(at(k + 0.5)));
      const ego = (list: ActorState[]): ActorState => list.find((a) => a.id === parent.id)!;
      const frame = camera.advance(world, ego(at(k)), ego(at(k + 1)), k * 10_000_000, (k + 1) * 10_000_000);
      if (frame) {
        camera.dispose();
        return frame;
      }
    }
  };
  const pools: RaycastPool[] = [];
  afterAll(async () => {
    world.scene.usePool(undefined);
    await Promise.all(pools.map((p) => p.close()));
  });

  it('gives every output byte for byte as one thread does, with 0, 1 and 2 workers', async () => {
    const reference = shoot();
    const pinhole = reference.pinhole[0];
    // The scene is a real test: actors boxed, shadows and sky in the image.
    expect(pinhole.fields.box_count as number).toBeGreaterThan(3);
    for (const workers of [0, 1, 2]) {
      const pool = await RaycastPool.create(world.scene, { workers });
      pools.push(pool);
      world.scene.usePool(pool);
      const frames = shoot();
      for (const [name, list] of Object.entries(reference)) {
        list.forEach((frame, k) => {
          expect(Object.keys(frames[name][k].data)).toEqual(Object.keys(frame.data));
          for (const [key, field] of Object.entries(frame.data)) {
            const same = Buffer.compare(Buffer.from(field.bytes), Buffer.from(frames[name][k].data[key].bytes)) === 0;
            expect(same, `${name} frame ${k} ${key}, ${workers} workers`).toBe(true);
          }
        });
      }
      world.scene.usePool(undefined);
    }
  }, 240_000);
});
