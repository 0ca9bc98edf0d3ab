import { describe, expect, it } from 'vitest';
import { loadScenario } from '../../src/scenario/loadScenario.js';
import { Simulation } from '../../src/sim/Simulation.js';
import type { SimEvent } from '../../src/sim/events.js';
import type { WorldState } from '../../src/sim/WorldState.js';
import { oscWriter } from './oscFile.js';

// LateralDistanceAction as esmini's LatDistanceAction plays it: the action sets the lateral
// position itself (src/sim/LateralDistance.ts). straight_500m: road 1 runs along +x from x = 0,
// lane −1 (3.07 m wide) has its centre at t = y = −1.535. The cars are 2 m wide with their
// reference point at the box centre, so road t, world y and the reported pose are the reference's.

const write = oscWriter('osc-latdist-');

const car = (name: string) => `<ScenarioObject name="${name}"><Vehicle name="${name}" vehicleCategory="car"><BoundingBox>
  <Center x="0" y="0" z="0.75"/><Dimensions width="2" length="4.5" height="1.5"/></BoundingBox><Performance maxSpeed="70" maxAcceleration="10" maxDeceleration="10"/>
  <Axles><FrontAxle maxSteering="0.5" wheelDiameter="0.6" trackWidth="1.8" positionX="2.8" positionZ="0.3"/><RearAxle maxSteering="0" wheelDiameter="0.6" trackWidth="1.8" positionX="0" positionZ="0.3"/></Axles>
  <Properties/></Vehicle></ScenarioObject>`;

const speed = (v: number) => `<PrivateAction><LongitudinalAction><SpeedAction><SpeedActionDynamics dynamicsShape="step" value="0" dynamicsDimension="time"/>
  <SpeedActionTarget><AbsoluteTargetSpeed value="${v}"/></SpeedActionTarget></SpeedAction></LongitudinalAction></PrivateAction>`;

const at = (name: string, position: string, v: number, more = '') => `<Private entityRef="${name}">
  <PrivateAction><TeleportAction><Position>${position}</Position></TeleportAction></PrivateAction>${speed(v)}${more}</Private>`;

const lane = (s: number) => `<LanePosition roadId="1" laneId="-1" s="${s}" offset="0"/>`;

const latDist = (attrs: string, constraints = '') => `<PrivateAction><LateralAction><LateralDistanceAction entityRef="Lead" ${attrs}>${constraints}</LateralDistanceAction></LateralAction></PrivateAction>`;

/** The Ego's lateral distance action as a Story event (started with the storyboard, tick 0). */
const story = (action: string, lead = '') => `<Story name="S"><Act name="A">
  <ManeuverGroup maximumExecutionCount="1" name="G"><Actors selectTriggeringEntities="false"><EntityRef entityRef="Ego"/></Actors>
  <Maneuver name="M"><Event name="Keep" priority="parallel"><Action name="KeepAction">${action}</Action></Event></Maneuver></ManeuverGroup>
  ${lead ? `<ManeuverGroup maximumExecutionCount="1" name="L"><Actors selectTriggeringEntities="false"><EntityRef entityRef="Lead"/></Actors>
  <Maneuver name="LM"><Event name="Shift" priority="parallel"><Action name="ShiftAction">${lead}</Action></Event></Maneuver></ManeuverGroup>` : ''}
  <StartTrigger/></Act></Story>`;

function run(file: string, seconds: number, step?: number): { states: WorldState[]; events: SimEvent[]; warnings: string[] } {
  const scenario = loadScenario(file);
  const sim = new Simulation(step ? { ...scenario, step } : scenario);
  const states = [sim.state()];
  for (let i = 0; i < Math.round(seconds / sim.scenario.step) && !sim.finished; i++) states.push(sim.step());
  return { states, events: states.flatMap((s) => s.events), warnings: scenario.warnings ?? [] };
}

const pose = (s: WorldState, id: string) => { const a = s.actors.find((b) => b.id === id)!; return { ...a, x: a.pose.p[0], y: a.pose.p[1] }; };
const ended = (events: SimEvent[], element: string) => events.find((e) => e.type === 'storyboard' && e.element === element && e.state === 'endTransition');

