import { describe, expect, it } from 'vitest';
import { UserError } from '../../src/core/errors.js';
import { drawActorBuild } from '../../src/sim/BodyStyles.js';
import { Simulation } from '../../src/sim/Simulation.js';
import type { StaticActorSpec } from '../../src/sim/StaticActors.js';
import { makeScenario } from './fixtures.js';

/** A car parked on the fixture road's lane -1 (centre y = -1.75, heading along +x) at x. */
const parked = (id: string, x: number): StaticActorSpec => ({ id, kind: 'parked_car', x, y: -1.75, z: 0, heading: 0, pitch: 0, roll: 0 });

describe('static actors', () => {
  const scenario = () => makeScenario({
    actors: [
      { id: 'ego', kind: 'car', ego: true, road: '1', lane: -1, s: 10, speed: 20 },
      { id: 'other', kind: 'van', road: '1', lane: -2, s: 10, speed: 20 },
    ],
  });

  it('are in every world state after the scenario\'s actors, with instance ids after theirs, and never move', () => {
    const sim = new Simulation(scenario(), 1, { staticActors: [parked('roadside_1', 300), parked('roadside_2', 400)] });
    for (let tick = 0; tick <= 100; tick++) {
      const state = tick === 0 ? sim.state() : sim.step();
      expect(state.actors.map((a) => [a.id, a.instanceId, a.kind])).toEqual([
        ['ego', 1, 'car'], ['other', 2, 'van'], ['roadside_1', 3, 'parked_car'], ['roadside_2', 4, 'parked_car'],
      ]);
      const car = state.actors[2];
      expect(car.pose).toEqual({ p: [300, -1.75, 0], q: [0, 0, 0, 1] });
      expect([car.speed, ...car.velocity]).toEqual([0, 0, 0, 0]);
      const build = drawActorBuild(1, 'roadside_1', 'parked_car');
      expect(car.box).toEqual({ length: build.length, width: build.width, height: build.height, center: [0, 0, build.height / 2] });
      expect(car.appearance).toEqual(build.appearance);
    }
  });

  it('are static bodies: driving into one is a collision event naming both, with the plastic impulse', () => {
    const sim = new Simulation(scenario(), 1, { staticActors: [parked('roadside_1', 50)] });
    const events = [];
    for (let i = 0; i < 300; i++) events.push(...sim.step().events!);
    const collisions = events.filter((e) => e.type === 'collision');
    expect(collisions).toHaveLength(1);
    const c = collisions[0] as Extract<typeof collisions[0], { type: 'collision' }>;
    expect(c.actors).toEqual(['ego', 'roadside_1']);
    // The bumpers meet after (40 m - 4.6 m) at 20 m/s; reduced mass of two 1500 kg cars x 20 m/s.
    expect(c.t_ns / 1e9).toBeCloseTo((40 - 4.6) / 20, 1);
    expect(c.impulse).toBeCloseTo(((1500 * 1500) / 3000) * 20, -1);
  });

  it('may not take a scenario actor\'s id', () => {
    expect(() => new Simulation(scenario(), 1, { staticActors: [parked('other', 50)] })).toThrow(UserError);
  });
});
