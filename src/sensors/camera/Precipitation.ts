/**
 * Rain streaks and snowflakes in the camera image, from the weather's rain and snow rates (the
 * LiDAR's weather).
 *
 * Drop sizes: an exponential distribution N(D) = N0 e^(−Λ D) (m⁻³ mm⁻¹, D in mm):
 *   rain, Marshall & Palmer, "The distribution of raindrops with size", J. Meteorology 5, 165
 *   (1948): N0 = 8000, Λ = 4.1 R^−0.21 (R in mm/h);
 *   snow, Gunn & Marshall, "The distribution with size of aggregate snowflakes", J. Meteorology
 *   15, 452 (1958): N0 = 3.8e3 R^−0.87, Λ = 2.55 R^−0.48 (R in mm/h of melted water).
 * Only drops of D ∈ [D_min, D_max] are drawn (smaller ones are far under a pixel and add a faint
 * haze we leave out), so the number density is n = (N0/Λ)(e^(−Λ D_min) − e^(−Λ D_max)) m⁻³.
 * They are spread uniformly in the camera's frustum between Z_NEAR and Z_FAR, volume
 *   V = (W / fx)(H / fy)(Z_FAR³ − Z_NEAR³) / 3,
 * the count per frame is Poisson with mean n V, positions at mid-exposure.
 * Fall speed: rain after Atlas, Srivastava and Sekhon, "Doppler radar characteristics of
 * precipitation at vertical incidence", Rev. Geophys. 11(1), 1 (1973): v(D) = 9.65 − 10.3 e^(−0.6 D)
 * m/s; snow ≈ 1 m/s for every flake (aggregates fall at 0.5–1.5 m/s, Locatelli & Hobbs 1974).
 * A particle moves relative to the camera at its fall velocity minus the camera's, so over the
 * exposure time T its image is a streak from its projection at −T/2 to that at +T/2 (length
 * f v T / Z for a drop falling across a level camera at depth Z).
 *
 * Brightness after Garg and Nayar ("Vision and Rain", IJCV 75(1), 2007; "Photorealistic
 * rendering of rain streaks", SIGGRAPH 2006): a pixel the drop crosses sees it for τ of the
 * exposure T and the background the rest, I = (τ/T) E_drop + (1 − τ/T) E_background. We spread
 * the drop's image (a disc of diameter w = f D / Z pixels, area π w²/4, present for all of T)
 * evenly along its streak, so each pixel's share τ/T (times the part of the pixel the disc
 * covers, for drops under a pixel wide) is the disc's area-time it receives. A raindrop
 * refracts light from a wide cone (~165°) of the scene toward the camera and its brightness
 * depends little on the background right behind it (Garg & Nayar): we take E_drop as the mean
 * radiance of the scene in the image (the drop's cone is wider; this is our approximation).
 * Snowflakes are opaque white diffusers: E = ρ E_h / π with ρ = 0.9 under the sky's horizontal
 * illuminance E_h. A drop is drawn only over pixels whose surface is farther than the drop.
 *
 * Randomness: a hash of (seed, frame, kind, particle index, key), so the particles of a frame
 * do not depend on the order they are drawn in.
 */
import { expOfBits } from '../FastMath.js';
import { mix32 } from './SensorNoise.js';
import type { CameraConfig } from '../CameraConfig.js';

export type ParticleKind = 'rain' | 'snow';

/** Depth band (m, along the optical axis) the particles are drawn in. */
export const Z_NEAR = 0.5;
export const Z_FAR = 8;
/** Diameters (mm) drawn: [D_MIN, D_MAX] of each kind. */
export const DIAMETER = { rain: [0.5, 6], snow: [0.5, 10] } as const;
export const SNOW_FALL_SPEED = 1;
export const SNOW_ALBEDO = 0.9;

/** N0 (m⁻³ mm⁻¹) and Λ (mm⁻¹) of the kind's exponential size distribution at rate R (mm/h). */
export function sizeDistribution(kind: ParticleKind, rate: number): { n0: number; lambda: number } {
  return kind === 'rain' ? { n0: 8000, lambda: 4.1 * rate ** -0.21 } : { n0: 3.8e3 * rate ** -0.87, lambda: 2.55 * rate ** -0.48 };
}

/** Particles per m³ with D in [D_MIN, D_MAX]. */
export function numberDensity(kind: ParticleKind, rate: number): number {
  const { n0, lambda } = sizeDistribution(kind, rate);
  const [d0, d1] = DIAMETER[kind];
  return (n0 / lambda) * (Math.exp(-lambda * d0) - Math.exp(-lambda * d1));
}

