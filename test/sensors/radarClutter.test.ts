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

const dir = mkdtempSync(join(tmpdir(), 'roadcast-radar-clutter-'));
let files = 0;
function rigFile(yaml: string): string {
  const file = join(dir, `rig${files++}.yaml`);
  writeFileSync(file, `sensors:\n  - name: r\n${yaml.replace(/^/gm, '    ')}\n`);
  return file;
}
const radarConfig = (yaml: string): RadarConfig => loadRig(rigFile(yaml)).sensors[0] as RadarConfig;

interface Row { range: number; azimuth: number; elevation: number; velocity: number; rcs: number; snrDb: number; instance: number; clutter: boolean; semantic: number }
function rows(frame: Frame): Row[] {
  const table = fieldArray(frame.data.detections) as Float32Array;
  const instance = fieldArray(frame.data.instance) as Uint32Array;
  const clutter = fieldArray(frame.data.clutter) as Uint8Array;
  const semantic = fieldArray(frame.data.semantic) as Uint8Array;
  return [...instance.keys()].map((i) => ({
    range: table[i * 6], azimuth: table[i * 6 + 1], elevation: table[i * 6 + 2], velocity: table[i * 6 + 3], rcs: 10 ** (table[i * 6 + 4] / 10),
    snrDb: table[i * 6 + 5], instance: instance[i], clutter: clutter[i] === 1, semantic: semantic[i],
  }));
}

const DEG = Math.PI / 180;
/** A flat road, 600 m square, at z = 0; nothing else. */
function flatRoad(): World {
  const mesh = new MeshBuilder();
  mesh.quad([-300, -300, 0], [300, -300, 0], [300, 300, 0], [-300, 300, 0], classId('road'));
  return World.fromMesh(mesh);
}
const EMPTY: WorldState = { tick: 0, t_ns: 0, actors: [] };
/** A radar 1 m above the road, level, standing still. */
const STILL = { id: 'ego', instanceId: 99, pose: { p: [0, 0, 1], q: [0, 0, 0, 1] }, velocity: [0, 0, 0] } as unknown as ActorState;

// An 8 deg azimuth field that is exactly one 8 deg azimuth cell (cell edges at -180 + 8k deg:
// -4 and +4), 4 rays wide; 10 rows 1 deg apart at elevations -4.5 .. 4.5 deg, of which the five
// below the horizon meet the road at slant range h / sin(psi), each in a range cell of its own.
const RIG = 'type: radar\nrate: 20\nfov: { azimuth: 8, elevation: 10 }\nrange: { max: 200 }\nresolution: { range: 0.5, azimuth: 8 }\nmax_detections: 100';
const H = 1;
const ROWS = [4.5, 3.5, 2.5, 1.5, 0.5].map((deg) => ({ psi: deg * DEG, range: H / Math.sin(deg * DEG) }));

/** Hand: sigma = gamma sin(psi) A, A = R dR dTheta the pulse-limited cell on the ground. */
function handRcs(gammaDb: number, psi: number, range: number, rangeResolution: number, azimuthWidth: number): number {
  const area = (range * Math.cos(psi) * azimuthWidth) * (rangeResolution / Math.cos(psi));
  return 10 ** (gammaDb / 10) * Math.sin(psi) * area;
}

describe('ground clutter: constant-gamma RCS of the road cells', () => {
  it('each row of the fan that meets a flat road gives one clutter cell of RCS gamma sin(psi) x R dR dTheta, class road, instance 0', () => {
    const found = rows(new Radar(radarConfig(`${RIG}\nclutter: { gamma_db: -15 }\nsensitivity_db: 90\nmin_snr_db: -1000`), new Random(1)).capture(flatRoad(), STILL, EMPTY, 0));
    expect(found).toHaveLength(ROWS.length);
    for (const { psi, range } of ROWS) {
      const d = found.find((f) => Math.abs(f.range - range) < 0.25);
      expect(d, `a cell at ${range.toFixed(2)} m`).toBeDefined();
      expect(d!.clutter).toBe(true);
      expect(d!.instance).toBe(0);
      expect(d!.semantic).toBe(classId('road'));
      expect(d!.elevation).toBeCloseTo(-psi, 5);
      const expected = handRcs(-15, psi, range, 0.5, 8 * DEG);
      // On flat ground sin(psi) R = h: the same RCS, gamma h dR dTheta, in every cell.
      expect(expected).toBeCloseTo(10 ** -1.5 * H * 0.5 * 8 * DEG, 12);
      expect(Math.abs(d!.rcs - expected) / expected).toBeLessThan(1e-4);
    }
  });

  it('with the long-range preset 0.5 m up and the default gamma (-20 dB), only the cells under 10 m clear min_snr_db 10', () => {
    const config = radarConfig('type: radar\npreset: long-range\nclutter: true');
    const ego = { ...STILL, pose: { p: [0, 0, 0.5], q: [0, 0, 0, 1] } } as unknown as ActorState;
    const found = rows(new Radar(config, new Random(1)).capture(flatRoad(), ego, EMPTY, 0));
    // Hand: SNR = 96 + 10 log(gamma h dR dTheta) - 40 log R, h = 0.5, dR = 0.4 m, dTheta = 1 deg,
    // rows at psi = 4.5 .. 0.5 deg, R = h / sin(psi).
    const sigma = 0.01 * 0.5 * 0.4 * DEG;
    const kept = [4.5, 3.5, 2.5, 1.5, 0.5].map((deg) => 0.5 / Math.sin(deg * DEG)).filter((r) => 96 + 10 * Math.log10(sigma) - 40 * Math.log10(r) >= 10);
    expect(kept.length).toBe(2);
    expect(Math.max(...kept)).toBeLessThan(10);
    // 18 azimuth cells of 1 deg, each of 4 rays, at each kept range.
    expect(found).toHaveLength(18 * kept.length);
    for (const d of found) {
      expect(d.clutter).toBe(true);
      expect(kept.some((r) => Math.abs(d.range - r) < 0.2)).toBe(true);
      expect(Math.abs(d.rcs - sigma) / sigma).toBeLessThan(1e-4);
    }
  });
});

