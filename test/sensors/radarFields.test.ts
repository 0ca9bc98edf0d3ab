import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { fieldArray, type Frame } from '../../src/core/frame.js';
import { MeshBuilder } from '../../src/core/MeshBuilder.js';
import { Random } from '../../src/core/Random.js';
import { classId } from '../../src/core/semantic.js';
import { encodeFrame } from '../../src/io/codec.js';
import { Radar } from '../../src/sensors/Radar.js';
import { dynProp, rmsCode } from '../../src/sensors/RadarNuscenes.js';
import type { RadarConfig } from '../../src/sensors/Rig.js';
import { World } from '../../src/world/World.js';
import { sensorConfig, car, worldWith } from './radarScene.js';

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

interface Row {
  range: number; azimuth: number; elevation: number; velocity: number; instance: number; falseAlarm: boolean;
  dynProp: number; ambig: number; invalid: number; pdh0: number; quality: number; vx: number; vy: number; vxComp: number; vyComp: number; rms: number[];
}
function rows(frame: Frame): Row[] {
  const table = fieldArray(frame.data.detections) as Float32Array;
  const instance = fieldArray(frame.data.instance) as Uint32Array;
  const falseAlarm = fieldArray(frame.data.false_alarm) as Uint8Array;
  const dyn = fieldArray(frame.data.dyn_prop) as Uint8Array;
  const ambig = fieldArray(frame.data.ambig_state) as Uint8Array;
  const invalid = fieldArray(frame.data.invalid_state) as Uint8Array;
  const pdh0 = fieldArray(frame.data.pdh0) as Uint8Array;
  const quality = fieldArray(frame.data.is_quality_valid) as Uint8Array;
  const v = fieldArray(frame.data.velocity_xy) as Float32Array;
  const rms = fieldArray(frame.data.rms) as Uint8Array;
  return [...instance.keys()].map((i) => ({
    range: table[i * 6], azimuth: table[i * 6 + 1], elevation: table[i * 6 + 2], velocity: table[i * 6 + 3], instance: instance[i], falseAlarm: falseAlarm[i] === 1,
    dynProp: dyn[i], ambig: ambig[i], invalid: invalid[i], pdh0: pdh0[i], quality: quality[i],
    vx: v[i * 4], vy: v[i * 4 + 1], vxComp: v[i * 4 + 2], vyComp: v[i * 4 + 3], rms: [...rms.subarray(i * 4, i * 4 + 4)],
  }));
}

describe('nuScenes fields: off by default', () => {
  // The rig and scene whose frames radarArtefacts.test.ts pins from before any radar artefact.
  const BASE_RIG = 'type: radar\npreset: long-range\nmount: { x: 2, z: 0.5 }\nnoise: { range_std: 0.1, azimuth_std: 0.2, velocity_std: 0.1 }\nfalse_alarm_rate: 2';
  const BEFORE = [
    '3de90c010e1dcca4934143a0fb0010be2dade62777943981753151cfcacf3be3',
    'a590b709b2fffa7fe5c2125515a2b74bfb79d39f282b7187479588293e01e846',
    '1dea177743d1a00ebd38840d7cb68a302c50a38e9844cb89e49beb495adcb8f3',
  ];
  const frames = (extra: string): Frame[] => {
    const ego = actor('ego', 1, 0, 0, 0, [10, 0, 0]);
    const { world, state } = worldWith([ego, actor('a', 2, 60, 0, Math.PI, [-5, 0, 0]), actor('b', 3, 40, 3, Math.PI / 2, [0, 12, 0])], true);
    const radar = new Radar(radarConfig(`${BASE_RIG}${extra}`), new Random(7));
    return [0, 50_000_000, 100_000_000].map((t) => radar.capture(world, ego, state, t));
  };

  it('nuscenes_fields: false and clutter: false give the frames of before, byte for byte', () => {
    expect(frames('\nnuscenes_fields: false\nclutter: false').map(sha256)).toEqual(BEFORE);
  });

  it('nuscenes_fields: true only adds arrays: the detections are those of before', () => {
    const plain = frames('');
    const withFields = frames('\nnuscenes_fields: true');
    withFields.forEach((frame, k) => {
      expect(frame.data.dyn_prop).toBeDefined();
      const { dyn_prop, ambig_state, invalid_state, pdh0, is_quality_valid, velocity_xy, rms, ...rest } = frame.data;
      expect(sha256({ ...frame, data: rest })).toBe(sha256(plain[k]));
    });
  });
});

