// The search benchmark's cut-in (bench/search-cut-in.yaml) against its collision region in
// closed form, least gap = gap − 1.5 dv − dv² / (2 brake): a collision where that is below 0,
// else a least distance within 0.3 m of it (the sinusoidal lane change costs the cutter up to
// 0.25 m, which the formula leaves out). The benchmark's figures rest on this agreement.
import { describe, expect, it } from 'vitest';
import { loadRunInputs } from '../../src/run/RunInputs.js';
import { runScenario } from '../../src/run/runScenario.js';

async function cutIn(gap: number, dv: number, brake: number) {
  const inputs = await loadRunInputs('bench/search-cut-in.yaml', { params: { gap, dv, brake }, objectives: { search: 'min(distance, cutter)' }, dressing: false });
  const summary = await runScenario({ scenario: inputs.scenario, rig: { ...inputs.rig, sensors: [] }, seed: inputs.seed, duration: inputs.duration, sinks: [], threads: 1 });
  return { objective: summary.criticality.objectives?.search, collided: summary.events.some((e) => e.type === 'collision') };
}

describe('search benchmark cut-in', () => {
  it('collides where the closed form says, and misses by its least gap elsewhere', async () => {
    // (gap, dv, brake): least gap by hand.
    const cases: [number, number, number, number][] = [
      [40, 6, 6, 40 - 9 - 3], // 28
      [25, 8, 4, 25 - 12 - 8], // 5
      [22, 10, 3, 22 - 15 - 100 / 6], // −9.67
      [30, 11, 8, 30 - 16.5 - 121 / 16], // 5.94
      [24, 11, 6, 24 - 16.5 - 121 / 12], // −2.58
    ];
    for (const [gap, dv, brake, least] of cases) {
      const run = await cutIn(gap, dv, brake);
      expect(run.collided, `${gap} ${dv} ${brake}`).toBe(least < 0);
      if (least > 0) expect(Math.abs(run.objective! - least), `${gap} ${dv} ${brake}`).toBeLessThan(0.3);
      else expect(run.objective).toBe(0);
    }
  });
});
