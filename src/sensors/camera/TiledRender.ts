import { allocate, BATCH_BYTES_PER_RAY, kernelShare, mainKernel, releaseWithOwner } from '../../raycast/KernelMemory.js';
import type { MeshBvh } from '../../raycast/MeshBvh.js';
import { registerPoolTask, type TaskThread } from '../../raycast/PoolTasks.js';
import { RaycastPool } from '../../raycast/RaycastPool.js';
import type { PlacedPart, World } from '../../world/World.js';
import type { Appearance } from '../../core/materials.js';
import { runPhase, type CameraMessage, type Phase } from './CameraTask.js';
import { cornerCapacity, pixelLayout, TileEngine, tileLayout, type MeshRef, type PartRef, type TileFrame, type TileSetup } from './CameraTiles.js';
import type { CameraView } from './CameraView.js';
import type { RenderTarget } from './RenderTarget.js';
import { allocateShared } from './SharedArrays.js';

/** The camera task's module, beside this one (the sources' own under the tests, run through tsx). */
const TASK = new URL(import.meta.url.endsWith('.ts') ? './CameraTask.ts' : './CameraTask.js', import.meta.url).href;
// Registered on import, so that every pool created afterwards (`roadcast run`'s) runs camera tiles.
registerPoolTask(TASK);

/** How many cameras' tile engines each of the pool's workers keeps, in worker order (diagnostics: a disposed camera's are dropped). */
export async function cameraEnginesOn(pool: RaycastPool): Promise<number[]> {
  return (await pool.askTask(TASK, { kind: 'count' } satisfies CameraMessage)) as number[];
}

/** Tiles per thread: enough for one thread to take another's share when it is slowed, few enough that each triangle is set up a few times only. */
const TILES_PER_THREAD = 3;

let nextCamera = 1;
let nextMesh = 1;
const meshIds = new WeakMap<MeshBvh, number>();

function meshRef(mesh: MeshBvh, meshes: Map<number, MeshBvh>): MeshRef {
  let id = meshIds.get(mesh);
  if (id === undefined) meshIds.set(mesh, (id = nextMesh++));
  meshes.set(id, mesh);
  return { id, triangles: mesh.triangles.byteOffset, count: mesh.triangleCount, classes: mesh.classes.byteOffset, materials: mesh.materials.byteOffset, bounds: mesh.bounds.byteOffset };
}

/** What one image's tiled render gives: the shared pixel arrays (valid until the next render) and each measured actor's pixels drawn alone. */
export type TiledPixels = TileEngine['pixels'];

/**
 * A camera's image drawn and shaded in tiles (CameraTiles.ts) on the world's RaycastPool when
 * it has one (every core, the calling thread included), else on the calling thread alone: the
 * same code on the same tiles' bounds, so the bytes are the same either way and the same as
 * the camera's one-pass render. For an undistorted pinhole camera with realistic shading and
 * no rolling shutter (Camera.ts draws the others in one pass).
 */
export class TiledRender {
  private readonly id = nextCamera++;
  private engine: TileEngine | undefined;
  private pool: RaycastPool | undefined;
  private threads = 0;
  private actors = 0;

  constructor(private readonly target: RenderTarget, private readonly rays: Float32Array, private readonly near: number, private readonly far: number) {}

  /**
   * Draws and shades one image from `view`. `measured(instance)`, called once the instance
   * image is known, names the actors whose pixels drawn alone are counted (into `alone`).
   */
  render(
    world: World, view: CameraView, options: {
      skip: number; shadows: boolean; light: TileFrame['light']; appearances: (Appearance | undefined)[];
      measured: (instance: Uint32Array) => readonly (readonly PlacedPart[])[];
    },
  ): TiledPixels {
    const scenePool = world.scene.pool;
    const pool = scenePool instanceof RaycastPool && scenePool.size > 0 && scenePool.runsTask(TASK) ? scenePool : undefined;
    const engine = this.ready(pool, this.actors);
    const meshes = new Map<number, MeshBvh>();
    const parts: PartRef[] = world.placedParts.map((part) => ({ mesh: meshRef(part.mesh, meshes), q: [...part.quaternion], p: [...part.position], id: part.instanceId }));
    const appearances: [number, Appearance][] = [];
    options.appearances.forEach((a, id) => a && appearances.push([id, a]));
    const frame: TileFrame = {
      view: { m: [...view.m], position: view.position, sun: view.sun },
      scene: world.scene.descriptor, skip: options.skip, ignore: options.skip, shadows: options.shadows,
      staticMesh: meshRef(world.scene.staticMesh, meshes), parts, light: options.light, appearances, boxes: [],
    };
    engine.setFrame(frame, meshes);
    this.post(pool, { kind: 'frame', camera: this.id, frame });
    const tiles = engine.tileCount, focal = this.target.fx;
    this.phase(pool, engine, 'draw', tiles, focal);
    const measured = options.measured(engine.pixels.instanceId);
    if (measured.length > 0) {
      const engineNow = measured.length > this.actors ? this.grow(pool, measured.length, frame, meshes) : engine;
      frame.boxes = measured.map((list) => list.map((part) => ({ mesh: meshRef(part.mesh, meshes), q: [...part.quaternion], p: [...part.position], id: part.instanceId })));
      engineNow.setFrame(frame, meshes);
      this.post(pool, { kind: 'frame', camera: this.id, frame });
      this.phase(pool, engineNow, 'occlude', tiles + measured.length, focal);
      this.phase(pool, engineNow, 'shade', tiles, focal);
      return engineNow.pixels;
    }
    this.phase(pool, engine, 'occlude', tiles, focal);
    this.phase(pool, engine, 'shade', tiles, focal);
    return engine.pixels;
  }