/** Terminal fall speed (m/s) of a particle of diameter D (mm). */
export function fallSpeed(kind: ParticleKind, d: number): number {
  return kind === 'rain' ? 9.65 - 10.3 * Math.exp(-0.6 * d) : SNOW_FALL_SPEED;
}

/** The pinhole projection the particles are drawn with (distortion left out). */
export type Pinhole = Pick<CameraConfig, 'width' | 'height' | 'fx' | 'fy' | 'cx' | 'cy'>;

/** Volume (m³) of the frustum of the whole image between depths z0 and z1. */
export function frustumVolume(p: Pinhole, z0 = Z_NEAR, z1 = Z_FAR): number {
  return ((p.width / p.fx) * (p.height / p.fy) * (z1 ** 3 - z0 ** 3)) / 3;
}

/** The particles of one frame: positions (optical frame, m, mid-exposure) and diameters (mm). */
export interface Particles {
  kind: ParticleKind;
  position: Float64Array;
  diameter: Float64Array;
  /** The expected share of the particles not drawn, by the depth of the surface behind (PrecipitationVeil.ts). */
  veil?: { alpha(depth: number): number };
}

const KIND_KEY = { rain: 0x2545f491, snow: 0x6c8e9cf5 } as const;

/** Uniform in [0, 1) from (key, particle, draw). */
function uniform(key: number, i: number, draw: number): number {
  return uniformOf(particleHash(key, i), draw);
}

/** The hash of (key, particle) every draw of the particle starts from. */
function particleHash(key: number, i: number): number {
  return mix32((key + Math.imul(i, 0x9e3779b1)) >>> 0);
}

/** The 32 random bits of draw `draw` of a particle of hash h. */
function bitsOf(h: number, draw: number): number {
  return mix32((h + Math.imul(draw + 1, 0x85ebca6b)) >>> 0);
}

/** Uniform in [0, 1) of draw `draw` of a particle of hash h. */
function uniformOf(h: number, draw: number): number {
  return bitsOf(h, draw) / 4294967296;
}

/** Standard normal from two uniforms (Box–Muller; 1 − u keeps the log finite). */
function gaussian(u1: number, u2: number): number {
  return Math.sqrt(-2 * Math.log(1 - u1)) * Math.cos(2 * Math.PI * u2);
}

/** A Poisson count of mean μ at uniform u (inversion below 50, the normal approximation above). */
function poissonCount(mean: number, key: number): number {
  if (mean <= 0) return 0;
  if (mean >= 50) return Math.max(0, Math.round(mean + Math.sqrt(mean) * gaussian(uniform(key, -1, 0), uniform(key, -1, 1))));
  const u = uniform(key, -1, 0);
  let p = Math.exp(-mean), cdf = p, n = 0;
  while (u > cdf && n < 1000) { n++; p *= mean / n; cdf += p; }
  return n;
}

/** Depth slabs the candidates are counted in (D*(z) is taken at each slab's near edge, then thinned). */
const SLABS = 16;

/**
 * Samples the particles of a kind at a rate in the frustum between Z_NEAR and Z_FAR, for (seed,
 * frame), keeping those of D ≥ D*(z) = κ z (PrecipitationVeil.ts; κ = 0: every one). Per depth
 * slab [a, b] the candidates are Poisson with mean (N0/Λ)(e^(−Λ D*(a)) − e^(−Λ D_max)) V_slab,
 * D*(a) the slab's smallest threshold, each drawn D*(a) + an exponential excess (memoryless)
 * and kept where D ≥ D*(z) at its own depth: exact for the continuous threshold.
 */
