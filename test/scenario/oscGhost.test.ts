import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadScenario } from '../../src/scenario/loadScenario.js';
import { Simulation } from '../../src/sim/Simulation.js';

// esmini's FollowGhostController (src/sim/Ghost.ts, GhostTrail.ts, GhostFollower.ts), each
// expectation derived by hand from esmini's rules (README, "Controllers, trajectories and
// speed profiles"), never read back from a run.

const ESMINI = 'test/fixtures/esmini/xosc';
const dir = mkdtempSync(join(tmpdir(), 'osc-ghost-'));

const ghostController = (props: Record<string, number | string>) => `<ObjectController><Controller name="fg"><Properties>
  <Property name="esminiController" value="FollowGhostController"/>${Object.entries(props).map(([k, v]) => `<Property name="${k}" value="${v}"/>`).join('')}
  </Properties></Controller></ObjectController>`;
const car = (name: string, controller: string) => `<ScenarioObject name="${name}"><Vehicle name="${name}" vehicleCategory="car"><BoundingBox>
  <Center x="1.4" y="0" z="0.75"/><Dimensions width="2" length="5" height="1.5"/></BoundingBox><Performance maxSpeed="70" maxAcceleration="10" maxDeceleration="10"/>
  <Axles><FrontAxle maxSteering="0.5" wheelDiameter="0.6" trackWidth="1.8" positionX="2.8" positionZ="0.3"/><RearAxle maxSteering="0" wheelDiameter="0.6" trackWidth="1.8" positionX="0" positionZ="0.3"/></Axles>
  <Properties/></Vehicle>${controller}</ScenarioObject>`;
const atTime = (t: number, action: string, name: string) => `<Event name="${name}" priority="overwrite"><Action name="${name}A"><PrivateAction>${action}</PrivateAction></Action>
  <StartTrigger><ConditionGroup><Condition name="${name}C" delay="0" conditionEdge="rising"><ByValueCondition><SimulationTimeCondition value="${t}" rule="greaterThan"/></ByValueCondition></Condition></ConditionGroup></StartTrigger></Event>`;

/** Ego on straight_500m.xodr (road 1 along +x, lane −1 centred at y = −1.535) at s = 20, 10 m/s, chasing its ghost. */
function straight(name: string, props: Record<string, number | string>, events = ''): string {
  const file = join(dir, name);
  const story = events ? `<Story name="S"><Act name="A"><ManeuverGroup maximumExecutionCount="1" name="G"><Actors selectTriggeringEntities="false"><EntityRef entityRef="Ego"/></Actors>
    <Maneuver name="M">${events}</Maneuver></ManeuverGroup></Act></Story>` : '';
  writeFileSync(file, `<?xml version="1.0" encoding="UTF-8"?>
<OpenSCENARIO><FileHeader revMajor="1" revMinor="2" date="2026-01-01T00:00:00" description="${name}" author="roadcast tests"/>
<RoadNetwork><LogicFile filepath="${resolve('test/fixtures/esmini/xodr/straight_500m.xodr')}"/></RoadNetwork>
<Entities>${car('Ego', ghostController(props))}</Entities>
<Storyboard><Init><Actions><Private entityRef="Ego">
  <PrivateAction><TeleportAction><Position><LanePosition roadId="1" laneId="-1" offset="0" s="20"/></Position></TeleportAction></PrivateAction>
  <PrivateAction><LongitudinalAction><SpeedAction><SpeedActionDynamics dynamicsShape="step" value="0" dynamicsDimension="time"/><SpeedActionTarget><AbsoluteTargetSpeed value="10"/></SpeedActionTarget></SpeedAction></LongitudinalAction></PrivateAction>
  <PrivateAction><ActivateControllerAction longitudinal="true" lateral="true"/></PrivateAction>
</Private></Actions></Init>${story}<StopTrigger/></Storyboard></OpenSCENARIO>`);
  return file;
}