describe('nuScenes fields: dyn_prop and compensated velocity of a hand-built scene', () => {
  // The ego drives +x at 10 m/s with a corner radar looking ahead (150 deg field).
  const EGO_SPEED = 10;
  const ego = actor('ego', 1, 0, 0, 0, [EGO_SPEED, 0, 0]);
  const cars = {
    oncoming: actor('oncoming', 2, 40, 3.5, Math.PI, [-10, 0, 0]),
    crossing: actor('crossing', 3, 25, -8, Math.PI / 2, [0, 8, 0]),
    parked: actor('parked', 4, 20, 6, 0, [0, 0, 0]),
    away: actor('away', 5, 50, -3.5, 0, [15, 0, 0]),
  };
  // Hand-assigned codes (devkit: 0 moving, 1 stationary, 2 oncoming, 6 crossing moving).
  const CODES: Record<number, number> = { 2: 2, 3: 6, 4: 1, 5: 0 };
  const RIG = 'type: radar\npreset: corner\nmount: { z: 0.5 }\nmax_detections: 4096\nnuscenes_fields: true\nmax_unambiguous_velocity: 15\nfalse_alarm_rate: 3';

  const { world, state } = worldWith([ego, ...Object.values(cars)], false);
  const radar = new Radar(radarConfig(RIG), new Random(1));
  const found = rows(radar.capture(world, ego, state, 0));

  it('each car has detections, with the dyn_prop assigned by hand', () => {
    for (const [instance, code] of Object.entries(CODES)) {
      const mine = found.filter((d) => d.instance === Number(instance) && !d.falseAlarm);
      expect(mine.length, `instance ${instance}`).toBeGreaterThan(0);
      for (const d of mine) expect(d.dynProp, `instance ${instance}`).toBe(code);
    }
  });

  it('the parked car: raw radial velocity -v_ego cos(az) cos(el), compensated velocity ~0', () => {
    const parked = found.filter((d) => d.instance === 4 && !d.falseAlarm);
    for (const d of parked) {
      expect(d.velocity).toBeCloseTo(-EGO_SPEED * Math.cos(d.azimuth) * Math.cos(d.elevation), 1);
      expect(Math.abs(d.vxComp)).toBeLessThan(0.05);
      expect(Math.abs(d.vyComp)).toBeLessThan(0.05);
      // vx, vy: the radial velocity along the horizontal line of sight.
      expect(d.vx).toBeCloseTo(d.velocity * Math.cos(d.elevation) * Math.cos(d.azimuth), 4);
      expect(d.vy).toBeCloseTo(d.velocity * Math.cos(d.elevation) * Math.sin(d.azimuth), 4);
    }
  });

  it('the car moving away: compensated radial velocity is its own 15 m/s along the line of sight', () => {
    for (const d of found.filter((f) => f.instance === 5 && !f.falseAlarm)) {
      const own = 15 * Math.cos(d.azimuth) * Math.cos(d.elevation);
      expect(Math.hypot(d.vxComp, d.vyComp)).toBeCloseTo(own * Math.cos(d.elevation), 1);
    }
  });

  it('ambig_state 1 where the velocity folded (closing at 20 m/s on a +-15 m/s radar), 3 elsewhere', () => {
    for (const d of found.filter((f) => !f.falseAlarm)) {
      const closing = d.instance === 2 ? -(EGO_SPEED + 10) * Math.cos(d.azimuth) * Math.cos(d.elevation) : undefined;
      expect(d.ambig).toBe(closing !== undefined && Math.abs(closing) > 15 ? 1 : 3);
    }
    expect(found.some((d) => d.instance === 2 && d.ambig === 1)).toBe(true);
  });

  it('false alarms: dyn_prop unknown (4), invalid due to low RCS (1), pdh0 <= 100 % (7); real returns valid (0), pdh0 < 25 % (1)', () => {
    const alarms = found.filter((d) => d.falseAlarm);
    expect(alarms.length).toBeGreaterThan(0);
    for (const d of alarms) expect([d.dynProp, d.invalid, d.pdh0]).toEqual([4, 1, 7]);
    for (const d of found.filter((f) => !f.falseAlarm)) expect([d.invalid, d.pdh0, d.quality]).toEqual([0, 1, 1]);
  });

  it('a car that moved and now stands is stopped (7); the parked one stays stationary (1)', () => {
    const later = { ...state, actors: state.actors.map((a) => (a.id === 'away' ? { ...a, velocity: [0, 0, 0] as [number, number, number], speed: 0 } : a)) };
    const next = rows(radar.capture(world, ego, later, 50_000_000));
    const stopped = next.filter((d) => d.instance === 5 && !d.falseAlarm);
    expect(stopped.length).toBeGreaterThan(0);
    for (const d of stopped) expect(d.dynProp).toBe(7);
    for (const d of next.filter((f) => f.instance === 4 && !f.falseAlarm)) expect(d.dynProp).toBe(1);
  });

  it('x_rms, y_rms of a detection ahead: the cell as a uniform error, sigma = width / sqrt(12), as the ARS 408 rms code', () => {
    // Corner radar: 0.15 m range cells, sigma_r = 0.0433 m; 2 deg azimuth cells, sigma_az = 0.0101 rad,
    // 0.504 m across at 50 m (code 19: 0.478 < sigma <= 0.616); at 4 deg off axis x gets
    // hypot(0.0433, 50 sin(4 deg) 0.0101) = 0.056 m (code 10: 0.049 < sigma <= 0.063).
    const d = found.filter((f) => f.instance === 5 && !f.falseAlarm).sort((a, b) => Math.abs(a.azimuth + 0.07) - Math.abs(b.azimuth + 0.07))[0];
    const sr = 0.15 / Math.sqrt(12), sa = 2 * (Math.PI / 180) / Math.sqrt(12);
    const sx = Math.hypot(Math.cos(d.azimuth) * sr, d.range * Math.sin(d.azimuth) * sa);
    const sy = Math.hypot(Math.sin(d.azimuth) * sr, d.range * Math.cos(d.azimuth) * sa);
    const ARS = [0.005, 0.006, 0.008, 0.011, 0.014, 0.018, 0.023, 0.029, 0.038, 0.049, 0.063, 0.081, 0.105, 0.135, 0.174, 0.224, 0.288, 0.371, 0.478, 0.616, 0.794, 1.023];
    const code = (s: number): number => ARS.findIndex((b) => s <= b);
    expect(d.rms.slice(0, 2)).toEqual([code(sx), code(sy)]);
    expect([code(sx), code(sy)]).toEqual([10, 19]);
  });
});