export function sampleParticles(kind: ParticleKind, rate: number, p: Pinhole, seed: number, frame: number, kappa = 0): Particles {
  const key = mix32((mix32(seed ^ KIND_KEY[kind]) + Math.imul(frame + 1, 0x27d4eb2f)) >>> 0);
  const { n0, lambda } = sizeDistribution(kind, rate);
  const [d0, d1] = DIAMETER[kind];
  // Candidates per slab first, so the arrays are allocated once.
  const slab = (Z_FAR - Z_NEAR) / SLABS;
  const counts: number[] = [], keys: number[] = [];
  for (let s = 0; s < SLABS; s++) {
    const za = Z_NEAR + s * slab, zb = s === SLABS - 1 ? Z_FAR : za + slab;
    const dNear = Math.max(d0, kappa * za);
    keys.push(mix32((key + Math.imul(s + 1, 0x165667b1)) >>> 0));
    counts.push(dNear >= d1 ? 0 : poissonCount((n0 / lambda) * (Math.exp(-lambda * dNear) - Math.exp(-lambda * d1)) * frustumVolume(p, za, zb), keys[s]));
  }
  const total = counts.reduce((a, b) => a + b, 0);
  const position = new Float64Array(total * 3), diameter = new Float64Array(total);
  // Image-plane extents (normalised): the outer edges of the first and last pixels.
  const x0 = (-0.5 - p.cx) / p.fx, xw = p.width / p.fx, y0 = (-0.5 - p.cy) / p.fy, yh = p.height / p.fy;
  let k = 0;
  for (let s = 0; s < SLABS; s++) {
    const za = Z_NEAR + s * slab, zb = s === SLABS - 1 ? Z_FAR : za + slab;
    const dNear = Math.max(d0, kappa * za), skey = keys[s];
    const span = lambda * (d1 - dNear);
    const za3 = za ** 3, span3 = zb ** 3 - za3;
    for (let i = 0; i < counts[s]; i++) {
      // Depth with density ∝ z² (the frustum's cross-section); the diameter truncated exponential
      // on [D*(a), d1]: an exponential modulo the span is exactly that (Σ_k e^−(y + k s) ∝ e^−y on
      // [0, s)), from the fast table logarithm (~10⁵ drops a frame of rain).
      const h = particleHash(skey, i);
      const z = Math.cbrt(za3 + uniformOf(h, 0) * span3);
      let y = expOfBits((bitsOf(h, 3) | 1) >>> 0);
      if (y >= span) y -= span * Math.floor(y / span);
      const d = dNear + y / lambda;
      if (d < kappa * z) continue;
      // Uniform across the image.
      position[k * 3] = (x0 + uniformOf(h, 1) * xw) * z;
      position[k * 3 + 1] = (y0 + uniformOf(h, 2) * yh) * z;
      position[k * 3 + 2] = z;
      diameter[k++] = d;
    }
  }
  return { kind, position: position.subarray(0, k * 3), diameter: diameter.subarray(0, k) };
}

/** Where a particle's streak runs in the image over the exposure: its projections at −T/2 and +T/2, and its width (px). */
export function streakOf(
  p: Pinhole, x: number, y: number, z: number, d: number, velocity: readonly number[], shutter: number,
): { u0: number; v0: number; u1: number; v1: number; z0: number; z1: number; width: number } | undefined {
  const h = shutter / 2;
  const xa = x - velocity[0] * h, ya = y - velocity[1] * h, za = z - velocity[2] * h;
  const xb = x + velocity[0] * h, yb = y + velocity[1] * h, zb = z + velocity[2] * h;
  if (za < 0.05 || zb < 0.05) return undefined;
  return {
    u0: p.cx + (p.fx * xa) / za, v0: p.cy + (p.fy * ya) / za,
    u1: p.cx + (p.fx * xb) / zb, v1: p.cy + (p.fy * yb) / zb,
    z0: za, z1: zb, width: (p.fx * d * 1e-3) / z,
  };
}

/** The scene a frame's particles are drawn over. */
export interface PrecipitationTarget {
  pinhole: Pinhole;
  /** Scene values (kcd/m², 3 per pixel), changed in place. */
  linear: Float32Array;
  /** Distance of each pixel's surface along its ray (m), Infinity for sky. */
  range: Float32Array;
  /** The optical-frame rotation (column-major, columns the optical axes in the world), as CameraView.m. */
  m: ArrayLike<number>;
  /** The camera's world velocity (m/s). */
  cameraVelocity: readonly number[];
  shutter: number;
  /** The sky's horizontal illuminance (klx), for the snowflakes' brightness. */
  illuminance: number;
}

/** The mean scene value of the image (3 channels): a raindrop's radiance (see above). */
export function meanRadiance(linear: Float32Array): number[] {
  // Scalar sums (the same additions in the same order as into an array, faster).
  let e0 = 0, e1 = 0, e2 = 0;
  const n = linear.length / 3;
  for (let i = 0; i < linear.length; i += 3) { e0 += linear[i]; e1 += linear[i + 1]; e2 += linear[i + 2]; }
  return [e0 / n, e1 / n, e2 / n];
}

/** Snowflake radiance (kcd/m²) under horizontal illuminance E_h (klx): ρ E_h / π. */
export function snowRadiance(illuminance: number): number {
  return (SNOW_ALBEDO * illuminance) / Math.PI;
}

