import { describe, expect, it } from 'vitest';
import { loadScenario } from '../../src/scenario/loadScenario.js';
import { MeshBuilder } from '../../src/core/MeshBuilder.js';
import { Simulation } from '../../src/sim/Simulation.js';
import { World } from '../../src/world/World.js';
import type { SimEvent } from '../../src/sim/events.js';
import type { WorldState } from '../../src/sim/WorldState.js';
import { oscWriter } from './oscFile.js';

// OpenSCENARIO motion actions, positions and road conditions (issue 18, "Elements to
// support"), each against values derived by hand from kinematics and the map's geometry.

const ESMINI = 'test/fixtures/esmini/xosc';

function run(file: string, seconds: number): { sim: Simulation; states: WorldState[]; events: SimEvent[] } {
  const sim = new Simulation(loadScenario(file));
  const states = [sim.state()];
  for (let i = 0; i < Math.round(seconds / sim.scenario.step) && !sim.finished; i++) states.push(sim.step());
  return { sim, states, events: states.flatMap((s) => s.events) };
}

const actor = (s: WorldState, id: string) => s.actors.find((a) => a.id === id)!;

const car = (name: string, cx = 0) => `<ScenarioObject name="${name}"><Vehicle name="${name}" vehicleCategory="car"><BoundingBox>
  <Center x="${cx}" y="0" z="0.75"/><Dimensions width="2" length="4.5" height="1.5"/></BoundingBox><Performance maxSpeed="70" maxAcceleration="10" maxDeceleration="10"/>
  <Axles><FrontAxle maxSteering="0.5" wheelDiameter="0.6" trackWidth="1.8" positionX="2.8" positionZ="0.3"/><RearAxle maxSteering="0" wheelDiameter="0.6" trackWidth="1.8" positionX="0" positionZ="0.3"/></Axles>
  <Properties/></Vehicle></ScenarioObject>`;

const speedAction = (speed: number) => `<PrivateAction><LongitudinalAction><SpeedAction><SpeedActionDynamics dynamicsShape="step" value="0" dynamicsDimension="time"/>
  <SpeedActionTarget><AbsoluteTargetSpeed value="${speed}"/></SpeedActionTarget></SpeedAction></LongitudinalAction></PrivateAction>`;

const at = (name: string, position: string, speed: number) => `<Private entityRef="${name}">
  <PrivateAction><TeleportAction><Position>${position}</Position></TeleportAction></PrivateAction>${speedAction(speed)}</Private>`;

const lane = (road: string, laneId: number, s: number, offset = 0) => `<LanePosition roadId="${road}" laneId="${laneId}" s="${s}" offset="${offset}"/>`;

/** One act, one maneuver group per (actor, events) pair; events without a trigger start at once. */
const story = (groups: [string, string][]) => `<Story name="S"><Act name="A">${groups.map(([who, events], i) => `<ManeuverGroup maximumExecutionCount="1" name="G${i}">
  <Actors selectTriggeringEntities="false"><EntityRef entityRef="${who}"/></Actors><Maneuver name="M${i}">${events}</Maneuver></ManeuverGroup>`).join('')}
  <StartTrigger/></Act></Story>`;

const event = (name: string, action: string, trigger = '') => `<Event name="${name}" priority="parallel"><Action name="${name}Action">${action}</Action>${trigger}</Event>`;

const condition = (body: string) => `<StartTrigger><ConditionGroup><Condition name="c" delay="0" conditionEdge="none">${body}</Condition></ConditionGroup></StartTrigger>`;
const byEntity = (who: string, cond: string) => condition(`<ByEntityCondition><TriggeringEntities triggeringEntitiesRule="any"><EntityRef entityRef="${who}"/></TriggeringEntities><EntityCondition>${cond}</EntityCondition></ByEntityCondition>`);
const atTime = (t: number) => condition(`<ByValueCondition><SimulationTimeCondition value="${t}" rule="greaterThan"/></ByValueCondition>`);

