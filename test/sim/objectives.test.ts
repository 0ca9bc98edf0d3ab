// Objectives: named monitors whose end-of-run margin is a robustness value (the margin by
// which the run stayed clear of the threshold, negative once crossed), checked against the
// analytic run of a car closing on a slower lead at constant speeds; and refused with the
// scenario path when they name an unknown metric or actor.
import { describe, expect, it } from 'vitest';
import { parseObjective } from '../../src/scenario/objectives.js';
import { Simulation } from '../../src/sim/Simulation.js';
import { makeScenario } from './fixtures.js';

const actors = [
  { id: 'ego', kind: 'car', ego: true, road: '1', lane: -1, s: 10, speed: 20 },
  { id: 'lead', kind: 'car', road: '1', lane: -1, s: 70, speed: 10 },
  { id: 'far', kind: 'car', road: '1', lane: -1, s: 400, speed: 20 },
] as const;

describe('objectives', () => {
  it('are margins of the run\'s extremes: min(distance) − 2, min(ttc, lead), min(thw), max(speed), collision', () => {
    const scenario = makeScenario({
      actors: actors.map((a) => ({ ...a })),
      objectives: { clearance: 'min(distance) - 2', near: 'min(ttc, lead)', far_ttc: 'min(ttc, far)', thw: 'min(thw)', fastest: 'max(speed) + 0.5', crash: 'collision' },
    });
    const sim = new Simulation(scenario, 1);
    for (let i = 0; i < 200; i++) sim.step();
    const state = sim.state();
    const ego = state.actors.find((a) => a.id === 'ego')!, lead = state.actors.find((a) => a.id === 'lead')!;
    // By hand: constant speeds, so the bumper gap shrinks by 10 m/s and is least at the end (t = 2 s).
    const centre = (a: typeof ego) => a.s + (a.box.center?.[0] ?? 0);
    const gap = centre(lead) - lead.box.length / 2 - (centre(ego) + ego.box.length / 2);
    const gap0 = 60 + (lead.box.center?.[0] ?? 0) - (ego.box.center?.[0] ?? 0) - (lead.box.length + ego.box.length) / 2;
    expect(gap).toBeCloseTo(gap0 - 20, 6);
    const o = sim.criticality.result([]).objectives!;
    expect(o.clearance).toBeCloseTo(gap - 2, 6);
    expect(o.crash).toBeCloseTo(gap, 6);
    expect(o.near).toBeCloseTo(gap / 10, 6);
    // The car ahead at the same speed never closes: its TTC stays infinite.
    expect(o.far_ttc).toBe(Infinity);
    // Time headway to the lead: gap over the ego's 20 m/s.
    expect(o.thw).toBeCloseTo(gap / 20, 6);
    expect(o.fastest).toBeCloseTo(20.5, 9);
  });

  it('are refused naming the objective when the metric, the actor or the form is wrong', () => {
    const ids = ['ego', 'lead'];
    expect(parseObjective('x', 'min(ttx)', ids)).toMatch(/unknown metric "ttx" \(metrics: ttc, distance/);
    expect(parseObjective('x', 'min(ttc, cutter)', ids)).toMatch(/no actor "cutter" in the scenario \(actors: ego, lead\)/);
    expect(parseObjective('x', 'max(speed, lead)', ids)).toMatch(/"speed" is the ego's own; it takes no actor/);
    expect(parseObjective('x', 'min ttc', ids)).toMatch(/is not an objective: expected min\(<metric>\)/);
    expect(parseObjective('x', 'avg(ttc)', ids)).toMatch(/is not an objective/);
    expect(parseObjective('x', 'min(ttc) * 2', ids)).toMatch(/is not an objective/);
    expect(parseObjective('x', ' MIN( dce , lead ) + 1e-1 ', ids)).toEqual({ name: 'x', text: ' MIN( dce , lead ) + 1e-1 ', aggregate: 'min', metric: 'dce', actor: 'lead', offset: 0.1 });
    expect(() => makeScenario({ actors: actors.map((a) => ({ ...a })), objectives: { near: 'min(ttc, cutter)' } })).toThrow(/objectives\.near.*no actor "cutter"/);
  });
});
