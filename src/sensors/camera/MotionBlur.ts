/**
 * Motion blur over the exposure window by sub-frames: the sensor integrates the image over the
 * shutter time T, so the exposed image is (1/T) ∫₀ᵀ L(t) dt, and with N sub-frames at
 * t_k = k T / (N − 1), k = 0 … N − 1, we take the mean (1/N) Σ L(t_k). The first sub-frame is at
 * the exposure start (the frame's depth, labels and boxes are its), the last at its end, so a
 * moving edge is smeared over exactly its image motion during T (an N-step staircase, where the
 * integral is a ramp). Each sub-frame is a full render and shading of the world with every
 * actor moved along its velocity (constant over the few ms of a shutter) and the camera at its
 * pose at t_k (interpolated between the step's states, or moved along its velocity for a
 * single capture): occlusion and uncovered background are those of the scene at t_k, which a
 * per-pixel velocity blur only approximates. Cost: N renders and shadings, sensor noise and the
 * tone curve once, so ≤ N× the frame without blur.
 *
 * The mean is accumulated in float64 and rounded once, so a static scene (N identical
 * sub-frames) gives back the very values of the frame without blur: byte-identical.
 */
import type { WorldState } from '../../sim/WorldState.js';

/** Sub-frame times (s from the exposure start) of N samples over a shutter of T s: k T / (N − 1). */
export function subFrameTimes(samples: number, shutter: number): number[] {
  return Array.from({ length: samples }, (_, k) => (k * shutter) / (samples - 1));
}

/** The state dt seconds later with every actor moved along its (world-frame) velocity; orientations kept. */
export function stateAfter(state: WorldState, dt: number): WorldState {
  return {
    ...state,
    actors: state.actors.map((a) => ({
      ...a,
      pose: { p: [a.pose.p[0] + a.velocity[0] * dt, a.pose.p[1] + a.velocity[1] * dt, a.pose.p[2] + a.velocity[2] * dt], q: a.pose.q },
    })),
  };
}

/** The running sum of sub-frame images and its mean, in float64 so that equal sub-frames average to themselves exactly. */
export class SubFrameMean {
  private readonly sum: Float64Array;
  private count = 0;

  constructor(size: number) {
    this.sum = new Float64Array(size);
  }

  add(image: ArrayLike<number>): void {
    const s = this.sum;
    // The first sub-frame is copied in (0 + x is x: the same sums).
    if (this.count === 0) s.set(image);
    else for (let i = 0; i < s.length; i++) s[i] += image[i];
    this.count++;
  }

  /** Mean scene values (float32: the sum of N equal float32 values over N is that value exactly). */
  linear(): Float32Array {
    const out = new Float32Array(this.sum.length), n = this.count;
    for (let i = 0; i < out.length; i++) out[i] = this.sum[i] / n;
    return out;
  }

  /** Mean RGB8 codes, rounded to the nearest. */
  rgb8(): Uint8Array {
    const out = new Uint8Array(this.sum.length), n = this.count;
    for (let i = 0; i < out.length; i++) out[i] = Math.round(this.sum[i] / n);
    return out;
  }
}
