/**
 * Beam divergence and multiple returns (src/sensors/LidarBeam.ts, LidarEchoes.ts). The
 * expected echoes are computed here by hand from the Gaussian beam's power in each cell of the
 * sub-ray pattern, 1 - exp(-2 ρ²), and the Lambertian return ρ cos θ (10 / R)², not read back.
 */
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { ConfigDocument } from '../../src/core/ConfigDocument.js';
import { fieldArray, type Frame } from '../../src/core/frame.js';
import { materialId, NIR_BY_MATERIAL } from '../../src/core/materials.js';
import { MeshBuilder } from '../../src/core/MeshBuilder.js';
import { Random } from '../../src/core/Random.js';
import { classId } from '../../src/core/semantic.js';
import { encodeFrame } from '../../src/io/codec.js';
import { encodePcd } from '../../src/io/PcdWriter.js';
import { RaycastPool } from '../../src/raycast/RaycastPool.js';
import { beamPattern } from '../../src/sensors/LidarBeam.js';
import { readLidarConfig } from '../../src/sensors/LidarConfig.js';
import { Lidar } from '../../src/sensors/Lidar.js';
import type { LidarConfig } from '../../src/sensors/Rig.js';
import type { ActorState } from '../../src/sim/WorldState.js';
import { World } from '../../src/world/World.js';
import { onEveryPool } from '../helpers.js';

const DEG = Math.PI / 180;
const concrete = materialId('concrete');
const rho = NIR_BY_MATERIAL[concrete];
const parent = { id: 'ego', instanceId: 99, pose: { p: [0, 0, 0], q: [0, 0, 0, 1] } } as unknown as ActorState;

/** One beam along +x (one channel at 0°, a sector of one column), K = 7 over a 0.6° beam. */
function oneBeam(returnMode: 'strongest' | 'last' | 'first' | 'dual', rangeResolution = 0.5): LidarConfig {
  return {
    name: 'l', type: 'lidar', parent: 'ego', mount: { x: 0, y: 0, z: 0, roll: 0, pitch: 0, yaw: 0 },
    rateHz: 10, elevations: [0], horizontalFov: 0, horizontalResolution: 1 * DEG,
    minRange: 0.3, maxRange: 120, rangeNoiseStd: 0, dropoutBase: 0, minSignal: 0, noReturn: 'drop', motionDistortion: false,
    beam: { subRays: 7, divergence: 0.6 * DEG, rangeResolution, returnMode },
  };
}

/**
 * A wall facing the sensor at x = far, and in front of it at x = near a plate whose edge runs
 * along z at y = edge, covering y > edge (the beam's left, where ring rays at φ = 0, ±60° go).
 */
function edgeScene(near: number, far: number, edge: number): World {
  const mesh = new MeshBuilder();
  mesh.quad([near, 50, -50], [near, edge, -50], [near, edge, 50], [near, 50, 50], classId('building'), concrete);
  mesh.quad([far, 100, -100], [far, -100, -100], [far, -100, 100], [far, 100, 100], classId('building'), concrete);
  return World.fromMesh(mesh);
}

/** The points' ranges (x, the beam being along +x), intensities and return indices. */
function echoes(frame: Frame): { range: number; intensity: number; ret: number }[] {
  const p = fieldArray(frame.data.points) as Float32Array;
  const ret = fieldArray(frame.data.return) as Uint8Array;
  return Array.from(ret, (r, k) => ({ range: Math.hypot(p[4 * k], p[4 * k + 1], p[4 * k + 2]), intensity: p[4 * k + 3], ret: r }));
}

// The K = 7 pattern by hand: a centre ray in the disc ρ < 1/3 of the 1/e² radius, six rays at
// ρ = 2/3 (α = θ/3 off the axis) sharing the band 1/3 < ρ < 1; weights normalised by 1 - e^-2.
const norm = 1 - Math.exp(-2);
const wCentre = (1 - Math.exp(-2 / 9)) / norm;
const wRing = (Math.exp(-2 / 9) - Math.exp(-2)) / 6 / norm;
const alpha = (0.6 * DEG) / 3;
const cosA = Math.cos(alpha);
/** A ring ray on a wall at x = R (normal along the axis): range R / cos α, incidence cos α. */
const ringEcho = (R: number) => ({ range: R / cosA, amplitude: wRing * rho * cosA * (10 * cosA / R) ** 2 });
const centreEcho = (R: number) => ({ range: R, amplitude: wCentre * rho * (10 / R) ** 2 });
/** Echoes merged as the sensor does: amplitudes add, the range is their amplitude-weighted mean. */
function merged(parts: { range: number; amplitude: number }[]): { range: number; amplitude: number } {
  const amplitude = parts.reduce((a, e) => a + e.amplitude, 0);
  return { amplitude, range: parts.reduce((a, e) => a + e.amplitude * e.range, 0) / amplitude };
}

