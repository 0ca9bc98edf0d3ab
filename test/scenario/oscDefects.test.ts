import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadScenario } from '../../src/scenario/loadScenario.js';
import { Simulation } from '../../src/sim/Simulation.js';
import { userError } from '../helpers.js';
import type { SimEvent } from '../../src/sim/events.js';
import type { WorldState } from '../../src/sim/WorldState.js';
import { oscWriter } from './oscFile.js';

// Defects of issue 18, each against a hand derivation from the scenario's kinematics and
// the road geometry (OpenSCENARIO 1.x semantics as esmini plays them).

const ESMINI = 'test/fixtures/esmini/xosc';

function run(file: string, seconds: number): { states: WorldState[]; events: SimEvent[] } {
  const sim = new Simulation(loadScenario(file));
  const states = [sim.state()];
  for (let i = 0; i < Math.round(seconds / sim.scenario.step) && !sim.finished; i++) states.push(sim.step());
  return { states, events: states.flatMap((s) => s.events) };
}

const actor = (s: WorldState, id: string) => s.actors.find((a) => a.id === id)!;

const dir = mkdtempSync(join(tmpdir(), 'osc-defects-'));

/** A car of OpenSCENARIO with its bounding box centre `cx` ahead of the reference point. */
const car = (name: string, cx: number) => `<ScenarioObject name="${name}"><Vehicle name="${name}" vehicleCategory="car"><BoundingBox>
  <Center x="${cx}" y="0" z="0.75"/><Dimensions width="2" length="4.5" height="1.5"/></BoundingBox><Performance maxSpeed="70" maxAcceleration="10" maxDeceleration="10"/>
  <Axles><FrontAxle maxSteering="0.5" wheelDiameter="0.6" trackWidth="1.8" positionX="2.8" positionZ="0.3"/><RearAxle maxSteering="0" wheelDiameter="0.6" trackWidth="1.8" positionX="0" positionZ="0.3"/></Axles>
  <Properties/></Vehicle></ScenarioObject>`;

/** Init actions placing an entity at a lane position with a constant speed. */
const placed = (name: string, road: string, lane: number, s: number, speed: number) => `<Private entityRef="${name}">
  <PrivateAction><TeleportAction><Position><LanePosition roadId="${road}" laneId="${lane}" s="${s}" offset="0"/></Position></TeleportAction></PrivateAction>
  <PrivateAction><LongitudinalAction><SpeedAction><SpeedActionDynamics dynamicsShape="step" value="0" dynamicsDimension="time"/>
  <SpeedActionTarget><AbsoluteTargetSpeed value="${speed}"/></SpeedActionTarget></SpeedAction></LongitudinalAction></PrivateAction></Private>`;

/** A scenario file written for a test: a map of test/fixtures, entities, Init and Story bodies. */
const write = oscWriter('osc-defects-');
const xosc = (name: string, map: string, entities: string, init: string, story = '', catalogs = ''): string =>
  write(name, { map: `test/fixtures/${map}`, entities, init, story, catalogs });