/**
 * Work buffers reused from frame to frame (a 640×360 frame of rain would otherwise allocate
 * ~3 MB of them, and the garbage collector's time shows in the frame rate). Every use overwrites
 * or clears what it reads, so a frame does not depend on the one before.
 */
const scratch = { share: new Float32Array(0), depth: new Float32Array(0), fall: new Float64Array(0) };
function scratch32(name: 'share' | 'depth', n: number): Float32Array {
  if (scratch[name].length < n) scratch[name] = new Float32Array(n);
  return scratch[name].subarray(0, n);
}
function scratch64(n: number): Float64Array {
  if (scratch.fall.length < n) scratch.fall = new Float64Array(Math.ceil(n * 1.25));
  return scratch.fall.subarray(0, n);
}

/**
 * Draws the frame's rain and snow into `target.linear`, each set's veil (if any) as a uniform
 * blend in front of every surface; returns the number of particles drawn one by one.
 *
 * Rain at 25 mm/h draws ~10⁵ drops a frame, so the loops below are written for speed with the
 * very arithmetic of streakOf and the splat (same operations in the same order: the same bytes):
 * no object per particle, the fall speed and streak inlined, and one set (the usual case) blended
 * straight from its share buffer.
 */
export function drawPrecipitation(target: PrecipitationTarget, sets: readonly Particles[], env = meanRadiance(target.linear)): number {
  const { pinhole: p, linear, range } = target;
  const n = p.width * p.height;
  const share = scratch32('share', n);
  // Per pixel over several sets: the area-time share of particles (α) and their premultiplied radiance.
  const alpha = sets.length > 1 ? new Float32Array(n) : undefined, colour = sets.length > 1 ? new Float32Array(n * 3) : undefined;
  const snow = snowRadiance(target.illuminance);
  let drawn = 0;
  let depth: Float32Array | undefined;
  for (const set of sets) {
    const radiance = set.kind === 'rain' ? env : [snow, snow, snow];
    share.fill(0);
    if (set.veil) {
      depth ??= surfaceDepth(p, range);
      for (let i = 0; i < n; i++) share[i] = set.veil.alpha(depth[i]);
    }
    drawn += drawSet(target, set, share);
    if (!alpha || !colour) {
      blend(linear, share, radiance, n);
      continue;
    }
    for (let i = 0; i < n; i++) {
      const a = share[i];
      if (a === 0) continue;
      alpha[i] += a;
      colour[i * 3] += a * radiance[0]; colour[i * 3 + 1] += a * radiance[1]; colour[i * 3 + 2] += a * radiance[2];
    }
  }
  if (!alpha || !colour) return drawn;
  for (let i = 0; i < n; i++) {
    const a = alpha[i];
    if (a === 0) continue;
    // Overlapping particles cover at most the whole pixel-time.
    const k = a > 1 ? 1 / a : 1, keep = 1 - Math.min(a, 1);
    for (let c = 0; c < 3; c++) linear[i * 3 + c] = keep * linear[i * 3 + c] + k * colour[i * 3 + c];
  }
  return drawn;
}

/**
 * One set's blend when it is the only one: the multi-set sums above with α = share and the
 * colour its float32 product with the radiance (Math.fround: the value a Float32Array would hold).
 */
function blend(linear: Float32Array, share: Float32Array, radiance: readonly number[], n: number): void {
  const r0 = radiance[0], r1 = radiance[1], r2 = radiance[2];
  for (let i = 0; i < n; i++) {
    const a = share[i];
    if (a === 0) continue;
    // Overlapping particles cover at most the whole pixel-time.
    const k = a > 1 ? 1 / a : 1, keep = 1 - Math.min(a, 1), j = i * 3;
    linear[j] = keep * linear[j] + k * Math.fround(a * r0);
    linear[j + 1] = keep * linear[j + 1] + k * Math.fround(a * r1);
    linear[j + 2] = keep * linear[j + 2] + k * Math.fround(a * r2);
  }
}