const write = oscWriter('osc-positions-');
const xosc = (name: string, map: string, entities: string, init: string, story = '', catalogs = ''): string =>
  write(name, { map: `test/fixtures/esmini/xodr/${map}`, entities, init, story, catalogs });

describe('SynchronizeAction', () => {
  it('without a final speed: constant acceleration a = 2 (s − v·T) / T², both reach their targets on the same tick', () => {
    // Master: s 10 → 110 at 10 m/s, T = 10 s. Entity: s 60 → 260 at 10 m/s: 200 = 10·10 + ½·a·10² → a = 2 m/s², v(T) = 30 m/s.
    const sync = `<PrivateAction><SynchronizeAction masterEntityRef="Ego" targetToleranceMaster="0" targetTolerance="0">
      <TargetPositionMaster>${lane('1', -1, 110)}</TargetPositionMaster><TargetPosition>${lane('1', -1, 260)}</TargetPosition></SynchronizeAction></PrivateAction>`;
    const file = xosc('sync.xosc', 'straight_500m.xodr', car('Ego') + car('Npc'), at('Ego', lane('1', -1, 10), 10) + at('Npc', lane('1', -1, 60), 10), story([['Npc', event('Sync', sync)]]));
    const { states } = run(file, 10.2);
    const reached = (id: string, s: number) => states.findIndex((st) => actor(st, id).s >= s - 1e-3);
    expect(reached('Ego', 110)).toBe(1000);
    expect(reached('Npc', 260)).toBe(1000);
    expect(actor(states[500], 'Npc').s).toBeCloseTo(60 + 10 * 5 + 0.5 * 2 * 25, 1);
    expect(actor(states[1000], 'Npc').speed).toBeCloseTo(30, 1);
  });

  it('synchronize.xosc (a maneuver from a catalog, with FinalSpeed relative to the master): NPC1 is at s 305 ± 1 m at 20 m/s when the Ego reaches s 300', () => {
    // The Ego drives s 100 → 300 at 20 m/s: 10 s, less the master's 1 m tolerance: 9.95 s.
    const { states, events } = run(`${ESMINI}/synchronize.xosc`, 10.2);
    const ends = events.filter((e) => e.type === 'storyboard' && e.element === 'Synchronize_NPC_Event' && e.state === 'endTransition');
    expect(ends.length).toBe(4);
    const tick = ends[0].tick;
    expect(tick).toBeGreaterThanOrEqual(994);
    expect(tick).toBeLessThanOrEqual(996);
    const npc1 = actor(states[tick], 'NPC1');
    expect(Math.abs(npc1.s - 305)).toBeLessThanOrEqual(1.5);
    expect(npc1.speed).toBeCloseTo(20, 0);
  });
});

describe('LongitudinalDistanceAction', () => {
  const follow = (attrs: string, constraints: string) => `<PrivateAction><LongitudinalAction><LongitudinalDistanceAction entityRef="Lead" continuous="true" freespace="false" ${attrs}>${constraints}</LongitudinalDistanceAction></LongitudinalAction></PrivateAction>`;
  const scenario = (name: string, attrs: string, constraints: string) => xosc(name, 'straight_500m.xodr', car('Ego') + car('Lead'),
    at('Ego', lane('1', -1, 20), 10) + at('Lead', lane('1', -1, 100), 10), story([['Ego', event('Keep', follow(attrs, constraints))]]));

  it('with DynamicConstraints the follower settles 30 m behind a 10 m/s leader, at its speed', () => {
    const { states } = run(scenario('ld-dist.xosc', 'distance="30"', '<DynamicConstraints maxAcceleration="3" maxDeceleration="5" maxSpeed="40"/>'), 25);
    const last = states[states.length - 1];
    expect(actor(last, 'Lead').s - actor(last, 'Ego').s).toBeCloseTo(30, 1);
    expect(actor(last, 'Ego').speed).toBeCloseTo(10, 2);
  });

  it('a time gap of 2 s behind a 10 m/s leader is 20 m', () => {
    const { states } = run(scenario('ld-gap.xosc', 'timeGap="2"', '<DynamicConstraints maxAcceleration="3" maxDeceleration="5" maxSpeed="40"/>'), 25);
    const last = states[states.length - 1];
    expect(actor(last, 'Lead').s - actor(last, 'Ego').s).toBeCloseTo(20, 1);
  });

  it('without constraints the follower is put at the distance at once and keeps it', () => {
    const { states } = run(scenario('ld-jump.xosc', 'distance="15"', ''), 2);
    for (const i of [2, 100, 200]) expect(actor(states[i], 'Lead').s - actor(states[i], 'Ego').s).toBeCloseTo(15, 2);
  });
});

