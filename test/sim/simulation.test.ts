import { describe, expect, it } from 'vitest';
import { idmEquilibriumGap, IDM_DEFAULTS } from '../../src/scenario/controllers/Idm.js';
import { drawActorBuild } from '../../src/sim/BodyStyles.js';
import { Simulation } from '../../src/sim/Simulation.js';
import { LANE_WIDTH, makeScenario, run, SIDEWALK } from './fixtures.js';

const actor = (state: { actors: { id: string }[] }, id: string) => state.actors.find((a) => a.id === id)! as ReturnType<typeof find>;
function find(state: import('../../src/sim/WorldState.js').WorldState, id: string) {
  return state.actors.find((a) => a.id === id)!;
}

describe('vehicles', () => {
  it('keep their lane centre on a straight road at their speed, with road coordinates', () => {
    const scenario = makeScenario({ actors: [{ id: 'ego', kind: 'car', ego: true, road: '1', lane: -2, s: 10, speed: 20 }] });
    const { states } = run(scenario, 5);
    const ego = find(states[500], 'ego');
    expect(ego.pose.p[0]).toBeCloseTo(10 + 100, 6);
    expect(ego.pose.p[1]).toBeCloseTo(-1.5 * LANE_WIDTH, 9);
    expect(ego.s).toBeCloseTo(110, 6);
    expect(ego.t).toBeCloseTo(-5.25, 9);
    expect(ego.lane).toBe(-2);
    expect(ego.road).toBe('1');
    expect(ego.velocity[0]).toBeCloseTo(20, 9);
    // The box is the car's drawn style and size, from the seed and its id.
    const build = drawActorBuild(scenario.seed, 'ego', 'car');
    expect(ego.style).toBe(build.style);
    expect(ego.box).toEqual({ length: build.length, width: build.width, height: build.height, center: [0, 0, build.height / 2] });
  });

  it('follow a curved lane with the bicycle model to within a few centimetres', () => {
    const scenario = makeScenario({ actors: [{ id: 'ego', kind: 'car', ego: true, road: '1', lane: -1, s: 20, speed: 15 }] }, 'curved');
    const { states } = run(scenario, 20);
    // Arc of radius 200 about (100, 200); lane -1's centre is at radius 200 + 1.75.
    let worst = 0;
    for (const state of states.slice(1000)) {
      const ego = find(state, 'ego');
      const r = Math.hypot(ego.pose.p[0] - 100, ego.pose.p[1] - 200);
      worst = Math.max(worst, Math.abs(r - 201.75));
    }
    expect(find(states[2000], 'ego').s).toBeGreaterThan(300);
    expect(worst).toBeLessThan(0.03);
  });

  it('IDM following converges to the analytic equilibrium gap', () => {
    const scenario = makeScenario({
      actors: [
        { id: 'ego', kind: 'car', ego: true, road: '1', lane: -1, s: 10, speed: 25, controllers: [{ type: 'idm', desiredSpeed: 25 }] },
        { id: 'lead', kind: 'car', road: '1', lane: -1, s: 90, speed: 20 },
      ],
    });
    const { states } = run(scenario, 90);
    const last = states[states.length - 1];
    const ego = find(last, 'ego');
    const lead = find(last, 'lead');
    const gap = lead.s - ego.s - 4.6;
    // Below the road's 100 km/h limit, so v0 is the IDM's own desired speed.
    const expected = idmEquilibriumGap(IDM_DEFAULTS, 25, 20);
    expect(expected).toBeCloseTo((2 + 20 * 1.5) / Math.sqrt(1 - 0.8 ** 4), 9);
    expect(Math.abs(gap - expected)).toBeLessThan(0.05);
    expect(ego.speed).toBeCloseTo(20, 2);
  });

  it('turn a contact into one collision event naming both actors with the plastic impulse', () => {
    const scenario = makeScenario({
      actors: [
        { id: 'ego', kind: 'car', ego: true, road: '1', lane: -1, s: 10, speed: 20 },
        { id: 'parked', kind: 'parked_car', road: '1', lane: -1, s: 50 },
      ],
    });
    const { sim, states } = run(scenario, 3);
    const collisions = states.flatMap((s) => s.events).filter((e) => e.type === 'collision');
    expect(collisions).toHaveLength(1);
    const c = collisions[0] as Extract<typeof collisions[0], { type: 'collision' }>;
    expect(c.actors).toEqual(['ego', 'parked']);
    // Contact when the bumpers meet: 40 m − 4.6 m at 20 m/s.
    expect(c.t_ns / 1e9).toBeCloseTo((40 - 4.6) / 20, 1);
    expect(c.impulse).toBeCloseTo(((1500 * 1500) / 3000) * 20, -1);
    expect(sim.drainEvents().length).toBeGreaterThan(0);
  });

  it('take external throttle, brake and steering commands', () => {
    const scenario = makeScenario({ actors: [{ id: 'ego', kind: 'car', ego: true, road: '1', lane: -1, s: 10, speed: 10, controllers: [{ type: 'external' }] }] });
    const sim = new Simulation(scenario);
    expect(sim.acceptsCommands()).toBe(true);
    expect(sim.command({ throttle: 0.5 })).toBeUndefined();
    let state = sim.state();
    for (let i = 0; i < 100; i++) state = sim.step();
    expect(find(state, 'ego').speed).toBeCloseTo(10 + 0.5 * 4 * 1, 9);
    sim.command({ speed: 12, lane: -2 });
    for (let i = 0; i < 600; i++) state = sim.step();
    expect(find(state, 'ego').speed).toBeCloseTo(12, 6);
    expect(find(state, 'ego').lane).toBe(-2);
    sim.command({ steer: 0.1 });
    const before = find(state, 'ego').heading;
    for (let i = 0; i < 50; i++) state = sim.step();
    expect(find(state, 'ego').heading).toBeGreaterThan(before);
  });

  it('moves a pedestrian over the road surface and the kerb height from the network', () => {
    const scenario = makeScenario({ actors: [
      { id: 'ego', kind: 'car', ego: true, road: '1', lane: -1, s: 10 },
      { id: 'p', kind: 'pedestrian', road: '1', lane: -4, s: 100, controllers: [{ type: 'pedestrian', mode: 'walk', speed: 1.2 }] },
    ] });
    const { states } = run(scenario, 2);
    const p = find(states[200], 'p');
    expect(p.pose.p[0]).toBeCloseTo(102.4, 6);
    expect(p.t).toBeCloseTo(-3 * LANE_WIDTH - SIDEWALK / 2, 6);
    // On the sidewalk's surface, which the road mesh raises by a 15 cm kerb where the lane gives no <height>.
    expect(p.pose.p[2]).toBeCloseTo(0.15, 9);
    expect(find(states[200], 'ego').pose.p[2]).toBe(0);
  });
});

