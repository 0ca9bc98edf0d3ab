import { UserError } from '../core/errors.js';
import type { Random } from '../core/Random.js';
import { draw } from '../scenario/parameters.js';
import { normalQuantile } from '../sensors/FastMath.js';
import type { Distribution, ParameterSpec } from '../scenario/Scenario.js';
import type { ParamValues } from '../scenario/parameters.js';
import { BayesianOptimisation } from './BayesianOptimisation.js';
import { normalCdf } from './NormalDistribution.js';

/**
 * Search over a scenario's declared parameter distributions for the runs whose objective (a
 * margin: at or below 0 is a failure) is least, by an ask/tell interface: `ask(n)` proposes n
 * variants, `tell` gives their objectives back. Three methods:
 *
 * - `random`: Monte Carlo from the declared distributions, the baseline.
 * - `cem`: the cross-entropy method for rare events (Rubinstein and Kroese, "The Cross-Entropy
 *   Method", 2004, §3.4, multi-level; as adaptive importance sampling for driving scenarios by
 *   O'Kelly et al., NeurIPS 2018): each continuous parameter gets a normal proposal, started at
 *   its declared distribution; after each batch the proposal is refitted to the batch's elite
 *   (unweighted; see `tell`), the runs at or below the batch's ρ-quantile of the
 *   objective (or below 0 once that quantile reaches it), so the proposals move toward the
 *   failure region level by level; at the failures, weighted, with the spread doubled. The
 *   failure probability under the declared distributions is estimated by importance sampling
 *   over the runs drawn once the proposal reached the failures, p̂ = Σ w_i 1[f_i ≤ 0] / n with
 *   w = p / q, with its 95 % normal interval and the effective sample size (Σ w)² / Σ w² of the failures.
 * - `bo`: Bayesian optimisation for the most critical variant (BayesianOptimisation.ts): a
 *   Gaussian process of the objective, expected improvement, batches by the kriging believer.
 *   Its proposals come from no density, so they carry no importance weight (`logWeight`
 *   null) and it makes no estimate of the failure probability (`estimate()` is null).
 *
 * Parameters whose distribution is a `choice` keep their declared distribution in random and
 * cem (their likelihood ratio is 1); a log-normal one is searched in its log.
 */
export type SearchMethod = 'random' | 'cem' | 'bo';

export const SEARCH_METHODS: readonly SearchMethod[] = ['random', 'cem', 'bo'];

export interface Proposal {
  id: string;
  params: ParamValues;
  /** log p(x) under the declared distributions (the continuous parameters'). */
  logLikelihood: number;
  /** log p(x) − log q(x): the importance weight's log (0 for `random`; null for `bo`, which draws from no density q). */
  logWeight: number | null;
  /** Drawn once the proposal had reached the failure level (cem): what the estimate is made of. */
  final: boolean;
}

export interface SearchEstimate {
  probability: number;
  ci95: [number, number];
  /** Effective sample size of the failures' weights. */
  ess: number;
  failures: number;
  runs: number;
}

/** The elite share of a batch the cross-entropy method refits to. */
const RHO = 0.1;
/** Smoothing of the refit (new = α fitted + (1 − α) old): Rubinstein and Kroese's 0.7. */
const SMOOTHING = 0.7;
/** The fitted spread's factor once the elite are all failures (see `tell`). */
const FAILURE_SPREAD = 2;

interface Axis {
  spec: ParameterSpec;
  /** Searched in log space (a log-normal parameter). */
  log: boolean;
  /** Bounds of the searched value (±∞ where none). */
  lo: number;
  hi: number;
  mean: number;
  std: number;
}

export class ParameterSearch {
  private readonly axes: (Axis & { floor: number })[];
  private readonly others: ParameterSpec[];
  private batch = 0;
  /** Whether a refit has reached level 0 (the elite all failures): later draws make the estimate. */
  private atFailures = false;
  private readonly told: { proposal: Proposal; objective: number }[] = [];
  private readonly bo?: BayesianOptimisation;

  constructor(readonly method: SearchMethod, specs: readonly ParameterSpec[], private readonly random: Random) {
    if (!SEARCH_METHODS.includes(method)) throw new UserError(`must be one of ${SEARCH_METHODS.join(', ')}, got "${method}"`, '--method');
    const searched = specs.filter((p) => p.distribution);
    if (searched.length === 0) throw new UserError('the scenario declares no parameter with a distribution to search over');
    this.axes = searched.filter((p) => p.distribution!.type !== 'choice').map(axisOf);
    this.others = searched.filter((p) => p.distribution!.type === 'choice');
    if (method === 'bo') this.bo = new BayesianOptimisation(searched, random);
  }