describe('defect 1: an empty <StartTrigger/> starts its element at once', () => {
  it('drive_when_close.xosc: the Act runs from t = 0 and the Target drives off when the Ego closes to 30 m', () => {
    const { states, events } = run(`${ESMINI}/drive_when_close.xosc`, 10.6);
    const actStart = events.find((e) => e.type === 'storyboard' && e.element === 'MyAct' && e.state === 'startTransition');
    expect(actStart?.tick).toBe(0);
    // Ego: reference point at s 20, to 10 m/s at 5 m/s² (2 s, 10 m), then 10 m/s; the Target's
    // stands at s = 100: 80 m apart. The gap reaches 30 m when the Ego has covered 50 m:
    // 10 m + 40 m / 10 m/s → t = 6.00 s exactly, on a tick, where "lessThan 30" is a tie
    // that rounding decides: it holds at 6.00 s or on the next tick.
    const drive = events.find((e) => e.type === 'trigger' && e.element === 'DriveEvent')!;
    expect(drive.t_ns / 1e9).toBeGreaterThanOrEqual(6 - 1e-9);
    expect(drive.t_ns / 1e9).toBeLessThanOrEqual(6.01 + 1e-9);
    const t0 = drive.t_ns / 1e9;
    // Target: 0 → 20 m/s at 5 m/s² from t0; two seconds later it does 10 m/s.
    const tick = (t: number) => Math.round(t * 100);
    expect(actor(states[tick(t0 + 2)], 'Target').speed).toBeCloseTo(10, 6);
    // The gap g0 = 80 − (10 + 10 (t0 − 2)) at t0 evolves as g0 + 2.5τ² − 10τ, back to g0 at
    // τ = 4 s (Target at 20 m/s), then grows at 10 m/s: StopEvent ("greaterThan 30") fires
    // when it passes 30 m, g0 = 30 − 10 (t0 − 6) → (t0 − 6) + 4 s later, give or take the tie.
    const stop = events.find((e) => e.type === 'trigger' && e.element === 'StopEvent')!;
    const passes = t0 + 4 + (t0 - 6);
    expect(stop.t_ns / 1e9).toBeGreaterThanOrEqual(passes - 1e-9);
    expect(stop.t_ns / 1e9).toBeLessThanOrEqual(passes + 0.01 + 1e-9);
    // By t0 + 3.99 s it has covered ½·5·3.99² m (the ramp starts on a tick, so the step is exact).
    expect(actor(states[tick(t0 + 3.99)], 'Target').s - actor(states[0], 'Target').s).toBeCloseTo(2.5 * 3.99 ** 2, 3);
  });
});

describe('a Story runs from the storyboard\'s start (it has no start trigger of its own)', () => {
  it('follow_ghost.xosc: the Act waiting on the Story\'s runningState starts at once; the Ego\'s ghost, 2.5 s ahead, ramps to 100 km/h within the car\'s 5 m/s²', () => {
    const { states, events } = run(`${ESMINI}/follow_ghost.xosc`, 3);
    const started = (element: string) => events.find((e) => e.type === 'storyboard' && e.element === element && e.state === 'startTransition');
    // The ghost's head start runs before t = 0; its storyboard events are reported at tick 0.
    expect(started('Story')?.tick).toBe(0);
    expect(started('Act')?.tick).toBe(0);
    // SpeedEvent1 fires on the first evaluation, at t = −2.5 s, and acts on the ghost (the Ego
    // has a FollowGhostController): a linear ramp 0 → 100/3.6 m/s over 2 s asks 13.9 m/s², but
    // car_white's Performance allows maxAcceleration 5 (VehicleCatalog.xosc), so, as in esmini,
    // the ghost speeds up at 5 m/s²: at t = 0, 2.5 s later, it does 12.5 m/s and is ½·5·2.5² =
    // 15.625 m ahead of the Ego, which starts from rest.
    const sim = new Simulation(loadScenario(`${ESMINI}/follow_ghost.xosc`));
    expect(sim.ghost!.actor.speed).toBeCloseTo(12.5, 9);
    // (Road s, not the lane's arc length: lane −3 lies ~8 m off e6mini's gently curving
    // reference line, so they differ by offset·curvature, under 0.02 % here.)
    expect(Math.abs(sim.ghost!.actor.s - sim.actor('Ego')!.s - 15.625)).toBeLessThan(0.01);
    expect(actor(states[0], 'Ego').speed).toBe(0);
  });
});

