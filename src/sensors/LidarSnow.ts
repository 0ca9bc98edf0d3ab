/**
 * LiDAR in falling snow, after Hahner, Sakaridis, Bijelic, Heide, Yu, Dai and Van Gool, "LiDAR
 * Snowfall Simulation for Robust 3D Object Detection" (CVPR 2022): snowflakes are sampled in
 * each beam, every flake met before the hard target occludes a share of the beam and returns
 * an echo of its own, and the receiver reports the strongest peak of the summed waveform.
 * A pure, per-beam module: the LiDAR supplies the randomness (a hash of seed, sweep, ray and k),
 * so a sweep does not depend on ray order or thread count.
 *
 * Flake sizes: Gunn and Marshall, "The distribution with size of aggregate snowflakes",
 * J. Meteor. 15 (1958) 452-461, an exponential in the melted-equivalent diameter D (mm) for a
 * precipitation rate R (mm/h of water):
 *   N(D) = N0 e^(-Λ D),  N0 = 3.8e3 R^-0.87 m⁻³ mm⁻¹,  Λ = 2.55 R^-0.48 mm⁻¹ (= 25.5 cm⁻¹)
 * Hahner et al. draw flake diameters from this exponential (their rate parameter 25.5 R^-0.48
 * cm⁻¹) and take D as the flake's geometric diameter, capped at 20 mm; we do the same, with no
 * lower cut-off by default. Number density n = ∫ N dD = (N0/Λ)(e^(-Λ Dmin) - e^(-Λ Dmax)).
 *
 * Where we depart from the paper's sampling: Hahner et al. throw non-overlapping disks in the
 * 2D plane of each LiDAR line (an occupancy ratio from rate, fall speed and snow density) and
 * intersect beams with them as angular intervals. Here each beam is a 3D cone and its flakes a
 * Poisson process of density n in it, so every beam gets its own independent flakes:
 *   beam radius  b(r) = a/2 + r tan(θ/2)    (a: exit aperture, θ: full divergence)
 *   cone volume  V(r) = π ∫₀^r b² = π ((a/2 + r t)³ - (a/2)³) / (3t),  t = tan(θ/2)
 * The flakes are drawn in order of range by exponential gaps of the cumulative mean n V(r)
 * (so their count up to `limit` is Poisson with mean n V(limit) and no sort is needed), with a
 * diameter from N(D) (inverse CDF) and a centre uniform over the beam's disk at their range.
 *
 * Occlusion (the paper's geometry, in 2D cross-section): a flake of radius D/2 whose centre is
 * d off the axis covers s = overlap(D/2, b, d) / (π b²) of the beam, the exact circle-circle
 * intersection. Flakes centred outside the beam's disk but overlapping its edge are left out:
 * they would add of order D/(2b) to the shadow (~5 % for a 0.5 mm flake in a 1 cm beam).
 *
 * Echoes, in the LiDAR's intensity units (ρ cosθ (R_ref/R)², Lidar.ts; LidarFog.ts): a target
 * filling the beam returns ρ (R_ref/r)², so a flake (a small Lambertian disk facing the beam,
 * reflectance ρ_snow) covering s of it returns ρ_snow s (R_ref/r)², times the overlap ξ(r) of
 * LidarFog.ts (a bistatic receiver does not see the first metres). Each echo passes the flakes
 * in front of it and the snowfall:
 *   flake j:  ρ_snow s_j ξ(r_j) (R_ref/r_j)² T(r_j)
 *   hard:     hardAmplitude T(R0)
 *   T(r) = ∏_(r_i < r) (1 - s_i) · e^(-(2α - α_geo) r)
 * with α = ∫ Q_ext (π D²/4) N(D) dD the snowfall's extinction (Q_ext = 2 for particles much
 * larger than the wavelength; π N0/Λ³ with no cut-offs) and α_geo = α/Q_ext its geometric part.
 * The sampled flakes already shadow the outgoing beam geometrically (on average e^(-α_geo r)),
 * so the exponential carries only the rest of the two-way loss e^(-2αr) (diffraction out, and
 * the way back): the shadowing is not counted twice.
 *
 * Waveform: each echo is the sin² pulse of LidarFog.ts (length cτ_H, starting at the echo's
 * range, peak 1), scaled by its amplitude; the receiver sums them and reports the highest peak
 * of the sum, at the peak's range less cτ_H/2 (so a lone echo reports its own range). Where the
 * set of overlapping pulses does not change, Σ A_i sin²(π(x - r_i)/L) = (C - |Z| cos(2πx/L + ψ))/2
 * with C = Σ A_i, Z = Σ A_i e^(-2πi r_i/L): the maximum on each such interval is found in closed
 * form, so the peak is exact (to rounding), not searched on a grid.
 */
