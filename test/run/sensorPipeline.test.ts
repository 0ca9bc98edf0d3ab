import { afterAll, describe, expect, it } from 'vitest';
import type { Frame } from '../../src/core/frame.js';
import { encodeFrame } from '../../src/io/codec.js';
import { RaycastPool } from '../../src/raycast/RaycastPool.js';
import { SensorPipeline } from '../../src/run/SensorPipeline.js';
import { parseRig } from '../../src/sensors/Rig.js';
import { mountSensors, type StepContext } from '../../src/sensors/Rigging.js';
import type { ActorState, WorldState } from '../../src/sim/WorldState.js';
import { StaticActors } from '../../src/sim/StaticActors.js';
import { actor, state, townWithStreetActors } from '../sensors/cameraHelpers.js';

/** A rig with every sensor kind: two cameras firing together (one with a rolling shutter), a LiDAR with motion distortion, a radar, an IMU and ground truth. */
const RIG = `
sensors:
  - { name: top, type: lidar, preset: vlp-16, rate: 20, mount: { z: 1.9 } }
  - { name: front, type: camera, rate: 20, width: 160, height: 90, fov: 90, shadows: true, mount: { x: 1.5, z: 1.6 } }
  - { name: left, type: camera, rate: 20, width: 120, height: 80, fov: 100, mount: { x: 1, z: 1.6, yaw: 60 }, rolling_shutter: { readout_time: 0.02, rows_per_band: 10 } }
  - { name: radar, type: radar, preset: long-range, mount: { x: 2.3, z: 0.5 } }
  - { name: imu, type: imu, rate: 100 }
  - { name: truth, type: ground_truth, rate: 10 }
`;

/**
 * The run's sensor pipeline (SensorPipeline.ts): cameras' tiles drawn on the pool while the
 * other sensors and the next steps go on. Its frames are those of the sensors stepped one
 * after another without a pool, byte for byte and in the same order, whatever the workers.
 */
describe('SensorPipeline', () => {
  const { network, roadside, world, actors: street } = townWithStreetActors(['car', 'van', 'pedestrian', 'cyclist', 'car', 'bus'], 2);
  const ego = network.lanePose('6', -1, 3);
  const moving: ActorState[] = [
    ...street.map((a) => ({ ...a, velocity: [2, -1, 0] as [number, number, number] })),
    { ...actor('ego', 1, 'car', ego.x, ego.y, ego.heading, ego.z), ego: true, velocity: [8 * Math.cos(ego.heading), 8 * Math.sin(ego.heading), 0] },
  ];
  const parked = new StaticActors(roadside.parkedCars, moving.length + 2, new Set()).states;
  /** The town at step k (10 ms each): the actors moved along their velocities, the parked cars where they stand. */
  const at = (k: number): WorldState => state([
    ...moving.map((a) => ({ ...a, pose: { ...a.pose, p: [a.pose.p[0] + a.velocity[0] * 0.01 * k, a.pose.p[1] + a.velocity[1] * 0.01 * k, a.pose.p[2]] as [number, number, number] } })),
    ...parked,
  ], Math.round(k * 1e7));
  const rig = parseRig(RIG, 'pipeline.yaml');
  const steps = 24;
  const contexts = (k: number): StepContext => {
    let middle: WorldState | undefined;
    return { world, from: at(k), to: at(k + 1), middle: () => (middle ??= at(k + 0.5)) };
  };
  const pools: RaycastPool[] = [];
  afterAll(async () => {
    world.scene.usePool(undefined);
    await Promise.all(pools.map((p) => p.close()));
  });

  /** Every frame of the rig over the steps, encoded, in the order they leave; and the pipeline. */
  const run = (pipelined: boolean): { frames: Buffer[]; topics: string[]; pipeline: SensorPipeline } => {
    const sensors = mountSensors(rig, at(0).actors, 3);
    const pipeline = new SensorPipeline(sensors);
    const out: Frame[] = [];
    for (let k = 0; k < steps; k++) {
      if (!pipelined) {
        for (const sensor of sensors) {
          const frame = sensor.advance(contexts(k));
          if (frame) out.push(frame);
        }
        continue;
      }
      pipeline.step(contexts(k));
      out.push(...pipeline.ready());
    }
    pipeline.settle();
    out.push(...pipeline.ready());
    for (const sensor of sensors) sensor.dispose?.();
    return { frames: out.map((f) => Buffer.from(encodeFrame(f))), topics: out.map((f) => f.topic), pipeline };
  };

  it('gives the frames of the sensors stepped in turn without a pool, byte for byte and in order, for 1 and 2 workers', async () => {
    const reference = run(false);
    // Every sensor fired: 20 Hz cameras and LiDAR over 0.24 s, the radar, the IMU every step.
    for (const topic of ['lidar/top', 'camera/front', 'camera/left', 'radar/radar', 'imu/imu', 'ground_truth/truth']) {
      expect(reference.topics.filter((t) => t === topic).length, topic).toBeGreaterThan(topic === 'ground_truth/truth' ? 1 : 3);
    }
    for (const workers of [1, 2]) {
      const pool = await RaycastPool.create(world.scene, { workers });
      pools.push(pool);
      world.scene.usePool(pool);
      const piped = run(true);
      world.scene.usePool(undefined);
      expect(piped.topics).toEqual(reference.topics);
      piped.frames.forEach((bytes, k) => expect(Buffer.compare(bytes, reference.frames[k]), `${workers} worker(s), frame ${k} (${piped.topics[k]})`).toBe(0));
      // The cameras' images were under way while later steps ran, both cameras' at once.
      expect(piped.pipeline.overlappedSteps).toBeGreaterThan(0);
      expect(piped.pipeline.mostUnderWay).toBe(2);
    }
  });

  it('without a pool does the work in place: nothing is ever under way', () => {
    const piped = run(true);
    expect(piped.pipeline.overlappedSteps).toBe(0);
    expect(piped.pipeline.mostUnderWay).toBe(0);
    expect(piped.topics).toEqual(run(false).topics);
  });
});