  /** The next n variants to run, with their likelihoods; deterministic in the seed and what was told. */
  ask(n: number): Proposal[] {
    if (this.bo) {
      return this.bo.ask(n).map((params) => ({
        id: '', params, logWeight: null, final: false,
        logLikelihood: this.axes.reduce((sum, axis) => sum + declaredLogDensity(axis, params[axis.spec.name] as number), 0),
      }));
    }
    const r = this.random.split(`batch-${this.batch++}`);
    return Array.from({ length: n }, (_, i) => {
      const ri = r.split(`variant-${i}`);
      const params: ParamValues = {};
      let logP = 0, logQ = 0;
      for (const axis of this.axes) {
        const p = axis.spec.distribution!;
        let y: number;
        if (this.method === 'random') {
          const x = draw(p, ri) as number;
          y = axis.log ? Math.log(x) : x;
        } else y = truncatedNormalDraw(axis.mean, axis.std, axis.lo, axis.hi, ri);
        const x = axis.log ? Math.exp(y) : y;
        params[axis.spec.name] = clamp(x, axis.spec);
        logP += declaredLogDensity(axis, x);
        logQ += this.method === 'random' ? declaredLogDensity(axis, x) : logTruncatedNormal(y, axis.mean, axis.std, axis.lo, axis.hi);
      }
      for (const spec of this.others) params[spec.name] = draw(spec.distribution!, ri);
      return { id: '', params, logLikelihood: logP, logWeight: logP - logQ, final: this.method === 'random' || this.atFailures };
    });
  }

  /** The objectives of proposals asked before; `cem` refits its proposals to this batch, `bo` its Gaussian process to every run told. */
  tell(results: readonly { proposal: Proposal; objective: number }[]): void {
    this.told.push(...results);
    this.bo?.tell(results.map((r) => ({ params: r.proposal.params, objective: r.objective })));
    if (this.method !== 'cem' || results.length === 0) return;
    const sorted = [...results].filter((r) => Number.isFinite(r.objective)).sort((a, b) => a.objective - b.objective);
    if (sorted.length < 2) return;
    const level = Math.max(sorted[Math.max(0, Math.ceil(RHO * sorted.length) - 1)].objective, 0);
    const elite = sorted.filter((r) => r.objective <= level);
    // On the way, unweighted: the likelihood-ratio-weighted refit aims at the declared
    // distribution cut at the level, whose spread shrinks level by level, so the levels rise ever
    // slower. At the failures, weighted: the declared distribution given failure, the proposal of
    // least variance for the estimate (Rubinstein and Kroese §3.4).
    if (level === 0) this.atFailures = true;
    const weights = elite.map((r) => (level === 0 ? Math.exp(r.proposal.logWeight!) : 1));
    const total = weights.reduce((a, b) => a + b, 0);
    if (!(total > 0)) return;
    for (const axis of this.axes) {
      const ys = elite.map((r) => (axis.log ? Math.log(r.proposal.params[axis.spec.name] as number) : (r.proposal.params[axis.spec.name] as number)));
      const mean = ys.reduce((a, y, k) => a + weights[k] * y, 0) / total;
      const variance = ys.reduce((a, y, k) => a + weights[k] * (y - mean) ** 2, 0) / total;
      axis.mean = SMOOTHING * mean + (1 - SMOOTHING) * axis.mean;
      // A floor keeps the proposal from collapsing before it reaches the failures (the elite's
      // spread shrinks by about 0.4 a level, so the levels would stop rising): a third of the
      // declared spread. At the failures the fitted spread is doubled: independent normals
      // fitted to a few weighted failures are narrower than a failure region whose edge moves
      // with the other parameters (a cut-in's gap that fails grows with the speed difference),
      // and the failures they then all but never draw are the ones of largest weight, so the
      // estimate fell short of the truth by a third to a half (bench/search.mjs); doubled, it
      // keeps them drawn, at some cost in variance (Rubinstein and Kroese §3.4 warn of the
      // same degeneracy of a proposal too narrow).
      const spread = Math.sqrt(variance) * (level === 0 ? FAILURE_SPREAD : 1);
      axis.std = Math.max(SMOOTHING * spread + (1 - SMOOTHING) * axis.std, axis.floor);
    }
  }

