import { materialId } from '../../core/materials.js';
import type { MeshBuilder } from '../../core/MeshBuilder.js';
import { classId } from '../../core/semantic.js';

type V3 = [number, number, number];

/**
 * One roadside building, as drawn from the seed: a box footprint (`along` the road by `depth`
 * away from it) with storeys of windows, a ground floor with shop windows under a band, and a
 * flat roof behind a metal parapet or a pitched roof of tiles.
 */
export interface BuildingSpec {
  /** Centre of the footprint on the ground. */
  center: V3;
  /** Heading of the façade that faces the road (rad): `along` runs this way. */
  yaw: number;
  along: number;
  depth: number;
  facade: 'facade_plaster' | 'facade_brick';
  /** Storeys above the ground floor. */
  upperStoreys: number;
  storeyHeight: number;
  roof: 'flat' | 'pitched';
  /** Rise of a pitched roof above the eaves (m); 0 for a flat one. */
  roofRise: number;
}

/** Ranges the plan draws buildings from (exported so that tests check the drawn ones). */
export const BUILDING_RANGES = {
  upperStoreys: [1, 7] as const,
  storeyHeight: [2.9, 3.4] as const,
  /** A pitched roof's slope (rad), about 25° to 40° as on most European houses. */
  roofPitch: [0.44, 0.7] as const,
};

/** The ground floor is taller than the others: shops, lobbies. */
export const GROUND_FLOOR_HEIGHT = 4.2;
/** Windows sit this far behind the façade, so their reveals catch light and LiDAR returns. */
const WINDOW_INSET = 0.15;
const PLINTH = 0.5;
const BAND = 0.45;
const SILL = 0.9;
const WINDOW_HEIGHT = 1.5;
const WINDOW_WIDTH = 1.25;
const BAY = 2.7;
const PARAPET_HEIGHT = 0.9;
const PARAPET_THICKNESS = 0.25;

/** Height of the walls (eaves), without a pitched roof's rise. */
export function wallHeight(spec: BuildingSpec): number {
  return GROUND_FLOOR_HEIGHT + spec.upperStoreys * spec.storeyHeight;
}

/** A horizontal strip of a façade: one material, and windows at the given spans across it. */
interface FacadeRow {
  z0: number;
  z1: number;
  material: number;
  /** Window spans along the face, in metres from its left end; empty for a plain strip. */
  windows: [number, number][];
}

/** Windows spread evenly over a face of this width, one per bay, with at least a pier at each end. */
function windowSpans(width: number, windowWidth: number, bay: number): [number, number][] {
  const count = Math.floor((width - 0.8) / bay);
  if (count < 1) return [];
  const pitch = width / count;
  return Array.from({ length: count }, (_, i) => [pitch * (i + 0.5) - windowWidth / 2, pitch * (i + 0.5) + windowWidth / 2] as [number, number]);
}

function facadeRows(spec: BuildingSpec, width: number): FacadeRow[] {
  const wall = materialId(spec.facade);
  const concrete = materialId('concrete');
  const glass = (w: number, bay: number): [number, number][] => windowSpans(width, w, bay);
  const g = GROUND_FLOOR_HEIGHT;
  const rows: FacadeRow[] = [
    { z0: 0, z1: PLINTH, material: concrete, windows: [] },
    // Shop windows: wider and taller than the ones above.
    { z0: PLINTH, z1: g - BAND - 0.6, material: wall, windows: glass(2.2, 3.6) },
    { z0: g - BAND - 0.6, z1: g - BAND, material: wall, windows: [] },
    { z0: g - BAND, z1: g, material: concrete, windows: [] },
  ];
  for (let k = 0; k < spec.upperStoreys; k++) {
    const z0 = g + k * spec.storeyHeight;
    rows.push(
      { z0, z1: z0 + SILL, material: wall, windows: [] },
      { z0: z0 + SILL, z1: z0 + SILL + WINDOW_HEIGHT, material: wall, windows: glass(WINDOW_WIDTH, BAY) },
      { z0: z0 + SILL + WINDOW_HEIGHT, z1: z0 + spec.storeyHeight, material: wall, windows: [] },
    );
  }
  return rows;
}

/**
 * Meshes a building: four façades of rows with inset windows (glass behind reveals), and its
 * roof. Every triangle is class `building`; materials tell plaster, brick, glass and roof apart.
 */
