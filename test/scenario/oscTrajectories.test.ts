import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadScenario } from '../../src/scenario/loadScenario.js';
import { Simulation } from '../../src/sim/Simulation.js';
import type { WorldState } from '../../src/sim/WorldState.js';
import { oscWriter } from './oscFile.js';

// FollowTrajectoryAction, SpeedProfileAction and controllers (issue 18), each against a hand
// derivation: vertices and times, the clothoid's Fresnel integrals by numeric quadrature, the
// exact circle of a rational quadratic B-spline, constant-acceleration legs.

const ESMINI = 'test/fixtures/esmini/xosc';

function states(file: string, seconds: number): WorldState[] {
  const sim = new Simulation(loadScenario(file));
  const out = [sim.state()];
  for (let i = 0; i < Math.round(seconds / sim.scenario.step) && !sim.finished; i++) out.push(sim.step());
  return out;
}
/** The state at simulation time t (step 0.01 s). */
const at = (ss: WorldState[], t: number) => ss[Math.round(t / 0.01)];
const actor = (s: WorldState, id: string) => s.actors.find((a) => a.id === id)!;
/** The reference point: the body centre `cx` behind along the heading. */
const ref = (s: WorldState, id: string, cx: number): [number, number] => {
  const a = actor(s, id);
  return [a.pose.p[0] - cx * Math.cos(a.heading), a.pose.p[1] - cx * Math.sin(a.heading)];
};

const car = (name: string, cx: number, controller = '') => `<ScenarioObject name="${name}"><Vehicle name="${name}" vehicleCategory="car"><BoundingBox>
  <Center x="${cx}" y="0" z="0.75"/><Dimensions width="2" length="4.5" height="1.5"/></BoundingBox><Performance maxSpeed="70" maxAcceleration="10" maxDeceleration="10"/>
  <Axles><FrontAxle maxSteering="0.5" wheelDiameter="0.6" trackWidth="1.8" positionX="2.8" positionZ="0.3"/><RearAxle maxSteering="0" wheelDiameter="0.6" trackWidth="1.8" positionX="0" positionZ="0.3"/></Axles>
  <Properties/></Vehicle>${controller}</ScenarioObject>`;

const speed = (v: number) => `<PrivateAction><LongitudinalAction><SpeedAction><SpeedActionDynamics dynamicsShape="step" value="0" dynamicsDimension="time"/>
  <SpeedActionTarget><AbsoluteTargetSpeed value="${v}"/></SpeedActionTarget></SpeedAction></LongitudinalAction></PrivateAction>`;
const world = (x: number, y: number, h = 0) => `<Position><WorldPosition x="${x}" y="${y}" z="0" h="${h}"/></Position>`;
const follow = (shape: string, timeRef: string) => `<PrivateAction><RoutingAction><FollowTrajectoryAction><Trajectory name="t" closed="false"><Shape>${shape}</Shape></Trajectory>
  <TimeReference>${timeRef}</TimeReference><TrajectoryFollowingMode followingMode="position"/></FollowTrajectoryAction></RoutingAction></PrivateAction>`;

const write = oscWriter('osc-trajectories-');
const xosc = (name: string, entities: string, init: string, story = ''): string =>
  write(name, { map: 'test/fixtures/esmini/xodr/straight_500m.xodr', entities, init, story, revMinor: 2 });