/** Ego at lane −1 s 60, Lead at lane −1 s 100, both at 10 m/s (0.1 m a step of 0.01 s). */
const scenario = (name: string, action: string, lead = '', revMinor = 1) => write(name, {
  map: 'test/fixtures/esmini/xodr/straight_500m.xodr', entities: car('Ego') + car('Lead'),
  init: at('Ego', lane(60), 10) + at('Lead', lane(100), 10), story: story(action, lead), revMinor,
});

describe('LateralDistanceAction in road coordinates', () => {
  it('without constraints: t set at once to the entity\'s t + distance + both half widths (freespace), after esmini\'s one noting step; s untouched', () => {
    const file = scenario('road-rigid.xosc', latDist('coordinateSystem="road" distance="1" freespace="true" continuous="false" displacement="leftToReferencedEntity"'));
    const { states, events } = run(file, 3);
    // The action starts at tick 0; step 1 notes the position (esmini's INIT); step 2 moves it.
    expect(pose(states[1], 'Ego').t).toBeCloseTo(-1.535, 9);
    // −1.535 + 1 + (2 + 2)/2 = 1.465.
    expect(pose(states[2], 'Ego').t).toBeCloseTo(1.465, 9);
    for (const n of [1, 2, 3, 300]) expect(pose(states[n], 'Ego').s).toBeCloseTo(60 + 0.1 * n, 6);
    expect(pose(states[2], 'Ego').heading).toBeCloseTo(0, 9);
    // Step 3 finds it within 0.01 m and ends the action; the lane follower keeps the offset.
    expect(ended(events, 'KeepAction')?.tick).toBe(3);
    expect(pose(states[300], 'Ego').t).toBeCloseTo(1.465, 6);
  });

  it('continuous: the actor keeps distance while the entity moves sideways, one step behind it (esmini steps actions before it moves anyone)', () => {
    const offset = '<LateralAction><LaneOffsetAction continuous="false"><LaneOffsetActionDynamics dynamicsShape="sinusoidal" maxLateralAcc="1"/><LaneOffsetTarget><AbsoluteTargetLaneOffset value="1"/></LaneOffsetTarget></LaneOffsetAction></LateralAction>';
    const file = scenario('road-follow.xosc', latDist('coordinateSystem="road" distance="3.5" freespace="false" continuous="true" displacement="leftToReferencedEntity"'), `<PrivateAction>${offset}</PrivateAction>`);
    const { states } = run(file, 5);
    const lead = (n: number) => pose(states[n], 'Lead').t;
    expect(lead(500) - lead(0)).toBeGreaterThan(0.9);
    for (let n = 2; n <= 500; n++) expect(pose(states[n], 'Ego').t).toBeCloseTo(lead(n - 1) + 3.5, 9);
  });

  it('rightToReferencedEntity, and an entity facing against s: the distance is to the entity\'s own right', () => {
    // The Lead faces −s on lane −1 (heading π): its right is +t, so the Ego is put at −1.535 + 2.
    const file = write('road-against.xosc', {
      map: 'test/fixtures/esmini/xodr/straight_500m.xodr', entities: car('Ego') + car('Lead'),
      init: at('Ego', lane(60), 10) + at('Lead', `<LanePosition roadId="1" laneId="-1" s="100" offset="0"><Orientation type="relative" h="3.141592653589793"/></LanePosition>`, 0),
      story: story(latDist('coordinateSystem="road" distance="2" freespace="false" continuous="true" displacement="rightToReferencedEntity"')),
    });
    const { states } = run(file, 0.05);
    expect(pose(states[5], 'Ego').t).toBeCloseTo(0.465, 9);
  });

  it('with DynamicConstraints: esmini\'s critically damped spring in t, k = 0.4·maxAcceleration, a and v_lat within their limits', () => {
    const file = scenario('road-spring.xosc', latDist('coordinateSystem="road" distance="3" freespace="false" continuous="false" displacement="leftToReferencedEntity"', '<DynamicConstraints maxAcceleration="2" maxSpeed="0.2"/>'));
    const { states, events } = run(file, 25);
    const t = (n: number) => pose(states[n], 'Ego').t;
    const s = (n: number) => pose(states[n], 'Ego').s;
    // Step 1 notes; step 2: e = 3 m, a = min(0.8·3, 2) = 2, v_lat = 0.02 m/s, Δt = 0.0002 m.
    expect(t(1)).toBeCloseTo(-1.535, 9);
    expect(t(2) - t(1)).toBeCloseTo(0.0002, 9);
    // Step 3: e = 2.9998, a = 0.8·2.9998 − 2·√0.8·0.02 = 2.364 → 2, v_lat = 0.04, Δt = 0.0004.
    expect(t(3) - t(2)).toBeCloseTo(0.0004, 9);
    // a stays 2 (0.8·e − 2√0.8·v_lat > 2 while v_lat ≤ 0.2 and e > 2.9), so v_lat reaches its cap
    // min(maxSpeed, v) − 10⁻⁶ on step 12 and keeps it while the spring pulls (e > 2√0.8·0.2/0.8 = 0.447 m);
    // the rest of the 0.1 m step runs along s.
    const capped = (0.2 - 1e-6) * 0.01;
    expect(t(81) - t(80)).toBeCloseTo(capped, 9);
    expect(s(81) - s(80)).toBeCloseTo(Math.sqrt(0.1 ** 2 - capped ** 2), 9);
    let fastest = 0;
    for (let n = 1; n < states.length; n++) fastest = Math.max(fastest, Math.abs(t(n) - t(n - 1)) / 0.01);
    expect(fastest).toBeLessThanOrEqual(0.2);
    // It ends once within 0.01 m of t = −1.535 + 3 = 1.465 and the lane follower keeps it there.
    const end = ended(events, 'KeepAction')!;
    expect(end).toBeDefined();
    expect(Math.abs(t(end.tick) - 1.465)).toBeLessThan(0.011);
    expect(Math.abs(t(states.length - 1) - 1.465)).toBeLessThan(0.011);
  });

  it('with maxSpeed only: t moves at min(maxSpeed, v) − 10⁻⁶ and lands on the target on the step that would pass it', () => {
    const file = scenario('road-speed.xosc', latDist('coordinateSystem="road" distance="3" freespace="false" continuous="false" displacement="leftToReferencedEntity"', '<DynamicConstraints maxSpeed="1"/>'));
    const { states, events } = run(file, 3.1);
    const t = (n: number) => pose(states[n], 'Ego').t;
    const v = (1 - 1e-6) * 0.01;
    // Step 1 notes; steps 2 … 301 move 0.00999999 m each (300 of them: 2.999997 m of the 3 m).
    expect(t(2) - t(1)).toBeCloseTo(v, 9);
    expect(t(301)).toBeCloseTo(-1.535 + 300 * v, 9);
    // Step 302 would pass the target by almost a step: it moves the 0.000003 m left and ends.
    expect(t(302)).toBeCloseTo(1.465, 9);
    expect(ended(events, 'KeepAction')?.tick).toBe(302);
  });

  it('OpenSCENARIO 1.0 has no displacement: esmini reads a positive road distance to the right and ignores freespace', () => {
    const file = scenario('road-1-0.xosc', latDist('coordinateSystem="road" distance="1" freespace="true" continuous="true" displacement="leftToReferencedEntity"'), '', 0);
    const { states, warnings } = run(file, 0.05);
    expect(pose(states[5], 'Ego').t).toBeCloseTo(-2.535, 9);
    expect(warnings.some((w) => /road-1-0\.xosc:\d+: <LateralDistanceAction> displacement is not in OpenSCENARIO 1\.0/.test(w))).toBe(true);
  });
});

