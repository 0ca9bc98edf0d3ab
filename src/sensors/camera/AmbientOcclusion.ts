/**
 * Screen-space ambient occlusion from the image's own surface points (in the spirit of
 * Mittring's SSAO, 2007, with the normal-oriented hemisphere test of Bavoil and Sainz): for
 * each pixel, a few neighbouring pixels within a world radius R around it are taken, and each
 * one that lies above the pixel's tangent plane (toward where sky light would come from) and
 * close to it darkens the sky light the pixel receives. Kerbs, wall feet, the ground under a
 * car and the inside of foliage get the soft darkening real skylight has there, at the cost of
 * a handful of reads per pixel and no rays.
 *
 * The tap pattern is rotated per pixel by interleaved gradient noise (Jimenez 2014), a fixed
 * function of the pixel position, so the result is deterministic.
 */

/** World radius (m) within which neighbours occlude. */
const RADIUS = 0.6;
const TAPS = 6;
/** Screen radius bounds (pixels): at least a pixel and a half, at most a small neighbourhood. */
const MIN_PIXELS = 1.5;
const MAX_PIXELS = 24;
/** Neighbours nearly in the tangent plane (cosine below this) do not occlude: no self-shadowing of flat ground. */
const BIAS = 0.15;
const STRENGTH = 1.4;
/** The sky is never wholly hidden from a visible surface point in this approximation. */
const FLOOR = 0.35;

/**
 * Occlusion factor (1: open sky light, less where occluded) per pixel of a width x height image
 * from world positions `pos` and normals `normal` (3 per pixel) of the pixels whose range is
 * finite; `focal` converts metres at a range to pixels.
 */
export function ambientOcclusion(
  width: number, height: number, pos: Float32Array, normal: Float32Array, range: Float32Array, focal: number, out: Float32Array,
): void {
  const cosines = new Float64Array(TAPS), sines = new Float64Array(TAPS);
  for (let k = 0; k < TAPS; k++) {
    cosines[k] = Math.cos((2 * Math.PI * k) / TAPS);
    sines[k] = Math.sin((2 * Math.PI * k) / TAPS);
  }
  for (let v = 0; v < height; v++) {
    for (let u = 0; u < width; u++) {
      const i = v * width + u;
      const r = range[i];
      if (r === Infinity) {
        out[i] = 1;
        continue;
      }
      const px = pos[i * 3], py = pos[i * 3 + 1], pz = pos[i * 3 + 2];
      const nx = normal[i * 3], ny = normal[i * 3 + 1], nz = normal[i * 3 + 2];
      const screen = Math.max(MIN_PIXELS, Math.min(MAX_PIXELS, (focal * RADIUS) / r));
      // Interleaved gradient noise: a rotation and a radial jitter per pixel.
      const ign = (52.9829189 * ((0.06711056 * u + 0.00583715 * v) % 1)) % 1;
      const c = Math.cos(ign * 2 * Math.PI), s = Math.sin(ign * 2 * Math.PI);
      let occlusion = 0;
      for (let k = 0; k < TAPS; k++) {
        const dist = screen * ((k + 0.5 + ign) / (TAPS + 1) * 0.75 + 0.25);
        const dx = (cosines[k] * c - sines[k] * s) * dist, dy = (sines[k] * c + cosines[k] * s) * dist;
        const qu = Math.round(u + dx), qv = Math.round(v + dy);
        if (qu < 0 || qv < 0 || qu >= width || qv >= height) continue;
        const q = qv * width + qu;
        if (range[q] === Infinity) continue;
        const ex = pos[q * 3] - px, ey = pos[q * 3 + 1] - py, ez = pos[q * 3 + 2] - pz;
        const len = Math.sqrt(ex * ex + ey * ey + ez * ez);
        if (len < 1e-4 || len > 2 * RADIUS) continue;
        const cos = (nx * ex + ny * ey + nz * ez) / len;
        if (cos > BIAS) occlusion += (cos - BIAS) * (1 - len / (2 * RADIUS));
      }
      const ao = 1 - (STRENGTH * occlusion) / TAPS;
      out[i] = ao < FLOOR ? FLOOR : ao;
    }
  }
}
