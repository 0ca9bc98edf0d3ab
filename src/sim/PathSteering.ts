import { purePursuit } from '../scenario/controllers/LaneKeeping.js';
import type { SimActor } from './Actor.js';

/** How far along its lane path the actor's body centre is (m); 0 without a path. */
export function pathDistance(actor: SimActor): number {
  if (!actor.path) return 0;
  return actor.path.project(actor.x, actor.y, actor.pathIndex).d;
}

/** The lateral offset from the lane path the actor should hold at a time and odometer: its offset, offset change and lane change. */
function lateralReference(actor: SimActor, time: number, odometer: number): number {
  let offset = actor.laneOffset;
  if (actor.offsetChange) offset = actor.offsetChange.offset(time, odometer);
  if (actor.lateral) offset += actor.lateral.offset(time, odometer);
  return offset;
}

/**
 * The steering that keeps a vehicle on its lane path: pure pursuit from the rear axle to the
 * point the look-ahead distance on, at the lateral reference the vehicle will have when it
 * gets there (so lane changes and offsets are steered into, not after). 0 without a path or
 * lane keeping.
 */
export function pathSteer(actor: SimActor, time: number): number {
  const path = actor.path;
  if (!path || !actor.laneKeeping) return 0;
  const half = actor.kind.wheelbase / 2;
  const c = Math.cos(actor.heading), s = Math.sin(actor.heading);
  const rx = actor.x - half * c, ry = actor.y - half * s;
  const proj = path.project(rx, ry, actor.rearIndex);
  actor.rearIndex = proj.index;
  const ld = actor.laneKeeping.lookaheadDistance(actor.speed);
  // The lateral reference where the vehicle will be when it reaches the look-ahead point.
  const ahead = actor.speed > 0.1 ? ld / actor.speed : 0;
  const offset = lateralReference(actor, time + ahead, actor.odometer + ld);
  const target = path.pointAt(proj.d + ld + half, offset, proj.index);
  return purePursuit(rx, ry, actor.heading, target.x, target.y, actor.kind.wheelbase, actor.kind.maxSteer);
}
