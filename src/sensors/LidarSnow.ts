/**
 * LiDAR in falling snow, after Hahner, Sakaridis, Bijelic, Heide, Yu, Dai and Van Gool, "LiDAR
 * Snowfall Simulation for Robust 3D Object Detection" (CVPR 2022): flakes in each beam occlude
 * a share of it and echo, and the receiver reports the strongest peak of the summed waveform.
 * A pure per-beam module: the LiDAR passes one 32-bit seed per beam (a hash of seed, sweep and
 * ray), so a sweep does not depend on ray order or thread count.
 *
 * Flake sizes: Gunn and Marshall, "The distribution with size of aggregate snowflakes",
 * J. Meteor. 15 (1958) 452-461, exponential in the diameter D (mm) for a rate R (mm/h water):
 *   N(D) = N0 e^(-Λ D),  N0 = 3.8e3 R^-0.87 m⁻³ mm⁻¹,  Λ = 2.55 R^-0.48 mm⁻¹
 * taken as the flake's geometric diameter (as Hahner et al.), capped at 20 mm.
 *
 * Beam: a cone of radius b(r) = a/2 + r tan(θ/2) (a: exit aperture, θ: full divergence); its
 * flakes a Poisson process of density N(D) dD with centres uniform over the beam's disk. A
 * flake of radius D/2 centred d off the axis covers s = lens(D/2, b, d) / (π b²) of the beam
 * (exact circle-circle overlap) and echoes ρ_snow s ξ(r) (R_ref/r)² (intensity units of
 * Lidar.ts; ξ the receiver overlap of LidarFog.ts) times the transmission T(r) in front of it.
 *
 * Cost: at 2 mm/h a 3 mrad beam meets ~35 flakes in its first 20 m, nearly all far too faint
 * to be seen. So the size distribution is split at the range-dependent diameter D*(r) where a
 * flake centred on the axis (s = (D/2b)², the most it can cover) echoes ε F unattenuated, F the
 * LiDAR's noise floor (also D* ≤ 2b√ε: a flake in the blind first metres, where ξ = 0, is large
 * when it could shade ε of the beam):
 *   s*(r) = ε min(1, F r² / (ρ_snow ξ(r) R_ref²)),   D*(r) = 2 b(r) √s*(r)
 * - large flakes (D > D*) are sampled exactly: a Poisson process in range of intensity
 *   λ(r) = π b² (N0/Λ)(e^(-Λ D*) - e^(-Λ Dmax)), tabulated cumulatively and inverted; their
 *   diameter D* + Exp(Λ) truncated at Dmax (the exponential is memoryless); centre uniform.
 * - small flakes act by their mean: each echoes under ε F, and their sum fluctuates about its
 *   mean by about ε F (worked out for 0.5-10 mm/h, F = 0.1 (10/120)²: σ/F = 0.048-0.053 at ε =
 *   0.05, the highest over the beam) while the mean itself is ≤ ~0.15 F. The mean is kept as a
 *   soft echo (a soft target like fog's, LidarFog.ts):
 *     soft(x) = ∫ p(x - r) ρ_snow ξ(r) (R_ref/r)² W_small(r) e^(-2αr) dr
 *   with W(r) = π b² ∫ N(D) E[s | D, b] dD over the small sizes; the fluctuation is dropped.
 *   ε = 0.05 keeps it at a twentieth of the floor.
 * Mean occlusion: for centres uniform in the disk, E[s | D, b] = 1 - (16/π) H(φ), φ =
 * acos(min(1, D/4b)), H(φ) = -(φ/4) cos 2φ + sin 2φ/8 - φ/8 + sin 4φ/32 (the disk's set
 * covariance integrated over the flake's disk); ≈ (D/2b)² - (4/3π)(D/2b)³ for small flakes,
 * the last term the flakes hanging over the edge. Every echo at r is multiplied by
 *   T(r) = ∏_(large, r_i < r) (1 - s_i) · e^(-(2αr - G(r))),   G(r) = ∫₀^r W_large dr
 * with α = π N0/Λ³ the snowfall's extinction (extinction efficiency 2): G is the large flakes'
 * mean shadow, so E[T(r)] = e^(-2αr) exactly (Campbell: E ∏(1 - s_i) = e^(-∫ λ E[s])): the
 * deterministic part carries the small flakes' shadow, diffraction and the way back, and the
 * large flakes' shadow (with its edge losses) is not counted twice.
 *
 * Waveform (LidarWaveform.ts): the large flakes' and the hard echo's sin² pulses and the small
 * flakes' soft echo summed; the receiver reports the highest peak (exact for the pulses; the
 * soft echo, smooth over a pulse length, is added at the candidate peaks). When everything but
 * the hard echo sums to under NEGLIGIBLE_SHARE of it, the peak stays at the hard echo's range
 * (it could move by at most that share × L/2π, under 1 cm) with the others' value there added:
 * the usual case in rain, whose faint drops lie a few metres in front of the road.
 * D* is taken at each 5 cm range cell's midpoint, in the sampler as in the tables of counts
 * and mean shadow, so that the sampled shadow and the tables' mean agree exactly.
 *
 * Randomness: one 32-bit seed per beam; flake j takes 32-bit words 3j, 3j + 1, 3j + 2 of a
 * counter-based hash of it (gap, diameter, offset), so no state is shared between beams.
 *
 * Cost (measured, 2 shared cores, 2 mm/h, θ = 3 mrad, a = 1 cm, F = 0.1 (10/120)²): ~22 large
 * flakes a beam to 120 m at ε = 0.05 (~3 µs a beam in open sky, ~1 µs for a wall at 10 m),
 * 8.3 at ε = 0.2 (~1.4 µs); the exact sampler of every flake took ~90 µs. The tables take
 * ~50 ms once per parameter set.
 */
