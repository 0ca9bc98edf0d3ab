// Criticality metrics against hand calculations (definitions: Westhofen et al. 2023, see
// src/sim/Criticality.ts), and the ego's metrics and infractions in a run.
import { describe, expect, it } from 'vitest';
import { boxDistance, boxTimeToCollision, closestEncounter, decelerationToSafetyTime, headwayTime } from '../../src/sim/Criticality.js';
import { DST_SAFETY_TIME } from '../../src/sim/CriticalityMonitor.js';
import { Simulation } from '../../src/sim/Simulation.js';
import { makeScenario } from './fixtures.js';

const car = (x: number, y: number, heading: number, vx: number, vy: number) => ({ x, y, heading, length: 4, width: 2, vx, vy });

describe('criticality metrics by hand', () => {
  it('TTC of footprints: following, head-on, crossing, overlapping, never', () => {
    // Following: centres 24 m apart, 20 m between bumpers, closing at 5 m/s → 4 s.
    expect(boxTimeToCollision(car(0, 0, 0, 15, 0), car(24, 0, 0, 10, 0))).toBeCloseTo(4, 12);
    // Head-on at 10 + 10 m/s, 36 m between bumpers → 1.8 s.
    expect(boxTimeToCollision(car(0, 0, 0, 10, 0), car(40, 0, Math.PI, -10, 0))).toBeCloseTo(1.8, 12);
    // Crossing: A along +x from x = -30 at 10 m/s; B along +y from y = -20 at 5 m/s, at x = 0.
    // A's front reaches B's left side (x = -1) when 10 t = 27 → t = 2.7 s; B's front (y = -20 + 2 + 5t)
    // must be past A's right side (y = -1) then: -18 + 13.5 = -4.5 < -1, not yet. B's front reaches
    // y = -1 at t = 3.4 s, when A's rear (x = -32 + 34 = 2) has passed x = -1... so no contact:
    expect(boxTimeToCollision(car(-30, 0, 0, 10, 0), car(0, -20, Math.PI / 2, 0, 5))).toBe(Infinity);
    // B at 8 m/s instead: its front reaches y = -1 at t = 17/8 = 2.125 s; A's front reaches x = -1
    // at 2.7 s while B still spans y ∈ [-20 + 8t − 2, …] ∋ 0 → contact at 2.7 s.
    expect(boxTimeToCollision(car(-30, 0, 0, 10, 0), car(0, -20, Math.PI / 2, 0, 8))).toBeCloseTo(2.7, 12);
    expect(boxTimeToCollision(car(0, 0, 0, 0, 0), car(3, 0, 0, 0, 0))).toBe(0);
    expect(boxTimeToCollision(car(0, 0, 0, 10, 0), car(0, 10, 0, 10, 0))).toBe(Infinity);
  });

  it('closest encounter, headway time, DST and footprint distance', () => {
    // A at the origin at 10 m/s along x, B standing at (50, 6): closest at t = 5 s, 6 m apart.
    const e = closestEncounter(car(0, 0, 0, 10, 0), car(50, 6, 0, 0, 0));
    expect(e.time).toBeCloseTo(5, 12);
    expect(e.distance).toBeCloseTo(6, 12);
    expect(headwayTime(30, 15)).toBe(2);
    expect(headwayTime(30, 0)).toBe(Infinity);
    // (20 − 10)² / (2 (40 − 10 · 1)) = 100 / 60.
    expect(decelerationToSafetyTime(20, 10, 40, 1)).toBeCloseTo(100 / 60, 12);
    expect(decelerationToSafetyTime(10, 20, 40, 1)).toBe(0);
    expect(decelerationToSafetyTime(20, 10, 5, 1)).toBe(Infinity);
    // Side by side 3 m apart centre to centre, 2 m wide: 1 m between them.
    expect(boxDistance(car(0, 0, 0, 0, 0), car(0, 3, 0, 0, 0))).toBeCloseTo(1, 12);
  });
});

