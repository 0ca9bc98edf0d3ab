// The Gaussian process and expected improvement of Bayesian optimisation against values computed
// apart: a two-point example by hand (the 2 × 2 inverse in closed form), and NumPy/SciPy in the
// consumer Python (test/pythonConsumers.ts; skipped where it is missing, required in CI) for
// three inputs with noise, the profiled likelihood, the grid fit and the expected improvement.
import { describe, expect, it } from 'vitest';
import { expectedImprovement, believerBatch } from '../../src/run/BayesianOptimisation.js';
import { fitGaussianProcess, GaussianProcess, LENGTHSCALE_GRID, NOISE_GRID, profiledLogLikelihood } from '../../src/run/GaussianProcess.js';
import { normalCdf, unitImprovement } from '../../src/run/NormalDistribution.js';
import { consumersAvailable, pythonHas, runPython } from '../pythonConsumers.js';

const withNumpy = consumersAvailable('numpy', 'scipy');

/** A NumPy/SciPy Matérn 5/2 process: R&W Algorithm 2.1 with scipy.linalg's Cholesky. */
const NUMPY_GP = `
import json, sys
import numpy as np
from scipy.linalg import cho_factor, cho_solve
def matern(A, B, ls, sf2):
    d = np.sqrt((((A[:, None, :] - B[None, :, :]) / np.asarray(ls)) ** 2).sum(-1))
    return sf2 * (1 + np.sqrt(5) * d + 5 * d * d / 3) * np.exp(-np.sqrt(5) * d)
def gp(X, y, ls, sf2, sn2):
    K = matern(X, X, ls, sf2) + sn2 * np.eye(len(X))
    c = cho_factor(K, lower=True)
    alpha = cho_solve(c, y)
    lml = -0.5 * y @ alpha - np.log(np.diag(c[0])).sum() - 0.5 * len(X) * np.log(2 * np.pi)
    return c, alpha, lml
`;