import { overlap, PULSE_HALF_POWER_S, softEchoTable } from './LidarFog.js';
import { expOfBits } from './FastMath.js';
import { fade, fastPulse, lookup as lookupStep, searchPeak, softBound, softEcho, type SoftEchoTable, type StrongestEcho } from './LidarWaveform.js';

export { searchPeak, softEcho, strongestEcho, type StrongestEcho } from './LidarWaveform.js';

/** Gunn & Marshall (1958): N0 = GM_N0 R^GM_N0_EXP (m⁻³ mm⁻¹), Λ = GM_LAMBDA R^GM_LAMBDA_EXP (mm⁻¹). */
export const GM_N0 = 3.8e3;
export const GM_N0_EXP = -0.87;
export const GM_LAMBDA = 2.55;
export const GM_LAMBDA_EXP = -0.48;
/** Largest flake (mm): Hahner et al. redraw diameters above 2 cm. */
export const SNOW_MAX_DIAMETER_MM = 20;
/**
 * NIR reflectance of a snowflake: Hahner et al. give flake echoes 90 % reflectivity; fresh
 * snow's spectral albedo near 0.9 µm is about 0.9 (Warren, "Optical properties of snow",
 * Rev. Geophys. 20(1), 1982).
 */
export const SNOW_REFLECTANCE = 0.9;
/** Extinction efficiency of particles much larger than the wavelength (the extinction paradox). */
export const SNOW_EXTINCTION_EFFICIENCY = 2;
/**
 * Exit aperture of the beam (m): our assumption, not a data-sheet figure (the paper's beams
 * start at a point). A centimetre keeps a flake a few decimetres out from covering the beam.
 */
export const DEFAULT_APERTURE = 0.01;
/** ε: a flake whose on-axis echo is under ε F is "small" and acts by its mean (see the top). */
export const SNOW_SMALL_ECHO = 0.05;
/** A hard echo with every other echo in its beam summed under this share of it keeps its range (snowBeam). */
export const NEGLIGIBLE_SHARE = 0.01;
/** Most large flakes sampled in one beam (~22 expected to 120 m at 2 mm/h, 3 mrad, ε = 0.05). */
export const MAX_FLAKES_PER_BEAM = 256;
/** Grid step (m) of the range tables (as LidarFog.ts: the 6 m pulse spans 120 cells). */
const STEP = 0.05;
const SPEED_OF_LIGHT = 299_792_458;
/** Cached tables: a sweep asks for the same ones ray after ray. */
const CACHE_SIZE = 8;

/** The snowfall's parameters for one rate. */
export interface Snowfall {
  /** Water-equivalent rate (mm/h). */
  rate: number;
  /** Gunn-Marshall intercept N0 (m⁻³ mm⁻¹) and slope Λ (mm⁻¹). */
  n0: number;
  lambda: number;
  /** Diameter cut-offs (mm). */
  minDiameter: number;
  maxDiameter: number;
  /** Flakes per m³ between the cut-offs. */
  density: number;
  /** Extinction α (Q_ext = 2) and its geometric part α_geo (1/m). */
  alpha: number;
  alphaGeometric: number;
  /** Flake reflectance at the LiDAR's wavelength. */
  reflectance: number;
}