describe('speed actions keep within the vehicle\'s Performance, as esmini\'s do', () => {
  it('a ramp steeper than maxAcceleration/maxDeceleration takes as long as the car needs, and no target passes maxSpeed', () => {
    const limited = car('Ego', 0).replace('<Performance maxSpeed="70" maxAcceleration="10" maxDeceleration="10"/>', '<Performance maxSpeed="25" maxAcceleration="2" maxDeceleration="4"/>');
    const ramp = (name: string, speed: number, seconds: number, at: number) => `<Event name="${name}" priority="overwrite"><Action name="${name}A"><PrivateAction><LongitudinalAction><SpeedAction>
      <SpeedActionDynamics dynamicsShape="linear" value="${seconds}" dynamicsDimension="time"/><SpeedActionTarget><AbsoluteTargetSpeed value="${speed}"/></SpeedActionTarget>
      </SpeedAction></LongitudinalAction></PrivateAction></Action><StartTrigger><ConditionGroup><Condition name="${name}C" delay="0" conditionEdge="rising">
      <ByValueCondition><SimulationTimeCondition value="${at}" rule="greaterThan"/></ByValueCondition></Condition></ConditionGroup></StartTrigger></Event>`;
    const story = `<Story name="S"><Act name="A"><ManeuverGroup maximumExecutionCount="1" name="G"><Actors selectTriggeringEntities="false"><EntityRef entityRef="Ego"/></Actors>
      <Maneuver name="M">${ramp('Up', 30, 3, 0.995)}${ramp('Down', 5, 1, 15.995)}</Maneuver></ManeuverGroup><StartTrigger/></Act></Story>`;
    const file = xosc('performance.xosc', 'esmini/xodr/straight_500m.xodr', limited, placed('Ego', '1', -1, 10, 0), story);
    const { states, events } = run(file, 23);
    const fired = (name: string) => Math.round(events.find((e) => e.type === 'trigger' && e.element === name)!.t_ns / 1e7);
    const speed = (tick: number) => actor(states[tick], 'Ego').speed;
    // Up asks 30 m/s in 3 s (10 m/s²): at 2 m/s² the speed grows 0.02 m/s a tick from the tick
    // the event fired, to maxSpeed 25 after 12.5 s, and stays there (30 is never asked of it).
    const up = fired('Up');
    expect(speed(up + 300)).toBeCloseTo(6, 6);
    expect(speed(up + 1000)).toBeCloseTo(20, 6);
    expect(speed(up + 1300)).toBeCloseTo(25, 6);
    expect(speed(up + 1450)).toBeCloseTo(25, 6);
    // Down asks 5 m/s in 1 s (20 m/s²): at 4 m/s², 25 → 17 in 2 s, 5 m/s after 5 s.
    const down = fired('Down');
    expect(speed(down + 200)).toBeCloseTo(17, 6);
    // The actions end when the car has reached their speed (25 m/s capped; 5 m/s), not when their 3 s and 1 s are up.
    const ended = (name: string) => Math.round(events.find((e) => e.type === 'storyboard' && e.element === name && e.state === 'endTransition')!.t_ns / 1e7);
    expect(ended('Up') - up).toBeGreaterThanOrEqual(1250);
    expect(ended('Up') - up).toBeLessThanOrEqual(1252);
    expect(ended('Down') - down).toBeGreaterThanOrEqual(500);
    expect(ended('Down') - down).toBeLessThanOrEqual(502);
  });
});

describe('a storyboard element\'s transition is seen by a condition evaluated before it in the same step', () => {
  it('lane_change.xosc: EgoGoOffRoadEvent starts 1 s (its delay) after the Ego\'s lane change ends, then the OffroadCondition (2.5 s) fires', () => {
    const { events } = run(`${ESMINI}/lane_change.xosc`, 16);
    const at = (element: string, type: string, state?: string) =>
      events.find((e) => e.type === type && e.element === element && (state === undefined || ('state' in e && e.state === state)));
    const ended = at('Lane change Ego event', 'storyboard', 'endTransition')!;
    // The lane change: SimulationTime > 4 fires at 4.01 s, sinusoidal over 2 s.
    expect(ended.t_ns / 1e9).toBeCloseTo(6.01, 9);
    // The end comes after the conditions of that step were checked: seen on the next step
    // (6.02 s), true from then, and `delay="1"` puts the start 1 s later.
    const offroad = at('EgoGoOffRoadEvent', 'trigger')!;
    expect(offroad.t_ns / 1e9).toBeCloseTo(7.02, 9);
    // The Ego then needs to be off the road 2.5 s for EgoGoOnRoadEvent: not before 9.52 s.
    const onroad = at('EgoGoOnRoadEvent', 'trigger')!;
    expect(onroad.t_ns / 1e9).toBeGreaterThan(offroad.t_ns / 1e9 + 2.5);
  });
});