describe('LateralDistanceAction in entity coordinates (the default)', () => {
  it('without maxAcceleration: onto the line beside the entity at the foot of the perpendicular, then along it', () => {
    const file = scenario('entity-rigid.xosc', latDist('distance="1" freespace="false" continuous="true" displacement="rightToReferencedEntity"', '<DynamicConstraints maxSpeed="2" maxLateralAcc="2"/>'));
    const { states, warnings } = run(file, 1);
    // The line: y = −1.535 − 1. The foot is 1 m away, more than the 0.1 m step: the step ends on it (no move along).
    expect(pose(states[1], 'Ego').y).toBeCloseTo(-2.535, 9);
    expect(pose(states[1], 'Ego').x).toBeCloseTo(60, 9);
    // From there 0.1 m a step along it.
    expect(pose(states[2], 'Ego').x).toBeCloseTo(60.1, 9);
    expect(pose(states[100], 'Ego').x).toBeCloseTo(69.9, 9);
    expect(pose(states[100], 'Ego').y).toBeCloseTo(-2.535, 9);
    // maxLateralAcc is no DynamicConstraints attribute: named with its line, ignored (as esmini).
    expect(warnings.some((w) => /entity-rigid\.xosc:\d+: <DynamicConstraints> maxLateralAcc is not an attribute/.test(w))).toBe(true);
  });

  it('with maxAcceleration: turns onto the line and along it, where esmini\'s lat_dist_entity_basic puts its four cars', () => {
    // esmini's unit test (ScenarioEngine_test.cpp LatDistAction.EntityCoordinates): a standing
    // car at lane −1 s 100 (y = −1.535); four cars at 5 m/s keeping 1 m free space to its left,
    // maxAcceleration 5, step 0.1 s, starting at (115, −9) heading π/2, (135, −9) π/4,
    // (149, −5) −π/4 and (177, −1.5) π/2.
    const act = '<PrivateAction><LateralAction><LateralDistanceAction entityRef="Ego" continuous="true" coordinateSystem="entity" freespace="true" distance="1" displacement="leftToReferencedEntity"><DynamicConstraints maxAcceleration="5"/></LateralDistanceAction></LateralAction></PrivateAction>';
    const w = (x: number, y: number, h: number) => `<WorldPosition x="${x}" y="${y}" h="${h}"/>`;
    const file = write('entity-turn.xosc', {
      map: 'test/fixtures/esmini/xodr/straight_500m.xodr', entities: ['Ego', 'T1', 'T2', 'T3', 'T4'].map(car).join(''),
      init: at('Ego', lane(100), 0) + at('T1', w(115, -9, Math.PI / 2), 5, act) + at('T2', w(135, -9, Math.PI / 4), 5, act)
        + at('T3', w(149, -5, -Math.PI / 4), 5, act) + at('T4', w(177, -1.5, Math.PI / 2), 5, act),
    });
    const { states } = run(file, 5, 0.1);
    // R = max(0.5, 1.5·5²/5) = 7.5 m; the heading turns at most 1.5·0.5/7.5 = 0.1 rad a step.
    for (let n = 1; n <= 50; n++) expect(Math.abs(pose(states[n], 'T1').heading - pose(states[n - 1], 'T1').heading)).toBeLessThanOrEqual(0.1 + 1e-12);
    // Each heads for the line y = −1.535 + 1 + (2 + 2)/2 = 1.465 and turns along it (heading 0).
    for (const id of ['T1', 'T2', 'T3', 'T4']) {
      expect(Math.abs(pose(states[50], id).y - 1.465)).toBeLessThan(0.02);
      expect(Math.abs(pose(states[50], id).heading)).toBeLessThan(0.005);
    }
    // esmini's poses at 1 s and 5 s (its heading 6.2821 is −0.0011).
    const esmini: [string, number, number, number, number][] = [
      ['T1', 10, 115.0718, -4.0023, 1.4850], ['T1', 50, 132.3449, 1.4591, 0.0011],
      ['T2', 10, 136.3312, -4.3221, 1.5141], ['T2', 50, 153.3136, 1.4587, 0.0012],
      ['T3', 10, 153.6639, -6.1186, 0.2146], ['T3', 50, 170.3916, 1.4508, 0.0046],
      ['T4', 10, 179.5069, 2.5889, 0.5707], ['T4', 50, 199.1407, 1.4706, -0.0011],
    ];
    for (const [id, n, x, y, h] of esmini) {
      const p = pose(states[n], id);
      expect(Math.abs(p.x - x)).toBeLessThan(2e-4);
      expect(Math.abs(p.y - y)).toBeLessThan(2e-4);
      expect(Math.abs(p.heading - h)).toBeLessThan(2e-4);
    }
  });
});
