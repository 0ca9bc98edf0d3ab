import type { CameraView } from './CameraView.js';
import { Rasterizer } from './Rasterizer.js';
import { RenderTarget, TriangleRecords } from './RenderTarget.js';
import type { SampleBuffers } from './SurfaceShading.js';

/**
 * Anti-aliasing by a second visibility sample set at the pixel corners (the quincunx pattern of
 * NVIDIA's HRAA: the centre weighs 1/2, each corner 1/8, and every corner is shared by the four
 * pixels around it, so five samples per pixel cost one extra raster pass, not four).
 *
 * The centre samples are the render as before: the semantic, instance and depth images are
 * taken from them alone and stay exact at pixel centres. The corners are a render of the same
 * scene into a (width + 1) x (height + 1) target offset by half a pixel. Like MSAA, shading is
 * not repeated where it would not change: a corner on the same surface as a pixel's centre
 * (same instance, material and class, same plane) stands in with the centre's colour, and
 * only corners across an edge from some pixel centre (another object, a fold, the sky) are
 * shaded on their own. An edge pixel so gets the share of each side that its samples see.
 */
export class CornerSamples {
  readonly target: RenderTarget;
  readonly raster: Rasterizer;
  /** Per corner: its index among the shaded corner samples, -1 for none, SKY for a sky sample. */
  readonly slot: Int32Array;
  /** Linear colour of each corner that was shaded on its own (3 per corner). */
  readonly colour: Float32Array;

  constructor(readonly main: RenderTarget) {
    this.target = new RenderTarget(main.width + 1, main.height + 1, main.fx, main.fy, main.cx + 0.5, main.cy + 0.5);
    this.raster = new Rasterizer(this.target);
    // The corners keep 1/depth and a triangle record per pixel: gather reads ids and normal
    // through the record, and a corner with the centre's record is on the centre's triangle.
    this.raster.keepRecords(new TriangleRecords());
    const n = this.target.width * this.target.height;
    this.slot = new Int32Array(n);
    this.colour = new Float32Array(n * 3);
  }

  /** Corner rows drawn with the render rows [r0, r1): the row above each, and the bottom edge with the last band. */
  rows(r0: number, r1: number): [number, number] {
    return [r0, r1 === this.main.height ? r1 + 1 : r1];
  }

