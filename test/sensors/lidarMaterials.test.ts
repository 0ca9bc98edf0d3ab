import { describe, expect, it } from 'vitest';
import { fieldArray, type Frame } from '../../src/core/frame.js';
import { materialId } from '../../src/core/materials.js';
import { MeshBuilder } from '../../src/core/MeshBuilder.js';
import { Random } from '../../src/core/Random.js';
import { classId } from '../../src/core/semantic.js';
import { RaycastPool } from '../../src/raycast/RaycastPool.js';
import { Lidar } from '../../src/sensors/Lidar.js';
import type { LidarConfig } from '../../src/sensors/Rig.js';
import type { ActorState } from '../../src/sim/WorldState.js';
import { World } from '../../src/world/World.js';
import { onEveryPool } from '../helpers.js';

/**
 * The LiDAR's material model against figures worked out here by hand: 905 nm reflectivities
 * and transmissions as the material table's sources give them (asphalt 0.08, white paint 0.8,
 * concrete 0.3, window glass 0.04 reflecting and 0.85 passing, car glass 0.7 passing, leaves
 * 0.5 passing), the retroreflection gain from EN 1436's R3 class, and binomial bounds on the
 * share of rays that pass.
 */
const DEG = Math.PI / 180;
const EXACT = { rangeNoiseStd: 0, dropoutBase: 0, minSignal: 0, noReturn: 'drop' as const, motionDistortion: false };
const building = classId('building');

function lidarConfig(overrides: Partial<LidarConfig>): LidarConfig {
  return {
    name: 'm', type: 'lidar', parent: 'ego', mount: { x: 0, y: 0, z: 0, roll: 0, pitch: 0, yaw: 0 },
    rateHz: 10, elevations: [0], horizontalFov: 2 * Math.PI, horizontalResolution: DEG, minRange: 0.1, maxRange: 100, ...EXACT,
    ...overrides,
  };
}

const ego = (instanceId = 99): ActorState => ({ id: 'ego', instanceId, pose: { p: [0, 0, 0], q: [0, 0, 0, 1] } }) as unknown as ActorState;

const arrays = (frame: Frame) => ({
  points: fieldArray(frame.data.points) as Float32Array,
  semantic: fieldArray(frame.data.semantic) as Uint8Array,
  instance: fieldArray(frame.data.instance) as Uint32Array,
});

/** An upright plane x = at, 200 m square, of one class and material. */
function wallAt(mesh: MeshBuilder, at: number, cls: number, material: number): void {
  mesh.quad([at, -100, -100], [at, 100, -100], [at, 100, 100], [at, -100, 100], cls, material);
}

/** A sector of 16 channels x 1801 columns (28 816 rays) looking along +x at planes x = const. */
const sector = lidarConfig({
  elevations: Array.from({ length: 16 }, (_, i) => (-20 + (40 * i) / 15) * DEG),
  horizontalFov: 90 * DEG, horizontalResolution: 0.05 * DEG,
});

/** Each point's plane (its x in the sensor frame, which faces +x from the origin), counted. */
function countByPlane(points: Float32Array, planes: number[]): number[] {
  const counts = planes.map(() => 0);
  for (let k = 0; k < points.length / 4; k++) {
    const x = points[k * 4];
    const plane = planes.findIndex((p) => Math.abs(x - p) < 1e-3);
    expect(plane).toBeGreaterThanOrEqual(0);
    counts[plane]++;
  }
  return counts;
}

/** |observed share - p| within 5 binomial standard deviations over n trials. */
function expectBinomial(count: number, n: number, p: number): void {
  expect(Math.abs(count / n - p)).toBeLessThan(5 * Math.sqrt((p * (1 - p)) / n));
}