describe('LateralDistanceAction and AcquirePositionAction', () => {
  it('LateralDistanceAction leftToReferencedEntity 2 m: the actor settles 2 m left (in t) of the entity', () => {
    const keep = `<PrivateAction><LateralAction><LateralDistanceAction entityRef="Lead" distance="2" freespace="false" continuous="true" displacement="leftToReferencedEntity">
      <DynamicConstraints maxLateralAcc="2" maxSpeed="2"/></LateralDistanceAction></LateralAction></PrivateAction>`;
    const file = xosc('latd.xosc', 'straight_500m.xodr', car('Ego') + car('Lead'), at('Ego', lane('1', -1, 60), 10) + at('Lead', lane('1', -1, 100), 10),
      story([['Ego', event('Side', keep)]]));
    const { states } = run(file, 10);
    const last = states[states.length - 1];
    // Lane −1 (3.07 m) has its centre at t = −1.535: the Ego ends at t = 0.465.
    expect(actor(last, 'Lead').t).toBeCloseTo(-1.535, 3);
    expect(actor(last, 'Ego').t - actor(last, 'Lead').t).toBeCloseTo(2, 1);
  });

  it('AcquirePositionAction drives through the junction of fabriksgatan to road 0 and ends there', () => {
    // Road 2 lane −1 from s 280 (24.19 m to its end), connecting road 14 (15.47 m), road 0 to
    // s 10 (road 0 runs on 83 m beyond: no braking for its end before).
    const acquire = `<PrivateAction><RoutingAction><AcquirePositionAction><Position>${lane('0', -1, 10)}</Position></AcquirePositionAction></RoutingAction></PrivateAction>`;
    const file = xosc('acquire.xosc', 'fabriksgatan.xodr', car('Ego'), at('Ego', lane('2', -1, 280), 10), story([['Ego', event('Go', acquire)]]));
    const { states, events } = run(file, 8);
    const end = events.find((e) => e.type === 'storyboard' && e.element === 'Go' && e.state === 'endTransition')!;
    const ego = actor(states[end.tick], 'Ego');
    expect(ego.road).toBe('0');
    expect(ego.s).toBeCloseTo(10, 0);
    expect(ego.speed).toBeCloseTo(10, 6);
    // 24.19 + 15.47 + 10 = 49.67 m of road s (lane centres differ from s in the bend by well under a metre) at 10 m/s.
    expect(end.t_ns / 1e9).toBeGreaterThan(4.8);
    expect(end.t_ns / 1e9).toBeLessThan(5.15);
  });
});

