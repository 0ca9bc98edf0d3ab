import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fieldArray } from '../../src/core/frame.js';
import { materialId } from '../../src/core/materials.js';
import { MeshBuilder } from '../../src/core/MeshBuilder.js';
import { Random } from '../../src/core/Random.js';
import { classId } from '../../src/core/semantic.js';
import { Radar } from '../../src/sensors/Radar.js';
import { loadRig, type RadarConfig } from '../../src/sensors/Rig.js';
import type { ActorState } from '../../src/sim/WorldState.js';
import { World } from '../../src/world/World.js';

const dir = mkdtempSync(join(tmpdir(), 'roadcast-radar-materials-'));

function radarConfig(): RadarConfig {
  const file = join(dir, 'rig.yaml');
  // Every cell reported (no SNR floor, no cap), no noise, no false alarms.
  writeFileSync(file, 'sensors:\n  - name: r\n    type: radar\n    preset: long-range\n    min_snr_db: -1000\n    max_detections: 65536\n');
  return loadRig(file).sensors[0] as RadarConfig;
}

describe('radar backscatter from materials', () => {
  it('a steel plate and a plastic one of the same shape, placed symmetrically, differ in RCS by their backscatter, 1 to 0.2', () => {
    const mesh = new MeshBuilder();
    // Two 3 m x 2 m plates 25 m ahead facing the radar, 4 m either side; both of class
    // static_prop, so only the material tells them apart.
    const prop = classId('static_prop');
    const plate = (y: number, material: number) => mesh.quad([25, y - 1.5, 0], [25, y + 1.5, 0], [25, y + 1.5, 2], [25, y - 1.5, 2], prop, material);
    plate(4, materialId('guardrail_steel'));
    plate(-4, materialId('bollard_plastic'));
    const world = World.fromMesh(mesh);
    const ego = { id: 'ego', instanceId: 99, pose: { p: [0, 0, 1], q: [0, 0, 0, 1] }, velocity: [0, 0, 0] } as unknown as ActorState;
    const frame = new Radar(radarConfig(), new Random(1)).capture(world, ego, { tick: 0, t_ns: 0, actors: [] }, 0);
    const table = fieldArray(frame.data.detections) as Float32Array;
    let steel = 0, plastic = 0;
    for (let i = 0; i < table.length / 6; i++) {
      const rcs = 10 ** (table[i * 6 + 4] / 10);
      if (table[i * 6 + 1] > 0) steel += rcs;
      else plastic += rcs;
    }
    expect(steel).toBeGreaterThan(0);
    expect(steel / plastic).toBeCloseTo(1 / 0.2, 3);
  });
});