export interface SnowfallOptions {
  minDiameterMm?: number;
  maxDiameterMm?: number;
  reflectance?: number;
}

export function snowfall(rateMmH: number, options: SnowfallOptions = {}): Snowfall {
  const minDiameter = options.minDiameterMm ?? 0;
  const maxDiameter = options.maxDiameterMm ?? SNOW_MAX_DIAMETER_MM;
  const reflectance = options.reflectance ?? SNOW_REFLECTANCE;
  if (!(rateMmH > 0)) return { rate: 0, n0: 0, lambda: Infinity, minDiameter, maxDiameter, density: 0, alpha: 0, alphaGeometric: 0, reflectance };
  return exponentialParticles(rateMmH, GM_N0 * rateMmH ** GM_N0_EXP, GM_LAMBDA * rateMmH ** GM_LAMBDA_EXP, minDiameter, maxDiameter, reflectance);
}

/**
 * Any falling particles of exponential size distribution N(D) = N0 e^(-ΛD) (m⁻³ mm⁻¹, D in mm
 * between the cut-offs) that echo as diffusers of the given reflectance and extinguish with
 * efficiency 2 (large against the wavelength): snow (Gunn-Marshall) here, rain drops
 * (Marshall-Palmer) in LidarRain.ts. Everything in this module works on this description.
 */
export function exponentialParticles(rateMmH: number, n0: number, lambda: number, minDiameter: number, maxDiameter: number, reflectance: number): Snowfall {
  const density = (n0 / lambda) * (Math.exp(-lambda * minDiameter) - Math.exp(-lambda * maxDiameter));
  // ∫ D² e^(-ΛD) dD = -e^(-ΛD) (D² + 2D/Λ + 2/Λ²)/Λ; mm² m⁻³ → m⁻¹ is 1e-6.
  const g = (d: number) => (Math.exp(-lambda * d) * (d * d + (2 * d) / lambda + 2 / (lambda * lambda))) / lambda;
  const alphaGeometric = (Math.PI / 4) * n0 * (g(minDiameter) - g(maxDiameter)) * 1e-6;
  return { rate: rateMmH, n0, lambda, minDiameter, maxDiameter, density, alpha: SNOW_EXTINCTION_EFFICIENCY * alphaGeometric, alphaGeometric, reflectance };
}

/** Beam radius (m) at range r for full divergence θ (rad) and exit aperture a (m). */
export function beamRadius(r: number, divergence: number, aperture: number): number {
  return aperture / 2 + r * Math.tan(divergence / 2);
}

/** Area (m²) where two disks of radii r1, r2 with centres d apart overlap: exact lens area. */
export function circleOverlap(r1: number, r2: number, d: number): number {
  if (d >= r1 + r2) return 0;
  const small = Math.min(r1, r2);
  if (d <= Math.abs(r1 - r2)) return Math.PI * small * small;
  const c1 = Math.min(1, Math.max(-1, (d * d + r1 * r1 - r2 * r2) / (2 * d * r1)));
  const c2 = Math.min(1, Math.max(-1, (d * d + r2 * r2 - r1 * r1) / (2 * d * r2)));
  const k = (-d + r1 + r2) * (d + r1 - r2) * (d - r1 + r2) * (d + r1 + r2);
  return r1 * r1 * Math.acos(c1) + r2 * r2 * Math.acos(c2) - 0.5 * Math.sqrt(Math.max(0, k));
}

/**
 * E[s]: the mean share of a beam of radius b covered by a flake of radius f whose centre is
 * uniform over the beam's disk. ∫ lens dA over the centres = ∫_(|u|<f) γ(u) du with γ the
 * disk's set covariance 2b² (φ - sinφ cosφ), u = 2b cosφ; see the top of the file.
 */
export function meanShare(f: number, b: number): number {
  const x = f / b;
  // Series (next term O(x⁵)): avoids the cancellation in 1 - (16/π) H near φ = π/2.
  if (x < 0.01) return x * x * (1 - (4 / (3 * Math.PI)) * x);
  if (x >= 2) return 1;
  const phi = Math.acos(x / 2);
  const h = -(phi / 4) * Math.cos(2 * phi) + Math.sin(2 * phi) / 8 - phi / 8 + Math.sin(4 * phi) / 32;
  return 1 - (16 / Math.PI) * h;
}