/** Runs a simulation, keeping the reference points of the Ego and its ghost at every tick. */
function run(file: string, seconds: number) {
  const scenario = loadScenario(file);
  const sim = new Simulation(scenario);
  const ghost = sim.ghost!.actor;
  const ego = sim.actor('Ego')!;
  const take = () => ({ t: sim.time, ego: ego.reference, ghost: ghost.reference, v: ego.speed, gv: ghost.speed, heading: ego.heading, egoLane: ego.lane, ghostLane: ghost.lane });
  const rows = [take()];
  const states = [sim.state()];
  for (let i = 0; i < Math.round(seconds / sim.scenario.step) && !sim.finished; i++) {
    states.push(sim.step());
    rows.push(take());
  }
  const at = (t: number) => rows[Math.round(t / sim.scenario.step)];
  return { scenario, sim, rows, states, at };
}

describe('FollowGhostController: the ghost', () => {
  it('is not an actor of the world: the world state (what sensors and ground truth read) lists the Ego only', () => {
    const { states, sim } = run(straight('hidden.xosc', { headstartTime: 2 }), 1);
    for (const s of states) expect(s.actors.map((a) => a.id)).toEqual(['Ego']);
    expect(sim.actors.map((a) => a.id)).toEqual(['Ego']);
    expect(sim.ghost!.actor.id).toBe('Ego_ghost');
  });

  it('runs headstartTime s ahead: at t = 0 a 10 m/s ghost with a 2 s head start is 20 m ahead of the Ego', () => {
    const { at } = run(straight('headstart.xosc', { headstartTime: 2 }), 0);
    expect(at(0).ghost[0] - at(0).ego[0]).toBeCloseTo(20, 9);
    expect(at(0).ghost[1]).toBeCloseTo(at(0).ego[1], 9);
  });
});

describe('FollowGhostController: the chase (followMode time, esmini\'s defaults)', () => {
  it('on a straight road at constant speed the Ego settles on the trail at the ghost\'s speed, headstartTime behind in time', () => {
    // Ghost and Ego start at s = 20 at 10 m/s; the ghost 2 s earlier. Speed target: the trail
    // at t − 2 + 0.1 s, 10 m/s, so a = 10·(10 − 10) = 0; steering target: the trail at t − 1 s,
    // straight ahead on the lane centre, so the heading error (and the wheel) is 0. The Ego is
    // then at s = 20 + 10 t, where the ghost was at t − 2: the trail is exact on a straight
    // line (linear between samples), so only rounding remains (1e-6 m).
    const { rows, at } = run(straight('settle.xosc', { headstartTime: 2 }), 10);
    for (const t of [2.5, 5, 7.77, 10]) {
      const r = at(t);
      expect(r.ego[0], `x at ${t}`).toBeCloseTo(20 + 10 * t, 6);
      expect(r.ego[1], `y at ${t}`).toBeCloseTo(-1.535, 6);
      expect(r.v).toBeCloseTo(10, 9);
      // The ghost's position headstartTime (200 ticks) earlier.
      const before = rows[rows.indexOf(r) - 200];
      expect(Math.hypot(r.ego[0] - before.ghost[0], r.ego[1] - before.ghost[1])).toBeLessThan(1e-6);
    }
  });

  it('a lateral move of the ghost appears in the Ego\'s path later (the trail 1 s ahead of the Ego is where it steers)', () => {
    // The ghost's event "SimulationTime > 3" runs 2 s earlier (t = 3 − 2 = 1 s): a 1.5 m lane
    // offset to the left, sinusoidal over 2 s, done by t = 3. The Ego's steering target is the
    // trail at t − 2 + 1 s, which reaches the offset at t − 1 = 1 s: before t = 2 the Ego drives
    // exactly straight. The trail is straight again from the ghost's t = 3, i.e. for the Ego's
    // target from t = 4; the lateral error then decays on the time scale of the look-ahead
    // (10 m at 10 m/s: 1 s) and the yaw response (v/L = 2 rad/s per rad of wheel), so by t = 12
    // (8 s on) it is within 0.05 m of the ghost's new line y = −1.535 + 1.5 = −0.035.
    // maxLateralAcc = π²·1.5/8 m/s² makes the sinusoidal offset take √(π²/2·1.5/a) = 2 s.
    const offset = '<LateralAction><LaneOffsetAction continuous="false"><LaneOffsetActionDynamics dynamicsShape="sinusoidal" maxLateralAcc="1.8505508252042546"/><LaneOffsetTarget><AbsoluteTargetLaneOffset value="1.5"/></LaneOffsetTarget></LaneOffsetAction></LateralAction>';
    const { rows, at } = run(straight('offset.xosc', { headstartTime: 2 }, atTime(3, offset, 'Offset')), 12);
    // The ghost moves first (t ≈ 1 s), the Ego only from t = 2.
    const ghostMoves = rows.find((r) => r.ghost[1] > -1.535 + 1e-3)!.t;
    const egoMoves = rows.find((r) => r.ego[1] > -1.535 + 1e-3)!.t;
    expect(ghostMoves).toBeGreaterThanOrEqual(1 - 1e-9);
    expect(ghostMoves).toBeLessThan(1.1);
    expect(egoMoves).toBeGreaterThanOrEqual(2 - 1e-9);
    for (const r of rows.filter((x) => x.t < 2)) expect(r.ego[1]).toBeCloseTo(-1.535, 9);
    expect(at(12).ego[1]).toBeCloseTo(-0.035, 1);
    expect(Math.abs(at(12).ego[1] + 0.035)).toBeLessThan(0.05);
    // It does not pass the ghost's line by more than its own path allows (the trail never goes beyond −0.035).
    expect(Math.max(...rows.map((r) => r.ego[1]))).toBeLessThan(-0.035 + 0.3);
  });
});

