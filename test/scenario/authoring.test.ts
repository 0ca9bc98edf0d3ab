import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { scenarioSchema } from '../../src/scenario/definition.js';
import { evaluate, substitute } from '../../src/scenario/expressions.js';
import { loadScenario, loadScenarioFile } from '../../src/scenario/loadScenario.js';
import { gridVariants, parseGrid, sampleVariants } from '../../src/scenario/parameters.js';
import { Random } from '../../src/core/Random.js';
import { Simulation } from '../../src/sim/Simulation.js';

const dir = mkdtempSync(join(tmpdir(), 'roadcast-authoring-'));
const map = resolve('maps/straight_two_lane.xodr');
const write = (name: string, text: string): string => {
  const file = join(dir, name);
  writeFileSync(file, text);
  return file;
};
const message = (f: () => unknown): string => {
  try {
    f();
  } catch (error) {
    return (error as Error).message;
  }
  return 'no error';
};

describe('YAML/JSON against the one schema', () => {
  const head = `name: x\nmap: ${map}\nactors:\n  - { id: ego, kind: car, ego: true, road: "1", lane: -1, s: 10 }\n`;

  it('names file, line and JSON path of a bad condition, action or controller', () => {
    const bad = write('bad-rule.yaml', `${head}storyboard:\n  events:\n    - name: e\n      trigger: { type: speed, entity: ego, value: 3, rule: bigger }\n      actions: [{ type: stop, actor: ego }]\n`);
    expect(message(() => loadScenario(bad))).toBe(`${bad}:8 ($.storyboard.events[0].trigger.rule): expected one of greaterThan, lessThan, equalTo, greaterOrEqual, lessOrEqual, notEqualTo, got "bigger"`);
    const unknown = write('bad-action.yaml', `${head}storyboard:\n  events:\n    - trigger: { type: simulationTime, value: 1, rule: greaterThan }\n      actions:\n        - { type: fly, actor: ego }\n`);
    expect(message(() => loadScenario(unknown))).toMatch(/bad-action\.yaml:9 \(\$\.storyboard\.events\[0\]\.actions\[0\]\.type\): expected "type" to be one of speed, laneChange, .*, got string "fly"/);
    const who = write('bad-actor.yaml', `${head}storyboard:\n  events:\n    - trigger: { type: simulationTime, value: 1, rule: greaterThan }\n      actions: [{ type: stop, actor: nobody }]\n`);
    expect(message(() => loadScenario(who))).toMatch(/bad-actor\.yaml:\d+ \(\$\.storyboard\.events\[0\]\.actions\[0\]\.actor\): no actor "nobody" \(actors: ego\)/);
    const ctrl = write('bad-ctrl.yaml', `name: x\nmap: ${map}\nactors:\n  - id: ego\n    kind: car\n    ego: true\n    road: "1"\n    lane: -1\n    s: 10\n    controllers:\n      - { type: idm, timeHeadway: soon }\n`);
    expect(message(() => loadScenario(ctrl))).toBe(`${ctrl}:11 ($.actors[0].controllers[0].timeHeadway): expected a number, got string "soon"`);
    const param = write('bad-param.yaml', `name: x\nmap: ${map}\nactors:\n  - { id: ego, kind: car, ego: true, road: "1", lane: -1, s: $start }\n`);
    expect(message(() => loadScenario(param))).toMatch(/bad-param\.yaml:4 \(\$\.actors\[0\]\.s\): unknown parameter "\$start"/);
  });

  it('JSON goes through the same schema', () => {
    const file = write('x.json', JSON.stringify({ name: 'x', map, actors: [{ id: 'ego', kind: 'car', ego: true, position: { type: 'lane', road: '1', lane: -1, s: 5 }, speed: 'x' }] }, null, 1));
    expect(message(() => loadScenario(file))).toMatch(/x\.json:\d+ \(\$\.actors\[0\]\.speed\): expected a number, got string "x"/);
  });

  it('publishes the schema as JSON Schema with every actor kind', () => {
    const schema = scenarioSchema() as { properties: { actors: { items: { properties: { kind: { enum: string[] } } } } } };
    expect(schema.properties.actors.items.properties.kind.enum).toContain('truck');
    expect(JSON.parse(JSON.stringify(scenarioSchema()))).toBeTruthy();
  });
});

describe('parameters', () => {
  it('evaluates $name and ${expr} as OpenSCENARIO does, without eval', () => {
    const p = new Map<string, number | string>([['EgoSpeed', 108], ['HeadwayTime_Brake', 0.7]]);
    expect(substitute('${$EgoSpeed / 3.6}', p)).toBeCloseTo(30, 12);
    expect(substitute('${BrakeCondition_HWT + _ + $HeadwayTime_Brake}', p)).toBe('BrakeCondition_HWT_0.7');
    expect(evaluate('2 ** 3 * (1 + 1) - -1', p)).toBe(17);
    expect(() => evaluate('process.exit()', p)).toThrow();
  });

  it('expands grids and draws seeded samples from the declared distributions', () => {
    expect(parseGrid('v=10:20:5')).toEqual({ name: 'v', values: [10, 15, 20] });
    expect(gridVariants([parseGrid('a=1,2'), parseGrid('b=x,y')])).toEqual([{ a: 1, b: 'x' }, { a: 1, b: 'y' }, { a: 2, b: 'x' }, { a: 2, b: 'y' }]);
    const specs = loadScenario('scenarios/cut-in.yaml').parameters;
    const a = sampleVariants(specs, 50, new Random(7));
    expect(sampleVariants(specs, 50, new Random(7))).toEqual(a);
    for (const v of a) {
      expect(v.egoSpeed).toBeGreaterThanOrEqual(20);
      expect(v.egoSpeed).toBeLessThanOrEqual(30);
      expect(v.cutInHeadway).toBeGreaterThanOrEqual(0.3);
      expect(v.cutInHeadway).toBeLessThanOrEqual(1.5);
      expect([3, 5, 8]).toContain(v.speedDelta);
    }
  });
});

describe('TypeScript scenarios', () => {
  it('export default scenario({...}) builds the same kind of Scenario as the YAML', async () => {
    const ts = await loadScenarioFile('scenarios/cut-in.ts', { params: { egoSpeed: 22 } });
    const yaml = loadScenario('scenarios/cut-in.yaml', { params: { egoSpeed: 22 } });
    expect(ts.actors.map((a) => [a.id, a.kind, a.speed])).toEqual([['ego', 'car', 22], ['cutter', 'car', 27]]);
    expect(yaml.actors.map((a) => [a.id, a.kind, a.speed])).toEqual([['ego', 'car', 22], ['cutter', 'car', 27]]);
    const run = (s: typeof ts) => {
      const sim = new Simulation(s);
      let state = sim.state();
      while (!sim.finished && state.tick < 2000) state = sim.step();
      return { outcome: sim.outcome?.result, lc: state.actors.find((a) => a.id === 'cutter')!.lane };
    };
    expect(run(ts)).toEqual(run(yaml));
  });
});