export function meshBuilding(mesh: MeshBuilder, spec: BuildingSpec): void {
  const cls = classId('building');
  const c = Math.cos(spec.yaw), s = Math.sin(spec.yaw);
  const [cx, cy, cz] = spec.center;
  // Building frame to world: u along `yaw`, v to its left, z up from the footprint.
  const at = (u: number, v: number, z: number): V3 => [cx + c * u - s * v, cy + s * u + c * v, cz + z];
  const hu = spec.along / 2, hv = spec.depth / 2;
  // Corners counter-clockwise seen from above; each face runs from one corner to the next,
  // so its outward normal is to its right.
  const corners: [number, number][] = [[-hu, -hv], [hu, -hv], [hu, hv], [-hu, hv]];
  const top = wallHeight(spec);
  for (let i = 0; i < 4; i++) {
    const [u0, v0] = corners[i], [u1, v1] = corners[(i + 1) % 4];
    const width = Math.hypot(u1 - u0, v1 - v0);
    const du = (u1 - u0) / width, dv = (v1 - v0) / width;
    // Outward normal: the face direction turned clockwise.
    const nu = dv, nv = -du;
    const point = (x: number, z: number, inset = 0): V3 => at(u0 + du * x - nu * inset, v0 + dv * x - nv * inset, z);
    for (const row of facadeRows(spec, width)) meshRow(mesh, row, width, point, cls);
  }
  if (spec.roof === 'flat') meshFlatRoof(mesh, spec, at, top, cls);
  else meshPitchedRoof(mesh, spec, at, top, cls);
}

function meshRow(mesh: MeshBuilder, row: FacadeRow, width: number, point: (x: number, z: number, inset?: number) => V3, cls: number): void {
  const { z0, z1, material } = row;
  const wallQuad = (x0: number, x1: number): void => {
    if (x1 - x0 > 1e-6) mesh.quad(point(x0, z0), point(x1, z0), point(x1, z1), point(x0, z1), cls, material);
  };
  let x = 0;
  const glass = materialId('window_glass');
  for (const [w0, w1] of row.windows) {
    wallQuad(x, w0);
    const d = WINDOW_INSET;
    mesh.quad(point(w0, z0, d), point(w1, z0, d), point(w1, z1, d), point(w0, z1, d), cls, glass);
    // Reveals: the four sides of the recess, from the façade plane back to the glass.
    mesh.quad(point(w0, z0), point(w0, z0, d), point(w0, z1, d), point(w0, z1), cls, material);
    mesh.quad(point(w1, z0, d), point(w1, z0), point(w1, z1), point(w1, z1, d), cls, material);
    mesh.quad(point(w0, z0), point(w1, z0), point(w1, z0, d), point(w0, z0, d), cls, material);
    mesh.quad(point(w0, z1, d), point(w1, z1, d), point(w1, z1), point(w0, z1), cls, material);
    x = w1;
  }
  wallQuad(x, width);
}

function meshFlatRoof(mesh: MeshBuilder, spec: BuildingSpec, at: (u: number, v: number, z: number) => V3, top: number, cls: number): void {
  const hu = spec.along / 2, hv = spec.depth / 2;
  mesh.quad(at(-hu, -hv, top), at(hu, -hv, top), at(hu, hv, top), at(-hu, hv, top), cls, materialId('concrete'));
  // The parapet: a low metal-capped wall around the roof's edge, as boxes in the building's frame.
  const metal = materialId('roof_metal');
  const t = PARAPET_THICKNESS;
  const z = top + PARAPET_HEIGHT / 2;
  const box = (u: number, v: number, su: number, sv: number): void => mesh.box(at(u, v, z), [su, sv, PARAPET_HEIGHT], spec.yaw, cls, metal);
  box(0, -hv + t / 2, spec.along, t);
  box(0, hv - t / 2, spec.along, t);
  box(-hu + t / 2, 0, t, spec.depth - 2 * t);
  box(hu - t / 2, 0, t, spec.depth - 2 * t);
}

/** Two tiled slopes meeting at a ridge along the road, and gables in the façade's material. */
function meshPitchedRoof(mesh: MeshBuilder, spec: BuildingSpec, at: (u: number, v: number, z: number) => V3, top: number, cls: number): void {
  const hu = spec.along / 2, hv = spec.depth / 2;
  const ridge = top + spec.roofRise;
  const tiles = materialId('roof_tiles');
  const wall = materialId(spec.facade);
  mesh.quad(at(-hu, -hv, top), at(hu, -hv, top), at(hu, 0, ridge), at(-hu, 0, ridge), cls, tiles);
  mesh.quad(at(hu, hv, top), at(-hu, hv, top), at(-hu, 0, ridge), at(hu, 0, ridge), cls, tiles);
  mesh.triangle(at(hu, -hv, top), at(hu, hv, top), at(hu, 0, ridge), cls, wall);
  mesh.triangle(at(-hu, hv, top), at(-hu, -hv, top), at(-hu, 0, ridge), cls, wall);
}
