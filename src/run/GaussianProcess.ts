import { CholeskyDecomposition, Matrix } from 'ml-matrix';

/**
 * Gaussian-process regression for Bayesian optimisation (BayesianOptimisation.ts): a zero-mean
 * process (the caller standardises the observations) with the Matérn 5/2 covariance and one
 * length scale per input (automatic relevance determination), observed with Gaussian noise;
 * the posterior and the log marginal likelihood as Rasmussen and Williams, "Gaussian Processes
 * for Machine Learning", 2006, Algorithm 2.1 and eq. 4.17. The Cholesky factorisation and the
 * solves are ml-matrix's (MIT, mljs): a well-kept pure-JavaScript linear-algebra library, so
 * none of that numerical code is ours to keep.
 */
export interface GpHyperparameters {
  /** One per input dimension, in the inputs' units. */
  lengthscales: readonly number[];
  /** σ_f², the prior variance of the latent function. */
  signalVariance: number;
  /** σ_n², the variance of the observation noise. */
  noiseVariance: number;
}

const SQRT5 = Math.sqrt(5);
const LOG_2PI = Math.log(2 * Math.PI);

/** The Matérn 5/2 correlation at scaled distance r (R&W eq. 4.17): (1 + √5 r + 5r²/3) e^(−√5 r). */
export function matern52(r: number): number {
  const a = SQRT5 * r;
  return (1 + a + (a * a) / 3) * Math.exp(-a);
}

/** The Matérn 5/2 correlation of two points under per-dimension length scales. */
function correlation(a: readonly number[], b: readonly number[], lengthscales: readonly number[]): number {
  let r2 = 0;
  for (let k = 0; k < a.length; k++) r2 += ((a[k] - b[k]) / lengthscales[k]) ** 2;
  return matern52(Math.sqrt(r2));
}

/** The posterior at a set of points, with what posterior covariances between them need. */
export interface GpPosterior {
  points: readonly (readonly number[])[];
  /** Posterior mean of the latent function at each point. */
  mean: number[];
  /** Posterior variance of the latent function (without the observation noise). */
  variance: number[];
  /** k(point_i, X), one row per point. */
  cross: number[][];
  /** K⁻¹ k(X, point_i), one row per point. */
  solved: number[][];
}

export class GaussianProcess {
  readonly logMarginalLikelihood: number;
  /** yᵀK⁻¹y, the data-fit term. */
  readonly dataFit: number;
  /** log |K|, the complexity term. */
  readonly logDeterminant: number;
  private readonly cholesky: CholeskyDecomposition;
  private readonly alpha: number[];

  /** Throws when the covariance matrix is not numerically positive definite (a caller fitting hyperparameters skips those). */
  constructor(readonly x: readonly (readonly number[])[], readonly y: readonly number[], readonly hyper: GpHyperparameters) {
    const n = x.length;
    const k = new Matrix(n, n);
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < i; j++) {
        const v = this.kernel(x[i], x[j]);
        k.set(i, j, v);
        k.set(j, i, v);
      }
      k.set(i, i, hyper.signalVariance + hyper.noiseVariance);
    }
    this.cholesky = new CholeskyDecomposition(k);
    if (!this.cholesky.isPositiveDefinite()) throw new Error('the covariance matrix is not positive definite');
    this.alpha = this.cholesky.solve(Matrix.columnVector([...y])).getColumn(0);
    const l = this.cholesky.lowerTriangularMatrix;
    let logDet = 0;
    for (let i = 0; i < n; i++) logDet += 2 * Math.log(l.get(i, i));
    this.dataFit = dot(y, this.alpha);
    this.logDeterminant = logDet;
    // log p(y | X) = −½ yᵀK⁻¹y − ½ log|K| − (n/2) log 2π, with log|K| = 2 Σ log L_ii (R&W eq. 2.30).
    this.logMarginalLikelihood = -0.5 * this.dataFit - 0.5 * logDet - 0.5 * n * LOG_2PI;
  }

  /** k(a, b) = σ_f² · Matérn 5/2 (the noise is on the training points' diagonal only). */
  kernel(a: readonly number[], b: readonly number[]): number {
    return this.hyper.signalVariance * correlation(a, b, this.hyper.lengthscales);
  }

  /** The posterior mean and variance at each point: mean = k*ᵀα, variance = k(x, x) − k*ᵀK⁻¹k* (R&W Algorithm 2.1). */
  posterior(points: readonly (readonly number[])[]): GpPosterior {
    const n = this.x.length;
    const cross = points.map((p) => this.x.map((xi) => this.kernel(p, xi)));
    const solvedMatrix = this.cholesky.solve(points.length > 0 ? new Matrix(cross).transpose() : new Matrix(n, 0));
    const solved = solvedMatrix.transpose().to2DArray();
    return {
      points,
      cross,
      solved,
      mean: cross.map((row) => dot(row, this.alpha)),
      variance: cross.map((row, i) => Math.max(0, this.hyper.signalVariance - dot(row, solved[i]))),
    };
  }

  /** The posterior covariance of the latent function between every point of a posterior and its point j. */
  covarianceWith(posterior: GpPosterior, j: number): number[] {
    const pj = posterior.points[j], sj = posterior.solved[j];
    return posterior.points.map((p, i) => this.kernel(p, pj) - dot(posterior.cross[i], sj));
  }
}

