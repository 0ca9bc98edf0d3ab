// The map's traffic lights and signs as labelled objects: in a world built from the map (as a
// run builds it) a light's head carries an instance id of its own in the camera's instance
// image and in the rays' hits, and the camera's 2D boxes hold it with its state, its box found
// by a hand projection of the head; the pole under it stays scenery.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fieldArray } from '../../src/core/frame.js';
import { classId } from '../../src/core/semantic.js';
import { readOpenDrive } from '../../src/map/OpenDriveReader.js';
import { createHitBuffer } from '../../src/raycast/Rays.js';
import { buildScenario, type ScenarioDefinition } from '../../src/scenario/definition.js';
import { Camera } from '../../src/sensors/camera/Camera.js';
import { cameraConfig } from '../../src/sensors/CameraConfig.js';
import { SignalTruth } from '../../src/sensors/SignalTruth.js';
import { Simulation } from '../../src/sim/Simulation.js';
import { SIGNAL_INSTANCE_BASE } from '../../src/world/roadside/SignalHeads.js';
import { planRoadside } from '../../src/world/RoadsideDressing.js';
import { World } from '../../src/world/World.js';
import { signalledRoadFile } from '../sim/fixtures.js';
import { actor } from './cameraHelpers.js';

describe('signals as labelled objects', () => {
  const file = signalledRoadFile();
  const network = readOpenDrive(file);
  const scenario = buildScenario(
    { name: 'signals', map: file, actors: [{ id: 'car', kind: 'car', ego: true, road: '1', lane: -1, s: 10, speed: 0 }] } as ScenarioDefinition,
    { file: join(file, '..', 'test.yaml'), network },
  );
  const sim = new Simulation(scenario, 1);
  const world = World.build(network, planRoadside(network, 1, { buildings: 0 }));
  // The map's standing signals in its order: L1, then P1 (the stop line S1 stands nothing), then L2.
  const L2 = SIGNAL_INSTANCE_BASE + 2;

  // By hand: L2 stands at x = 600, y = 5 facing +x (orientation "-" on a road along +x); its
  // 3-lamp head is 1.0 m tall under its 3.2 m top (z 2.2 to 3.2), 0.45 m wide (y 4.775 to
  // 5.225), 0.25 m deep: its face at x = 600.125. A camera at x = 620, y = 5, z = 2.7 looks
  // along −x (fx = fy = 400, cx = 80, cy = 60, 161 × 121): optical x is world +y, so
  // u = 80 + 400 (y − 5) / 19.875 spans 75.47 to 84.53 (columns 76 to 84) and
  // v = 60 + 400 (2.7 − z) / 19.875 spans 49.94 to 70.06 (rows 50 to 70).
  const parent = { ...actor('camera', 9, 'car', 620, 5, Math.PI) };
  const config = cameraConfig({ width: 161, height: 121, fx: 400, fy: 400, cx: 80, cy: 60, mount: { x: 0, y: 0, z: 2.7, roll: 0, pitch: 0, yaw: 0 }, boxes: true });
  const shoot = (shown: string) => {
    sim.trafficSignals.setState('L2', shown);
    world.update({ ...sim.state(), actors: [parent] });
    const camera = new Camera(config);
    const frame = camera.capture(world, parent, 0);
    camera.dispose();
    return frame;
  };

  it('gives a light\'s head its own instance id in the instance image, its pole none', () => {
    const frame = shoot('green');
    const instance = fieldArray(frame.data.instance) as Uint32Array;
    const semantic = fieldArray(frame.data.semantic) as Uint8Array;
    const at = (u: number, v: number) => ({ id: instance[v * 161 + u], cls: semantic[v * 161 + u] });
    expect(at(80, 60)).toEqual({ id: L2, cls: classId('traffic_light') });
    expect(at(77, 51)).toEqual({ id: L2, cls: classId('traffic_light') });
    // Below the head (z = 2.0: v = 74.1) the 0.12 m pole (u 78.8 to 81.2): scenery.
    expect(at(80, 74)).toEqual({ id: 0, cls: classId('pole') });
  });

  it('boxes the head in 2D with the state its light shows', () => {
    for (const [shown, code] of [['green', 3], ['red', 1], ['amber', 2], ['off', 4]] as const) {
      const frame = shoot(shown);
      const ids = [...(fieldArray(frame.data.boxes2d_instance) as Uint32Array)];
      const k = ids.indexOf(L2);
      expect(k, shown).toBeGreaterThanOrEqual(0);
      const box = [...(fieldArray(frame.data.boxes2d) as Float32Array).subarray(k * 6, k * 6 + 6)];
      expect(box.slice(0, 4)).toEqual([76, 50, 84, 70]);
      // Wholly in view, nothing in front of it.
      expect(box[4]).toBeCloseTo(0, 6);
      expect(box[5]).toBeCloseTo(0, 6);
      expect((fieldArray(frame.data.boxes2d_class) as Uint8Array)[k]).toBe(classId('traffic_light'));
      expect((fieldArray(frame.data.boxes2d_signal_state) as Uint8Array)[k]).toBe(code);
    }
  });

  it('labels a ray\'s hit on the head with its instance id (what the LiDAR and radar report), and the signals topic names it', () => {
    world.update({ ...sim.state(), actors: [] });
    const hits = createHitBuffer(2);
    // From 20 m in front of L2 at the head's middle, and at the pole below it.
    world.scene.cast({ origins: new Float32Array([620, 5, 2.7, 620, 5, 1.0]), directions: new Float32Array([-1, 0, 0, -1, 0, 0]), count: 2, tMin: 0, tMax: 100 }, hits);
    expect(hits.instanceId[0]).toBe(L2);
    expect(hits.distance[0]).toBeCloseTo(20 - 0.145, 4);
    expect(hits.instanceId[1]).toBe(0);
    expect(hits.classId[1]).toBe(classId('pole'));
    // Ground truth: L2's instance id and its head's box (centre 1 cm ahead of the head's, over the lenses).
    const frame = new SignalTruth(network).advance(0, sim.state().signals)!;
    const ids = frame.fields.ids as string[];
    const k = ids.indexOf('L2');
    expect((fieldArray(frame.data.instance_ids) as Uint32Array)[k]).toBe(L2);
    expect((fieldArray(frame.data.instance_ids) as Uint32Array)[ids.indexOf('S1')]).toBe(0);
    const body = [...(fieldArray(frame.data.bodies) as Float32Array).subarray(k * 6, k * 6 + 6)];
    [600.01, 5, 2.7, 0.27, 0.45, 1.0].forEach((v, i) => expect(body[i]).toBeCloseTo(v, 4));
  });
});
