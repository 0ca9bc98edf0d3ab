/**
 * A camera's visibility drawn on the GPU (Camera.useGpu, raycast/gpu/GpuRaster.ts) against the
 * CPU's rasteriser, pixel by pixel, for a pinhole, a distorted lens, a fisheye (pixels beyond
 * its render cast), a rolling shutter read over moving actors, palette shading and motion blur
 * (its sub-frames drawn on the GPU too) (gpuChild/cameraAgreement.ts);
 * the GPU camera's every output the same bytes with its tiles on pools of 1 and 2 workers; and
 * its RGB, anti-aliased by corner samples the GPU draws too, against the CPU camera's. Runs
 * on the software adapter (SwiftShader) where there is no GPU; skipped, saying why, where no
 * adapter can be had, unless ROADCAST_REQUIRE_GPU=1.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fieldArray } from '../../src/core/frame.js';
import { readFrames } from '../../src/io/McapSource.js';
import { gpuEnv, gpuTitle, probeGpu, REQUIRE_GPU, runGpuChild, runNode } from './gpuHelpers.js';
import type { CameraStats, CrowdStats } from './gpuChild/cameraAgreement.js';

const GPU_TEST_TIMEOUT = 240_000;
const probe = probeGpu();

describe.skipIf(!probe.ok && !REQUIRE_GPU)(gpuTitle('camera visibility on the GPU against the CPU rasteriser', probe), () => {
  it('gives the CPU\'s class and instance at every pixel off an edge, and its depth within 1 mm but at a few cracks', () => {
    const result = runGpuChild<{ cameras: Record<string, CameraStats>; crowd: CrowdStats }>('cameraAgreement');
    expect(result.status, result.stderr).toBe(0);
    const { cameras, crowd } = result.json!;
    expect(Object.keys(cameras)).toEqual(['pinhole', 'distorted', 'fisheye', 'rolling shutter', 'palette', 'motion blur']);
    for (const [name, s] of Object.entries(cameras)) {
      // A real test: actors of several kinds in view, most pixels see something, most are compared.
      expect(s.instances, name).toBeGreaterThanOrEqual(5);
      expect(s.hits, name).toBeGreaterThan(0.5 * s.pixels);
      expect(s.depthCompared, name).toBeGreaterThan(0.25 * s.pixels);
      expect(s.idMismatch, name).toBeLessThanOrEqual(1e-3 * s.pixels);
      expect(s.depthErrorP999, name).toBeLessThanOrEqual(1e-3);
      expect(s.depthOver1mm, name).toBeLessThanOrEqual(2e-3 * s.depthCompared);
      // Its tiles shade it on the pool: the same bytes for any number of threads.
      expect(s.sameOnPools, name).toBe(true);
    }
    // The same shading and anti-aliasing over the same visibility: the CPU's RGB to a fraction
    // of a level on average, a few edge pixels apart.
    for (const [name, s] of Object.entries(cameras)) {
      expect(s.rgbMeanDifference, name).toBeLessThan(1);
      expect(s.rgbOver8, name).toBeLessThan(0.03);
    }
    // More boxed actors than the tiles first make room for: drawn again on larger arrays, the GPU's render too.
    expect(crowd.boxes).toBeGreaterThan(64);
    expect(crowd.differing).toBeLessThan(2e-3 * crowd.pixels);
  }, GPU_TEST_TIMEOUT);
});

describe.skipIf(!probe.ok && !REQUIRE_GPU)(gpuTitle('a run on the GPU backend with a camera', probe), () => {
  it('rasterises the camera there, every frame delivered, byte for byte the same twice', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'roadcast-gpu-camera-'));
    const files = [join(dir, 'a.mcap'), join(dir, 'b.mcap')];
    for (const file of files) {
      const result = runNode(['dist/cli/main.js', 'run', 'scenarios/straight-road.yaml', '--rig', 'test/raycast/rigs/gpu-camera.yaml', '--duration', '0.3', '--record', file, '--backend', 'gpu'], gpuEnv());
      expect(result.status, result.stderr).toBe(0);
      expect(result.stdout).toContain('cameras rasterise there, shaded on the CPU');
      // 10 Hz over 0.3 s, the last exposure (a 20 ms readout) finished within the run.
      expect(result.stdout).toContain('camera/front: 3');
      expect(result.stdout).toContain('lidar/top: 3');
    }
    expect(readFileSync(files[0]).equals(readFileSync(files[1]))).toBe(true);
    const cameraFrames = [];
    for await (const frame of readFrames(files[0])) if (frame.kind === 'camera') cameraFrames.push(frame);
    expect(cameraFrames.map((f) => f.fields.visibility)).toEqual(['gpu raster', 'gpu raster', 'gpu raster']);
    // An image of the road ahead: most pixels see something.
    const depth = fieldArray(cameraFrames[0].data.depth) as Float32Array;
    expect(depth.filter((d) => d > 0).length).toBeGreaterThan(0.5 * depth.length);
  }, GPU_TEST_TIMEOUT);
});
