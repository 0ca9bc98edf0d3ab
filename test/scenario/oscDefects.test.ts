import { describe, expect, it } from 'vitest';
import { loadScenario } from '../../src/scenario/loadScenario.js';
import { Simulation } from '../../src/sim/Simulation.js';
import type { SimEvent } from '../../src/sim/events.js';
import type { WorldState } from '../../src/sim/WorldState.js';

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

describe('defect 1: an empty <StartTrigger/> starts its element at once', () => {
  it('drive_when_close.xosc: the Act runs from t = 0 and the Target drives off when the Ego closes to 30 m', () => {
    const { states, events } = run(`${ESMINI}/drive_when_close.xosc`, 10.5);
    const actStart = events.find((e) => e.type === 'storyboard' && e.element === 'MyAct' && e.state === 'startTransition');
    expect(actStart?.tick).toBe(0);
    // Ego: s 20 → 10 m/s at 5 m/s² (2 s, 10 m), then 10 m/s; Target stands at s = 100 (same
    // bounding-box centre offset, so reference points are 80 m apart). The gap falls below
    // 30 m once the Ego has covered 50 m: 10 m + 40 m / 10 m/s → t = 6.00 s, "lessThan" holds
    // on the first tick after it (6.01 s).
    const drive = events.find((e) => e.type === 'trigger' && e.element === 'DriveEvent')!;
    expect(drive.t_ns / 1e9).toBeCloseTo(6.01, 6);
    // Target: 0 → 20 m/s at 5 m/s² from 6.01 s; two seconds later it does 10 m/s.
    expect(actor(states[801], 'Target').speed).toBeCloseTo(10, 6);
    // The gap (29.9 m at 6.01 s) evolves as 29.9 + 2.5τ² − 10τ, back to 29.9 m at τ = 4 s
    // (Target at 20 m/s) and then grows at 10 m/s: above 30 m at 10.02 s, when StopEvent fires.
    const stop = events.find((e) => e.type === 'trigger' && e.element === 'StopEvent')!;
    expect(stop.t_ns / 1e9).toBeCloseTo(10.02, 6);
    // By 10.00 s it has covered ½·5·3.99² m (the ramp starts on a tick, so the step is exact).
    expect(actor(states[1000], 'Target').s - actor(states[0], 'Target').s).toBeCloseTo(2.5 * 3.99 ** 2, 3);
  });
});
