/**
 * LiDAR in fog, after Hahner, Sakaridis, Dai and Van Gool, "Fog Simulation on Real LiDAR Point
 * Clouds for 3D Object Detection in Adverse Weather" (ICCV 2021), which builds on Rasshofer,
 * Spies and Spies, "Influences of weather phenomena on automotive laser radar systems" (Adv.
 * Radio Sci. 9, 2011).
 *
 * The received power at range R is the pulse convolved with the channel (their eq. 2):
 *   P_R(R) = C_A (2/c) ∫ P_0(2(R - r)/c) ξ(r) β(r) e^(-2αr) / r² dr
 * with ξ the overlap of beam and receiver field of view, β the backscatter and α the
 * extinction of the air. A hard target at R0 of Lambertian reflectance ρ seen at incidence θ
 * has β = (ρ cosθ / π) δ(r - R0), so its echo peak is C_A (2/c) P_max ρ cosθ e^(-2αR0) / (π R0²).
 * Scaled as the LiDAR's intensity (ρ cosθ (R_ref / R0)², Lidar.ts) by π R_ref² / (C_A (2/c) P_max):
 *   hard(R0) = ρ cosθ (R_ref / R0)² e^(-2αR0)
 *   soft(R)  = π R_ref² β ∫_(R - cτ_H)^R p(R - r) ξ(r) e^(-2αr) / r² dr
 * where fog is the soft target, β constant along the beam, and p the pulse normalised to a
 * peak of 1. Both are in the same units, so the larger echo is the one the sensor reports.
 */

/** Koschmieder's law at the 5 % contrast threshold: α = ln(20) / MOR (ln 20 ≈ 3.0). */
export const KOSCHMIEDER = Math.log(20);
/**
 * Backscatter of fog per unit of 1/MOR (sr⁻¹): β = 0.046 / MOR, the relation Hahner et al.
 * take from Rasshofer et al. (2011) for advection fog; with α = ln(20) / MOR the lidar ratio
 * α/β is ≈ 65 sr, within the range measured for water fog.
 */
export const FOG_BACKSCATTER_MOR = 0.046;
/** Half-power width τ_H of the sin² pulse (s): Hahner et al.'s 20 ns. */
export const PULSE_HALF_POWER_S = 20e-9;
/**
 * The overlap ξ(r) of the laser beam and the receiver's field of view: 0 below OVERLAP_START,
 * rising linearly to 1 at OVERLAP_FULL (m). Near-range air is not seen by the receiver of a
 * bistatic LiDAR; without this, 1/r² would make the fog echo diverge at the sensor.
 */
export const OVERLAP_START = 2;
export const OVERLAP_FULL = 3;
/** Grid step (m) of the tabulated fog echo; the pulse spans cτ_H = 6 m, so 120 samples. */
const GRID_STEP = 0.05;
const SPEED_OF_LIGHT = 299_792_458;

export interface FogEcho {
  /** Extinction α (1/m) and backscatter β (1/(m sr)). */
  alpha: number;
  beta: number;
  /** The pulse's length in range, cτ_H (m). */
  pulseLength: number;
  /** soft(R) at R = k GRID_STEP. */
  soft: Float64Array;
  /** For each grid index k, the index (≤ k) where soft is largest on [0, k GRID_STEP]. */
  peakUpTo: Uint32Array;
}

export function overlap(r: number): number {
  if (r <= OVERLAP_START) return 0;
  if (r >= OVERLAP_FULL) return 1;
  return (r - OVERLAP_START) / (OVERLAP_FULL - OVERLAP_START);
}

/** The sin² pulse at range offset x in [0, L] (L = cτ_H), peak 1; zero outside. */
export function pulse(x: number, pulseLength: number): number {
  if (x <= 0 || x >= pulseLength) return 0;
  const s = Math.sin((Math.PI * x) / pulseLength);
  return s * s;
}

