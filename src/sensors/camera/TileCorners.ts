import { blendCorners, CornerSamples, sameSurface, SKY } from './AntiAliasing.js';
import type { CameraView } from './CameraView.js';
import type { RenderTarget } from './RenderTarget.js';
import type { Pixels, Tiles } from './TileSetup.js';

/** What a tile's corner passes read: the thread's render of the tile, the shared arrays, the views. */
export interface CornerContext {
  corners: CornerSamples;
  centre: RenderTarget;
  pixels: Pixels;
  tiles: Tiles;
  /** Camera width; slots per tile block. */
  width: number;
  capacity: number;
  far: number;
  viewOfCornerRow: (row: number) => CameraView;
}

/**
 * CornerSamples.gather for a tile whose render is the image, over pixel rows [a - 1, c): each
 * pixel's mask (kept for rows [a, c)), and the corners of rows [a, c] some pixel needs, claimed
 * by the first in raster order, who lends its occlusion (`from`, taken in C once every tile's
 * occlusion is known). Corner rows start at a in the tile's block. Returns the corners claimed.
 */
export function gatherImage(x: CornerContext, t: number, a: number, c: number): number {
  return gather(x, t, a, a, c, Math.max(0, a - 1) * x.width, c * x.width, undefined);
}

/**
 * The same through a lens remap, for the tile's camera pixels [i0, i1) that sample render
 * rows [r0, r1): a corner's first needer may be another tile's pixel, so a corner's `from` is
 * its index in the corner render, its needer found in C (`claimant`) from every pixel's mask.
 */
export function gatherRemapped(x: CornerContext, t: number, r0: number, i0: number, i1: number): number {
  return gather(x, t, r0, 0, Infinity, i0, i1, x.pixels.source);
}

/**
 * Pixels [i0, i1) (camera order), whose masks are kept for camera rows [keep0, keep1); the
 * tile's block holds corner rows from `r0` on. Identical sample by sample to the whole
 * image's CornerSamples.gather for every corner the tile's pixels need.
 */
function gather(x: CornerContext, t: number, r0: number, keep0: number, keep1: number, i0: number, i1: number, source: Int32Array | undefined): number {
  const { width: mw, far, capacity } = x;
  const cs = x.corners, ct = cs.target, tw = ct.width, rw = x.centre.width;
  const clear = Math.fround(1 / far);
  const base = t * capacity;
  const tl = x.tiles, slot = tl.slot, masks = x.pixels.masks;
  slot.fill(-1, base, base + capacity);
  const records = cs.raster.records!;
  const invDepth = ct.invDepth, cTriangle = ct.triangle, centreTriangle = x.centre.triangle, centreDepth = x.centre.invDepth;
  const cInstance = records.instance, cMaterial = records.material, cClass = records.classId, cNormal = records.normal;
  const p = [0, 0, 0];
  let count = 0;
  for (let i = i0; i < i1; i++) {
    let s = i;
    if (source) {
      s = source[i];
      if (s < 0) {
        masks[i] = 0;
        continue;
      }
    }
    const sv = (s / rw) | 0, su = s - sv * rw;
    const w0c = centreDepth[s];
    const sky = !(w0c > clear);
    const tri = centreTriangle[s];
    let inst = 0, mat = 0, cls = 0, nx = 0, ny = 0, nz = 0;
    if (!sky) {
      inst = cInstance[tri]; mat = cMaterial[tri]; cls = cClass[tri];
      nx = cNormal[tri * 3]; ny = cNormal[tri * 3 + 1]; nz = cNormal[tri * 3 + 2];
    }
    const w0 = sky ? 0 : w0c;
    const slack = 0.2 * w0;
    let mask = 0;
    const c0 = sv * tw + su;
    for (let k = 0; k < 4; k++) {
      const cc = k === 0 ? c0 : k === 1 ? c0 + 1 : k === 2 ? c0 + tw : c0 + tw + 1;
      const w = invDepth[cc];
      const cornerSky = !(w > clear);
      const rec = cTriangle[cc];
      if (sameSurface(records, rec, w, cornerSky, sky, tri, w0, slack, inst, mat, cls, nx, ny, nz)) continue;
      mask |= 1 << k;
      const cv = (cc / tw) | 0;
      if (cv < r0) continue;
      const local = base + cc - r0 * tw;
      if (slot[local] !== -1) continue;
      if (cornerSky) {
        slot[local] = SKY;
        continue;
      }
      const cu = cc - cv * tw;
      const j = count++;
      slot[local] = j;
      const view = x.viewOfCornerRow(cv);
      cs.position(cu, cv, w, view, p);
      const q = (base + j) * 3, cn = rec * 3;
      tl.pos[q] = p[0]; tl.pos[q + 1] = p[1]; tl.pos[q + 2] = p[2];
      const vx = view.position[0] - p[0], vy = view.position[1] - p[1], vz = view.position[2] - p[2];
      const rv = Math.sqrt(vx * vx + vy * vy + vz * vz);
      tl.view[q] = vx / rv; tl.view[q + 1] = vy / rv; tl.view[q + 2] = vz / rv;
      tl.range[base + j] = rv;
      tl.normal[q] = cNormal[cn]; tl.normal[q + 1] = cNormal[cn + 1]; tl.normal[q + 2] = cNormal[cn + 2];
      tl.material[base + j] = cMaterial[rec];
      tl.instance[base + j] = cInstance[rec];
      tl.from[base + j] = source ? cc : i;
    }
    const row = (i / mw) | 0;
    if (row >= keep0 && row < keep1) masks[i] = mask;
  }
  return count;
}