/** 4-point Gauss-Legendre on [-1, 1]. */
const GL_X = [-0.8611363115940526, -0.3399810435848563, 0.3399810435848563, 0.8611363115940526];
const GL_W = [0.3478548451374538, 0.6521451548625461, 0.6521451548625461, 0.3478548451374538];
/** Panels of width 2 in y = Λ(D - lo) out to y = 40 (e^-40: nothing left). */
const TAIL_PANELS = 20;

/** ∫_lo^∞ N0 e^(-ΛD) E[s | D, b] dD (m⁻³; lo in mm, b in m), composite Gauss-Legendre in y. */
function shadowTail(snow: Snowfall, lo: number, b: number): number {
  let sum = 0;
  for (let p = 0; p < TAIL_PANELS; p++) {
    for (let i = 0; i < 4; i++) {
      const y = 2 * p + 1 + GL_X[i];
      sum += GL_W[i] * Math.exp(-y) * meanShare(((lo + y / snow.lambda) * 1e-3) / 2, b);
    }
  }
  return (snow.n0 / snow.lambda) * Math.exp(-snow.lambda * lo) * sum;
}

/**
 * Per-sweep tables for one snowfall, beam geometry and noise floor (see prepareSnow); as a
 * SoftEchoTable, the small flakes' soft echo on the grid `step`.
 */
export interface SnowTables extends SoftEchoTable {
  snow: Snowfall;
  divergence: number;
  aperture: number;
  /** The LiDAR's noise floor F (intensity units) and ε. */
  floor: number;
  epsilon: number;
  maxRange: number;
  referenceRange: number;
  /** Mean number of large flakes in [0, k step] (piecewise linear between nodes). */
  count: Float64Array;
  /** e^(-(2αr - G(r))): the deterministic part of the two-way transmission (top of file). */
  transmission: Float64Array;
  /** G(r): the large flakes' mean (one-way) shadow. */
  largeShadow: Float64Array;
  /** First cell k with count[k + 1] > j hintStep: where to start inverting a cumulative count. */
  hint: Uint32Array;
  hintStep: number;
  /**
   * D* (m) in cell k, taken at its midpoint as `count` and `largeShadow` take it: the sampled
   * flakes and the tables' mean shadow then agree exactly (D* bends sharply where ξ rises).
   */
  critical: Float64Array;
  /** tan(θ/2). */
  tanHalf: number;
}

export interface PrepareSnowOptions extends SnowfallOptions {
  /** ε (default SNOW_SMALL_ECHO). */
  epsilon?: number;
  pulseSeconds?: number;
}

const cache = new Map<string, SnowTables>();

/** s*(r): the share of the beam at which a flake stops being small (top of the file). */
function criticalShare(t: { snow: Snowfall; floor: number; epsilon: number; referenceRange: number }, r: number): number {
  const q = t.snow.reflectance * overlap(r) * t.referenceRange * t.referenceRange;
  const f = t.floor * r * r;
  return t.epsilon * (q > f ? f / q : 1);
}

/**
 * The tables of one snowfall (a rate in mm/h, or a Snowfall) for beams of full divergence θ
 * (rad) from an exit aperture a (m), a noise floor F (> 0, the LiDAR's: returns under it are
 * lost) and ranges to maxRange. Computed once per parameter set (cached; ~20 ms), then shared
 * by every beam.
 */
