import type { MeshBuilder } from '../../core/MeshBuilder.js';

/** Small solids the actor models are made of, each closed and in the caller's frame. */
export type V3 = [number, number, number];

/**
 * A tapered elliptic prism hanging from `top` along -z for `length`: a limb. Radii across x
 * (depth) and y (width) at the top and at the bottom; `sides` facets around.
 */
export function limb(
  mesh: MeshBuilder, top: V3, length: number, radiusTop: [number, number], radiusBottom: [number, number],
  cls: number, material: number | ((side: number, sides: number) => number), sides = 8,
): void {
  const ring = (z: number, r: [number, number]): V3[] => {
    const out: V3[] = [];
    for (let i = 0; i < sides; i++) {
      const a = (2 * Math.PI * i) / sides;
      out.push([top[0] + r[0] * Math.cos(a), top[1] + r[1] * Math.sin(a), z]);
    }
    return out;
  };
  const upper = ring(top[2], radiusTop);
  const lower = ring(top[2] - length, radiusBottom);
  const mat = (i: number): number => (typeof material === 'number' ? material : material(i, sides));
  for (let i = 0; i < sides; i++) {
    const j = (i + 1) % sides;
    mesh.quad(lower[i], lower[j], upper[j], upper[i], cls, mat(i));
    mesh.triangle([top[0], top[1], top[2]], upper[j], upper[i], cls, mat(i));
    mesh.triangle([top[0], top[1], top[2] - length], lower[i], lower[j], cls, mat(i));
  }
}

/** A tube of radius r between two points (a hexagonal prism, capped). */
export function tube(mesh: MeshBuilder, a: V3, b: V3, r: number, cls: number, material: number, sides = 6): void {
  const d: V3 = [b[0] - a[0], b[1] - a[1], b[2] - a[2]];
  const len = Math.hypot(d[0], d[1], d[2]);
  const u: V3 = [d[0] / len, d[1] / len, d[2] / len];
  // Any vector not parallel to the axis gives the two perpendiculars.
  const helper: V3 = Math.abs(u[2]) < 0.9 ? [0, 0, 1] : [1, 0, 0];
  const e1 = normalize(cross(u, helper));
  const e2 = cross(u, e1);
  const ring = (c: V3): V3[] => {
    const out: V3[] = [];
    for (let i = 0; i < sides; i++) {
      const t = (2 * Math.PI * i) / sides;
      const ct = Math.cos(t) * r, st = Math.sin(t) * r;
      out.push([c[0] + ct * e1[0] + st * e2[0], c[1] + ct * e1[1] + st * e2[1], c[2] + ct * e1[2] + st * e2[2]]);
    }
    return out;
  };
  const ra = ring(a), rb = ring(b);
  for (let i = 0; i < sides; i++) {
    const j = (i + 1) % sides;
    mesh.quad(ra[i], ra[j], rb[j], rb[i], cls, material);
    mesh.triangle(a, ra[j], ra[i], cls, material);
    mesh.triangle(b, rb[i], rb[j], cls, material);
  }
}

/**
 * A UV sphere (rings x segments facets); `material(latitude, longitude)` in radians picks
 * each facet's material (hair on the crown, skin on the face).
 */
export function sphere(mesh: MeshBuilder, centre: V3, radius: [number, number, number], cls: number, material: (lat: number, lon: number) => number, rings = 6, segments = 10): void {
  const at = (i: number, j: number): V3 => {
    const lat = -Math.PI / 2 + (Math.PI * i) / rings;
    const lon = (2 * Math.PI * j) / segments;
    return [centre[0] + radius[0] * Math.cos(lat) * Math.cos(lon), centre[1] + radius[1] * Math.cos(lat) * Math.sin(lon), centre[2] + radius[2] * Math.sin(lat)];
  };
  for (let i = 0; i < rings; i++) {
    for (let j = 0; j < segments; j++) {
      const mat = material(-Math.PI / 2 + (Math.PI * (i + 0.5)) / rings, (2 * Math.PI * (j + 0.5)) / segments);
      const a = at(i, j), b = at(i, j + 1), c = at(i + 1, j + 1), d = at(i + 1, j);
      if (i > 0) mesh.triangle(a, b, c, cls, mat);
      if (i < rings - 1) mesh.triangle(a, c, d, cls, mat);
    }
  }
}

/** An axis-aligned box from its two corners. */
export function slab(mesh: MeshBuilder, min: V3, max: V3, cls: number, material: number): void {
  mesh.box([(min[0] + max[0]) / 2, (min[1] + max[1]) / 2, (min[2] + max[2]) / 2], [max[0] - min[0], max[1] - min[1], max[2] - min[2]], 0, cls, material);
}

function cross(a: V3, b: V3): V3 {
  return [a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0]];
}

function normalize(a: V3): V3 {
  const l = Math.hypot(a[0], a[1], a[2]);
  return [a[0] / l, a[1] / l, a[2] / l];
}

/** Rotation about y by an angle as a quaternion (x, y, z, w). */
export function quatAboutY(angle: number): [number, number, number, number] {
  return [0, Math.sin(angle / 2), 0, Math.cos(angle / 2)];
}

/** Rotation about z, then about the rotated y: a steered wheel that spins. */
export function quatSteerSpin(steer: number, spin: number): [number, number, number, number] {
  const cz = Math.cos(steer / 2), sz = Math.sin(steer / 2);
  const cy = Math.cos(spin / 2), sy = Math.sin(spin / 2);
  // qz(steer) * qy(spin)
  return [-sz * sy, cz * sy, sz * cy, cz * cy];
}
