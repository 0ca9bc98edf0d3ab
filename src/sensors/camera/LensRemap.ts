import type { Lens } from './Lens.js';
import { RenderTarget } from './RenderTarget.js';

/** Rays farther than this from the optical axis are cast, not taken from the pinhole render. */
const MAX_RENDER_ANGLE = (70 * Math.PI) / 180;
/** The pinhole render holds at most this many times the camera's pixels. */
const MAX_RENDER_SCALE = 4;

/**
 * How a camera's pixels are found: each pixel's unit ray (optical frame), and where the
 * rasterised pinhole image holds it. For an undistorted pinhole lens the render is the image
 * itself. Otherwise the render is a wider pinhole image with the lens's focal length that
 * covers every pixel's ray within MAX_RENDER_ANGLE of the axis, and each pixel takes the
 * render pixel nearest its ray (`source`); pixels beyond (a wide fisheye) are listed in
 * `castPixels` and found by casting their rays.
 */
export class LensRemap {
  readonly width: number;
  readonly height: number;
  /** Unit ray per pixel, 3 floats each, optical frame. */
  readonly rays: Float32Array;
  /**
   * The ray of the render pixel each camera pixel samples (its own ray where it is cast or the
   * render is the image): the surface point found lies exactly on it, which shading needs.
   */
  readonly sampledRays: Float32Array;
  readonly target: RenderTarget;
  /** Render pixel index per camera pixel (-1: cast), or undefined when the render is the image. */
  readonly source: Int32Array | undefined;
  readonly castPixels: Uint32Array;
  /** Camera row (fractional) of each render row, for rolling-shutter timing. */
  readonly rowOfRenderRow: Float32Array;

  constructor(readonly lens: Lens, width: number, height: number) {
    this.width = width;
    this.height = height;
    const n = width * height;
    this.rays = new Float32Array(n * 3);
    const ray = new Float64Array(3);
    for (let v = 0; v < height; v++) {
      for (let u = 0; u < width; u++) {
        lens.unproject(u, v, ray);
        this.rays.set(ray, (v * width + u) * 3);
      }
    }
    if (lens.ideal) {
      this.target = new RenderTarget(width, height, lens.fx, lens.fy, lens.cx, lens.cy);
      this.source = undefined;
      this.castPixels = new Uint32Array(0);
      this.rowOfRenderRow = Float32Array.from({ length: height }, (_, v) => v);
      this.sampledRays = this.rays;
      return;
    }
    // Normalised pinhole coordinates of every ray the render will cover.
    const cosMax = Math.cos(MAX_RENDER_ANGLE);
    let x0 = Infinity, x1 = -Infinity, y0 = Infinity, y1 = -Infinity;
    const cast: number[] = [];
    for (let i = 0; i < n; i++) {
      const z = this.rays[i * 3 + 2];
      if (z < cosMax) {
        cast.push(i);
        continue;
      }
      const x = this.rays[i * 3] / z, y = this.rays[i * 3 + 1] / z;
      x0 = Math.min(x0, x); x1 = Math.max(x1, x);
      y0 = Math.min(y0, y); y1 = Math.max(y1, y);
    }
    this.castPixels = Uint32Array.from(cast);
    let fx = lens.fx, fy = lens.fy;
    if (x0 > x1) { x0 = x1 = y0 = y1 = 0; }
    const area = (x1 - x0) * fx * (y1 - y0) * fy;
    if (area > MAX_RENDER_SCALE * n) {
      const s = Math.sqrt((MAX_RENDER_SCALE * n) / area);
      fx *= s;
      fy *= s;
    }
    // One pixel of margin around the covered range so that rounding never leaves the render.
    const rw = Math.ceil((x1 - x0) * fx) + 3, rh = Math.ceil((y1 - y0) * fy) + 3;
    const rcx = -x0 * fx + 1, rcy = -y0 * fy + 1;
    this.target = new RenderTarget(rw, rh, fx, fy, rcx, rcy);
    this.source = new Int32Array(n).fill(-1);
    this.sampledRays = this.rays.slice();
    for (let i = 0; i < n; i++) {
      const z = this.rays[i * 3 + 2];
      if (z < cosMax) continue;
      const u = Math.round(fx * (this.rays[i * 3] / z) + rcx), v = Math.round(fy * (this.rays[i * 3 + 1] / z) + rcy);
      this.source[i] = v * rw + u;
      const x = (u - rcx) / fx, y = (v - rcy) / fy, norm = Math.hypot(x, y, 1);
      this.sampledRays[i * 3] = x / norm;
      this.sampledRays[i * 3 + 1] = y / norm;
      this.sampledRays[i * 3 + 2] = 1 / norm;
    }
    // A render row images the camera row where the lens puts the centre column's ray.
    this.rowOfRenderRow = new Float32Array(rh);
    const p = new Float64Array(2);
    for (let v = 0; v < rh; v++) {
      const y = (v - rcy) / fy;
      lens.project(0, y, 1, p);
      this.rowOfRenderRow[v] = Math.min(height - 1, Math.max(0, p[1]));
    }
  }
}
