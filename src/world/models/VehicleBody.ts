import { materialId } from '../../core/materials.js';
import { MeshBuilder } from '../../core/MeshBuilder.js';
import { BODY_SHAPES, TRUCK_LAYOUT, type BodyShape } from './bodyStyles.js';
import { slab } from './shapes.js';

const PAINT = materialId('car_paint');
const GLASS = materialId('car_glass');
const BLACK = materialId('plastic_black');
const HEADLIGHT = materialId('headlight');
const TAILLIGHT = materialId('taillight');
const PLATE = materialId('number_plate');

type V3 = [number, number, number];

/** Where a wheel sits on a vehicle (body frame, wheel centre) and whether it steers. */
export interface WheelMount {
  x: number;
  y: number;
  z: number;
  steers: boolean;
  /** +1 on the left (outer face toward +y), -1 on the right. */
  side: 1 | -1;
  radius: number;
  width: number;
}

/** The end caps and details sit within this of the box's ends (m). */
const INSET = 0.012;
/** Gap between a tyre and its wheel arch (m). */
const ARCH_GAP = 0.04;

/**
 * A vehicle body of a style, sized to its box (length x width x height, the width including
 * the mirrors), in the body frame: origin at the footprint centre on the ground, x forward.
 * The wheels are not part of it (they turn): see `wheelMounts`.
 */
export function vehicleBody(style: string, length: number, width: number, height: number, wheelRadius: number, cls: number): MeshBuilder {
  const mesh = new MeshBuilder();
  if (style === 'truck_trailer') {
    truckWithTrailer(mesh, length, width, height, wheelRadius, cls);
    return mesh;
  }
  const shape = BODY_SHAPES[style];
  const arches = wheelMounts(style, length, width, wheelRadius).filter((w) => w.side === 1).map((w) => w.x);
  loft(mesh, shape, -length / 2 + INSET, length - 2 * INSET, width / 2 - shape.mirror, height, arches, wheelRadius, cls);
  return mesh;
}

/** The wheels of a vehicle of a style and size. */
export function wheelMounts(style: string, length: number, width: number, wheelRadius: number): WheelMount[] {
  const mounts: WheelMount[] = [];
  const add = (x: number, steers: boolean, shape: BodyShape): void => {
    const y = width / 2 - shape.mirror - shape.tyreWidth / 2 - 0.02;
    for (const side of [1, -1] as const) mounts.push({ x, y: side * y, z: wheelRadius, steers, side, radius: wheelRadius, width: shape.tyreWidth });
  };
  if (style === 'truck_trailer') {
    const cab = BODY_SHAPES.truck_cab;
    add(length / 2 - TRUCK_LAYOUT.frontAxleFromFront, true, cab);
    add(length / 2 - TRUCK_LAYOUT.driveAxleFromFront, false, cab);
    for (const fromRear of TRUCK_LAYOUT.trailerAxlesFromRear) add(-length / 2 + fromRear, false, cab);
    return mounts;
  }
  const shape = BODY_SHAPES[style];
  shape.axles.forEach((share, i) => add(-length / 2 + share * length, i === shape.axles.length - 1, shape));
  return mounts;
}

/** Corner cutting (Chaikin): rounds the profile's bonnet, roof and tail edges; the ends stay. */
function rounded(points: [number, number][], iterations: number): [number, number][] {
  let p = points;
  for (let k = 0; k < iterations; k++) {
    const out: [number, number][] = [p[0]];
    for (let i = 0; i + 1 < p.length; i++) {
      const [a, b] = [p[i], p[i + 1]];
      out.push([0.75 * a[0] + 0.25 * b[0], 0.75 * a[1] + 0.25 * b[1]], [0.25 * a[0] + 0.75 * b[0], 0.25 * a[1] + 0.75 * b[1]]);
    }
    out.push(p[p.length - 1]);
    p = out;
  }
  return p;
}

function interpolate(points: [number, number][], x: number): number {
  if (x <= points[0][0]) return points[0][1];
  for (let i = 0; i + 1 < points.length; i++) {
    const [a, b] = [points[i], points[i + 1]];
    if (x <= b[0]) return b[0] > a[0] ? a[1] + ((b[1] - a[1]) * (x - a[0])) / (b[0] - a[0]) : Math.max(a[1], b[1]);
  }
  return points[points.length - 1][1];
}

/**
 * Lofts a side profile across the width: stations along x, each a cross-section with a flat
 * underbody, vertical sides up to the window sill, a glasshouse leaning in by the tumblehome,
 * rounded shoulders and a flat top; the underbody rises over the wheels into arches. `x0` is
 * the rear end, `halfWidth` the body side (without mirrors).
 */
