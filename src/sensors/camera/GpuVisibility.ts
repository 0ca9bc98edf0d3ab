import { RASTER_PART_VALUES, type RasterBand } from '../../raycast/gpu/GpuRaster.js';
import type { GpuRaycaster } from '../../raycast/gpu/GpuRaycaster.js';
import { createHitBuffer, MISS, type HitBuffer, type RayBatch } from '../../raycast/RaycastScene.js';
import type { PlacedPart, World } from '../../world/World.js';
import type { CameraView } from './CameraView.js';
import type { LensRemap } from './LensRemap.js';
import { rotation } from './TileSetup.js';

/** The per-pixel results of one image (as Camera.ts's PixelBuffers). */
export interface VisiblePixels {
  depth: Float32Array;
  range: Float32Array;
  classId: Uint8Array;
  instanceId: Uint32Array;
  sunCosine: Float32Array;
  materialId: Uint8Array;
  normal: Float32Array;
}

/** The parts a band is drawn with as the GPU raster takes them (RASTER_PART_VALUES numbers each), the skipped instance's left out. */
export function rasterParts(parts: readonly PlacedPart[], skip: number): Float64Array {
  const kept = parts.filter((p) => p.instanceId !== skip);
  const out = new Float64Array(kept.length * RASTER_PART_VALUES);
  kept.forEach((part, k) => {
    const o = k * RASTER_PART_VALUES;
    out[o] = part.mesh.triangles.byteOffset;
    out[o + 1] = part.instanceId;
    out.set(rotation(part.quaternion), o + 2);
    out.set(part.position, o + 11);
  });
  return out;
}

/**
 * A camera's primary visibility from the GPU's raster (raycast/gpu/GpuRaster.ts): its pinhole
 * render drawn band by band, each band from its own view with the parts placed as they were
 * when it was read, then resolved to the camera's pixels as the CPU's tiles resolve theirs
 * (CameraTiles.ts): through the lens remap, depth along the axis (fisheye: along the pixel's
 * ray), range along the render pixel's ray; pixels the render does not hold (a fisheye's
 * beyond it) cast on the CPU from the first band's view.
 */
export class GpuVisibility {
  private batch: RayBatch | undefined;
  private hits: HitBuffer | undefined;

  constructor(
    private readonly gpu: GpuRaycaster,
    private readonly remap: LensRemap,
    private readonly camera: { near: number; far: number; fisheye: boolean },
  ) {}

  /** Each camera pixel's band (through the remap: its render row's; a cast pixel: the first). */
  bandsOfPixels(bandStart: Int32Array): Int32Array {
    const { remap } = this, n = remap.width * remap.height, rw = remap.target.width;
    const bandOfRow = new Int32Array(remap.target.height);
    for (let b = 0; b + 1 < bandStart.length; b++) bandOfRow.fill(b, bandStart[b], bandStart[b + 1]);
    const out = new Int32Array(n);
    for (let i = 0; i < n; i++) {
      const s = remap.source ? remap.source[i] : i;
      out[i] = s < 0 ? 0 : bandOfRow[(s / rw) | 0];
    }
    return out;
  }