describe('LiDAR through glass and foliage', () => {
  it('passes a window pane with probability 0.85 and reaches the wall behind; stops on the glass weakly', () => {
    const mesh = new MeshBuilder();
    wallAt(mesh, 5, building, materialId('window_glass'));
    wallAt(mesh, 10, building, materialId('facade_plaster'));
    const frame = new Lidar(sector, new Random(11)).capture(World.fromMesh(mesh), ego(), 0);
    const { points, semantic, instance } = arrays(frame);
    const n = 16 * 1801;
    expect(points.length / 4).toBe(n);
    const [onGlass, onWall] = countByPlane(points, [5, 10]);
    expectBinomial(onWall, n, 0.85);
    expect(onGlass + onWall).toBe(n);
    for (let k = 0; k < n; k++) {
      expect(semantic[k]).toBe(building);
      expect(instance[k]).toBe(0);
      // Range and incidence from the point itself: the plane x = p is hit at range r with
      // cos(incidence) = p / r. Glass reflects 0.04 (Fresnel, n = 1.52), plaster 0.5.
      const x = points[k * 4], r = Math.hypot(points[k * 4], points[k * 4 + 1], points[k * 4 + 2]);
      const rho = x < 7 ? 0.04 : 0.5;
      expect(points[k * 4 + 3]).toBeCloseTo(rho * (x / r) * (10 / r) ** 2, 5);
    }
  });

  it('passes two panes independently: window glass 0.85 then car glass 0.7', () => {
    const mesh = new MeshBuilder();
    wallAt(mesh, 4, building, materialId('window_glass'));
    wallAt(mesh, 6, classId('vehicle'), materialId('car_glass'));
    wallAt(mesh, 9, building, materialId('concrete'));
    const { points, semantic } = arrays(new Lidar(sector, new Random(12)).capture(World.fromMesh(mesh), ego(), 0));
    const n = points.length / 4;
    const [first, second, wall] = countByPlane(points, [4, 6, 9]);
    expectBinomial(first, n, 0.15);
    expectBinomial(second, n, 0.85 * 0.3);
    expectBinomial(wall, n, 0.85 * 0.7);
    // Points keep the class of the surface they stop at.
    for (let k = 0; k < n; k++) expect(semantic[k]).toBe(Math.abs(points[k * 4] - 6) < 1e-3 ? classId('vehicle') : building);
  });

  it('gives up after four passes: behind five layers of leaves nothing is reached, the fifth stops 1/16', () => {
    const mesh = new MeshBuilder();
    const layers = [3, 4, 5, 6, 7];
    for (const x of layers) wallAt(mesh, x, classId('vegetation'), materialId('leaves'));
    wallAt(mesh, 12, building, materialId('concrete'));
    const { points } = arrays(new Lidar(sector, new Random(13)).capture(World.fromMesh(mesh), ego(), 0));
    const n = points.length / 4;
    const counts = countByPlane(points, [...layers, 12]);
    expect(counts[5]).toBe(0);
    for (let layer = 0; layer < 4; layer++) expectBinomial(counts[layer], n, 0.5 ** (layer + 1));
    expectBinomial(counts[4], n, 0.5 ** 4);
  });

  it('gives byte-identical sweeps (whole, or column by column while moving) for one seed on 1 or 2 pool threads or none, and others for another seed', async () => {
    const mesh = new MeshBuilder();
    wallAt(mesh, 4, building, materialId('window_glass'));
    wallAt(mesh, 6, classId('vegetation'), materialId('leaves'));
    wallAt(mesh, 9, building, materialId('facade_brick'));
    const world = World.fromMesh(mesh);
    const sweep = (seed: number) => Buffer.from(fieldArray(new Lidar(sector, new Random(seed)).capture(world, ego(), 0).data.points).buffer);
    // The same, column by column while the sensor moves 1 m/s along y (10 steps of 10 ms).
    const moving = () => {
      const lidar = new Lidar({ ...sector, motionDistortion: true }, new Random(21));
      const at = (t: number) => ({ ...ego(), pose: { p: [0, t / 1e9, 0], q: [0, 0, 0, 1] } }) as unknown as ActorState;
      let frame: Frame | undefined;
      for (let step = 0; step < 10 && !frame; step++) frame = lidar.advance(world, at(step * 1e7), at((step + 1) * 1e7), step * 1e7, (step + 1) * 1e7);
      return Buffer.from(fieldArray(frame!.data.points).buffer);
    };
    const alone = sweep(21);
    const movingAlone = moving();
    await onEveryPool(world.scene, () => {
      expect(Buffer.compare(sweep(21), alone)).toBe(0);
      expect(Buffer.compare(moving(), movingAlone)).toBe(0);
    });
    expect(Buffer.compare(sweep(22), alone)).not.toBe(0);
  });
});