describe('FollowTrajectoryAction', () => {
  it('a timed polyline: shape time τ = T·scale + offset (esmini), each vertex at its τ, linear in τ between', () => {
    // Vertices (10, 0) τ=0, (30, 0) τ=1, (30, 15) τ=2.5; Timing absolute, scale 2, offset 1. As
    // esmini (OSCPrivateAction.cpp Move: time_ = (simTime + dt)·scale, position at time_ + offset)
    // the shape time after the step to T is τ = 2T + 1 (roadcast used to take (T − 1)/2, which
    // put the vertices at T = 1, 3, 6 s). At the start (T = 0) the entity is at the first vertex
    // (esmini's SetTrajectoryS(initialDistanceOffset)), with the first segment's timed speed
    // 20 m / 1 s = 20 m/s; from the first step τ ≥ 1.02 puts it on the second leg (15 m in
    // 1.5 τ-s, 10 m per τ-s, 20 m/s of simulation time): y = 10·(τ − 1) = 10·(2T).
    const shape = `<Polyline><Vertex time="0">${world(10, 0)}</Vertex><Vertex time="1">${world(30, 0)}</Vertex><Vertex time="2.5">${world(30, 15)}</Vertex></Polyline>`;
    const file = xosc('polyline.xosc', car('Ego', 1.4), `<Private entityRef="Ego"><PrivateAction><TeleportAction>${world(10, 0)}</TeleportAction></PrivateAction>
      ${follow(shape, '<Timing domainAbsoluteRelative="absolute" scale="2" offset="1"/>')}</Private>`);
    const ss = states(file, 2);
    const expectAt = (t: number, x: number, y: number) => {
      const [rx, ry] = ref(at(ss, t), 'Ego', 1.4);
      expect(rx, `x at ${t} s`).toBeCloseTo(x, 6);
      expect(ry, `y at ${t} s`).toBeCloseTo(y, 6);
    };
    expectAt(0, 10, 0);
    expect(actor(ss[0], 'Ego').speed).toBeCloseTo(20, 9);
    expectAt(0.01, 30, 0.2); // τ = 1.02
    expectAt(0.25, 30, 5); // τ = 1.5
    expectAt(0.5, 30, 10); // τ = 2
    expectAt(0.74, 30, 14.8); // τ = 2.48
    expectAt(0.75, 30, 15); // τ = 2.5: the last vertex, the action ends
    expect(actor(at(ss, 0.5), 'Ego').speed).toBeCloseTo(20, 6);
    // Every vertex writes h="0" (world() does): esmini keeps a written h, even 0, as the vertex
    // heading (H_ABS), so the entity faces east while it moves north on the second leg.
    expect(actor(at(ss, 0.5), 'Ego').heading).toBeCloseTo(0, 9);
    const done = ss.flatMap((s) => s.events).find((e) => e.type === 'storyboard' && e.elementType === 'action' && e.state === 'endTransition');
    expect(done?.t_ns).toBe(7.5e8);
  });

  it('relative timing counts τ from where the entity starts; initialDistanceOffset starts that far along', () => {
    // A Story event at the first tick after t = 1 s (1.01 s) starts the polyline (10, 0) τ=0 →
    // (30, 0) τ=2, relative, scale 1, offset 0.5. esmini: time_ starts at the shape time where
    // the entity is (τ₀ = 0), grows by scale·dt each step, position at time_ + offset: after the
    // step to T, τ = (T − 1.01) + 0.5. At 1.01 s on the first vertex at 20 m / 2 s = 10 m/s;
    // 1.02 s: τ = 0.51, x = 15.1; 1.51 s: τ = 1, x = 20; 2.01 s: x = 25; 2.51 s: τ = 2, x = 30, end.
    const shape = `<Polyline><Vertex time="0">${world(10, 0)}</Vertex><Vertex time="2">${world(30, 0)}</Vertex></Polyline>`;
    const story = `<Story name="S"><Act name="A"><ManeuverGroup maximumExecutionCount="1" name="G"><Actors selectTriggeringEntities="false"><EntityRef entityRef="Ego"/></Actors>
      <Maneuver name="M"><Event name="E" priority="overwrite"><Action name="F">${follow(shape, '<Timing domainAbsoluteRelative="relative" scale="1" offset="0.5"/>')}</Action>
      <StartTrigger><ConditionGroup><Condition name="c" delay="0" conditionEdge="none"><ByValueCondition><SimulationTimeCondition value="1" rule="greaterThan"/></ByValueCondition></Condition></ConditionGroup></StartTrigger></Event></Maneuver></ManeuverGroup></Act></Story>`;
    const file = xosc('relative.xosc', car('Ego', 0), `<Private entityRef="Ego"><PrivateAction><TeleportAction>${world(0, -1.5)}</TeleportAction></PrivateAction></Private>`, story);
    const ss = states(file, 4);
    expect(ref(at(ss, 1.01), 'Ego', 0)[0]).toBeCloseTo(10, 9);
    expect(actor(at(ss, 1.01), 'Ego').speed).toBeCloseTo(10, 9);
    expect(ref(at(ss, 1.02), 'Ego', 0)[0]).toBeCloseTo(15.1, 6);
    expect(ref(at(ss, 1.51), 'Ego', 0)[0]).toBeCloseTo(20, 6);
    expect(ref(at(ss, 2.01), 'Ego', 0)[0]).toBeCloseTo(25, 6);
    expect(ref(at(ss, 2.51), 'Ego', 0)[0]).toBeCloseTo(30, 6);
    const done = ss.flatMap((s) => s.events).find((e) => e.type === 'storyboard' && e.elementType === 'action' && e.state === 'endTransition');
    expect(done?.t_ns).toBe(2.51e9);
    // None at 10 m/s from 5 m along (10, 0) → (60, 0): at t = 1 s, 15 m along.
    const offset = `<PrivateAction><RoutingAction><FollowTrajectoryAction initialDistanceOffset="5"><TrajectoryRef><Trajectory name="t" closed="false"><Shape>
      <Polyline><Vertex>${world(10, 0)}</Vertex><Vertex>${world(60, 0)}</Vertex></Polyline></Shape></Trajectory></TrajectoryRef>
      <TimeReference><None/></TimeReference><TrajectoryFollowingMode followingMode="position"/></FollowTrajectoryAction></RoutingAction></PrivateAction>`;
    const file2 = xosc('offset.xosc', car('Ego', 0), `<Private entityRef="Ego"><PrivateAction><TeleportAction>${world(10, 0)}</TeleportAction></PrivateAction>${speed(10)}${offset}</Private>`);
    const ss2 = states(file2, 2);
    expect(ref(ss2[0], 'Ego', 0)[0]).toBeCloseTo(15, 9);
    expect(ref(at(ss2, 1), 'Ego', 0)[0]).toBeCloseTo(25, 6);
  });

  it('relative timing with initialDistanceOffset: τ₀ is the shape time there, the start speed the vertex speeds blended there', () => {
    // (10, 0) τ=4 → (50, 0) τ=8, relative, scale 2, offset 0, initialDistanceOffset 10, in Init
    // (start T = 0). Start: s = 10 → (20, 0); τ₀ = 4 + (10/40)·4 = 5 (vertex times linear in s).
    // Start speed: esmini's vertex speeds are 40/4 = 10 m/s at the first vertex and 0 at the
    // last (position mode never sets it), blended in s: 0.75·10 + 0.25·0 = 7.5 m/s.
    // Then τ = 5 + 2T: T = 1 → τ = 7, s = 30, x = 40, speed 2·10 = 20 m/s; T = 1.5 → τ = 8, end.
    const timed = `<PrivateAction><RoutingAction><FollowTrajectoryAction initialDistanceOffset="10"><Trajectory name="t" closed="false"><Shape>
      <Polyline><Vertex time="4">${world(10, 0)}</Vertex><Vertex time="8">${world(50, 0)}</Vertex></Polyline></Shape></Trajectory>
      <TimeReference><Timing domainAbsoluteRelative="relative" scale="2" offset="0"/></TimeReference><TrajectoryFollowingMode followingMode="position"/></FollowTrajectoryAction></RoutingAction></PrivateAction>`;
    const file = xosc('relative-offset.xosc', car('Ego', 0), `<Private entityRef="Ego"><PrivateAction><TeleportAction>${world(10, 0)}</TeleportAction></PrivateAction>${speed(3)}${timed}</Private>`);
    const ss = states(file, 2);
    expect(ref(ss[0], 'Ego', 0)[0]).toBeCloseTo(20, 9);
    expect(actor(ss[0], 'Ego').speed).toBeCloseTo(7.5, 9);
    expect(ref(at(ss, 0.5), 'Ego', 0)[0]).toBeCloseTo(30, 6); // τ = 6
    expect(ref(at(ss, 1), 'Ego', 0)[0]).toBeCloseTo(40, 6);
    expect(actor(at(ss, 1), 'Ego').speed).toBeCloseTo(20, 6);
    const done = ss.flatMap((s) => s.events).find((e) => e.type === 'storyboard' && e.elementType === 'action' && e.state === 'endTransition');
    expect(done?.t_ns).toBe(1.5e9);
  });

  it('a clothoid: the reference point at arc length s is the Fresnel integral of its heading', () => {
    // From (20, −5) at h0 = 0.3 with κ0 = 0.01 /m, κ' = 0.002 /m², 60 m long; TimeReference
    // None at 10 m/s: s = 10·t. θ(s) = h0 + κ0·s + κ'·s²/2; (x, y) = start + ∫(cos θ, sin θ).
    const h0 = 0.3, k0 = 0.01, k1 = 0.002;
    const shape = `<Clothoid curvature="${k0}" curvaturePrime="${k1}" length="60">${world(20, -5, h0)}</Clothoid>`;
    const file = xosc('clothoid.xosc', car('Ego', 1.4), `<Private entityRef="Ego"><PrivateAction><TeleportAction>${world(20, -5, h0)}</TeleportAction></PrivateAction>
      ${speed(10)}${follow(shape, '<None/>')}</Private>`);
    const ss = states(file, 6);
    const theta = (u: number) => h0 + k0 * u + (k1 * u * u) / 2;
    // Composite Simpson's rule with 20 000 panels (independent of the code's Gauss–Legendre).
    const fresnel = (s: number): [number, number] => {
      const n = 20000, h = s / n;
      let x = 0, y = 0;
      for (let i = 0; i <= n; i++) {
        const w = i === 0 || i === n ? 1 : i % 2 ? 4 : 2;
        x += w * Math.cos(theta(i * h));
        y += w * Math.sin(theta(i * h));
      }
      return [20 + (x * h) / 3, -5 + (y * h) / 3];
    };
    for (const t of [1, 3, 5.5]) {
      const s = 10 * t;
      const [x, y] = fresnel(s);
      const [rx, ry] = ref(at(ss, t), 'Ego', 1.4);
      expect(rx, `x at s = ${s}`).toBeCloseTo(x, 6);
      expect(ry, `y at s = ${s}`).toBeCloseTo(y, 6);
      const dh = actor(at(ss, t), 'Ego').heading - theta(s);
      expect(Math.atan2(Math.sin(dh), Math.cos(dh)), `heading at s = ${s}`).toBeCloseTo(0, 9);
    }
  });

  it('a NURBS quarter circle (order 3, weights 1, √2/2, 1) stays on its circle', () => {
    // Centre (60, −20), r = 20: control points (80, −20), (80, 0), (60, 0), knots 0 0 0 1 1 1,
    // the exact rational representation. At 5 m/s the arc angle is 5·t / r.
    const w = Math.SQRT1_2;
    const cp = (x: number, y: number, wt: number) => `<ControlPoint weight="${wt}">${world(x, y)}</ControlPoint>`;
    const shape = `<Nurbs order="3">${cp(80, -20, 1)}${cp(80, 0, w)}${cp(60, 0, 1)}<Knot value="0"/><Knot value="0"/><Knot value="0"/><Knot value="1"/><Knot value="1"/><Knot value="1"/></Nurbs>`;
    const file = xosc('nurbs.xosc', car('Ego', 0), `<Private entityRef="Ego"><PrivateAction><TeleportAction>${world(80, -20, Math.PI / 2)}</TeleportAction></PrivateAction>
      ${speed(5)}${follow(shape, '<None/>')}</Private>`);
    const ss = states(file, 6);
    for (let t = 0; t <= 6; t += 0.37) {
      const s = at(ss, t);
      const [x, y] = ref(s, 'Ego', 0);
      expect(Math.hypot(x - 60, y + 20), `radius at ${t} s`).toBeCloseTo(20, 9);
      const angle = Math.atan2(y + 20, x - 60);
      expect(angle, `arc angle at ${t} s`).toBeCloseTo((5 * t) / 20, 4);
      expect(actor(s, 'Ego').heading, `tangent at ${t} s`).toBeCloseTo(angle + Math.PI / 2, 4);
    }
  });
});