  /** Draws the bands (render rows [bandStart[b], bandStart[b + 1]) from views[b] with parts[b]) and resolves the image. */
  pixels(world: World, views: readonly CameraView[], bandStart: Int32Array, parts: readonly Float64Array[], sun: readonly number[], ignoreInstanceId: number): VisiblePixels {
    const r = this.remap.target, { near, far, fisheye } = this.camera;
    const bands: RasterBand[] = views.map((v, b) => ({ start: bandStart[b], end: bandStart[b + 1], view: [...v.m, ...v.position], parts: parts[b] }));
    const words = this.gpu.raster({
      width: r.width, height: r.height, fx: r.fx, fy: r.fy, cx: r.cx, cy: r.cy, near, far, sun: [...sun],
      staticMesh: world.scene.staticMesh.triangles.byteOffset, bands,
    });
    const m = r.width * r.height;
    const floats = new Float32Array(words.buffer, words.byteOffset, words.length);
    const { width, height, source } = this.remap;
    const sampled = this.remap.sampledRays, own = this.remap.rays;
    const n = width * height;
    const out: VisiblePixels = {
      depth: new Float32Array(n), range: new Float32Array(n).fill(Infinity), classId: new Uint8Array(n), instanceId: new Uint32Array(n),
      sunCosine: new Float32Array(n), materialId: new Uint8Array(n), normal: new Float32Array(3 * n),
    };
    const cast: number[] = [];
    for (let i = 0; i < n; i++) {
      const s = source ? source[i] : i;
      if (s < 0) {
        cast.push(i);
        continue;
      }
      const z = floats[s];
      if (!(z > 0)) continue;
      const o = i * 3, q = 3 * m + 4 * s;
      out.range[i] = z / sampled[o + 2];
      out.depth[i] = fisheye ? z / own[o + 2] : z;
      out.instanceId[i] = words[m + s];
      const classMaterial = words[2 * m + s];
      out.classId[i] = classMaterial & 0xff;
      out.materialId[i] = (classMaterial >>> 8) & 0xff;
      out.normal[o] = floats[q]; out.normal[o + 1] = floats[q + 1]; out.normal[o + 2] = floats[q + 2];
      out.sunCosine[i] = floats[q + 3];
    }
    if (cast.length > 0) this.castPixels(world, views[0], cast, sun, ignoreInstanceId, out);
    return out;
  }

  /** Pixels beyond the render: their own rays through the world's scene, from the first band's view (as CameraTiles.castPixels). */
  private castPixels(world: World, view: CameraView, pixels: number[], sun: readonly number[], ignoreInstanceId: number, out: VisiblePixels): void {
    const count = pixels.length, { near, far, fisheye } = this.camera;
    if (!this.batch || this.batch.origins.length < count * 3) {
      this.batch = { origins: new Float32Array(count * 3), directions: new Float32Array(count * 3), count, tMin: near, tMax: far };
      this.hits = createHitBuffer(count);
    }
    const batch = this.batch, hits = this.hits!, m = view.m, c = view.position, rays = this.remap.rays;
    let minZ = 1;
    for (const i of this.remap.castPixels) minZ = Math.min(minZ, rays[i * 3 + 2]);
    batch.count = count;
    batch.tMin = near;
    batch.tMax = fisheye ? far : far / Math.max(minZ, 1e-3);
    pixels.forEach((i, k) => {
      const o = i * 3, q = k * 3;
      const rx = rays[o], ry = rays[o + 1], rz = rays[o + 2];
      batch.origins[q] = c[0]; batch.origins[q + 1] = c[1]; batch.origins[q + 2] = c[2];
      batch.directions[q] = m[0] * rx + m[3] * ry + m[6] * rz;
      batch.directions[q + 1] = m[1] * rx + m[4] * ry + m[7] * rz;
      batch.directions[q + 2] = m[2] * rx + m[5] * ry + m[8] * rz;
    });
    world.scene.cast(batch, hits, { first: 0, end: count, ignoreInstanceId });
    pixels.forEach((i, k) => {
      const d = hits.distance[k], z = d * rays[i * 3 + 2];
      if (d === Infinity || (!fisheye && z > far)) return;
      const o = i * 3;
      out.range[i] = d;
      out.depth[i] = fisheye ? d : z;
      out.classId[i] = hits.classId[k];
      out.instanceId[i] = hits.instanceId[k] === MISS ? 0 : hits.instanceId[k];
      out.materialId[i] = hits.materialId[k];
      out.normal[o] = hits.normal[k * 3]; out.normal[o + 1] = hits.normal[k * 3 + 1]; out.normal[o + 2] = hits.normal[k * 3 + 2];
      out.sunCosine[i] = out.normal[o] * sun[0] + out.normal[o + 1] * sun[1] + out.normal[o + 2] * sun[2];
    });
  }
}
