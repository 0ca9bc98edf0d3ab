import { ACTOR_KIND_NAMES, type ActorKindName } from '../core/actorKinds.js';
import type { MeshBuilder } from '../core/MeshBuilder.js';
import type { BufferGeometry } from 'three';
import type { RoadNetwork } from '../map/RoadNetwork.js';
import { buildMeshBvh, type MeshBvh } from '../raycast/MeshBvh.js';
import { RaycastScene } from '../raycast/RaycastScene.js';
import type { ActorState, WorldState } from '../sim/WorldState.js';
import { flashLit } from '../sim/TrafficSignals.js';
import { composePose } from '../core/pose.js';
import { actorModel } from './ActorModels.js';
import { actorParts } from './models/actorParts.js';
import type { RoadsidePlan } from './RoadsideDressing.js';
import type { ActorModelMeshes } from './GltfModel.js';
import { signalBodies, signalLamps, type SignalBody } from './roadside/SignalHeads.js';
import { litLamps, type LitLamps, type SignalLamp } from './roadside/SignalLamps.js';
import { buildStaticWorld, type StaticWorldOptions } from './StaticWorld.js';

/**
 * One mesh of an actor placed in the world: the whole actor, or one of its parts (a wheel, a
 * limb) with a pose of its own. Every part of an actor carries the actor's instance id, so
 * sensors label its points and pixels as the actor's.
 */
export interface PlacedPart {
  mesh: MeshBvh;
  /** The mesh's model index in the raycast scene. */
  model: number;
  instanceId: number;
  position: readonly [number, number, number];
  quaternion: readonly [number, number, number, number];
}

export interface WorldOptions {
  /**
   * How actors are drawn: 'detailed' (the default) gives each its drawn body style and size,
   * turning wheels and walking or pedalling limbs (world/models); 'boxes' the few boxes per
   * kind of the earlier models, for comparisons.
   */
  actorDetail?: 'detailed' | 'boxes';
  /** The user's glTF meshes (GltfModel.ts) in place of the built-in ones, per kind or per actor id: one rigid part each. */
  models?: ActorModelMeshes;
  /**
   * The lamps of the static mesh's lights (SignalHeads.signalLamps), which a state's `signals`
   * light; `build` finds them in the map. Without them no lamp is ever lit.
   */
  lamps?: readonly SignalLamp[];
  /** The map's signal heads and sign plates (SignalHeads.signalBodies), placed as instances in every state; `build` finds them in the map. */
  signalBodies?: readonly SignalBody[];
}

/**
 * The scene the sensors see. The static map is built into one BVH once. Actor part meshes are
 * built once per style, size and part (the first time an actor needs one) and shared by every
 * actor that looks so; sizes come in a few drawn levels per style, so their number stays
 * bounded. Per tick only the top level over the placed parts of the actors (moving and static
 * ones alike) is rebuilt from the state.
 */
export class World {
  private readonly models: SharedModels;
  private placed: WorldState | undefined;
  private parts: PlacedPart[] = [];
  private partsByInstance = new Map<number, PlacedPart[]>();
  /** Each actor's parts as last placed, with what placed them: reused while the actor stands as it stood (a parked car, a waiting pedestrian). */
  private placedActors = new Map<string, { actor: ActorState; parts: PlacedPart[] }>();
  private readonly lamps: readonly SignalLamp[];
  /** The signal bodies, each one part at its own instance id (its mesh is in world coordinates). */
  readonly signalBodies: readonly SignalBody[];
  private lit: { states: WorldState['signals']; flash: boolean; table: LitLamps } = { states: undefined, flash: true, table: new Float64Array(0) };

  private constructor(
    readonly scene: RaycastScene,
    /** The static scene as three.js geometry (position + per-vertex `semantic`), z up; the signal bodies are instances, not in it. */
    readonly staticGeometry: BufferGeometry,
    options: WorldOptions,
    models?: SharedModels,
  ) {
    this.models = models ?? {
      modelOfKind: new Map(), meshOfKind: new Map(), modelOfActor: new Map(), partModels: new Map(),
      actorDetail: options.actorDetail ?? 'detailed', userKinds: new Set(), signalParts: [],
    };
    this.lamps = options.lamps ?? [];
    this.signalBodies = options.signalBodies ?? [];
  }