function loft(mesh: MeshBuilder, shape: BodyShape, x0: number, length: number, halfWidth: number, height: number, arches: number[], wheelRadius: number, cls: number): void {
  const profile = rounded(shape.profile, 2).map(([x, z]) => [x0 + x * length, z * height] as [number, number]);
  const xs = new Set<number>(profile.map((p) => p[0]));
  const archRadius = wheelRadius + ARCH_GAP;
  for (const ax of arches) {
    for (let k = -8; k <= 8; k++) xs.add(ax + (archRadius * k) / 8);
  }
  const stations = [...xs].filter((x) => x >= x0 && x <= x0 + length).sort((a, b) => a - b);
  const belt = shape.belt * height;
  const shoulder = Math.min(0.12, 0.05 * height);
  const rings: V3[][] = [];
  const tops: number[] = [];
  const belts: number[] = [];
  for (const x of stations) {
    const zt = interpolate(profile, x);
    let zb = shape.clearance;
    for (const ax of arches) {
      const dx = Math.abs(x - ax);
      if (dx < archRadius) zb = Math.max(zb, wheelRadius + Math.sqrt(archRadius * archRadius - dx * dx));
    }
    zb = Math.min(zb, zt - 0.12);
    const d = Math.min(x - x0, x0 + length - x);
    const rc = shape.cornerRadius;
    const w = d < rc ? halfWidth - rc + Math.sqrt(Math.max(rc * rc - (rc - d) ** 2, 0)) : halfWidth;
    const zBelt = Math.max(Math.min(belt, zt - shoulder - 0.03), zb + 0.09);
    const lean = shape.tumblehome * Math.min(Math.max((zt - zBelt) / 0.4, 0), 1);
    const wTop = Math.max(w - lean, shoulder + 0.02);
    const side: V3[] = [
      [x, 0, zb], [x, w - 0.06, zb], [x, w, zb + 0.08], [x, w, zBelt], [x, wTop, zt - shoulder],
      [x, wTop - shoulder + shoulder * Math.cos(Math.PI / 6), zt - shoulder + shoulder * Math.sin(Math.PI / 6)],
      [x, wTop - shoulder + shoulder * Math.cos(Math.PI / 3), zt - shoulder + shoulder * Math.sin(Math.PI / 3)],
      [x, wTop - shoulder, zt], [x, 0, zt],
    ];
    // Around the section: bottom centre, up the left side, over the top, down the right side.
    const mirrored = side.slice(1, -1).reverse().map(([px, py, pz]) => [px, -py, pz] as V3);
    rings.push([...side, ...mirrored]);
    tops.push(zt);
    belts.push(zBelt);
  }
  const n = rings[0].length;
  const within = (x: number, range: [number, number]): boolean => x >= x0 + range[0] * length && x <= x0 + range[1] * length;
  for (let i = 0; i + 1 < rings.length; i++) {
    const xm = (stations[i] + stations[i + 1]) / 2;
    const glasshouse = Math.min(tops[i] - belts[i], tops[i + 1] - belts[i + 1]) > 0.15;
    for (let j = 0; j < n; j++) {
      const k = (j + 1) % n;
      // Edge j of the section (counted from the bottom centre on either side).
      const edge = j < 8 ? j : n - 1 - j;
      let material = PAINT;
      if (edge <= 1) material = BLACK;
      else if (edge === 3 && glasshouse && within(xm, shape.sideWindows)) material = GLASS;
      else if (edge === 7) {
        const zMid = (rings[i][j][2] + rings[i + 1][j][2]) / 2;
        if (zMid > Math.max(belts[i], belts[i + 1]) + 0.03 && (within(xm, shape.windscreen) || within(xm, shape.rearWindow))) material = GLASS;
      }
      mesh.quad(rings[i][j], rings[i + 1][j], rings[i + 1][k], rings[i][k], cls, material);
    }
  }
  // End caps: fans from the section's centre.
  for (const [ring, flip] of [[rings[0], true], [rings[rings.length - 1], false]] as const) {
    const c: V3 = [ring[0][0], 0, (ring[0][2] + ring[8][2]) / 2];
    for (let j = 0; j < n; j++) {
      const k = (j + 1) % n;
      if (flip) mesh.triangle(c, ring[k], ring[j], cls, PAINT);
      else mesh.triangle(c, ring[j], ring[k], cls, PAINT);
    }
  }
  endDetails(mesh, x0, x0 + length, rings[0], rings[rings.length - 1], cls);
  // Door mirrors at the foot of the windscreen, reaching the box's side.
  const mirrorX = x0 + shape.windscreen[0] * length - 0.12;
  const mirrorZ = Math.min(belt, interpolate(profile, mirrorX) - 0.1);
  for (const side of [1, -1]) {
    const y0 = halfWidth - 0.03, y1 = halfWidth + shape.mirror;
    slab(mesh, [mirrorX - 0.08, side > 0 ? y0 : -y1, mirrorZ], [mirrorX + 0.06, side > 0 ? y1 : -y0, mirrorZ + 0.13], cls, PAINT);
  }
}

