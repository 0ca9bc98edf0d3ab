import { allocate, BATCH_BYTES_PER_RAY, kernelShare, mainKernel, releaseWithOwner } from '../../raycast/KernelMemory.js';
import type { MeshBvh } from '../../raycast/MeshBvh.js';
import { registerPoolTask, type PoolWork, type TaskThread } from '../../raycast/PoolTasks.js';
import { RaycastPool } from '../../raycast/RaycastPool.js';
import type { PlacedPart, World } from '../../world/World.js';
import type { Appearance } from '../../core/materials.js';
import { mergeStats } from './Boxes2d.js';
import { imageOrder, itemOrder, runImage, runPhase, type CameraMessage } from './CameraTask.js';
import { TileEngine } from './CameraTiles.js';
import type { CameraView } from './CameraView.js';
import type { LensRemap } from './LensRemap.js';
import { allocateShared } from './SharedArrays.js';
import { packFrame, packParts, pixelLayout, STATS_PER_TILE, tileLayout, type MeshRef, type PartRef, type Phase, type TileFrame, type TileSetup, type TileShading } from './TileSetup.js';

/** The camera task's module, beside this one (the sources' own under the tests, run through tsx). */
const TASK = new URL(import.meta.url.endsWith('.ts') ? './CameraTask.ts' : './CameraTask.js', import.meta.url).href;
// Registered on import, so that every pool created afterwards (`roadcast run`'s) runs camera tiles.
registerPoolTask(TASK);

/**
 * What each of the pool's workers keeps for cameras, in worker order: tile engines (a disposed
 * camera's are dropped) and views of meshes (dropped with the last engine). Diagnostics.
 */
