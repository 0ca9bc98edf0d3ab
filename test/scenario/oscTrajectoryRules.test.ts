import { describe, expect, it } from 'vitest';
import { loadScenario } from '../../src/scenario/loadScenario.js';
import { Simulation } from '../../src/sim/Simulation.js';
import type { WorldState } from '../../src/sim/WorldState.js';
import { oscWriter } from './oscFile.js';

// FollowTrajectoryAction rules as esmini plays them (OSCPrivateAction.cpp FollowTrajectoryAction
// Start/Move/Step): driving backwards where a written vertex heading faces against the path, a
// ghost's head start in absolute timing, the start speed of timed clothoids and NURBS. Every
// expected value is derived by hand from the shapes' geometry and times.

const write = oscWriter('osc-trajectory-rules-');
const MAP = 'test/fixtures/esmini/xodr/straight_500m.xodr';

function run(file: string, seconds: number): { sim: Simulation; states: WorldState[]; warnings: string[] } {
  const scenario = loadScenario(file);
  const sim = new Simulation(scenario);
  const states = [sim.state()];
  for (let i = 0; i < Math.round(seconds / sim.scenario.step) && !sim.finished; i++) states.push(sim.step());
  return { sim, states, warnings: scenario.warnings };
}
/** The state at simulation time t (step 0.01 s). */
const at = (ss: WorldState[], t: number) => ss[Math.round(t / 0.01)];
const ego = (s: WorldState) => {
  const a = s.actors.find((b) => b.id === 'Ego')!;
  return { ...a, x: a.pose.p[0], y: a.pose.p[1] };
};
const wrap = (h: number) => Math.atan2(Math.sin(h), Math.cos(h));

const controller = (props: Record<string, number>) => `<ObjectController><Controller name="fg"><Properties><Property name="esminiController" value="FollowGhostController"/>
  ${Object.entries(props).map(([k, v]) => `<Property name="${k}" value="${v}"/>`).join('')}</Properties></Controller></ObjectController>`;
/** A car whose reference point is its box centre (cx = 0) unless given. */
const car = (cx = 0, ctrl = '') => `<ScenarioObject name="Ego"><Vehicle name="Ego" vehicleCategory="car"><BoundingBox>
  <Center x="${cx}" y="0" z="0.75"/><Dimensions width="2" length="4.5" height="1.5"/></BoundingBox><Performance maxSpeed="70" maxAcceleration="10" maxDeceleration="10"/>
  <Axles><FrontAxle maxSteering="0.5" wheelDiameter="0.6" trackWidth="1.8" positionX="2.8" positionZ="0.3"/><RearAxle maxSteering="0" wheelDiameter="0.6" trackWidth="1.8" positionX="0" positionZ="0.3"/></Axles>
  <Properties/></Vehicle>${ctrl}</ScenarioObject>`;
const speed = (v: number) => `<PrivateAction><LongitudinalAction><SpeedAction><SpeedActionDynamics dynamicsShape="step" value="0" dynamicsDimension="time"/>
  <SpeedActionTarget><AbsoluteTargetSpeed value="${v}"/></SpeedActionTarget></SpeedAction></LongitudinalAction></PrivateAction>`;
const world = (x: number, y: number, h?: number) => `<Position><WorldPosition x="${x}" y="${y}" z="0"${h === undefined ? '' : ` h="${h}"`}/></Position>`;
const follow = (shape: string, timeRef: string, offset = 0) => `<PrivateAction><RoutingAction><FollowTrajectoryAction initialDistanceOffset="${offset}"><Trajectory name="t" closed="false"><Shape>${shape}</Shape></Trajectory>
  <TimeReference>${timeRef}</TimeReference><TrajectoryFollowingMode followingMode="position"/></FollowTrajectoryAction></RoutingAction></PrivateAction>`;
const absolute = '<Timing domainAbsoluteRelative="absolute" scale="1" offset="0"/>';
const init = (start: string, actions: string) => `<Private entityRef="Ego"><PrivateAction><TeleportAction>${start}</TeleportAction></PrivateAction>${actions}</Private>`;

