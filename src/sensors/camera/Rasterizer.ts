import type { MeshBvh } from '../../raycast/MeshBvh.js';
import { chunkBounds, CHUNK, FrustumPlanes } from './Frustum.js';
import type { RenderTarget, TriangleRecords } from './RenderTarget.js';
import type { CameraView } from './CameraView.js';

/** Clipped polygon scratch: a triangle clipped by the near plane has at most 4 vertices. */
const clipX = new Float64Array(4), clipY = new Float64Array(4), clipZ = new Float64Array(4);
const xs = new Float64Array(3), ys = new Float64Array(3), zs = new Float64Array(3);
/**
 * The triangle in hand, handed between the rasteriser's steps in arrays rather than as
 * arguments: a double passed to a function that is not inlined is boxed on the heap, and the
 * garbage of some hundred thousand triangles an image took a core's worth of collection from
 * the thread beside it. Camera-frame vertices (x0 y0 z0 x1 ... z2); projected, before the
 * principal point (qx0 qy0 ... qy2); a screen triangle to fill (ax ay bx by cx cy).
 */
const V = new Float64Array(9), Q = new Float64Array(6), F = new Float64Array(6);

/**
 * A z-buffer rasteriser over the flat triangle arrays of the raycaster's meshes (v0, v1 - v0,
 * v2 - v0 per triangle). Triangles are culled against the view frustum (whole chunks of the
 * static mesh at once, then one by one), clipped against the near plane, and filled by
 * scanlines with the top-left rule (a pixel centre on a shared edge belongs to exactly one
 * triangle). Depth is perspective-correct: 1/z is evaluated per pixel from the triangle's
 * plane in the camera frame, so it equals the depth a ray through the pixel centre finds.
 * Nothing is allocated per triangle.
 */
export class Rasterizer {
  private readonly frustum = new FrustumPlanes();
  // The view of the band being drawn: camera from world (rows of m), camera centre, sun (camera frame).
  private m = new Float64Array(9);
  private cx = 0; private cy = 0; private cz = 0;
  private sx = 0; private sy = 0; private sz = 1;
  private near = 0.1;
  private far = 1000;
  private r0 = 0;
  private r1 = 0;
  // Normalised-coordinate bounds of the pixel centres of the band (x/z and y/z).
  private xl = 0; private xr = 0; private yt = 0; private yb = 0;
  // The triangle being filled: 1/z = a u + b v + c, and what it writes.
  private pa = 0; private pb = 0; private pc = 0;
  private cls = 0;
  private inst = 0;
  private light = 0;
  private mat = 0;
  private nwx = 0; private nwy = 0; private nwz = 1;
  /** 0: depth-tested draw into the target; otherwise draw (no depth test) this stamp value. */
  private stampValue = 0;
  /** Pixel bounds of the last stamped actor: min col, min row, max col, max row. */
  readonly stampBounds = new Int32Array(4);
  /** A second target drawn with the same triangles (the anti-aliasing corners), or none. */
  private twin: Rasterizer | undefined;
  /** Culling bounds (x/z, y/z): this band's, or the union with the twin's when there is one. */
  private kxl = 0; private kxr = 0; private kyt = 0; private kyb = 0;
  /**
   * Where set, every triangle drawn gets a record here and each pixel it covers the record's
   * index; a `lean` rasteriser then writes only 1/depth and the index (the corner target always,
   * the centres' while drawn with it: ids, sun cosine and normal are then read through the record,
   * once per pixel, not written at every overdraw). The corner target's
   * ids and normal are read through the record, its sun cosine never).
   */
  records: TriangleRecords | undefined;
  lean = false;
  /** Whether the records are this rasteriser's own (kept for every view), not its twin's. */
  private ownRecords = false;
  private record = 0;

  constructor(readonly target: RenderTarget) {}