describe('LiDAR intensity from materials', () => {
  /** EN 1436 class R3, 150 mcd m^-2 lx^-1, over a Lambertian rho = 0.8 lit 1.24 deg above the road. */
  const retroGain = 0.15 / ((0.8 * Math.sin(1.24 * DEG)) / Math.PI);

  it('lane paint returns the retroreflection gain times its reflectivity over asphalt\'s at the same range and angle', () => {
    expect(retroGain).toBeGreaterThan(27);
    expect(retroGain).toBeLessThan(27.5);
    const mesh = new MeshBuilder();
    // Asphalt where y < 0, lane paint where y > 0; rays at azimuth +-45 deg, 30 deg down from 2 m.
    mesh.quad([-50, -50, 0], [50, -50, 0], [50, 0, 0], [-50, 0, 0], classId('road'), materialId('asphalt_new'));
    mesh.quad([-50, 0, 0], [50, 0, 0], [50, 50, 0], [-50, 50, 0], classId('lane_marking'), materialId('lane_paint'));
    const config = lidarConfig({ elevations: [-30 * DEG], horizontalFov: 90 * DEG, horizontalResolution: 90 * DEG, mount: { x: 0, y: 0, z: 2, roll: 0, pitch: 0, yaw: 0 } });
    const { points, semantic } = arrays(new Lidar(config, new Random(1)).capture(World.fromMesh(mesh), ego(), 0));
    expect(points.length).toBe(8);
    // Column 0 is the left edge (+45 deg, y > 0: paint), column 1 the right (asphalt).
    expect([semantic[0], semantic[1]]).toEqual([classId('lane_marking'), classId('road')]);
    // Range 2 / sin 30 = 4 m, cos(incidence) = sin 30 = 0.5.
    const asphalt = 0.08 * 0.5 * (10 / 4) ** 2;
    expect(points[7]).toBeCloseTo(asphalt, 5);
    expect(points[3]).toBeCloseTo(0.8 * retroGain * 0.5 * (10 / 4) ** 2, 3);
    expect(points[3] / points[7]).toBeCloseTo((retroGain * 0.8) / 0.08, 2);
  });

  it('falls as cos(incidence) / range^2 down a concrete ground plane', () => {
    const mesh = new MeshBuilder();
    mesh.quad([-200, -200, 0], [200, -200, 0], [200, 200, 0], [-200, 200, 0], classId('sidewalk'), materialId('concrete'));
    const downs = [5, 10, 20, 30, 45, 60, 80];
    const config = lidarConfig({ elevations: downs.map((e) => -e * DEG), horizontalResolution: 90 * DEG, mount: { x: 0, y: 0, z: 1.5, roll: 0, pitch: 0, yaw: 0 } });
    const { points } = arrays(new Lidar(config, new Random(1)).capture(World.fromMesh(mesh), ego(), 0));
    expect(points.length / 4).toBe(4 * downs.length);
    for (let k = 0; k < points.length / 4; k++) {
      const down = downs[k % downs.length] * DEG;
      // From height h a ray d below the horizon meets the ground at h / sin d, at incidence
      // cos = sin d from the normal: 0.3 sin d (10 sin d / h)^2.
      const range = 1.5 / Math.sin(down);
      expect(Math.hypot(points[k * 4], points[k * 4 + 1], points[k * 4 + 2])).toBeCloseTo(range, 4);
      expect(points[k * 4 + 3] / (0.3 * Math.sin(down) * (10 / range) ** 2)).toBeCloseTo(1, 5);
    }
  });

  it('reads a car\'s paint from its appearance: 905 nm reflectivity 0.8 returns 4 times 0.2', () => {
    const paint = (nir: number) => ({ name: `grey ${nir}`, srgb: [128, 128, 128] as [number, number, number], nir });
    const intensities = (nir: number) => {
      const world = World.fromMesh(new MeshBuilder());
      const car = { id: 'car', instanceId: 7, kind: 'car', pose: { p: [0, 6, 0], q: [0, 0, 0, 1] }, appearance: { paint: paint(nir) } } as unknown as ActorState;
      world.update({ tick: 0, t_ns: 0, actors: [car] });
      // Rays level at 0.8 m (above the wheels, below the windows), across the lower body's
      // flank (y = 6 - width / 2), 20 deg either side of +y.
      const config = lidarConfig({ horizontalFov: 40 * DEG, horizontalResolution: 2 * DEG, mount: { x: 0, y: 0, z: 0.8, roll: 0, pitch: 0, yaw: 90 * DEG } });
      const { points, instance } = arrays(new Lidar(config, new Random(1)).capture(world, ego(), 0));
      expect([...instance].every((id) => id === 7)).toBe(true);
      return Array.from({ length: points.length / 4 }, (_, k) => points[k * 4 + 3]);
    };
    const bright = intensities(0.8), dark = intensities(0.2);
    expect(bright.length).toBe(21);
    for (let k = 0; k < bright.length; k++) expect(bright[k] / dark[k]).toBeCloseTo(4, 5);
  });
});
