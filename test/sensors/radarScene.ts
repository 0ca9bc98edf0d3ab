/**
 * Scenes the radar, IMU and GNSS tests share: a rig entry written as YAML (the way users give
 * options), cars as ground-truth states, and a world of them on an optional road plane.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MeshBuilder } from '../../src/core/MeshBuilder.js';
import { classId } from '../../src/core/semantic.js';
import { loadRig } from '../../src/sensors/Rig.js';
import type { ActorState, WorldState } from '../../src/sim/WorldState.js';
import { World } from '../../src/world/World.js';

const dir = mkdtempSync(join(tmpdir(), 'roadcast-sensor-rigs-'));
let files = 0;

/** A rig file holding one sensor entry (named `name`) given as YAML lines; its path. */
export function rigFile(yaml: string, name = 'r'): string {
  const file = join(dir, `rig${files++}.yaml`);
  writeFileSync(file, `sensors:\n  - name: ${name}\n${yaml.replace(/^/gm, '    ')}\n`);
  return file;
}

/** The sensor config that rig loading makes of one YAML entry. */
export function sensorConfig<T>(yaml: string, name = 'r'): T {
  return loadRig(rigFile(yaml, name)).sensors[0] as T;
}

/** A car (4.6 × 1.85 × 1.5 m) at (x, y) on the ground, heading yaw, moving at `velocity`. */
export function car(id: string, instanceId: number, x: number, y: number, yaw: number, velocity: [number, number, number]): ActorState {
  return {
    id, instanceId, kind: 'car', ego: id === 'ego', pose: { p: [x, y, 0], q: [0, 0, Math.sin(yaw / 2), Math.cos(yaw / 2)] },
    heading: yaw, velocity, speed: Math.hypot(...velocity), box: { length: 4.6, width: 1.85, height: 1.5 }, road: '', lane: 0, s: 0, t: 0,
  };
}

/** A world of these actors at t = 0, on a 600 m square of road unless `road` is false. */
export function worldWith(actors: ActorState[], road = true): { world: World; state: WorldState } {
  const mesh = new MeshBuilder();
  if (road) mesh.quad([-300, -300, 0], [300, -300, 0], [300, 300, 0], [-300, 300, 0], classId('road'));
  const world = World.fromMesh(mesh);
  const state = { tick: 0, t_ns: 0, actors };
  world.update(state);
  return { world, state };
}
