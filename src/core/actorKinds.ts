import { classId } from './semantic.js';

/** What each kind of actor is: its bounding box (m), mass (kg) and semantic class. */
export interface ActorKind {
  name: string;
  length: number;
  width: number;
  height: number;
  mass: number;
  semanticClass: number;
}

export const ACTOR_KINDS = {
  car: { name: 'car', length: 4.6, width: 1.85, height: 1.5, mass: 1500, semanticClass: classId('vehicle') },
  pedestrian: { name: 'pedestrian', length: 0.4, width: 0.6, height: 1.75, mass: 75, semanticClass: classId('pedestrian') },
} as const satisfies Record<string, ActorKind>;

export type ActorKindName = keyof typeof ACTOR_KINDS;

export const ACTOR_KIND_NAMES = Object.keys(ACTOR_KINDS) as ActorKindName[];
