import { NIR_BY_MATERIAL } from '../core/materials.js';
import {
  allocate, BATCH_BYTES_PER_RAY, BatchOffset, float32At, float64At, int32At, mainKernel, MESH_RECORD_BYTES, MeshRecord,
  release, releaseWithOwner, SCENE_DESCRIPTOR_BYTES, SceneSlot, uint32At, uint8At,
} from './KernelMemory.js';
import type { MeshBvh } from './MeshBvh.js';
import type { CastOptions, HitBuffer, RayBatch } from './Rays.js';
import { buildTopLevel, refitTopLevel, XFORM, type Instance, type TopLevel } from './TopLevel.js';

export { createHitBuffer, MISS, type CastOptions, type HitBuffer, type RayBatch } from './Rays.js';
export type { Instance } from './TopLevel.js';

/** Placements refit between two builds of a scene's top level (10 ms steps: a tenth of a second of motion). */
const REBUILD_EVERY = 10;

/**
 * The 905 nm reflectivity of each material (core/materials.ts), in kernel memory once per
 * thread: the kernel reports a hit's reflectivity from its material, so a car's glass and its
 * tyres answer differently from its paint although all three are class `vehicle`.
 */
let reflectivityTable = 0;
function reflectivityAddress(): number {
  if (reflectivityTable === 0) {
    reflectivityTable = allocate(256 * 4);
    float32At(reflectivityTable, 256).set(NIR_BY_MATERIAL);
  }
  return reflectivityTable;
}

/** What a scene can hand its casts to: a RaycastPool (told which scene casts: a twin shares its origin's pool). */
export interface CastDelegate {
  cast(rays: RayBatch, hits: HitBuffer, options?: CastOptions, scene?: RaycastScene): void;
}

/**
 * The meshes a scene and its twins share: the static mesh and the models, and their table in
 * kernel memory, which every twin's descriptor points at. The table has room to grow: a model
 * added later is written into its row in place, so a cast under way on another thread (a
 * camera's tiles reading a twin) never reads a table that moves; when the room is used up a
 * larger table is written and the old one is kept until the scene goes.
 */
class ModelTable {
  readonly models: MeshBvh[] = [];
  private address = 0;
  private rows = 0;
  /** The descriptors that point at the table (the scene's and its twins'; a collected twin's is skipped, its block given back). */
  private readonly descriptors: { scene: WeakRef<RaycastScene>; address: number }[] = [];
  private readonly blocks: number[] = [];

  constructor(readonly staticMesh: MeshBvh) {
    releaseWithOwner(this, this.blocks);
    this.write();
  }

  add(mesh: MeshBvh): number {
    this.models.push(mesh);
    this.write();
    return this.models.length - 1;
  }

  private write(): void {
    const meshes = [this.staticMesh, ...this.models];
    if (meshes.length > this.rows) {
      this.rows = Math.max(8, 2 * meshes.length);
      this.address = allocate(this.rows * MESH_RECORD_BYTES);
      this.blocks.push(this.address);
      uint32At(this.address, (this.rows * MESH_RECORD_BYTES) / 4).fill(0);
      meshes.forEach((mesh, row) => this.writeRow(mesh, row));
      for (const d of this.descriptors) if (d.scene.deref()) uint32At(d.address, SCENE_DESCRIPTOR_BYTES / 4)[SceneSlot.meshes] = this.address;
      return;
    }
    this.writeRow(meshes[meshes.length - 1], meshes.length - 1);
  }

  private writeRow(mesh: MeshBvh, row: number): void {
    const table = uint32At(this.address + row * MESH_RECORD_BYTES, MESH_RECORD_BYTES / 4);
    table[MeshRecord.nodes] = mesh.nodes.byteOffset;
    table[MeshRecord.triangles] = mesh.triangles.byteOffset;
    table[MeshRecord.triangleCount] = mesh.triangleCount;
    table[MeshRecord.triangleIds] = mesh.triangleIds.byteOffset;
    table[MeshRecord.classes] = mesh.classes.byteOffset;
    table[MeshRecord.materials] = mesh.materials.byteOffset;
  }

  /** Points a descriptor at the table, now and whenever it moves. */
  attach(scene: RaycastScene): void {
    this.descriptors.push({ scene: new WeakRef(scene), address: scene.descriptor });
    uint32At(scene.descriptor, SCENE_DESCRIPTOR_BYTES / 4)[SceneSlot.meshes] = this.address;
  }
}

/** A batch prepared in kernel memory: rays [0, count) of a block of `capacity` rays. */
export interface KernelBatch {
  address: number;
  capacity: number;
  count: number;
  tMin: number;
  tMax: number;
  ignore: number;
}

