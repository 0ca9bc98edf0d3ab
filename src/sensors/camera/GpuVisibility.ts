import { RASTER_PART_VALUES, RASTER_WORDS_PER_PIXEL, type RasterBand } from '../../raycast/gpu/GpuRaster.js';
import type { GpuRaycaster } from '../../raycast/gpu/GpuRaycaster.js';
import type { PlacedPart, World } from '../../world/World.js';
import type { CameraView } from './CameraView.js';
import type { LensRemap } from './LensRemap.js';
import { rotation } from './TileSetup.js';

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
 * A camera's render drawn by the GPU's raster (raycast/gpu/GpuRaster.ts): its pinhole render
 * (the lens remap's target) and its corner samples' band by band, each band from its own view
 * with the parts placed as they were when it was read, written into the camera's shared block,
 * from which the tiles (CameraTiles.ts) take their rows instead of rasterising them, then
 * resolve, anti-alias and shade them as they do the CPU's render.
 */
export class GpuVisibility {
  constructor(
    private readonly gpu: GpuRaycaster,
    private readonly remap: LensRemap,
    private readonly camera: { near: number; far: number },
  ) {}

  /**
   * Draws the bands (render rows [bandStart[b], bandStart[b + 1]) from views[b] with parts[b])
   * at byte `into` of the kernel's memory; with `corners`, then the corner samples' render after
   * it (CornerSamples: (width + 1) x (height + 1), offset by half a pixel; corner row r drawn
   * with render row r's band, the bottom edge with the last).
   */
  raster(world: World, views: readonly CameraView[], bandStart: Int32Array, parts: readonly Float64Array[], into: number, corners: boolean): void {
    const r = this.remap.target, { near, far } = this.camera;
    const staticMesh = world.scene.staticMesh.triangles.byteOffset, sun = [...views[0].sun];
    const bands = (last: number): RasterBand[] => views.map((v, b) => ({
      start: bandStart[b], end: b === views.length - 1 ? last : bandStart[b + 1], view: [...v.m, ...v.position], parts: parts[b],
    }));
    this.gpu.raster({ width: r.width, height: r.height, fx: r.fx, fy: r.fy, cx: r.cx, cy: r.cy, near, far, sun, staticMesh, bands: bands(r.height) }, into);
    if (!corners) return;
    this.gpu.raster({
      width: r.width + 1, height: r.height + 1, fx: r.fx, fy: r.fy, cx: r.cx + 0.5, cy: r.cy + 0.5, near, far, sun, staticMesh, bands: bands(r.height + 1),
    }, into + 4 * RASTER_WORDS_PER_PIXEL * r.width * r.height);
  }
}