describe('FollowGhostController: esmini\'s follow_ghost.xosc (headstartTime 2.5, followMode position, look-aheads max(7 m, 0.5 s·v))', () => {
  const file = `${ESMINI}/follow_ghost.xosc`;

  it('is read without warnings about the ghost; SpeedEvent1 (on a storyboard state) starts with esmini\'s AddedGhostTeleport, at −2.5 s a plain teleport', () => {
    const warnings = loadScenario(file).warnings.filter((w) => /ghost|Ghost/.test(w));
    expect(warnings).toEqual([]);
    const { sim } = run(file, 0);
    const events = sim.drainEvents().filter((e) => e.type === 'action');
    const speedEvent = events.findIndex((e) => e.type === 'action' && e.name === 'AddedGhostTeleport');
    expect(speedEvent).toBeGreaterThanOrEqual(0);
    expect(events[speedEvent].tick).toBe(0);
  });

  it('the ghost\'s lane changes (SimulationTime 6 and 9, run 2.5 s early) happen at 3.51 s and 6.51 s, the end at 19.51 s, as esmini logs', () => {
    const { sim } = run(file, 25);
    const events = sim.drainEvents();
    const trig = (name: string) => events.find((e) => e.type === 'trigger' && e.element === name)!.t_ns / 1e9;
    // esmini's smoke test: "3.510 … LaneChangeCondition1: true", "19.510 … StopCondition: true".
    expect(trig('LaneChange1')).toBeCloseTo(3.51, 9);
    expect(trig('LaneChange2')).toBeCloseTo(6.51, 9);
    expect(sim.outcome?.t_ns).toBe(19.51e9);
  });

  it('puts the ghost and the Ego where esmini\'s smoke test logs them (reference points, 0.2 m; speed 0.1 m/s)', () => {
    const { at } = run(file, 2.6);
    // esmini (follow_ghost.xosc, its smoke test's log): the ghost's 0 → 100 km/h ramp held to
    // car_white's maxAcceleration 5 m/s²; at 2.06 s the ghost is at y = 102.1 m; at 2.55 s the
    // Ego is at y = 77.2 m doing 18.5 m/s.
    expect(Math.abs(at(2.06).ghost[1] - 102.1)).toBeLessThan(0.2);
    expect(Math.abs(at(2.55).ego[1] - 77.2)).toBeLessThan(0.2);
    expect(Math.abs(at(2.55).v - 18.5)).toBeLessThan(0.1);
  });

  it('the Ego changes lanes where the ghost did, later, and follows the ghost\'s speed ramps', () => {
    const { rows } = run(file, 19.5);
    // Lane −3 → −2 → −3. The road runs along +y: compare where (y) and when each crosses.
    const cross = (key: 'egoLane' | 'ghostLane', lane: number, after = 0) => rows.find((r) => r.t > after && r[key] === lane)!;
    const g1 = cross('ghostLane', -2), e1 = cross('egoLane', -2);
    const g2 = cross('ghostLane', -3, g1.t), e2 = cross('egoLane', -3, e1.t);
    expect(e1.t).toBeGreaterThan(g1.t);
    expect(e2.t).toBeGreaterThan(g2.t);
    expect(e2.t).toBeGreaterThan(e1.t);
    // Steering aims max(7, 0.5·27.8) = 13.9 m ahead on the trail: the Ego cuts into the new lane
    // at most that much before the ghost's crossing point, and no later than a few metres after.
    for (const [g, e] of [[g1, e1], [g2, e2]]) {
      expect(e.ego[1]).toBeGreaterThan(g.ghost[1] - 13.9);
      expect(e.ego[1]).toBeLessThan(g.ghost[1] + 5);
    }
    // Speeds: the ghost reaches 100 km/h before t = 0; the Ego gets there (a ≤ 10 m/s², esmini's
    // model) and holds it; where the ghost did 10 m/s (SpeedEvent2, 2 s ramp, then 1 s steady)
    // the Ego does 10 m/s too; it stops when the trail 7 m ahead stands still.
    const v = 100 / 3.6;
    const vmax = Math.max(...rows.map((r) => r.v));
    expect(vmax).toBeCloseTo(v, 2);
    expect(rows.every((r, i) => i === 0 || Math.abs(r.v - rows[i - 1].v) <= 10 * 0.01 + 1e-9)).toBe(true);
    // The ghost holds 10 m/s from 11.51 s to 12.51 s; 0.5 s (5 m) into that, the Ego's target
    // 7 m ahead has been 10 m/s for 5 m ≈ 0.45 s, five time constants of its speed loop (1/10 s).
    const tenAt = rows.find((r) => r.t >= 12.01 - 1e-9)!;
    const egoThere = rows.find((r) => r.ego[1] >= tenAt.ghost[1] - 7)!;
    expect(egoThere.v).toBeCloseTo(10, 1);
    const last = rows[rows.length - 1];
    expect(last.v).toBeLessThan(0.01);
    const gap = Math.hypot(last.ghost[0] - last.ego[0], last.ghost[1] - last.ego[1]);
    expect(gap).toBeGreaterThan(5);
    expect(gap).toBeLessThan(7);
  });
});