  /** Keeps triangle records in `records` for every view, writing only 1/depth and record per pixel. */
  keepRecords(records: TriangleRecords): void {
    this.records = records;
    this.lean = true;
    this.ownRecords = true;
  }

  /**
   * Sets the view for rows [r0, r1) of the target. A `twin` (its view already set, from the same
   * pose, with the same focal lengths) is filled from the same triangles in the same pass: the
   * transform, culling and projection are shared, only the fill is done twice.
   */
  setView(view: CameraView, near: number, far: number, r0: number, r1: number, twin?: Rasterizer): void {
    const t = this.target;
    this.m.set(view.m);
    [this.cx, this.cy, this.cz] = view.position;
    const m = this.m;
    const [sx, sy, sz] = view.sun;
    this.sx = m[0] * sx + m[1] * sy + m[2] * sz;
    this.sy = m[3] * sx + m[4] * sy + m[5] * sz;
    this.sz = m[6] * sx + m[7] * sy + m[8] * sz;
    this.near = near;
    this.far = far;
    this.r0 = r0;
    this.r1 = r1;
    // The culling bounds lie half a pixel beyond the outer pixel centres: a triangle whose edge
    // runs through a band's last row of centres (ground at the very distance of that row) would
    // otherwise be culled by rounding, while the fill gives it that row; culling must only skip
    // what the fill draws nothing of, or a band split (thread count) changes pixels.
    this.xl = (-0.5 - t.cx) / t.fx;
    this.xr = (t.width - 0.5 - t.cx) / t.fx;
    this.yt = (r0 - 0.5 - t.cy) / t.fy;
    this.yb = (r1 - 0.5 - t.cy) / t.fy;
    this.twin = twin;
    // Drawn with the corners, the centres' triangles get records too (the corners share them).
    if (!this.ownRecords) {
      this.records = twin?.records;
      this.lean = twin !== undefined;
    }
    this.kxl = this.xl; this.kxr = this.xr; this.kyt = this.yt; this.kyb = this.yb;
    if (twin) {
      this.kxl = Math.min(this.xl, twin.xl); this.kxr = Math.max(this.xr, twin.xr);
      this.kyt = Math.min(this.yt, twin.yt); this.kyb = Math.max(this.yb, twin.yb);
    }
    this.frustum.set(m, view.position, this.kxl, this.kxr, this.kyt, this.kyb, near, far);
  }

  /** Draws the static mesh (instance id 0), culling chunks of triangles against the frustum. */
  drawStatic(mesh: MeshBvh): void {
    const bounds = chunkBounds(mesh);
    const chunks = bounds.length / 6;
    const m = this.m;
    const tris = mesh.triangles;
    const classes = mesh.classes;
    const materials = mesh.materials;
    for (let c = 0; c < chunks; c++) {
      if (!this.frustum.boxVisible(bounds, c * 6)) continue;
      const end = Math.min(mesh.triangleCount, (c + 1) * CHUNK);
      for (let k = c * CHUNK; k < end; k++) {
        const o = k * 9;
        const px = tris[o] - this.cx, py = tris[o + 1] - this.cy, pz = tris[o + 2] - this.cz;
        const e1x = tris[o + 3], e1y = tris[o + 4], e1z = tris[o + 5];
        const e2x = tris[o + 6], e2y = tris[o + 7], e2z = tris[o + 8];
        const x0 = m[0] * px + m[1] * py + m[2] * pz;
        const y0 = m[3] * px + m[4] * py + m[5] * pz;
        const z0 = m[6] * px + m[7] * py + m[8] * pz;
        V[0] = x0; V[1] = y0; V[2] = z0;
        V[3] = x0 + m[0] * e1x + m[1] * e1y + m[2] * e1z; V[4] = y0 + m[3] * e1x + m[4] * e1y + m[5] * e1z; V[5] = z0 + m[6] * e1x + m[7] * e1y + m[8] * e1z;
        V[6] = x0 + m[0] * e2x + m[1] * e2y + m[2] * e2z; V[7] = y0 + m[3] * e2x + m[4] * e2y + m[5] * e2z; V[8] = z0 + m[6] * e2x + m[7] * e2y + m[8] * e2z;
        this.triangle(classes[k], 0, materials[k]);
      }
    }
  }

