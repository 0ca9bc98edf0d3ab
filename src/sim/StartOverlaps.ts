import { UserError } from '../core/errors.js';
import { footprintOverlap, type Footprint } from '../core/footprint.js';
import type { SimActor } from './Actor.js';

/** Boxes may touch at the start, or overlap by less than this (m): lane geometry is not exact. */
const TOLERANCE = 0.05;

function footprintOf(actor: SimActor): Footprint {
  return { x: actor.x, y: actor.y, half: [actor.length / 2, actor.width / 2], heading: actor.heading };
}

/**
 * Refuses a scenario whose actors start inside one another (fifty cars placed on one spot would
 * otherwise collide with each other at every step, and no such start is meant): the first pair
 * whose footprints overlap, named with the later actor's place in the file. Actors the world
 * adds (roadside parked cars) are checked against the scenario's own.
 */
export function checkStartOverlaps(actors: readonly SimActor[], others: readonly SimActor[], where: (path: readonly (string | number)[]) => string): void {
  const placed = actors.filter((a) => a.active);
  const all = [...placed, ...others];
  for (let j = 0; j < placed.length; j++) {
    const b = placed[j];
    const fb = footprintOf(b);
    const reachB = Math.hypot(b.length, b.width) / 2;
    for (let i = 0; i < all.length; i++) {
      const a = all[i];
      if (a === b || (i < placed.length && i > j)) continue;
      if (Math.hypot(a.x - b.x, a.y - b.y) > reachB + Math.hypot(a.length, a.width) / 2) continue;
      const depth = footprintOverlap(footprintOf(a), fb);
      if (depth > TOLERANCE) {
        throw new UserError(
          `actors "${a.id}" and "${b.id}" start inside one another (their boxes overlap by ${depth.toFixed(2)} m, at (${a.x.toFixed(1)}, ${a.y.toFixed(1)}) and (${b.x.toFixed(1)}, ${b.y.toFixed(1)})); place them apart`,
          where(['actors', b.instanceId - 1, 'position']),
        );
      }
    }
  }
}