export function prepareSnow(
  rate: number | Snowfall,
  divergence: number,
  aperture: number,
  floor: number,
  maxRange: number,
  referenceRange: number,
  options: PrepareSnowOptions = {},
): SnowTables {
  if (!(floor > 0)) throw new Error(`snow: the noise floor must be > 0 (got ${floor})`);
  if (!(maxRange > 0) || !(divergence >= 0) || !(aperture >= 0)) throw new Error('snow: maxRange must be > 0, divergence and aperture ≥ 0');
  const snow = typeof rate === 'number' ? snowfall(rate, options) : rate;
  const epsilon = options.epsilon ?? SNOW_SMALL_ECHO;
  const pulseLength = SPEED_OF_LIGHT * (options.pulseSeconds ?? PULSE_HALF_POWER_S);
  const key = JSON.stringify([snow, divergence, aperture, floor, maxRange, referenceRange, epsilon, pulseLength]);
  const hit = cache.get(key);
  if (hit) return hit;
  const n = Math.ceil(maxRange / STEP) + 1;
  const count = new Float64Array(n);
  const largeShadow = new Float64Array(n);
  const transmission = new Float64Array(n);
  const critical = new Float64Array(n);
  const small = new Float64Array(n); // the small flakes' echo density at the cell midpoints
  const t = { snow, floor, epsilon, referenceRange };
  const { n0, lambda, minDiameter: dMin, maxDiameter: dMax, alpha, reflectance } = snow;
  transmission[0] = 1;
  for (let k = 0; k + 1 < n && snow.density > 0; k++) {
    // Midpoint rule per cell: the nodes 2 m and 3 m (where ξ has its kinks) are cell edges.
    const r = (k + 0.5) * STEP;
    const b = beamRadius(r, divergence, aperture);
    const lo = Math.max(dMin, 2e3 * b * Math.sqrt(criticalShare(t, r))); // D* in mm
    critical[k] = lo * 1e-3;
    const area = Math.PI * b * b;
    const cut = lo < dMax ? Math.exp(-lambda * lo) - Math.exp(-lambda * dMax) : 0;
    count[k + 1] = count[k] + STEP * area * (n0 / lambda) * cut;
    const tailMax = shadowTail(snow, dMax, b);
    const large = lo < dMax ? area * (shadowTail(snow, lo, b) - tailMax) : 0;
    const all = area * (shadowTail(snow, dMin, b) - tailMax);
    largeShadow[k + 1] = largeShadow[k] + STEP * large;
    transmission[k + 1] = Math.exp(-(2 * alpha * (k + 1) * STEP - largeShadow[k + 1]));
    const ratio = referenceRange / r;
    small[k] = reflectance * overlap(r) * ratio * ratio * Math.max(0, all - large) * Math.exp(-2 * alpha * r);
  }
  // The small particles' soft echo, as fog's (LidarFog.ts).
  const { soft, peakUpTo } = softEchoTable(small, STEP, pulseLength, STEP);
  // Where to start the search for the cell holding a cumulative count m: hint[floor(m / hintStep)].
  const total = count[n - 1];
  const hints = 1024;
  const hintStep = total > 0 ? total / hints : 1;
  const hint = new Uint32Array(hints + 1);
  for (let j = 0, k = 0; j <= hints; j++) {
    while (k + 2 < n && count[k + 1] <= j * hintStep) k++;
    hint[j] = k;
  }
  const tanHalf = Math.tan(divergence / 2);
  const fadeTable = new Float64Array(Math.ceil(pulseLength / STEP) + 2);
  for (let m = 0; m < fadeTable.length; m++) fadeTable[m] = fade(m * STEP, pulseLength);
  const tables: SnowTables = { snow, divergence, aperture, floor, epsilon, maxRange, referenceRange, pulseLength, step: STEP, count, transmission, largeShadow, soft, peakUpTo, hint, hintStep, critical, tanHalf, fade: fadeTable };
  if (cache.size >= CACHE_SIZE) cache.delete(cache.keys().next().value as string);
  cache.set(key, tables);
  return tables;
}

/** A table's value at range r, linear between nodes (clamped to the table). */
function lookup(table: Float64Array, r: number): number {
  return lookupStep(table, STEP, r);
}

/** Reused per-beam buffers: the large flakes of the last beam, its echo list and its return. */
export interface SnowScratch {
  capacity: number;
  /** Large flakes, in order of range: range (m), diameter (m), centre's offset from the axis (m), share s. */
  range: Float64Array;
  diameter: Float64Array;
  offset: Float64Array;
  share: Float64Array;
  count: number;
  /** Whether the cap cut the sampling short. */
  capped: boolean;
  /** The echo list: flakes first (in range order), then the hard target if any. */
  echoRange: Float64Array;
  echoAmplitude: Float64Array;
  echoCount: number;
  /** Index of the hard echo in the echo list, -1 when none. */
  hardIndex: number;
  /** What snowBeam returns (overwritten by the next call), and its peak search's answer. */
  result: SnowReturn;
  peak: StrongestEcho;
  /** cos and sin of 2π r / L of each echo, as the peak search needs them. */
  phasor: Float64Array;
}