  /**
   * Draws a model placed by rotation r (row-major, world from model) and translation t, with
   * its instance id; returns false when its box is outside the frustum (nothing drawn).
   */
  drawInstance(mesh: MeshBvh, r: ArrayLike<number>, t: ArrayLike<number>, instanceId: number): boolean {
    if (!this.frustum.transformedBoxVisible(mesh.bounds, r, t)) return false;
    const m = this.m;
    // Camera from model: M R, and M (t - C).
    const a = instanceMatrix;
    for (let i = 0; i < 3; i++) {
      for (let j = 0; j < 3; j++) a[i * 3 + j] = m[i * 3] * r[j] + m[i * 3 + 1] * r[3 + j] + m[i * 3 + 2] * r[6 + j];
    }
    const dx = t[0] - this.cx, dy = t[1] - this.cy, dz = t[2] - this.cz;
    const tx = m[0] * dx + m[1] * dy + m[2] * dz, ty = m[3] * dx + m[4] * dy + m[5] * dz, tz = m[6] * dx + m[7] * dy + m[8] * dz;
    const tris = mesh.triangles;
    const classes = mesh.classes;
    const materials = mesh.materials;
    for (let k = 0; k < mesh.triangleCount; k++) {
      const o = k * 9;
      const px = tris[o], py = tris[o + 1], pz = tris[o + 2];
      const e1x = tris[o + 3], e1y = tris[o + 4], e1z = tris[o + 5];
      const e2x = tris[o + 6], e2y = tris[o + 7], e2z = tris[o + 8];
      const x0 = a[0] * px + a[1] * py + a[2] * pz + tx;
      const y0 = a[3] * px + a[4] * py + a[5] * pz + ty;
      const z0 = a[6] * px + a[7] * py + a[8] * pz + tz;
      V[0] = x0; V[1] = y0; V[2] = z0;
      V[3] = x0 + a[0] * e1x + a[1] * e1y + a[2] * e1z; V[4] = y0 + a[3] * e1x + a[4] * e1y + a[5] * e1z; V[5] = z0 + a[6] * e1x + a[7] * e1y + a[8] * e1z;
      V[6] = x0 + a[0] * e2x + a[1] * e2y + a[2] * e2z; V[7] = y0 + a[3] * e2x + a[4] * e2y + a[5] * e2z; V[8] = z0 + a[6] * e2x + a[7] * e2y + a[8] * e2z;
      this.triangle(classes[k], instanceId, materials[k]);
    }
    return true;
  }

  /**
   * Draws an object alone (every mesh of it, each with its pose) into the target's stamp
   * buffer (no depth test), marking every pixel it covers with `stamp`; `stampBounds` receives
   * the covered pixel bounds (min > max: none).
   */
  stampInstance(parts: readonly { mesh: MeshBvh; r: ArrayLike<number>; t: ArrayLike<number> }[], stamp: number): void {
    const b = this.stampBounds;
    b[0] = b[1] = 0x7fffffff;
    b[2] = b[3] = -1;
    this.stampValue = stamp;
    try {
      for (const { mesh, r, t } of parts) this.drawInstance(mesh, r, t, 0);
    } finally {
      this.stampValue = 0;
    }
  }