  /**
   * Compares each camera pixel's centre with its four corners (render pixel `source[i]`, or i
   * when the render is the image); sets bit k of `masks[i]` where corner k differs, and lists
   * every corner that some pixel needs in `samples` (surface corners) or marks it SKY.
   * `far` is the render's far plane (1/far: nothing drawn); `rays` are the pixels' sampled
   * rays (optical frame), whose z turns a centre's range into its depth.
   */
  gather(
    centre: { range: Float32Array; rays: Float32Array; pos: Float32Array; normal: Float32Array; material: Uint8Array; instance: Uint32Array; classId: Uint8Array; ao: Float32Array },
    pixels: number, source: Int32Array | undefined, far: number, viewOfCornerRow: (row: number) => CameraView,
    masks: Uint8Array, samples: SampleBuffers,
  ): void {
    const t = this.target;
    const tw = t.width, mw = this.main.width;
    const clear = Math.fround(1 / far);
    const slot = this.slot;
    slot.fill(-1);
    samples.count = 0;
    const p = [0, 0, 0];
    // Everything the loop reads, in locals: it visits every pixel's four corners.
    const records = this.raster.records!;
    // The centre's 1/depth is the render's (the same number its range was made of).
    const invDepth = t.invDepth, cTriangle = t.triangle, centreTriangle = this.main.triangle, centreDepth = this.main.invDepth;
    const cInstance = records.instance, cMaterial = records.material, cNormal = records.normal;
    const range = centre.range, normal = centre.normal, instance = centre.instance, material = centre.material, classId = centre.classId;
    // Without a source map the render is the image: its row and column are counted, not divided out.
    let su = -1, sv = 0;
    for (let i = 0; i < pixels; i++) {
      let s = i;
      if (source) {
        s = source[i];
        masks[i] = 0;
        if (s < 0) continue;
        sv = (s / mw) | 0; su = s - sv * mw;
      } else if (++su === mw) {
        su = 0; sv++;
      }
      const o = i * 3;
      const r = range[i];
      const sky = r === Infinity;
      const inst = instance[i], mat = material[i], cls = classId[i], tri = centreTriangle[s];
      const nx = normal[o], ny = normal[o + 1], nz = normal[o + 2];
      // The centre's 1/depth, and how far a corner's may stray from it on the same surface.
      const w0 = sky ? 0 : centreDepth[s];
      const slack = 0.2 * w0;
      let mask = 0;
      const c0 = sv * tw + su;
      // Most pixels lie inside one triangle with all four corners: that case is tested at once.
      if (!sky && cTriangle[c0] === tri && cTriangle[c0 + 1] === tri && cTriangle[c0 + tw] === tri && cTriangle[c0 + tw + 1] === tri) {
        const wa = invDepth[c0], wb = invDepth[c0 + 1], wc = invDepth[c0 + tw], wd = invDepth[c0 + tw + 1];
        const da = wa - w0, db = wb - w0, dc = wc - w0, dd = wd - w0;
        if (
          wa > clear && wb > clear && wc > clear && wd > clear &&
          (da < 0 ? -da : da) <= slack && (db < 0 ? -db : db) <= slack && (dc < 0 ? -dc : dc) <= slack && (dd < 0 ? -dd : dd) <= slack
        ) {
          masks[i] = 0;
          continue;
        }
      }
      for (let k = 0; k < 4; k++) {
        const c = k === 0 ? c0 : k === 1 ? c0 + 1 : k === 2 ? c0 + tw : c0 + tw + 1;
        const w = invDepth[c];
        const cornerSky = !(w > clear);
        const rec = cTriangle[c];
        if (sameSurface(records, rec, w, cornerSky, sky, tri, w0, slack, inst, mat, cls, nx, ny, nz)) continue;
        mask |= 1 << k;
        if (slot[c] !== -1) continue;
        if (cornerSky) {
          slot[c] = SKY;
          continue;
        }
        const cv = (c / tw) | 0, cu = c - cv * tw;
        const j = samples.count++;
        slot[c] = j;
        const view = viewOfCornerRow(cv);
        this.position(cu, cv, w, view, p);
        const q = j * 3, cn = rec * 3;
        samples.pos[q] = p[0]; samples.pos[q + 1] = p[1]; samples.pos[q + 2] = p[2];
        const vx = view.position[0] - p[0], vy = view.position[1] - p[1], vz = view.position[2] - p[2];
        const rv = Math.sqrt(vx * vx + vy * vy + vz * vz);
        samples.view[q] = vx / rv; samples.view[q + 1] = vy / rv; samples.view[q + 2] = vz / rv;
        samples.range[j] = rv;
        samples.normal[q] = cNormal[cn]; samples.normal[q + 1] = cNormal[cn + 1]; samples.normal[q + 2] = cNormal[cn + 2];
        samples.material[j] = cMaterial[rec];
        samples.instance[j] = cInstance[rec];
        // Occlusion is not known at corners: the first pixel that needs the corner lends its own.
        samples.ao[j] = centre.ao[i];
      }
      masks[i] = mask;
    }
  }

  /** The world point of the corner at render coordinates (cu, cv) at 1/depth w, seen from `view`. */
  position(cu: number, cv: number, w: number, view: CameraView, out: number[]): void {
    const t = this.target, m = view.m;
    const z = 1 / w, x = ((cu - t.cx) / t.fx) * z, y = ((cv - t.cy) / t.fy) * z;
    out[0] = view.position[0] + m[0] * x + m[3] * y + m[6] * z;
    out[1] = view.position[1] + m[1] * x + m[4] * y + m[7] * z;
    out[2] = view.position[2] + m[2] * x + m[5] * y + m[8] * z;
  }