describe('defect 2: distance conditions measure between reference points, as the attributes say', () => {
  it('velodrome.xosc: TimeHeadway(Car2 → Car1) ≥ 0.65 s first holds when the cars have drawn 34.3 m apart, not on the first tick', () => {
    const scenario = loadScenario(`${ESMINI}/velodrome.xosc`);
    const cond = scenario.storyboard.acts.flatMap((a) => a.maneuvers).flatMap((m) => m.events).find((e) => e.name === 'ChangeSpeedEvent')!.startTrigger![0][0];
    // alongRoute="false" (OpenSCENARIO 1.0): the straight-line distance between reference points.
    expect(cond).toMatchObject({ type: 'timeHeadway', coordinateSystem: 'entity', distanceType: 'euclidean', freespace: false });
    // Hand derivation. Both reference points start at s = 50 (lanes −1 and −2, t = −1.5 and
    // −4.5 m); both accelerate at 5 m/s², Car2 to 190 km/h (reached at 10.56 s), Car1 to
    // 200 km/h (11.11 s): path lengths L(t) = 2.5 t² then v·(t − v/5) + v²/10. Along a lane at t
    // the path grows by (1 − κ(s)·t·cos r(s)) per metre of s, with κ the road's curvature
    // (spiral 0 → 1/125 m over 107.3 m from s = 500, arc of radius 125 m, spiral back to s =
    // 1000) and r its superelevation (the file's cubics, −60° on the arc): integrated here
    // (Simpson) to get s(t) for each car, then the reference points are placed by roadToWorld.
    const R = 125, Ls = 107.300918301276, La = 285.3981633974481, c3 = -0.000272861960495036, d3 = 1.6953067741004982e-6;
    const kappa = (s: number) => (s < 500 ? 0 : s < 500 + Ls ? (s - 500) / Ls / R : s < 500 + Ls + La ? 1 / R : s < 1000 ? (1000 - s) / Ls / R : 0);
    const roll = (s: number) => {
      const u = s - 500, w = s - 500 - Ls - La;
      return s < 500 ? 0 : s < 500 + Ls ? c3 * u * u + d3 * u ** 3 : s < 500 + Ls + La ? -Math.PI / 3 : s < 1000 ? -Math.PI / 3 - c3 * w * w - d3 * w ** 3 : 0;
    };
    const sAfter = (t: number, s0: number, length: number) => {
      const g = (s: number) => 1 - kappa(s) * t * Math.cos(roll(s));
      const h = 0.01;
      let s = s0, l = 0;
      for (;;) {
        const dl = ((g(s) + 4 * g(s + h / 2) + g(s + h)) / 6) * h;
        if (l + dl >= length) return s + (h * (length - l)) / dl;
        l += dl;
        s += h;
      }
    };
    const travelled = (v: number, t: number) => (t < v / 5 ? 2.5 * t * t : (v * v) / 10 + v * (t - v / 5));
    const v1 = 200 / 3.6, v2 = 190 / 3.6;
    // Body centres sit Center.x ahead of the reference points: 1.4 m (car_white), 1.3 m (car_blue).
    const gap = (time: number) => {
      const s1 = sAfter(-1.5, 51.4, travelled(v1, time)) - 1.4, s2 = sAfter(-4.5, 51.3, travelled(v2, time)) - 1.3;
      const p1 = scenario.network.roadToWorld('1', s1, -1.5), p2 = scenario.network.roadToWorld('1', s2, -4.5);
      return Math.hypot(p1.x - p2.x, p1.y - p2.y);
    };
    let expected = 0;
    for (let k = 1100; k < 3000 && !expected; k++) if (gap(k / 100) / v2 >= 0.65) expected = k / 100;
    expect(expected).toBeGreaterThan(20);
    expect(expected).toBeLessThan(23);
    const { events } = run(`${ESMINI}/velodrome.xosc`, expected + 0.5);
    const fired = events.find((e) => e.type === 'trigger' && e.element === 'ChangeSpeedEvent')!;
    // The cars follow their lanes by pure pursuit, so they cut the 125 m curve by centimetres:
    // at 2.8 m/s closing a few centimetres of path are a few hundredths of a second.
    expect(Math.abs(fired.t_ns / 1e9 - expected)).toBeLessThan(0.1);
  });
});