  /** One camera-frame triangle (in V): cull, clip against the near plane, fill. */
  private triangle(cls: number, inst: number, mat: number): void {
    const x0 = V[0], y0 = V[1], z0 = V[2], x1 = V[3], y1 = V[4], z1 = V[5], x2 = V[6], y2 = V[7], z2 = V[8];
    const near = this.near;
    if (z0 < near && z1 < near && z2 < near) return;
    if (z0 > this.far && z1 > this.far && z2 > this.far) return;
    // Side planes through the camera: a triangle wholly outside one covers no pixel centre.
    // Culling only skips triangles the fill would not draw, so the (wider) union with the twin's
    // bounds draws exactly the same pixels in each target.
    let s = this.kxl;
    if (x0 < s * z0 && x1 < s * z1 && x2 < s * z2) return;
    s = this.kxr;
    if (x0 > s * z0 && x1 > s * z1 && x2 > s * z2) return;
    s = this.kyt;
    if (y0 < s * z0 && y1 < s * z1 && y2 < s * z2) return;
    s = this.kyb;
    if (y0 > s * z0 && y1 > s * z1 && y2 > s * z2) return;
    const whole = z0 >= near && z1 >= near && z2 >= near;
    const twin = this.stampValue === 0 ? this.twin : undefined;
    if (!whole) {
      // Few triangles (but large ones: the ground under the camera) cross the near plane: each
      // target clips and fills on its own, from the one plane set-up (and triangle record).
      if (!this.setPlane(cls, inst, mat)) return;
      this.clipped();
      if (twin) {
        twin.copyPlane(this);
        twin.clipped();
      }
      return;
    }
    // Projected once; each target adds its own principal point (the same sums as projecting
    // into it alone, so the same bits).
    const t = this.target;
    Q[0] = t.fx * (x0 / z0); Q[1] = t.fy * (y0 / z0);
    Q[2] = t.fx * (x1 / z1); Q[3] = t.fy * (y1 / z1);
    Q[4] = t.fx * (x2 / z2); Q[5] = t.fy * (y2 / z2);
    const mine = this.covers();
    const theirs = twin !== undefined && twin.covers();
    if (!mine && !theirs) return;
    if (!this.setPlane(cls, inst, mat)) return;
    if (mine) this.fillProjected();
    if (theirs) {
      twin.copyPlane(this);
      twin.fillProjected();
    }
  }

  /** Fills the triangle projected in Q, at this target's principal point. */
  private fillProjected(): void {
    const t = this.target;
    F[0] = Q[0] + t.cx; F[1] = Q[1] + t.cy; F[2] = Q[2] + t.cx; F[3] = Q[3] + t.cy; F[4] = Q[4] + t.cx; F[5] = Q[5] + t.cy;
    this.fill();
  }

  /**
   * Whether the triangle projected in Q (before adding the principal point) may cover a
   * pixel centre of this band: most triangles of a detailed model far off do not, and are
   * skipped before the plane set-up (the fill would draw nothing).
   */
  private covers(): boolean {
    const qx0 = Q[0], qy0 = Q[1], qx1 = Q[2], qy1 = Q[3], qx2 = Q[4], qy2 = Q[5];
    const t = this.target;
    const v0 = qy0 + t.cy, v1 = qy1 + t.cy, v2 = qy2 + t.cy;
    const top = v0 < v1 ? (v0 < v2 ? v0 : v2) : v1 < v2 ? v1 : v2;
    const bottom = v0 > v1 ? (v0 > v2 ? v0 : v2) : v1 > v2 ? v1 : v2;
    if (Math.max(Math.ceil(top), this.r0) >= Math.min(Math.ceil(bottom), this.r1)) return false;
    const u0 = qx0 + t.cx, u1 = qx1 + t.cx, u2 = qx2 + t.cx;
    const left = u0 < u1 ? (u0 < u2 ? u0 : u2) : u1 < u2 ? u1 : u2;
    const right = u0 > u1 ? (u0 > u2 ? u0 : u2) : u1 > u2 ? u1 : u2;
    return Math.max(Math.ceil(left), 0) < Math.min(Math.ceil(right), t.width);
  }