import { overlap, pulse, PULSE_HALF_POWER_S } from './LidarFog.js';

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
/**
 * Most flakes sampled in one beam. At 2 mm/h (n ≈ 1140 m⁻³) a 3 mrad beam from a 1 cm aperture
 * meets ~34 flakes in its first 20 m and reaches 256 at ~42 m, where a 1 mm flake returns
 * ~3e-6, far under a 120 m sensor's floor (0.1 (10/120)² ≈ 7e-4). Beyond the last sampled flake
 * the beam is shadowed by the mean e^(-α_geo Δr) and distant flakes' echoes are dropped. The
 * cost is per flake: a bigger scratch (createSnowScratch(capacity)) buys range for time.
 */
export const MAX_FLAKES_PER_BEAM = 256;
/** Uniforms used per flake: uniform(3j) gap, uniform(3j + 1) diameter, uniform(3j + 2) offset. */
export const UNIFORMS_PER_FLAKE = 3;
const SPEED_OF_LIGHT = 299_792_458;

/** The snowfall's parameters for one rate: computed once per sweep, not per ray. */
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
  const n0 = GM_N0 * rateMmH ** GM_N0_EXP;
  const lambda = GM_LAMBDA * rateMmH ** GM_LAMBDA_EXP;
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

/** Volume (m³) of the beam's cone frustum from the sensor to range r. */
export function beamVolume(r: number, divergence: number, aperture: number): number {
  const t = Math.tan(divergence / 2);
  const h = aperture / 2;
  // (x³ - h³)/(3t) with x = h + rt, written to stay exact as t → 0: r (x² + xh + h²)/3.
  const x = h + r * t;
  return (Math.PI * r * (x * x + x * h + h * h)) / 3;
}

/** The range at which the cone's volume reaches v (inverse of beamVolume). */
export function rangeOfVolume(v: number, divergence: number, aperture: number): number {
  const t = Math.tan(divergence / 2);
  const h = aperture / 2;
  if (t * v < 1e-9 * h * h * h) return v / (Math.PI * h * h); // a cylinder, to rounding
  return (Math.cbrt(h * h * h + (3 * t * v) / Math.PI) - h) / t;
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

/** Reused per-beam buffers: the flakes of the last beam and its echo list. */
export interface SnowScratch {
  capacity: number;
  /** Flakes, in order of range: range (m), diameter (m), centre's offset from the axis (m), share s. */
  range: Float64Array;
  diameter: Float64Array;
  offset: Float64Array;
  share: Float64Array;
  count: number;
  /** Whether the cap cut the sampling short, and where the last sampled flake is. */
  capped: boolean;
  /** The echo list: flakes first (in range order), then the hard target if any. */
  echoRange: Float64Array;
  echoAmplitude: Float64Array;
  echoCount: number;
  /** Index of the hard echo in the echo list, -1 when none. */
  hardIndex: number;
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
  };
}

/**
 * Samples the flakes one beam meets before `limit` (m) into scratch (at most its capacity),
 * in order of range; returns their count. uniform(k) is the k-th independent uniform in [0, 1)
 * of this beam; flake j uses k = 3j, 3j + 1, 3j + 2 (see UNIFORMS_PER_FLAKE).
 */
