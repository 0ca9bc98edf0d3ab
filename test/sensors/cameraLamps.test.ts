// Lit signal lamps in the camera image: a camera looking straight at light L1 of the signalled
// fixture road, its lamps' pixels found by a hand projection, the light held red then green
// through the simulation; the lit lens shows its colour, the others stay dark; the same bytes
// for 0, 1 and 2 pool workers.
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { fieldArray, type Frame } from '../../src/core/frame.js';
import { classId } from '../../src/core/semantic.js';
import { readOpenDrive } from '../../src/map/OpenDriveReader.js';
import { buildRoadMesh } from '../../src/map/RoadMesh.js';
import { RaycastPool } from '../../src/raycast/RaycastPool.js';
import { buildScenario, type ScenarioDefinition } from '../../src/scenario/definition.js';
import { Camera } from '../../src/sensors/camera/Camera.js';
import { cameraConfig, type CameraConfig } from '../../src/sensors/CameraConfig.js';
import { Simulation } from '../../src/sim/Simulation.js';
import type { WorldState } from '../../src/sim/WorldState.js';
import { meshMapSignals, signalLamps } from '../../src/world/roadside/SignalHeads.js';
import { planRoadside } from '../../src/world/RoadsideDressing.js';
import { LIT_LAMP_STRIDE, onLitLamp } from '../../src/world/roadside/SignalLamps.js';
import { World } from '../../src/world/World.js';
import { signalledRoadFile } from '../sim/fixtures.js';
import { actor } from './cameraHelpers.js';

