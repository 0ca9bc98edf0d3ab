import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadScenario } from '../../src/scenario/loadScenario.js';
import { Simulation } from '../../src/sim/Simulation.js';
import type { SimEvent } from '../../src/sim/events.js';
import { userError } from '../helpers.js';

// OpenSCENARIO ParameterAction / VariableAction and ParameterCondition / VariableCondition:
// values change at run time in the storyboard; conditions read the value in force. Times are
// derived by hand from the 0.01 s step and the order in which the storyboard evaluates events.

const dir = mkdtempSync(join(tmpdir(), 'osc-parameters-'));
const CAR = `<ScenarioObject name="Ego"><Vehicle name="Ego" vehicleCategory="car"><BoundingBox><Center x="1.4" y="0" z="0.75"/><Dimensions width="2" length="4.5" height="1.5"/></BoundingBox>
  <Performance maxSpeed="70" maxAcceleration="10" maxDeceleration="10"/><Axles><FrontAxle maxSteering="0.5" wheelDiameter="0.6" trackWidth="1.8" positionX="2.8" positionZ="0.3"/>
  <RearAxle maxSteering="0" wheelDiameter="0.6" trackWidth="1.8" positionX="0" positionZ="0.3"/></Axles><Properties/></Vehicle></ScenarioObject>`;

const time = (t: number) => `<ByValueCondition><SimulationTimeCondition value="${t}" rule="greaterThan"/></ByValueCondition>`;
const when = (by: string, edge = 'rising') => `<StartTrigger><ConditionGroup><Condition name="c" delay="0" conditionEdge="${edge}">${by}</Condition></ConditionGroup></StartTrigger>`;
const event = (name: string, action: string, by: string, edge?: string) => `<Event name="${name}" priority="parallel"><Action name="${name}"><GlobalAction>${action}</GlobalAction></Action>${when(by, edge)}</Event>`;
const param = (ref: string, inner: string) => `<ParameterAction parameterRef="${ref}">${inner}</ParameterAction>`;
const variable = (ref: string, inner: string) => `<VariableAction variableRef="${ref}">${inner}</VariableAction>`;
const cond = (ref: string, value: string, rule: string) => `<ByValueCondition><ParameterCondition parameterRef="${ref}" value="${value}" rule="${rule}"/></ByValueCondition>`;
const vcond = (ref: string, value: string, rule: string) => `<ByValueCondition><VariableCondition variableRef="${ref}" value="${value}" rule="${rule}"/></ByValueCondition>`;

function xosc(name: string, decls: string, events: string, variables = ''): string {
  const file = join(dir, name);
  writeFileSync(file, `<?xml version="1.0"?><OpenSCENARIO><FileHeader revMajor="1" revMinor="2" date="2026-01-01T00:00:00" description="${name}" author="roadcast tests"/>
<ParameterDeclarations>${decls}</ParameterDeclarations>${variables}
<RoadNetwork><LogicFile filepath="${resolve('test/fixtures/esmini/xodr/straight_500m.xodr')}"/></RoadNetwork>
<Entities>${CAR}</Entities>
<Storyboard><Init><Actions><Private entityRef="Ego"><PrivateAction><TeleportAction><Position><LanePosition roadId="1" laneId="-1" s="50" offset="0"/></Position></TeleportAction></PrivateAction></Private></Actions></Init>
<Story name="S"><Act name="A"><ManeuverGroup name="G" maximumExecutionCount="1"><Actors selectTriggeringEntities="false"/><Maneuver name="M">
${events}
</Maneuver></ManeuverGroup><StartTrigger/></Act></Story><StopTrigger/></Storyboard></OpenSCENARIO>`);
  return file;
}

/** The tick at which each event was triggered (its trigger event), for a run of `seconds`. */
function triggerTicks(file: string, seconds: number): Map<string, number> {
  const sim = new Simulation(loadScenario(file));
  const events: SimEvent[] = [];
  for (let i = 0; i < Math.round(seconds / 0.01) && !sim.finished; i++) events.push(...sim.step().events);
  return new Map(events.filter((e) => e.type === 'trigger' && e.elementType === 'event').map((e) => [(e as { element: string }).element, e.tick]));
}

const decl = (name: string, type: string, value: string) => `<ParameterDeclaration name="${name}" parameterType="${type}" value="${value}"/>`;