describe('OffroadCondition and EndOfRoadCondition', () => {
  it('OffroadCondition duration 2 fires 2 s after the entity is put beyond the road edge', () => {
    // straight_500m: lanes −1 (3.07 m), shoulder (1.68 m), border (6 m): the right edge is t = −10.75.
    const teleport = `<PrivateAction><TeleportAction><Position><RoadPosition roadId="1" s="200" t="-14"/></Position></TeleportAction></PrivateAction>`;
    const noop = `<PrivateAction><VisibilityAction graphics="true" traffic="true" sensors="true"/></PrivateAction>`;
    const file = xosc('offroad.xosc', 'straight_500m.xodr', car('Ego'), at('Ego', lane('1', -1, 50), 0),
      story([['Ego', event('Out', teleport, atTime(0.995)) + event('Detect', noop, byEntity('Ego', '<OffroadCondition duration="2"/>'))]]));
    const { events } = run(file, 4);
    const detect = events.find((e) => e.type === 'trigger' && e.element === 'Detect')!;
    // Off the road from t = 1.00 s (tick 100); held 2 s at t = 3.00 s.
    expect(detect.tick).toBe(300);
  });

  it('EndOfRoadCondition duration 1.5 fires for a car whose front is at the end of the 500 m road, not for one 10 m short of it', () => {
    const noop = `<PrivateAction><VisibilityAction graphics="true" traffic="true" sensors="true"/></PrivateAction>`;
    const file = xosc('eor.xosc', 'straight_500m.xodr', car('Ego') + car('Short'), at('Ego', lane('1', -1, 500 - 2.25), 0) + at('Short', lane('1', -1, 480), 0),
      story([['Ego', event('EgoEnd', noop, byEntity('Ego', '<EndOfRoadCondition duration="1.5"/>')) + event('ShortEnd', noop, byEntity('Short', '<EndOfRoadCondition duration="1.5"/>'))]]));
    const { events } = run(file, 3);
    expect(events.find((e) => e.type === 'trigger' && e.element === 'EgoEnd')?.tick).toBe(150);
    expect(events.find((e) => e.type === 'trigger' && e.element === 'ShortEnd')).toBeUndefined();
  });
});

describe('positions', () => {
  it('RelativeObjectPosition: (dx, dy) in the entity frame of its reference point, the body centre ahead by Center x', () => {
    const h = 0.5;
    const world = `<WorldPosition x="10" y="20" z="0" h="${h}"/>`;
    const rel = `<RelativeObjectPosition entityRef="Ego" dx="8" dy="3"><Orientation type="relative" h="0.2"/></RelativeObjectPosition>`;
    const file = xosc('relobj.xosc', 'straight_500m.xodr', car('Ego') + car('Other', 1.4), at('Ego', world, 0) + at('Other', rel, 0));
    const s0 = run(file, 0).states[0];
    const other = actor(s0, 'Other');
    const x = 10 + 8 * Math.cos(h) - 3 * Math.sin(h), y = 20 + 8 * Math.sin(h) + 3 * Math.cos(h);
    expect(other.heading).toBeCloseTo(0.7, 9);
    expect(other.pose.p[0]).toBeCloseTo(x + 1.4 * Math.cos(0.7), 6);
    expect(other.pose.p[1]).toBeCloseTo(y + 1.4 * Math.sin(0.7), 6);
  });

  it('RoutePosition: pathS runs along the whole route, through the junction of fabriksgatan', () => {
    // Route: road 2 lane −1 from s 100 (road 2 is 304.19431655254522 m: 204.19431655254522 m
    // to its end), through connecting road 15 (14.864770982925403 m) onto road 1 lane −1.
    const route = `<RouteRef><Route name="left" closed="false"><Waypoint routeStrategy="shortest"><Position>${lane('2', -1, 100)}</Position></Waypoint>
      <Waypoint routeStrategy="shortest"><Position>${lane('1', -1, 5)}</Position></Waypoint></Route></RouteRef>`;
    const routePos = (pathS: number) => `<RoutePosition>${route}<InRoutePosition><FromLaneCoordinates pathS="${pathS}" laneId="-1"/></InRoutePosition></RoutePosition>`;
    const onRoad1 = 204.19431655254522 + 14.864770982925403 + 3;
    const inJunction = 204.19431655254522 + 7;
    const file = xosc('routepos.xosc', 'fabriksgatan.xodr', car('Ego') + car('Mid') + car('Early'),
      at('Ego', routePos(onRoad1), 0) + at('Mid', routePos(inJunction), 0) + at('Early', routePos(50), 0));
    const { sim, states } = run(file, 0);
    const s0 = states[0];
    const expectAt = (id: string, road: string, s: number) => {
      const a = actor(s0, id);
      expect(a.road).toBe(road);
      expect(a.s).toBeCloseTo(s, 3);
      const p = sim.network.lanePose(road, a.lane, s, 0);
      expect(a.pose.p[0]).toBeCloseTo(p.x, 6);
      expect(a.pose.p[1]).toBeCloseTo(p.y, 6);
    };
    expectAt('Ego', '1', 3);
    expectAt('Mid', '15', 7);
    expectAt('Early', '2', 150);
  });

  it('RoutePosition: an Orientation turns the entity from the route\'s direction of travel (relative) or sets its heading (absolute)', () => {
    const route = `<RouteRef><Route name="r" closed="false"><Waypoint routeStrategy="shortest"><Position>${lane('2', -1, 100)}</Position></Waypoint>
      <Waypoint routeStrategy="shortest"><Position>${lane('2', -1, 200)}</Position></Waypoint></Route></RouteRef>`;
    const routePos = (pathS: number, orientation: string) => `<RoutePosition>${route}${orientation}<InRoutePosition><FromLaneCoordinates pathS="${pathS}" laneId="-1"/></InRoutePosition></RoutePosition>`;
    const file = xosc('routeorient.xosc', 'fabriksgatan.xodr', car('Plain') + car('Turned') + car('Absolute'),
      at('Plain', routePos(20, ''), 0) + at('Turned', routePos(40, '<Orientation type="relative" h="0.3"/>'), 0)
      + at('Absolute', routePos(60, '<Orientation type="absolute" h="1.2"/>'), 0));
    const { sim, states } = run(file, 0);
    // Lane −1 runs with s: at s = 100 + pathS the entity faces along the lane's tangent.
    const along = (s: number) => sim.network.lanePose('2', -1, s, 0).heading;
    const wrap = (a: number) => Math.atan2(Math.sin(a), Math.cos(a));
    expect(wrap(actor(states[0], 'Plain').heading - along(120))).toBeCloseTo(0, 9);
    expect(wrap(actor(states[0], 'Turned').heading - (along(140) + 0.3))).toBeCloseTo(0, 9);
    expect(wrap(actor(states[0], 'Absolute').heading - 1.2)).toBeCloseTo(0, 9);
    expect(sim.scenario.warnings.filter((w) => /Orientation/.test(w))).toEqual([]);
  });
});