describe('the sub-ray pattern', () => {
  it('weights the centre and rings by the Gaussian power in their bands, summing to 1', () => {
    const p7 = beamPattern(7);
    expect(p7.weight[0]).toBeCloseTo(wCentre, 12);
    for (let s = 1; s < 7; s++) {
      expect(p7.weight[s]).toBeCloseTo(wRing, 12);
      expect(p7.offAxis[s]).toBeCloseTo(2 / 3, 12);
      expect(p7.azimuth[s]).toBeCloseTo(((s - 1) * Math.PI) / 3, 12);
    }
    // 19 = centre + 6 + 12: boundaries at 1/5, 3/5, 1 of the 1/e² radius.
    const p19 = beamPattern(19);
    expect(p19.weight[0]).toBeCloseTo((1 - Math.exp(-2 / 25)) / norm, 12);
    expect(p19.weight[7]).toBeCloseTo((Math.exp(-2 * 9 / 25) - Math.exp(-2)) / 12 / norm, 12);
    expect(p19.offAxis[7]).toBeCloseTo(2 / 2.5, 12);
    for (const k of [1, 2, 5, 7, 8, 19, 64]) expect(beamPattern(k).weight.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
  });
});

describe('a beam split by an edge', () => {
  // The plate's edge 5 mm left of the axis at 10 m: three ring rays (φ = 0, ±60°, 17 to 35 mm
  // left) hit the plate, the centre and the other three the wall at 11 m: 38 % of the power
  // near, 62 % far. The far echo is the stronger although it is farther: it has more area.
  const R1 = 10, R2 = 11;
  const nearA = merged([ringEcho(R1), ringEcho(R1), ringEcho(R1)]);
  const farA = merged([centreEcho(R2), ringEcho(R2), ringEcho(R2), ringEcho(R2)]);

  it('gives two returns in dual mode: the strongest (far, more area) first, then, the last being the strongest, the second strongest', () => {
    expect(farA.amplitude).toBeGreaterThan(nearA.amplitude);
    const e = echoes(new Lidar(oneBeam('dual'), new Random(1)).capture(edgeScene(R1, R2, 0.005), parent, 0));
    expect(e.length).toBe(2);
    expect(e[0].ret).toBe(0);
    expect(e[0].range).toBeCloseTo(farA.range, 4);
    expect(e[0].intensity).toBeCloseTo(farA.amplitude, 6);
    expect(e[1].ret).toBe(1);
    expect(e[1].range).toBeCloseTo(nearA.range, 4);
    expect(e[1].intensity).toBeCloseTo(nearA.amplitude, 6);
  });

  it('strongest, first and last pick the far, near and far echoes', () => {
    const world = edgeScene(R1, R2, 0.005);
    const pick = (mode: 'strongest' | 'first' | 'last') => echoes(new Lidar(oneBeam(mode), new Random(1)).capture(world, parent, 0));
    const s = pick('strongest'), f = pick('first'), l = pick('last');
    expect([s.length, f.length, l.length]).toEqual([1, 1, 1]);
    expect(s[0].range).toBeCloseTo(farA.range, 4);
    expect(s[0].intensity).toBeCloseTo(farA.amplitude, 6);
    expect(f[0].range).toBeCloseTo(nearA.range, 4);
    expect(f[0].intensity).toBeCloseTo(nearA.amplitude, 6);
    expect(l[0].range).toBeCloseTo(farA.range, 4);
    expect([s[0].ret, f[0].ret, l[0].ret]).toEqual([0, 0, 0]);
  });

  it('with the edge 5 mm right of the axis the near echo has the centre and the larger area: strongest is near, dual adds the last', () => {
    const nearB = merged([centreEcho(R1), ringEcho(R1), ringEcho(R1), ringEcho(R1)]);
    const farB = merged([ringEcho(R2), ringEcho(R2), ringEcho(R2)]);
    const world = edgeScene(R1, R2, -0.005);
    const s = echoes(new Lidar(oneBeam('strongest'), new Random(1)).capture(world, parent, 0));
    expect(s.length).toBe(1);
    expect(s[0].range).toBeCloseTo(nearB.range, 4);
    expect(s[0].intensity).toBeCloseTo(nearB.amplitude, 6);
    const d = echoes(new Lidar(oneBeam('dual'), new Random(1)).capture(world, parent, 0));
    expect(d.map((e) => e.ret)).toEqual([0, 1]);
    expect(d[0].range).toBeCloseTo(nearB.range, 4);
    expect(d[1].range).toBeCloseTo(farB.range, 4);
    expect(d[1].intensity).toBeCloseTo(farB.amplitude, 6);
  });

  it('merges two surfaces 5 cm apart, within the range resolution, into one echo at the amplitude-weighted mean range', () => {
    const near = 10, far = 10.05;
    const one = merged([ringEcho(near), ringEcho(near), ringEcho(near), centreEcho(far), ringEcho(far), ringEcho(far), ringEcho(far)]);
    const world = edgeScene(near, far, 0.005);
    const e = echoes(new Lidar(oneBeam('dual', 0.1), new Random(1)).capture(world, parent, 0));
    expect(e.length).toBe(1);
    expect(e[0].range).toBeCloseTo(one.range, 4);
    expect(e[0].intensity).toBeCloseTo(one.amplitude, 6);
    // Not what either surface alone gives: the mean lies between them.
    expect(one.range).toBeGreaterThan(near + 0.01);
    expect(one.range).toBeLessThan(far - 0.01);
    // A finer resolution (1 cm) separates them again.
    const split = echoes(new Lidar(oneBeam('dual', 0.01), new Random(1)).capture(world, parent, 0));
    expect(split.length).toBe(2);
    expect(split.map((x) => x.range).sort()).toEqual([expect.closeTo(near / cosA, 4), expect.closeTo(merged([centreEcho(far), ringEcho(far), ringEcho(far), ringEcho(far)]).range, 4)]);
  });
});

/** soft(R) = π R_ref² β ∫ p(R - r) ξ(r) e^(-2αr) / r² dr by Simpson's rule (Hahner et al.'s fog echo, as in lidarFog.test.ts). */
function softEcho(R: number, mor: number): number {
  const a = Math.log(20) / mor, beta = 0.046 / mor, L = 299_792_458 * 20e-9;
  const xi = (r: number) => (r <= 2 ? 0 : r >= 3 ? 1 : r - 2);
  const f = (r: number) => (r <= 0 ? 0 : Math.sin((Math.PI * (R - r)) / L) ** 2 * xi(r) * Math.exp(-2 * a * r) / (r * r));
  const lo = Math.max(0, R - L), n = 4000, h = (R - lo) / n;
  let sum = f(lo) + f(R);
  for (let i = 1; i < n; i++) sum += (i % 2 ? 4 : 2) * f(lo + i * h);
  return Math.PI * 100 * beta * (sum * h) / 3;
}

describe('in fog', () => {
  it('reports the wall as the strongest and the fog, the wall being also the last, as the second return in dual mode', () => {
    const R = 20, mor = 200;
    const fogAlpha = Math.log(20) / mor;
    const mesh = new MeshBuilder();
    mesh.quad([R, 100, -100], [R, -100, -100], [R, -100, 100], [R, 100, 100], classId('building'), concrete);
    const frame = new Lidar(oneBeam('dual'), new Random(1)).capture(World.fromMesh(mesh), parent, 0, [], { fog: { visibility: mor } });
    // Every sub-ray on the wall, each attenuated over its own range; merged (6 µm apart).
    const att = (e: { range: number; amplitude: number }) => ({ range: e.range, amplitude: e.amplitude * Math.exp(-2 * fogAlpha * e.range) });
    const wall = merged([att(centreEcho(R)), ...Array.from({ length: 6 }, () => att(ringEcho(R)))]);
    let fogPeak = 0;
    for (let r = 2; r <= 12; r += 0.01) fogPeak = Math.max(fogPeak, softEcho(r, mor));
    expect(wall.amplitude).toBeGreaterThan(fogPeak);
    const e = echoes(frame);
    expect(e.map((x) => x.ret)).toEqual([0, 1]);
    expect(e[0].range).toBeCloseTo(wall.range, 4);
    expect(e[0].intensity).toBeCloseTo(wall.amplitude, 6);
    // The fog's echo, whole (every sub-ray still going at its peak), within the table's 5 cm grid.
    expect(Math.abs(e[1].intensity - fogPeak) / fogPeak).toBeLessThan(0.01);
    expect(e[1].range).toBeLessThan(10);
    expect(Array.from(fieldArray(frame.data.semantic) as Uint8Array)).toEqual([classId('building'), 0]);
  });
});

/** A LiDAR entry read from YAML the way a rig file is. */
function rigEntry(yaml: string): LidarConfig {
  const doc = ConfigDocument.parse(`sensors:\n  - name: l\n    type: lidar\n${yaml.replace(/^/gm, '    ')}\n`, 'rig.yaml');
  return readLidarConfig(doc, ['sensors', 0], 'l');
}

const BASE = 'channels: 16\nfov: { lower: -15, upper: 5 }\nhorizontal: { fov: 120, resolution: 0.5 }\nrate: 10\nrange: { max: 100 }\nmount: { z: 1.5 }\nnoise: { range_std: 0.02 }\ndropout: { probability: 0.05 }\nmotion_distortion: false';

/** Road, a building, glass and leaves: surfaces of every kind the beam model treats. */
function street(): World {
  const mesh = new MeshBuilder();
  mesh.quad([-100, -50, 0], [100, -50, 0], [100, 50, 0], [-100, 50, 0], classId('road'));
  mesh.box([30, 0, 5], [2, 40, 10], 0, classId('building'));
  mesh.box([8, 4, 1], [1, 3, 2], 0, classId('vegetation'), materialId('leaves'));
  mesh.box([12, -4, 1], [1, 3, 2], 0, classId('building'), materialId('window_glass'));
  return World.fromMesh(mesh);
}

const digest = (frames: Frame[]) => {
  const h = createHash('sha256');
  for (const f of frames) h.update(encodeFrame(f));
  return h.digest('hex');
};

describe('off by default', () => {
  it('gives the very bytes of the plain LiDAR with sub_rays 1 and return_mode strongest spelled out, in clear air and in fog', () => {
    const world = street();
    const plain = rigEntry(BASE);
    expect(plain.beam).toBeUndefined();
    for (const spelled of ['beam: { sub_rays: 1 }', 'beam: { sub_rays: 1, divergence: 0.3 }\nreturn_mode: strongest']) {
      const config = rigEntry(`${BASE}\n${spelled}`);
      expect(config.beam).toBeUndefined();
      for (const weather of [undefined, { fog: { visibility: 50 } }]) {
        const run = (c: LidarConfig) => {
          const lidar = new Lidar(c, new Random(4));
          return digest([0, 1].map((i) => lidar.capture(world, parent, i * 100_000_000, [], weather)));
        };
        expect(run(config)).toBe(run(plain));
      }
    }
    const frame = new Lidar(plain, new Random(4)).capture(world, parent, 0);
    expect(frame.data.return).toBeUndefined();
    expect(frame.fields.return_mode).toBeUndefined();
    const on = new Lidar(rigEntry(`${BASE}\nreturn_mode: dual\nbeam: { sub_rays: 7, divergence: 0.3 }`), new Random(4)).capture(world, parent, 0);
    expect(on.fields).toMatchObject({ return_mode: 'dual', sub_rays: 7, divergence: expect.closeTo(0.3, 12), range_resolution: 1 });
    expect((fieldArray(on.data.return) as Uint8Array).length).toBe(on.fields.point_count);
  });
});

describe('determinism', () => {
  it('gives identical bytes for one seed on a pool of 1 or 2 threads or none, with sub-rays split across chunks, in fog', async () => {
    const world = street();
    const config = rigEntry(`${BASE}\nreturn_mode: dual\nbeam: { sub_rays: 7, divergence: 0.5, range_resolution: 0.3 }`);
    const sweep = (seed: number) => digest([new Lidar(config, new Random(seed)).capture(world, parent, 0, [], { fog: { visibility: 80 } })]);
    const alone = sweep(21);
    // 257 rays a chunk: not a multiple of 7, so a beam's sub-rays land in different chunks.
    await onEveryPool(world.scene, () => expect(sweep(21)).toBe(alone));
    expect(sweep(22)).not.toBe(alone);
  });
});

describe('rig errors', () => {
  const fails = (yaml: string, message: RegExp) => expect(() => rigEntry(`${BASE}\n${yaml}`)).toThrow(message);

  it('names the option and what is expected', () => {
    fails('beam: { sub_rays: 0, divergence: 0.3 }', /\$\.sensors\[0\]\.beam\.sub_rays\): expected a number >= 1, got 0/);
    fails('beam: { sub_rays: 1000, divergence: 0.3 }', /\$\.sensors\[0\]\.beam\.sub_rays\): expected a number <= 64, got 1000/);
    fails('beam: { sub_rays: 2.5, divergence: 0.3 }', /beam\.sub_rays\): expected an integer, got 2\.5/);
    fails('return_mode: middle', /\$\.sensors\[0\]\.return_mode\): expected one of strongest, last, first, dual, got "middle"/);
    fails('beam: { sub_rays: 7 }', /beam\.divergence\): sub_rays 7 needs the beam's divergence/);
    fails('beam: { sub_rays: 7, divergence: 0 }', /beam\.divergence\): expected a number > 0, got 0/);
    fails('beam: { sub_rays: 7, divergence: 0.3, range_resolution: -1 }', /beam\.range_resolution\): expected a number > 0/);
    fails('beam: { sub_rays: 7, spread: 0.3 }', /unknown key "spread"/);
    expect(() => rigEntry('preset: vlp-16\nbeam: { sub_rays: 7 }')).toThrow(/preset vlp-16 states none/);
  });

  it('counts sub-rays in the rays a sweep may cast', () => {
    // OS1-128: 128 x 2048 = 262 144 beams; 16 sub-rays make 4 194 304 rays (the limit), 17 more.
    expect(rigEntry('preset: os1-128\nbeam: { sub_rays: 16 }').beam?.subRays).toBe(16);
    expect(() => rigEntry('preset: os1-128\nbeam: { sub_rays: 17 }')).toThrow(/2048 columns x 128 channels x 17 sub-rays = 4456448 rays a sweep; at most 65536 columns and 4194304 rays/);
  });

  it('takes the OS1-128 divergence from its data sheet: 0.18° FWHM is 0.18 x 2 / sqrt(2 ln 2) at 1/e²', () => {
    expect(rigEntry('preset: os1-128\nbeam: { sub_rays: 7 }').beam!.divergence / DEG).toBeCloseTo(0.36 / Math.sqrt(2 * Math.log(2)), 12);
  });
});

