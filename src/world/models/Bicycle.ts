import { materialId } from '../../core/materials.js';
import { MeshBuilder } from '../../core/MeshBuilder.js';
import type { BicycleGeometry } from '../../sim/Bodies.js';
import { slab, tube, type V3 } from './shapes.js';

const FRAME = materialId('bicycle_frame');
const BLACK = materialId('plastic_black');
const CHROME = materialId('chrome');

/**
 * A diamond-frame bicycle without its wheels and crank (they turn): tubes from the rear axle,
 * the bottom bracket, the saddle and the head tube, a fork to the front axle, a stem and a
 * flat handlebar 0.6 m wide. Body frame of the cyclist: origin on the ground under the middle
 * of the wheelbase, x forward.
 */
export function bicycleFrame(g: BicycleGeometry, cls: number): MeshBuilder {
  const mesh = new MeshBuilder();
  const rearAxle: V3 = [-g.wheelbase / 2, 0, g.wheelRadius];
  const frontAxle: V3 = [g.wheelbase / 2, 0, g.wheelRadius];
  const bb = g.bottomBracket;
  const saddle: V3 = [g.hip[0], 0, g.hip[2] - 0.06];
  const seatTop: V3 = [bb[0] + 0.75 * (saddle[0] - bb[0]), 0, bb[2] + 0.75 * (saddle[2] - bb[2])];
  const headTop: V3 = [g.handlebar[0] - 0.08, 0, g.handlebar[2] - 0.08];
  const headBottom: V3 = [headTop[0] + 0.05, 0, headTop[2] - 0.17];
  const r = 0.017;
  tube(mesh, bb, seatTop, r, cls, FRAME);
  tube(mesh, seatTop, saddle, 0.012, cls, CHROME);
  tube(mesh, seatTop, headTop, r, cls, FRAME);
  tube(mesh, bb, headBottom, 0.02, cls, FRAME);
  tube(mesh, headBottom, headTop, 0.02, cls, FRAME);
  for (const y of [0.06, -0.06]) {
    tube(mesh, bb, [rearAxle[0], y, rearAxle[2]], 0.01, cls, FRAME);
    tube(mesh, seatTop, [rearAxle[0], y, rearAxle[2]], 0.009, cls, FRAME);
    tube(mesh, headBottom, [frontAxle[0], y, frontAxle[2]], 0.012, cls, FRAME);
  }
  tube(mesh, headTop, [g.handlebar[0], 0, g.handlebar[2]], 0.014, cls, CHROME);
  tube(mesh, [g.handlebar[0], -0.3, g.handlebar[2]], [g.handlebar[0], 0.3, g.handlebar[2]], 0.012, cls, CHROME);
  for (const y of [0.3, -0.3]) tube(mesh, [g.handlebar[0], y * 0.75, g.handlebar[2]], [g.handlebar[0], y, g.handlebar[2]], 0.018, cls, BLACK);
  slab(mesh, [saddle[0] - 0.13, -0.07, saddle[2]], [saddle[0] + 0.13, 0.07, saddle[2] + 0.05], cls, BLACK);
  return mesh;
}

/**
 * The crank in its own frame (the bottom bracket at the origin): the left arm along +z, the
 * right along -z, a pedal at each end; the chainring round the axle on the right.
 */
export function bicycleCrank(g: BicycleGeometry, pedalOffsetY: number, cls: number): MeshBuilder {
  const mesh = new MeshBuilder();
  tube(mesh, [0, 0.07, 0], [0, -0.07, 0], 0.015, cls, CHROME);
  for (const side of [1, -1]) {
    const end: V3 = [0, side * 0.07, side * g.crankLength];
    tube(mesh, [0, side * 0.07, 0], end, 0.012, cls, CHROME);
    const y = side * pedalOffsetY;
    slab(mesh, [-0.05, Math.min(y, side * 0.07) - 0.03 * (side > 0 ? 0 : 1), end[2] - 0.012], [0.05, Math.max(y, side * 0.07) + 0.03 * (side > 0 ? 1 : 0), end[2] + 0.012], cls, BLACK);
  }
  // Chainring (42 teeth, 0.17 m across) as a flat 12-gon on the right.
  for (let i = 0; i < 12; i++) {
    const a0 = (2 * Math.PI * i) / 12, a1 = (2 * Math.PI * (i + 1)) / 12;
    mesh.triangle([0, -0.05, 0], [0.085 * Math.sin(a0), -0.05, 0.085 * Math.cos(a0)], [0.085 * Math.sin(a1), -0.05, 0.085 * Math.cos(a1)], cls, CHROME);
  }
  return mesh;
}
