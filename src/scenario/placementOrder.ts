import type { ActorSpec } from './Scenario.js';

/** The actor a position is relative to, if it is a relative position. */
export function positionReference(spec: Pick<ActorSpec, 'position'>): string | undefined {
  const p = spec.position;
  return p.type === 'relativeLane' || p.type === 'relativeRoad' || p.type === 'relativeWorld' || p.type === 'relativeObject' ? p.entity : undefined;
}

export type PlacementProblem =
  | { kind: 'cycle'; index: number; chain: string[] }
  | { kind: 'unknown'; index: number; entity: string }
  | { kind: 'later'; index: number; entity: string };

/**
 * The order to place actors at the start so that each is placed after the actor its position
 * is relative to (declaration order otherwise), or the first problem: a chain of relative
 * positions that comes back to where it started (`a` relative to `b` relative to `a`), a
 * reference to no actor, or to an actor that only appears later (spawned by an action).
 */
export function placementOrder(actors: readonly Pick<ActorSpec, 'id' | 'position' | 'spawnLater'>[]): { order: number[] } | { problem: PlacementProblem } {
  const index = new Map(actors.map((a, i) => [a.id, i]));
  const state = new Array<'new' | 'visiting' | 'done'>(actors.length).fill('new');
  const order: number[] = [];
  const visit = (i: number, chain: string[]): PlacementProblem | undefined => {
    if (state[i] === 'done') return undefined;
    if (state[i] === 'visiting') return { kind: 'cycle', index: i, chain: [...chain.slice(chain.indexOf(actors[i].id)), actors[i].id] };
    state[i] = 'visiting';
    const ref = positionReference(actors[i]);
    if (ref !== undefined) {
      const j = index.get(ref);
      if (j === undefined) return { kind: 'unknown', index: i, entity: ref };
      if (actors[j].spawnLater && !actors[i].spawnLater) return { kind: 'later', index: i, entity: ref };
      const problem = visit(j, [...chain, actors[i].id]);
      if (problem) return problem;
    }
    state[i] = 'done';
    order.push(i);
    return undefined;
  };
  for (let i = 0; i < actors.length; i++) {
    const problem = visit(i, []);
    if (problem) return { problem };
  }
  return { order };
}

/** A placement problem in words. */
export function describePlacementProblem(problem: PlacementProblem, actors: readonly { id: string }[]): string {
  switch (problem.kind) {
    case 'cycle':
      if (problem.chain.length === 2) return `the position of "${problem.chain[0]}" is relative to itself; give it a position of its own`;
      return `relative positions form a cycle: ${problem.chain.map((id, i) => (i === 0 ? `"${id}" is relative to` : i < problem.chain.length - 1 ? `"${id}", which is relative to` : `"${id}"`)).join(' ')}; one of them needs a position of its own`;
    case 'unknown':
      return `the position is relative to "${problem.entity}", which is no actor (actors: ${actors.map((a) => a.id).join(', ')})`;
    case 'later':
      return `the position is relative to "${problem.entity}", which is not in the world at the start (it spawns later)`;
  }
}