describe('defect 3: on a lane against s, the bounding-box offset runs along the entity’s heading', () => {
  it('an entity on lane 1 (traffic towards −s) has its body centre Center.x before its reference point in −s', () => {
    // straight_500m: the reference line runs along +x from the origin; lane 1 (3.07 m) is left of it.
    const story = `<Story name="s"><Act name="a"><ManeuverGroup maximumExecutionCount="1" name="g"><Actors selectTriggeringEntities="false"><EntityRef entityRef="Ego"/></Actors>
      <Maneuver name="m"><Event name="Close" priority="overwrite"><Action name="slow"><PrivateAction><LongitudinalAction><SpeedAction>
      <SpeedActionDynamics dynamicsShape="step" value="0" dynamicsDimension="time"/><SpeedActionTarget><AbsoluteTargetSpeed value="10"/></SpeedActionTarget></SpeedAction></LongitudinalAction></PrivateAction></Action>
      <StartTrigger><ConditionGroup><Condition name="near" delay="0" conditionEdge="none"><ByEntityCondition><TriggeringEntities triggeringEntitiesRule="any"><EntityRef entityRef="Ego"/></TriggeringEntities>
      <EntityCondition><RelativeDistanceCondition entityRef="Oncoming" relativeDistanceType="longitudinal" coordinateSystem="road" value="100" freespace="false" rule="lessThan"/></EntityCondition></ByEntityCondition></Condition></ConditionGroup></StartTrigger>
      </Event></Maneuver></ManeuverGroup><StartTrigger/></Act></Story>`;
    const file = xosc('oncoming.xosc', 'esmini/xodr/straight_500m.xodr', car('Ego', 1.4) + car('Oncoming', 1.5), placed('Ego', '1', -1, 50, 10) + placed('Oncoming', '1', 1, 200, 10), story);
    const { states, events } = run(file, 3);
    const oncoming = actor(states[0], 'Oncoming');
    // Heading π (towards −x), reference point at x = 200: the body centre 1.5 m further, at x 198.5.
    expect(Math.abs(Math.cos(oncoming.heading) + 1)).toBeLessThan(1e-9);
    expect(oncoming.pose.p[0]).toBeCloseTo(198.5, 9);
    expect(oncoming.pose.p[1]).toBeCloseTo(3.07 / 2, 9);
    expect(actor(states[0], 'Ego').pose.p[0]).toBeCloseTo(51.4, 9);
    // Reference points 150 m apart, closing at 20 m/s: under 100 m after 2.5 s (a tie on a tick:
    // it holds then or on the next one). With the offset along +s they would be 153 m apart (2.65 s).
    const near = events.find((e) => e.type === 'trigger' && e.element === 'Close')!;
    expect(near.t_ns / 1e9).toBeGreaterThanOrEqual(2.5 - 1e-9);
    expect(near.t_ns / 1e9).toBeLessThanOrEqual(2.51 + 1e-9);
  });
});

