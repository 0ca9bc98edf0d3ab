import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { fieldArray, type Frame } from '../../src/core/frame.js';
import { MeshBuilder } from '../../src/core/MeshBuilder.js';
import { Random } from '../../src/core/Random.js';
import { classId } from '../../src/core/semantic.js';
import { encodeFrame } from '../../src/io/codec.js';
import { Radar } from '../../src/sensors/Radar.js';
import { mergeUnresolved, type Detection } from '../../src/sensors/RadarDetection.js';
import { loadRig, type RadarConfig } from '../../src/sensors/Rig.js';
import type { ActorState, WorldState } from '../../src/sim/WorldState.js';
import { World } from '../../src/world/World.js';
import { sensorConfig, car, worldWith, rigFile } from './radarScene.js';

const radarConfig = (yaml: string) => sensorConfig<RadarConfig>(yaml);
const actor = car;

/**
 * The frame's bytes less `mount` and `parent` (sensors/MountFields.ts, added to every mounted
 * sensor's frame after these hashes were captured): they say where the radar sits, not what it
 * detects, so the rest must still be the bytes of before.
 */
function sha256(frame: Frame): string {
  const { mount: _mount, parent: _parent, ...fields } = frame.fields;
  return createHash('sha256').update(encodeFrame({ ...frame, fields })).digest('hex');
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

interface Row { range: number; azimuth: number; elevation: number; velocity: number; rcs: number; snrDb: number; instance: number; falseAlarm: boolean; wrapped?: boolean }
function rows(frame: Frame): Row[] {
  const table = fieldArray(frame.data.detections) as Float32Array;
  const instance = fieldArray(frame.data.instance) as Uint32Array;
  const falseAlarm = fieldArray(frame.data.false_alarm) as Uint8Array;
  const wrapped = frame.data.velocity_wrapped ? (fieldArray(frame.data.velocity_wrapped) as Uint8Array) : undefined;
  return [...instance.keys()].map((i) => ({
    range: table[i * 6], azimuth: table[i * 6 + 1], elevation: table[i * 6 + 2], velocity: table[i * 6 + 3], rcs: 10 ** (table[i * 6 + 4] / 10),
    snrDb: table[i * 6 + 5], instance: instance[i], falseAlarm: falseAlarm[i] === 1, ...(wrapped ? { wrapped: wrapped[i] === 1 } : {}),
  }));
}

const STILL = { id: 'ego', instanceId: 99, pose: { p: [0, 0, 1], q: [0, 0, 0, 1] }, velocity: [0, 0, 0] } as unknown as ActorState;
const EMPTY: WorldState = { tick: 0, t_ns: 0, actors: [] };

describe('Swerling-I fluctuation and detection against a false-alarm probability', () => {
  // A 1 m plate 25 m ahead at a bearing of 3 deg, alone: with 6 deg by 2 m cells (bin edges at
  // multiples of 6 deg and 2 m) all its returns fall in one cell, so it is one target.
  const mesh = new MeshBuilder();
  const y = 25 * Math.tan(3 * (Math.PI / 180));
  mesh.quad([25, y - 0.5, 0.5], [25, y + 0.5, 0.5], [25, y + 0.5, 1.5], [25, y - 0.5, 1.5], classId('static_prop'));
  const world = World.fromMesh(mesh);
  const RIG = 'type: radar\nrate: 20\nfov: { azimuth: 18, elevation: 10 }\nrange: { max: 100 }\nresolution: { range: 2, azimuth: 6 }\nmax_detections: 100';
  const steady = rows(new Radar(radarConfig(`${RIG}\nsensitivity_db: 90\nmin_snr_db: -1000`), new Random(1)).capture(world, STILL, EMPTY, 0));

  it('the plate is one target', () => {
    expect(steady).toHaveLength(1);
  });

  for (const [meanSnrDb, pfa] of [[12, 1e-4], [5, 1e-3]]) {
    it(`at a mean SNR of ${meanSnrDb} dB and Pfa ${pfa}, is detected in Pfa^(1/(1+SNR)) of 2000 scans (5 sigma), with an exponential RCS`, () => {
      // Sensitivity moved so that the plate's mean SNR is exactly meanSnrDb.
      const sensitivity = 90 + meanSnrDb - steady[0].snrDb;
      const config = radarConfig(`${RIG}\nsensitivity_db: ${sensitivity}\nfluctuation: swerling1\nfalse_alarm_probability: ${pfa}`);
      const radar = new Radar(config, new Random(3));
      const scans = 2000;
      const factors: number[] = [];
      for (let k = 0; k < scans; k++) {
        const found = rows(radar.capture(world, STILL, EMPTY, k * 50_000_000));
        expect(found.length).toBeLessThanOrEqual(1);
        if (found.length) factors.push(found[0].rcs / steady[0].rcs);
      }
      const snr = 10 ** (meanSnrDb / 10);
      const pd = Math.exp(Math.log(pfa) / (1 + snr));
      expect(Math.abs(factors.length - scans * pd)).toBeLessThan(5 * Math.sqrt(scans * pd * (1 - pd)));
      // Detected when (1+SNR) E > -ln Pfa, E ~ Exp(1): E given detection is the threshold
      // -ln Pfa / (1+SNR) plus Exp(1) (memoryless), of mean threshold + 1 and std 1.
      const mean = factors.reduce((a, b) => a + b, 0) / factors.length;
      const threshold = -Math.log(pfa) / (1 + snr);
      expect(Math.min(...factors)).toBeGreaterThan(threshold * (1 - 1e-5));
      expect(Math.abs(mean - (threshold + 1))).toBeLessThan(5 / Math.sqrt(factors.length));
    });
  }
});

describe('velocity ambiguity', () => {
  it('folds a radial velocity beyond +-v_max into it by hand: +40 -> +10 and -20 -> +10 with v_max 15; +10 stays, unflagged', () => {
    const ego = actor('ego', 1, 0, 0, 0, [0, 0, 0]);
    const { world, state } = worldWith([
      ego, actor('fast', 2, 50, -4, 0, [40, 0, 0]), actor('closing', 3, 50, 4, Math.PI, [-20, 0, 0]), actor('slow', 4, 100, 0, 0, [10, 0, 0]),
    ], false);
    const config = radarConfig('type: radar\npreset: long-range\nmount: { z: 0.5 }\nmax_unambiguous_velocity: 15');
    const found = rows(new Radar(config, new Random(1)).capture(world, ego, state, 0));
    const folded: Record<number, number> = { 2: 40 - 30, 3: -20 + 30, 4: 10 };
    for (const instance of [2, 3, 4]) {
      const mine = found.filter((d) => d.instance === instance);
      expect(mine.length).toBeGreaterThan(0);
      for (const d of mine) {
        // The velocity along the line of sight, then folded: v - 2 v_max round(v / (2 v_max)).
        const along = (instance === 2 ? 40 : instance === 3 ? -20 : 10) * Math.cos(d.azimuth) * Math.cos(d.elevation);
        expect(d.velocity).toBeCloseTo(along - (instance === 4 ? 0 : instance === 2 ? 30 : -30), 1);
        expect(Math.abs(d.velocity - folded[instance])).toBeLessThan(0.3);
        expect(d.wrapped).toBe(instance !== 4);
      }
    }
  });
});

describe('merging of unresolved targets', () => {
  const det = (range: number, azimuth: number, rcs: number, radialVelocity: number, instance: number): Detection => ({ range, azimuth, elevation: 0, radialVelocity, rcs, instance, falseAlarm: false });
  const DEG = Math.PI / 180;

  it('two detections within 0.4 m and 1 deg become one, RCS-weighted; beyond either resolution they stay two', () => {
    const merged = mergeUnresolved([det(50.3, 0.5 * DEG, 1, 5, 3), det(50, 0, 3, 1, 2)], 0.4, DEG);
    expect(merged).toHaveLength(1);
    // (3 x 50 + 1 x 50.3) / 4, (3 x 0 + 1 x 0.5) / 4 deg, (3 x 1 + 1 x 5) / 4; the strongest's instance.
    expect(merged[0].range).toBeCloseTo(50.075, 10);
    expect(merged[0].azimuth).toBeCloseTo(0.125 * DEG, 10);
    expect(merged[0].radialVelocity).toBeCloseTo(2, 10);
    expect(merged[0].rcs).toBe(4);
    expect(merged[0].instance).toBe(2);
    expect(mergeUnresolved([det(50, 0, 3, 1, 2), det(50.5, 0.5 * DEG, 1, 5, 3)], 0.4, DEG)).toHaveLength(2);
    expect(mergeUnresolved([det(50, 0, 3, 1, 2), det(50.3, 1.5 * DEG, 1, 5, 3)], 0.4, DEG)).toHaveLength(2);
  });

  it('two cars side by side within the resolution are one detection; 20 m apart they are two, one each', () => {
    const RIG = 'type: radar\npreset: long-range\nmount: { z: 0.5 }\nresolution: { range: 5, azimuth: 4 }';
    const ego = actor('ego', 1, 0, 0, 0, [0, 0, 0]);
    const scan = (y: number, merge: boolean): Row[] => {
      const { world, state } = worldWith([ego, actor('a', 2, 80, y, 0, [0, 0, 0]), actor('b', 3, 80, -y, 0, [0, 0, 0])], false);
      return rows(new Radar(radarConfig(`${RIG}\nmerge_unresolved: ${merge}`), new Random(1)).capture(world, ego, state, 0));
    };
    // 0.25 m apart at 80 m: both within 1.5 deg of the axis, and their returns within 2 m in range.
    const apart = scan(1.05, false);
    expect(new Set(apart.map((d) => d.instance))).toEqual(new Set([2, 3]));
    const one = scan(1.05, true);
    expect(one).toHaveLength(1);
    const total = apart.reduce((a, d) => a + d.rcs, 0);
    expect(Math.abs(one[0].rcs - total) / total).toBeLessThan(1e-4);
    const two = scan(10, true);
    expect(two.map((d) => d.instance).sort()).toEqual([2, 3]);
  });
});

describe('determinism and configuration', () => {
  const ALL = `${BASE_RIG.replace('false_alarm_rate: 2', 'false_alarm_rate: 1')}\nfluctuation: swerling1\nfalse_alarm_probability: 1e-5\nmax_unambiguous_velocity: 12\nmerge_unresolved: true`;
  it('with every effect on, the same seed gives the same detections, another seed others', () => {
    const frames = (seed: number): string[] => {
      const ego = actor('ego', 1, 0, 0, 0, [10, 0, 0]);
      const { world, state } = worldWith([ego, actor('a', 2, 60, 0, Math.PI, [-5, 0, 0]), actor('b', 3, 40, 3, Math.PI / 2, [0, 12, 0])]);
      const radar = new Radar(radarConfig(ALL), new Random(seed));
      return Array.from({ length: 10 }, (_, k) => sha256(radar.capture(world, ego, state, k * 50_000_000)));
    };
    expect(frames(5)).toEqual(frames(5));
    expect(frames(5)).not.toEqual(frames(6));
  });

  const bad: [string, number, RegExp][] = [
    ['fluctuation: swerling2', 2, /expected one of none, swerling1, got "swerling2"/],
    ['fluctuation: swerling1\nfalse_alarm_probability: 1.5', 3, /expected a probability below 1, got 1.5/],
    ['fluctuation: swerling1\nfalse_alarm_probability: 0', 3, /expected a number > 0, got 0/],
    ['false_alarm_probability: 1e-6', 2, /sets the detector of fluctuation: swerling1/],
    ['fluctuation: swerling1\nmin_snr_db: 12', 3, /threshold is set by false_alarm_probability/],
    ['max_unambiguous_velocity: -3', 2, /expected a number > 0, got -3/],
    ['merge_unresolved: 1', 2, /expected true or false, got/],
    ['multipath_reflectivity: 1.2', 2, /expected a number <= 1, got 1.2/],
  ];
  for (const [yaml, line, message] of bad) {
    it(`refuses ${yaml.replace('\n', ', ')} in one line naming line ${line + 3}`, () => {
      const file = rigFile(`type: radar\npreset: corner\n${yaml}`);
      let error: Error | undefined;
      try {
        loadRig(file);
      } catch (e) {
        error = e as Error;
      }
      expect(error?.message).toMatch(message);
      expect(error?.message).not.toContain('\n');
      // The rig's line 1 is "sensors:", 2 "- name: r", then type, preset, and the yaml's lines.
      expect(error?.message).toContain(`${file}:${line + 3}`);
    });
  }
});

describe('multipath ghosts by the image method', () => {
  it('a car between the radar and a wall shows a ghost at its mirror image in the wall, RCS scaled by the reflectivity squared', () => {
    // A wall along x at y = 5, 3 m high; a car at (40, 2) driving +x at 10 m/s, its side
    // facing the wall spanning y 1.075..2.925: its image in the wall spans y 7.075..8.925.
    const mesh = new MeshBuilder();
    mesh.quad([0, 5, 0], [100, 5, 0], [100, 5, 3], [0, 5, 3], classId('static_prop'));
    const world = World.fromMesh(mesh);
    const ego = actor('ego', 1, 0, 0, 0, [0, 0, 0]);
    const state = { tick: 0, t_ns: 0, actors: [ego, actor('car', 2, 40, 2, 0, [10, 0, 0])] };
    world.update(state);
    const RIG = 'type: radar\npreset: corner\nmount: { z: 0.5 }\nmax_detections: 4096';
    const scan = (extra: string): { frame: Frame; found: Row[] } => {
      const frame = new Radar(radarConfig(`${RIG}${extra}`), new Random(1)).capture(world, ego, state, 0);
      return { frame, found: rows(frame) };
    };
    const plain = scan('');
    expect(plain.frame.data.multipath).toBeUndefined();
    const half = scan('\nmultipath_reflectivity: 0.5');
    const flags = fieldArray(half.frame.data.multipath) as Uint8Array;
    const ghosts = half.found.filter((_, i) => flags[i] === 1);
    expect(ghosts.length).toBeGreaterThan(0);
    // The direct detections are those of the rig without multipath.
    expect(half.found.filter((_, i) => flags[i] === 0)).toEqual(plain.found);
    for (const g of ghosts) {
      expect(g.instance).toBe(2);
      const x = g.range * Math.cos(g.elevation) * Math.cos(g.azimuth);
      const y = g.range * Math.cos(g.elevation) * Math.sin(g.azimuth);
      expect(y).toBeGreaterThan(7.075 - 0.05);
      expect(y).toBeLessThan(8.925 + 0.05);
      expect(x).toBeGreaterThan(40 - 2.3 - 0.05);
      expect(x).toBeLessThan(40 + 2.3 + 0.05);
      // The image moves as the car does, mirrored in the wall: +x at 10 m/s.
      expect(g.velocity).toBeCloseTo(10 * Math.cos(g.azimuth) * Math.cos(g.elevation), 1);
    }
    const full = scan('\nmultipath_reflectivity: 1');
    const fullFlags = fieldArray(full.frame.data.multipath) as Uint8Array;
    const ghostRcs = (found: Row[], f: Uint8Array): number => found.filter((_, i) => f[i] === 1).reduce((a, d) => a + d.rcs, 0);
    expect(ghostRcs(half.found, flags) / ghostRcs(full.found, fullFlags)).toBeCloseTo(0.25, 4);
  });
});