describe('SpeedProfileAction', () => {
  const profile = (mode: string, entries: [number, number][], constraints = '') => `<PrivateAction><LongitudinalAction><SpeedProfileAction followingMode="${mode}">${constraints}
    ${entries.map(([v, t]) => `<SpeedProfileEntry speed="${v}" time="${t}"/>`).join('')}</SpeedProfileAction></LongitudinalAction></PrivateAction>`;
  const start = `<PrivateAction><TeleportAction><Position><LanePosition roadId="1" laneId="-1" s="50" offset="0"/></Position></TeleportAction></PrivateAction>`;

  it('position mode: each speed at its time, linear in between, and the distance of constant-acceleration legs', () => {
    // From rest: 10 m/s after 2 s, held 3 s, 4 m/s 2 s later. Distances: ½·10·2 = 10 m by
    // t = 2, +30 m by t = 5, +(10 + 4)/2·2 = 14 m by t = 7.
    const file = xosc('profile.xosc', car('Ego', 0), `<Private entityRef="Ego">${start}${profile('position', [[10, 2], [10, 3], [4, 2]])}</Private>`);
    const ss = states(file, 8);
    const x0 = actor(ss[0], 'Ego').pose.p[0];
    const check = (t: number, v: number, dx: number) => {
      expect(actor(at(ss, t), 'Ego').speed, `speed at ${t} s`).toBeCloseTo(v, 6);
      expect(actor(at(ss, t), 'Ego').pose.p[0] - x0, `distance at ${t} s`).toBeCloseTo(dx, 6);
    };
    check(1, 5, 2.5);
    check(2, 10, 10);
    check(5, 10, 40);
    check(6, 7, 40 + 8.5);
    check(7, 4, 54);
    check(8, 4, 58);
  });

  it('follow mode: maxAcceleration stretches a leg that would need more', () => {
    // 0 → 10 m/s in 2 s needs 5 m/s²; maxAcceleration 2.5 makes it 4 s.
    const file = xosc('profile-follow.xosc', car('Ego', 0), `<Private entityRef="Ego">${start}${profile('follow', [[10, 2]], '<DynamicConstraints maxAcceleration="2.5" maxDeceleration="5" maxSpeed="50"/>')}</Private>`);
    const ss = states(file, 5);
    expect(actor(at(ss, 2), 'Ego').speed).toBeCloseTo(5, 6);
    expect(actor(at(ss, 4), 'Ego').speed).toBeCloseTo(10, 6);
  });
});

