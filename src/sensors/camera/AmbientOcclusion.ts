/**
 * Screen-space ambient occlusion from the image's own surface points (in the spirit of
 * Mittring's SSAO, 2007, with the normal-oriented hemisphere test of Bavoil and Sainz): for
 * each pixel, a few neighbouring pixels within a world radius R around it are taken, and each
 * one that lies above the pixel's tangent plane (toward where sky light would come from) and
 * close to it darkens the sky light the pixel receives. Kerbs, wall feet, the ground under a
 * car and the inside of foliage get the soft darkening real skylight has there, at the cost of
 * a handful of reads per pixel and no rays.
 *
 * The tap pattern is rotated per pixel by a fixed function of the pixel position, so the
 * result is deterministic.
 */

/** World radius (m) within which neighbours occlude. */
const RADIUS = 0.6;
const TAPS = 6;
/** Screen radius bounds (pixels): at least a pixel and a half, at most a small neighbourhood. */
const MIN_PIXELS = 1.5;
const MAX_PIXELS = 24;
/** Rows above and below a pixel's 2 x 2 block that its occlusion may read (a tap's offset is at most MAX_PIXELS, rounded). */
export const OCCLUSION_REACH_ROWS = MAX_PIXELS + 1;
/** Neighbours nearly in the tangent plane (cosine below this) do not occlude: no self-shadowing of flat ground. */
const BIAS = 0.15;
const STRENGTH = 1.4;
/** The sky is never wholly hidden from a visible surface point in this approximation. */
const FLOOR = 0.35;

/** Tap directions: TAPS per pattern, 16 patterns (a 4 x 4 block of rotations and radial jitters, interleaved gradient noise, Jimenez 2014). */
const PATTERN = (() => {
  const t = new Float64Array(16 * TAPS * 3);
  for (let p = 0; p < 16; p++) {
    const u = p & 3, v = p >> 2;
    const ign = (52.9829189 * ((0.06711056 * u * 2 + 0.00583715 * v * 2) % 1)) % 1;
    for (let k = 0; k < TAPS; k++) {
      const a = (2 * Math.PI * (k + ign)) / TAPS;
      const o = (p * TAPS + k) * 3;
      t[o] = Math.cos(a); t[o + 1] = Math.sin(a);
      t[o + 2] = ((k + 0.5 + ign) / (TAPS + 1)) * 0.75 + 0.25;
    }
  }
  return t;
})();

/**
 * Occlusion factor (1: open sky light, less where occluded) per pixel of a width x height image
 * from world positions `pos` and normals `normal` (3 per pixel) of the pixels whose range is
 * finite; `focal` converts metres at a range to pixels. Occlusion varies slowly over the
 * image, so it is found at every other pixel of every other row and shared by the 2 x 2 block.
 */
export function ambientOcclusion(
  width: number, height: number, pos: Float32Array, normal: Float32Array, range: Float32Array, focal: number, out: Float32Array,
  v0 = 0, v1 = height,
): void {
  // Rows [v0, v1), v0 even (a 2 x 2 block is one tile's); neighbours are read from any row.
  for (let v = v0; v < v1; v += 2) {
    for (let u = 0; u < width; u += 2) {
      const i = v * width + u;
      const ao = occlusionAt(u, v, i, width, height, pos, normal, range, focal);
      out[i] = ao;
      if (u + 1 < width) out[i + 1] = ao;
      if (v + 1 < height) {
        out[i + width] = ao;
        if (u + 1 < width) out[i + width + 1] = ao;
      }
    }
  }
}

/**
 * The occlusion `ambientOcclusion` gives pixel i (its 2 x 2 block's, as stored in a Float32Array):
 * what a tile needs of a pixel in another tile's rows without waiting for that tile.
 */
export function occlusionOfPixel(i: number, width: number, height: number, pos: Float32Array, normal: Float32Array, range: Float32Array, focal: number): number {
  const v = ((i / width) | 0) & ~1, u = (i % width) & ~1;
  return Math.fround(occlusionAt(u, v, v * width + u, width, height, pos, normal, range, focal));
}

function occlusionAt(
  u: number, v: number, i: number, width: number, height: number, pos: Float32Array, normal: Float32Array, range: Float32Array, focal: number,
): number {
  const r = range[i];
  if (r === Infinity) return 1;
  const px = pos[i * 3], py = pos[i * 3 + 1], pz = pos[i * 3 + 2];
  const nx = normal[i * 3], ny = normal[i * 3 + 1], nz = normal[i * 3 + 2];
  const screen = Math.max(MIN_PIXELS, Math.min(MAX_PIXELS, (focal * RADIUS) / r));
  const base = ((((v >> 1) & 3) << 2) | ((u >> 1) & 3)) * TAPS * 3;
  let occlusion = 0;
  for (let k = 0; k < TAPS; k++) {
    const o = base + k * 3;
    const dist = screen * PATTERN[o + 2];
    const qu = Math.round(u + PATTERN[o] * dist), qv = Math.round(v + PATTERN[o + 1] * dist);
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
  return ao < FLOOR ? FLOOR : ao;
}
