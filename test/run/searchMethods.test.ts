// The search methods on functions whose failure probability is known in closed form, without
// simulating: the cross-entropy method's importance-sampling estimate against the normal tail
// (Q(4) = 3.167e-5, from the standard normal table), random search as the baseline, and
// Bayesian optimisation's batches on a failure region whose probability is known.
import { describe, expect, it } from 'vitest';
import { isUserError } from '../../src/core/errors.js';
import { Random } from '../../src/core/Random.js';
import { normalCdf } from '../../src/run/NormalDistribution.js';
import { ParameterSearch } from '../../src/run/SearchMethods.js';
import type { ParameterSpec } from '../../src/scenario/Scenario.js';

const X: ParameterSpec = { name: 'x', default: 0, distribution: { type: 'normal', mean: 0, std: 1 } };
const Y: ParameterSpec = { name: 'y', default: 5, distribution: { type: 'uniform', min: 0, max: 10 } };

function run(method: 'random' | 'cem' | 'bo', objective: (p: Record<string, number | string>) => number, batches: number, size: number, seed = 3) {
  const s = new ParameterSearch(method, [X, Y], new Random(seed));
  let firstFailure: number | undefined, count = 0;
  const drawn: number[] = [], points: string[] = [];
  for (let b = 0; b < batches; b++) {
    const asked = s.ask(size);
    drawn.push(...asked.map((a) => a.params.x as number));
    points.push(...asked.map((a) => `${a.params.x},${a.params.y}`));
    const told = asked.map((proposal) => ({ proposal, objective: objective(proposal.params) }));
    for (const t of told) {
      count++;
      if (t.objective <= 0 && firstFailure === undefined) firstFailure = count;
    }
    s.tell(told);
  }
  return { estimate: s.estimate(), firstFailure, drawn, points };
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
    expect(cem.estimate!.failures).toBeGreaterThan(50);
    expect(cem.estimate!.ci95[0]).toBeLessThanOrEqual(truth);
    expect(cem.estimate!.ci95[1]).toBeGreaterThanOrEqual(truth);
    expect(cem.estimate!.probability / truth).toBeGreaterThan(0.5);
    expect(cem.estimate!.probability / truth).toBeLessThan(2);
    expect(cem.estimate!.ess).toBeGreaterThan(10);
    const random = run('random', f, 10, 100);
    expect(random.estimate!.failures).toBe(0);
    expect(random.estimate!.probability).toBe(0);
  });

  it('reaches a two-parameter failure region (x ≥ 3 and y ≥ 9: P = 1.35e-3 × 0.1) far sooner than random', () => {
    const f = (p: Record<string, number | string>) => Math.max(3 - (p.x as number), 9 - (p.y as number));
    const truth = (1 - normalCdf(3)) * 0.1;
    const cem = run('cem', f, 10, 50);
    // Random needs 1 / 1.35e-4 ≈ 7400 runs on average for its first: the aim is 5 times fewer.
    expect(cem.firstFailure).toBeLessThan(7400 / 5);
    expect(cem.estimate!.ci95[0]).toBeLessThanOrEqual(truth);
    expect(cem.estimate!.ci95[1]).toBeGreaterThanOrEqual(truth);
    // And for other seeds too (random: 1 − (1 − 1.35e-4)^500 = 6.5 % to find one at all in as many runs).
    for (const seed of [1, 2, 4, 5]) expect(run('cem', f, 10, 50, seed).firstFailure, `seed ${seed}`).toBeLessThan(7400 / 5);
  });

  it('is deterministic for a seed and differs for another', () => {
    const f = (p: Record<string, number | string>) => 4 - (p.x as number);
    expect(run('cem', f, 3, 20, 5).drawn).toEqual(run('cem', f, 3, 20, 5).drawn);
    expect(run('cem', f, 3, 20, 5).drawn).not.toEqual(run('cem', f, 3, 20, 6).drawn);
  });

  it('bo finds the two-parameter failure region (P = 1.35e-4) in a few batches, distinct and deterministic, with no weights or estimate', () => {
    const f = (p: Record<string, number | string>) => Math.max(3 - (p.x as number), 9 - (p.y as number));
    // Random needs 1 / 1.35e-4 ≈ 7400 runs on average for its first; the aim is 5 times
    // fewer, and a model of the margin finds it within the first three batches of ten.
    for (const seed of [1, 2, 3, 4, 5]) expect(run('bo', f, 3, 10, seed).firstFailure, `seed ${seed}`).toBeLessThanOrEqual(30);
    const a = run('bo', f, 3, 10, 7);
    expect(a.drawn).toEqual(run('bo', f, 3, 10, 7).drawn);
    expect(a.drawn).not.toEqual(run('bo', f, 3, 10, 8).drawn);
    expect(new Set(a.points).size).toBe(a.points.length);
    expect(a.estimate).toBeNull();
    const s = new ParameterSearch('bo', [X, Y], new Random(1));
    const asked = s.ask(5);
    for (const p of asked) {
      expect(p.logWeight).toBeNull();
      // log p = log φ(x) + log(1/10), the declared densities.
      expect(p.logLikelihood).toBeCloseTo(-0.5 * (p.params.x as number) ** 2 - 0.5 * Math.log(2 * Math.PI) - Math.log(10), 12);
      // Inside the box: x within 5 std of its mean, y in its range.
      expect(Math.abs(p.params.x as number)).toBeLessThanOrEqual(5);
      expect(p.params.y).toBeGreaterThanOrEqual(0);
      expect(p.params.y).toBeLessThanOrEqual(10);
    }
  });

  it('bo keeps points in flight apart: a second ask before the first is told proposes others', () => {
    const f = (p: Record<string, number | string>) => (p.x as number) ** 2 + ((p.y as number) - 5) ** 2;
    const s = new ParameterSearch('bo', [X, Y], new Random(2));
    const first = s.ask(8);
    s.tell(first.map((proposal) => ({ proposal, objective: f(proposal.params) })));
    const inFlight = s.ask(4);
    const next = s.ask(4);
    const key = (p: { params: Record<string, number | string> }) => `${p.params.x},${p.params.y}`;
    expect(new Set([...inFlight, ...next].map(key)).size).toBe(8);
    // Told, the points in flight are modelled like any other.
    s.tell([...inFlight, ...next].map((proposal) => ({ proposal, objective: f(proposal.params) })));
    expect(s.ask(3)).toHaveLength(3);
  });

  it('bo proposes only the declared values of a choice of numbers, and refuses a scenario with no numeric parameter', () => {
    const gear: ParameterSpec = { name: 'gear', default: 2, distribution: { type: 'choice', values: [1, 2, 4] } };
    const mode: ParameterSpec = { name: 'mode', default: 'a', distribution: { type: 'choice', values: ['a', 'b'] } };
    const s = new ParameterSearch('bo', [X, gear, mode], new Random(3));
    for (let b = 0; b < 3; b++) {
      const asked = s.ask(6);
      for (const p of asked) {
        expect([1, 2, 4]).toContain(p.params.gear);
        expect(['a', 'b']).toContain(p.params.mode);
      }
      s.tell(asked.map((proposal) => ({ proposal, objective: (proposal.params.x as number) + (proposal.params.gear as number) })));
    }
    let error: unknown;
    try {
      new ParameterSearch('bo', [mode], new Random(1));
    } catch (e) {
      error = e;
    }
    expect(isUserError(error)).toBe(true);
    expect((error as Error).message).toBe('--method bo: needs a numeric parameter with a distribution to model (the scenario\'s: mode, each a choice of strings)');
  });
});
