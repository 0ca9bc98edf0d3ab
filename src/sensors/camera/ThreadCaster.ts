import { BatchOffset } from '../../raycast/KernelMemory.js';
import type { TaskThread } from '../../raycast/PoolTasks.js';
import type { HitBuffer, RayBatch } from '../../raycast/Rays.js';

/**
 * Closest-hit casts on this thread's own kernel instance and ray batch block: a tile's rays
 * never wait for another thread. The kernel is the one every cast runs, so a hit is the one
 * `RaycastScene.cast` finds for the same ray.
 */
export class ThreadCaster {
  private readonly origins: Float32Array;
  private readonly directions: Float32Array;
  private readonly distance: Float32Array;
  private readonly normal: Float32Array;
  private readonly instanceId: Uint32Array;
  private readonly classId: Uint8Array;
  private readonly materialId: Uint8Array;

  constructor(private readonly thread: TaskThread, private readonly address: number, private readonly capacity: number) {
    const b = thread.memory.buffer;
    this.origins = new Float32Array(b, address + BatchOffset.origins * capacity, capacity * 3);
    this.directions = new Float32Array(b, address + BatchOffset.directions * capacity, capacity * 3);
    this.distance = new Float32Array(b, address + BatchOffset.distance * capacity, capacity);
    this.normal = new Float32Array(b, address + BatchOffset.normal * capacity, capacity * 3);
    this.instanceId = new Uint32Array(b, address + BatchOffset.instanceId * capacity, capacity);
    this.classId = new Uint8Array(b, address + BatchOffset.classId * capacity, capacity);
    this.materialId = new Uint8Array(b, address + BatchOffset.materialId * capacity, capacity);
  }

  /**
   * As `RaycastScene.cast` for scene descriptor `scene`, rays [first, end): distances only (all
   * shadows need), or with `full` the normal, instance, class and material too.
   */
  cast(scene: number, rays: RayBatch, hits: HitBuffer, ignore: number, first: number, end: number, full = false): void {
    const count = end - first;
    if (count <= 0) return;
    if (count > this.capacity) throw new Error(`camera tiles: ${count} rays for a batch of ${this.capacity}`);
    this.origins.set(rays.origins.subarray(first * 3, end * 3));
    this.directions.set(rays.directions.subarray(first * 3, end * 3));
    this.thread.kernel.castRange(scene, this.address, this.capacity, 0, count, rays.tMin, rays.tMax, ignore >>> 0, this.thread.stack);
    hits.distance.set(this.distance.subarray(0, count), first);
    if (!full) return;
    hits.normal.set(this.normal.subarray(0, count * 3), first * 3);
    hits.instanceId.set(this.instanceId.subarray(0, count), first);
    hits.classId.set(this.classId.subarray(0, count), first);
    hits.materialId.set(this.materialId.subarray(0, count), first);
  }
}