describe('Gaussian process', () => {
  it('gives the posterior and likelihood of a two-point example computed by hand', () => {
    // X = {0, 1}, y = (1, −0.5), ℓ = 1, σ_f² = 1, no noise; at x* = 0.25.
    const m52 = (r: number) => (1 + Math.sqrt(5) * r + (5 * r * r) / 3) * Math.exp(-Math.sqrt(5) * r);
    const rho = m52(1), a = m52(0.25), b = m52(0.75);
    // K⁻¹ = [[1, −ρ], [−ρ, 1]] / (1 − ρ²).
    const inv = (u: number, v: number) => [(u - rho * v) / (1 - rho * rho), (v - rho * u) / (1 - rho * rho)];
    const [y1, y2] = [1, -0.5];
    const [w1, w2] = inv(y1, y2);
    const [v1, v2] = inv(a, b);
    const gp = new GaussianProcess([[0], [1]], [y1, y2], { lengthscales: [1], signalVariance: 1, noiseVariance: 0 });
    const post = gp.posterior([[0.25], [0], [1]]);
    expect(post.mean[0]).toBeCloseTo(a * w1 + b * w2, 12);
    expect(post.variance[0]).toBeCloseTo(1 - (a * v1 + b * v2), 12);
    // Noise-free: the data are interpolated, with no variance left there.
    expect(post.mean[1]).toBeCloseTo(1, 12);
    expect(post.mean[2]).toBeCloseTo(-0.5, 12);
    expect(post.variance[1]).toBeCloseTo(0, 12);
    // log p = −½ yᵀK⁻¹y − ½ log(1 − ρ²) − log 2π.
    expect(gp.logMarginalLikelihood).toBeCloseTo(-0.5 * (y1 * w1 + y2 * w2) - 0.5 * Math.log(1 - rho * rho) - Math.log(2 * Math.PI), 12);
    // Matérn 5/2 at r = 1: (1 + √5 + 5/3) e^−√5 = 0.5239941088 (by hand).
    expect(rho).toBeCloseTo(0.5239941088, 9);
  });

  it('expected improvement: by hand at the incumbent, and its tail without cancellation', () => {
    // At the incumbent, EI = σ φ(0) = σ / √(2π).
    expect(expectedImprovement(0, 1, 0)).toBeCloseTo(0.3989422804, 9);
    expect(expectedImprovement(3, 2, 3)).toBeCloseTo(0.7978845608, 9);
    // No uncertainty: the improvement itself.
    expect(expectedImprovement(1, 0, 3)).toBe(2);
    expect(expectedImprovement(4, 0, 3)).toBe(0);
    // Φ against the normal table, far into the tail (relative error under 1.2e-7).
    expect(normalCdf(-6) / 9.865876450377e-10).toBeCloseTo(1, 6);
    expect(normalCdf(-8) / 6.220960574271785e-16).toBeCloseTo(1, 6);
    expect(normalCdf(1.96)).toBeCloseTo(0.9750021048517795, 7);
    // Positive and decreasing as the incumbent falls below the mean.
    let previous = Infinity;
    for (const z of [-2, -5, -7.9, -8, -8.1, -12, -20]) {
      const v = unitImprovement(z);
      expect(v).toBeGreaterThan(0);
      expect(v).toBeLessThan(previous);
      previous = v;
    }
  });

  it.skipIf(!withNumpy || !pythonHas('mpmath'))('expected improvement matches 50-digit arithmetic into the far tail', () => {
    const zs = [1.5, 0, -1, -3, -6, -7.99, -8.01, -10, -15];
    const reference = runPython(`
import json, mpmath
mpmath.mp.dps = 50
zs = ${JSON.stringify(zs)}
print(json.dumps([float(z * mpmath.ncdf(z) + mpmath.npdf(z)) for z in map(mpmath.mpf, zs)]))
`) as number[];
    zs.forEach((z, i) => expect(unitImprovement(z) / reference[i], `z = ${z}`).toBeCloseTo(1, 5));
  });

  it.skipIf(!withNumpy)('posterior mean, variance, covariance and likelihood match NumPy for three inputs with noise', () => {
    const X = [[0.1, 0.2, 0.9], [0.5, 0.5, 0.5], [0.9, 0.1, 0.3], [0.3, 0.8, 0.2], [0.7, 0.6, 0.8], [0.2, 0.4, 0.6], [0.8, 0.9, 0.1], [0.45, 0.05, 0.55]];
    const y = [0.3, -1.2, 0.8, 0.1, -0.4, 1.5, -0.9, 0.2];
    const P = [[0.5, 0.5, 0.45], [0, 0, 0], [1, 1, 1], [0.25, 0.75, 0.3], [0.6, 0.3, 0.7]];
    const hyper = { lengthscales: [0.3, 0.7, 1.9], signalVariance: 1.7, noiseVariance: 0.05 };
    const ref = runPython(`${NUMPY_GP}
X, y, P = np.array(${JSON.stringify(X)}), np.array(${JSON.stringify(y)}), np.array(${JSON.stringify(P)})
c, alpha, lml = gp(X, y, ${JSON.stringify(hyper.lengthscales)}, ${hyper.signalVariance}, ${hyper.noiseVariance})
Ks = matern(P, X, ${JSON.stringify(hyper.lengthscales)}, ${hyper.signalVariance})
cov = matern(P, P, ${JSON.stringify(hyper.lengthscales)}, ${hyper.signalVariance}) - Ks @ cho_solve(c, Ks.T)
print(json.dumps({'mean': (Ks @ alpha).tolist(), 'cov': cov.tolist(), 'lml': float(lml)}))
`) as { mean: number[]; cov: number[][]; lml: number };
    const gp = new GaussianProcess(X, y, hyper);
    const post = gp.posterior(P);
    P.forEach((_, i) => {
      expect(post.mean[i]).toBeCloseTo(ref.mean[i], 10);
      expect(post.variance[i]).toBeCloseTo(ref.cov[i][i], 10);
      const row = gp.covarianceWith(post, i);
      P.forEach((__, j) => expect(row[j]).toBeCloseTo(ref.cov[j][i], 10));
    });
    expect(gp.logMarginalLikelihood).toBeCloseTo(ref.lml, 9);
  });

  it.skipIf(!withNumpy)('profiles the signal variance out exactly and fits the grid maximum in one dimension', () => {
    const X = [[0.05], [0.2], [0.35], [0.5], [0.62], [0.8], [0.95]];
    const y = X.map(([x]) => Math.sin(7 * x) + 0.3 * x);
    const ref = runPython(`${NUMPY_GP}
from scipy.optimize import minimize_scalar
X, y = np.array(${JSON.stringify(X)}), np.array(${JSON.stringify(y)})
# The likelihood maximised over σ_f² numerically (no closed form), for ℓ = 0.2, g = 1e-4.
best = minimize_scalar(lambda s: -gp(X, y, [0.2], np.exp(s), 1e-4 * np.exp(s))[2], bounds=(-10, 10), method='bounded', options={'xatol': 1e-10})
# Every (ℓ, g) of the grid, σ_f² profiled numerically the same way.
grid = []
for l in ${JSON.stringify(LENGTHSCALE_GRID)}:
    for g in ${JSON.stringify(NOISE_GRID)}:
        r = minimize_scalar(lambda s: -gp(X, y, [l], np.exp(s), g * np.exp(s))[2], bounds=(-20, 20), method='bounded', options={'xatol': 1e-10})
        grid.append((-r.fun, l, g, float(np.exp(r.x))))
top = max(grid)
print(json.dumps({'profiled': -best.fun, 'l': top[1], 'g': top[2], 'sf2': top[3], 'lml': top[0]}))
`) as { profiled: number; l: number; g: number; sf2: number; lml: number };
    expect(profiledLogLikelihood(X, y, { lengthscales: [0.2], noiseRatio: 1e-4 })).toBeCloseTo(ref.profiled, 6);
    const { gp, fit } = fitGaussianProcess(X, y);
    expect(fit).toEqual({ lengthscales: [ref.l], noiseRatio: ref.g });
    expect(gp.hyper.signalVariance / ref.sf2).toBeCloseTo(1, 4);
    expect(gp.logMarginalLikelihood).toBeCloseTo(ref.lml, 6);
  });

  it.skipIf(!withNumpy)('expected improvement matches SciPy', () => {
    const cases = [[0.3, 0.5, 0.1], [-1, 2, 0.5], [2, 0.4, 0], [0, 1e-3, -0.002]];
    const ref = runPython(`
import json
from scipy.stats import norm
out = []
for mu, sd, best in ${JSON.stringify(cases)}:
    z = (best - mu) / sd
    out.append((best - mu) * norm.cdf(z) + sd * norm.pdf(z))
print(json.dumps(out))
`) as number[];
    cases.forEach(([mu, sd, best], i) => expect(expectedImprovement(mu, sd, best) / ref[i]).toBeCloseTo(1, 6));
  });

  it('picks a kriging-believer batch as a process refitted with each believed pick would', () => {
    const X = [[0.1, 0.1], [0.9, 0.2], [0.4, 0.7], [0.6, 0.4], [0.2, 0.9]];
    const y = [1.2, -0.3, 0.4, -0.8, 0.9];
    const hyper = { lengthscales: [0.35, 0.5], signalVariance: 1.1, noiseVariance: 1e-3 };
    const gp = new GaussianProcess(X, y, hyper);
    const candidates: number[][] = [];
    for (let i = 0; i <= 10; i++) for (let j = 0; j <= 10; j++) candidates.push([i / 10, j / 10]);
    const picks = believerBatch(gp, candidates, Math.min(...y), 4);
    // Apart: refit a process with the believed picks each time and take the best EI again.
    const xs = [...X], ys = [...y];
    let best = Math.min(...y);
    const expected: number[] = [];
    for (let k = 0; k < 4; k++) {
      const post = new GaussianProcess(xs, ys, hyper).posterior(candidates);
      let pick = -1, value = -Infinity;
      candidates.forEach((_, i) => {
        const ei = expected.includes(i) ? -Infinity : expectedImprovement(post.mean[i], Math.sqrt(post.variance[i]), best);
        if (ei > value) [pick, value] = [i, ei];
      });
      expected.push(pick);
      xs.push(candidates[pick]);
      ys.push(post.mean[pick]);
      best = Math.min(best, post.mean[pick]);
    }
    expect(picks).toEqual(expected);
    expect(new Set(picks).size).toBe(4);
  });
});