describe('nuScenes fields of clutter and ghosts', () => {
  it('ground clutter is stationary (1), a valid cluster with low RCS (4); a multipath ghost is invalid for high mirror probability (6), pdh0 7', () => {
    // A wall along x at y = 5 beside a car at (40, 2), over a flat road, seen by a still radar.
    const mesh = new MeshBuilder();
    mesh.quad([-300, -300, 0], [300, -300, 0], [300, 300, 0], [-300, 300, 0], classId('road'));
    mesh.quad([0, 5, 0], [100, 5, 0], [100, 5, 3], [0, 5, 3], classId('static_prop'));
    const world = World.fromMesh(mesh);
    const ego = actor('ego', 1, 0, 0, 0, [0, 0, 0]);
    const state = { tick: 0, t_ns: 0, actors: [ego, actor('car', 2, 40, 2, 0, [10, 0, 0])] };
    world.update(state);
    const config = radarConfig('type: radar\npreset: corner\nmount: { z: 0.5 }\nmax_detections: 4096\nmin_snr_db: -20\nclutter: true\nmultipath_reflectivity: 0.5\nnuscenes_fields: true');
    const frame = new Radar(config, new Random(1)).capture(world, ego, state, 0);
    const found = rows(frame);
    const clutter = fieldArray(frame.data.clutter) as Uint8Array;
    const ghost = fieldArray(frame.data.multipath) as Uint8Array;
    expect(clutter.some((c) => c === 1)).toBe(true);
    expect(ghost.some((g) => g === 1)).toBe(true);
    found.forEach((d, i) => {
      if (clutter[i]) expect([d.instance, d.dynProp, d.invalid, d.pdh0]).toEqual([0, 1, 4, 1]);
      if (ghost[i]) expect([d.instance, d.dynProp, d.invalid, d.pdh0]).toEqual([2, 0, 6, 7]);
    });
  });
});

describe('nuScenes fields: the pure functions', () => {
  it('dyn_prop by the velocity over the ground in the sensor frame', () => {
    expect(dynProp([10, 1, 0], false)).toBe(0);
    expect(dynProp([-10, 1, 0], false)).toBe(2);
    expect(dynProp([1, 10, 0], false)).toBe(6);
    expect(dynProp([0.1, 0, 0], false)).toBe(1);
    expect(dynProp([0.1, 0, 0], true)).toBe(7);
    expect(dynProp(undefined, false)).toBe(4);
  });

  it('rms codes follow the ARS 408 table: 0 up to 5 mm, 15 for 0.2 m, 31 beyond 12.9', () => {
    expect(rmsCode(0.005)).toBe(0);
    expect(rmsCode(0.0051)).toBe(1);
    expect(rmsCode(0.2)).toBe(15);
    expect(rmsCode(1)).toBe(21);
    expect(rmsCode(100)).toBe(31);
  });
});
