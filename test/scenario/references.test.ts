/**
 * References inside a scenario: relative positions (ordered, and refused when they form a
 * cycle), and positions of storyboard actions checked against the map before anything runs.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadScenario } from '../../src/scenario/loadScenario.js';
import { Simulation } from '../../src/sim/Simulation.js';
import { userError } from '../helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'roadcast-references-'));
const map = resolve('maps/straight_two_lane.xodr');
const scenarioWith = (name: string, actors: string[], storyboard = ''): string => {
  const file = join(dir, name);
  writeFileSync(file, [`name: ${name}`, `map: ${map}`, 'actors:', '  - { id: ego, kind: car, ego: true, road: "1", lane: -1, s: 30 }', ...actors.map((a) => `  - ${a}`), storyboard, ''].join('\n'));
  return file;
};

describe('relative positions', () => {
  it('refuse an actor placed relative to itself, naming its line and path', () => {
    const file = scenarioWith('self.yaml', ['{ id: a, kind: car, position: { type: relativeLane, entity: a, dLane: 0, ds: 10 } }']);
    expect(userError(() => loadScenario(file)).message).toBe(`${file}:5 ($.actors[1].position.entity): the position of "a" is relative to itself; give it a position of its own`);
  });

  it('refuse a cycle through other actors, naming the chain', () => {
    const file = scenarioWith('cycle.yaml', [
      '{ id: a, kind: car, position: { type: relativeLane, entity: b, dLane: 0, ds: 10 } }',
      '{ id: b, kind: car, position: { type: relativeLane, entity: c, dLane: 0, ds: 10 } }',
      '{ id: c, kind: car, position: { type: relativeRoad, entity: a, ds: 10, dt: 0 } }',
    ]);
    expect(userError(() => loadScenario(file)).message).toBe(`${file}:5 ($.actors[1].position.entity): relative positions form a cycle: "a" is relative to "b", which is relative to "c", which is relative to "a"; one of them needs a position of its own`);
  });

  it('refuse a reference to an actor that only spawns later', () => {
    const file = scenarioWith('later.yaml', ['{ id: a, kind: car, position: { type: relativeLane, entity: b, dLane: 0, ds: 10 } }', '{ id: b, kind: car, road: "1", lane: -1, s: 80, spawn: later }']);
    expect(userError(() => loadScenario(file)).message).toBe(`${file}:5 ($.actors[1].position.entity): the position is relative to "b", which is not in the world at the start (it spawns later)`);
  });

  it('place an actor after the one it is relative to, whatever the declaration order', () => {
    // a is declared first but placed relative to b, which is 20 m ahead of the ego (s = 30).
    const file = scenarioWith('forward.yaml', [
      '{ id: a, kind: car, position: { type: relativeLane, entity: b, dLane: 0, ds: 15 } }',
      '{ id: b, kind: car, position: { type: relativeLane, entity: ego, dLane: 0, ds: 20 } }',
    ]);
    const state = new Simulation(loadScenario(file)).state();
    const s = Object.fromEntries(state.actors.map((actor) => [actor.id, actor.s]));
    expect(s.b).toBeCloseTo(30 + 20, 6);
    expect(s.a).toBeCloseTo(30 + 20 + 15, 6);
  });
});

describe('positions in the storyboard', () => {
  it('are checked against the map: a teleport to a road the map lacks is an error with its path', () => {
    const file = scenarioWith('teleport.yaml', [], [
      'storyboard:',
      '  events:',
      '    - trigger: { type: simulationTime, value: 1, rule: greaterThan }',
      '      actions: [{ type: teleport, actor: ego, position: { type: lane, road: "9", lane: -1, s: 10 } }]',
    ].join('\n'));
    expect(userError(() => loadScenario(file)).message).toBe(`${file}:8 ($.storyboard.events[0].actions[0].position.road): the map has no road "9" (roads: 1)`);
  });
});

describe('actors placed inside one another', () => {
  it('are refused with both names, the depth and the later actor\'s line, by check as by run', () => {
    // Two cars in the same lane 2 m apart: 4.6 m long and 1.85 m wide, so the least move that
    // parts them is 1.85 m sideways (2.6 m along the lane).
    const file = scenarioWith('overlap.yaml', [
      '{ id: a, kind: car, road: "1", lane: -1, s: 60 }',
      '{ id: b, kind: car, road: "1", lane: -1, s: 62 }',
    ]);
    const scenario = loadScenario(file);
    expect(userError(() => new Simulation(scenario)).message).toMatch(new RegExp(`^${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:6 \\(\\$\\.actors\\[2\\]\\.position\\): actors "a" and "b" start inside one another \\(their boxes overlap by 1\\.85 m, at \\(60\\.0, -1\\.\\d\\) and \\(62\\.0, -1\\.\\d\\)\\); place them apart$`));
    const check = spawnSync(process.execPath, ['dist/cli/main.js', 'scenario', 'check', file], { encoding: 'utf8' });
    expect(check.status).toBe(1);
    expect(check.stderr).toContain('actors "a" and "b" start inside one another');
    // Nose to tail with 10 cm between them is a valid start.
    const apart = scenarioWith('apart.yaml', ['{ id: a, kind: car, road: "1", lane: -1, s: 60 }', '{ id: b, kind: car, road: "1", lane: -1, s: 64.7 }']);
    expect(new Simulation(loadScenario(apart)).state().actors).toHaveLength(3);
  });
});
