import { materialId } from '../../core/materials.js';
import { MeshBuilder } from '../../core/MeshBuilder.js';
import { tube } from './shapes.js';

const TYRE = materialId('tyre_rubber');
const RIM = materialId('rim_alloy');
const BLACK = materialId('plastic_black');
const FRAME = materialId('bicycle_frame');

type V3 = [number, number, number];

/** Facets around a wheel: a 0.35 m tyre's flats stay under 10 cm. */
const SEGMENTS = 24;

/**
 * A road wheel in its own frame: centre at the origin, axle along y, the outer face toward
 * +y for `side` 1 (left wheels) and -y for -1. A tyre (tread and sidewalls) round a rim whose
 * five spokes show its turning to cameras and LiDARs alike.
 */
export function roadWheel(radius: number, width: number, side: 1 | -1, cls: number): MeshBuilder {
  const mesh = new MeshBuilder();
  const rimRadius = 0.68 * radius;
  const outer = (side * width) / 2, inner = (-side * width) / 2;
  const at = (r: number, a: number, y: number): V3 => [r * Math.sin(a), y, r * Math.cos(a)];
  const face = outer - side * 0.025;
  for (let i = 0; i < SEGMENTS; i++) {
    const a0 = (2 * Math.PI * i) / SEGMENTS, a1 = (2 * Math.PI * (i + 1)) / SEGMENTS;
    mesh.quad(at(radius, a0, outer), at(radius, a1, outer), at(radius, a1, inner), at(radius, a0, inner), cls, TYRE);
    for (const y of [outer, inner]) mesh.quad(at(radius, a0, y), at(rimRadius, a0, y), at(rimRadius, a1, y), at(radius, a1, y), cls, TYRE);
    // The rim's face: spokes in alloy, the gaps between them dark.
    const spoke = Math.floor((i * 10) / SEGMENTS) % 2 === 0;
    mesh.quad(at(rimRadius, a0, outer), at(rimRadius, a0, face), at(rimRadius, a1, face), at(rimRadius, a1, outer), cls, RIM);
    mesh.triangle([0, face, 0], at(rimRadius, a0, face), at(rimRadius, a1, face), cls, spoke ? RIM : BLACK);
    mesh.triangle([0, inner, 0], at(rimRadius, a1, inner), at(rimRadius, a0, inner), cls, BLACK);
  }
  return mesh;
}

/** A bicycle wheel: a narrow tyre on a rim, a hub and 12 spokes (tubes), axle along y. */
export function bicycleWheel(radius: number, cls: number): MeshBuilder {
  const mesh = new MeshBuilder();
  const tyre = 0.035, half = 0.018;
  const at = (r: number, a: number, y: number): V3 => [r * Math.sin(a), y, r * Math.cos(a)];
  for (let i = 0; i < SEGMENTS; i++) {
    const a0 = (2 * Math.PI * i) / SEGMENTS, a1 = (2 * Math.PI * (i + 1)) / SEGMENTS;
    mesh.quad(at(radius, a0, half), at(radius, a1, half), at(radius, a1, -half), at(radius, a0, -half), cls, TYRE);
    for (const y of [half, -half]) mesh.quad(at(radius, a0, y), at(radius - tyre, a0, y), at(radius - tyre, a1, y), at(radius, a1, y), cls, TYRE);
    mesh.quad(at(radius - tyre, a0, half), at(radius - tyre, a0, -half), at(radius - tyre, a1, -half), at(radius - tyre, a1, half), cls, FRAME);
  }
  for (let k = 0; k < 12; k++) {
    const a = (2 * Math.PI * k) / 12;
    tube(mesh, [0, k % 2 ? 0.02 : -0.02, 0], at(radius - tyre, a, 0), 0.003, cls, RIM, 3);
  }
  tube(mesh, [0, -0.05, 0], [0, 0.05, 0], 0.02, cls, RIM);
  return mesh;
}
