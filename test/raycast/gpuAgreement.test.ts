/**
 * The GPU raycaster against the CPU kernel, an independent implementation of the same
 * traversal (float64 triangles in WebAssembly against float32 in WGSL), on every batch a
 * LiDAR sweep and a radar scan cast over three steps of a small town with moving cars
 * (gpuChild/agreement.ts). Runs on the software adapter (SwiftShader) where there is no GPU;
 * skipped, saying why, where no adapter can be had, unless ROADCAST_REQUIRE_GPU=1.
 */
import { describe, expect, it } from 'vitest';
import { gpuTitle, probeGpu, REQUIRE_GPU, runGpuChild } from './gpuHelpers.js';
import type { Stats } from './gpuChild/agreement.js';

/** Child processes on a software adapter, on CI's loaded cores: far more than the default minute. */
const GPU_TEST_TIMEOUT = 240_000;

const probe = probeGpu();

describe.skipIf(!probe.ok && !REQUIRE_GPU)(gpuTitle('GPU raycast agreement with the CPU kernel', probe), () => {
  it('gives every ray of a LiDAR sweep and a radar scan among moving cars the CPU\'s hit, to 1 mm, with the same class and instance', () => {
    const result = runGpuChild<{ lidar: Stats; radar: Stats }>('agreement');
    expect(result.status, result.stderr).toBe(0);
    const { lidar, radar } = result.json!;
    // 3 sweeps of 32 x 900 rays; 3 scans of the radar's pattern (with its bounces).
    expect(lidar.rays).toBe(3 * 32 * 900);
    expect(radar.rays).toBeGreaterThan(1000);
    for (const [name, s] of [['lidar', lidar], ['radar', radar]] as const) {
      // A scene the sensors mostly see (ground, buildings, cars), not an empty one.
      expect(s.hits, name).toBeGreaterThan(0.5 * s.rays);
      // Any disagreement must be a ray within 2 mm of a triangle edge, and those rare.
      expect(s.offEdgeDisagreements, `${name}: ${s.examples.join('; ')}`).toBe(0);
      expect(s.hitMismatch + s.idMismatch + s.rangeMismatch, name).toBeLessThanOrEqual(s.rays * 1e-3);
      expect(s.maxRangeError, name).toBeLessThanOrEqual(1e-3);
      expect(s.minNormalDot, name).toBeGreaterThan(0.9999);
      expect(s.reflectivityMismatch, name).toBe(0);
    }
  }, GPU_TEST_TIMEOUT);
});
