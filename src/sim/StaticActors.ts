import { ACTOR_KINDS, type ActorKindName } from '../core/actorKinds.js';
import { UserError } from '../core/errors.js';
import { actorState, SimActor } from './Actor.js';
import { drawActorBuild } from './BodyStyles.js';
import type { ActorState } from './WorldState.js';

/**
 * An actor that the world, not the scenario, puts there and that never moves: a car parked at
 * the roadside. The pose is the footprint centre on the ground, the heading, and the ground's
 * slope under it (pitch up along the heading, roll about it).
 */
export interface StaticActorSpec {
  id: string;
  kind: ActorKindName;
  x: number;
  y: number;
  z: number;
  heading: number;
  pitch: number;
  roll: number;
}

/**
 * The static actors of a run. They are actors like the scenario's own (an instance id, a box in
 * the ground truth, an instance in the sensors' scene, a static body that collisions are
 * found against) but nothing moves them, so their states are computed once and shared by every
 * tick's world state, and the per-tick work of the simulation never visits them. Their
 * instance ids follow the scenario's actors'. The storyboard does not address them: they are
 * not scenario entities.
 */
export class StaticActors {
  readonly actors: readonly SimActor[];
  readonly states: readonly ActorState[];

  /** `seed` is the run's: each static actor's style, size and paint are drawn from it and the actor's id. */
  constructor(specs: readonly StaticActorSpec[], firstInstanceId: number, scenarioIds: ReadonlySet<string>, seed: number | string = 0) {
    this.actors = specs.map((spec, k) => {
      const kind = ACTOR_KINDS[spec.kind];
      if (kind.category !== 'prop') throw new Error(`static actor "${spec.id}" is a ${spec.kind}, which moves; static actors are props`);
      if (scenarioIds.has(spec.id)) {
        throw new UserError(`actor id "${spec.id}" is taken by the world's roadside dressing (its static actors are named roadside_<n>); rename the scenario's actor`);
      }
      const actor = new SimActor({ id: spec.id, kind: spec.kind, ego: false, position: { type: 'world', x: spec.x, y: spec.y, z: spec.z, heading: spec.heading }, speed: 0, controllers: [] }, firstInstanceId + k, kind, drawActorBuild(seed, spec.id, spec.kind));
      actor.x = spec.x;
      actor.y = spec.y;
      actor.z = spec.z;
      actor.heading = spec.heading;
      actor.pitch = spec.pitch;
      actor.roll = spec.roll;
      return actor;
    });
    // Frozen: every world state of the run holds these same objects.
    this.states = this.actors.map((actor) => deepFreeze(actorState(actor)));
  }
}

function deepFreeze<T extends object>(value: T): T {
  for (const inner of Object.values(value)) if (inner && typeof inner === 'object') deepFreeze(inner as object);
  return Object.freeze(value);
}