export function sampleFlakes(uniform: (k: number) => number, snow: Snowfall, divergence: number, aperture: number, limit: number, scratch: SnowScratch): number {
  scratch.count = 0;
  scratch.capped = false;
  if (!(snow.density > 0) || !(limit > 0)) return 0;
  const total = snow.density * beamVolume(limit, divergence, aperture);
  const lambda = snow.lambda;
  // Truncated exponential on [Dmin, Dmax]: D = Dmin - ln(1 - u (1 - e^(-Λ(Dmax - Dmin)))) / Λ.
  const span = -Math.expm1(-lambda * (snow.maxDiameter - snow.minDiameter));
  let cumulative = 0;
  let j = 0;
  for (; j < scratch.capacity; j++) {
    cumulative -= Math.log1p(-uniform(UNIFORMS_PER_FLAKE * j));
    if (cumulative >= total) break;
    const r = rangeOfVolume(cumulative / snow.density, divergence, aperture);
    const dMm = snow.minDiameter - Math.log1p(-uniform(UNIFORMS_PER_FLAKE * j + 1) * span) / lambda;
    const b = beamRadius(r, divergence, aperture);
    const d = b * Math.sqrt(uniform(UNIFORMS_PER_FLAKE * j + 2));
    const diameter = dMm * 1e-3;
    scratch.range[j] = r;
    scratch.diameter[j] = diameter;
    scratch.offset[j] = d;
    scratch.share[j] = circleOverlap(diameter / 2, b, d) / (Math.PI * b * b);
  }
  scratch.count = j;
  scratch.capped = j === scratch.capacity;
  return j;
}

/**
 * The echo list of the flakes in scratch and of the hard target (hardRange, its clear echo
 * hardAmplitude; Infinity when the beam meets nothing), in intensity units (see the top of the
 * file). Fills scratch.echoRange/echoAmplitude (flakes first, then the hard echo) and returns
 * the hard echo's amplitude after occlusion and extinction (0 when there is none). A
 * multi-return LiDAR can merge this list with its own echoes.
 */
export function flakeEchoes(scratch: SnowScratch, snow: Snowfall, hardRange: number, hardAmplitude: number, referenceRange: number): number {
  const residual = 2 * snow.alpha - snow.alphaGeometric;
  let unoccluded = 1;
  const n = scratch.count;
  for (let j = 0; j < n; j++) {
    const r = scratch.range[j];
    const ratio = referenceRange / r;
    scratch.echoRange[j] = r;
    scratch.echoAmplitude[j] = snow.reflectance * scratch.share[j] * overlap(r) * ratio * ratio * unoccluded * Math.exp(-residual * r);
    unoccluded *= 1 - scratch.share[j];
  }
  scratch.echoCount = n;
  scratch.hardIndex = -1;
  if (hardRange === Infinity || !(hardAmplitude > 0)) return 0;
  if (scratch.capped && n > 0) unoccluded *= Math.exp(-snow.alphaGeometric * Math.max(0, hardRange - scratch.range[n - 1]));
  const hard = hardAmplitude * unoccluded * Math.exp(-residual * hardRange);
  scratch.echoRange[n] = hardRange;
  scratch.echoAmplitude[n] = hard;
  scratch.hardIndex = n;
  scratch.echoCount = n + 1;
  return hard;
}

export interface StrongestEcho {
  /** Range (m) of the summed waveform's highest peak, less half the pulse length. */
  range: number;
  /** The summed waveform's value there. */
  amplitude: number;
  /** Whether the hard echo makes up more than half of the sum at the peak. */
  fromHard: boolean;
}

/**
 * The highest peak of Σ A_i p(x - r_i) over the echo list (ranges ascending, amplitudes ≥ 0;
 * hardIndex the hard target's echo, -1 for none), p the sin² pulse of length L starting at r_i.
 * Between consecutive pulse starts and ends the sum is C/2 - |Z| cos(2πx/L + ψ)/2, whose maximum
 * on that interval is at x = L(π - ψ)/(2π) + kL if that lies inside, else at an end: exact but
 * for rounding (C and Z are updated as pulses enter and leave, so the error is ~1e-15 of the
 * largest amplitude). Returns undefined for an empty list or when every amplitude is 0.
 */