  /**
   * A world over the same scene and actor meshes (one static mesh, one set of part meshes,
   * built once for both) that places its actors on its own (RaycastScene.twin): a sensor whose
   * work is still under way on the pool's workers keeps its placement while the others place
   * the next step. Casts go to the same pool.
   */
  twin(): World {
    return new World(this.scene.twin(), this.staticGeometry, { lamps: this.lamps, signalBodies: this.signalBodies }, this.models);
  }

  static fromMesh(staticMesh: MeshBuilder, options: WorldOptions = {}): World {
    const soup = staticMesh.soup();
    const world = new World(new RaycastScene(buildMeshBvh(soup.positions, soup.classes, soup.materials)), staticMesh.toBufferGeometry(), options);
    const shared = world.models;
    const bvhOf = (builder: MeshBuilder): MeshBvh => {
      const model = builder.soup();
      return buildMeshBvh(model.positions, model.classes, model.materials);
    };
    const models = options.models;
    for (const kind of ACTOR_KIND_NAMES) {
      const user = models?.byKind.get(kind);
      if (user) shared.userKinds.add(kind);
      const mesh = bvhOf(user ?? actorModel(kind));
      shared.meshOfKind.set(kind, mesh);
      shared.modelOfKind.set(kind, world.scene.addModel(mesh));
    }
    for (const [id, builder] of models?.byActor ?? []) {
      const mesh = bvhOf(builder);
      shared.modelOfActor.set(id, { mesh, model: world.scene.addModel(mesh) });
    }
    for (const body of world.signalBodies) {
      const mesh = bvhOf(body.mesh);
      shared.signalParts.push({ mesh, model: world.scene.addModel(mesh), instanceId: body.instanceId, position: [0, 0, 0], quaternion: [0, 0, 0, 1] });
    }
    return world;
  }

  /**
   * The world of a map dressed by a roadside plan (`planRoadside`). The plan's parked cars are
   * not in the static scene: they are actors, and appear once the states given to `update`
   * hold them (the Simulation's do, when it is given `staticActors: plan.parkedCars`).
   */
  static build(network: RoadNetwork, roadside: RoadsidePlan, options: StaticWorldOptions & WorldOptions = {}): World {
    return World.fromMesh(buildStaticWorld(network, roadside, { ...options, signalBodies: false }), { lamps: signalLamps(network), signalBodies: signalBodies(network), ...options });
  }

  /** The state whose actors the scene holds now (set by `update`). */
  get placedState(): WorldState | undefined {
    return this.placed;
  }

  /** Every part placed by the last `update`, in the order of the state's actors, then the signal bodies. */
  get placedParts(): readonly PlacedPart[] {
    return this.parts;
  }

  /** The placed parts of one actor (empty when it is not in the scene). */
  partsOf(instanceId: number): readonly PlacedPart[] {
    return this.partsByInstance.get(instanceId) ?? [];
  }

  /**
   * The lamps lit in the placed state (SignalLamps.ts: sorted by x, for the camera's shading):
   * those whose signal shows their colour, or flashes it while the flash is on. Built again
   * only when the state's signal table is another object (the simulation keeps one while
   * nothing changes) or the flash turns.
   */
  get litLamps(): LitLamps {
    const states = this.placed?.signals, tNs = this.placed?.t_ns ?? 0;
    const flash = flashLit(tNs);
    if (states !== this.lit.states || flash !== this.lit.flash) this.lit = { states, flash, table: litLamps(this.lamps, states, tNs) };
    return this.lit.table;
  }

  /** Places every actor of the state into the scene (once per state object). */
  update(state: WorldState): void {
    if (state === this.placed) return;
    this.placed = state;
    const placedBefore = this.parts;
    this.parts = [];
    this.partsByInstance = new Map();
    const before = this.placedActors;
    this.placedActors = new Map();
    for (const actor of state.actors) {
      // VisibilityAction sensors="false": not in the scene the sensors see.
      if (actor.visibility?.sensors === false) continue;
      const last = before.get(actor.id);
      const parts = last && standsAsBefore(last.actor, actor) ? last.parts : this.placeActor(actor);
      this.placedActors.set(actor.id, { actor, parts });
      this.partsByInstance.set(actor.instanceId, parts);
      for (const part of parts) this.parts.push(part);
    }
    // The signal bodies stand in every state, after the actors.
    for (const part of this.models.signalParts) {
      this.partsByInstance.set(part.instanceId, [part]);
      this.parts.push(part);
    }
    // Nothing moved (a still scene, a replayed state): the top level built last time holds.
    if (samePlacement(placedBefore, this.parts)) return;
    this.scene.setInstances(this.parts);
  }

