import { UserError } from '../core/errors.js';
import type { Random } from '../core/Random.js';
import { draw, type ParamValues } from '../scenario/parameters.js';
import type { ParameterSpec } from '../scenario/Scenario.js';
import { fitGaussianProcess, GaussianProcess, type GpFit } from './GaussianProcess.js';
import { unitImprovement } from './NormalDistribution.js';

/**
 * Bayesian optimisation for the most critical variant (the least objective), by an ask/tell
 * interface like the other searches (SearchMethods.ts):
 *
 * - Every numeric parameter with a distribution is an input scaled to [0, 1] over its box: a
 *   uniform's or truncated normal's range, a normal's mean ± 5 std, a log-normal's μ ± 5σ in
 *   its log, each cut to the parameter's own min and max; a `choice` of numbers over its
 *   values' range (only those values are proposed). A `choice` of strings is not modelled: it
 *   is drawn from its declared distribution, and the process's noise takes up its effect.
 * - The objectives, standardised, are modelled by a Gaussian process with the Matérn 5/2
 *   covariance and a length scale per input, its hyperparameters of greatest marginal
 *   likelihood over a grid (GaussianProcess.ts; Rasmussen and Williams 2006). A margin never
 *   measured (+∞) counts as the largest one told.
 * - Each proposal maximises the expected improvement over the least objective so far (Jones,
 *   Schonlau and Welch, "Efficient Global Optimization of Expensive Black-Box Functions", J.
 *   Global Optimization 13, 1998) over a candidate set drawn from the seeded generator: 500
 *   points uniform in the box and 500 about the five least objectives told.
 * - A batch is chosen by the kriging believer (Ginsbourger, Le Riche and Carraro, "Kriging Is
 *   Well-Suited to Parallelize Optimization", 2010): after each pick the process is told its own
 *   mean there, which leaves the mean unchanged and shrinks the variance near the pick, so the
 *   next pick goes elsewhere; a batch of N is N distinct points and keeps N workers busy. Points
 *   asked but not yet told are believed the same way at the next ask.
 * - Before two different objectives are told there is nothing to model: a batch is a Latin
 *   hypercube over the box.
 *
 * Deterministic: every draw comes from the seeded generator, split per batch, and the fit is a
 * function of what was told.
 */

/** Candidates for the expected improvement: uniform in the box, and about the best points told. */
const UNIFORM_CANDIDATES = 500;
const LOCAL_CANDIDATES = 500;
const LOCAL_CENTRES = 5;
/** Spreads of the local candidates (in the [0, 1] box), alternated. */
const LOCAL_SPREADS = [0.02, 0.08];
/** How far an unbounded normal's box reaches, in standard deviations (P(|z| > 5) = 5.7e-7). */
const BOX_STDS = 5;

interface Input {
  spec: ParameterSpec;
  /** Searched in log space (a log-normal parameter). */
  log: boolean;
  /** The box in the searched space. */
  lo: number;
  hi: number;
  /** The values of a `choice` of numbers. */
  values?: number[];
}

interface Told {
  u: number[];
  objective: number;
}

export class BayesianOptimisation {
  private readonly inputs: Input[];
  /** `choice` parameters of strings: drawn from their declared distribution. */
  private readonly others: ParameterSpec[];
  private readonly told: Told[] = [];
  /** Asked and not yet told, by their parameters' key. */
  private readonly pending = new Map<string, number[]>();
  private batch = 0;
  private lastFit?: GpFit;

  constructor(specs: readonly ParameterSpec[], private readonly random: Random) {
    const searched = specs.filter((p) => p.distribution);
    const numeric = (p: ParameterSpec) => p.distribution!.type !== 'choice' || p.distribution!.values.every((v) => typeof v === 'number');
    this.inputs = searched.filter(numeric).map(inputOf);
    this.others = searched.filter((p) => !numeric(p));
    if (this.inputs.length === 0) {
      throw new UserError(`needs a numeric parameter with a distribution to model (the scenario's: ${searched.map((p) => p.name).join(', ') || 'none'}, each a choice of strings)`, '--method bo');
    }
  }

  /** The next n variants: distinct, each where the expected improvement is greatest given the others. */
  ask(n: number): ParamValues[] {
    const r = this.random.split(`batch-${this.batch++}`);
    const finite = this.told.filter((t) => Number.isFinite(t.objective));
    const units = new Set(finite.map((t) => t.objective)).size < 2 ? this.latinHypercube(n, r) : this.expectedImprovementBatch(n, r, finite);
    return units.map((u, i) => {
      const params = this.paramsOf(u);
      const ri = r.split(`variant-${i}`);
      for (const spec of this.others) params[spec.name] = draw(spec.distribution!, ri);
      this.pending.set(paramsKey(params), this.unitOf(params));
      return params;
    });
  }