describe('exports', () => {
  it('writes the return index into PCD as a uint8 field after intensity, and leaves a plain frame\'s PCD as it was', () => {
    const world = edgeScene(10, 11, 0.005);
    const frame = new Lidar(oneBeam('dual'), new Random(1)).capture(world, parent, 0);
    const pcd = encodePcd(frame);
    const text = new TextDecoder('latin1').decode(pcd);
    const headerEnd = text.indexOf('DATA binary\n') + 'DATA binary\n'.length;
    expect(text).toContain('FIELDS x y z intensity return\nSIZE 4 4 4 4 1\nTYPE F F F F U\nCOUNT 1 1 1 1 1\n');
    expect(pcd.length - headerEnd).toBe(2 * 17);
    const view = new DataView(pcd.buffer, pcd.byteOffset + headerEnd);
    // Point 0: the far echo (return 0), point 1: the near one (return 1).
    expect(view.getFloat32(0, true)).toBeCloseTo(11, 3);
    expect(view.getUint8(16)).toBe(0);
    expect(view.getFloat32(17, true)).toBeCloseTo(10, 3);
    expect(view.getUint8(17 + 16)).toBe(1);
    const plain = encodePcd(new Lidar({ ...oneBeam('strongest'), beam: undefined }, new Random(1)).capture(world, parent, 0));
    expect(new TextDecoder('latin1').decode(plain)).toContain('FIELDS x y z intensity\nSIZE 4 4 4 4\n');
  });
});