/**
 * The two-level world the sensors see: one static mesh built once, shared model meshes, and
 * a top-level BVH over model instances rebuilt from actor poses (cheap: one box per actor).
 * The static mesh reports instance id 0. The scene keeps a descriptor of all of it in the
 * raycast kernel's shared memory (KernelMemory.ts), which is what the WebAssembly kernel
 * reads: `cast` runs it on the calling thread, a `RaycastPool` over worker threads as well.
 */
export class RaycastScene {
  /** Kernel blocks this scene owns: descriptor, top level, batch. */
  private readonly blocks = { descriptor: 0, top: 0, topBytes: 0, batch: 0, batchCapacity: 0 };
  /** The same addresses, for release when the scene is collected. */
  private readonly owned: number[] = [];
  private delegate: CastDelegate | undefined;
  private ranging: CastDelegate | undefined;
  private readonly table: ModelTable;

  /**
   * A scene over a static mesh; or, given `origin`, a twin of that scene (`twin()`): the same
   * meshes, a top level and batch of its own.
   */
  constructor(readonly staticMesh: MeshBvh, private readonly origin?: RaycastScene) {
    this.table = origin?.table ?? new ModelTable(staticMesh);
    this.blocks.descriptor = allocate(SCENE_DESCRIPTOR_BYTES);
    const slots = uint32At(this.blocks.descriptor, SCENE_DESCRIPTOR_BYTES / 4);
    slots.fill(0);
    slots[SceneSlot.reflectivity] = reflectivityAddress();
    this.owned.push(this.blocks.descriptor);
    releaseWithOwner(this, this.owned);
    this.table.attach(this);
    this.setInstances([]);
  }

  /**
   * A scene over the same static mesh and models (one table: a model added to either is in
   * both) with a top level and ray batch of its own, so that it can hold another placement of
   * the actors while this one is cast: a camera whose tiles are still being drawn on the pool
   * while the LiDAR places the next step. It casts through this scene's pool.
   */
  twin(): RaycastScene {
    return new RaycastScene(this.staticMesh, this.origin ?? this);
  }

  /** The scene descriptor's address in kernel memory (what the kernel is given). */
  get descriptor(): number {
    return this.blocks.descriptor;
  }

  /** Rows of the mesh table in kernel memory: the static mesh, then each model. */
  get meshCount(): number {
    return this.table.models.length + 1;
  }

  addModel(mesh: MeshBvh): number {
    return this.table.add(mesh);
  }

  /** The top level last built or refit, and refits since it was built. */
  private top: { level: TopLevel; refits: number } | undefined;

  /**
   * Places the instances: the top level is refit (the tree keeps its shape: refitTopLevel)
   * when they are those of the last build, moved, and rebuilt otherwise and every
   * REBUILD_EVERY placements, before refit boxes grow loose. The meshes are untouched.
   */
  setInstances(instances: readonly Instance[]): void {
    const kept = this.top;
    const refit = kept !== undefined && kept.refits < REBUILD_EVERY && refitTopLevel(kept.level, instances, this.table.models);
    const top = refit ? kept.level : buildTopLevel(instances, this.table.models);
    this.top = { level: top, refits: refit ? kept.refits + 1 : 0 };
    const n = top.count;
    const nodeBytes = top.nodes.byteLength;
    const bytes = nodeBytes + n * (8 * XFORM + 8);
    if (this.blocks.topBytes < bytes) {
      const capacity = Math.max(bytes, 2 * this.blocks.topBytes);
      this.replaceBlock('top', allocate(capacity));
      this.blocks.topBytes = capacity;
    }
    const at = this.blocks.top;
    const transformsAt = at + nodeBytes;
    const meshesAt = transformsAt + n * 8 * XFORM;
    const idsAt = meshesAt + n * 4;
    int32At(at, top.links.length).set(top.links);
    float64At(transformsAt, n * XFORM).set(top.transforms);
    const meshes = int32At(meshesAt, n);
    // Mesh-table rows: the static mesh is row 0, model i is row i + 1.
    for (let i = 0; i < n; i++) meshes[i] = top.models[i] + 1;
    uint32At(idsAt, n).set(top.ids);
    const slots = uint32At(this.blocks.descriptor, SCENE_DESCRIPTOR_BYTES / 4);
    slots[SceneSlot.topNodes] = at;
    slots[SceneSlot.topCount] = n;
    slots[SceneSlot.topTransforms] = transformsAt;
    slots[SceneSlot.topMeshes] = meshesAt;
    slots[SceneSlot.topIds] = idsAt;
  }

