// `signals:` in a YAML scenario: timing of the fixed-time plans, offsets, a controller with
// phases of its own, and the signalState / signalPhase actions and conditions.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadScenario } from '../../src/scenario/loadScenario.js';
import { Simulation } from '../../src/sim/Simulation.js';
import { userError } from '../helpers.js';
import { signalledRoadFile } from '../sim/fixtures.js';

const dir = mkdtempSync(join(tmpdir(), 'signals-yaml-'));
const map = signalledRoadFile();

function yaml(name: string, body: string): string {
  const file = join(dir, name);
  writeFileSync(file, `name: ${name}
map: ${map}
duration: 60
actors:
  - { id: ego, kind: car, ego: true, road: '1', lane: -1, s: 20, speed: 0 }
${body}`);
  return file;
}

function states(file: string, seconds: number, id: string): { at: (t: number) => string | undefined; sim: Simulation } {
  const sim = new Simulation(loadScenario(file), 1);
  const seen = new Map<number, string | undefined>();
  for (let i = 0; i < seconds / sim.scenario.step; i++) {
    sim.step();
    seen.set(Math.round(sim.time * 100), sim.trafficSignals.stateAt(id, sim.time));
  }
  return { sim, at: (t) => seen.get(Math.round(t * 100)) };
}

describe('signals: in YAML', () => {
  it('sets the fixed-time timing and offset of a map controller', () => {
    // Lone controller c1: cycle 2 × (10 + 4 + 1) = 30 s, 5 s into it at time 0: green to 5 s, amber 5-9, red 9-25, green 25-35.
    const { at, sim: s1 } = states(yaml('timing.yaml', 'signals: { timing: { green: 10, amber: 4, all_red: 1 }, offsets: { c1: 5 } }'), 40, 'L1');
    expect(s1.scenario.signals?.timing).toEqual({ green: 10, amber: 4, allRed: 1 });
    expect([at(4.99), at(5), at(8.99), at(9), at(24.99), at(25), at(34.99), at(35)]).toEqual(['green', 'amber', 'amber', 'red', 'red', 'green', 'green', 'amber']);
  });

  it('runs a controller of its own phases and changes state and phase from the storyboard', () => {
    const file = yaml('phases.yaml', `signals:
  controllers:
    - id: mine
      phases:
        - { name: wait, duration: 8, states: { L1: red } }
        - { name: pass, duration: 6, states: { L1: "off;off;on" } }
storyboard:
  events:
    - name: skip
      trigger: { type: simulationTime, value: 2, rule: greaterOrEqual }
      actions: [{ type: signalPhase, controller: mine, phase: pass }]
    - name: hold
      trigger: { type: signalState, signal: L1, state: green }
      actions: [{ type: signalState, signal: L1, state: amber }]
`);
    const { at, sim } = states(file, 20, 'L1');
    // Red until the skip at 2 s starts "pass" (green); in the same step the hold sees green and holds amber.
    expect(at(1.99)).toBe('red');
    expect(sim.trafficSignals.phaseAt('mine', 2)).toBe('pass');
    expect(sim.trafficSignals.phaseAt('mine', 8.5)).toBe('wait');
    expect([at(2), at(10), at(19)]).toEqual(['amber', 'amber', 'amber']);
  });

  it('names the path of a signal or controller the map lacks', () => {
    expect(userError(() => loadScenario(yaml('bad1.yaml', 'signals: { offsets: { nowhere: 1 } }'))).message).toMatch(/signals\.offsets\.nowhere.*names no junction or signal controller/);
    const bad = yaml('bad2.yaml', `storyboard:
  events:
    - trigger: { type: simulationTime, value: 1, rule: greaterOrEqual }
      actions: [{ type: signalState, signal: L9, state: red }]
`);
    expect(userError(() => loadScenario(bad)).message).toMatch(/the map has no dynamic signal "L9"/);
  });
});
