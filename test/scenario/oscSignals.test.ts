// OpenSCENARIO traffic signals: the RoadNetwork's TrafficSignalController phases, the
// TrafficSignalController and TrafficSignalState actions and the two signal conditions, on a
// straight road whose light L1 (red, amber, green lamps) stands at s = 300.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadScenario } from '../../src/scenario/loadScenario.js';
import { Simulation } from '../../src/sim/Simulation.js';
import type { SimEvent } from '../../src/sim/events.js';
import { userError } from '../helpers.js';
import { signalledRoadFile } from '../sim/fixtures.js';

const dir = mkdtempSync(join(tmpdir(), 'osc-signals-'));
const map = signalledRoadFile();

const CAR = `<ScenarioObject name="Ego"><Vehicle name="car" vehicleCategory="car"><BoundingBox><Center x="0" y="0" z="0.75"/><Dimensions width="2" length="4.5" height="1.5"/></BoundingBox>
<Performance maxSpeed="70" maxAcceleration="10" maxDeceleration="10"/><Axles><FrontAxle maxSteering="0.5" wheelDiameter="0.6" trackWidth="1.8" positionX="2.8" positionZ="0.3"/><RearAxle maxSteering="0" wheelDiameter="0.6" trackWidth="1.8" positionX="0" positionZ="0.3"/></Axles><Properties/></Vehicle></ScenarioObject>`;
const INIT = `<Private entityRef="Ego"><PrivateAction><TeleportAction><Position><LanePosition roadId="1" laneId="-1" s="20" offset="0"/></Position></TeleportAction></PrivateAction></Private>`;
// Phases: stop 10 s (red), go 15 s (green), caution 3 s (amber): a 28 s cycle from t = 0 (+ delay).
const CONTROLLER = (delay = '') => `<TrafficSignals><TrafficSignalController name="ctrl"${delay}>
  <Phase name="stop" duration="10"><TrafficSignalState trafficSignalId="L1" state="on;off;off"/></Phase>
  <Phase name="go" duration="15"><TrafficSignalState trafficSignalId="L1" state="off;off;on"/></Phase>
  <Phase name="caution" duration="3"><TrafficSignalState trafficSignalId="L1" state="off;on;off"/></Phase>
</TrafficSignalController></TrafficSignals>`;
const event = (name: string, condition: string, action: string) => `<Event name="${name}" priority="parallel" maximumExecutionCount="1">
  <Action name="${name}Action">${action}</Action>
  <StartTrigger><ConditionGroup><Condition name="${name}Cond" delay="0" conditionEdge="none">${condition}</Condition></ConditionGroup></StartTrigger></Event>`;
const atTime = (t: number) => `<ByValueCondition><SimulationTimeCondition value="${t}" rule="greaterOrEqual"/></ByValueCondition>`;
const setVariable = (value: number) => `<GlobalAction><VariableAction variableRef="marker"><SetAction value="${value}"/></VariableAction></GlobalAction>`;

function xosc(name: string, roadNetwork: string, events: string): string {
  const file = join(dir, name);
  writeFileSync(file, `<?xml version="1.0" encoding="UTF-8"?>
<OpenSCENARIO><FileHeader revMajor="1" revMinor="2" date="2026-01-01T00:00:00" description="${name}" author="roadcast tests"/>
<VariableDeclarations><VariableDeclaration name="marker" variableType="double" value="0"/></VariableDeclarations>
<RoadNetwork><LogicFile filepath="${map}"/>${roadNetwork}</RoadNetwork>
<Entities>${CAR}</Entities>
<Storyboard><Init><Actions>${INIT}</Actions></Init>
<Story name="S"><Act name="A"><ManeuverGroup name="G" maximumExecutionCount="1"><Actors selectTriggeringEntities="false"><EntityRef entityRef="Ego"/></Actors>
<Maneuver name="M">${events}</Maneuver></ManeuverGroup><StartTrigger/></Act></Story>
<StopTrigger/></Storyboard></OpenSCENARIO>`);
  return file;
}