export function createSnowScratch(capacity = MAX_FLAKES_PER_BEAM): SnowScratch {
  return {
    capacity,
    range: new Float64Array(capacity),
    diameter: new Float64Array(capacity),
    offset: new Float64Array(capacity),
    share: new Float64Array(capacity),
    count: 0,
    capped: false,
    echoRange: new Float64Array(capacity + 1),
    echoAmplitude: new Float64Array(capacity + 1),
    echoCount: 0,
    hardIndex: -1,
    result: { range: 0, amplitude: 0, isSnow: false },
    peak: { range: 0, amplitude: 0, fromHard: false },
    phasor: new Float64Array(2 * (capacity + 1)),
  };
}

/** The i-th 32 random bits of a beam: a counter-based hash (murmur3's finaliser) of its seed. */
function bits(seed: number, i: number): number {
  let x = (seed + Math.imul(i + 1, 0x9e3779b9)) | 0;
  x = Math.imul(x ^ (x >>> 16), 0x85ebca6b);
  x = Math.imul(x ^ (x >>> 13), 0xc2b2ae35);
  return (x ^ (x >>> 16)) >>> 0;
}

/**
 * Samples the large flakes one beam meets before `limit` (m) into scratch, in order of range
 * (at most its capacity); returns their count. beamSeed: the beam's 32-bit seed; flake j uses
 * uniforms 3j (gap), 3j + 1 (diameter) and 3j + 2 (offset).
 */
export function sampleLargeFlakes(t: SnowTables, beamSeed: number, limit: number, scratch: SnowScratch): number {
  scratch.count = 0;
  scratch.capped = false;
  const lim = Math.min(limit, t.maxRange);
  if (!(lim > 0) || !(t.snow.density > 0)) return 0;
  const { count, hint, hintStep } = t;
  const last = count.length - 2; // the last cell
  const total = lookup(count, lim);
  const lambda = t.snow.lambda * 1e3; // per metre
  const dMax = t.snow.maxDiameter * 1e-3;
  const { tanHalf, critical } = t;
  const halfAperture = t.aperture / 2;
  const seed = beamSeed | 0;
  let m = 0;
  let k = 0;
  let j = 0;
  for (; j < scratch.capacity; j++) {
    m += expOfBits((bits(seed, 3 * j) | 1) >>> 0); // Exp(1); the low bit set keeps it finite
    if (m >= total) break;
    // The cell holding m, from the hint and never behind the last flake's cell.
    let c = hint[Math.min(hint.length - 1, Math.floor(m / hintStep))];
    if (c < k) c = k;
    while (c < last && count[c + 1] <= m) c++;
    k = c;
    const u = (m - count[c]) / (count[c + 1] - count[c]);
    const r = (c + u) * STEP;
    const b = halfAperture + r * tanHalf;
    const dStar = critical[c];
    // D* + Exp(Λ) truncated at Dmax: an exponential taken modulo the span is exactly the
    // truncated one (Σ_k e^-(y + k s) ∝ e^-y on [0, s)), and needs no log1p or expm1.
    const span = lambda * (dMax - dStar);
    let y = expOfBits((bits(seed, 3 * j + 1) | 1) >>> 0);
    if (!(span > 0)) y = 0;
    else if (y >= span) y -= span * Math.floor(y / span);
    const diameter = dStar + y / lambda;
    const d = b * Math.sqrt(bits(seed, 3 * j + 2) / 4294967296);
    const f = diameter / 2;
    scratch.range[j] = r;
    scratch.diameter[j] = diameter;
    scratch.offset[j] = d;
    scratch.share[j] = d + f <= b ? (f * f) / (b * b) : circleOverlap(f, b, d) / (Math.PI * b * b);
  }
  scratch.count = j;
  scratch.capped = j === scratch.capacity;
  return j;
}

/**
 * The echo list of the large flakes in scratch and of the hard target (hardRange, its clear
 * echo hardAmplitude; Infinity when the beam meets nothing), in intensity units. Fills
 * scratch.echoRange/echoAmplitude (flakes first, then the hard echo) and returns the hard
 * echo's amplitude after occlusion and extinction (0 when there is none). A multi-return
 * LiDAR can merge this list with its own echoes, adding softEcho(t, x, limit) to the waveform.
 */