  /**
   * The meshes of one actor and their poses in the world. A mesh that stands for a whole actor
   * (a kind's boxes, or a user's model of a kind or an actor) is one part at the actor's pose;
   * detailed actors are several, each posed in the body frame and composed with the actor's.
   */
  private placeActor(actor: ActorState): PlacedPart[] {
    const { modelOfActor, modelOfKind, meshOfKind, actorDetail, userKinds } = this.models;
    const own = modelOfActor.get(actor.id);
    if (own) return [{ mesh: own.mesh, model: own.model, instanceId: actor.instanceId, position: actor.pose.p, quaternion: actor.pose.q }];
    if (actorDetail === 'boxes' || userKinds.has(actor.kind)) {
      const model = modelOfKind.get(actor.kind)!;
      return [{ mesh: meshOfKind.get(actor.kind)!, model, instanceId: actor.instanceId, position: actor.pose.p, quaternion: actor.pose.q }];
    }
    return actorParts(actor).map((part) => {
      const { mesh, model } = this.partModel(part.key, part.build);
      const pose = composePose(actor.pose, { p: part.position, q: part.quaternion });
      return { mesh, model, instanceId: actor.instanceId, position: pose.p, quaternion: pose.q };
    });
  }

  /** The scene model of a part mesh, built and added the first time its key is asked for. */
  private partModel(key: string, build: () => MeshBuilder): { mesh: MeshBvh; model: number } {
    let entry = this.models.partModels.get(key);
    if (!entry) {
      const soup = build().soup();
      const mesh = buildMeshBvh(soup.positions, soup.classes, soup.materials);
      entry = { mesh, model: this.scene.addModel(mesh) };
      this.models.partModels.set(key, entry);
    }
    return entry;
  }

  /** How many part meshes the detailed actors have needed so far (each built once). */
  get partMeshCount(): number {
    return this.models.partModels.size;
  }
}

/** What a world and its twins share: the actors' meshes and their models in the scene's table. */
interface SharedModels {
  modelOfKind: Map<ActorKindName, number>;
  meshOfKind: Map<ActorKindName, MeshBvh>;
  /** The user's models for single actors (by id), which win over their kind's. */
  modelOfActor: Map<string, { mesh: MeshBvh; model: number }>;
  partModels: Map<string, { mesh: MeshBvh; model: number }>;
  actorDetail: 'detailed' | 'boxes';
  /** Kinds drawn by the user's model (one rigid part) rather than by world/models. */
  userKinds: Set<ActorKindName>;
  signalParts: PlacedPart[];
}

function samePlacement(a: readonly PlacedPart[], b: readonly PlacedPart[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/**
 * Whether an actor's parts are where they were: the same pose and everything its parts are
 * made from (world/models/actorParts.ts reads kind, style, size, stature, steering, odometer,
 * gait phase and speed). A new state object for an actor that has not moved is common: every
 * step copies the states of parked cars and waiting pedestrians.
 */
function standsAsBefore(a: ActorState, b: ActorState): boolean {
  if (a === b) return true;
  const pa = a.pose.p, pb = b.pose.p, qa = a.pose.q, qb = b.pose.q;
  return pa[0] === pb[0] && pa[1] === pb[1] && pa[2] === pb[2] && qa[0] === qb[0] && qa[1] === qb[1] && qa[2] === qb[2] && qa[3] === qb[3]
    && a.kind === b.kind && a.style === b.style && a.stature === b.stature && a.steer === b.steer && a.odometer === b.odometer
    && a.gaitPhase === b.gaitPhase && a.speed === b.speed && a.instanceId === b.instanceId
    && a.box.length === b.box.length && a.box.width === b.box.width && a.box.height === b.box.height;
}
