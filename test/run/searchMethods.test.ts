// The search methods on functions whose failure probability is known in closed form, without
// simulating: the cross-entropy method's importance-sampling estimate against the normal tail
// (Q(4) = 3.167e-5, from the standard normal table), and random search as the baseline.
import { describe, expect, it } from 'vitest';
import { Random } from '../../src/core/Random.js';
import { normalCdf } from '../../src/run/NormalDistribution.js';
import { ParameterSearch } from '../../src/run/SearchMethods.js';
import type { ParameterSpec } from '../../src/scenario/Scenario.js';

const X: ParameterSpec = { name: 'x', default: 0, distribution: { type: 'normal', mean: 0, std: 1 } };
const Y: ParameterSpec = { name: 'y', default: 5, distribution: { type: 'uniform', min: 0, max: 10 } };

function run(method: 'random' | 'cem', objective: (p: Record<string, number | string>) => number, batches: number, size: number, seed = 3) {
  const s = new ParameterSearch(method, [X, Y], new Random(seed));
  let firstFailure: number | undefined, count = 0;
  const drawn: number[] = [];
  for (let b = 0; b < batches; b++) {
    const asked = s.ask(size);
    drawn.push(...asked.map((a) => a.params.x as number));
    const told = asked.map((proposal) => ({ proposal, objective: objective(proposal.params) }));
    for (const t of told) {
      count++;
      if (t.objective <= 0 && firstFailure === undefined) firstFailure = count;
    }
    s.tell(told);
  }
  return { estimate: s.estimate(), firstFailure, drawn };
}

describe('search methods', () => {
  it('Φ matches the standard normal table', () => {
    for (const [z, p] of [[0, 0.5], [1, 0.841345], [1.96, 0.975002], [-2.5, 0.00620967], [4, 0.99996833]]) expect(normalCdf(z)).toBeCloseTo(p, 6);
  });

  it('cem estimates a 3.2e-5 failure probability within its own 95 % interval in 1000 runs, where random finds no failure', () => {
    // Failure: x ≥ 4 (x standard normal), whatever y: P = Q(4) = 3.167e-5.
    const f = (p: Record<string, number | string>) => 4 - (p.x as number);
    const cem = run('cem', f, 10, 100);
    const truth = 3.167e-5;
    expect(cem.estimate.failures).toBeGreaterThan(50);
    expect(cem.estimate.ci95[0]).toBeLessThanOrEqual(truth);
    expect(cem.estimate.ci95[1]).toBeGreaterThanOrEqual(truth);
    expect(cem.estimate.probability / truth).toBeGreaterThan(0.5);
    expect(cem.estimate.probability / truth).toBeLessThan(2);
    expect(cem.estimate.ess).toBeGreaterThan(10);
    const random = run('random', f, 10, 100);
    expect(random.estimate.failures).toBe(0);
    expect(random.estimate.probability).toBe(0);
  });

  it('reaches a two-parameter failure region (x ≥ 3 and y ≥ 9: P = 1.35e-3 × 0.1) far sooner than random', () => {
    const f = (p: Record<string, number | string>) => Math.max(3 - (p.x as number), 9 - (p.y as number));
    const truth = (1 - normalCdf(3)) * 0.1;
    const cem = run('cem', f, 10, 50);
    // Random needs 1 / 1.35e-4 ≈ 7400 runs on average for its first: the aim is 5 times fewer.
    expect(cem.firstFailure).toBeLessThan(7400 / 5);
    expect(cem.estimate.ci95[0]).toBeLessThanOrEqual(truth);
    expect(cem.estimate.ci95[1]).toBeGreaterThanOrEqual(truth);
    // And for other seeds too (random: 1 − (1 − 1.35e-4)^500 = 6.5 % to find one at all in as many runs).
    for (const seed of [1, 2, 4, 5]) expect(run('cem', f, 10, 50, seed).firstFailure, `seed ${seed}`).toBeLessThan(7400 / 5);
  });

  it('is deterministic for a seed and differs for another', () => {
    const f = (p: Record<string, number | string>) => 4 - (p.x as number);
    expect(run('cem', f, 3, 20, 5).drawn).toEqual(run('cem', f, 3, 20, 5).drawn);
    expect(run('cem', f, 3, 20, 5).drawn).not.toEqual(run('cem', f, 3, 20, 6).drawn);
  });
});
