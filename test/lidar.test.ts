import { describe, expect, it } from 'vitest';
import { fieldArray } from '../src/core/frame.js';
import { MeshBuilder } from '../src/core/MeshBuilder.js';
import { Random } from '../src/core/Random.js';
import { classId } from '../src/core/semantic.js';
import { Lidar } from '../src/sensors/Lidar.js';
import type { LidarConfig } from '../src/sensors/Rig.js';
import type { ActorState } from '../src/sim/WorldState.js';
import { World } from '../src/world/World.js';

const DEG = Math.PI / 180;
/** No noise, no dropout, no-returns left out, the whole sweep from one pose. */
const EXACT = { rangeNoiseStd: 0, dropoutBase: 0, minSignal: 0, noReturn: 'drop' as const, motionDistortion: false };

/**
 * Range of a ray to a z = 0 ground plane and to an upright box, by hand: the plane in closed
 * form, the box by slabs in the box's own frame. Returns Infinity for no return in range.
 */
function analyticRange(o: number[], d: number[], box: { c: number[]; size: number[]; yaw: number }, min: number, max: number): number {
  let best = Infinity;
  if (d[2] < 0) best = -o[2] / d[2];
  const cy = Math.cos(-box.yaw), sy = Math.sin(-box.yaw);
  const lo = [o[0] - box.c[0], o[1] - box.c[1], o[2] - box.c[2]];
  const lOrigin = [cy * lo[0] - sy * lo[1], sy * lo[0] + cy * lo[1], lo[2]];
  const lDir = [cy * d[0] - sy * d[1], sy * d[0] + cy * d[1], d[2]];
  let near = -Infinity, far = Infinity;
  for (let a = 0; a < 3; a++) {
    const h = box.size[a] / 2;
    if (lDir[a] === 0) {
      if (Math.abs(lOrigin[a]) > h) { near = Infinity; break; }
      continue;
    }
    const t0 = (-h - lOrigin[a]) / lDir[a], t1 = (h - lOrigin[a]) / lDir[a];
    near = Math.max(near, Math.min(t0, t1));
    far = Math.min(far, Math.max(t0, t1));
  }
  if (near <= far && near > 0) best = Math.min(best, near);
  return best >= min && best <= max ? best : Infinity;
}