describe('ParameterSetAction and ParameterCondition', () => {
  it('a condition evaluated before the setting action in a pass fires on the next step; one after it in the same pass', () => {
    // "set" fires on the first tick with t > 1 s: tick 101 (rising edge, false at t = 1.00).
    // "before" is listed ahead of "set": in pass 101 it still reads 0, fires at tick 102.
    // "after" is listed behind "set": in pass 101 it reads 7 already (the value changed when
    // the action started) and fires at tick 101.
    const file = xosc('set.xosc', decl('X', 'double', '0') + decl('Dummy', 'integer', '0'), [
      event('before', param('Dummy', '<SetAction value="1"/>'), cond('X', '7', 'equalTo')),
      event('set', param('X', '<SetAction value="7"/>'), time(1)),
      event('after', param('Dummy', '<SetAction value="2"/>'), cond('X', '6.5', 'greaterThan')),
      event('never', param('Dummy', '<SetAction value="3"/>'), cond('X', '7', 'lessThan')),
    ].join('\n'));
    const ticks = triggerTicks(file, 2);
    expect(ticks.get('set')).toBe(101);
    expect(ticks.get('before')).toBe(102);
    expect(ticks.get('after')).toBe(101);
    expect(ticks.has('never')).toBe(false);
  });

  it('ParameterModifyAction adds and multiplies; VariableModifyAction likewise; strings and booleans compare equalTo', () => {
    // X: 2 → +3 at tick 101 = 5 → ×1.5 at tick 201 = 7.5; V: 10 → ×(−2) at tick 51 = −20.
    // Each condition event is listed first, so fires on the tick after its value changed.
    const file = xosc('modify.xosc', decl('X', 'double', '2') + decl('Name', 'string', 'wait') + decl('Flag', 'boolean', 'false'), [
      event('is5', param('Name', '<SetAction value="go"/>'), cond('X', '5', 'equalTo')),
      event('is7.5', param('Flag', '<SetAction value="true"/>'), cond('X', '7.5', 'equalTo')),
      event('below-19', param('X', '<ModifyAction><Rule><AddValue value="0"/></Rule></ModifyAction>'), vcond('V', '-19', 'lessThan')),
      event('go', variable('B', '<SetAction value="true"/>'), cond('Name', 'go', 'equalTo')),
      event('flag', variable('B', '<SetAction value="false"/>'), cond('Flag', 'true', 'equalTo')),
      event('b-false', param('X', '<ModifyAction><Rule><AddValue value="0"/></Rule></ModifyAction>'), vcond('B', 'false', 'equalTo'), 'rising'),
      event('add', param('X', '<ModifyAction><Rule><AddValue value="3"/></Rule></ModifyAction>'), time(1)),
      event('mul', param('X', '<ModifyAction><Rule><MultiplyByValue value="1.5"/></Rule></ModifyAction>'), time(2)),
      event('vmul', variable('V', '<ModifyAction><Rule><MultiplyByValue value="-2"/></Rule></ModifyAction>'), time(0.5)),
    ].join('\n'), '<VariableDeclarations><VariableDeclaration name="V" variableType="double" value="10"/><VariableDeclaration name="B" variableType="boolean" value="false"/></VariableDeclarations>');
    const ticks = triggerTicks(file, 3);
    expect(ticks.get('vmul')).toBe(51);
    expect(ticks.get('below-19')).toBe(52);
    expect(ticks.get('add')).toBe(101);
    expect(ticks.get('is5')).toBe(102);
    expect(ticks.get('mul')).toBe(201);
    expect(ticks.get('is7.5')).toBe(202);
    // "is5" sets Name = go at tick 102: "go" (listed after it) sees it in the same pass and
    // sets B = true. "is7.5" sets Flag = true at 202: "flag" (after it) fires in that pass and
    // sets B = false. "b-false", a rising edge of B == false, listed after both: true from the
    // start (a first evaluation is no edge), false from 102, true again from 202 → tick 202.
    expect(ticks.get('go')).toBe(102);
    expect(ticks.get('flag')).toBe(202);
    expect(ticks.get('b-false')).toBe(202);
  });

  it('a reference to an undeclared parameter, or arithmetic on a string, is an error naming its line', () => {
    const undeclared = xosc('undeclared.xosc', decl('X', 'double', '0'), event('e', param('Y', '<SetAction value="1"/>'), time(1)));
    expect(userError(() => loadScenario(undeclared)).message).toMatch(/undeclared\.xosc:\d+.*no parameter "Y" is declared \(global ParameterDeclarations: X\)|no parameter "Y" is declared/);
    expect(userError(() => loadScenario(undeclared)).where).toMatch(/undeclared\.xosc:\d+$/);
    const text = xosc('text.xosc', decl('X', 'string', 'a'), event('e', param('X', '<ModifyAction><Rule><AddValue value="1"/></Rule></ModifyAction>'), time(1)));
    expect(userError(() => loadScenario(text)).message).toMatch(/parameter "X" is of type string: only numbers can be added to or multiplied/);
    const notNumber = xosc('nan.xosc', decl('X', 'double', '1'), event('e', param('X', '<SetAction value="fast"/>'), time(1)));
    expect(userError(() => loadScenario(notNumber)).message).toMatch(/"fast" is not a number/);
  });

  it('lane_change.xosc: the ParameterAction at t > 3 s lets the ParameterCondition event fire on the next step', () => {
    // The act starts on the first tick (t > 0, risingOrFalling: false at t = 0, true at 0.01).
    // "Dummy parameter event": SimulationTime > 3, rising → first tick with t > 3: 3.01 s; it
    // sets DummyParameter (declared 2) to 11. "Lane change Target event" (DummyParameter > 10,
    // rising) is listed before it in the maneuver, so reads 2 in that pass and 11 in the next:
    // 3.02 s. "Lane change Ego event": t > 4 → 4.01 s.
    const ticks = triggerTicks('test/fixtures/esmini/xosc/lane_change.xosc', 5);
    expect(ticks.get('Dummy parameter event')).toBe(301);
    expect(ticks.get('Lane change Target event')).toBe(302);
    expect(ticks.get('Lane change Ego event')).toBe(401);
  });
});

