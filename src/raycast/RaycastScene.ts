import { buildTopLevel, castRange, type HitBuffer, type Instance, type RayBatch, type SceneData, type TopLevel } from './kernel.js';
import type { MeshBvh } from './MeshBvh.js';

export { MISS, type HitBuffer, type Instance, type RayBatch } from './kernel.js';

export function createHitBuffer(count: number): HitBuffer {
  return {
    distance: new Float32Array(count),
    normal: new Float32Array(count * 3),
    instanceId: new Uint32Array(count),
    classId: new Uint8Array(count),
    triangleId: new Uint32Array(count),
    reflectivity: new Float32Array(count),
  };
}

/**
 * The two-level world the sensors see: one static mesh built once, shared model meshes, and
 * a top-level BVH over model instances rebuilt from actor poses (cheap: one box per actor).
 * The static mesh reports instance id 0. `cast` runs on the calling thread; a `RaycastPool`
 * casts the same scene over worker threads.
 */
export class RaycastScene {
  private readonly models: MeshBvh[] = [];
  private top: TopLevel;
  /** Bumped by every change a worker must learn of (a model added, instances set). */
  private version = 0;

  constructor(readonly staticMesh: MeshBvh) {
    this.top = buildTopLevel([], this.models);
  }

  addModel(mesh: MeshBvh): number {
    this.models.push(mesh);
    this.version++;
    return this.models.length - 1;
  }

  /** Rebuilds the top level from instance poses; the meshes are untouched. */
  setInstances(instances: readonly Instance[]): void {
    this.top = buildTopLevel(instances, this.models);
    this.version++;
  }

  /** What the kernel reads, and a number that changes whenever it does (for worker pools). */
  snapshot(): { version: number; data: SceneData } {
    return { version: this.version, data: { staticMesh: this.staticMesh, models: this.models, top: this.top } };
  }

  /**
   * Closest hit for rays [first, end) of the batch. Hits on the instance `ignoreInstanceId`
   * are skipped (a sensor does not see the vehicle it is mounted on).
   */
  cast(rays: RayBatch, hits: HitBuffer, options: { first?: number; end?: number; ignoreInstanceId?: number } = {}): void {
    const first = options.first ?? 0;
    const end = options.end ?? rays.count;
    castRange({ staticMesh: this.staticMesh, models: this.models, top: this.top }, rays, hits, first, end, options.ignoreInstanceId ?? -1);
  }
}
