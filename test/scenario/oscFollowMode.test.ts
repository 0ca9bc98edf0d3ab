import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadScenario } from '../../src/scenario/loadScenario.js';
import { Simulation } from '../../src/sim/Simulation.js';
import { polyline } from '../../src/sim/TrajectoryPolyline.js';
import type { WorldState } from '../../src/sim/WorldState.js';

// A polyline FollowTrajectoryAction in followingMode "position" and "follow", against values
// derived by hand from esmini's rules (RoadManager.cpp PolyLineBase::EvaluateSegmentByLocalS,
// PolyLineShape::CalculatePolyLine / Evaluate): the corner blend within min(2 m, len/2) of a
// corner vs the turn across each whole segment; timed vertices linear in time vs one constant
// acceleration a = 2(Δs − vΔt)/Δt² per segment from the entity's speed.

const P = Math.PI;
const pt = (x: number, y: number) => ({ x, y, heading: 0 });
// L-shape: (10, 0) → (30, 0) → (30, 20); segments of 20 m heading 0 and π/2.
const L = [pt(10, 0), pt(30, 0), pt(30, 20)];

describe('polyline heading (L-shape, 20 m legs)', () => {
  it('position mode: the segment direction, blended only within 2 m of the corner', () => {
    const c = polyline(L, [undefined, undefined, undefined], 'position');
    expect(c.pose(10).heading).toBeCloseTo(0, 12); // mid first leg
    // 1 m before the corner: r = min(2, 20/2) = 2, w = (2 + 1)/(2·2) = 0.75, h = 0 + 0.25·π/2.
    expect(c.pose(19).heading).toBeCloseTo(P / 8, 12);
    expect(c.pose(20).heading).toBeCloseTo(P / 4, 12); // at the corner: half-way
    // 1 m after: (2 + 1)/(2·2) = 0.75 of the way from 0 to π/2.
    expect(c.pose(21).heading).toBeCloseTo((3 * P) / 8, 12);
    expect(c.pose(17.5).heading).toBeCloseTo(0, 12); // 2.5 m before: outside the blend
    expect(c.pose(22.5).heading).toBeCloseTo(P / 2, 12);
    expect(c.pose(30).heading).toBeCloseTo(P / 2, 12); // mid second leg
    expect(c.pose(39).heading).toBeCloseTo(P / 2, 12); // last leg ends on its own direction
    const p = c.pose(19);
    expect([p.x, p.y]).toEqual([29, 0]); // the position stays on the chord
  });

  it('position mode: a short leg blends within half its length', () => {
    // (0,0) → (2,0) → (2,2): r = min(2, 2/2) = 1. At 0.5 m before the corner w = (1 + 0.5)/2.
    const c = polyline([pt(0, 0), pt(2, 0), pt(2, 2)], [undefined, undefined, undefined], 'position');
    expect(c.pose(1.5).heading).toBeCloseTo((1 - 0.75) * (P / 2), 12);
    expect(c.pose(0.5).heading).toBeCloseTo(0, 12); // first leg: nothing before it to blend
  });

  it('follow mode: the heading turns linearly across the whole segment toward the next one', () => {
    const c = polyline(L, [undefined, undefined, undefined], 'follow');
    expect(c.pose(10).heading).toBeCloseTo(P / 4, 12); // mid first leg: 0.5·π/2
    expect(c.pose(19).heading).toBeCloseTo((19 / 20) * (P / 2), 12); // 1 m before the corner
    expect(c.pose(5).heading).toBeCloseTo((5 / 20) * (P / 2), 12);
    expect(c.pose(20).heading).toBeCloseTo(P / 2, 12);
    expect(c.pose(30).heading).toBeCloseTo(P / 2, 12); // the last leg turns toward itself
  });

  it('turns the short way across ±π', () => {
    // West (π) then south-west-ish: heading −3π/4; the turn is +π/4, not −7π/4.
    const c = polyline([pt(0, 0), pt(-10, 0), pt(-20, -10)], [undefined, undefined, undefined], 'follow');
    const h = c.pose(5).heading;
    expect(Math.atan2(Math.sin(h), Math.cos(h))).toBeCloseTo(-(7 * P) / 8, 12);
  });
});

