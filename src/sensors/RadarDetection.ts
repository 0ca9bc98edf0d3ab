/**
 * The radar's detection models, apart from the ray casting: merging of unresolved targets,
 * Swerling-I fluctuation with detection against a false-alarm probability, and Doppler
 * ambiguity. Pure functions of their inputs (and a seeded stream), so each is tested alone.
 */
import type { Random } from '../core/Random.js';

export interface Detection {
  range: number;
  azimuth: number;
  elevation: number;
  radialVelocity: number;
  rcs: number;
  instance: number;
  falseAlarm: boolean;
  /** Set when the reported radial velocity was folded into +-v_max (see wrapVelocity). */
  velocityWrapped?: boolean;
  /** A multipath ghost: the target's image in a reflecting surface. */
  ghost?: boolean;
  /** Ground clutter (RadarClutter.ts): the echo of a road or terrain cell, instance 0. */
  clutter?: boolean;
  /** Semantic class of the cell's first hit (its surface, or its object's); set only with clutter on. */
  classId?: number;
}

/**
 * Merges detections a radar cannot resolve: closer than `rangeResolution` in range and
 * `azimuthResolution` in azimuth. The cell grid alone does not do this: it keys cells by
 * object too (two cars side by side in one cell stay two), and two returns either side of a
 * cell boundary stay apart however close. Greedy, strongest first: each detection joins the
 * first stronger one whose own (strongest) return lies within the resolution of it, so the
 * merge does not chain along a long object. The merged detection is the RCS-weighted
 * centroid of range, bearing and radial velocity with the summed RCS, and carries the
 * instance of its strongest part. Order of the result: the strongest first.
 */
export function mergeUnresolved(detections: readonly Detection[], rangeResolution: number, azimuthResolution: number): Detection[] {
  const order = [...detections].sort((a, b) => b.rcs - a.rcs || a.range - b.range || a.azimuth - b.azimuth);
  const seeds: Detection[] = [];
  const sums: Detection[] = [];
  for (const d of order) {
    const k = seeds.findIndex((s) => Math.abs(s.range - d.range) < rangeResolution && Math.abs(s.azimuth - d.azimuth) < azimuthResolution);
    if (k < 0) {
      seeds.push(d);
      sums.push({ ...d, range: d.rcs * d.range, azimuth: d.rcs * d.azimuth, elevation: d.rcs * d.elevation, radialVelocity: d.rcs * d.radialVelocity });
      continue;
    }
    const s = sums[k];
    s.range += d.rcs * d.range;
    s.azimuth += d.rcs * d.azimuth;
    s.elevation += d.rcs * d.elevation;
    s.radialVelocity += d.rcs * d.radialVelocity;
    s.rcs += d.rcs;
  }
  return sums.map((s) => ({ ...s, range: s.range / s.rcs, azimuth: s.azimuth / s.rcs, elevation: s.elevation / s.rcs, radialVelocity: s.radialVelocity / s.rcs }));
}

/**
 * Probability of detecting a Swerling-I target of mean (linear) SNR `snr` with a single-pulse
 * square-law detector set for false-alarm probability `pfa` (Swerling 1954; Richards,
 * Fundamentals of Radar Signal Processing, sec. 6.3): Pd = Pfa^(1 / (1 + SNR)).
 */
export function swerling1Pd(snr: number, pfa: number): number {
  return pfa ** (1 / (1 + snr));
}

/**
 * One scan of a Swerling-I target: its RCS is the mean times an Exp(1) draw E, and with the
 * receiver noise the power in its cell is (1 + SNR) E in units of the noise power, also
 * exponential; the detector's threshold for `pfa` is -ln Pfa, so the target is detected when
 * (1 + SNR) E > -ln Pfa, with probability Pfa^(1/(1+SNR)). One uniform u gives both, E = -ln u
 * and the detection u < Pd, so the RCS reported is the one that was detected (the strong
 * draws), and the detection rate is exactly the published Pd. Returns the scan's RCS factor
 * E, or undefined when the target is missed.
 */
export function swerling1Scan(random: Random, snr: number, pfa: number): number | undefined {
  let u = random.next();
  while (u === 0) u = random.next();
  return u < swerling1Pd(snr, pfa) ? -Math.log(u) : undefined;
}

/**
 * A pulse-Doppler radar measures the radial velocity modulo 2 v_max (v_max = lambda PRF / 4):
 * a velocity outside [-v_max, v_max) is reported folded into it.
 */
export function wrapVelocity(v: number, maxUnambiguous: number): number {
  return v - 2 * maxUnambiguous * Math.round(v / (2 * maxUnambiguous));
}

/** Knuth's method: fine for the small means false alarms have. */
export function poisson(random: Random, mean: number): number {
  if (mean <= 0) return 0;
  const limit = Math.exp(-mean);
  let k = 0;
  for (let p = random.next(); p > limit; p *= random.next()) k++;
  return k;
}