export function flakeEchoes(t: SnowTables, scratch: SnowScratch, hardRange: number, hardAmplitude: number): number {
  const { reflectance } = t.snow;
  const ref = t.referenceRange;
  let unoccluded = 1;
  const n = scratch.count;
  for (let j = 0; j < n; j++) {
    const r = scratch.range[j];
    const ratio = ref / r;
    scratch.echoRange[j] = r;
    scratch.echoAmplitude[j] = reflectance * scratch.share[j] * overlap(r) * ratio * ratio * unoccluded * lookup(t.transmission, r);
    unoccluded *= 1 - scratch.share[j];
  }
  scratch.echoCount = n;
  scratch.hardIndex = -1;
  if (hardRange === Infinity || !(hardAmplitude > 0)) return 0;
  // Past a cap, the unsampled large flakes shade by their mean e^(-(G(R0) - G(r_last))).
  if (scratch.capped && n > 0) unoccluded *= Math.exp(-(lookup(t.largeShadow, hardRange) - lookup(t.largeShadow, scratch.range[n - 1])));
  const hard = hardAmplitude * unoccluded * lookup(t.transmission, hardRange);
  scratch.echoRange[n] = hardRange;
  scratch.echoAmplitude[n] = hard;
  scratch.hardIndex = n;
  scratch.echoCount = n + 1;
  return hard;
}

export interface SnowReturn {
  range: number;
  amplitude: number;
  /** True when the flakes, not the hard target, make up most of the reported peak. */
  isSnow: boolean;
}

/**
 * One beam in snow: the large flakes before the hard target (hardRange, its clear echo
 * hardAmplitude; Infinity/0 when the beam meets nothing: then out to maxRange), their echoes,
 * the hard one and the small flakes' soft echo summed, and the strongest peak. Returns
 * scratch.result (overwritten by the next call), or undefined when nothing echoes or the peak
 * is sure to be under the tables' floor. The LiDAR then applies its floor as for any return.
 */
export function snowBeam(t: SnowTables, beamSeed: number, hardRange: number, hardAmplitude: number, scratch: SnowScratch): SnowReturn | undefined {
  const out = scratch.result;
  const hasHard = hardRange !== Infinity && hardAmplitude > 0;
  if (!(t.snow.density > 0)) {
    if (!hasHard) return undefined;
    out.range = hardRange;
    out.amplitude = hardAmplitude;
    out.isSnow = false;
    return out;
  }
  const limit = Math.min(hasHard ? hardRange : Infinity, t.maxRange);
  sampleLargeFlakes(t, beamSeed, limit, scratch);
  const hard = flakeEchoes(t, scratch, hasHard ? hardRange : Infinity, hardAmplitude);
  const L = t.pulseLength;
  const n = scratch.count;
  // A bound on the flakes' part anywhere: the most amplitude within one pulse length.
  let window = 0;
  for (let i = 0, lo = 0, sum = 0; i < n; i++) {
    sum += scratch.echoAmplitude[i];
    while (scratch.echoRange[lo] <= scratch.echoRange[i] - L) sum -= scratch.echoAmplitude[lo++];
    if (sum > window) window = sum;
  }
  const bound = window + softBound(t, limit);
  if (bound + hard < t.floor) return undefined;
  // The hard echo stands alone when no flake's pulse reaches it and no flake can beat it.
  if (hard > 0 && bound <= hard && (n === 0 || scratch.range[n - 1] <= hardRange - L)) {
    const s = softEcho(t, hardRange + L / 2, limit);
    out.range = hardRange;
    out.amplitude = hard + s;
    out.isSnow = !(hard > s);
    return out;
  }
  // A hard echo far above everything else keeps its place: the flakes' pulses and the soft
  // echo (at most `bound` in all) move its peak by at most (bound/hard) L/2π (under 1 cm at
  // NEGLIGIBLE_SHARE, against centimetres of range accuracy) and add their value there. Rain's
  // drops, faint against the road a few metres behind them, nearly always end here.
  if (hard > 0 && bound <= NEGLIGIBLE_SHARE * hard) {
    const x = hardRange + L / 2;
    let v = hard + softEcho(t, x, limit);
    for (let i = 0; i < n; i++) if (scratch.echoRange[i] > x - L) v += scratch.echoAmplitude[i] * fastPulse(x - scratch.echoRange[i], L);
    out.range = hardRange;
    out.amplitude = v;
    out.isSnow = false;
    return out;
  }
  const peak = scratch.peak;
  if (!searchPeak(scratch.echoRange, scratch.echoAmplitude, scratch.echoCount, L, scratch.hardIndex, t, limit, peak, scratch.phasor)) return undefined;
  out.range = peak.range;
  out.amplitude = peak.amplitude;
  out.isSnow = !peak.fromHard;
  return out;
}
