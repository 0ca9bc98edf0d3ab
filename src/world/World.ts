import { ACTOR_KIND_NAMES, type ActorKindName } from '../core/actorKinds.js';
import type { MeshBuilder } from '../core/MeshBuilder.js';
import type { BufferGeometry } from 'three';
import type { RoadNetwork } from '../map/RoadNetwork.js';
import { buildMeshBvh, type MeshBvh } from '../raycast/MeshBvh.js';
import { RaycastScene } from '../raycast/RaycastScene.js';
import type { ActorState, WorldState } from '../sim/WorldState.js';
import { actorModel } from './ActorModels.js';
import type { RoadsidePlan } from './RoadsideDressing.js';
import type { ActorModelMeshes } from './GltfModel.js';
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

/**
 * The scene the sensors see. The static map is built into one BVH once; every actor kind
 * has one model BVH shared by all actors of that kind; per tick only the top level over
 * the placed parts of the actors (moving and static ones alike) is rebuilt from the state.
 */
export class World {
  private readonly modelOfKind = new Map<ActorKindName, number>();
  private readonly meshOfKind = new Map<ActorKindName, MeshBvh>();
  /** The user's models for single actors (by id), which win over their kind's. */
  private readonly modelOfActor = new Map<string, { mesh: MeshBvh; model: number }>();
  private placed: WorldState | undefined;
  private parts: PlacedPart[] = [];
  private partsByInstance = new Map<number, PlacedPart[]>();

  private constructor(
    readonly scene: RaycastScene,
    /** The static scene as three.js geometry (position + per-vertex `semantic`), z up. */
    readonly staticGeometry: BufferGeometry,
  ) {}

  /** `models`: the user's glTF meshes (GltfModel.ts) in place of the built-in ones, per kind or per actor id. */
  static fromMesh(staticMesh: MeshBuilder, models?: ActorModelMeshes): World {
    const soup = staticMesh.soup();
    const world = new World(new RaycastScene(buildMeshBvh(soup.positions, soup.classes, soup.materials)), staticMesh.toBufferGeometry());
    const bvhOf = (builder: MeshBuilder): MeshBvh => {
      const model = builder.soup();
      return buildMeshBvh(model.positions, model.classes, model.materials);
    };
    for (const kind of ACTOR_KIND_NAMES) {
      const mesh = bvhOf(models?.byKind.get(kind) ?? actorModel(kind));
      world.meshOfKind.set(kind, mesh);
      world.modelOfKind.set(kind, world.scene.addModel(mesh));
    }
    for (const [id, builder] of models?.byActor ?? []) {
      const mesh = bvhOf(builder);
      world.modelOfActor.set(id, { mesh, model: world.scene.addModel(mesh) });
    }
    return world;
  }

  /**
   * The world of a map dressed by a roadside plan (`planRoadside`). The plan's parked cars are
   * not in the static scene: they are actors, and appear once the states given to `update`
   * hold them (the Simulation's do, when it is given `staticActors: plan.parkedCars`).
   */
  static build(network: RoadNetwork, roadside: RoadsidePlan, options: StaticWorldOptions = {}, models?: ActorModelMeshes): World {
    return World.fromMesh(buildStaticWorld(network, roadside, options), models);
  }

  /** The state whose actors the scene holds now (set by `update`). */
  get placedState(): WorldState | undefined {
    return this.placed;
  }

  /** Every part placed by the last `update`, in the order of the state's actors. */
  get placedParts(): readonly PlacedPart[] {
    return this.parts;
  }

  /** The placed parts of one actor (empty when it is not in the scene). */
  partsOf(instanceId: number): readonly PlacedPart[] {
    return this.partsByInstance.get(instanceId) ?? [];
  }

  /** Places every actor of the state into the scene (once per state object). */
  update(state: WorldState): void {
    if (state === this.placed) return;
    this.placed = state;
    this.parts = [];
    this.partsByInstance = new Map();
    for (const actor of state.actors) {
      const parts = this.placeActor(actor);
      this.partsByInstance.set(actor.instanceId, parts);
      for (const part of parts) this.parts.push(part);
    }
    this.scene.setInstances(this.parts);
  }

  /** The meshes of one actor and their poses in the world. */
  private placeActor(actor: ActorState): PlacedPart[] {
    const own = this.modelOfActor.get(actor.id);
    if (own) return [{ mesh: own.mesh, model: own.model, instanceId: actor.instanceId, position: actor.pose.p, quaternion: actor.pose.q }];
    const model = this.modelOfKind.get(actor.kind)!;
    return [{ mesh: this.meshOfKind.get(actor.kind)!, model, instanceId: actor.instanceId, position: actor.pose.p, quaternion: actor.pose.q }];
  }
}