  /**
   * The importance-sampling estimate of the failure probability (objective ≤ 0) under the
   * declared distributions, from the runs drawn once the proposal reached the failures (all
   * runs for `random`, or while it never did): each run's estimate is unbiased, but the early
   * ones' rare large weights are all but never drawn, which pulls a pooled estimate low. Null
   * for `bo`, whose runs have no importance weights.
   */
  estimate(): SearchEstimate | null {
    if (this.method === 'bo') return null;
    const pool = this.told.some((r) => r.proposal.final) ? this.told.filter((r) => r.proposal.final) : this.told;
    const n = pool.length;
    const w = pool.map((r) => (r.objective <= 0 ? Math.exp(r.proposal.logWeight!) : 0));
    const mean = w.reduce((a, b) => a + b, 0) / Math.max(n, 1);
    const variance = n > 1 ? w.reduce((a, b) => a + (b - mean) ** 2, 0) / (n - 1) : 0;
    const half = 1.959964 * Math.sqrt(variance / Math.max(n, 1));
    const sum = w.reduce((a, b) => a + b, 0), sumSq = w.reduce((a, b) => a + b * b, 0);
    return { probability: mean, ci95: [Math.max(0, mean - half), mean + half], ess: sumSq > 0 ? (sum * sum) / sumSq : 0, failures: w.filter((x) => x > 0).length, runs: n };
  }
}

function axisOf(spec: ParameterSpec): Axis & { floor: number } {
  const d = spec.distribution!;
  const bound = (lo: number, hi: number) => ({ lo: Math.max(lo, spec.min ?? -Infinity), hi: Math.min(hi, spec.max ?? Infinity) });
  let axis: Axis;
  switch (d.type) {
    case 'uniform': axis = { spec, log: false, ...bound(d.min, d.max), mean: (d.min + d.max) / 2, std: (d.max - d.min) / Math.sqrt(12) }; break;
    case 'normal': axis = { spec, log: false, ...bound(-Infinity, Infinity), mean: d.mean, std: d.std }; break;
    case 'truncatedNormal': axis = { spec, log: false, ...bound(d.min, d.max), mean: d.mean, std: d.std }; break;
    case 'logNormal': axis = { spec, log: true, lo: -Infinity, hi: Infinity, mean: d.mu, std: d.sigma }; break;
    default: throw new Error(`not a continuous distribution: ${d.type}`);
  }
  return Object.assign(axis, { floor: axis.std / 3 });
}

function clamp(x: number, spec: ParameterSpec): number {
  return Math.min(spec.max ?? Infinity, Math.max(spec.min ?? -Infinity, x));
}

const LOG_SQRT_2PI = 0.5 * Math.log(2 * Math.PI);

/** log p of a continuous parameter's value under its declared distribution (a log-normal's, of its log). */
function declaredLogDensity(axis: Axis, x: number): number {
  return logDensity(axis.spec.distribution!, x) + (axis.log ? Math.log(x) : 0);
}

/** log of the declared density at x (a uniform's outside its range: −∞). */
export function logDensity(d: Distribution, x: number): number {
  switch (d.type) {
    case 'uniform': return x >= d.min && x <= d.max ? -Math.log(d.max - d.min) : -Infinity;
    case 'normal': return -0.5 * ((x - d.mean) / d.std) ** 2 - Math.log(d.std) - LOG_SQRT_2PI;
    case 'truncatedNormal': return logTruncatedNormal(x, d.mean, d.std, d.min, d.max);
    case 'logNormal': return x > 0 ? -0.5 * ((Math.log(x) - d.mu) / d.sigma) ** 2 - Math.log(d.sigma * x) - LOG_SQRT_2PI : -Infinity;
    case 'choice': return 0;
  }
}

function logTruncatedNormal(x: number, mean: number, std: number, lo: number, hi: number): number {
  if (x < lo || x > hi) return -Infinity;
  const mass = normalCdf((hi - mean) / std) - normalCdf((lo - mean) / std);
  return -0.5 * ((x - mean) / std) ** 2 - Math.log(std) - LOG_SQRT_2PI - Math.log(mass);
}

/** A draw of N(mean, std²) restricted to [lo, hi], by rejection (then inversion where the interval holds little mass). */
function truncatedNormalDraw(mean: number, std: number, lo: number, hi: number, random: Random): number {
  for (let i = 0; i < 64; i++) {
    const x = random.normal(mean, std);
    if (x >= lo && x <= hi) return x;
  }
  const a = normalCdf((lo - mean) / std), b = normalCdf((hi - mean) / std);
  // Kept inside (0, 1): Acklam's quantile is infinite at the ends.
  const p = Math.min(Math.max(a + random.next() * (b - a), Number.MIN_VALUE), 1 - Number.EPSILON);
  return Math.min(hi, Math.max(lo, mean + std * normalQuantile(p)));
}