describe('determinism', () => {
  it('the same seed gives byte-identical world states', () => {
    const make = () => makeScenario({
      actors: [
        { id: 'ego', kind: 'car', ego: true, road: '1', lane: -1, s: 10, speed: 25, controllers: [{ type: 'idm' }, { type: 'mobil' }] },
        ...Array.from({ length: 12 }, (_, i) => ({ id: `c${i}`, kind: (['car', 'van', 'truck', 'bus'] as const)[i % 4], road: '1', lane: -1 - (i % 3), s: 30 + 25 * i, speed: 15 + (i % 5), controllers: [{ type: 'idm' as const }, { type: 'mobil' as const }] })),
      ],
    });
    const a = run(make(), 20).states.map((s) => JSON.stringify(s)).join('\n');
    const b = run(make(), 20).states.map((s) => JSON.stringify(s)).join('\n');
    expect(a.length).toBeGreaterThan(1000);
    expect(a === b).toBe(true);
  });
});

void actor;

describe('MOBIL', () => {
  it('overtakes a slow leader when the neighbouring lane is free, and stays when it is not worth it', () => {
    const make = (leaderSpeed: number, at = 80) => makeScenario({
      actors: [
        { id: 'ego', kind: 'car', ego: true, road: '1', lane: -1, s: 10, speed: 25, controllers: [{ type: 'idm', desiredSpeed: 25 }, { type: 'mobil' }] },
        { id: 'slow', kind: 'truck', road: '1', lane: -1, s: at, speed: leaderSpeed },
      ],
    });
    const slow = run(make(12), 20).states;
    const start = slow.flatMap((s) => s.events).find((e) => e.type === 'laneChangeStart');
    expect(start).toMatchObject({ actor: 'ego', from: -1, to: -2, reason: 'mobil' });
    const last = slow[slow.length - 1];
    expect(find(last, 'ego').lane).toBe(-2);
    expect(find(last, 'ego').s).toBeGreaterThan(find(last, 'slow').s);
    // A leader far ahead at the ego's own desired speed costs less than the threshold.
    const fast = run(make(25, 250), 20).states;
    expect(fast.flatMap((s) => s.events).some((e) => e.type === 'laneChangeStart')).toBe(false);
  });
});