function run(file: string, seconds: number): { sim: Simulation; events: SimEvent[]; light: (t: number) => string | undefined } {
  const sim = new Simulation(loadScenario(file), 1);
  const events: SimEvent[] = [];
  const seen: { t: number; state: string | undefined }[] = [];
  for (let i = 0; i < seconds / sim.scenario.step; i++) {
    events.push(...sim.step().events);
    seen.push({ t: sim.time, state: sim.trafficSignals.stateAt('L1', sim.time) });
  }
  return { sim, events, light: (t) => seen.find((x) => Math.abs(x.t - t) < 1e-6)?.state };
}

const startOf = (events: SimEvent[], name: string) => events.find((e) => e.type === 'storyboard' && e.element === name && e.state === 'startTransition')?.t_ns;

describe('OpenSCENARIO traffic signals', () => {
  it('plays a TrafficSignalController\'s phases from a delay, and the signal conditions fire on the states they name', () => {
    // delay 10: t = 0-10 is the end of the previous cycle (go until 7, caution 7-10), then stop
    // 10-20, go 20-35, caution 35-38. The conditions fire on their rising edges.
    const rising = (condition: string) => condition.replace('conditionEdge="none"', 'conditionEdge="rising"');
    const file = xosc('phases.xosc', CONTROLLER(' delay="10"'), rising(event('OnGreen', `<ByValueCondition><TrafficSignalCondition name="L1" state="off;off;on"/></ByValueCondition>`, setVariable(1)))
      + rising(event('OnCaution', `<ByValueCondition><TrafficSignalControllerCondition trafficSignalControllerRef="ctrl" phase="caution"/></ByValueCondition>`, setVariable(2))));
    const { events, light } = run(file, 40);
    expect([light(5), light(7), light(9.99), light(10), light(19.99), light(20), light(34.99), light(35), light(38)]).toEqual(['green', 'amber', 'amber', 'red', 'red', 'green', 'green', 'amber', 'red']);
    expect(startOf(events, 'OnCaution')! / 1e9).toBeCloseTo(7, 9);
    expect(startOf(events, 'OnGreen')! / 1e9).toBeCloseTo(20, 9);
  });

  it('starts a phase with TrafficSignalControllerAction and holds a state with TrafficSignalStateAction', () => {
    const file = xosc('actions.xosc', CONTROLLER(), event('Go', atTime(3), `<GlobalAction><InfrastructureAction><TrafficSignalAction><TrafficSignalControllerAction trafficSignalControllerRef="ctrl" phase="go"/></TrafficSignalAction></InfrastructureAction></GlobalAction>`)
      + event('Hold', atTime(20), `<GlobalAction><InfrastructureAction><TrafficSignalAction><TrafficSignalStateAction name="L1" state="off;on;off"/></TrafficSignalAction></InfrastructureAction></GlobalAction>`));
    const { light } = run(file, 60);
    // Red 0-3, then "go" from 3 s: green until 18, amber 18-21, red 21-31... but held amber from 20 s on.
    expect([light(2.99), light(3.01), light(17.99), light(18.01), light(19.99), light(20.01), light(40), light(59)]).toEqual(['red', 'green', 'green', 'amber', 'amber', 'amber', 'amber', 'amber']);
  });

  it('names the line of a signal the map lacks, and of an unknown controller', () => {
    const bad = xosc('bad.xosc', '', event('X', atTime(1), `<GlobalAction><InfrastructureAction><TrafficSignalAction><TrafficSignalStateAction name="nope" state="red"/></TrafficSignalAction></InfrastructureAction></GlobalAction>`));
    expect(userError(() => loadScenario(bad)).message).toMatch(/name="nope": the map has no dynamic signal with that id/);
    expect(userError(() => loadScenario(bad)).message).toMatch(/bad\.xosc:\d+/);
    const badRef = xosc('badref.xosc', '', event('Y', `<ByValueCondition><TrafficSignalControllerCondition trafficSignalControllerRef="ghost" phase="go"/></ByValueCondition>`, setVariable(1)));
    expect(userError(() => loadScenario(badRef)).message).toMatch(/trafficSignalControllerRef="ghost" names no TrafficSignalController/);
  });
});
