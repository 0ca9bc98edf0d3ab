import { createHash } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fieldArray, type Frame } from '../../src/core/frame.js';
import { MeshBuilder } from '../../src/core/MeshBuilder.js';
import { Random } from '../../src/core/Random.js';
import { classId } from '../../src/core/semantic.js';
import { encodeFrame } from '../../src/io/codec.js';
import { Radar } from '../../src/sensors/Radar.js';
import { loadRig, type RadarConfig } from '../../src/sensors/Rig.js';
import type { ActorState, WorldState } from '../../src/sim/WorldState.js';
import { World } from '../../src/world/World.js';

const dir = mkdtempSync(join(tmpdir(), 'roadcast-radar-artefacts-'));
let files = 0;
function rigFile(yaml: string): string {
  const file = join(dir, `rig${files++}.yaml`);
  writeFileSync(file, `sensors:\n  - name: r\n${yaml.replace(/^/gm, '    ')}\n`);
  return file;
}
function radarConfig(yaml: string): RadarConfig {
  return loadRig(rigFile(yaml)).sensors[0] as RadarConfig;
}

function actor(id: string, instanceId: number, x: number, y: number, yaw: number, velocity: [number, number, number]): ActorState {
  return {
    id, instanceId, kind: 'car', ego: id === 'ego', pose: { p: [x, y, 0], q: [0, 0, Math.sin(yaw / 2), Math.cos(yaw / 2)] },
    heading: yaw, velocity, speed: Math.hypot(...velocity), box: { length: 4.6, width: 1.85, height: 1.5 }, road: '', lane: 0, s: 0, t: 0,
  };
}

function worldWith(actors: ActorState[], road = true): { world: World; state: WorldState } {
  const mesh = new MeshBuilder();
  if (road) mesh.quad([-300, -300, 0], [300, -300, 0], [300, 300, 0], [-300, 300, 0], classId('road'));
  const world = World.fromMesh(mesh);
  const state = { tick: 0, t_ns: 0, actors };
  world.update(state);
  return { world, state };
}

function sha256(frame: Frame): string {
  return createHash('sha256').update(encodeFrame(frame)).digest('hex');
}

/** A rig and scene of every existing radar feature (noise, false alarms) and two moving cars. */
const BASE_RIG = 'type: radar\npreset: long-range\nmount: { x: 2, z: 0.5 }\nnoise: { range_std: 0.1, azimuth_std: 0.2, velocity_std: 0.1 }\nfalse_alarm_rate: 2';
function baseFrames(config: RadarConfig): string[] {
  const ego = actor('ego', 1, 0, 0, 0, [10, 0, 0]);
  const { world, state } = worldWith([ego, actor('a', 2, 60, 0, Math.PI, [-5, 0, 0]), actor('b', 3, 40, 3, Math.PI / 2, [0, 12, 0])]);
  const radar = new Radar(config, new Random(7));
  return [0, 50_000_000, 100_000_000].map((t) => sha256(radar.capture(world, ego, state, t)));
}

const BEFORE = [
  '3de90c010e1dcca4934143a0fb0010be2dade62777943981753151cfcacf3be3',
  'a590b709b2fffa7fe5c2125515a2b74bfb79d39f282b7187479588293e01e846',
  '1dea177743d1a00ebd38840d7cb68a302c50a38e9844cb89e49beb495adcb8f3',
];

describe('radar artefacts: off by default', () => {
  it('a rig without the new keys gives the frames it gave before they existed, byte for byte', () => {
    // Captured from this rig and scene before fluctuation, ambiguity and merging were added.
    expect(baseFrames(radarConfig(BASE_RIG))).toEqual(BEFORE);
    // Naming the defaults changes nothing either.
    expect(baseFrames(radarConfig(`${BASE_RIG}\nfluctuation: none`))).toEqual(BEFORE);
  });
});
