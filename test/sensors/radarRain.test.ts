/**
 * Rain's attenuation at radar frequencies (src/sensors/RadarRain.ts) against the values
 * Recommendation ITU-R P.838-3 tabulates for horizontal polarisation (its Table 5: k_H, α_H).
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fieldArray, type Frame } from '../../src/core/frame.js';
import { MeshBuilder } from '../../src/core/MeshBuilder.js';
import { Random } from '../../src/core/Random.js';
import { classId } from '../../src/core/semantic.js';
import { Radar } from '../../src/sensors/Radar.js';
import { rainAttenuationDbPerKm, rainCoefficients, rainTwoWayFactor } from '../../src/sensors/RadarRain.js';
import { loadRig, type RadarConfig } from '../../src/sensors/Rig.js';
import type { ActorState, WorldState } from '../../src/sim/WorldState.js';
import { World } from '../../src/world/World.js';

/** [GHz, k_H, α_H] from P.838-3's table. */
const TABLE: [number, number, number][] = [
  [10, 0.01217, 1.2571],
  [20, 0.09164, 1.0568],
  [40, 0.4431, 0.8673],
  [60, 0.8606, 0.7656],
  [70, 1.0315, 0.7345],
  [80, 1.1704, 0.7115],
  [100, 1.3671, 0.6815],
];

describe('radar rain attenuation (ITU-R P.838-3)', () => {
  it('gives the recommendation\'s tabulated k and α', () => {
    for (const [f, k, alpha] of TABLE) {
      const c = rainCoefficients(f);
      expect(c.k / k).toBeCloseTo(1, 2);
      expect(c.alpha).toBeCloseTo(alpha, 3);
    }
  });

  it('takes k R^α dB/km, none without rain, and the round trip as 10^(−2γd/10000)', () => {
    const { k, alpha } = rainCoefficients(77);
    expect(rainAttenuationDbPerKm(77, 25)).toBeCloseTo(k * 25 ** alpha, 10);
    // Between the 70 and 80 GHz rows: 25 mm/h costs 10.9 to 11.6 dB/km.
    expect(rainAttenuationDbPerKm(77, 25)).toBeGreaterThan(1.0315 * 25 ** 0.7345);
    expect(rainAttenuationDbPerKm(77, 25)).toBeLessThan(1.1704 * 25 ** 0.7115);
    expect(rainAttenuationDbPerKm(77, 0)).toBe(0);
    // 10 dB/km over 500 m and back is 10 dB: a tenth of the power.
    expect(rainTwoWayFactor(10, 500)).toBeCloseTo(0.1, 12);
    expect(rainTwoWayFactor(0, 500)).toBe(1);
  });
});

describe('a radar in rain', () => {
  const dir = mkdtempSync(join(tmpdir(), 'roadcast-radar-rain-'));
  const file = join(dir, 'rig.yaml');
  writeFileSync(file, 'sensors:\n  - { name: r, type: radar, preset: long-range, mount: { x: 0, z: 0.5 } }\n');
  const config = loadRig(file).sensors[0] as RadarConfig;
  const ego = { id: 'ego', instanceId: 1, kind: 'car', ego: true, pose: { p: [0, 0, 0], q: [0, 0, 0, 1] }, heading: 0, velocity: [0, 0, 0], speed: 0, box: { length: 4.6, width: 1.85, height: 1.5 }, road: '', lane: 0, s: 0, t: 0 } as ActorState;
  // A vehicle's back (a 4 x 2 m plate) facing the radar 100 m ahead, nothing else.
  const mesh = new MeshBuilder();
  mesh.quad([100, 2, 0], [100, -2, 0], [100, -2, 2], [100, 2, 2], classId('vehicle'));
  const world = World.fromMesh(mesh);
  const scan = (state: WorldState): Frame => new Radar(config, new Random(3)).capture(world, ego, state, 0);
  const snrOf = (frame: Frame): number[] => {
    const table = fieldArray(frame.data.detections) as Float32Array;
    return Array.from({ length: table.length / 6 }, (_, i) => table[i * 6 + 5]);
  };

  it('loses 2 γ_R R dB of SNR on every detection, and names the rain in its frame', () => {
    const dry = scan({ tick: 0, t_ns: 0, actors: [ego] });
    const wet = scan({ tick: 0, t_ns: 0, actors: [ego], weather: { rain: { rate: 25 } } });
    const table = fieldArray(dry.data.detections) as Float32Array;
    expect(table.length).toBeGreaterThan(0);
    const loss = (range: number) => 2 * rainAttenuationDbPerKm(76.5, 25) * range / 1000;
    const dryRows = snrOf(dry), wetRows = snrOf(wet);
    for (let i = 0; i < wetRows.length; i++) expect(wetRows[i]).toBeCloseTo(dryRows[i] - loss(table[i * 6]), 3);
    // 100 m through 25 mm/h and back: about 2.3 dB.
    expect(loss(100)).toBeGreaterThan(2.1);
    expect(loss(100)).toBeLessThan(2.4);
    expect(wet.fields.rain_rate).toBe(25);
    expect(wet.fields.weather).toBe('{"rain":{"rate":25}}');
    expect('weather' in dry.fields).toBe(false);
  });

  it('is untouched by fog or snow at 77 GHz', () => {
    const dry = scan({ tick: 0, t_ns: 0, actors: [ego] });
    const fog = scan({ tick: 0, t_ns: 0, actors: [ego], weather: { fog: { visibility: 30 }, snow: { rate: 2 } } });
    expect(snrOf(fog)).toEqual(snrOf(dry));
  });
});