describe('Lidar', () => {
  it('measures the analytic ranges to a ground plane and a box at a known pose', () => {
    const box = { c: [14, 5, 1.2], size: [3, 5, 2.4], yaw: 25 * DEG };
    const mesh = new MeshBuilder();
    mesh.quad([-200, -200, 0], [200, -200, 0], [200, 200, 0], [-200, 200, 0], classId('road'));
    mesh.box(box.c as [number, number, number], box.size as [number, number, number], box.yaw, classId('building'));
    const world = World.fromMesh(mesh);

    const config: LidarConfig = {
      name: 'test', type: 'lidar', parent: 'ego',
      mount: { x: 1, y: 0.5, z: 1.7, roll: 0, pitch: 0, yaw: 10 * DEG },
      rateHz: 10, elevations: Array.from({ length: 16 }, (_, i) => (-15 + 2 * i) * DEG),
      horizontalFov: 2 * Math.PI, horizontalResolution: 1 * DEG, minRange: 0.5, maxRange: 60, ...EXACT,
    };
    const lidar = new Lidar(config, new Random(1));
    const parentYaw = 20 * DEG;
    const parent = {
      id: 'ego', instanceId: 99, kind: 'car', ego: true,
      pose: { p: [2, -1, 0], q: [0, 0, Math.sin(parentYaw / 2), Math.cos(parentYaw / 2)] },
    } as unknown as ActorState;
    const frame = lidar.capture(world, parent, 0);
    const points = fieldArray(frame.data.points) as Float32Array;

    // The sensor sits at parent + Rz(parentYaw) mount, looking along parentYaw + mount yaw.
    const sensor = [2 + Math.cos(parentYaw) * 1 - Math.sin(parentYaw) * 0.5, -1 + Math.sin(parentYaw) * 1 + Math.cos(parentYaw) * 0.5, 1.7];
    const yaw = parentYaw + config.mount.yaw;
    const expected: number[][] = [];
    const columns = 360;
    for (let col = 0; col < columns; col++) {
      const azimuth = Math.PI - col * DEG;
      for (let ch = 0; ch < 16; ch++) {
        const elevation = (-15 + ch * 2) * DEG;
        const local = [Math.cos(elevation) * Math.cos(azimuth), Math.cos(elevation) * Math.sin(azimuth), Math.sin(elevation)];
        const dir = [Math.cos(yaw) * local[0] - Math.sin(yaw) * local[1], Math.sin(yaw) * local[0] + Math.cos(yaw) * local[1], local[2]];
        const range = analyticRange(sensor, dir, box, 0.5, 60);
        if (range !== Infinity) expected.push([range * local[0], range * local[1], range * local[2], range]);
      }
    }
    expect(points.length / 4).toBe(expected.length);
    let boxPoints = 0;
    for (let i = 0; i < expected.length; i++) {
      const [x, y, z, range] = expected[i];
      expect(Math.abs(points[i * 4] - x)).toBeLessThan(1e-3);
      expect(Math.abs(points[i * 4 + 1] - y)).toBeLessThan(1e-3);
      expect(Math.abs(points[i * 4 + 2] - z)).toBeLessThan(1e-3);
      expect(Math.abs(Math.hypot(points[i * 4], points[i * 4 + 1], points[i * 4 + 2]) - range)).toBeLessThan(1e-3);
      if (z > -1.69) boxPoints++;
      expect(points[i * 4 + 3]).toBeGreaterThanOrEqual(0);
      expect(points[i * 4 + 3]).toBeLessThanOrEqual(1);
    }
    expect(boxPoints).toBeGreaterThan(50);
    expect(expected.length).toBeGreaterThan(2000);
    expect(frame.fields.point_count).toBe(expected.length);
    expect(frame.topic).toBe('lidar/test');
    expect(frame.pose.p[0]).toBeCloseTo(sensor[0], 9);
    expect(frame.pose.p[1]).toBeCloseTo(sensor[1], 9);
  });

  it('intensity follows the material\'s reflectivity times the cosine of incidence over range squared', () => {
    const mesh = new MeshBuilder();
    mesh.quad([-100, -100, 0], [100, -100, 0], [100, 100, 0], [-100, 100, 0], classId('road'));
    const world = World.fromMesh(mesh);
    const config: LidarConfig = {
      name: 'one', type: 'lidar', parent: 'ego', mount: { x: 0, y: 0, z: 2, roll: 0, pitch: 0, yaw: 0 },
      rateHz: 10, elevations: [-30 * DEG],
      horizontalFov: 2 * Math.PI, horizontalResolution: 90 * DEG, minRange: 0.1, maxRange: 100, ...EXACT,
    };
    const parent = { id: 'ego', instanceId: 1, pose: { p: [0, 0, 0], q: [0, 0, 0, 1] } } as unknown as ActorState;
    const points = fieldArray(new Lidar(config, new Random(1)).capture(world, parent, 0).data.points) as Float32Array;
    expect(points.length).toBe(16);
    for (let i = 0; i < 4; i++) {
      expect(Math.hypot(points[i * 4], points[i * 4 + 1], points[i * 4 + 2])).toBeCloseTo(4, 4); // 2 / sin(30°)
      // A road's usual material is new asphalt, 905 nm reflectivity 0.08: 0.08 sin 30 (10 / 4)^2.
      expect(points[i * 4 + 3]).toBeCloseTo(0.08 * Math.sin(30 * DEG) * (10 / 4) ** 2, 5);
    }
  });
});