describe('the ego\'s metrics in a run', () => {
  it('follow the analytic TTC, THW and DST of a car closing on a slower lead at constant speeds', () => {
    // Both keep their lanes and speeds (no car following): ego 20 m/s from s = 10, lead 10 m/s from s = 70.
    const scenario = makeScenario({ actors: [
      { id: 'ego', kind: 'car', ego: true, road: '1', lane: -1, s: 10, speed: 20 },
      { id: 'lead', kind: 'car', road: '1', lane: -1, s: 70, speed: 10 },
    ] });
    const sim = new Simulation(scenario, 1);
    for (let i = 0; i < 100; i++) sim.step();
    const state = sim.state();
    const ego = state.actors.find((a) => a.id === 'ego')!, lead = state.actors.find((a) => a.id === 'lead')!;
    // The bumper gap from the reported poses and boxes (centres at pose + centre x).
    const centre = (a: typeof ego) => a.s + (a.box.center?.[0] ?? 0);
    const gap = centre(lead) - lead.box.length / 2 - (centre(ego) + ego.box.length / 2);
    // After 1 s the centres close from 60 m (plus the builds' centre offsets) by 10 m.
    expect(centre(lead) - centre(ego)).toBeCloseTo(50 + (lead.box.center?.[0] ?? 0) - (ego.box.center?.[0] ?? 0), 6);
    const m = sim.criticality.latest!;
    expect(m.lead?.id).toBe('lead');
    expect(m.lead!.headway).toBeCloseTo(gap, 3);
    expect(m.lead!.thw).toBeCloseTo(gap / 20, 3);
    expect(m.lead!.dst).toBeCloseTo((20 - 10) ** 2 / (2 * (gap - 10 * DST_SAFETY_TIME)), 3);
    expect(m.others.find((o) => o.id === 'lead')!.ttc).toBeCloseTo(gap / 10, 3);
    expect(m.speed).toBeCloseTo(20, 9);
  });

  it('reports speeding once when a driver passes the limit, with speed and limit', () => {
    // The fixture road's limit is 100 km/h; a lane keeper told to ignore it drives at 30 m/s.
    const scenario = makeScenario({ actors: [{ id: 'ego', kind: 'car', ego: true, road: '1', lane: -1, s: 10, speed: 20, controllers: [{ type: 'laneKeeping', targetSpeed: 30, respectSpeedLimit: false }] }] });
    const sim = new Simulation(scenario, 1);
    const events = [];
    for (let i = 0; i < 1000; i++) events.push(...sim.step().events.filter((e) => e.type === 'speeding'));
    expect(events.length).toBe(1);
    const e = events[0] as { speed: number; limit: number; t_ns: number };
    expect(e.limit).toBeCloseTo(100 / 3.6, 9);
    expect(e.speed).toBeGreaterThan(100 / 3.6 + 1 / 3.6);
    expect(e.speed - 1 / 3.6 - 100 / 3.6).toBeLessThan(0.1);
  });

  it('reports a car on the sidewalk, against its lane and off the road, once each', () => {
    // The fixture road along +x: lane 1 (y 0..3.5) is driven toward −x, the right sidewalk -4 spans
    // y −10.5..−12.5, and y = −30 is off the road. Each car drives east at 5 m/s for 1 s.
    const cases: [number, string, number][] = [[-11.5, 'sidewalk', -4], [1.75, 'wrongWay', 1], [-30, 'offRoad', 0]];
    for (const [y, type, lane] of cases) {
      const scenario = makeScenario({ actors: [{ id: 'ego', kind: 'car', ego: true, position: { type: 'world', x: 100, y, heading: 0 }, speed: 5 }] } as never);
      const sim = new Simulation(scenario, 1);
      const events = [];
      for (let i = 0; i < 100; i++) events.push(...sim.step().events.filter((e) => ['sidewalk', 'wrongWay', 'offRoad', 'speeding'].includes(e.type)));
      expect(events.map((e) => [e.type, (e as { lane: number }).lane])).toEqual([[type, lane]]);
    }
  });
});

