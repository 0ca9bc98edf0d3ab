import { afterAll, describe, expect, it } from 'vitest';
import type { Frame } from '../../src/core/frame.js';
import { RaycastPool } from '../../src/raycast/RaycastPool.js';
import { Camera } from '../../src/sensors/camera/Camera.js';
import { cameraEnginesOn } from '../../src/sensors/camera/TiledRender.js';
import { cameraConfig } from '../../src/sensors/CameraConfig.js';
import { actor, DEG, state, townWithStreetActors } from './cameraHelpers.js';

/**
 * What the pool's workers keep for a camera's tiles (an engine each: render targets and views
 * of the camera's shared arrays) lives as long as the camera: dispose() and a move to another
 * pool drop it, so a long process that makes and lets go of cameras does not grow. Counted by
 * asking the real workers (CameraTask's 'count'), not a mock.
 */
describe('camera engines on the pool', () => {
  const { network, world, actors } = townWithStreetActors(['car', 'van'], 2);
  const ego = network.lanePose('6', -1, 3);
  const parent = actor('ego', 1, 'car', ego.x, ego.y, ego.heading, ego.z);
  world.update(state([...actors, parent]));
  const mount = { x: 1, y: 0, z: 1.6, roll: 0, pitch: 3 * DEG, yaw: 0 };
  const make = (): Camera => new Camera(cameraConfig({ width: 64, height: 40, fov: 90 * DEG, mount }));
  const pools: RaycastPool[] = [];
  afterAll(async () => {
    world.scene.usePool(undefined);
    await Promise.all(pools.map((p) => p.close()));
  });
  const bytes = (frame: Frame): Buffer => Buffer.from(frame.data.rgb.bytes);
  const engines = async (pool: RaycastPool): Promise<number[]> => (await cameraEnginesOn(pool)).map((w) => w.engines);
  const meshes = async (pool: RaycastPool): Promise<number[]> => (await cameraEnginesOn(pool)).map((w) => w.meshes);

  it('drops a disposed camera\'s engine on every worker, and one that moves to another pool from the old pool', async () => {
    const a = await RaycastPool.create(world.scene, { workers: 2 });
    const b = await RaycastPool.create(world.scene, { workers: 1 });
    pools.push(a, b);
    expect(await engines(a)).toEqual([0, 0]);
    world.scene.usePool(a);
    const cameras = [make(), make(), make()];
    const first = cameras.map((c) => c.capture(world, parent, 0));
    expect(await engines(a)).toEqual([3, 3]);
    cameras[0].dispose();
    expect(await engines(a)).toEqual([2, 2]);
    // Disposed, a camera sets its tiles up again when it captures: the same image, one engine more.
    const again = cameras[0].capture(world, parent, 100_000_000);
    expect(bytes(again).equals(bytes(first[0]))).toBe(true);
    expect(await engines(a)).toEqual([3, 3]);
    // To another pool: the first keeps nothing of it.
    world.scene.usePool(b);
    cameras[1].capture(world, parent, 100_000_000);
    expect(await engines(a)).toEqual([2, 2]);
    expect(await engines(b)).toEqual([1]);
    // The workers view the world's meshes (the static one, the actors' models) while a camera is theirs.
    for (const m of await meshes(a)) expect(m).toBeGreaterThan(1);
    for (const c of cameras) c.dispose();
    expect(await engines(a)).toEqual([0, 0]);
    expect(await engines(b)).toEqual([0]);
    expect(await meshes(a)).toEqual([0, 0]);
    expect(await meshes(b)).toEqual([0]);
    // A disposed camera's second dispose posts nothing more (no pool is held).
    cameras[1].dispose();
    expect(await engines(b)).toEqual([0]);
  }, 120_000);
});