  /** The objectives of variants asked before (or of any others, which are modelled alike). */
  tell(results: readonly { params: ParamValues; objective: number }[]): void {
    for (const { params, objective } of results) {
      this.pending.delete(paramsKey(params));
      if (!Number.isNaN(objective)) this.told.push({ u: this.unitOf(params), objective });
    }
  }

  private expectedImprovementBatch(n: number, r: Random, finite: Told[]): number[][] {
    // +∞ (never measured: never critical) as the largest margin told, then standardised.
    const cap = Math.max(...finite.map((t) => t.objective));
    const raw = this.told.map((t) => Math.min(t.objective, cap));
    const mean = raw.reduce((a, b) => a + b, 0) / raw.length;
    const std = Math.sqrt(raw.reduce((a, b) => a + (b - mean) ** 2, 0) / raw.length) || 1;
    const x = this.told.map((t) => t.u);
    const y = raw.map((v) => (v - mean) / std);
    const { gp: fitted, fit } = fitGaussianProcess(x, y, this.lastFit);
    this.lastFit = fit;
    let gp = fitted;
    let best = Math.min(...y);
    const pending = [...this.pending.values()];
    if (pending.length > 0) {
      // The kriging believer for the points in flight: told their own posterior mean.
      const believed = gp.posterior(pending).mean;
      gp = new GaussianProcess([...x, ...pending], [...y, ...believed], gp.hyper);
      best = Math.min(best, ...believed);
    }
    const seen = new Set([...this.told.map((t) => unitKey(t.u)), ...pending.map(unitKey)]);
    const candidates = this.candidates(r, x, y).filter((u) => {
      const key = unitKey(u);
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    });
    if (candidates.length === 0) return this.latinHypercube(n, r);
    return believerBatch(gp, candidates, best, n).map((i) => candidates[i]);
  }

  /** UNIFORM_CANDIDATES in the box, then LOCAL_CANDIDATES about the LOCAL_CENTRES least told. */
  private candidates(r: Random, x: number[][], y: number[]): number[][] {
    const out: number[][] = [];
    for (let i = 0; i < UNIFORM_CANDIDATES; i++) out.push(this.inputs.map((input) => (input.values ? this.choiceUnit(input, r.int(0, input.values.length - 1)) : r.next())));
    const order = y.map((_, i) => i).sort((a, b) => y[a] - y[b] || a - b).slice(0, LOCAL_CENTRES);
    for (let i = 0; i < LOCAL_CANDIDATES; i++) {
      const centre = x[order[i % order.length]];
      const spread = LOCAL_SPREADS[Math.floor(i / order.length) % LOCAL_SPREADS.length];
      out.push(this.inputs.map((input, k) => {
        if (input.values) return r.next() < 0.7 ? centre[k] : this.choiceUnit(input, r.int(0, input.values.length - 1));
        return Math.min(1, Math.max(0, centre[k] + spread * r.normal()));
      }));
    }
    return out;
  }

  /** n points, each input's range cut in n strata and each stratum used once (McKay, Beckman and Conover 1979). */
  private latinHypercube(n: number, r: Random): number[][] {
    const columns = this.inputs.map((input) => {
      const strata = Array.from({ length: n }, (_, i) => i);
      for (let i = n - 1; i > 0; i--) {
        const j = r.int(0, i);
        [strata[i], strata[j]] = [strata[j], strata[i]];
      }
      return strata.map((s) => {
        const u = (s + r.next()) / n;
        return input.values ? this.choiceUnit(input, Math.min(input.values.length - 1, Math.floor(u * input.values.length))) : u;
      });
    });
    return Array.from({ length: n }, (_, i) => columns.map((column) => column[i]));
  }

  private choiceUnit(input: Input, index: number): number {
    return input.hi > input.lo ? (input.values![index] - input.lo) / (input.hi - input.lo) : 0;
  }

  /** The parameters at a point of the box. */
  private paramsOf(u: readonly number[]): ParamValues {
    const params: ParamValues = {};
    this.inputs.forEach((input, k) => {
      const v = input.lo + u[k] * (input.hi - input.lo);
      if (input.values) {
        // The nearest of the values (the candidates are the values themselves).
        params[input.spec.name] = input.values.reduce((a, b) => (Math.abs(b - v) < Math.abs(a - v) ? b : a));
      } else {
        const x = input.log ? Math.exp(v) : v;
        params[input.spec.name] = Math.min(input.spec.max ?? Infinity, Math.max(input.spec.min ?? -Infinity, x));
      }
    });
    return params;
  }

