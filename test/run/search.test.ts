// roadcast search on the lead-vehicle-hard-brake scenario (its brakeDecel declared uniform on
// 4..9 m/s²): every run recorded as in a sweep, search.json with each run's parameters,
// likelihood and objective, the same results again when resumed; and refusals.
import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { search, type SearchReport } from '../../src/run/Search.js';
import type { SweepIndex } from '../../src/run/Sweep.js';

const RIG = join(mkdtempSync(join(tmpdir(), 'roadcast-search-rig-')), 'rig.yaml');
writeFileSync(RIG, 'sensors:\n  - { name: actors, type: ground_truth, rate: 10 }\n');

describe('roadcast search', () => {
  it('runs and records each proposal, writes search.json, and proposes the same again when resumed', async () => {
    const out = mkdtempSync(join(tmpdir(), 'roadcast-search-'));
    const options = { file: 'scenarios/lead-vehicle-hard-brake.yaml', out, objective: 'min(distance, lead)', budget: 4, batch: 2, method: 'cem' as const, jobs: 1, rig: RIG, duration: 9, seed: 3 };
    const report = await search(options);
    expect(report.runs.map((r) => r.id)).toEqual(['run-0001', 'run-0002', 'run-0003', 'run-0004']);
    const index = JSON.parse(readFileSync(join(out, 'index.json'), 'utf8')) as SweepIndex;
    for (const run of report.runs) {
      const d = run.params.brakeDecel as number;
      expect(d).toBeGreaterThanOrEqual(4);
      expect(d).toBeLessThanOrEqual(9);
      // The declared density of a uniform on 4..9: 1/5.
      expect(run.log_likelihood).toBeCloseTo(-Math.log(5), 12);
      // The lead is the only other actor: the objective is the run's least distance, summed up apart.
      const indexed = index.runs.find((r) => r.id === run.id)!;
      expect(indexed.params).toEqual(run.params);
      expect(run.objective).toBe(indexed.criticality!.min_distance);
      expect(statSync(run.recording).size).toBeGreaterThan(0);
    }
    expect(report.top.map((r) => r.objective)).toEqual([...report.runs.map((r) => r.objective)].sort((a, b) => a! - b!));
    const saved = readFileSync(join(out, 'search.json'), 'utf8');
    // The report beside it (its charts are tested in a browser: test/viewer/searchReport.test.ts).
    expect(readFileSync(join(out, 'report.html'), 'utf8')).toContain('"objective":"min(distance, lead)"');
    expect((JSON.parse(saved) as SearchReport).estimate!.runs).toBeGreaterThan(0);
    // Resumed: the same proposals, the sweep finds their runs made, the same file.
    const before = report.runs.map((r) => statSync(r.recording).mtimeMs);
    await search(options);
    expect(readFileSync(join(out, 'search.json'), 'utf8')).toBe(saved);
    expect(report.runs.map((r) => statSync(r.recording).mtimeMs)).toEqual(before);
  }, 180_000);

  it('bo: recorded runs, no weights and no estimate (said why), picks of the model at least as critical, the same again when resumed', async () => {
    const out = mkdtempSync(join(tmpdir(), 'roadcast-search-bo-'));
    const options = { file: 'scenarios/lead-vehicle-hard-brake.yaml', out, objective: 'min(distance, lead)', budget: 4, batch: 2, method: 'bo' as const, jobs: 1, rig: RIG, duration: 9, seed: 3 };
    const report = await search(options);
    const saved = readFileSync(join(out, 'search.json'), 'utf8');
    const json = JSON.parse(saved) as SearchReport;
    expect(json.method).toBe('bo');
    expect(json.estimate).toBeNull();
    expect(json.estimate_note).toMatch(/no estimate of the failure probability/);
    expect(readFileSync(join(out, 'report.html'), 'utf8')).toContain('No failure-probability estimate');
    const index = JSON.parse(readFileSync(join(out, 'index.json'), 'utf8')) as SweepIndex;
    for (const run of json.runs) {
      expect(run.weight).toBeNull();
      expect(run.log_likelihood).toBeCloseTo(-Math.log(5), 12);
      expect(run.objective).toBe(index.runs.find((r) => r.id === run.id)!.criticality!.min_distance);
      expect(statSync(run.recording).size).toBeGreaterThan(0);
    }
    // The first batch is a Latin hypercube: one brake in each half of 4..9; the lead stops
    // sooner the harder it brakes, so the model's picks go no softer than the harder of them.
    const brakes = report.runs.map((r) => r.params.brakeDecel as number);
    expect([brakes[0], brakes[1]].sort((a, b) => a - b).map((b) => (b < 6.5 ? 'low' : 'high'))).toEqual(['low', 'high']);
    expect(Math.min(brakes[2], brakes[3])).toBeGreaterThanOrEqual(Math.max(brakes[0], brakes[1]) - 0.5);
    expect(Math.min(report.runs[2].objective!, report.runs[3].objective!)).toBeLessThanOrEqual(Math.min(report.runs[0].objective!, report.runs[1].objective!));
    await search(options);
    expect(readFileSync(join(out, 'search.json'), 'utf8')).toBe(saved);
  }, 180_000);

  it('refuses an unknown metric or actor, a budget of 0 and a scenario with nothing to search', async () => {
    const out = mkdtempSync(join(tmpdir(), 'roadcast-search-bad-'));
    const base = { file: 'scenarios/lead-vehicle-hard-brake.yaml', out, budget: 2, method: 'random' as const };
    await expect(search({ ...base, objective: 'min(ttx)' })).rejects.toThrow(/--objective: unknown metric "ttx"/);
    await expect(search({ ...base, objective: 'min(ttc, nobody)' })).rejects.toThrow(/--objective: no actor "nobody" in the scenario \(actors: ego, lead\)/);
    await expect(search({ ...base, objective: 'min(ttc)', budget: 0 })).rejects.toThrow(/--budget: must be a whole number of runs, at least 1, got 0/);
    await expect(search({ ...base, file: 'scenarios/straight-road.yaml', objective: 'min(ttc)' })).rejects.toThrow(/straight-road\.yaml: declares no parameter with a distribution/);
  });
});