  /** Takes another rasteriser's triangle set-up, shifted to this target's principal point. */
  private copyPlane(o: Rasterizer): void {
    const t = this.target;
    const ifx = 1 / t.fx, ify = 1 / t.fy;
    this.pa = o.pa; this.pb = o.pb;
    this.pc = (o.pnz - o.pnx * t.cx * ifx - o.pny * t.cy * ify) / o.pd;
    this.cls = o.cls; this.inst = o.inst; this.light = o.light; this.mat = o.mat;
    this.nwx = o.nwx; this.nwy = o.nwy; this.nwz = o.nwz;
    this.record = o.record;
  }

  // The camera-frame plane of the triangle being filled (n, d), for a twin's set-up.
  private pnx = 0; private pny = 0; private pnz = 1; private pd = 1;

  /** The plane set-up of the camera-frame triangle in V (what the fill writes); false when it is seen edge-on. */
  private setPlane(cls: number, inst: number, mat: number): boolean {
    const x0 = V[0], y0 = V[1], z0 = V[2], x1 = V[3], y1 = V[4], z1 = V[5], x2 = V[6], y2 = V[7], z2 = V[8];
    const t = this.target;
    // Plane n . p = d in the camera frame; 1/z over the image is affine in (u, v).
    const e1x = x1 - x0, e1y = y1 - y0, e1z = z1 - z0;
    const e2x = x2 - x0, e2y = y2 - y0, e2z = z2 - z0;
    const nx = e1y * e2z - e1z * e2y, ny = e1z * e2x - e1x * e2z, nz = e1x * e2y - e1y * e2x;
    const d = nx * x0 + ny * y0 + nz * z0;
    if (d === 0) return false;
    this.pnx = nx; this.pny = ny; this.pnz = nz; this.pd = d;
    const ifx = 1 / t.fx, ify = 1 / t.fy;
    this.pa = (nx * ifx) / d;
    this.pb = (ny * ify) / d;
    this.pc = (nz - nx * t.cx * ifx - ny * t.cy * ify) / d;
    this.cls = cls;
    this.inst = inst;
    // The normal facing the camera (the camera is at the origin, so it faces away from p0 when d > 0).
    const len = Math.sqrt(nx * nx + ny * ny + nz * nz);
    const facing = (d > 0 ? -1 : 1) / len;
    this.light = facing * (nx * this.sx + ny * this.sy + nz * this.sz);
    this.mat = mat;
    // The facing normal in the world: M^T n (the rows of M are the optical axes in the world).
    const m = this.m;
    this.nwx = facing * (m[0] * nx + m[3] * ny + m[6] * nz);
    this.nwy = facing * (m[1] * nx + m[4] * ny + m[7] * nz);
    this.nwz = facing * (m[2] * nx + m[5] * ny + m[8] * nz);
    if (this.records && this.stampValue === 0) this.record = this.records.add(inst, mat, cls, this.light, this.nwx, this.nwy, this.nwz);
    return true;
  }

  /** The triangle in V, through the near plane, its plane set up: clipped (Sutherland–Hodgman against z = near) and filled. */
  private clipped(): void {
    const near = this.near, t = this.target;
    let n = 0;
    xs[0] = V[0]; xs[1] = V[3]; xs[2] = V[6];
    ys[0] = V[1]; ys[1] = V[4]; ys[2] = V[7];
    zs[0] = V[2]; zs[1] = V[5]; zs[2] = V[8];
    for (let i = 0; i < 3; i++) {
      const j = i === 2 ? 0 : i + 1;
      const ax = xs[i], ay = ys[i], az = zs[i], bx = xs[j], by = ys[j], bz = zs[j];
      if (az >= near) {
        clipX[n] = ax; clipY[n] = ay; clipZ[n] = az; n++;
      }
      if ((az >= near) !== (bz >= near)) {
        const f = (near - az) / (bz - az);
        clipX[n] = ax + (bx - ax) * f; clipY[n] = ay + (by - ay) * f; clipZ[n] = near; n++;
      }
    }
    const cu0 = t.fx * (clipX[0] / clipZ[0]) + t.cx, cv0 = t.fy * (clipY[0] / clipZ[0]) + t.cy;
    for (let i = 1; i + 1 < n; i++) {
      F[0] = cu0; F[1] = cv0;
      F[2] = t.fx * (clipX[i] / clipZ[i]) + t.cx; F[3] = t.fy * (clipY[i] / clipZ[i]) + t.cy;
      F[4] = t.fx * (clipX[i + 1] / clipZ[i + 1]) + t.cx; F[5] = t.fy * (clipY[i + 1] / clipZ[i + 1]) + t.cy;
      this.fill();
    }
  }

