/**
 * Fast transcendental functions for the per-beam weather models, whose sampling and peak
 * searches spent most of their time in Math.log and Math.cos. Deterministic: table-driven
 * arithmetic gives the same bits on every platform and thread.
 */

/**
 * -ln(x / 2³²) for an integer 1 ≤ x < 2³² (an exponential variate from 32 random bits), faster
 * than Math.log, which dominated the sampler: x = 2^e m, ln m from a 1024-entry table and
 * ln(1 + δ), δ < 1/1024, to δ⁵ (error ~1e-17).
 */
const LN_STEPS = 1024;
const LN_TABLE = Float64Array.from({ length: LN_STEPS + 1 }, (_, k) => Math.log(1 + k / LN_STEPS));
const INV_POW2 = Float64Array.from({ length: 32 }, (_, e) => 2 ** -e);
export function expOfBits(x: number): number {
  const e = 31 - Math.clz32(x);
  const m = x * INV_POW2[e];
  const j = Math.floor((m - 1) * LN_STEPS);
  const base = 1 + j / LN_STEPS;
  const d = (m - base) / base;
  const ln = LN_TABLE[j] + d * (1 - d * (1 / 2 - d * (1 / 3 - d * (1 / 4 - d / 5))));
  return (32 - e) * Math.LN2 - ln;
}

/**
 * Fast cos(2πu): the peak search spent most of its time in Math.cos/sin, so it uses a
 * 1024-entry table and angle addition with a step under π/1024 (Taylor to b⁵: error ~1e-19).
 */
const TURN = 1024;
const COS_TABLE = new Float64Array(TURN + 1);
const SIN_TABLE = new Float64Array(TURN + 1);
for (let k = 0; k <= TURN; k++) {
  COS_TABLE[k] = Math.cos((2 * Math.PI * k) / TURN);
  SIN_TABLE[k] = Math.sin((2 * Math.PI * k) / TURN);
}
/** cos(2πu) (sine: turnCos(u - 1/4)). */
export function turnCos(u: number): number {
  const f = (u - Math.floor(u)) * TURN;
  const k = Math.round(f);
  const b = ((f - k) * 2 * Math.PI) / TURN;
  const b2 = b * b;
  return COS_TABLE[k] * (1 - (b2 / 2) * (1 - b2 / 12)) - SIN_TABLE[k] * b * (1 - (b2 / 6) * (1 - b2 / 20));
}

/**
 * The standard normal quantile Φ⁻¹(p), 0 < p < 1: Acklam's rational approximation (P. J.
 * Acklam, "An algorithm for computing the inverse normal cumulative distribution function",
 * 2003; relative error under 1.15e-9), a central rational function and one for each tail.
 */
const ACKLAM_A = [-3.969683028665376e1, 2.209460984245205e2, -2.759285104469687e2, 1.38357751867269e2, -3.066479806614716e1, 2.506628277459239];
const ACKLAM_B = [-5.447609879822406e1, 1.615858368580409e2, -1.556989798598866e2, 6.680131188771972e1, -1.328068155288572e1];
const ACKLAM_C = [-7.784894002430293e-3, -3.223964580411365e-1, -2.400758277161838, -2.549732539343734, 4.374664141464968, 2.938163982698783];
const ACKLAM_D = [7.784695709041462e-3, 3.224671290700398e-1, 2.445134137142996, 3.754408661907416];
const ACKLAM_TAIL = 0.02425;
export function normalQuantile(p: number): number {
  if (p < ACKLAM_TAIL || p > 1 - ACKLAM_TAIL) {
    const q = Math.sqrt(-2 * Math.log(p < 0.5 ? p : 1 - p));
    const [c0, c1, c2, c3, c4, c5] = ACKLAM_C;
    const [d0, d1, d2, d3] = ACKLAM_D;
    const x = (((((c0 * q + c1) * q + c2) * q + c3) * q + c4) * q + c5) / ((((d0 * q + d1) * q + d2) * q + d3) * q + 1);
    return p < 0.5 ? x : -x;
  }
  const q = p - 0.5;
  const r = q * q;
  const [a0, a1, a2, a3, a4, a5] = ACKLAM_A;
  const [b0, b1, b2, b3, b4] = ACKLAM_B;
  return ((((((a0 * r + a1) * r + a2) * r + a3) * r + a4) * r + a5) * q) / (((((b0 * r + b1) * r + b2) * r + b3) * r + b4) * r + 1);
}

/**
 * A standard normal variate from 32 random bits by the inverse CDF: Φ⁻¹((x + ½)/2³²) read from
 * a 4096-cell table, linear within a cell (error under 1e-3 σ), and computed outright in the
 * outer 8 cells at each end, where Φ⁻¹ bends too fast to interpolate (0.4 % of draws). One
 * word of a hash per variate, a few nanoseconds (Box-Muller's log, sqrt and cos took ~25).
 */
const NORMAL_CELLS = 4096;
const NORMAL_TAIL_CELLS = 8;
const NORMAL_TABLE = Float64Array.from({ length: NORMAL_CELLS + 1 }, (_, k) => (k === 0 || k === NORMAL_CELLS ? 0 : normalQuantile(k / NORMAL_CELLS)));
export function gaussianFromBits(x: number): number {
  const u = ((x >>> 0) + 0.5) * (NORMAL_CELLS / 4294967296);
  const k = Math.floor(u);
  if (k < NORMAL_TAIL_CELLS || k >= NORMAL_CELLS - NORMAL_TAIL_CELLS) return normalQuantile(u / NORMAL_CELLS);
  return NORMAL_TABLE[k] + (u - k) * (NORMAL_TABLE[k + 1] - NORMAL_TABLE[k]);
}