export async function cameraEnginesOn(pool: RaycastPool): Promise<{ engines: number; meshes: number }[]> {
  return (await pool.askTask(TASK, { kind: 'count' } satisfies CameraMessage)) as { engines: number; meshes: number }[];
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

function samePlacement(a: readonly PartRef[], b: readonly PartRef[]): boolean {
  if (a.length !== b.length) return false;
  for (let k = 0; k < a.length; k++) {
    const x = a[k], y = b[k];
    if (x.id !== y.id || x.mesh.id !== y.mesh.id) return false;
    for (let j = 0; j < 4; j++) if (x.q[j] !== y.q[j]) return false;
    for (let j = 0; j < 3; j++) if (x.p[j] !== y.p[j]) return false;
  }
  return true;
}

function partRefs(parts: readonly PlacedPart[], meshes: Map<number, MeshBvh>): PartRef[] {
  return parts.map((part) => ({ mesh: meshRef(part.mesh, meshes), q: [...part.quaternion], p: [...part.position], id: part.instanceId }));
}

/** What `TiledRender.render` is given besides the world and the bands' views. */
export interface TiledRenderOptions {
  skip: number; shadows: boolean; light: TileFrame['light']; appearances: (Appearance | undefined)[];
  develop: TileFrame['develop'];
  /** The signal lamps lit (World.litLamps). */
  lamps: Float64Array;
  /** Whether boxes are measured: the tiles count the instances seen (`stats` to `measured`). */
  boxes: boolean;
  measured: (instance: Uint32Array, stats: number[][] | undefined) => readonly (readonly PlacedPart[])[];
  /**
   * Called once the image is drawn, with its pixels, while the workers shade it (or at the
   * end, when nothing is shaded): what reads only the drawn values (depth, range, ids) is
   * done then, beside the shading, rather than after it.
   */
  drawn?: (pixels: TiledPixels) => void;
  /** With a GPU-drawn render: draws it (and, with corner samples, the corners' render after it) into the shared array at byte `into` of the kernel's memory, before the tiles run. */
  gpuRaster?: (into: number) => void;
}

/** What one image's tiled render gives: the shared pixel arrays (valid until the next render) and each measured actor's pixels drawn alone. */
export type TiledPixels = TileEngine['pixels'];

/** What a camera's tiles are: its lens remap and rolling-shutter bands, and how its image is shaded. */
export interface TiledCamera {
  remap: LensRemap;
  near: number; far: number;
  fisheye: boolean;
  shading: TileShading;
  /** Corner samples (anti-aliasing): a realistic RGB image. */
  corners: boolean;
  /** First render row of each band, then the render's height. */
  bands: Int32Array;
  /** Sensor noise (its raw values are developed in the tiles). */
  noise: boolean;
  /** The render (and its corners) is drawn on the GPU (render's `gpuRaster`), the tiles copy it instead of rasterising. */
  gpu?: boolean;
}

/**
 * A camera's image drawn and shaded in tiles (CameraTiles.ts) on the world's RaycastPool when
 * it has one (every core, the calling thread included), else on the calling thread alone: the
 * same code on the same tiles' bounds, so the bytes are the same either way. Every camera that
 * rasterises its visibility draws here: pinhole, distorted and fisheye lenses (pixels the
 * render does not hold are cast, tile by tile), rolling shutter (each band placed as it was
 * read), realistic, palette or no shading.
 */
export class TiledRender {
  private readonly id = nextCamera++;
  /** Renders so far (TileFrame.seq). */
  private seq = 0;
  private engine: TileEngine | undefined;
  private pool: RaycastPool | undefined;
  private threads = 0;
  private actors = 0;
  /** Each band's parts where they were when it was read, and the meshes they name. */
  private readonly bandParts: PartRef[][];
  private meshes = new Map<number, MeshBvh>();
  private readonly castTMax: number;
  /** Per render pixel, the camera pixels that sample it (CSR, raster order): for the corners' first needers. */
  private readonly inverse: { start: Int32Array; pixels: Int32Array } | undefined;

  constructor(private readonly camera: TiledCamera) {
    const { remap } = camera;
    this.bandParts = Array.from({ length: camera.bands.length - 1 }, () => []);
    // As the one-pass cast did: pinhole depth is limited along the axis, so rays run as far as `far` on the axis needs.
    let minZ = 1;
    for (const i of remap.castPixels) minZ = Math.min(minZ, remap.rays[i * 3 + 2]);
    this.castTMax = camera.fisheye ? camera.far : camera.far / Math.max(minZ, 1e-3);
    const source = remap.source;
    if (source && camera.corners) {
      const start = new Int32Array(remap.target.width * remap.target.height + 1);
      for (const s of source) if (s >= 0) start[s + 1]++;
      for (let s = 0; s + 1 < start.length; s++) start[s + 1] += start[s];
      const fill = start.slice(0, -1), pixels = new Int32Array(source.length);
      source.forEach((s, i) => {
        if (s >= 0) pixels[fill[s]++] = i;
      });
      this.inverse = { start, pixels };
    }
  }

  /** Band `band` is read now: its parts are drawn where the world places them now (the frame is drawn later, at once). */
  placeBand(band: number, world: World): void {
    const parts = partRefs(world.placedParts, this.meshes);
    // Bands read with the world placed alike share one list: it is posted to the workers once
    // (a message clones a shared object once) and drawn in one pass with its neighbours.
    const before = band > 0 ? this.bandParts[band - 1] : undefined;
    this.bandParts[band] = before && samePlacement(before, parts) ? before : parts;
  }

  /**
   * Draws and shades one image from each band's view (every band placed since the last
   * render). `measured(instance)`, called once the instance image is known, names the actors
   * whose pixels drawn alone are counted (into `alone`).
   */
  *render(
    world: World, views: readonly CameraView[], options: TiledRenderOptions,
  ): PoolWork<TiledPixels> {
    const scenePool = world.scene.pool;
    const pool = scenePool instanceof RaycastPool && scenePool.size > 0 && scenePool.runsTask(TASK) ? scenePool : undefined;
    const engine = this.ready(pool, this.actors);
    const meshes = this.meshes;
    this.meshes = new Map();
    const appearances: [number, Appearance][] = [];
    options.appearances.forEach((a, id) => a && appearances.push([id, a]));
    const frame: TileFrame = {
      views: views.map((v) => ({ m: [...v.m], position: v.position, sun: v.sun })), parts: this.bandParts.slice(),
      scene: world.scene.descriptor, skip: options.skip, ignore: options.skip, shadows: options.shadows,
      staticMesh: meshRef(world.scene.staticMesh, meshes), light: options.light, appearances, lamps: options.lamps, boxes: [],
      stats: options.boxes, develop: options.develop, seq: ++this.seq,
    };
    engine.setFrame(frame, meshes);
    this.post(pool, { kind: 'frame', camera: this.id, frame: packFrame(frame) });
    if (this.camera.gpu) options.gpuRaster!(engine.pixels.gpu.byteOffset);
    const tiles = engine.tileCount, focal = this.camera.remap.target.fx;
    const shaded = this.camera.shading !== 'none';
    let measured: readonly (readonly PlacedPart[])[];
    if (pool) {
      // Drawn and shaded in one run of the pool (the boxes measured on the way); only where
      // they outgrow the arrays are they measured again after a draw on larger ones.
      measured = yield* this.image(pool, engine, focal, shaded, frame.seq, meshes, options);
      if (measured.length <= this.actors) return engine.pixels;
    } else {
      yield* this.phase(pool, engine, 'draw', tiles, focal);
      measured = options.boxes ? options.measured(engine.pixels.instanceId, this.stats(engine)) : [];
    }
    if (measured.length > 0) {
      const engineNow = measured.length > this.actors ? yield* this.grow(pool, measured.length, frame, meshes, options.gpuRaster) : engine;
      const boxes = measured.map((list) => partRefs(list, meshes));
      engineNow.setBoxes(boxes, frame.seq);
      this.post(pool, { kind: 'boxes', camera: this.id, boxes: packParts(boxes), seq: frame.seq });
      // The actors drawn alone after the tiles' shading, in the same run (without shading, alone).
      yield* this.phase(pool, engineNow, 'shade', (shaded ? tiles : 0) + measured.length, focal, shaded ? 0 : tiles, () => options.drawn?.(engineNow.pixels));
      return engineNow.pixels;
    }
    if (shaded) yield* this.phase(pool, engine, 'shade', tiles, focal, 0, () => options.drawn?.(engine.pixels));
    else options.drawn?.(engine.pixels);
    return engine.pixels;
  }

  /**
   * An image's draws, shadings and actors alone in one run of the pool (CameraTask.runImage):
   * no thread waits at the end of the draws while another finishes its last tile, it shades
   * the tiles whose draws are done. This thread, once every tile is drawn, measures the boxes
   * and posts their parts (the workers take them while they run), then does what reads only
   * the drawn values (`drawn`). Returns the actors measured; more than the arrays have room
   * for are left for the caller, which draws again on larger ones (nothing drawn alone here).
   */
  private *image(
    pool: RaycastPool, engine: TileEngine, focal: number, shaded: boolean, seq: number, meshes: Map<number, MeshBvh>,
    options: Pick<TiledRenderOptions, 'boxes' | 'measured' | 'drawn'>,
  ): PoolWork<readonly (readonly PlacedPart[])[]> {
    while (pool.busy) yield pool.idle;
    // Kernel memory is handed out again as it is given back, not cleared: no mark of another render (or of another array) may stand.
    engine.pixels.drawnTiles.fill(0);
    const order = imageOrder(engine, shaded, options.boxes ? this.actors : 0);
    this.post(pool, { kind: 'phase', camera: this.id, phase: 'image', focal, first: 0, order });
    const job = pool.startTask(TASK, order.length);
    yield job;
    let measured: readonly (readonly PlacedPart[])[] = [];
    let posted = false;
    const postBoxes = (boxes: PartRef[][]): void => {
      engine.setBoxes(boxes, seq);
      this.post(pool, { kind: 'boxes', camera: this.id, boxes: packParts(boxes), seq });
      posted = true;
    };
    const between = (): void => {
      if (posted) return;
      engine.awaitDrawn();
      measured = options.boxes ? options.measured(engine.pixels.instanceId, this.stats(engine)) : [];
      const fits = measured.length <= this.actors;
      postBoxes(fits ? measured.map((list) => partRefs(list, meshes)) : []);
      if (fits) options.drawn?.(engine.pixels);
    };
    job.finish((next) => {
      try {
        runImage(engine, focal, order, next, between);
        between();
      } finally {
        // Whatever failed here, the workers waiting for the boxes are let go (with none).
        if (!posted) postBoxes([]);
      }
    });
    return measured;
  }

  /** The instances the tiles counted, merged; undefined where a tile saw more than it had room for. */
  private stats(engine: TileEngine): number[][] | undefined {
    const p = engine.pixels, parts: number[][][] = [];
    for (let t = 0; t < engine.tileCount; t++) {
      const count = p.statCount[t];
      if (count < 0) return undefined;
      const base = t * STATS_PER_TILE * 6;
      parts.push(Array.from({ length: count }, (_, k) => Array.from(p.stats.subarray(base + k * 6, base + k * 6 + 6))));
    }
    return mergeStats(parts);
  }

  /**
   * Develops `linear` (the last render's image with motion blur or rain and snow drawn into
   * it) in the tiles, on the pool the last render ran on: RGB8, and raw values with noise
   * (copies: the shared arrays are the next render's).
   */
  *develop(linear: Float32Array, develop: NonNullable<TileFrame['develop']>): PoolWork<{ rgb: Uint8Array; raw: Uint16Array | undefined }> {
    const engine = this.engine!, p = engine.pixels;
    if (linear !== p.linear) p.linear.set(linear);
    engine.setDevelop(develop);
    this.post(this.pool, { kind: 'develop', camera: this.id, develop });
    yield* this.phase(this.pool, engine, 'develop', engine.tileCount, this.camera.remap.target.fx);
    return { rgb: p.rgb.slice(), raw: develop.plan.noise && develop.plan.settings ? p.raw.slice() : undefined };
  }

  /** Room for more actors' counts: new shared arrays, drawn again (the draw is redone on them). */
  private *grow(pool: RaycastPool | undefined, actors: number, frame: TileFrame, meshes: Map<number, MeshBvh>, gpuRaster: ((into: number) => void) | undefined): PoolWork<TileEngine> {
    const engine = this.ready(pool, Math.max(actors, 2 * this.actors));
    engine.setFrame(frame, meshes);
    this.post(pool, { kind: 'frame', camera: this.id, frame: packFrame(frame) });
    // A GPU's render is drawn again, into the new arrays.
    if (this.camera.gpu) gpuRaster!(engine.pixels.gpu.byteOffset);
    yield* this.phase(pool, engine, 'draw', engine.tileCount, this.camera.remap.target.fx);
    return engine;
  }

  private post(pool: RaycastPool | undefined, message: CameraMessage): void {
    pool?.postTask(TASK, message);
  }

  /**
   * Runs a phase's items on the pool, or here; items are numbered from `first` (occlusion
   * without tiles: the actors alone). On the pool the phase is started and yielded: the
   * caller may do other work while the workers draw, then resumes this, which joins the
   * items left. Work that yields waits for a pool another camera's phase holds: whoever
   * resumes work resumes the earliest first (SensorPipeline.ts), which holds the pool.
   * `meanwhile` runs here once the workers have the phase (before the items, without a pool).
   */
  private *phase(pool: RaycastPool | undefined, engine: TileEngine, phase: Phase, count: number, focal: number, first = 0, meanwhile?: () => void): PoolWork<void> {
    if (!pool) {
      meanwhile?.();
      let k = 0;
      runPhase(engine, phase, focal, first, Array.from({ length: count }, (_, j) => j), () => (k < count ? k++ : -1));
      return;
    }
    // Another camera's tiles hold the pool: this one waits its turn. Only then is its phase
    // told, since the workers run the phase told last (this camera's frame and setup are
    // its own, and may go before).
    while (pool.busy) yield pool.idle;
    const order = itemOrder(engine, phase, first, count);
    this.post(pool, { kind: 'phase', camera: this.id, phase, focal, first, order });
    const job = pool.startTask(TASK, count);
    meanwhile?.();
    yield job;
    job.finish((next) => runPhase(engine, phase, focal, first, order, next));
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
    const { remap, shading, corners } = this.camera;
    const { width, height } = remap, r = remap.target;
    const n = width * height;
    // One tile without a pool: the whole image in one pass.
    const tileCount = threads === 1 ? 1 : TILES_PER_THREAD * threads;
    const tileRows = 2 * Math.ceil(height / tileCount / 2);
    const tiles = Math.ceil(height / tileRows);
    const tileRender = this.tileRender(tiles, tileRows);
    let cornerCapacity = 0;
    for (let t = 0; t < tiles; t++) {
      // The render's own rows: corner rows [a, c] of the tile's; through a remap, [r0, r1].
      const rows = remap.source ? tileRender[2 * t + 1] - tileRender[2 * t] + 1 : tileRows + 1;
      cornerCapacity = Math.max(cornerCapacity, corners ? (r.width + 1) * rows : 0);
    }
    const casterCapacity = Math.max(cornerCapacity, tileRows * width);
    const owner = {};
    const actorRoom = Math.max(64, actors);
    const remapped = remap.source !== undefined;
    const gpu = this.camera.gpu === true;
    const pixels = allocateShared<TiledPixels>(owner, pixelLayout({
      n, render: r.width * r.height, cornerRender: (r.width + 1) * (r.height + 1), tiles, actors: actorRoom, shading, corners, remapped, noise: this.camera.noise, gpu,
    }));
    const tileBlock = allocateShared(owner, tileLayout(cornerCapacity, tiles));
    const casters = Array.from({ length: threads }, () => allocate(casterCapacity * BATCH_BYTES_PER_RAY));
    releaseWithOwner(owner, casters);
    const a = pixels.arrays;
    a.rays.set(remap.sampledRays);
    if (remap.source) {
      a.ownRays.set(remap.rays);
      a.source.set(remap.source);
    }
    if (this.inverse) {
      a.inverseStart.set(this.inverse.start);
      a.inverse.set(this.inverse.pixels);
    }
    const setup: TileSetup = {
      width, height, render: { width: r.width, height: r.height, fx: r.fx, fy: r.fy, cx: r.cx, cy: r.cy },
      near: this.camera.near, far: this.camera.far, tileRows, tileRender, bands: [...this.camera.bands],
      shading, corners, remapped, fisheye: this.camera.fisheye, gpu, castTMax: this.castTMax, cornerCapacity,
      pixels: pixels.block, tiles: tileBlock.block, casters, casterCapacity,
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

  /**
   * The render rows each tile draws: where the render is the image, its rows and the one above
   * (whose pixels share the tile's top corners); through a remap, the rows its pixels sample.
   */
  private tileRender(tiles: number, tileRows: number): number[] {
    const { remap } = this.camera;
    const out: number[] = [];
    for (let t = 0; t < tiles; t++) {
      const a = t * tileRows, c = Math.min(remap.height, a + tileRows);
      if (!remap.source) {
        out.push(Math.max(0, a - 1), c);
        continue;
      }
      let r0 = Infinity, r1 = -Infinity;
      const rw = remap.target.width;
      for (let i = a * remap.width; i < c * remap.width; i++) {
        const s = remap.source[i];
        if (s < 0) continue;
        const row = (s / rw) | 0;
        r0 = Math.min(r0, row);
        r1 = Math.max(r1, row + 1);
      }
      out.push(...(r1 > r0 ? [r0, r1] : [0, 0]));
    }
    return out;
  }

  /** The owner of the shared blocks in use (they are given back when it is dropped). */
  blocks: object | undefined;
}
