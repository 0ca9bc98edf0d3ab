import { ACTOR_KIND_NAMES, type ActorKindName } from '../core/actorKinds.js';
import type { MeshBuilder } from '../core/MeshBuilder.js';
import type { BufferGeometry } from 'three';
import type { RoadNetwork } from '../map/RoadNetwork.js';
import { buildMeshBvh, type MeshBvh } from '../raycast/MeshBvh.js';
import { RaycastScene } from '../raycast/RaycastScene.js';
import type { WorldState } from '../sim/WorldState.js';
import { actorModel } from './ActorModels.js';
import type { RoadsidePlan } from './RoadsideDressing.js';
import { buildStaticWorld, type StaticWorldOptions } from './StaticWorld.js';

/**
 * The scene the sensors see. The static map is built into one BVH once; every actor kind
 * has one model BVH shared by all actors of that kind; per tick only the top level over
 * actor instances (moving and static ones alike) is rebuilt from the world state.
 */
export class World {
  private readonly modelOfKind = new Map<ActorKindName, number>();
  private readonly meshOfKind = new Map<ActorKindName, MeshBvh>();
  private placed: WorldState | undefined;

  private constructor(
    readonly scene: RaycastScene,
    /** The static scene as three.js geometry (position + per-vertex `semantic`), z up. */
    readonly staticGeometry: BufferGeometry,
  ) {}

  static fromMesh(staticMesh: MeshBuilder): World {
    const soup = staticMesh.soup();
    const world = new World(new RaycastScene(buildMeshBvh(soup.positions, soup.classes)), staticMesh.toBufferGeometry());
    for (const kind of ACTOR_KIND_NAMES) {
      const model = actorModel(kind).soup();
      const mesh = buildMeshBvh(model.positions, model.classes);
      world.meshOfKind.set(kind, mesh);
      world.modelOfKind.set(kind, world.scene.addModel(mesh));
    }
    return world;
  }

  /**
   * The world of a map dressed by a roadside plan (`planRoadside`). The plan's parked cars are
   * not in the static scene: they are actors, and appear once the states given to `update`
   * hold them (the Simulation's do, when it is given `staticActors: plan.parkedCars`).
   */
  static build(network: RoadNetwork, roadside: RoadsidePlan, options: StaticWorldOptions = {}): World {
    return World.fromMesh(buildStaticWorld(network, roadside, options));
  }

  /** The model mesh of an actor kind, in the actor's body frame (read-only: cameras rasterise it). */
  modelMesh(kind: ActorKindName): MeshBvh {
    return this.meshOfKind.get(kind)!;
  }

  /** The state whose actors the scene holds now (set by `update`). */
  get placedState(): WorldState | undefined {
    return this.placed;
  }

  /** Places every actor of the state into the scene (once per state object). */
  update(state: WorldState): void {
    if (state === this.placed) return;
    this.placed = state;
    this.scene.setInstances(state.actors.map((actor) => ({
      model: this.modelOfKind.get(actor.kind)!,
      instanceId: actor.instanceId,
      position: actor.pose.p,
      quaternion: actor.pose.q,
    })));
  }
}