/** The length scales tried (inputs scaled to [0, 1]): from a twentieth of the box to four boxes (an input that hardly matters). */
export const LENGTHSCALE_GRID = [0.05, 0.1, 0.2, 0.4, 0.8, 1.6, 4];
/** The noise variances tried, as a share of the signal variance: from a nugget for a deterministic simulator to a tenth. */
export const NOISE_GRID = [1e-6, 1e-4, 1e-2, 1e-1];

export interface GpFit {
  lengthscales: number[];
  /** σ_n² / σ_f². */
  noiseRatio: number;
}

/**
 * The process of greatest marginal likelihood over a deterministic grid of hyperparameters:
 * the signal variance profiled out in closed form (for K = σ_f²(R + gI), the likelihood is
 * greatest at σ_f² = yᵀ(R + gI)⁻¹y / n), the length scales and noise ratio by coordinate
 * ascent over LENGTHSCALE_GRID and NOISE_GRID: from `start` (the previous batch's fit) or else
 * the best common length scale, each dimension's length scale and then the noise ratio in
 * turn set to the best of the grid, for at most three passes. Ties keep the earlier value, so
 * the fit is a function of the data alone.
 */
export function fitGaussianProcess(x: readonly (readonly number[])[], y: readonly number[], start?: GpFit): { gp: GaussianProcess; fit: GpFit } {
  const d = x[0]?.length ?? 0;
  const cache = new Map<string, number>();
  const score = (fit: GpFit): number => {
    const key = `${fit.lengthscales.join(',')}|${fit.noiseRatio}`;
    let value = cache.get(key);
    if (value === undefined) {
      value = profiledLogLikelihood(x, y, fit);
      cache.set(key, value);
    }
    return value;
  };
  let best: GpFit = start ? { lengthscales: [...start.lengthscales], noiseRatio: start.noiseRatio } : { lengthscales: Array(d).fill(LENGTHSCALE_GRID[0]), noiseRatio: NOISE_GRID[0] };
  let bestScore = score(best);
  const consider = (fit: GpFit): boolean => {
    const s = score(fit);
    if (s > bestScore) {
      best = fit;
      bestScore = s;
      return true;
    }
    return false;
  };
  if (!start) for (const l of LENGTHSCALE_GRID) for (const g of NOISE_GRID) consider({ lengthscales: Array(d).fill(l), noiseRatio: g });
  for (let pass = 0; pass < 3; pass++) {
    let moved = false;
    for (let k = 0; k < d; k++) {
      for (const l of LENGTHSCALE_GRID) moved = consider({ lengthscales: best.lengthscales.map((v, i) => (i === k ? l : v)), noiseRatio: best.noiseRatio }) || moved;
    }
    for (const g of NOISE_GRID) moved = consider({ lengthscales: best.lengthscales, noiseRatio: g }) || moved;
    if (!moved) break;
  }
  if (bestScore === -Infinity) throw new Error('no hyperparameters of the grid give a positive-definite covariance');
  const sigma2 = Math.max(MIN_SIGNAL_VARIANCE, unitProcess(x, y, best).dataFit / y.length);
  return { gp: new GaussianProcess(x, y, { lengthscales: best.lengthscales, signalVariance: sigma2, noiseVariance: best.noiseRatio * sigma2 }), fit: best };
}

/** Floor of the profiled signal variance: observations all equal leave nothing to scale. */
const MIN_SIGNAL_VARIANCE = 1e-12;

/** The process of correlation R + gI (σ_f² = 1). */
function unitProcess(x: readonly (readonly number[])[], y: readonly number[], fit: GpFit): GaussianProcess {
  return new GaussianProcess(x, y, { lengthscales: fit.lengthscales, signalVariance: 1, noiseVariance: fit.noiseRatio });
}

/**
 * max over σ_f² of log p(y | X, ℓ, σ_n² = g σ_f², σ_f²): with q = yᵀ(R + gI)⁻¹y and σ̂² = q / n,
 * −(n/2)(log 2πσ̂² + 1) − ½ log|R + gI|; −∞ where R + gI is not numerically positive definite.
 */
export function profiledLogLikelihood(x: readonly (readonly number[])[], y: readonly number[], fit: GpFit): number {
  let unit: GaussianProcess;
  try {
    unit = unitProcess(x, y, fit);
  } catch {
    return -Infinity;
  }
  const n = y.length;
  const sigma2 = Math.max(MIN_SIGNAL_VARIANCE, unit.dataFit / n);
  return -0.5 * n * (Math.log(2 * Math.PI * sigma2) + 1) - 0.5 * unit.logDeterminant;
}

function dot(a: readonly number[], b: readonly number[]): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}