/**
 * The first camera pixel, in raster order, whose mask flags corner `cc` of the corner render
 * (`tw` wide): the one the whole image's gather would have claimed it with. Its candidates
 * are the pixels that sample one of the four render pixels around the corner.
 */
export function claimant(p: Pixels, cc: number, tw: number, rw: number, rh: number): number {
  const cv = (cc / tw) | 0, cu = cc - cv * tw;
  let first = -1;
  for (let k = 0; k < 4; k++) {
    const su = cu - (k & 1), sv = cv - (k >> 1);
    if (su < 0 || sv < 0 || su >= rw || sv >= rh) continue;
    const s = sv * rw + su;
    for (let e = p.inverseStart[s]; e < p.inverseStart[s + 1]; e++) {
      const i = p.inverse[e];
      if (first !== -1 && i >= first) break;
      if ((p.masks[i] >> k) & 1) {
        first = i;
        break;
      }
    }
  }
  return first;
}

/**
 * The corners' colours (`shaded`, or the sky's for SKY slots) of the tile's block, whose
 * corner rows start at r0; then each of pixels [i0, i1) with a mask blends its corners in.
 */
export function blendTile(
  x: CornerContext, t: number, r0: number, i0: number, i1: number, shaded: Float32Array,
  skyRadiance: (dx: number, dy: number, dz: number, out: Float32Array, o: number) => void, source: Int32Array | undefined,
): void {
  const cs = x.corners, tw = cs.target.width, rw = x.centre.width;
  const base = t * x.capacity;
  const tl = x.tiles, slot = tl.slot, colour = tl.colour;
  const dir = [0, 0, 0];
  for (let l = 0; l < x.capacity; l++) {
    const j = slot[base + l];
    if (j === -1) continue;
    const q = (base + l) * 3;
    if (j === SKY) {
      const cv = r0 + ((l / tw) | 0);
      cs.direction(l % tw, cv, x.viewOfCornerRow(cv), dir);
      skyRadiance(dir[0], dir[1], dir[2], colour, q);
      continue;
    }
    colour[q] = shaded[j * 3]; colour[q + 1] = shaded[j * 3 + 1]; colour[q + 2] = shaded[j * 3 + 2];
  }
  const linear = x.pixels.linear, masks = x.pixels.masks;
  for (let i = i0; i < i1; i++) {
    const mask = masks[i];
    if (mask === 0) continue;
    const s = source ? source[i] : i;
    const sv = (s / rw) | 0, su = s - sv * rw;
    blendCorners(linear, i * 3, mask, colour, slot, base + (sv - r0) * tw + su, tw);
  }
}