describe('controllers', () => {
  const objectController = (type: string) => `<ObjectController><Controller name="c"><Properties><Property name="esminiController" value="${type}"/></Properties></Controller></ObjectController>`;
  const activate = (attrs: string) => `<PrivateAction><ControllerAction><ActivateControllerAction ${attrs}/></ControllerAction></PrivateAction>`;
  const event = (name: string, t: number, body: string) => `<Story name="S"><Act name="A"><ManeuverGroup maximumExecutionCount="1" name="G"><Actors selectTriggeringEntities="false"><EntityRef entityRef="Ego"/></Actors>
    <Maneuver name="M"><Event name="${name}" priority="overwrite"><Action name="${name}">${body}</Action>
    <StartTrigger><ConditionGroup><Condition name="c" delay="0" conditionEdge="none"><ByValueCondition><SimulationTimeCondition value="${t}" rule="greaterThan"/></ByValueCondition></Condition></ConditionGroup></StartTrigger></Event></Maneuver></ManeuverGroup></Act></Story>`;
  const start = `<PrivateAction><TeleportAction><Position><LanePosition roadId="1" laneId="-1" s="50" offset="0"/></Position></TeleportAction></PrivateAction>`;

  it('activating a controller roadcast does not model warns with the line of the action, and the default behaviour stays', () => {
    const file = xosc('sloppy.xosc', car('Ego', 0, objectController('SloppyDriverController')), `<Private entityRef="Ego">${start}${speed(10)}</Private>`,
      event('Activate', 1, activate('longitudinal="true" lateral="true" lighting="false"')));
    const scenario = loadScenario(file);
    const lines = readFileSync(file, 'utf8').split('\n');
    const line = lines.findIndex((l) => l.includes('<ActivateControllerAction')) + 1;
    const objLine = lines.findIndex((l) => l.includes('<ObjectController>')) + 1;
    expect(scenario.warnings.some((w) => w.startsWith(`${file}:${line}: <ActivateControllerAction>`) && w.includes('SloppyDriverController'))).toBe(true);
    expect(scenario.warnings.some((w) => w.startsWith(`${file}:${line}: <ActivateControllerAction>`) && w.includes('lighting'))).toBe(true);
    expect(scenario.warnings.some((w) => w.startsWith(`${file}:${objLine}: <ObjectController>`))).toBe(true);
    const ss = states(file, 3);
    // Default behaviour: 10 m/s along the lane, 30 m in 3 s.
    expect(actor(at(ss, 3), 'Ego').pose.p[0] - actor(ss[0], 'Ego').pose.p[0]).toBeCloseTo(30, 6);
  });

  it('an ExternalController takes commands once activated and not after it is switched off', () => {
    const story = `<Story name="S"><Act name="A"><ManeuverGroup maximumExecutionCount="1" name="G"><Actors selectTriggeringEntities="false"><EntityRef entityRef="Ego"/></Actors><Maneuver name="M">
      ${['On:1:longitudinal="true" lateral="true"', 'Off:2:longitudinal="false" lateral="false"'].map((d) => {
        const [n, t, attrs] = d.split(':');
        return `<Event name="${n}" priority="parallel"><Action name="${n}">${activate(attrs)}</Action><StartTrigger><ConditionGroup><Condition name="c" delay="0" conditionEdge="none"><ByValueCondition><SimulationTimeCondition value="${t}" rule="greaterThan"/></ByValueCondition></Condition></ConditionGroup></StartTrigger></Event>`;
      }).join('')}</Maneuver></ManeuverGroup></Act></Story>`;
    const file = xosc('external.xosc', car('Ego', 0, objectController('ExternalController')), `<Private entityRef="Ego">${start}${speed(10)}</Private>`, story);
    const sim = new Simulation(loadScenario(file));
    expect(sim.acceptsCommands('Ego')).toBe(false);
    while (sim.time < 1.5) sim.step();
    expect(sim.acceptsCommands('Ego')).toBe(true);
    while (sim.time < 2.5) sim.step();
    expect(sim.acceptsCommands('Ego')).toBe(false);
  });

  it('an ACCController (AssignControllerAction, 1.2 activate attributes) is car following by IDM with its timeGap', () => {
    const assign = `<PrivateAction><ControllerAction><AssignControllerAction activateLongitudinal="true"><Controller name="acc"><Properties>
      <Property name="esminiController" value="ACCController"/><Property name="timeGap" value="2.2"/></Properties></Controller></AssignControllerAction></ControllerAction></PrivateAction>`;
    const file = xosc('acc.xosc', car('Ego', 0), `<Private entityRef="Ego">${start}${speed(10)}${assign}</Private>`);
    const sim = new Simulation(loadScenario(file));
    const idm = sim.actor('Ego')!.controllers.find((c) => c.type === 'idm') as unknown as { params: { timeHeadway: number } };
    expect(idm.params.timeHeadway).toBe(2.2);
  });
});

