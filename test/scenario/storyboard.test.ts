import { describe, expect, it } from 'vitest';
import type { WorldState } from '../../src/sim/WorldState.js';
import { LANE_WIDTH, makeScenario, run, SIDEWALK } from '../sim/fixtures.js';

function find(state: WorldState, id: string) {
  return state.actors.find((a) => a.id === id)!;
}
const eventsOf = (states: WorldState[], type: string) => states.flatMap((s) => s.events).filter((e) => e.type === type);

describe('storyboard', () => {
  it('a trigger fires on the tick its condition first holds', () => {
    const scenario = makeScenario({
      actors: [{ id: 'ego', kind: 'car', ego: true, road: '1', lane: -1, s: 5, speed: 10 }],
      storyboard: {
        events: [
          { name: 'atTime', trigger: { type: 'simulationTime', value: 2, rule: 'greaterThan' }, actions: [{ type: 'laneOffset', actor: 'ego', offset: 0, dynamics: { shape: 'step', value: 0 } }] },
          { name: 'atS', trigger: { type: 'roadS', entity: 'ego', road: '1', s: 55.55 }, actions: [{ type: 'laneOffset', actor: 'ego', offset: 0, dynamics: { shape: 'step', value: 0 } }] },
          { name: 'fast', trigger: { type: 'speed', entity: 'ego', value: 15, rule: 'greaterOrEqual', edge: 'rising' }, actions: [{ type: 'end', outcome: 'success', reason: 'fast enough' }] },
          { name: 'accelerate', trigger: { type: 'timeSince', element: 'atS', value: 1 }, actions: [{ type: 'speed', actor: 'ego', target: 20, dynamics: { shape: 'linear', dimension: 'rate', value: 2 } }] },
        ],
      },
    });
    const { states, sim } = run(scenario, 12);
    const triggerTick = (name: string) => eventsOf(states, 'trigger').find((e) => e.type === 'trigger' && e.element === name)?.tick;
    // SimulationTime > 2 s first holds at t = 2.01 s.
    expect(triggerTick('atTime')).toBe(201);
    // s = 5 + 10 t reaches 55.55 at t = 5.055 s: the first tick at or after it is 506.
    const firstTick = states.findIndex((s) => find(s, 'ego').s >= 55.55);
    expect(firstTick).toBe(506);
    expect(triggerTick('atS')).toBe(506);
    // One second after that event started, the speed ramps at 2 m/s² from 10: 15 m/s after 2.5 s more.
    expect(triggerTick('accelerate')).toBe(606);
    const reach15 = states.findIndex((s) => find(s, 'ego').speed >= 15 - 1e-9);
    expect(reach15).toBe(606 + 250);
    expect(triggerTick('fast')).toBe(reach15);
    expect(sim.outcome).toEqual({ result: 'success', reason: 'fast enough', t_ns: reach15 * 10_000_000 });
    expect(states[reach15].outcome?.result).toBe('success');
    // Every firing is an event: trigger, storyboard transitions and the action.
    const atTime = states[201].events.map((e) => e.type);
    expect(atTime).toEqual(expect.arrayContaining(['trigger', 'storyboard', 'action']));
  });

  it('a rising edge never fires on the first evaluation, only on a false→true change', () => {
    const scenario = makeScenario({
      actors: [{ id: 'ego', kind: 'car', ego: true, road: '1', lane: -1, s: 5, speed: 10 }],
      storyboard: {
        events: [
          { name: 'alreadyTrue', trigger: { type: 'speed', entity: 'ego', value: 5, rule: 'greaterThan', edge: 'rising' }, actions: [{ type: 'stop', actor: 'ego' }] },
          { name: 'falling', trigger: { type: 'simulationTime', value: 1, rule: 'lessThan', edge: 'falling', delay: 0.5 }, actions: [{ type: 'end', outcome: 'failure', reason: 'time' }] },
        ],
      },
    });
    const { states } = run(scenario, 3);
    expect(eventsOf(states, 'trigger').map((e) => e.type === 'trigger' && e.element)).toEqual(['falling']);
    // t < 1 turns false at t = 1.00; delayed by 0.5 s.
    expect(eventsOf(states, 'end')[0].tick).toBe(150);
  });

  it('a scripted lane change ends in the target lane within its duration', () => {
    const scenario = makeScenario({
      actors: [{ id: 'ego', kind: 'car', ego: true, road: '1', lane: -1, s: 10, speed: 20 }],
      storyboard: {
        events: [{
          name: 'change', trigger: { type: 'simulationTime', value: 1, rule: 'greaterOrEqual' },
          actions: [{ name: 'toLane2', type: 'laneChange', actor: 'ego', target: { lane: -2 }, dynamics: { shape: 'sinusoidal', dimension: 'time', value: 3 } }],
        }],
        stopTrigger: { type: 'storyboardState', element: 'toLane2', state: 'endTransition' },
      },
    });
    const { states } = run(scenario, 6);
    expect(eventsOf(states, 'laneChangeStart')[0].tick).toBe(100);
    const done = eventsOf(states, 'laneChangeDone')[0];
    expect(done.tick).toBe(400);
    const end = find(states[400], 'ego');
    expect(end.lane).toBe(-2);
    expect(Math.abs(end.t - -1.5 * LANE_WIDTH)).toBeLessThan(0.15);
    expect(Math.abs(end.heading)).toBeLessThan(0.03);
    // It leaves lane -1 half way, and never overshoots the target lane's centre by much.
    const crossed = states.findIndex((s) => find(s, 'ego').lane === -2);
    expect(crossed).toBeGreaterThan(200);
    expect(crossed).toBeLessThan(330);
    expect(Math.min(...states.map((s) => find(s, 'ego').t))).toBeGreaterThan(-1.5 * LANE_WIDTH - 0.1);
    // The storyboard's stop trigger sees the action's end transition on the same tick.
    expect(states[400].outcome?.result).toBe('stopped');
  });

  it('a pedestrian crossing reaches the far kerb at the time its speed implies', () => {
    const speed = 1.5;
    const scenario = makeScenario({
      actors: [
        { id: 'ego', kind: 'car', ego: true, road: '1', lane: -1, s: 10 },
        { id: 'ped', kind: 'pedestrian', road: '1', lane: -4, s: 100, controllers: [{ type: 'pedestrian', mode: 'cross', speed, start: 'onAction' }] },
      ],
      storyboard: {
        events: [{ name: 'go', trigger: { type: 'simulationTime', value: 2, rule: 'greaterOrEqual' }, actions: [{ type: 'startWalking', actor: 'ped' }] }],
      },
    });
    const { states } = run(scenario, 16);
    const t0 = -3 * LANE_WIDTH - SIDEWALK / 2;
    const kerb = LANE_WIDTH; // the far sidewalk starts at lane 1's outer border
    const expectedTick = 200 + Math.ceil(((kerb - t0) / speed) / 0.01 - 1e-9);
    const reached = states.findIndex((s) => find(s, 'ped').t >= kerb - 1e-9);
    expect(find(states[200], 'ped').t).toBeCloseTo(t0, 9);
    expect(Math.abs(reached - expectedTick)).toBeLessThanOrEqual(1);
    // Then it steps onto the far sidewalk and stands.
    const last = find(states[states.length - 1], 'ped');
    expect(last.lane).toBe(2);
    expect(last.speed).toBe(0);
  });

  it('spawns and removes actors, teleports, and stops at a position', () => {
    const scenario = makeScenario({
      actors: [
        { id: 'ego', kind: 'car', ego: true, road: '1', lane: -1, s: 10, speed: 10, controllers: [{ type: 'stopAt', road: '1', s: 80 }] },
        { id: 'late', kind: 'van', road: '1', lane: -2, s: 50, speed: 5, spawn: 'later' },
      ],
      storyboard: {
        events: [
          { name: 'in', trigger: { type: 'simulationTime', value: 1, rule: 'greaterOrEqual' }, actions: [{ type: 'spawn', actor: 'late' }] },
          { name: 'jump', trigger: { type: 'simulationTime', value: 2, rule: 'greaterOrEqual' }, actions: [{ type: 'teleport', actor: 'late', position: { type: 'lane', road: '1', lane: -3, s: 200 } }] },
          { name: 'out', trigger: { type: 'simulationTime', value: 3, rule: 'greaterOrEqual' }, actions: [{ type: 'remove', actor: 'late' }] },
        ],
      },
    });
    const { states } = run(scenario, 15);
    expect(states[99].actors.map((a) => a.id)).toEqual(['ego']);
    expect(states[100].actors.map((a) => a.id)).toEqual(['ego', 'late']);
    expect(find(states[200], 'late').s).toBeCloseTo(200, 6);
    expect(find(states[200], 'late').lane).toBe(-3);
    expect(states[300].actors.map((a) => a.id)).toEqual(['ego']);
    const ego = find(states[states.length - 1], 'ego');
    expect(ego.speed).toBe(0);
    // The centre stops at the stop point (within a few centimetres).
    expect(Math.abs(ego.s - 80)).toBeLessThan(0.1);
  });
});