  /** A variant's point in the box (outside it for one told from elsewhere). */
  private unitOf(params: ParamValues): number[] {
    return this.inputs.map((input) => {
      const x = Number(params[input.spec.name]);
      const v = input.log ? Math.log(x) : x;
      return input.hi > input.lo ? (v - input.lo) / (input.hi - input.lo) : 0;
    });
  }
}

/**
 * The indices of n candidates picked one by one for the greatest expected improvement below
 * `best` (ties: the first), the process told its own mean at each pick before the next (the
 * kriging believer): the mean stays, the incumbent becomes the least of it and the picks'
 * means, and the posterior covariance loses u uᵀ, u = c(·, pick) / √(c(pick, pick) + σ_n²),
 * c the covariance given the picks before; so the batch's variances are those of the process
 * refitted with every believed pick, at the cost of one pass over the candidates per pick.
 */
export function believerBatch(gp: GaussianProcess, candidates: readonly (readonly number[])[], best: number, n: number): number[] {
  const posterior = gp.posterior(candidates);
  const variance = [...posterior.variance];
  const noise = gp.hyper.noiseVariance;
  const updates: number[][] = [];
  const chosen: number[] = [];
  for (let j = 0; j < n; j++) {
    let pick = -1, pickValue = -Infinity;
    for (let i = 0; i < candidates.length; i++) {
      if (chosen.includes(i)) continue;
      const value = expectedImprovement(posterior.mean[i], Math.sqrt(variance[i]), best);
      if (value > pickValue) {
        pick = i;
        pickValue = value;
      }
    }
    // Fewer candidates than asked for (a small space of choices): the earlier picks again.
    if (pick < 0) {
      chosen.push(chosen[j % candidates.length]);
      continue;
    }
    chosen.push(pick);
    best = Math.min(best, posterior.mean[pick]);
    const c = gp.covarianceWith(posterior, pick);
    for (const u of updates) for (let i = 0; i < c.length; i++) c[i] -= u[i] * u[pick];
    const scale = 1 / Math.sqrt(Math.max(c[pick] + noise, Number.MIN_VALUE));
    const u = c.map((v) => v * scale);
    updates.push(u);
    for (let i = 0; i < variance.length; i++) variance[i] = Math.max(0, variance[i] - u[i] * u[i]);
  }
  return chosen;
}

/**
 * Expected improvement below `best` of a normal posterior (mean, sd), for minimisation:
 * (best − mean) Φ(z) + sd φ(z), z = (best − mean) / sd (Jones et al. 1998, eq. 15); with no
 * uncertainty left, the improvement itself.
 */
export function expectedImprovement(mean: number, sd: number, best: number): number {
  if (!(sd > 1e-12)) return Math.max(0, best - mean);
  return sd * unitImprovement((best - mean) / sd);
}

function inputOf(spec: ParameterSpec): Input {
  const d = spec.distribution!;
  const cut = (lo: number, hi: number) => ({ lo: Math.max(lo, spec.min ?? -Infinity), hi: Math.min(hi, spec.max ?? Infinity) });
  switch (d.type) {
    case 'uniform': return { spec, log: false, ...cut(d.min, d.max) };
    case 'truncatedNormal': return { spec, log: false, ...cut(d.min, d.max) };
    case 'normal': return { spec, log: false, ...cut(d.mean - BOX_STDS * d.std, d.mean + BOX_STDS * d.std) };
    case 'logNormal': {
      const lo = spec.min !== undefined && spec.min > 0 ? Math.log(spec.min) : -Infinity;
      const hi = spec.max !== undefined && spec.max > 0 ? Math.log(spec.max) : Infinity;
      return { spec, log: true, lo: Math.max(lo, d.mu - BOX_STDS * d.sigma), hi: Math.min(hi, d.mu + BOX_STDS * d.sigma) };
    }
    case 'choice': {
      const values = d.values as number[];
      return { spec, log: false, lo: Math.min(...values), hi: Math.max(...values), values };
    }
  }
}

function paramsKey(params: ParamValues): string {
  return JSON.stringify(Object.keys(params).sort().map((k) => [k, params[k]]));
}

function unitKey(u: readonly number[]): string {
  return u.join(',');
}