describe('esmini corpus', () => {
  const notSupported = (warnings: string[]) => warnings.filter((w) => /<(ObjectController|ActivateControllerAction|ControllerAction|FollowTrajectoryAction|SpeedProfileAction)>.*not supported/.test(w));

  it('follow_ghost.xosc: the FollowGhostController is read and modelled (no "approximated" warning; see oscGhost.test.ts), not refused', () => {
    const scenario = loadScenario(`${ESMINI}/follow_ghost.xosc`);
    expect(notSupported(scenario.warnings)).toEqual([]);
    expect(scenario.warnings.filter((w) => w.includes('FollowGhostController') || w.includes('approximated'))).toEqual([]);
    expect(scenario.actors.find((a) => a.id === 'Ego')?.ghost?.headstartTime).toBe(2.5);
  });

  it('alks_pedestrian.xosc: the pedestrian walks its polyline from the first vertex at its own speed', () => {
    const scenario = loadScenario(`${ESMINI}/alks_pedestrian.xosc`);
    expect(notSupported(scenario.warnings)).toEqual([]);
    const ss = states(`${ESMINI}/alks_pedestrian.xosc`, 9);
    // Vertices (110, −4), (110, 5), (120, 5); speed 0 until the step to 1 m/s at the first
    // tick after t = 2 s (2.01 s): at t = 8 s it has walked 5.99 m up the first leg.
    const [x, y] = ref(at(ss, 8), 'Pedestrian', 0.06);
    expect(x).toBeCloseTo(110, 9);
    expect(y).toBeCloseTo(-4 + 5.99, 6);
    expect(actor(at(ss, 8), 'Pedestrian').heading).toBeCloseTo(Math.PI / 2, 9);
  });

  it('pedestrian.xosc: the pedestrian is on its first leg (lane 3, offset 0.5) at the distance it walked', () => {
    const scenario = loadScenario(`${ESMINI}/pedestrian.xosc`);
    expect(notSupported(scenario.warnings)).toEqual([]);
    const ss = states(`${ESMINI}/pedestrian.xosc`, 3);
    const ped = actor(at(ss, 3), 'pedestrian_adult');
    const d = ped.odometer;
    expect(d).toBeGreaterThan(1);
    expect(d).toBeLessThan(4.5);
    // Road 0 of fabriksgatan.xodr: paramPoly3 (pRange arcLength) from (27.2454, −10.1887) at
    // hdg −1.35886; lane 3's centre at t = 3.5 + 0.3 + 2/2 = 4.8, + offset 0.5: t = 5.3.
    // The first leg is the straight chord from the vertex at s = 15 to the one at s = 10.5.
    const x0 = 27.245446351316485, y0 = -10.188720701065932, h0 = -1.3588592348487367;
    const cU = -3.2543238367009553e-06, dU = 4.1318473925356069e-09, cV = 7.0148430603202215e-04, dV = -7.9649207295225658e-06;
    const lanePoint = (p: number, t: number): [number, number] => {
      const u = p + cU * p * p + dU * p ** 3, v = cV * p * p + dV * p ** 3;
      const th = h0 + Math.atan2(2 * cV * p + 3 * dV * p * p, 1 + 2 * cU * p + 3 * dU * p * p);
      return [x0 + u * Math.cos(h0) - v * Math.sin(h0) - t * Math.sin(th), y0 + u * Math.sin(h0) + v * Math.cos(h0) + t * Math.cos(th)];
    };
    const [ax, ay] = lanePoint(15, 5.3), [bx, by] = lanePoint(10.5, 5.3);
    const len = Math.hypot(bx - ax, by - ay);
    const [rx, ry] = ref(at(ss, 3), 'pedestrian_adult', 0.06);
    // (The map's paramPoly3 evaluation and this closed form agree to 0.1 mm.)
    expect(rx).toBeCloseTo(ax + (d * (bx - ax)) / len, 3);
    expect(ry).toBeCloseTo(ay + (d * (by - ay)) / len, 3);
    // followingMode="follow": the heading turns linearly across the whole leg from its first
    // vertex's heading to the next one's, by the share d/len walked (esmini's INTERPOLATE_SEGMENT).
    // Both vertices write <Orientation type="relative" h="0"/>, which esmini keeps as the vertex
    // heading (H_REL): lane 3's direction of travel, against s, i.e. the road's heading at the
    // vertex's s turned by π (not the legs' directions).
    const th = (p: number) => h0 + Math.atan2(2 * cV * p + 3 * dV * p * p, 1 + 2 * cU * p + 3 * dU * p * p);
    const hA = th(15) + Math.PI, hB = th(10.5) + Math.PI;
    const turn = Math.atan2(Math.sin(hB - hA), Math.cos(hB - hA));
    const h = hA + (d / len) * turn;
    expect(ped.heading).toBeCloseTo(Math.atan2(Math.sin(h), Math.cos(h)), 4);
  });
});