/** Adds one set's particles' area-time shares to `share`: streakOf and splatStreak for each, inlined. */
function drawSet(target: PrecipitationTarget, set: Particles, share: Float32Array): number {
  const { pinhole: p, range, m } = target;
  const { cx, cy, fx, fy } = p;
  const cv = target.cameraVelocity, h = target.shutter / 2;
  const pos = set.position, diameter = set.diameter, count = diameter.length;
  // Fall speeds first, in a loop of their own: Math.exp is a call, and out of the streak loop
  // it leaves that loop's values in registers (~5 ms a frame of rain at 25 mm/h).
  const fall = scratch64(count);
  if (set.kind === 'rain') for (let i = 0; i < count; i++) fall[i] = 9.65 - 10.3 * Math.exp(-0.6 * diameter[i]);
  else fall.fill(SNOW_FALL_SPEED);
  // The relative velocity in the optical frame is m (−cv_x, −cv_y, −fall − cv_z): its x and y
  // terms are the same for every particle (summed first, as in the expression they come from).
  const cwx = -cv[0], cwy = -cv[1], cz = cv[2];
  const bx = m[0] * cwx + m[1] * cwy, by = m[3] * cwx + m[4] * cwy, bz = m[6] * cwx + m[7] * cwy;
  const m2 = m[2], m5 = m[5], m8 = m[8];
  let drawn = 0;
  for (let i = 0; i < count; i++) {
    const wz = -fall[i] - cz;
    const vx = bx + m2 * wz, vy = by + m5 * wz, vz = bz + m8 * wz;
    const x = pos[i * 3], y = pos[i * 3 + 1], z = pos[i * 3 + 2];
    const xa = x - vx * h, ya = y - vy * h, za = z - vz * h;
    const xb = x + vx * h, yb = y + vy * h, zb = z + vz * h;
    if (za < 0.05 || zb < 0.05) continue;
    drawn++;
    splatStreak(
      p, cx + (fx * xa) / za, cy + (fy * ya) / za, cx + (fx * xb) / zb, cy + (fy * yb) / zb, za, zb, (fx * diameter[i] * 1e-3) / z,
      Math.sqrt(x * x + y * y + z * z) / z, range, share,
    );
  }
  return drawn;
}

/** Depth along the axis (m) of each pixel's surface: its range over the length of its ray at unit depth. */
function surfaceDepth(p: Pinhole, range: Float32Array): Float32Array {
  const out = scratch32('depth', p.width * p.height);
  for (let r = 0, i = 0; r < p.height; r++) {
    const y = (r - p.cy) / p.fy;
    for (let c = 0; c < p.width; c++, i++) {
      const x = (c - p.cx) / p.fx;
      out[i] = range[i] / Math.sqrt(1 + x * x + y * y);
    }
  }
  return out;
}

/**
 * Spreads a disc of diameter `width` px (area-time π w²/4) evenly along the streak (u0, v0) →
 * (u1, v1) at depths z0 → z1: samples every half pixel, each a box of side max(1, w) shared by
 * area among the pixels it overlaps. `rangePerDepth` turns the depth along the axis into the
 * distance along the ray.
 */
function splatStreak(
  p: Pinhole, u0: number, v0: number, u1: number, v1: number, z0: number, z1: number, width: number,
  rangePerDepth: number, range: Float32Array, alpha: Float32Array,
): void {
  const du = u1 - u0, dv = v1 - v0;
  // max(2, ⌈L / 0.5⌉ + 1) is 2 for every L ≤ 0.5: most streaks (short exposures), without the slow Math.hypot.
  const samples = du * du + dv * dv < 0.24 ? 2 : Math.max(2, Math.ceil(Math.hypot(du, dv) / 0.5) + 1);
  const side = Math.max(1, width), half = side / 2;
  const s = (Math.PI * width * width) / 4 / samples / (side * side);
  const w = p.width, rMax = p.height - 1;
  for (let j = 0; j < samples; j++) {
    const f = j / (samples - 1);
    const u = u0 + du * f, v = v0 + dv * f;
    const dist = (z0 + (z1 - z0) * f) * rangePerDepth;
    const c0 = Math.max(0, Math.floor(u - half + 0.5)), c1 = Math.min(w - 1, Math.floor(u + half + 0.5));
    const r0 = Math.max(0, Math.floor(v - half + 0.5)), r1 = Math.min(rMax, Math.floor(v + half + 0.5));
    for (let r = r0; r <= r1; r++) {
      const oy = Math.min(v + half, r + 0.5) - Math.max(v - half, r - 0.5);
      if (oy <= 0) continue;
      for (let c = c0; c <= c1; c++) {
        const ox = Math.min(u + half, c + 0.5) - Math.max(u - half, c - 0.5);
        if (ox <= 0) continue;
        const i = r * w + c;
        if (!(range[i] > dist)) continue;
        alpha[i] += s * ox * oy;
      }
    }
  }
}
