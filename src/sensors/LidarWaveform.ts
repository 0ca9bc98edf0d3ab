/**
 * The LiDAR receiver's waveform: echoes as sin² pulses (LidarFog.ts: length L = cτ_H, starting
 * at the echo's range, peak 1) summed with a tabulated soft echo (a soft target's: fog, the
 * small snowflakes of LidarSnow.ts), and the highest peak of the sum, reported at its range less
 * L/2 (a lone echo reports its own range).
 *
 * Between pulse starts and ends the discrete sum is (C - |Z| cos(2πx/L + ψ))/2 (C = Σ A_i, Z =
 * Σ A_i e^(-2πi r_i/L)), whose maximum on each interval is found in closed form, so the peak
 * of the echoes is exact (to rounding). The soft echo is added at the candidates (the interval
 * maxima and ends, and the soft echo's own peak): it varies over a pulse length, so this misses
 * the joint maximum only by second-order terms. Behind a hard target at R0 the soft echo fades
 * as the pulse leaves the scatterers in front of it: soft(R0) (2/L) ∫_(x-R0)^L p (those just in
 * front of R0 standing for all).
 */

import { turnCos } from './FastMath.js';

/** A soft echo tabulated at x = k step, with the index of its peak up to k and its fading. */
export interface SoftEchoTable {
  step: number;
  /** The pulse's length in range, cτ_H (m). */
  pulseLength: number;
  soft: Float64Array;
  peakUpTo: Uint32Array;
  /** fade(k step): the soft echo's share left k step behind a hard target. */
  fade: Float64Array;
}

/** A table's value at range r (grid step `step`), linear between nodes, clamped to the table. */
export function lookup(table: Float64Array, step: number, r: number): number {
  const u = r / step;
  const k = Math.floor(u);
  if (k < 0) return table[0];
  if (k + 1 >= table.length) return table[table.length - 1];
  return table[k] + (u - k) * (table[k + 1] - table[k]);
}

/** The fading of the soft echo behind a hard target: (2/L) ∫_v^L p = 1 - v/L + sin(2πv/L)/(2π). */
export function fade(v: number, pulseLength: number): number {
  if (v >= pulseLength) return 0;
  const u = v / pulseLength;
  return 1 - u + Math.sin(2 * Math.PI * u) / (2 * Math.PI);
}

/** The soft echo in the waveform at x (m) of a beam ending at `limit` (m). */
export function softEcho(t: SoftEchoTable, x: number, limit: number): number {
  if (x <= limit) return lookup(t.soft, t.step, x);
  return x - limit >= t.pulseLength ? 0 : lookup(t.soft, t.step, limit) * lookup(t.fade, t.step, x - limit);
}

/** The soft echo's highest value on a beam ending at `limit` (an upper bound: nodes bracket it). */
export function softBound(t: SoftEchoTable, limit: number): number {
  return t.soft[t.peakUpTo[Math.min(t.soft.length - 1, Math.max(0, Math.ceil(limit / t.step)))]];
}

