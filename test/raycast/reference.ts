import { Random } from '../../src/core/Random.js';
import type { Instance } from '../../src/raycast/RaycastScene.js';

/** Reference: closest hit over every triangle, in float64, written independently of the kernel. */
export function bruteForce(positions: ArrayLike<number>, o: number[], d: number[], tMin: number, tMax: number): { t: number; tri: number } {
  let best = { t: Infinity, tri: -1 };
  for (let i = 0; i < positions.length / 9; i++) {
    const v = (k: number): number[] => [positions[i * 9 + k * 3], positions[i * 9 + k * 3 + 1], positions[i * 9 + k * 3 + 2]];
    const [a, b, c] = [v(0), v(1), v(2)];
    const e1 = [b[0] - a[0], b[1] - a[1], b[2] - a[2]];
    const e2 = [c[0] - a[0], c[1] - a[1], c[2] - a[2]];
    // Solve o + t d = a + u e1 + v e2 by Cramer's rule.
    const m = [[-d[0], e1[0], e2[0]], [-d[1], e1[1], e2[1]], [-d[2], e1[2], e2[2]]];
    const rhs = [o[0] - a[0], o[1] - a[1], o[2] - a[2]];
    const det3 = (q: number[][]): number => q[0][0] * (q[1][1] * q[2][2] - q[1][2] * q[2][1]) - q[0][1] * (q[1][0] * q[2][2] - q[1][2] * q[2][0]) + q[0][2] * (q[1][0] * q[2][1] - q[1][1] * q[2][0]);
    const det = det3(m);
    if (Math.abs(det) < 1e-12) continue;
    const col = (j: number): number[][] => m.map((row, r) => row.map((x, k) => (k === j ? rhs[r] : x)));
    const t = det3(col(0)) / det, u = det3(col(1)) / det, w = det3(col(2)) / det;
    if (u < 0 || w < 0 || u + w > 1) continue;
    if (t >= tMin && t <= tMax && t < best.t) best = { t, tri: i };
  }
  return best;
}

export function randomSoup(random: Random, count: number, extent: number, size = 4): { positions: Float32Array; classes: Uint8Array } {
  const positions = new Float32Array(count * 9);
  const classes = new Uint8Array(count);
  for (let i = 0; i < count; i++) {
    const c = [random.uniform(-extent, extent), random.uniform(-extent, extent), random.uniform(-extent, extent)];
    for (let k = 0; k < 3; k++) for (let a = 0; a < 3; a++) positions[i * 9 + k * 3 + a] = c[a] + random.uniform(-size, size);
    classes[i] = 1 + (i % 50);
  }
  return { positions, classes };
}

/**
 * A material id per triangle that does not follow the class (so a kernel that reported the
 * class's usual material would be caught): a fixed scramble of the index over ids 0..34.
 */
export function scrambledMaterials(count: number, salt: number): Uint8Array {
  return Uint8Array.from({ length: count }, (_, i) => (i * 13 + salt * 7 + 5) % 35);
}

export function randomRays(random: Random, count: number, extent: number): { origins: Float32Array; directions: Float32Array } {
  const origins = new Float32Array(count * 3);
  const directions = new Float32Array(count * 3);
  for (let i = 0; i < count; i++) {
    for (let a = 0; a < 3; a++) origins[i * 3 + a] = random.uniform(-extent, extent);
    const z = random.uniform(-1, 1), phi = random.uniform(0, 2 * Math.PI), r = Math.sqrt(1 - z * z);
    directions.set([r * Math.cos(phi), r * Math.sin(phi), z], i * 3);
  }
  return { origins, directions };
}

/** A unit quaternion from yaw, pitch and roll (z, y, x). */
export function quaternion(yaw: number, pitch: number, roll: number): [number, number, number, number] {
  const cy = Math.cos(yaw / 2), sy = Math.sin(yaw / 2), cp = Math.cos(pitch / 2), sp = Math.sin(pitch / 2), cr = Math.cos(roll / 2), sr = Math.sin(roll / 2);
  return [sr * cp * cy - cr * sp * sy, cr * sp * cy + sr * cp * sy, cr * cp * sy - sr * sp * cy, cr * cp * cy + sr * sp * sy];
}

/** A model soup placed in the world in float64: rotate by q, then translate by p. */
export function placeSoup(positions: Float32Array, p: readonly number[], q: readonly number[]): Float64Array {
  const [x, y, z, w] = q;
  const r = [
    1 - 2 * (y * y + z * z), 2 * (x * y - z * w), 2 * (x * z + y * w),
    2 * (x * y + z * w), 1 - 2 * (x * x + z * z), 2 * (y * z - x * w),
    2 * (x * z - y * w), 2 * (y * z + x * w), 1 - 2 * (x * x + y * y),
  ];
  const out = new Float64Array(positions.length);
  for (let i = 0; i < positions.length; i += 3) {
    for (let row = 0; row < 3; row++) {
      out[i + row] = r[row * 3] * positions[i] + r[row * 3 + 1] * positions[i + 1] + r[row * 3 + 2] * positions[i + 2] + p[row];
    }
  }
  return out;
}

/** n instances of `models` models at random places and turns: ids from `firstId`, within ±spread in x and y, ±height in z. */
export function randomInstances(random: Random, n: number, models: number, { firstId = 10, spread = 20, height = 5, tilt = 0.5 } = {}): Instance[] {
  return Array.from({ length: n }, (_, i) => ({
    model: i % models,
    instanceId: firstId + i,
    position: [random.uniform(-spread, spread), random.uniform(-spread, spread), random.uniform(-height, height)] as [number, number, number],
    quaternion: quaternion(random.uniform(-3, 3), random.uniform(-tilt, tilt), random.uniform(-tilt, tilt)),
  }));
}