describe('defect 5: an ego that is never placed is refused before the run, naming what is missing', () => {
  // (AcquirePositionAction, once the unsupported action here, is supported now: it drives a route but places nothing.)
  const acquire = `<Private entityRef="Ego"><PrivateAction><AppearanceAction><LightStateAction><LightType><VehicleLight vehicleLightType="headLight"/></LightType><LightState mode="on"/></LightStateAction></AppearanceAction></PrivateAction></Private>`;

  it('its only Init action is unsupported: a UserError with the file and line of the entity', () => {
    const file = xosc('unplaced.xosc', 'esmini/xodr/straight_500m.xodr', car('Ego', 1.4) + car('Other', 1.4), acquire + placed('Other', '1', -1, 50, 0));
    const error = userError(() => loadScenario(file));
    expect(error.where).toMatch(/unplaced\.xosc:\d+$/);
    expect(error.message).toMatch(/the ego "Ego" is never placed: .*<LightStateAction>/);
  });

  it('a TeleportAction in the Story places it (the entity enters the world then)', () => {
    const story = `<Story name="s"><Act name="a"><ManeuverGroup maximumExecutionCount="1" name="g"><Actors selectTriggeringEntities="false"><EntityRef entityRef="Ego"/></Actors>
      <Maneuver name="m"><Event name="Appear" priority="overwrite"><Action name="put"><PrivateAction><TeleportAction><Position><LanePosition roadId="1" laneId="-1" s="80"/></Position></TeleportAction></PrivateAction></Action>
      <StartTrigger><ConditionGroup><Condition name="at1" delay="0" conditionEdge="none"><ByValueCondition><SimulationTimeCondition value="1" rule="greaterOrEqual"/></ByValueCondition></Condition></ConditionGroup></StartTrigger>
      </Event></Maneuver></ManeuverGroup><StartTrigger/></Act></Story>`;
    const file = xosc('later.xosc', 'esmini/xodr/straight_500m.xodr', car('Ego', 1.4) + car('Other', 1.4), placed('Other', '1', -1, 20, 0), story);
    const { states } = run(file, 1.2);
    expect(states[50].actors.some((a) => a.id === 'Ego')).toBe(false);
    // Reference point at s 80, body centre 1.4 m ahead along +x.
    expect(actor(states[100], 'Ego').pose.p[0]).toBeCloseTo(81.4, 9);
  });
});

describe('defect 6: catalog names as esmini takes them; distribution files named as such', () => {
  it('a reference to catalog "MiscObjectCatalog" finds the entry of the catalog declared "MiscObject", with a warning', () => {
    const catalogs = `<CatalogLocations><MiscObjectCatalog><Directory path="${resolve('test/fixtures/esmini/xosc/Catalogs/MiscObjects')}"/></MiscObjectCatalog></CatalogLocations>`;
    const wall = '<ScenarioObject name="Wall"><CatalogReference catalogName="MiscObjectCatalog" entryName="wall"/></ScenarioObject>';
    const file = xosc('catalog-name.xosc', 'esmini/xodr/straight_500m.xodr', car('Ego', 1.4) + wall, placed('Ego', '1', -1, 50, 0) + placed('Wall', '1', -1, 150, 0), '', catalogs);
    const scenario = loadScenario(file);
    expect(scenario.actors.find((a) => a.id === 'Wall')?.kind).toBe('barrier');
    expect(scenario.warnings.some((w) => /catalog-name\.xosc:\d+: <CatalogReference> catalogName="MiscObjectCatalog": entry "wall" taken from the catalog declared as "MiscObject"/.test(w))).toBe(true);
  });

  it('a ParameterValueDistribution file is reported as one, naming its scenario, not as a scenario without roads', () => {
    const file = join(dir, 'variants.xosc');
    writeFileSync(file, `<?xml version="1.0"?>
<OpenSCENARIO><FileHeader revMajor="1" revMinor="2" date="2026-01-01T00:00:00" description="variants" author="roadcast tests"/>
<ParameterValueDistribution><ScenarioFile filepath="cut-in.xosc"/>
<Deterministic><DeterministicSingleParameterDistribution parameterName="EgoSpeed"><DistributionSet><Element value="90"/><Element value="108"/></DistributionSet></DeterministicSingleParameterDistribution></Deterministic>
</ParameterValueDistribution></OpenSCENARIO>`);
    const error = userError(() => loadScenario(file));
    expect(error.where).toMatch(/variants\.xosc:3$/);
    expect(error.message).toMatch(/ParameterValueDistribution file \(variants of the scenario cut-in\.xosc\), not a scenario/);
    expect(error.message).not.toMatch(/RoadNetwork/);
  });
});
