/**
 * A nuScenes map mask: the drivable area, rasterised from the road mesh at 0.1 m a pixel, as
 * the devkit's MapMask reads it: an 8-bit greyscale PNG, 255 on the drivable area and 0 off it,
 * whose pixel (col, row) is the global point (col · 0.1, (height − row) · 0.1). Its global
 * frame starts at 0, so the export's global frame is the world moved by an origin that puts
 * every road at positive coordinates.
 */
import { encode as encodePng } from 'fast-png';
import { UserError } from '../../core/errors.js';
import { classId } from '../../core/semantic.js';
import type { StaticScene } from '../foxglove/staticScene.js';

/** Metres a pixel: nuScenes' masks, and the only resolution the devkit's MapMask reads natively. */
export const MASK_RESOLUTION = 0.1;
/** Metres of mask around the roads (and the clearance from 0 the origin leaves). */
const MARGIN = 20;
/**
 * The largest mask (pixels, a byte each) an export makes: 16,000 x 16,000, a map 1.6 km on a
 * side (the bundled 2 km highway is 123 Mpixels and takes about 3 s).
 */
export const MAX_MASK_PIXELS = 256e6;

/** What a lane surface a car may drive on is drawn as: the road and the markings painted on it. */
const DRIVABLE = new Set([classId('road'), classId('lane_marking')]);

export interface DrivableAreaMask {
  /** The world point at global (0, 0): global = world − origin (x, y; z is the world's). */
  origin: [number, number];
  width: number;
  height: number;
  png: Uint8Array;
}

/**
 * The mask of a road mesh. The origin is the roads' south-west corner less a margin, rounded
 * down to 10 m, and never above 0: a map already at positive coordinates keeps global = world.
 * No roads (a free-space scenario): an empty mask of one pixel at origin 0.
 */
export function drivableAreaMask(scene: StaticScene | undefined, where: string): DrivableAreaMask {
  const p = scene?.positions ?? new Float32Array(0);
  const drivable: number[] = [];
  let minX = Infinity, minY = Infinity, maxX = -Infinity, maxY = -Infinity;
  for (let t = 0; t < (scene?.classes.length ?? 0); t++) {
    if (!DRIVABLE.has(scene!.classes[t])) continue;
    drivable.push(t);
    for (let k = 0; k < 3; k++) {
      const x = p[t * 9 + k * 3], y = p[t * 9 + k * 3 + 1];
      minX = Math.min(minX, x); maxX = Math.max(maxX, x);
      minY = Math.min(minY, y); maxY = Math.max(maxY, y);
    }
  }
  if (drivable.length === 0) return { origin: [0, 0], width: 1, height: 1, png: encodePng({ width: 1, height: 1, data: new Uint8Array(1), channels: 1, depth: 8 }) };
  const origin: [number, number] = [Math.min(0, Math.floor((minX - MARGIN) / 10) * 10), Math.min(0, Math.floor((minY - MARGIN) / 10) * 10)];
  const width = Math.ceil((maxX - origin[0] + MARGIN) / MASK_RESOLUTION);
  const height = Math.ceil((maxY - origin[1] + MARGIN) / MASK_RESOLUTION);
  if (width * height > MAX_MASK_PIXELS) {
    throw new UserError(`the map spans ${(width * MASK_RESOLUTION).toFixed(0)} x ${(height * MASK_RESOLUTION).toFixed(0)} m: its ${MASK_RESOLUTION} m mask would be ${(width * height / 1e6).toFixed(0)} Mpixels, more than the ${MAX_MASK_PIXELS / 1e6} an export makes`, where);
  }
  const mask = new Uint8Array(width * height);
  for (const t of drivable) {
    // Corners in pixel units: column = global x / res, row = height − global y / res.
    const u = [0, 1, 2].map((k) => (p[t * 9 + k * 3] - origin[0]) / MASK_RESOLUTION);
    const v = [0, 1, 2].map((k) => height - (p[t * 9 + k * 3 + 1] - origin[1]) / MASK_RESOLUTION);
    fillTriangle(mask, width, height, u, v);
  }
  return { origin, width, height, png: encodePng({ width, height, data: mask, channels: 1, depth: 8 }) };
}

/** Sets 255 at every pixel whose centre (col, row) lies in the triangle (its edges included). */
function fillTriangle(mask: Uint8Array, width: number, height: number, u: number[], v: number[]): void {
  const area = (u[1] - u[0]) * (v[2] - v[0]) - (u[2] - u[0]) * (v[1] - v[0]);
  if (area === 0) return;
  const sign = Math.sign(area);
  const c0 = Math.max(0, Math.ceil(Math.min(u[0], u[1], u[2])));
  const c1 = Math.min(width - 1, Math.floor(Math.max(u[0], u[1], u[2])));
  const r0 = Math.max(0, Math.ceil(Math.min(v[0], v[1], v[2])));
  const r1 = Math.min(height - 1, Math.floor(Math.max(v[0], v[1], v[2])));
  for (let row = r0; row <= r1; row++) {
    for (let col = c0; col <= c1; col++) {
      let inside = true;
      for (let e = 0; e < 3 && inside; e++) {
        const a = e, b = (e + 1) % 3;
        // The pixel on the triangle's side of edge a→b (or on it).
        inside = sign * ((u[b] - u[a]) * (row - v[a]) - (v[b] - v[a]) * (col - u[a])) >= 0;
      }
      if (inside) mask[row * width + col] = 255;
    }
  }
}