/** Head and tail lights and the number plates (520 x 110 mm, the EU format), on the end caps. */
function endDetails(mesh: MeshBuilder, rear: number, front: number, rearRing: V3[], frontRing: V3[], cls: number): void {
  for (const [x, ring, out, light] of [[front, frontRing, 1, HEADLIGHT], [rear, rearRing, -1, TAILLIGHT]] as const) {
    const zb = ring[0][2], zt = ring[8][2];
    const half = ring[3][1];
    const face = x + out * (INSET - 0.002);
    const back = x - out * 0.03;
    const [xa, xb] = out > 0 ? [back, face] : [face, back];
    const lz = Math.max(zb + 0.04, zt - 0.15);
    const lightTop = Math.min(lz + 0.1, Math.max(zt - 0.01, lz + 0.04));
    for (const side of [1, -1]) {
      const y0 = Math.max(half - 0.35, 0.1), y1 = Math.max(half - 0.04, y0 + 0.05);
      slab(mesh, [xa, side > 0 ? y0 : -y1, lz], [xb, side > 0 ? y1 : -y0, lightTop], cls, light);
    }
    const plateZ = Math.min(zb + 0.1, Math.max(zt - 0.15, zb));
    slab(mesh, [xa, -0.26, plateZ], [xb, 0.26, plateZ + 0.11], cls, PLATE);
  }
}

/** A tractor (a cab lofted like the other styles, a chassis) and a box semitrailer. */
function truckWithTrailer(mesh: MeshBuilder, length: number, width: number, height: number, wheelRadius: number, cls: number): void {
  const cab = BODY_SHAPES.truck_cab;
  const front = length / 2 - INSET;
  const halfWidth = width / 2 - cab.mirror;
  loft(mesh, cab, front - TRUCK_LAYOUT.cabLength, TRUCK_LAYOUT.cabLength, halfWidth, height * 0.93, [length / 2 - TRUCK_LAYOUT.frontAxleFromFront], wheelRadius, cls);
  const trailerFront = front - TRUCK_LAYOUT.cabLength - TRUCK_LAYOUT.trailerGap;
  const rear = -length / 2 + INSET;
  // Chassis rails from the cab back to behind the drive axle, under the trailer's nose.
  slab(mesh, [length / 2 - TRUCK_LAYOUT.driveAxleFromFront - 1.0, -0.45, 0.75], [front - 0.4, 0.45, 1.1], cls, BLACK);
  slab(mesh, [rear, -halfWidth, TRUCK_LAYOUT.trailerFloor], [trailerFront, halfWidth, height], cls, PAINT);
  // Rear underrun guard, with the tail lights and the plate on it.
  const guard = [rear, rear + 0.12] as const;
  slab(mesh, [guard[0] + 0.002, -halfWidth + 0.1, 0.5], [guard[1], halfWidth - 0.1, 0.68], cls, BLACK);
  for (const side of [1, -1]) slab(mesh, [guard[0], side > 0 ? halfWidth - 0.45 : -halfWidth + 0.12, 0.69], [guard[0] + 0.05, side > 0 ? halfWidth - 0.12 : -halfWidth + 0.45, 0.8], cls, TAILLIGHT);
  slab(mesh, [guard[0], -0.26, 0.54], [guard[0] + 0.03, 0.26, 0.65], cls, PLATE);
  // Side underrun rails between the axles of tractor and trailer.
  for (const side of [1, -1]) {
    const y: [number, number] = side > 0 ? [halfWidth - 0.06, halfWidth] : [-halfWidth, -halfWidth + 0.06];
    slab(mesh, [rear + 4.8, y[0], 0.55], [length / 2 - TRUCK_LAYOUT.driveAxleFromFront - wheelRadius - 0.3, y[1], 0.7], cls, BLACK);
  }
}