describe('VisibilityAction', () => {
  it('sensors="false" marks the actor out of the sensors\' world; traffic="false" out of other actors\' perception', () => {
    const hide = `<PrivateAction><VisibilityAction graphics="true" traffic="false" sensors="false"/></PrivateAction>`;
    const file = xosc('vis.xosc', 'straight_500m.xodr', car('Ego') + car('Ghost'), at('Ego', lane('1', -1, 20), 10) + at('Ghost', lane('1', -1, 60), 0),
      story([['Ghost', event('Hide', hide, atTime(0.495))]]));
    const { sim, states } = run(file, 1);
    expect(actor(states[49], 'Ghost').visibility).toBeUndefined();
    expect(actor(states[50], 'Ghost').visibility).toEqual({ graphics: true, traffic: false, sensors: false });
    // The sensors' world holds the Ego's parts and none of the Ghost's.
    const world = World.fromMesh(new MeshBuilder());
    world.update(states[50]);
    expect(world.partsOf(actor(states[50], 'Ego').instanceId).length).toBeGreaterThan(0);
    expect(world.partsOf(actor(states[50], 'Ghost').instanceId)).toEqual([]);
    world.update(states[49]);
    expect(world.partsOf(actor(states[49], 'Ghost').instanceId).length).toBeGreaterThan(0);
    // Other traffic: the Ghost, 40 m ahead in the Ego's lane, is no leader of the Ego any more.
    const ctx = (sim as unknown as { ctx: { leader(a: unknown, range?: number): { actor: { id: string } } | undefined } }).ctx;
    expect(ctx.leader(sim.actor('Ego'), 150)).toBeUndefined();
  });
});
