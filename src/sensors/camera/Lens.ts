import type { CameraConfig, Distortion } from '../CameraConfig.js';

/**
 * A camera's lens: optical-frame points (x right, y down, z forward) to pixels and back.
 * Pixel (col, row) has its centre at (u, v) = (col, row).
 *
 * pinhole: Brown–Conrady on the normalised coordinates (x/z, y/z); unprojection inverts it
 * by Newton's method. fisheye: equidistant, θ_d = θ (1 + k1 θ² + k2 θ⁴ + k3 θ⁶).
 */
export class Lens {
  readonly fx: number;
  readonly fy: number;
  readonly cx: number;
  readonly cy: number;
  readonly model: 'pinhole' | 'fisheye';
  readonly d: Distortion;
  /** True for a pinhole lens with no distortion (projection is exactly K [x/z, y/z, 1]). */
  readonly ideal: boolean;

  constructor(config: Pick<CameraConfig, 'fx' | 'fy' | 'cx' | 'cy' | 'model' | 'distortion'>) {
    this.fx = config.fx;
    this.fy = config.fy;
    this.cx = config.cx;
    this.cy = config.cy;
    this.model = config.model;
    this.d = config.distortion;
    const { k1, k2, k3, p1, p2 } = this.d;
    this.ideal = this.model === 'pinhole' && k1 === 0 && k2 === 0 && k3 === 0 && p1 === 0 && p2 === 0;
  }

  /** Distorts normalised pinhole coordinates (Brown–Conrady) into out[0], out[1]. */
  distort(x: number, y: number, out: Float64Array | number[]): void {
    const { k1, k2, k3, p1, p2 } = this.d;
    const r2 = x * x + y * y;
    const radial = 1 + r2 * (k1 + r2 * (k2 + r2 * k3));
    out[0] = x * radial + 2 * p1 * x * y + p2 * (r2 + 2 * x * x);
    out[1] = y * radial + p1 * (r2 + 2 * y * y) + 2 * p2 * x * y;
  }

  /** The normalised coordinates whose distortion is (xd, yd) (Newton's method), into out. */
  undistort(xd: number, yd: number, out: Float64Array | number[]): void {
    const { k1, k2, k3, p1, p2 } = this.d;
    let x = xd, y = yd;
    const f = [0, 0];
    for (let iter = 0; iter < 30; iter++) {
      this.distort(x, y, f);
      const ex = f[0] - xd, ey = f[1] - yd;
      if (Math.abs(ex) < 1e-13 && Math.abs(ey) < 1e-13) break;
      const r2 = x * x + y * y;
      const radial = 1 + r2 * (k1 + r2 * (k2 + r2 * k3));
      const dRadial = k1 + r2 * (2 * k2 + 3 * k3 * r2); // d radial / d r2
      const a = radial + 2 * x * x * dRadial + 2 * p1 * y + 6 * p2 * x; // d fx / dx
      const b = 2 * x * y * dRadial + 2 * p1 * x + 2 * p2 * y; // d fx / dy
      const c = 2 * x * y * dRadial + 2 * p1 * x + 2 * p2 * y; // d fy / dx
      const e = radial + 2 * y * y * dRadial + 6 * p1 * y + 2 * p2 * x; // d fy / dy
      const det = a * e - b * c;
      if (det === 0 || !Number.isFinite(det)) break;
      x -= (e * ex - b * ey) / det;
      y -= (a * ey - c * ex) / det;
    }
    out[0] = x;
    out[1] = y;
  }

  /** θ_d of the fisheye polynomial for an angle θ from the axis. */
  fisheyeDistort(theta: number): number {
    const { k1, k2, k3 } = this.d;
    const t2 = theta * theta;
    return theta * (1 + t2 * (k1 + t2 * (k2 + t2 * k3)));
  }

  /** θ for a fisheye θ_d (Newton's method). */
  fisheyeUndistort(thetaD: number): number {
    const { k1, k2, k3 } = this.d;
    let t = thetaD;
    for (let iter = 0; iter < 30; iter++) {
      const t2 = t * t;
      const f = t * (1 + t2 * (k1 + t2 * (k2 + t2 * k3))) - thetaD;
      const df = 1 + t2 * (3 * k1 + t2 * (5 * k2 + 7 * k3 * t2));
      if (Math.abs(f) < 1e-14 || df === 0) break;
      t -= f / df;
    }
    return t;
  }

  /**
   * Pixel (u, v) of an optical-frame point into out; returns false where the lens cannot
   * image it (behind a pinhole camera).
   */
  project(x: number, y: number, z: number, out: Float64Array | number[]): boolean {
    if (this.model === 'fisheye') {
      const r = Math.hypot(x, y);
      const theta = Math.atan2(r, z);
      const s = r > 0 ? this.fisheyeDistort(theta) / r : 0;
      out[0] = this.fx * s * x + this.cx;
      out[1] = this.fy * s * y + this.cy;
      return r > 0 || z > 0;
    }
    if (z <= 0) return false;
    this.distort(x / z, y / z, out);
    out[0] = this.fx * out[0] + this.cx;
    out[1] = this.fy * out[1] + this.cy;
    return true;
  }

  /** Unit optical-frame ray of pixel (u, v) into out (x, y, z). */
  unproject(u: number, v: number, out: Float64Array | number[]): void {
    const mx = (u - this.cx) / this.fx, my = (v - this.cy) / this.fy;
    if (this.model === 'fisheye') {
      const thetaD = Math.hypot(mx, my);
      const theta = this.fisheyeUndistort(thetaD);
      const s = thetaD > 0 ? Math.sin(theta) / thetaD : 0;
      out[0] = mx * s;
      out[1] = my * s;
      out[2] = Math.cos(theta);
      return;
    }
    this.undistort(mx, my, out);
    const n = Math.hypot(out[0], out[1], 1);
    out[0] /= n;
    out[1] /= n;
    out[2] = 1 / n;
  }
}