describe('FollowGhostController: a ghost restart (esmini\'s AddedGhostTeleport after t = 0)', () => {
  // The Ego (s = 20, 10 m/s, headstartTime 2) and Other (lane −1 s = 100, 10 m/s). The Ego's
  // event "Slow" (a step to 5 m/s, so the ghost's) starts when Other has travelled 50 m: a
  // condition of another entity, which esmini answers by teleporting the ghost back to the Ego
  // and running its head start again from there.
  function restart(name: string): string {
    const file = join(dir, name);
    const speed = (v: number) => `<LongitudinalAction><SpeedAction><SpeedActionDynamics dynamicsShape="step" value="0" dynamicsDimension="time"/><SpeedActionTarget><AbsoluteTargetSpeed value="${v}"/></SpeedActionTarget></SpeedAction></LongitudinalAction>`;
    const place = (who: string, s: number, more = '') => `<Private entityRef="${who}"><PrivateAction><TeleportAction><Position><LanePosition roadId="1" laneId="-1" offset="0" s="${s}"/></Position></TeleportAction></PrivateAction>
      <PrivateAction>${speed(10)}</PrivateAction>${more}</Private>`;
    writeFileSync(file, `<?xml version="1.0" encoding="UTF-8"?>
<OpenSCENARIO><FileHeader revMajor="1" revMinor="2" date="2026-01-01T00:00:00" description="${name}" author="roadcast tests"/>
<RoadNetwork><LogicFile filepath="${resolve('test/fixtures/esmini/xodr/straight_500m.xodr')}"/></RoadNetwork>
<Entities>${car('Ego', ghostController({ headstartTime: 2 }))}${car('Other', '')}</Entities>
<Storyboard><Init><Actions>${place('Ego', 20, '<PrivateAction><ActivateControllerAction longitudinal="true" lateral="true"/></PrivateAction>')}${place('Other', 100)}</Actions></Init>
<Story name="S"><Act name="A"><ManeuverGroup maximumExecutionCount="1" name="G"><Actors selectTriggeringEntities="false"><EntityRef entityRef="Ego"/></Actors>
  <Maneuver name="M"><Event name="Slow" priority="overwrite"><Action name="SlowA"><PrivateAction>${speed(5)}</PrivateAction></Action>
  <StartTrigger><ConditionGroup><Condition name="far" delay="0" conditionEdge="none"><ByEntityCondition><TriggeringEntities triggeringEntitiesRule="any"><EntityRef entityRef="Other"/></TriggeringEntities>
  <EntityCondition><TraveledDistanceCondition value="50"/></EntityCondition></ByEntityCondition></Condition></ConditionGroup></StartTrigger></Event></Maneuver></ManeuverGroup></Act></Story>
<StopTrigger/></Storyboard></OpenSCENARIO>`);
    return file;
  }

  it('puts the ghost on the Ego, rewinds 2 s and replays them: 10 m ahead at 5 m/s instead of 20 m at 10 m/s', () => {
    const { sim, rows } = run(restart('restart.xosc'), 7);
    const events = sim.drainEvents();
    const fired = events.find((e) => e.type === 'trigger' && e.element === 'Slow')!;
    const k = fired.tick;
    // Other has travelled 50 m at 10 m/s: about 5 s.
    expect(k * 0.01).toBeGreaterThan(4.95);
    expect(k * 0.01).toBeLessThan(5.05);
    const actions = events.filter((e) => e.type === 'action' && e.tick === k).map((e) => e.type === 'action' && e.name);
    expect(actions).toEqual(['AddedGhostTeleport', 'SlowA']);
    // Before: the ghost 2 s (20 m) ahead on the same line. At tick k the ghost started from the
    // Ego at 5 m/s (the step speed action started after the rewind) and ran 2 s: 10 m.
    expect(rows[k - 1].ghost[0] - rows[k - 1].ego[0]).toBeCloseTo(20, 6);
    expect(rows[k].ghost[0] - rows[k].ego[0]).toBeCloseTo(10, 6);
    expect(rows[k].ghost[1]).toBeCloseTo(rows[k].ego[1], 6);
    expect(rows[k].gv).toBeCloseTo(5, 9);
    // The trail was forgotten: it starts with the replay's first step, at time T − 2 + 0.01.
    const trail = sim.ghost!.trail.vertices;
    const T = k * 0.01;
    expect(trail[0].time).toBeCloseTo(T - 2 + 0.01, 9);
    expect(trail[0].x).toBeCloseTo(rows[k].ego[0] + 0.05, 6);
    // The Ego's first step after the restart chases the emptied trail (esmini's step before the
    // replay): speed target 0, a = −10 m/s², and no steering. Then the speed target (the trail
    // at t − 2 + 0.1) is 5 m/s: it brakes on at the 10 m/s² limit, 0.1 m/s a step while
    // 10·(v − 5) > 10, so 7.5 m/s 25 steps on.
    expect(rows[k].v).toBeCloseTo(10, 9);
    expect(rows[k + 1].v).toBeCloseTo(9.9, 9);
    expect(rows[k + 1].heading).toBeCloseTo(rows[k].heading, 12);
    expect(rows[k + 25].v).toBeCloseTo(7.5, 9);
  });
});