export function strongestEcho(ranges: ArrayLike<number>, amplitudes: ArrayLike<number>, count: number, pulseLength: number, hardIndex = -1): StrongestEcho | undefined {
  if (count === 0) return undefined;
  const w = (2 * Math.PI) / pulseLength;
  let best = -1;
  let bestX = 0;
  // C = Σ A_i and Z = zr + i zi = Σ A_i e^(-i w r_i) over the pulses overlapping the interval.
  let c = 0, zr = 0, zi = 0;
  let start = 0, end = 0; // the next pulse to enter, the next to leave (both in range order)
  let x = -Infinity;
  const consider = (cx: number) => {
    const v = (c - (zr * Math.cos(w * cx) - zi * Math.sin(w * cx))) / 2;
    if (v > best) {
      best = v;
      bestX = cx;
    }
  };
  while (end < count) {
    // The next event: a pulse entering at its range, or one leaving at its range + L.
    const enter = start < count ? ranges[start] : Infinity;
    const leave = ranges[end] + pulseLength;
    const next = Math.min(enter, leave);
    if (next > x && c > 0) {
      // On [x, next]: C/2 - |Z| cos(w x + ψ)/2, highest where w x + ψ = π (mod 2π).
      const phase = (Math.PI - Math.atan2(zi, zr)) / w;
      const peak = phase + Math.ceil((x - phase) / pulseLength) * pulseLength;
      consider(x);
      if (peak < next) consider(peak);
      consider(next);
    }
    x = next;
    if (enter <= leave) {
      const a = amplitudes[start], r = ranges[start];
      c += a;
      zr += a * Math.cos(w * r);
      zi -= a * Math.sin(w * r);
      start++;
    } else {
      const a = amplitudes[end], r = ranges[end];
      c -= a;
      zr -= a * Math.cos(w * r);
      zi += a * Math.sin(w * r);
      end++;
    }
  }
  if (!(best > 0)) return undefined;
  // The sum at the peak, echo by echo with the pulse itself, and the hard echo's part of it.
  let sum = 0, hard = 0;
  for (let i = 0; i < count; i++) {
    const v = amplitudes[i] * pulse(bestX - ranges[i], pulseLength);
    sum += v;
    if (i === hardIndex) hard = v;
  }
  return { range: bestX - pulseLength / 2, amplitude: sum, fromHard: hardIndex >= 0 && hard > sum / 2 };
}

export interface SnowReturn {
  range: number;
  amplitude: number;
  /** True when the flakes, not the hard target, make up most of the reported peak. */
  isSnow: boolean;
}

/**
 * One beam in snow: the flakes before the hard target (or out to maxRange when the beam meets
 * nothing), their echoes and the hard one summed as waveforms, and the strongest peak. Returns
 * undefined when nothing echoes. The LiDAR then applies its noise floor as for any return.
 */
export function snowBeam(
  uniform: (k: number) => number,
  snow: Snowfall,
  divergence: number,
  aperture: number,
  hardRange: number,
  hardAmplitude: number,
  maxRange: number,
  referenceRange: number,
  scratch: SnowScratch,
  pulseSeconds = PULSE_HALF_POWER_S,
): SnowReturn | undefined {
  const hasHard = hardRange !== Infinity && hardAmplitude > 0;
  if (!(snow.density > 0)) return hasHard ? { range: hardRange, amplitude: hardAmplitude, isSnow: false } : undefined;
  sampleFlakes(uniform, snow, divergence, aperture, Math.min(hasHard ? hardRange : Infinity, maxRange), scratch);
  const hard = flakeEchoes(scratch, snow, hasHard ? hardRange : Infinity, hardAmplitude, referenceRange);
  if (scratch.count === 0) return hasHard ? { range: hardRange, amplitude: hard, isSnow: false } : undefined;
  const peak = strongestEcho(scratch.echoRange, scratch.echoAmplitude, scratch.echoCount, SPEED_OF_LIGHT * pulseSeconds, scratch.hardIndex);
  if (!peak) return undefined;
  return { range: peak.range, amplitude: peak.amplitude, isSnow: !peak.fromHard };
}