  /**
   * Fills the screen triangle in F by scanlines: rows v with top <= v < bottom, columns u with
   * left <= u < right. Each edge's x on a row is computed from its endpoints in (y, x) order,
   * so two triangles sharing an edge compute the same bits and split its pixels exactly.
   */
  private fill(): void {
    let ax = F[0], ay = F[1], bx = F[2], by = F[3], cx = F[4], cy = F[5];
    let tx: number, ty: number;
    if (ay > by || (ay === by && ax > bx)) { tx = ax; ty = ay; ax = bx; ay = by; bx = tx; by = ty; }
    if (by > cy || (by === cy && bx > cx)) { tx = bx; ty = by; bx = cx; by = cy; cx = tx; cy = ty; }
    if (ay > by || (ay === by && ax > bx)) { tx = ax; ty = ay; ax = bx; ay = by; bx = tx; by = ty; }
    const target = this.target;
    const rowStart = Math.max(Math.ceil(ay), this.r0);
    const rowEnd = Math.min(Math.ceil(cy), this.r1); // exclusive
    if (rowStart >= rowEnd) return;
    const width = target.width;
    const slopeAC = (cx - ax) / (cy - ay);
    const slopeAB = by > ay ? (bx - ax) / (by - ay) : 0;
    const slopeBC = cy > by ? (cx - bx) / (cy - by) : 0;
    const pa = this.pa, pb = this.pb, pc = this.pc;
    const stamp = this.stampValue;
    const lean = this.lean, record = this.record;
    for (let v = rowStart; v < rowEnd; v++) {
      const xLong = ax + (v - ay) * slopeAC;
      const xShort = v < by ? ax + (v - ay) * slopeAB : bx + (v - by) * slopeBC;
      let left: number, right: number;
      if (xLong < xShort) { left = xLong; right = xShort; } else { left = xShort; right = xLong; }
      const u0 = Math.max(Math.ceil(left), 0);
      const u1 = Math.min(Math.ceil(right), width); // exclusive
      if (u0 >= u1) continue;
      const row = v * width;
      if (stamp !== 0) {
        target.stamp.fill(stamp, row + u0, row + u1);
        const b = this.stampBounds;
        if (u0 < b[0]) b[0] = u0;
        if (v < b[1]) b[1] = v;
        if (u1 - 1 > b[2]) b[2] = u1 - 1;
        if (v > b[3]) b[3] = v;
        continue;
      }
      const invDepth = target.invDepth;
      const normal = target.normal;
      const triangle = target.triangle;
      const rowW = pb * v + pc;
      for (let u = u0; u < u1; u++) {
        const w = pa * u + rowW;
        const k = row + u;
        if (w > invDepth[k]) {
          invDepth[k] = w;
          triangle[k] = record;
          if (lean) continue;
          target.classId[k] = this.cls;
          target.instanceId[k] = this.inst;
          target.sunCosine[k] = this.light;
          target.materialId[k] = this.mat;
          normal[k * 3] = this.nwx;
          normal[k * 3 + 1] = this.nwy;
          normal[k * 3 + 2] = this.nwz;
        }
      }
    }
  }
}

const instanceMatrix = new Float64Array(9);