describe('FollowTrajectoryAction followingMode="follow"', () => {
  it('keeps the reference point on the curve, as esmini does (it spawns no ghost for a trajectory): distance 0 within rounding', () => {
    // esmini's FollowTrajectoryAction moves the entity along the trajectory in both modes
    // (MoveTrajectoryDS / SetTrajectoryPosByTime); "follow" changes only the heading blend and
    // the timing of timed vertices. Polyline (20, −1.535) → (60, −1.535) → (100, 5) at the
    // entity's own 10 m/s: its 40 + √(40² + 6.535²) = 80.53 m take 8.05 s.
    const file = join(dir, 'follow-mode.xosc');
    const w = (x: number, y: number) => `<Position><WorldPosition x="${x}" y="${y}" z="0" h="0"/></Position>`;
    writeFileSync(file, `<?xml version="1.0" encoding="UTF-8"?>
<OpenSCENARIO><FileHeader revMajor="1" revMinor="2" date="2026-01-01T00:00:00" description="follow mode" author="roadcast tests"/>
<RoadNetwork><LogicFile filepath="${resolve('test/fixtures/esmini/xodr/straight_500m.xodr')}"/></RoadNetwork>
<Entities>${car('Ego', '')}</Entities>
<Storyboard><Init><Actions><Private entityRef="Ego">
  <PrivateAction><TeleportAction>${w(20, -1.535)}</TeleportAction></PrivateAction>
  <PrivateAction><LongitudinalAction><SpeedAction><SpeedActionDynamics dynamicsShape="step" value="0" dynamicsDimension="time"/><SpeedActionTarget><AbsoluteTargetSpeed value="10"/></SpeedActionTarget></SpeedAction></LongitudinalAction></PrivateAction>
  <PrivateAction><RoutingAction><FollowTrajectoryAction><Trajectory name="t" closed="false"><Shape><Polyline>
    <Vertex>${w(20, -1.535)}</Vertex><Vertex>${w(60, -1.535)}</Vertex><Vertex>${w(100, 5)}</Vertex></Polyline></Shape></Trajectory>
    <TimeReference><None/></TimeReference><TrajectoryFollowingMode followingMode="follow"/></FollowTrajectoryAction></RoutingAction></PrivateAction>
</Private></Actions></Init><StopTrigger/></Storyboard></OpenSCENARIO>`);
    const scenario = loadScenario(file);
    expect(scenario.warnings.some((x) => /followingMode="follow" keeps the reference point on the trajectory, as esmini does/.test(x))).toBe(true);
    const sim = new Simulation(scenario);
    expect(sim.ghost).toBeUndefined();
    const ego = sim.actor('Ego')!;
    const segDist = (p: [number, number], a: [number, number], b: [number, number]) => {
      const dx = b[0] - a[0], dy = b[1] - a[1];
      const f = Math.min(Math.max(((p[0] - a[0]) * dx + (p[1] - a[1]) * dy) / (dx * dx + dy * dy), 0), 1);
      return Math.hypot(a[0] + f * dx - p[0], a[1] + f * dy - p[1]);
    };
    for (let i = 0; i < 800; i++) {
      sim.step();
      const p = ego.reference;
      expect(Math.min(segDist(p, [20, -1.535], [60, -1.535]), segDist(p, [60, -1.535], [100, 5]))).toBeLessThan(1e-6);
    }
  });
});
