/**
 * The run places the world's actors (and so rebuilds the top-level BVH over them) only in the
 * steps a sensor works in: the step a radar fires in, every step of a rolling shutter's
 * readout, never for an IMU. A rolling-shutter camera's frames are byte-identical to those it
 * makes when the world is placed for it in every step, as the run did before.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Frame } from '../../src/core/frame.js';
import { encodeFrame } from '../../src/io/codec.js';
import { RaycastScene } from '../../src/raycast/RaycastScene.js';
import { loadRunInputs } from '../../src/run/RunInputs.js';
import { runScenario, startRun } from '../../src/run/runScenario.js';
import { Camera } from '../../src/sensors/camera/Camera.js';
import type { CameraConfig } from '../../src/sensors/CameraConfig.js';
import { interpolateState } from '../../src/sensors/interpolation.js';
import { World } from '../../src/world/World.js';

const dir = mkdtempSync(join(tmpdir(), 'roadcast-placement-'));
const CAMERA = `  - name: front
    type: camera
    mount: { x: 1.5, z: 1.6 }
    rate: 10
    width: 64
    height: 48
    fov: 90
    outputs: [rgb, depth, semantic, instance]
    rolling_shutter: { readout_time: 0.025, rows_per_band: 4 }
`;
const RADAR = '  - { name: front_radar, type: radar, preset: long-range, rate: 10, mount: { x: 2.3, z: 0.5 } }\n';
const IMU = '  - { name: imu, type: imu, rate: 100 }\n';

function rigFile(name: string, sensors: string): string {
  const file = join(dir, `${name}.yaml`);
  writeFileSync(file, `sensors:\n${sensors}`);
  return file;
}

const setInstances = RaycastScene.prototype.setInstances;

/** Top-level rebuilds with actors in them (the scene starts with an empty one), while `fn` runs. */
async function countPlacements(fn: () => Promise<unknown>): Promise<number> {
  let placements = 0;
  vi.restoreAllMocks();
  vi.spyOn(RaycastScene.prototype, 'setInstances').mockImplementation(function (this: RaycastScene, instances) {
    if (instances.length > 0) placements++;
    return setInstances.call(this, instances);
  });
  await fn();
  return placements;
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe('placing the world by sensor rate', () => {
  it('places it never for an IMU, once per firing for a radar, each readout step for a rolling shutter', async () => {
    const run = async (rig: string, sinks: { write(f: Frame): void }[] = []) => {
      const inputs = await loadRunInputs('scenarios/straight-road.yaml', { rig: rigFile(rig, { imu: IMU, radar: RADAR + IMU, both: CAMERA + RADAR + IMU }[rig]!), duration: 1 });
      return countPlacements(() => runScenario({ scenario: inputs.scenario, rig: inputs.rig, seed: inputs.seed, duration: 1, sinks, threads: 1, models: inputs.models }));
    };
    expect(await run('imu')).toBe(0);
    expect(await run('radar')).toBe(10);

    // The camera's reference: the world placed halfway through every step, its frames kept.
    const inputs = await loadRunInputs('scenarios/straight-road.yaml', { rig: rigFile('camera', CAMERA), duration: 1 });
    const { roadside, simulation } = startRun(inputs.scenario, inputs.seed);
    const world = World.build(inputs.scenario.network, roadside, { models: inputs.models });
    const camera = new Camera(inputs.rig.sensors[0] as CameraConfig);
    const reference: Uint8Array[] = [];
    let readoutSteps = 0;
    let exposing = false;
    for (let state = simulation.state(); state.t_ns < 1e9;) {
      const to = simulation.step();
      const ego = (s: typeof state) => s.actors.find((a) => a.id === 'ego')!;
      // An exposure starts when the camera is due and ends with its frame.
      const reading = exposing || camera.schedule.isDue(state.t_ns);
      if (reading) readoutSteps++;
      world.update(interpolateState(state, to, 0.5));
      const frame = camera.advance(world, ego(state), ego(to), state.t_ns, to.t_ns, state.weather);
      exposing = reading && frame === undefined;
      if (frame) reference.push(encodeFrame(frame));
      state = to;
    }
    expect(reference).toHaveLength(10);
    // A 25 ms readout spans three 10 ms steps of each 100 ms frame period.
    expect(readoutSteps).toBe(30);

    const frames: Uint8Array[] = [];
    const placements = await run('both', [{ write: (f) => void (f.topic === 'camera/front' && frames.push(encodeFrame(f))) }]);
    expect(placements).toBe(10 + readoutSteps);
    expect(frames).toHaveLength(reference.length);
    frames.forEach((bytes, i) => expect(Buffer.from(bytes).equals(Buffer.from(reference[i])), `frame ${i}`).toBe(true));
  }, 120_000);
});
