import { classId } from './semantic.js';

/** How an actor moves: vehicles by a bicycle model, pedestrians walk, props stay put. */
export type ActorCategory = 'vehicle' | 'cyclist' | 'pedestrian' | 'prop';

/**
 * What each kind of actor is: its bounding box (m), mass (kg), semantic class and, for
 * things that drive, the numbers the bicycle model and controllers need.
 */
export interface ActorKind {
  name: string;
  category: ActorCategory;
  length: number;
  width: number;
  height: number;
  mass: number;
  semanticClass: number;
  /** Distance between the axles (m); the axles sit symmetrically about the box centre. */
  wheelbase: number;
  /** Largest front-wheel angle (rad). */
  maxSteer: number;
  /** Comfortable / physical limits (m/s²) and top speed (m/s). */
  maxAccel: number;
  maxDecel: number;
  maxSpeed: number;
}

const vehicle = (name: string, length: number, width: number, height: number, mass: number, wheelbase: number, maxAccel: number, maxDecel: number, maxSpeed: number, cls: number): ActorKind => ({
  name, category: 'vehicle', length, width, height, mass, semanticClass: cls, wheelbase, maxSteer: 0.6, maxAccel, maxDecel, maxSpeed,
});

const prop = (name: string, length: number, width: number, height: number, mass: number, cls: number): ActorKind => ({
  name, category: 'prop', length, width, height, mass, semanticClass: cls, wheelbase: 0, maxSteer: 0, maxAccel: 0, maxDecel: 0, maxSpeed: 0,
});

export const ACTOR_KINDS = {
  car: vehicle('car', 4.6, 1.85, 1.5, 1500, 2.8, 4, 9, 70, classId('vehicle')),
  van: vehicle('van', 5.3, 2.0, 2.2, 2400, 3.4, 3, 8, 45, classId('vehicle')),
  truck: vehicle('truck', 9.5, 2.5, 3.6, 12000, 5.5, 1.5, 6.5, 30, classId('truck')),
  bus: vehicle('bus', 12.0, 2.55, 3.2, 13000, 6.5, 1.5, 6.5, 28, classId('bus')),
  cyclist: { name: 'cyclist', category: 'cyclist', length: 1.8, width: 0.6, height: 1.75, mass: 90, semanticClass: classId('bicycle'), wheelbase: 1.1, maxSteer: 0.7, maxAccel: 1.5, maxDecel: 4, maxSpeed: 12 },
  pedestrian: { name: 'pedestrian', category: 'pedestrian', length: 0.4, width: 0.6, height: 1.75, mass: 75, semanticClass: classId('pedestrian'), wheelbase: 0, maxSteer: 0, maxAccel: 1.5, maxDecel: 3, maxSpeed: 6 },
  child: { name: 'child', category: 'pedestrian', length: 0.3, width: 0.45, height: 1.2, mass: 25, semanticClass: classId('pedestrian'), wheelbase: 0, maxSteer: 0, maxAccel: 2, maxDecel: 3, maxSpeed: 5 },
  parked_car: prop('parked_car', 4.6, 1.85, 1.5, 1500, classId('vehicle')),
  cone: prop('cone', 0.4, 0.4, 0.7, 3, classId('static_prop')),
  barrier: prop('barrier', 2.0, 0.5, 1.0, 80, classId('static_prop')),
} as const satisfies Record<string, ActorKind>;

export type ActorKindName = keyof typeof ACTOR_KINDS;

export const ACTOR_KIND_NAMES = Object.keys(ACTOR_KINDS) as ActorKindName[];

export function actorKind(name: ActorKindName): ActorKind {
  return ACTOR_KINDS[name];
}
