import type { CameraView } from './CameraView.js';
import { Rasterizer } from './Rasterizer.js';
import { RenderTarget, TriangleRecords } from './RenderTarget.js';

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
 * The camera's tiles gather, shade and blend the corners (TileCorners.ts); corner row r is
 * drawn with render row r (the row below it), and the bottom edge with the last row.
 */
export class CornerSamples {
  readonly target: RenderTarget;
  readonly raster: Rasterizer;

  constructor(readonly main: RenderTarget) {
    this.target = new RenderTarget(main.width + 1, main.height + 1, main.fx, main.fy, main.cx + 0.5, main.cy + 0.5);
    this.raster = new Rasterizer(this.target);
    // The corners keep 1/depth and a triangle record per pixel: gather reads ids and normal
    // through the record, and a corner with the centre's record is on the centre's triangle.
    this.raster.keepRecords(new TriangleRecords());
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
