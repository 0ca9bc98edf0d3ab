/**
 * Contact detection stays bounded for actors that keep touching: cannon-es's narrowphase runs
 * only for pairs whose boxes just met, and a pile of actors reports each pair once.
 */
import { describe, expect, it, vi } from 'vitest';
import { ACTOR_KINDS } from '../../src/core/actorKinds.js';
import { SimActor } from '../../src/sim/Actor.js';
import { Collisions } from '../../src/sim/Collisions.js';

function car(i: number, x: number): SimActor {
  const actor = new SimActor({ id: `c${i}`, kind: 'car', ego: false, position: { type: 'world', x, y: 0 }, speed: 0, controllers: [] }, i + 1, ACTOR_KINDS.car);
  actor.x = x;
  actor.active = true;
  return actor;
}

describe('Collisions', () => {
  it('reports each pair of a pile once, and runs the narrowphase only for pairs that just met', () => {
    const collisions = new Collisions();
    // Twenty cars on one spot: 190 pairs, all touching from the first step on.
    const pile = Array.from({ length: 20 }, (_, i) => car(i, 0));
    for (const actor of pile) collisions.add(actor);
    const world = (collisions as unknown as { world: { narrowphase: { getContacts: (p1: unknown[]) => void } } }).world;
    const narrowphase = vi.spyOn(world.narrowphase, 'getContacts');
    const first = collisions.detect(0.01);
    expect(first).toHaveLength(190);
    expect(new Set(first.map((c) => `${c.a.id}:${c.b.id}`)).size).toBe(190);
    expect(narrowphase).toHaveBeenCalledTimes(1);
    expect(narrowphase.mock.calls[0][0]).toHaveLength(190);
    for (let step = 0; step < 10; step++) expect(collisions.detect(0.01)).toEqual([]);
    // Still touching: no pair reached the narrowphase again.
    expect(narrowphase).toHaveBeenCalledTimes(1);
    // One car leaves (20 m away) and comes back: its 19 pairs meet again, and only they are tested.
    pile[0].x = 20;
    expect(collisions.detect(0.01)).toEqual([]);
    pile[0].x = 0;
    const again = collisions.detect(0.01);
    expect(again.map((c) => `${c.a.id}:${c.b.id}`)).toEqual(Array.from({ length: 19 }, (_, i) => `c0:c${i + 1}`));
    expect(narrowphase.mock.calls.at(-1)![0]).toHaveLength(19);
  });
});