  /**
   * Sends every later `cast` to a pool (the sensors then use every core without knowing), or
   * back to this thread with `undefined`. The hits are the same either way.
   */
  usePool(pool: CastDelegate | undefined): void {
    this.delegate = pool;
  }

  /** The pool casts go to, if any (a twin's is its origin's). */
  get pool(): CastDelegate | undefined {
    return this.origin ? this.origin.pool : this.delegate;
  }

  /** Closest hit for rays [first, end) of the batch: on this thread, or on the pool set by `usePool`. */
  cast(rays: RayBatch, hits: HitBuffer, options: CastOptions = {}): void {
    const pool = this.pool;
    if (pool) pool.cast(rays, hits, options, this);
    else this.castOnThisThread(rays, hits, options);
  }

  /**
   * Sends every later `castRanging` (the LiDAR's and the radar's casts) to another caster, a
   * GpuRaycaster, or back to `cast` with `undefined`. Only those: a camera's many small casts
   * and its tiles stay with `cast` and the pool (the GPU backend covers range sensors today).
   */
  useRangingCaster(caster: CastDelegate | undefined): void {
    this.ranging = caster;
  }

  /** The caster `castRanging` goes to, if not `cast`. */
  get rangingCaster(): CastDelegate | undefined {
    return this.ranging;
  }

  /** As `cast`, for a range sensor: on the caster set by `useRangingCaster` if any (a twin's own only: the GPU holds its origin's top level). */
  castRanging(rays: RayBatch, hits: HitBuffer, options: CastOptions = {}): void {
    if (this.ranging) this.ranging.cast(rays, hits, options, this);
    else this.cast(rays, hits, options);
  }

  /** As `cast`, on the calling thread whatever pool the scene uses (a pool's small batches). */
  castOnThisThread(rays: RayBatch, hits: HitBuffer, options: CastOptions = {}): void {
    const first = options.first ?? 0;
    const end = options.end ?? rays.count;
    if (end <= first) return;
    const batch = this.prepareBatch(rays, first, end, options.ignoreInstanceId);
    const { kernel, stack } = mainKernel();
    kernel.castRange(this.descriptor, batch.address, batch.capacity, 0, batch.count, batch.tMin, batch.tMax, batch.ignore, stack);
    this.collectHits(batch, hits, first);
  }

  /** Copies rays [first, end) into this scene's batch block (grown when needed). */
  prepareBatch(rays: RayBatch, first: number, end: number, ignoreInstanceId = -1): KernelBatch {
    const count = end - first;
    if (this.blocks.batchCapacity < count) {
      const capacity = Math.max(count, 2 * this.blocks.batchCapacity);
      this.replaceBlock('batch', allocate(capacity * BATCH_BYTES_PER_RAY));
      this.blocks.batchCapacity = capacity;
    }
    const address = this.blocks.batch;
    const capacity = this.blocks.batchCapacity;
    float32At(address + BatchOffset.origins * capacity, count * 3).set(rays.origins.subarray(first * 3, end * 3));
    float32At(address + BatchOffset.directions * capacity, count * 3).set(rays.directions.subarray(first * 3, end * 3));
    // An id no instance has (ids are uint32; -1 wraps to 0xffffffff, which is MISS).
    const ignore = ignoreInstanceId >>> 0;
    return { address, capacity, count, tMin: rays.tMin, tMax: rays.tMax, ignore };
  }

  /** Copies a cast batch's hits out to `hits`, starting at ray `first`. */
  collectHits(batch: KernelBatch, hits: HitBuffer, first: number): void {
    const { address, capacity, count } = batch;
    hits.distance.set(float32At(address + BatchOffset.distance * capacity, count), first);
    hits.normal.set(float32At(address + BatchOffset.normal * capacity, count * 3), first * 3);
    hits.instanceId.set(uint32At(address + BatchOffset.instanceId * capacity, count), first);
    hits.triangleId.set(uint32At(address + BatchOffset.triangleId * capacity, count), first);
    hits.reflectivity.set(float32At(address + BatchOffset.reflectivity * capacity, count), first);
    hits.classId.set(uint8At(address + BatchOffset.classId * capacity, count), first);
    hits.materialId.set(uint8At(address + BatchOffset.materialId * capacity, count), first);
  }

  private replaceBlock(name: 'top' | 'batch', address: number): void {
    const old = this.blocks[name];
    if (old !== 0) {
      release(old);
      this.owned.splice(this.owned.indexOf(old), 1);
    }
    this.blocks[name] = address;
    this.owned.push(address);
  }
}