describe('FollowTrajectoryAction driving backwards (a written heading against the path)', () => {
  it('timed: the entity faces its written heading π while the path runs east: speed −10 m/s, velocity east', () => {
    // (10, 0) τ=0 → (30, 0) τ=2, both vertices h = π: 10 m/s along +x, facing west. esmini's
    // Start: speed = −1·(20 m / 2 s); Move: speed = heading direction (−1)·|Δs|/dt.
    const shape = `<Polyline><Vertex time="0">${world(10, 0, Math.PI)}</Vertex><Vertex time="2">${world(30, 0, Math.PI)}</Vertex></Polyline>`;
    const { states } = run(write('back-timed.xosc', { map: MAP, entities: car(), init: init(world(10, 0, Math.PI), follow(shape, absolute)) }), 2.5);
    expect(ego(states[0]).speed).toBeCloseTo(-10, 9);
    for (const t of [0.5, 1, 1.5]) {
      const e = ego(at(states, t));
      expect(e.x).toBeCloseTo(10 + 10 * t, 6);
      expect(e.speed).toBeCloseTo(-10, 6);
      expect(wrap(e.heading - Math.PI)).toBeCloseTo(0, 9);
      // speed·(cos h, sin h) = −10·(−1, 0): the velocity points along the motion.
      expect(e.velocity[0]).toBeCloseTo(10, 6);
    }
  });

  it('untimed: the entity drives the way it faces, from initialDistanceOffset back to the path\'s start, where the action ends', () => {
    // Same path, no times, 10 m/s, initialDistanceOffset 10 m: s falls 0.1 m a step from 10, so
    // x = 20 − 10·t, and the start (x = 10) is reached at t = 1 s.
    const shape = `<Polyline><Vertex>${world(10, 0, Math.PI)}</Vertex><Vertex>${world(30, 0, Math.PI)}</Vertex></Polyline>`;
    const { states } = run(write('back-none.xosc', { map: MAP, entities: car(), init: init(world(20, 0, Math.PI), speed(10) + follow(shape, '<None/>', 10)) }), 1.5);
    expect(ego(at(states, 0.5)).x).toBeCloseTo(15, 6);
    expect(ego(at(states, 0.5)).speed).toBeCloseTo(10, 9);
    const end = states.flatMap((s) => s.events).find((e) => e.type === 'storyboard' && e.elementType === 'action' && e.state === 'endTransition')!;
    expect(end.t_ns / 1e9).toBeCloseTo(1, 9);
    expect(ego(at(states, 1)).x).toBeCloseTo(10, 6);
  });

  it('entering a segment whose vertex writes no heading, the entity faces the path again and its speed turns positive', () => {
    // (10, 0) τ=0 h = π written; (30, 0) τ=2 and (50, 0) τ=4 without h. On the first segment:
    // speed −10, heading π. The second segment (from t = 2 s) is the path's own direction 0,
    // at 20 m / 2 s = +10 m/s; at t = 3 s its middle (x = 40), outside the 2 m corner blend.
    const shape = `<Polyline><Vertex time="0">${world(10, 0, Math.PI)}</Vertex><Vertex time="2">${world(30, 0)}</Vertex><Vertex time="4">${world(50, 0)}</Vertex></Polyline>`;
    const { states } = run(write('back-then-forward.xosc', { map: MAP, entities: car(), init: init(world(10, 0, Math.PI), follow(shape, absolute)) }), 3.5);
    expect(ego(at(states, 1)).speed).toBeCloseTo(-10, 6);
    expect(wrap(ego(at(states, 1)).heading - Math.PI)).toBeCloseTo(0, 9);
    expect(ego(at(states, 3)).x).toBeCloseTo(40, 6);
    expect(ego(at(states, 3)).speed).toBeCloseTo(10, 6);
    expect(ego(at(states, 3)).heading).toBeCloseTo(0, 9);
  });
});

describe('FollowTrajectoryAction on esmini\'s ghost: absolute times are read headstartTime later', () => {
  it('the ghost of a 2 s head start is at τ = T + 2: 20 m ahead at t = 0, and the Ego where the ghost was 2 s before', () => {
    // The Ego's trajectory (handed to the ghost): (20, −1.535) τ=0 → (120, −1.535) τ=10, 10 m/s.
    // The ghost runs from T = −2 s; at T it is where τ = T + 2 puts it: x = 20 + 10·(T + 2).
    const shape = `<Polyline><Vertex time="0">${world(20, -1.535)}</Vertex><Vertex time="10">${world(120, -1.535)}</Vertex></Polyline>`;
    const file = write('ghost-timing.xosc', {
      map: MAP, entities: car(0, controller({ headstartTime: 2 })), revMinor: 2,
      init: init(world(20, -1.535), speed(10) + '<PrivateAction><ActivateControllerAction longitudinal="true" lateral="true"/></PrivateAction>' + follow(shape, absolute)),
    });
    const { sim, states } = run(file, 5);
    const ghost = sim.ghost!.actor;
    expect(ghost.x).toBeCloseTo(20 + 10 * 7, 6);
    // At t = 0 (before any step): the ghost after its 2 s alone.
    const first = run(file, 0).sim.ghost!.actor;
    expect(first.x).toBeCloseTo(40, 6);
    // The Ego chases the trail 2 s behind: at constant speed on a straight line, exactly there.
    expect(ego(at(states, 5)).x).toBeCloseTo(70, 3);
  });
});

describe('Timing start speed of clothoids and NURBS: the speed the shape asks where the entity starts', () => {
  it('a clothoid timed 0 → 5 s over 50 m starts at 10 m/s (the entity stood)', () => {
    const shape = `<Clothoid curvature="0" curvaturePrime="0" length="50" startTime="0" stopTime="5">${world(10, 0, 0)}</Clothoid>`;
    const { states } = run(write('clothoid-speed.xosc', { map: MAP, entities: car(), init: init(world(10, 0, 0), follow(shape, absolute)) }), 1);
    expect(ego(states[0]).speed).toBeCloseTo(10, 9);
    expect(ego(at(states, 1)).x).toBeCloseTo(20, 6);
    expect(ego(at(states, 1)).speed).toBeCloseTo(10, 6);
  });

  it('a straight NURBS (order 2) timed 0 → 4 s over 20 m starts at 5 m/s', () => {
    const cp = (x: number, t: number) => `<ControlPoint time="${t}" weight="1">${world(x, 0)}</ControlPoint>`;
    const shape = `<Nurbs order="2">${cp(10, 0)}${cp(30, 4)}<Knot value="0"/><Knot value="0"/><Knot value="1"/><Knot value="1"/></Nurbs>`;
    const { states } = run(write('nurbs-speed.xosc', { map: MAP, entities: car(), init: init(world(10, 0, 0), follow(shape, absolute)) }), 1);
    expect(ego(states[0]).speed).toBeCloseTo(5, 6);
    expect(ego(at(states, 1)).x).toBeCloseTo(15, 6);
  });
});