describe('polyline heading written on a vertex (esmini keeps a vertex\'s h)', () => {
  // L-shape, the corner vertex writing h = π/4 (a WorldPosition's h or an Orientation's h): its
  // heading is π/4 instead of the leaving segment's π/2; the others stay computed (0, π/2).
  const given = [undefined, P / 4, undefined];

  it('position mode: the written heading is the corner vertex\'s, blended at the corner as any', () => {
    const c = polyline(L, [undefined, undefined, undefined], 'position', 0, given);
    expect(c.pose(10).heading).toBeCloseTo(0, 12); // first leg: vertex 0's heading
    // 1 m before the corner: w = (2 + 1)/(2·2) = 0.75, h = 0 + 0.25·(π/4 − 0).
    expect(c.pose(19).heading).toBeCloseTo(P / 16, 12);
    expect(c.pose(20).heading).toBeCloseTo(P / 8, 12); // half-way at the corner
    expect(c.pose(30).heading).toBeCloseTo(P / 4, 12); // mid second leg: the written π/4
    // Last leg, 1 m before its end: w = (20 − 19)/2 = 0.5, h = π/4 + 0.5·(π/2 − π/4).
    expect(c.pose(39).heading).toBeCloseTo((3 * P) / 8, 12);
    expect(c.pose(40).heading).toBeCloseTo(P / 2, 12); // the last vertex's computed heading
  });

  it('follow mode: turns across each leg between the (written or computed) vertex headings', () => {
    const c = polyline(L, [undefined, undefined, undefined], 'follow', 0, given);
    expect(c.pose(10).heading).toBeCloseTo(P / 8, 12); // 0 + 0.5·π/4
    expect(c.pose(30).heading).toBeCloseTo((3 * P) / 8, 12); // π/4 + 0.5·(π/2 − π/4)
  });

  it('a written h = 0 counts as written (esmini reads any h attribute: H_ABS)', () => {
    const c = polyline(L, [undefined, undefined, undefined], 'position', 0, [0, 0, 0]);
    expect(c.pose(30).heading).toBeCloseTo(0, 12);
    expect(c.pose(20).heading).toBeCloseTo(0, 12);
  });
});

describe('timed polyline', () => {
  it('follow mode: constant acceleration per segment from the entity\'s speed', () => {
    // v0 = 5. Leg 1: Δs 20, Δt 2: a = 2(20 − 5·2)/2² = 5, v1 = 15. Leg 2: a = 2(20 − 30)/4 = −5, v2 = 5.
    const c = polyline(L, [0, 2, 4], 'follow', 5);
    expect(c.sAtTime!(1)).toBeCloseTo(5 + 2.5, 12); // s = v0·1 + 5·1²/2
    expect(c.sAtTime!(2)).toBeCloseTo(20, 12);
    expect(c.sAtTime!(3)).toBeCloseTo(20 + 15 - 2.5, 12);
    expect(c.sAtTime!(4)).toBeCloseTo(40, 12);
    expect(c.sAtTime!(-1)).toBe(0);
    expect(c.sAtTime!(5)).toBe(40);
    // time(s) stays linear in s within a segment (esmini's vertex time interpolation).
    expect(c.time!(10)).toBeCloseTo(1, 12);
  });

  it('follow mode: a leg that would need reversing brakes to a stop at its vertex and waits', () => {
    // v0 = 10, leg 1 of 5 m in 2 s: 2(5 − 20)/4 = −7.5 would reverse (10 − 15 < 0), so
    // a = −10²/(2·5) = −10: stops at 1 s exactly on the vertex. Leg 2 from rest: a = 2·20/2² = 10.
    const c = polyline([pt(0, 0), pt(5, 0), pt(25, 0)], [0, 2, 4], 'follow', 10);
    expect(c.sAtTime!(0.5)).toBeCloseTo(10 * 0.5 - 5 * 0.25, 12);
    expect(c.sAtTime!(1.5)).toBeCloseTo(5, 12);
    expect(c.sAtTime!(3)).toBeCloseTo(5 + 5, 12);
  });

  it('position mode: linear in time whatever the entity\'s speed', () => {
    const c = polyline(L, [0, 2, 4], 'position', 5);
    expect(c.sAtTime!(1)).toBeCloseTo(10, 12);
    expect(c.sAtTime!(3)).toBeCloseTo(30, 12);
  });

  it('speedAt: esmini\'s vertex speeds, blended linearly in s within a segment', () => {
    // Position mode, times 0, 2, 5: vertex speeds 20/2 = 10, 20/3, and 0 at the last vertex.
    const p = polyline(L, [0, 2, 5], 'position', 5);
    expect(p.speedAt!(0)).toBeCloseTo(10, 12);
    expect(p.speedAt!(10)).toBeCloseTo(0.5 * 10 + 0.5 * (20 / 3), 12);
    expect(p.speedAt!(30)).toBeCloseTo(0.5 * (20 / 3), 12);
    expect(p.speedAt!(40)).toBe(0);
    // Follow mode: v0 = 5 (the entity's), v1 = 15, v2 = 5 (as above).
    const f = polyline(L, [0, 2, 4], 'follow', 5);
    expect(f.speedAt!(0)).toBe(5);
    expect(f.speedAt!(30)).toBeCloseTo(10, 12);
  });
});

const dir = mkdtempSync(join(tmpdir(), 'osc-follow-mode-'));
const world = (x: number, y: number) => `<Position><WorldPosition x="${x}" y="${y}" z="0"/></Position>`;

