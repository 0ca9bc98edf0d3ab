import { describe, expect, it } from 'vitest';
import { loadScenario } from '../../src/scenario/loadScenario.js';
import { Simulation } from '../../src/sim/Simulation.js';

function outcome(file: string, params?: Record<string, string | number>) {
  const scenario = loadScenario(file, { params });
  const sim = new Simulation(scenario);
  const events = [];
  let state = sim.state();
  while (!sim.finished && state.t_ns < scenario.duration * 1e9) {
    state = sim.step();
    events.push(...state.events);
  }
  return { outcome: sim.outcome, events, state };
}

describe('sample scenarios end with their expected outcome', () => {
  const expected: [string, string, RegExp][] = [
    ['scenarios/cut-in.yaml', 'success', /no collision/],
    ['scenarios/lead-vehicle-hard-brake.yaml', 'success', /stopped behind/],
    ['scenarios/highway-merge.yaml', 'success', /merged/],
    ['scenarios/pedestrian-behind-van.yaml', 'success', /no collision/],
    ['scenarios/child-ball.yaml', 'success', /no collision/],
    ['scenarios/unprotected-left-turn.yaml', 'success', /turned left/],
  ];
  for (const [file, result, reason] of expected) {
    it(file, () => {
      const { outcome: o, events } = outcome(file);
      const summary = events.filter((e) => e.type !== 'storyboard').map((e) => `${(e.t_ns / 1e9).toFixed(2)} ${e.type} ${'element' in e ? e.element : ''}${'actors' in e ? e.actors.join('+') : ''}`);
      expect({ result: o?.result, reason: o?.reason, summary }).toMatchObject({ result, reason: expect.stringMatching(reason) });
    });
  }

  it('a --param override reaches the storyboard (the lead brakes at the given rate)', () => {
    const scenario = loadScenario('scenarios/lead-vehicle-hard-brake.yaml', { params: { brakeDecel: '9', gap: 30 } });
    expect(scenario.parameterValues).toMatchObject({ brakeDecel: 9, gap: 30 });
    const sim = new Simulation(scenario);
    let state = sim.state();
    for (let i = 0; i < 600; i++) state = sim.step();
    const lead = state.actors.find((a) => a.id === 'lead')!;
    const ego = state.actors.find((a) => a.id === 'ego')!;
    expect(lead.speed).toBeCloseTo(25 - 9 * 1, 6);
    expect(lead.accel).toBeCloseTo(-9, 6);
    expect(ego.speed).toBeLessThan(25);
    expect(() => loadScenario('scenarios/lead-vehicle-hard-brake.yaml', { params: { brakeDecel: 50 } })).toThrow(/brakeDecel=50 is outside the declared range \[1, 10\]/);
    expect(() => loadScenario('scenarios/lead-vehicle-hard-brake.yaml', { params: { nope: 1 } })).toThrow(/declares no parameter "nope"/);
  });
});