/**
 * The fog's echo tabulated out to maxRange, for a fog of meteorological optical range `mor`
 * (m). The soft echo does not depend on the ray (homogeneous fog), so this is done once per
 * visibility, not per ray; the integral is a midpoint sum on the grid.
 */
export function fogEcho(mor: number, maxRange: number, referenceRange: number, pulseSeconds = PULSE_HALF_POWER_S): FogEcho {
  const alpha = KOSCHMIEDER / mor;
  const beta = FOG_BACKSCATTER_MOR / mor;
  const pulseLength = SPEED_OF_LIGHT * pulseSeconds;
  const n = Math.ceil(maxRange / GRID_STEP) + 1;
  // The channel term ξ(r) e^(-2αr) / r² at the midpoints of the grid cells.
  const channel = new Float64Array(n);
  for (let j = 0; j < n; j++) {
    const r = (j + 0.5) * GRID_STEP;
    channel[j] = (overlap(r) * Math.exp(-2 * alpha * r)) / (r * r);
  }
  const { soft, peakUpTo } = softEchoTable(channel, GRID_STEP, pulseLength, Math.PI * referenceRange * referenceRange * beta * GRID_STEP);
  return { alpha, beta, pulseLength, soft, peakUpTo };
}

/**
 * A soft target's echo on a grid of `step`: the sin² pulse convolved with `density` (its value
 * at the cell midpoints), times `scale`: soft[k] = scale Σ_m p((m + ½) step) density[k − 1 − m]
 * (cells j < k end below R = k step; cell j sits R − r = (k − j − ½) step behind). And
 * peakUpTo[k], the cell of the highest soft echo at or before k, for the peak search. Fog's
 * backscatter here, the small snowflakes' and raindrops' in LidarSnow.ts.
 */
export function softEchoTable(density: Float64Array, step: number, pulseLength: number, scale: number): { soft: Float64Array; peakUpTo: Uint32Array } {
  const n = density.length;
  const taps = Math.ceil(pulseLength / step);
  const kernel = new Float64Array(taps + 1);
  for (let m = 0; m <= taps; m++) kernel[m] = pulse((m + 0.5) * step, pulseLength);
  const soft = new Float64Array(n);
  const peakUpTo = new Uint32Array(n);
  for (let k = 0; k < n; k++) {
    let sum = 0;
    for (let m = 0; m <= taps && m < k; m++) sum += kernel[m] * density[k - 1 - m];
    soft[k] = scale * sum;
    peakUpTo[k] = k > 0 && soft[peakUpTo[k - 1]] >= soft[k] ? peakUpTo[k - 1] : k;
  }
  return { soft, peakUpTo };
}

/**
 * The fog's strongest echo seen by a ray whose beam ends at `limit` (the hard target's range,
 * or the maximum range for a ray that meets nothing): the fog beyond a hard target is in its
 * shadow. Returns the echo and the range of its peak.
 */
export function softPeak(echo: FogEcho, limit: number): { value: number; range: number } {
  const k = Math.min(echo.soft.length - 1, Math.max(0, Math.floor(limit / GRID_STEP)));
  const peak = echo.peakUpTo[k];
  return { value: echo.soft[peak], range: peak * GRID_STEP };
}

/** The hard echo of a target at range d with ρ cosθ (R_ref/d)² = clear, after two-way extinction. */
export function attenuated(clear: number, d: number, alpha: number): number {
  return clear * Math.exp(-2 * alpha * d);
}

/**
 * The noise floor in weather when the rig gives no `dropout.min_signal`: the echo of a 10 %
 * target at normal incidence at the range where the data sheet says such a target is still
 * detected ("50 m on 10 % pavement"; LidarConfig.rangeAt10Percent, the maximum range where the
 * sheet names no reflectivity). Without a floor every ray would return the fog's faint echo.
 */
export function defaultFogFloor(rangeAt10Percent: number, referenceRange: number): number {
  return 0.1 * (referenceRange / rangeAt10Percent) ** 2;
}