describe('lit signal lamps in the camera image', () => {
  const file = signalledRoadFile();
  const network = readOpenDrive(file);
  const scenario = buildScenario(
    { name: 'lamps', map: file, actors: [{ id: 'car', kind: 'car', ego: true, road: '1', lane: -1, s: 10, speed: 0 }] } as ScenarioDefinition,
    { file: join(file, '..', 'test.yaml'), network },
  );
  const sim = new Simulation(scenario, 1);
  // The road and the map's signals (no scenery to stand in the way). The road's edges at the
  // distance of a band's last row also check the rasteriser's culling for 2 workers' bands.
  const mesh = buildRoadMesh(network);
  meshMapSignals(network, mesh);
  const world = World.fromMesh(mesh, { lamps: signalLamps(network) });

  // By hand: L1 stands at x = 300, y = -12, its 3.2 m tall head facing −x (orientation "+" on a
  // road along +x). The head is 3 × 0.3 + 0.1 = 1.0 m tall, so the lamps' centres lie 0.2,
  // 0.5, 0.8 m below its top: red z = 3.0, amber 2.7, green 2.4; the lenses' faces 0.125 +
  // 0.02 m in front of the head's centre, at x = 299.855. The camera stands 20 m before the
  // light at y = -12, z = 2.7, looking along +x: fx = fy = 400, cx = 80, cy = 60 (161 × 121).
  const h = 2.7, x0 = 280, y0 = -12;
  const face = 300 - 0.125 - 0.02;
  const intrinsics = { width: 161, height: 121, fx: 400, fy: 400, cx: 80, cy: 60 };
  const pixelOf = (z: number): [number, number] => {
    // Optical x = −(world y − y0), y = −(world z − h), z = world x − x0.
    const d = face - x0;
    return [Math.round(intrinsics.cx + (intrinsics.fx * 0) / d), Math.round(intrinsics.cy + (intrinsics.fy * -(z - h)) / d)];
  };
  const red = pixelOf(3.0), amber = pixelOf(2.7), green = pixelOf(2.4);
  const parent = actor('camera', 9, 'car', x0, y0, 0);
  const mount = { x: 0, y: 0, z: h, roll: 0, pitch: 0, yaw: 0 };
  const realistic = cameraConfig({ ...intrinsics, mount, boxes: false });
  const palette = cameraConfig({ ...intrinsics, mount, boxes: false, shading: 'palette' });

  /** The simulation's state with L1 held in `shown`, the camera's parent its one actor. */
  const stateShowing = (shown: string): WorldState => {
    sim.trafficSignals.setState('L1', shown);
    const s = sim.state();
    return { ...s, actors: [parent] };
  };
  const shoot = (config: CameraConfig, shown: string): Frame => {
    world.update(stateShowing(shown));
    const camera = new Camera(config);
    const frame = camera.capture(world, parent, 0);
    camera.dispose();
    return frame;
  };
  const rgbAt = (frame: Frame, [u, v]: [number, number]): number[] => {
    const rgb = fieldArray(frame.data.rgb) as Uint8Array, o = (v * intrinsics.width + u) * 3;
    return [rgb[o], rgb[o + 1], rgb[o + 2]];
  };

  it('carries the signals\' states in the simulation\'s world state', () => {
    expect(red).toEqual([80, 54]);
    expect(amber).toEqual([80, 60]);
    expect(green).toEqual([80, 66]);
    expect(stateShowing('red').signals).toMatchObject({ L1: 'red', P1: expect.any(String), L2: expect.any(String) });
    expect(stateShowing('green').signals?.L1).toBe('green');
  });

  it('lights, in a world built from the map (as a run builds it), the lamps whose signal shows their colour', () => {
    const built = World.build(network, planRoadside(network, 1, { buildings: 0 }));
    built.update(stateShowing('red'));
    const lit = built.litLamps;
    // L1 red (its top lamp), and whatever P1 and L2 show now: one lamp each unless off.
    const states = stateShowing('red').signals!;
    const expected = 1 + (['P1', 'L2'] as const).filter((id) => states[id] !== 'off').length;
    expect(lit.length).toBe(expected * LIT_LAMP_STRIDE);
    expect(onLitLamp(lit, face, -12, 3.0)).toBe(true);
    expect(onLitLamp(lit, face, -12, 2.7)).toBe(false);
    expect(onLitLamp(lit, face, -12, 2.4)).toBe(false);
    built.update(stateShowing('off'));
    expect(onLitLamp(built.litLamps, face, -12, 3.0)).toBe(false);
    // No signals in the state (a map without controlled signals): nothing lit.
    built.update({ tick: 0, t_ns: 0, actors: [] });
    expect(built.litLamps.length).toBe(0);
  });

  it('shows the lit lamp in its colour and the others dark (realistic shading)', () => {
    const held = shoot(realistic, 'red');
    const semantic = fieldArray(held.data.semantic) as Uint8Array;
    for (const [u, v] of [red, amber, green]) expect(semantic[v * intrinsics.width + u]).toBe(classId('traffic_light'));
    const [r, g, b] = rgbAt(held, red);
    expect(r).toBeGreaterThan(200);
    expect(r).toBeGreaterThan(3 * Math.max(g, b, 1));
    for (const dark of [amber, green]) expect(Math.max(...rgbAt(held, dark))).toBeLessThan(110);
    const go = shoot(realistic, 'green');
    const [gr, gg, gb] = rgbAt(go, green);
    // Green's luminance (6.8 kcd/m²) lies mostly in the G channel, below saturation at this exposure.
    expect(gg).toBeGreaterThan(150);
    expect(gg).toBeGreaterThan(2.5 * Math.max(gr, gb));
    for (const dark of [red, amber]) expect(Math.max(...rgbAt(go, dark))).toBeLessThan(110);
    // Amber: red and green together, red the stronger, blue nothing.
    const [ar, ag, ab] = rgbAt(shoot(realistic, 'amber'), amber);
    expect(ar).toBeGreaterThan(200);
    expect(ag).toBeGreaterThan(ab + 60);
    expect(ar).toBeGreaterThan(ag);
    // Off: every lens dark.
    const off = shoot(realistic, 'off');
    for (const dark of [red, amber, green]) expect(Math.max(...rgbAt(off, dark))).toBeLessThan(110);
  });

  it('lights a flashing lamp in the first half of each second only (60 flashes a minute)', () => {
    const at = (state: string, tNs: number): Frame => {
      sim.trafficSignals.setState('L1', state);
      world.update({ ...sim.state(), t_ns: tNs, actors: [parent] });
      const camera = new Camera(realistic);
      const frame = camera.capture(world, parent, tNs);
      camera.dispose();
      return frame;
    };
    for (const t of [0.2, 1.45, 7.0]) {
      const [r, g, b] = rgbAt(at('flashing_amber', t * 1e9), amber);
      expect(r, `${t} s`).toBeGreaterThan(200);
      expect(g).toBeGreaterThan(b + 60);
      expect(Math.max(...rgbAt(at('flashing_amber', t * 1e9), red))).toBeLessThan(110);
    }
    for (const t of [0.7, 1.5, 7.99]) expect(Math.max(...rgbAt(at('flashing_amber', t * 1e9), amber)), `${t} s`).toBeLessThan(110);
    expect(rgbAt(at('flashing_red', 0.1e9), red)[0]).toBeGreaterThan(200);
    expect(Math.max(...rgbAt(at('flashing_red', 0.6e9), red))).toBeLessThan(110);
  });

  it('shows the lit lamp in its colour with palette shading too', () => {
    const [r, g, b] = rgbAt(shoot(palette, 'red'), red);
    expect(r).toBeGreaterThan(200);
    expect(r).toBeGreaterThan(3 * Math.max(g, b, 1));
    const [gr, gg, gb] = rgbAt(shoot(palette, 'green'), green);
    expect(gg).toBeGreaterThan(200);
    expect(gg).toBeGreaterThan(1.5 * Math.max(gr, gb));
  });

  const pools: RaycastPool[] = [];
  afterAll(async () => {
    world.scene.usePool(undefined);
    await Promise.all(pools.map((p) => p.close()));
  });

  it('gives the same bytes for 0, 1 and 2 workers with a lamp lit', async () => {
    const both = (): Frame[] => [shoot(realistic, 'red'), shoot(palette, 'green')];
    const reference = both();
    for (const workers of [0, 1, 2]) {
      const pool = await RaycastPool.create(world.scene, { workers });
      pools.push(pool);
      world.scene.usePool(pool);
      both().forEach((frame, k) => {
        for (const [key, field] of Object.entries(reference[k].data)) {
          const same = Buffer.compare(Buffer.from(field.bytes), Buffer.from(frame.data[key].bytes)) === 0;
          expect(same, `frame ${k} ${key}, ${workers} workers`).toBe(true);
        }
      });
      world.scene.usePool(undefined);
    }
    // The lit lamp is in the frames compared.
    expect(rgbAt(reference[0], red)[0]).toBeGreaterThan(200);
  }, 120_000);
});
