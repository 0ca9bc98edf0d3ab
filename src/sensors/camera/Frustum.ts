import type { MeshBvh } from '../../raycast/MeshBvh.js';

/** Triangles per culling chunk: runs of the static mesh's leaf order, which are spatially compact. */
export const CHUNK = 32;

const chunkCache = new WeakMap<MeshBvh, Float32Array>();

/**
 * World boxes (min x, y, z, max x, y, z) of each run of CHUNK triangles of a mesh in its
 * stored (BVH leaf) order, computed once per mesh and cached.
 */
export function chunkBounds(mesh: MeshBvh): Float32Array {
  const cached = chunkCache.get(mesh);
  if (cached) return cached;
  const chunks = Math.ceil(mesh.triangleCount / CHUNK);
  const bounds = new Float32Array(chunks * 6);
  const t = mesh.triangles;
  for (let c = 0; c < chunks; c++) {
    let x0 = Infinity, y0 = Infinity, z0 = Infinity, x1 = -Infinity, y1 = -Infinity, z1 = -Infinity;
    const end = Math.min(mesh.triangleCount, (c + 1) * CHUNK);
    for (let k = c * CHUNK; k < end; k++) {
      const o = k * 9;
      for (let v = 0; v < 3; v++) {
        const x = t[o] + (v === 1 ? t[o + 3] : v === 2 ? t[o + 6] : 0);
        const y = t[o + 1] + (v === 1 ? t[o + 4] : v === 2 ? t[o + 7] : 0);
        const z = t[o + 2] + (v === 1 ? t[o + 5] : v === 2 ? t[o + 8] : 0);
        if (x < x0) x0 = x; if (x > x1) x1 = x;
        if (y < y0) y0 = y; if (y > y1) y1 = y;
        if (z < z0) z0 = z; if (z > z1) z1 = z;
      }
    }
    // Padded so that float32 rounding never shrinks a box inside its triangles.
    const pad = 1e-3;
    bounds.set([x0 - pad, y0 - pad, z0 - pad, x1 + pad, y1 + pad, z1 + pad], c * 6);
  }
  chunkCache.set(mesh, bounds);
  return bounds;
}

/**
 * The view frustum as six world-frame half-spaces n . p + d >= 0: four side planes through
 * the camera centre (normalised image coordinates x/z in [xl, xr], y/z in [yt, yb]), near and far.
 */
export class FrustumPlanes {
  private readonly planes = new Float64Array(24);
  private readonly box = new Float64Array(6);

  /** m: camera (optical) from world rotation, rows; c: camera centre in the world. */
  set(m: ArrayLike<number>, c: ArrayLike<number>, xl: number, xr: number, yt: number, yb: number, near: number, far: number): void {
    const cam = [
      [1, 0, -xl, 0], [-1, 0, xr, 0], [0, 1, -yt, 0], [0, -1, yb, 0], [0, 0, 1, -near], [0, 0, -1, far],
    ];
    cam.forEach(([a, b, e, d], i) => {
      // World normal M^T n; offset so that the plane passes where it should relative to c.
      const nx = m[0] * a + m[3] * b + m[6] * e;
      const ny = m[1] * a + m[4] * b + m[7] * e;
      const nz = m[2] * a + m[5] * b + m[8] * e;
      this.planes.set([nx, ny, nz, d - (nx * c[0] + ny * c[1] + nz * c[2])], i * 4);
    });
  }

  /** False when the box (6 floats at offset o) lies wholly outside one plane. */
  boxVisible(b: ArrayLike<number>, o: number): boolean {
    const p = this.planes;
    for (let i = 0; i < 24; i += 4) {
      const nx = p[i], ny = p[i + 1], nz = p[i + 2];
      const x = nx >= 0 ? b[o + 3] : b[o];
      const y = ny >= 0 ? b[o + 4] : b[o + 1];
      const z = nz >= 0 ? b[o + 5] : b[o + 2];
      if (nx * x + ny * y + nz * z + p[i + 3] < 0) return false;
    }
    return true;
  }

  /** boxVisible for a model-space box under the rigid transform (r row-major, t). */
  transformedBoxVisible(bounds: ArrayLike<number>, r: ArrayLike<number>, t: ArrayLike<number>): boolean {
    const out = this.box;
    for (let row = 0; row < 3; row++) {
      let lo = t[row], hi = t[row];
      for (let col = 0; col < 3; col++) {
        const a = r[row * 3 + col] * bounds[col], b = r[row * 3 + col] * bounds[3 + col];
        lo += Math.min(a, b);
        hi += Math.max(a, b);
      }
      out[row] = lo - 1e-3;
      out[3 + row] = hi + 1e-3;
    }
    return this.boxVisible(out, 0);
  }
}