describe('ground clutter competes as a Swerling-I target', () => {
  it('over 2000 scans each clutter cell is detected in Pfa^(1/(1+SNR)) of them (5 sigma), SNR from the hand RCS', () => {
    const pfa = 1e-3;
    const sensitivity = 80;
    const radar = new Radar(radarConfig(`${RIG}\nclutter: { gamma_db: -15 }\nsensitivity_db: ${sensitivity}\nfluctuation: swerling1\nfalse_alarm_probability: ${pfa}`), new Random(11));
    const world = flatRoad();
    const scans = 2000;
    const counts = ROWS.map(() => 0);
    for (let k = 0; k < scans; k++) {
      for (const d of rows(radar.capture(world, STILL, EMPTY, k * 50_000_000))) {
        const row = ROWS.findIndex((r) => Math.abs(d.range - r.range) < 0.25);
        expect(row).toBeGreaterThanOrEqual(0);
        counts[row]++;
      }
    }
    let total = 0, expectedTotal = 0, variance = 0;
    ROWS.forEach(({ psi, range }, i) => {
      const snr = 10 ** ((sensitivity + 10 * Math.log10(handRcs(-15, psi, range, 0.5, 8 * DEG)) - 40 * Math.log10(range)) / 10);
      const pd = pfa ** (1 / (1 + snr));
      expect(Math.abs(counts[i] - scans * pd)).toBeLessThan(5 * Math.sqrt(scans * pd * (1 - pd)) + 1);
      total += counts[i];
      expectedTotal += scans * pd;
      variance += scans * pd * (1 - pd);
    });
    // The nearest cell is the likeliest: about half the scans at 9.2 dB, against 2 % at -1 dB.
    expect(counts[0]).toBeGreaterThan(counts[2] * 5);
    expect(Math.abs(total - expectedTotal)).toBeLessThan(5 * Math.sqrt(variance));
  });
});

describe('ground clutter: off by default, deterministic, configured', () => {
  const sha = (frame: Frame): string => createHash('sha256').update(encodeFrame(frame)).digest('hex');
  const scan = (extra: string, seed = 3): string[] => {
    const radar = new Radar(radarConfig(`${RIG}\nsensitivity_db: 85\nfluctuation: swerling1${extra}`), new Random(seed));
    return [0, 1, 2].map((k) => sha(radar.capture(flatRoad(), STILL, EMPTY, k * 50_000_000)));
  };

  it('clutter: false is the rig without the key; clutter on changes the frames; the same seed repeats them', () => {
    expect(scan('\nclutter: false')).toEqual(scan(''));
    expect(scan('\nclutter: true')).not.toEqual(scan(''));
    expect(scan('\nclutter: true')).toEqual(scan('\nclutter: true'));
    expect(scan('\nclutter: true', 4)).not.toEqual(scan('\nclutter: true'));
  });

  const bad: [string, RegExp][] = [
    ['clutter: 3', /expected true, false or a mapping/],
    ['clutter: { gamma_db: 5 }', /expected a number <= 0, got 5/],
    ['clutter: { gamma: -20 }', /unknown key "gamma"; expected one of gamma_db/],
    ['nuscenes_fields: yes please', /expected true or false/],
  ];
  for (const [yaml, message] of bad) {
    it(`refuses ${yaml} naming its line`, () => {
      const file = rigFile(`type: radar\npreset: corner\n${yaml}`);
      expect(() => loadRig(file)).toThrow(message);
      expect(() => loadRig(file)).toThrow(`${file}:5`);
    });
  }
});