function scenario(mode: string): string {
  const file = join(dir, `${mode}.xosc`);
  writeFileSync(file, `<?xml version="1.0" encoding="UTF-8"?>
<OpenSCENARIO><FileHeader revMajor="1" revMinor="2" date="2026-01-01T00:00:00" description="follow mode" author="roadcast tests"/>
<RoadNetwork><LogicFile filepath="${resolve('test/fixtures/esmini/xodr/straight_500m.xodr')}"/></RoadNetwork>
<Entities><ScenarioObject name="Ego"><Vehicle name="Ego" vehicleCategory="car"><BoundingBox>
  <Center x="1.4" y="0" z="0.75"/><Dimensions width="2" length="4.5" height="1.5"/></BoundingBox><Performance maxSpeed="70" maxAcceleration="10" maxDeceleration="10"/>
  <Axles><FrontAxle maxSteering="0.5" wheelDiameter="0.6" trackWidth="1.8" positionX="2.8" positionZ="0.3"/><RearAxle maxSteering="0" wheelDiameter="0.6" trackWidth="1.8" positionX="0" positionZ="0.3"/></Axles>
  <Properties/></Vehicle></ScenarioObject></Entities>
<Storyboard><Init><Actions><Private entityRef="Ego">
  <PrivateAction><TeleportAction>${world(10, 0)}</TeleportAction></PrivateAction>
  <PrivateAction><LongitudinalAction><SpeedAction><SpeedActionDynamics dynamicsShape="step" value="0" dynamicsDimension="time"/>
    <SpeedActionTarget><AbsoluteTargetSpeed value="5"/></SpeedActionTarget></SpeedAction></LongitudinalAction></PrivateAction>
  <PrivateAction><RoutingAction><FollowTrajectoryAction><Trajectory name="t" closed="false"><Shape><Polyline>
    <Vertex time="0">${world(10, 0)}</Vertex><Vertex time="2">${world(30, 0)}</Vertex><Vertex time="4">${world(30, 20)}</Vertex></Polyline></Shape></Trajectory>
    <TimeReference><Timing domainAbsoluteRelative="absolute" scale="1" offset="0"/></TimeReference><TrajectoryFollowingMode followingMode="${mode}"/></FollowTrajectoryAction></RoutingAction></PrivateAction>
</Private></Actions></Init><StopTrigger/></Storyboard></OpenSCENARIO>`);
  return file;
}

function run(file: string, seconds: number): WorldState[] {
  const sim = new Simulation(loadScenario(file));
  const out = [sim.state()];
  for (let i = 0; i < Math.round(seconds / sim.scenario.step) && !sim.finished; i++) out.push(sim.step());
  return out;
}

describe('FollowTrajectoryAction followingMode in a scenario (timed L, entity at 5 m/s)', () => {
  const refPoint = (s: WorldState): [number, number, number, number] => {
    const a = s.actors.find((x) => x.id === 'Ego')!;
    return [a.pose.p[0] - 1.4 * Math.cos(a.heading), a.pose.p[1] - 1.4 * Math.sin(a.heading), a.heading, a.speed];
  };

  it('follow: mid-leg position and speed from a = 2(Δs − vΔt)/Δt², heading turned across the leg', () => {
    const ss = run(scenario('follow'), 4);
    // At the start the speed is the trajectory's there: in follow mode the entity's own 5 m/s.
    expect(refPoint(ss[0])[3]).toBeCloseTo(5, 12);
    // t = 1: s = 5·1 + 5·1²/2 = 7.5 → (17.5, 0); heading 7.5/20 of the way to π/2. The speed is
    // the last 0.01 s step's distance over 0.01 s: v0 + a·(1 − 0.005) = 5 + 5·0.995.
    const [x1, y1, h1, v1] = refPoint(ss[100]);
    expect(x1).toBeCloseTo(17.5, 9);
    expect(y1).toBeCloseTo(0, 9);
    expect(h1).toBeCloseTo((7.5 / 20) * (P / 2), 9);
    expect(v1).toBeCloseTo(9.975, 9);
    // t = 3: s = 20 + 15·1 − 5·1²/2 = 32.5 → (30, 12.5); speed 15 − 5·0.995.
    const [x3, y3, h3, v3] = refPoint(ss[300]);
    expect(x3).toBeCloseTo(30, 9);
    expect(y3).toBeCloseTo(12.5, 9);
    expect(h3).toBeCloseTo(P / 2, 9);
    expect(v3).toBeCloseTo(10.025, 9);
  });

  it('position: each vertex at its time, linear in between; heading the leg\'s away from corners', () => {
    const ss = run(scenario('position'), 4);
    // esmini's Start sets the speed to the first segment's timed speed, 20 m / 2 s = 10 m/s,
    // replacing the entity's 5 m/s before the first step.
    expect(refPoint(ss[0])[3]).toBeCloseTo(10, 12);
    const [x1, y1, h1, v1] = refPoint(ss[100]);
    expect(x1).toBeCloseTo(20, 9);
    expect(y1).toBeCloseTo(0, 9);
    expect(h1).toBeCloseTo(0, 9);
    expect(v1).toBeCloseTo(10, 9);
    // t = 1.9: s = 19, 1 m before the corner: h = 0.25·π/2.
    expect(refPoint(ss[190])[2]).toBeCloseTo(P / 8, 9);
  });

  it('no warning says follow mode differs from esmini', () => {
    const w = loadScenario(scenario('follow')).warnings;
    expect(w.some((x) => /roadcast keeps/.test(x))).toBe(false);
  });
});