  /** The world direction of the ray through corner (cu, cv), for sky corners. */
  direction(cu: number, cv: number, view: CameraView, out: number[]): void {
    const t = this.target, m = view.m;
    const x = (cu - t.cx) / t.fx, y = (cv - t.cy) / t.fy;
    const l = Math.sqrt(x * x + y * y + 1);
    out[0] = (m[0] * x + m[3] * y + m[6]) / l;
    out[1] = (m[1] * x + m[4] * y + m[7]) / l;
    out[2] = (m[2] * x + m[5] * y + m[8]) / l;
  }

  /**
   * Blends each pixel's centre colour (weight 1/2) with its four corners (1/8 each): a corner's
   * own colour where `masks` says it differs, the centre's otherwise. In place on `linear`.
   */
  resolve(linear: Float32Array, pixels: number, source: Int32Array | undefined, masks: Uint8Array): void {
    const tw = this.target.width, mw = this.main.width;
    const colour = this.colour, slot = this.slot;
    for (let i = 0; i < pixels; i++) {
      const mask = masks[i];
      if (mask === 0) continue;
      const s = source ? source[i] : i;
      const sv = (s / mw) | 0, su = s - sv * mw;
      blendCorners(linear, i * 3, mask, colour, slot, sv * tw + su, tw);
    }
  }
}

/**
 * The edge blend of one pixel (linear RGB at `o`): half its centre, half its four corners (the
 * corner's shaded colour where `mask` flags it and it was shaded, else the centre again).
 * Corner k sits at `first` + (k >> 1) rows of `stride` + (k & 1) in `slot` and `colour`.
 */
export function blendCorners(linear: Float32Array, o: number, mask: number, colour: Float32Array, slot: Int32Array, first: number, stride: number): void {
  const r = linear[o], g = linear[o + 1], b = linear[o + 2];
  let ar = 4 * r, ag = 4 * g, ab = 4 * b;
  for (let k = 0; k < 4; k++) {
    const c = first + (k >> 1) * stride + (k & 1);
    const q = c * 3;
    if ((mask >> k) & 1 && slot[c] !== -1) {
      ar += colour[q]; ag += colour[q + 1]; ab += colour[q + 2];
    } else {
      ar += r; ag += g; ab += b;
    }
  }
  linear[o] = ar / 8; linear[o + 1] = ag / 8; linear[o + 2] = ab / 8;
}

/** Slot value of a corner that sees the sky. */
export const SKY = -2;

/**
 * Whether a corner sample (triangle record `rec`, 1/depth w, sky or not) shows the same surface
 * as its pixel's centre (triangle `tri`, 1/depth w0 within `slack`, ids and normal): both sky;
 * or the centre's own triangle at a depth a neighbouring sample of it can have; or the same
 * object, material and class with the plane turned by under ~18° (cos ≥ 0.95). A half-pixel
 * step changes a plane's depth by far less than a fifth, but at grazing angles.
 */
export function sameSurface(
  records: { instance: ArrayLike<number>; material: ArrayLike<number>; classId: ArrayLike<number>; normal: ArrayLike<number> },
  rec: number, w: number, cornerSky: boolean, sky: boolean, tri: number, w0: number, slack: number,
  inst: number, mat: number, cls: number, nx: number, ny: number, nz: number,
): boolean {
  if (sky || cornerSky) return sky === cornerSky;
  const dw = w - w0;
  if (!((dw < 0 ? -dw : dw) <= slack)) return false;
  if (rec === tri) return true;
  if (records.instance[rec] !== inst || records.material[rec] !== mat || records.classId[rec] !== cls) return false;
  const rn = rec * 3;
  return nx * records.normal[rn] + ny * records.normal[rn + 1] + nz * records.normal[rn + 2] >= 0.95;
}