/** The sin² pulse of LidarFog.ts, sin²(πx/L) = (1 - cos(2πx/L))/2, with turnCos. */
export function fastPulse(x: number, pulseLength: number): number {
  return x <= 0 || x >= pulseLength ? 0 : (1 - turnCos(x / pulseLength)) / 2;
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
 * Between consecutive pulse starts and ends the sum is C/2 - |Z| cos(2πx/L + ψ)/2, highest at
 * x = L(π - ψ)/(2π) + kL if inside, else at an end: exact but for rounding. Returns undefined
 * when nothing echoes.
 */
export function strongestEcho(ranges: ArrayLike<number>, amplitudes: ArrayLike<number>, count: number, pulseLength: number, hardIndex = -1): StrongestEcho | undefined {
  const out = { range: 0, amplitude: 0, fromHard: false };
  return searchPeak(ranges, amplitudes, count, pulseLength, hardIndex, undefined, Infinity, out, new Float64Array(2 * count)) ? out : undefined;
}

/**
 * strongestEcho with the soft echo t (for a beam ending at `limit`)
 * added at the candidates; writes into out and returns false when nothing echoes. phasor: room
 * for 2 count numbers. Cheap where it can be: each echo's phasor e^(-iwr) is computed when first
 * needed (an interval's ends are pulse starts or ends, r or r + L, whose phasors are the
 * echo's own), the pulses alive on an interval are a run of the list (all are L long), so Z is
 * summed afresh only on intervals whose C (+ the soft echo's peak) could beat the best so far,
 * and the interior maximum (C + |Z|)/2 needs its place (atan2) only when it wins.
 */
export function searchPeak(ranges: ArrayLike<number>, amplitudes: ArrayLike<number>, count: number, pulseLength: number, hardIndex: number, t: SoftEchoTable | undefined, limit: number, out: StrongestEcho, phasor: Float64Array): boolean {
  const w = (2 * Math.PI) / pulseLength;
  // The sum at the strongest pulse's own peak: a floor for the best, to prune intervals with.
  let top = -1;
  for (let i = 0; i < count; i++) if (top < 0 || amplitudes[i] > amplitudes[top]) top = i;
  let best = 0;
  let bestX = NaN;
  if (top >= 0 && amplitudes[top] > 0) {
    bestX = ranges[top] + pulseLength / 2;
    for (let i = 0; i < count && ranges[i] < bestX; i++) best += amplitudes[i] * fastPulse(bestX - ranges[i], pulseLength);
    if (t) best += softEcho(t, bestX, limit);
  }
  let softMax = 0;
  if (t) {
    softMax = softBound(t, limit);
    const sx = t.peakUpTo[Math.min(t.soft.length - 1, Math.max(0, Math.floor(limit / t.step)))] * t.step;
    let near = 0; // the pulses alive at sx, at most
    for (let i = 0; i < count && ranges[i] < sx; i++) if (ranges[i] > sx - pulseLength) near += amplitudes[i];
    if (softMax + near > best) {
      let v = softEcho(t, sx, limit);
      for (let i = 0; i < count && ranges[i] < sx; i++) v += amplitudes[i] * fastPulse(sx - ranges[i], pulseLength);
      if (v > best) {
        best = v;
        bestX = sx;
      }
    }
  }
  // C and Z = zr + i zi = Σ A_i e^(-iw r_i) over the pulses alive, updated as they enter and leave.
  let c = 0, zr = 0, zi = 0;
  let start = 0, end = 0; // the next pulse to enter, the next to leave (both in range order)
  let x = -Infinity;
  let xc = 1, xs = 0; // cos and sin of w x
  while (end < count) {
    const enter = start < count ? ranges[start] : Infinity;
    const leave = ranges[end] + pulseLength;
    const next = Math.min(enter, leave);
    const entering = enter <= leave;
    const ni = entering ? start : end;
    if (entering) {
      phasor[2 * ni] = turnCos(ranges[ni] / pulseLength);
      phasor[2 * ni + 1] = turnCos(ranges[ni] / pulseLength - 0.25);
    }
    const nc = phasor[2 * ni], ns = phasor[2 * ni + 1];
    // On [x, next] the sum is f = (C - Re(Z e^(iwx)))/2, at most (C + |Z|)/2: prune on that.
    const peakValue = (c + Math.sqrt(zr * zr + zi * zi)) / 2;
    if (next > x && c > 0 && (peakValue + softMax) * (1 + 1e-9) > best) {
      for (let q = 0; q < 2; q++) {
        const cx = q === 0 ? x : next;
        let v = (c - (q === 0 ? zr * xc - zi * xs : zr * nc - zi * ns)) / 2;
        if (t) v += softEcho(t, cx, limit);
        if (v > best) {
          best = v;
          bestX = cx;
        }
      }
      // f' ∝ zr sin wx + zi cos wx: a maximum inside when it goes from + to -.
      if (zr * xs + zi * xc >= 0 && zr * ns + zi * nc <= 0 && peakValue + softMax > best) {
        // Highest where w x + ψ = π (mod 2π), ψ = arg Z.
        const phase = (Math.PI - Math.atan2(zi, zr)) / w;
        const peak = phase + Math.ceil((x - phase) / pulseLength) * pulseLength;
        if (peak < next) {
          const v = peakValue + (t ? softEcho(t, peak, limit) : 0);
          if (v > best) {
            best = v;
            bestX = peak;
          }
        }
      }
    }
    x = next;
    xc = nc;
    xs = ns;
    const a = amplitudes[ni];
    if (entering) {
      start++;
      c += a;
      zr += a * nc;
      zi -= a * ns;
    } else {
      end++;
      c -= a;
      zr -= a * nc;
      zi += a * ns;
    }
    if (end === start) c = zr = zi = 0; // no pulse alive: clear the rounding
  }
  if (Number.isNaN(bestX)) return false;
  // The sum at the peak, echo by echo with the pulse itself, and the hard echo's part of it.
  let sum = t ? softEcho(t, bestX, limit) : 0;
  let hard = 0;
  for (let i = 0; i < count; i++) {
    const v = amplitudes[i] * fastPulse(bestX - ranges[i], pulseLength);
    sum += v;
    if (i === hardIndex) hard = v;
  }
  if (!(sum > 0)) return false;
  out.range = bestX - pulseLength / 2;
  out.amplitude = sum;
  out.fromHard = hardIndex >= 0 && hard > sum / 2;
  return true;
}