  /** Room for more actors' counts: new shared arrays, drawn again (the draw is redone on them). */
  private grow(pool: RaycastPool | undefined, actors: number, frame: TileFrame, meshes: Map<number, MeshBvh>): TileEngine {
    const engine = this.ready(pool, Math.max(actors, 2 * this.actors));
    engine.setFrame(frame, meshes);
    this.post(pool, { kind: 'frame', camera: this.id, frame });
    this.phase(pool, engine, 'draw', engine.tileCount, this.target.fx);
    return engine;
  }

  private post(pool: RaycastPool | undefined, message: CameraMessage): void {
    pool?.postTask(TASK, message);
  }

  /** Runs a phase's items on the pool, or here. */
  private phase(pool: RaycastPool | undefined, engine: TileEngine, phase: Phase, count: number, focal: number): void {
    if (!pool) {
      let k = 0;
      runPhase(engine, phase, focal, () => (k < count ? k++ : -1));
      return;
    }
    this.post(pool, { kind: 'phase', camera: this.id, phase, focal });
    pool.runTask(TASK, count, (next) => runPhase(engine, phase, focal, next));
  }

  /**
   * Gives the camera up: the pool's workers drop their engines for it (each holds views of
   * this camera's shared arrays and its own render targets, as large as the image), and the
   * shared blocks go back to the kernel memory once their owner is collected. Rendering again
   * sets up afresh.
   */
  dispose(): void {
    this.post(this.pool, { kind: 'drop', camera: this.id });
    this.engine = undefined;
    this.pool = undefined;
    this.threads = 0;
    this.actors = 0;
    this.blocks = undefined;
  }

  /** The engine for this pool (its thread count sets the tiles), set up on every thread when it changes. */
  private ready(pool: RaycastPool | undefined, actors: number): TileEngine {
    const threads = pool ? pool.size + 1 : 1;
    if (this.engine && pool === this.pool && threads === this.threads && actors <= this.actors) return this.engine;
    // Another pool (or none) from now on: the one before keeps no engine for this camera.
    if (pool !== this.pool) this.post(this.pool, { kind: 'drop', camera: this.id });
    const t = this.target;
    const n = t.width * t.height;
    // One tile without a pool: the whole image in one pass, as the camera drew it before tiles.
    const tileCount = threads === 1 ? 1 : TILES_PER_THREAD * threads;
    const tileRows = 2 * Math.ceil(t.height / tileCount / 2);
    const tiles = Math.ceil(t.height / tileRows);
    const capacity = cornerCapacity(t.width, tileRows);
    const casterCapacity = Math.max(capacity, tileRows * t.width);
    const owner = {};
    const actorRoom = Math.max(64, actors);
    const pixels = allocateShared<TiledPixels>(owner, pixelLayout(n, tiles, actorRoom));
    const tileBlock = allocateShared(owner, tileLayout(capacity, tiles));
    const casters = Array.from({ length: threads }, () => allocate(casterCapacity * BATCH_BYTES_PER_RAY));
    releaseWithOwner(owner, casters);
    pixels.arrays.rays.set(this.rays);
    const setup: TileSetup = {
      width: t.width, height: t.height, fx: t.fx, fy: t.fy, cx: t.cx, cy: t.cy, near: this.near, far: this.far,
      tileRows, pixels: pixels.block, tiles: tileBlock.block, casters, casterCapacity,
    };
    const { kernel, stack } = mainKernel();
    const thread: TaskThread = { index: 0, kernel, stack, memory: kernelShare().memory };
    this.engine = new TileEngine(setup, thread);
    // The blocks live as long as this render holds them.
    this.blocks = owner;
    this.pool = pool;
    this.threads = threads;
    this.actors = actorRoom;
    this.post(pool, { kind: 'setup', camera: this.id, setup });
    return this.engine;
  }
  /** The owner of the shared blocks in use (they are given back when it is dropped). */
  blocks: object | undefined;
}
