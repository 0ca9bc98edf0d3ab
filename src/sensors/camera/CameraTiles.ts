import type { Appearance } from '../../core/materials.js';
import { rotationMatrix } from '../../core/pose.js';
import type { MeshBvh } from '../../raycast/MeshBvh.js';
import { RASTER_WORDS_PER_PIXEL } from '../../raycast/gpu/GpuRaster.js';
import type { TaskThread } from '../../raycast/PoolTasks.js';
import { createHitBuffer, MISS, type HitBuffer, type RayBatch } from '../../raycast/Rays.js';
import { ambientOcclusion, OCCLUSION_REACH_ROWS, occlusionOfPixel } from './AmbientOcclusion.js';
import { CornerSamples } from './AntiAliasing.js';
import { instanceStats } from './Boxes2d.js';
import type { CameraView } from './CameraView.js';
import { develop } from './Develop.js';
import { Rasterizer } from './Rasterizer.js';
import { RenderTarget, type TriangleRecords } from './RenderTarget.js';
import { SensorNoise } from './SensorNoise.js';
import { Shader } from './Shading.js';
import { sharedViews } from './SharedArrays.js';
import { Sky } from './Sky.js';
import { SampleBuffers, SurfaceShader } from './SurfaceShading.js';
import { ThreadCaster } from './ThreadCaster.js';
import { blendTile, claimant, gatherImage, gatherRemapped, type CornerContext } from './TileCorners.js';
import { rotation, STATS_PER_TILE, type MeshRef, type PartRef, type Pixels, type TileFrame, type TileSetup, type Tiles } from './TileSetup.js';

function sameView(a: CameraView, b: CameraView): boolean {
  if (a === b) return true;
  for (let k = 0; k < 9; k++) if (a.m[k] !== b.m[k]) return false;
  return a.position[0] === b.position[0] && a.position[1] === b.position[1] && a.position[2] === b.position[2];
}

/** A worker's views of meshes by id (the calling thread hands its own MeshBvh objects in). */
const meshCache = new Map<number, MeshBvh>();

/** Meshes this thread keeps views of; `forget` drops them (no camera left on the thread: a later one views its meshes afresh). */
export function cachedMeshes(forget = false): number {
  const count = meshCache.size;
  if (forget) meshCache.clear();
  return count;
}

/**
 * One thread's share of a camera's image: its own render targets and rasterisers, shader and
 * ray batch, over the camera's shared pixel arrays. A tile is a band of `tileRows` camera rows
 * and the render rows its pixels sample (`tileRender`); every phase writes only its tile's
 * pixels (or its tile's corner block), so no tile's result depends on the thread that
 * computed it or on the other tiles being done, except where a phase reads what an earlier
 * phase (a separate pool run) finished. Two phases, one barrier between them:
 *   A  draw the tile's render rows (each rolling-shutter band from its own view and placement)
 *      on this thread's targets, resolve its pixels (casting those beyond the render), their
 *      world points and sky colours, gather the corners its pixels need, cast the shadow
 *      anchors' rays (they need their own pixel alone) and count the instances seen;
 *   B  ambient occlusion (it reads neighbouring rows' points, so it waits for every draw), the
 *      other shadow rays (they read the anchors around, in any tile), the surface shading, the
 *      corners' shading (a corner first needed in another tile's rows takes that pixel's
 *      occlusion computed again here) and the blend, then the sensor and the tone curve; or
 *      the palette's colours; or one actor drawn alone (its box's occlusion).
 */
export class TileEngine {
  readonly pixels: Pixels;
  private readonly tiles: Tiles;
  private readonly centre: RenderTarget;
  private readonly raster: Rasterizer;
  private readonly corners: CornerSamples | undefined;
  private readonly caster: ThreadCaster;
  private readonly image: SampleBuffers;
  private readonly palette: Shader | undefined;
  private readonly cornerContext: CornerContext | undefined;
  /** The band of each render row. */
  private readonly bandOfRow: Int32Array;
  private frame: TileFrame | undefined;
  private views: CameraView[] = [];
  private appearanceOf: (Appearance | undefined)[] = [];
  private light: { key: string; surface: SurfaceShader } | undefined;
  private staticMesh: MeshBvh | undefined;
  private parts: { mesh: MeshBvh; part: PartRef }[][] = [];
  private readonly batch: RayBatch;
  private readonly hits: HitBuffer;
  private readonly rayOf: Uint32Array;
  private readonly shaded: Float32Array;
  private stamp = 0;
  private noise: { key: string; noise: SensorNoise } | undefined;
  /**
   * Per tile, the first and last tile whose draw its shading reads: the rows its occlusion
   * reaches (and a corner's first needer's, a row beyond), or, through a lens remap, where a
   * corner's needer may lie anywhere, every tile.
   */
  readonly shadeReads: Int32Array;
  /** The render whose boxes' parts this engine has (TileFrame.seq). */
  private boxesSeq = 0;

  constructor(readonly setup: TileSetup, private readonly thread: TaskThread) {
    const s = setup, r = s.render;
    this.pixels = sharedViews<Pixels>(thread.memory, s.pixels);
    this.tiles = sharedViews<Tiles>(thread.memory, s.tiles);
    this.centre = new RenderTarget(r.width, r.height, r.fx, r.fy, r.cx, r.cy);
    this.raster = new Rasterizer(this.centre);
    if (s.corners) this.corners = new CornerSamples(this.centre);
    if (thread.index >= s.casters.length) throw new Error(`camera tiles: no ray batch for thread ${thread.index}`);
    this.caster = new ThreadCaster(thread, s.casters[thread.index], s.casterCapacity);
    // The image's pixels are the samples shaded in B and C: their arrays are the shared ones.
    const p = this.pixels, img = new SampleBuffers(0);
    img.pos = p.pos; img.normal = p.normal; img.view = p.view; img.range = p.range; img.material = p.materialId;
    img.instance = p.instanceId; img.visibility = p.vis; img.ao = p.ao; img.count = s.width * s.height;
    this.image = img;
    if (s.shading === 'palette') this.palette = new Shader(s.tileRows * s.width);
    this.batch = { origins: new Float32Array(s.casterCapacity * 3), directions: new Float32Array(s.casterCapacity * 3), count: 0, tMin: 1e-3, tMax: 2000 };
    this.hits = createHitBuffer(s.casterCapacity);
    this.rayOf = new Uint32Array(s.casterCapacity);
    this.shaded = new Float32Array(s.cornerCapacity * 3);
    const tiles = this.tileCount, reach = OCCLUSION_REACH_ROWS + 2;
    this.shadeReads = new Int32Array(2 * tiles);
    for (let t = 0; t < tiles; t++) {
      const [a, c] = this.rows(t);
      this.shadeReads[2 * t] = s.remapped ? 0 : Math.max(0, Math.floor((a - reach) / s.tileRows));
      this.shadeReads[2 * t + 1] = s.remapped ? tiles - 1 : Math.min(tiles - 1, Math.floor((c - 1 + reach) / s.tileRows));
    }
    this.bandOfRow = new Int32Array(r.height);
    for (let b = 0; b + 1 < s.bands.length; b++) this.bandOfRow.fill(b, s.bands[b], s.bands[b + 1]);
    const views = this.views;
    if (this.corners) {
      const last = r.height - 1, bands = this.bandOfRow;
      this.cornerContext = {
        corners: this.corners, centre: this.centre, pixels: this.pixels, tiles: this.tiles, width: s.width, capacity: s.cornerCapacity, far: s.far,
        viewOfCornerRow: (row) => views[bands[row < last ? row : last]],
      };
    }
  }

  get tileCount(): number {
    return Math.ceil(this.setup.height / this.setup.tileRows);
  }

  /** Takes an image's inputs; `meshes` are the calling thread's own objects (a worker views kernel memory). */
  setFrame(frame: TileFrame, meshes?: Map<number, MeshBvh>): void {
    this.frame = frame;
    // In place: the corner context reads the same array.
    this.views.length = 0;
    for (const v of frame.views) this.views.push({ m: Float64Array.from(v.m), position: v.position, sun: v.sun, optical: { p: [0, 0, 0], q: [0, 0, 0, 1] } });
    this.appearanceOf = [];
    for (const [id, a] of frame.appearances) this.appearanceOf[id] = a;
    const mesh = (ref: MeshRef): MeshBvh => meshes?.get(ref.id) ?? this.viewMesh(ref);
    this.staticMesh = mesh(frame.staticMesh);
    // Bands placed alike share a list (TiledRender.placeBand): one mapped list for them too.
    const mapped = new Map<PartRef[], { mesh: MeshBvh; part: PartRef }[]>();
    this.parts = frame.parts.map((list) => {
      let out = mapped.get(list);
      if (!out) mapped.set(list, (out = list.map((part) => ({ mesh: mesh(part.mesh), part }))));
      return out;
    });
    if (this.setup.shading === 'realistic' && this.light?.key !== frame.light.key) {
      const sky = new Sky(frame.light.turbidity, frame.light.sun);
      this.light = { key: frame.light.key, surface: new SurfaceShader(sky, this.setup.cornerCapacity) };
    }
    if (this.light) this.light.surface.lamps = frame.lamps;
    this.meshes = meshes;
    this.setBoxes(frame.boxes);
  }

  /** The parts of each actor whose box is measured (known once the image is drawn): its other inputs stay. `seq`: the render they are for. */
  setBoxes(boxes: PartRef[][], seq?: number): void {
    this.frame!.boxes = boxes;
    if (seq !== undefined) this.boxesSeq = seq;
    for (const parts of boxes) for (const part of parts) this.meshes?.get(part.mesh.id) ?? this.viewMesh(part.mesh);
  }
  private meshes: Map<number, MeshBvh> | undefined;

  private viewMesh(ref: MeshRef): MeshBvh {
    const cached = meshCache.get(ref.id);
    if (cached) return cached;
    const b = this.thread.memory.buffer;
    const mesh = {
      triangleCount: ref.count,
      triangles: new Float32Array(b, ref.triangles, ref.count * 9),
      classes: new Uint8Array(b, ref.classes, ref.count),
      materials: new Uint8Array(b, ref.materials, ref.count),
      bounds: new Float32Array(b, ref.bounds, 6),
    } as MeshBvh;
    meshCache.set(ref.id, mesh);
    return mesh;
  }

  /** Camera rows [a, c) of tile t. */
  private rows(t: number): [number, number] {
    const a = t * this.setup.tileRows;
    return [a, Math.min(this.setup.height, a + this.setup.tileRows)];
  }

  /** The view camera pixel i was drawn from (its render row's band; a cast pixel: the first band's). */
  private viewOf(i: number): CameraView {
    const s = this.setup.remapped ? this.pixels.source[i] : i;
    return s < 0 ? this.views[0] : this.views[this.bandOfRow[(s / this.setup.render.width) | 0]];
  }
  private readonly viewOfPixel = (i: number): CameraView => this.viewOf(i);

  /** Phase A of tile t: draw, resolve, world points and sky, corner gather, shadow anchors, instance counts. */
  draw(t: number): void {
    const { near, far, width, bands } = this.setup;
    const [a, c] = this.rows(t);
    const r0 = this.setup.tileRender[2 * t], r1 = this.setup.tileRender[2 * t + 1];
    const rh = this.setup.render.height;
    const cs = this.corners, frame = this.frame!;
    if (r1 > r0 && this.setup.gpu) this.copyGpuRows(r0, r1);
    else if (r1 > r0) {
      this.centre.clear(r0, r1, 1 / far);
      if (cs) {
        cs.target.clear(r0, r1 + 1, 1 / far);
        cs.raster.records!.count = 0;
      }
      // Band by band, as the camera reads them; centre and corners of a band in one pass (they
      // share its triangles' records). Neighbouring bands from the same view and placement are
      // one pass: a corner across their border then shares its centre's record, which
      // sameSurface answers as it does for the same triangle under another record.
      for (let b = 0, e = 1; b + 1 < bands.length; b = e, e = b + 1) {
        while (e + 1 < bands.length && this.parts[e] === this.parts[b] && sameView(this.views[e], this.views[b])) e++;
        // The bands' centre rows [c0, c1) and corner rows [c0, k1) in the tile's (corner row r is drawn with render row r, the bottom edge with the last).
        const c0 = Math.max(r0, bands[b]), c1 = Math.min(r1, bands[e]);
        const k1 = Math.min(r1 + 1, bands[e] === rh ? rh + 1 : bands[e]);
        if (c1 <= c0 && (!cs || k1 <= c0)) continue;
        const view = this.views[b];
        if (cs) {
          cs.raster.setView(view, near, far, c0, Math.max(c0, k1));
          this.raster.setView(view, near, far, c0, Math.max(c0, c1), cs.raster);
        } else this.raster.setView(view, near, far, c0, Math.max(c0, c1));
        this.raster.drawStatic(this.staticMesh!);
        for (const { mesh, part } of this.parts[b]) {
          if (part.id === frame.skip) continue;
          this.raster.drawInstance(mesh, rotation(part.q), part.p, part.id);
        }
      }
    }
    this.resolve(a * width, c * width);
    const x = this.cornerContext;
    if (x) this.pixels.corners[t] = this.setup.remapped ? gatherRemapped(x, t, r0, a * width, c * width) : gatherImage(x, t, a, c);
    this.pixels.shadowRays[t] = 0;
    if (this.setup.shading === 'realistic') this.anchors(t, a, c);
    if (frame.stats) this.countInstances(t, a * width, c * width);
  }

  /** Draws tile t and marks it drawn for this render (`drawnTiles`), for the threads whose shading waits on it; a failed draw is marked so, and thrown on. */
  drawMarked(t: number): void {
    const flags = this.pixels.drawnTiles, seq = this.frame!.seq;
    try {
      this.draw(t);
    } catch (error) {
      Atomics.store(flags, t, -seq);
      throw error;
    }
    Atomics.store(flags, t, seq);
  }

  /** Whether tile t of this render is drawn (throws where its draw failed). */
  private isDrawn(t: number): boolean {
    const f = Atomics.load(this.pixels.drawnTiles, t), seq = this.frame!.seq;
    if (f === -seq) throw new Error(`camera tiles: the draw of tile ${t} failed`);
    return f === seq;
  }

  /** Whether every tile of this render is drawn (throws where a draw failed). */
  allDrawn(): boolean {
    for (let t = 0; t < this.tileCount; t++) if (!this.isDrawn(t)) return false;
    return true;
  }

  /**
   * Waits until tiles [t0, t1] of this render are drawn, by whichever thread draws them. Every
   * draw of an image comes before its shading in the items' order, so a tile waited for is
   * already being drawn: the wait is short, and never for a thread that waits in turn.
   */
  awaitDrawn(t0 = 0, t1 = this.tileCount - 1): void {
    for (let t = t0; t <= t1; t++) while (!this.isDrawn(t));
  }

  /**
   * Waits until this render's boxes' parts are here: the calling thread posts them while the
   * image's items run, once every tile is drawn. A worker takes its messages meanwhile; what
   * else it may find there is other cameras' inputs, which touch only their own engines. In a
   * run, the calling thread may be at other sensors' work meanwhile: the worker helps cast
   * their rays while it waits.
   */
  awaitBoxes(): void {
    const seq = this.frame!.seq, { takeMessages, helpRays } = this.thread;
    if (this.boxesSeq === seq) return;
    if (!takeMessages) throw new Error('camera tiles: the boxes are posted by the calling thread, which cannot wait for them');
    while (this.boxesSeq !== seq) {
      takeMessages();
      helpRays?.();
    }
  }

  /** Actors whose boxes are measured in this render. */
  get boxCount(): number {
    return this.frame!.boxes.length;
  }

  /**
   * Render rows [r0, r1) from the GPU's render (GpuRaster.ts's words, which the calling thread
   * had drawn before the tiles ran) into this thread's target, as the rasteriser would have
   * drawn them: 1/depth (nothing drawn: the clear value 1/far), and class, instance, material,
   * normal and sun cosine; with corner samples, their rows [r0, r1] from the corners' render
   * too, each sample its own record (the gather then tells a corner's surface from its
   * centre's by ids, normal and depth, as it does for two triangles of one plane).
   */
  private copyGpuRows(r0: number, r1: number): void {
    const s = this.setup, w = s.render.width, h = s.render.height, cs = this.corners;
    const records = cs?.raster.records;
    if (records) records.count = 0;
    this.copyGpuTarget(this.centre, 0, w * h, r0 * w, r1 * w, records);
    if (cs) this.copyGpuTarget(cs.target, RASTER_WORDS_PER_PIXEL * w * h, (w + 1) * (h + 1), r0 * (w + 1), Math.min(r1 + 1, h + 1) * (w + 1), records);
  }

  /** Pixels [k0, k1) of target `t` from the GPU's render of `m` pixels at word `at` of the shared array. */
  private copyGpuTarget(t: RenderTarget, at: number, m: number, k0: number, k1: number, records: TriangleRecords | undefined): void {
    const words = this.pixels.gpu.subarray(at, at + RASTER_WORDS_PER_PIXEL * m);
    const floats = new Float32Array(words.buffer, words.byteOffset, words.length);
    const clear = 1 / this.setup.far;
    for (let k = k0; k < k1; k++) {
      const z = floats[k];
      if (!(z > 0)) {
        t.invDepth[k] = clear;
        continue;
      }
      t.invDepth[k] = 1 / z;
      const instance = words[m + k], classMaterial = words[2 * m + k], q = 3 * m + 4 * k;
      const cls = classMaterial & 0xff, material = (classMaterial >>> 8) & 0xff;
      if (records) {
        t.triangle[k] = records.add(instance, material, cls, floats[q + 3], floats[q], floats[q + 1], floats[q + 2]);
        continue;
      }
      t.instanceId[k] = instance;
      t.classId[k] = cls;
      t.materialId[k] = material;
      t.normal[k * 3] = floats[q]; t.normal[k * 3 + 1] = floats[q + 1]; t.normal[k * 3 + 2] = floats[q + 2];
      t.sunCosine[k] = floats[q + 3];
    }
  }

  /** Sun-facing pixels, and the rays of the tile's shadow anchors (each needs its own pixel alone). */
  private anchors(t: number, a: number, c: number): void {
    const { width } = this.setup;
    const img = this.image, surface = this.light!.surface;
    surface.initVisibility(img, a * width, c * width);
    if (this.frame!.shadows) this.pixels.shadowRays[t] = this.castImage((ray) => surface.anchorRays(img, width, a, c, ray));
  }

  /** Each instance's pixels and bounds in the tile (Boxes2d.instanceStats), or -1 when there are more than the tile has room for. */
  private countInstances(t: number, i0: number, i1: number): void {
    const stats = instanceStats(this.pixels.instanceId, this.setup.width, i0, i1);
    const p = this.pixels;
    if (stats.length > STATS_PER_TILE) {
      p.statCount[t] = -1;
      return;
    }
    p.statCount[t] = stats.length;
    const base = t * STATS_PER_TILE * 6;
    stats.forEach((s, k) => p.stats.set(s, base + k * 6));
  }

  /**
   * The tile's pixels from the render (or their own rays, beyond it): depth, range, ids, normal;
   * for realistic shading the world point and view direction, or the sky's colour. Every
   * pixel is visited: the loop keeps what it reads in locals (the view's numbers reloaded only
   * when a pixel's band changes).
   */
  private resolve(i0: number, i1: number): void {
    const s = this.setup, p = this.pixels, t = this.centre;
    const records = this.corners?.raster.records;
    const clear = Math.fround(1 / s.far);
    const rays = p.rays, tri = t.triangle, invDepth = t.invDepth, source = s.remapped ? p.source : undefined;
    const { range, depth, classId, instanceId, sunCosine, materialId, normal, pos, view: viewDir, linear, ownRays } = p;
    const fisheye = s.fisheye;
    const surface = s.shading === 'realistic' ? this.light!.surface : undefined;
    const rw = s.render.width, bandOfRow = this.bandOfRow, views = this.views;
    let last: CameraView | undefined;
    let m0 = 0, m1 = 0, m2 = 0, m3 = 0, m4 = 0, m5 = 0, m6 = 0, m7 = 0, m8 = 0, cx = 0, cy = 0, cz = 0;
    let cast = 0;
    for (let i = i0; i < i1; i++) {
      const o = i * 3;
      const src = source ? source[i] : i;
      range[i] = Infinity; depth[i] = 0; classId[i] = 0; instanceId[i] = 0; sunCosine[i] = 0; materialId[i] = 0;
      normal[o] = 0; normal[o + 1] = 0; normal[o + 2] = 0;
      if (src < 0) {
        this.rayOf[cast++] = i;
        continue;
      }
      const w = invDepth[src];
      const hit = w > clear;
      if (hit) {
        const z = 1 / w;
        range[i] = z / rays[o + 2];
        // Fisheye depth is along the pixel's own ray (the range's ray is the render pixel's).
        depth[i] = fisheye ? z / ownRays[o + 2] : z;
        if (records) {
          const r = tri[src];
          classId[i] = records.classId[r]; instanceId[i] = records.instance[r]; sunCosine[i] = records.sunCosine[r]; materialId[i] = records.material[r];
          normal[o] = records.normal[r * 3]; normal[o + 1] = records.normal[r * 3 + 1]; normal[o + 2] = records.normal[r * 3 + 2];
        } else {
          classId[i] = t.classId[src]; instanceId[i] = t.instanceId[src]; sunCosine[i] = t.sunCosine[src]; materialId[i] = t.materialId[src];
          normal[o] = t.normal[src * 3]; normal[o + 1] = t.normal[src * 3 + 1]; normal[o + 2] = t.normal[src * 3 + 2];
        }
      }
      if (!surface) continue;
      const v = views[bandOfRow[(src / rw) | 0]];
      if (v !== last) {
        last = v;
        const m = v.m;
        m0 = m[0]; m1 = m[1]; m2 = m[2]; m3 = m[3]; m4 = m[4]; m5 = m[5]; m6 = m[6]; m7 = m[7]; m8 = m[8];
        cx = v.position[0]; cy = v.position[1]; cz = v.position[2];
      }
      const rx = rays[o], ry = rays[o + 1], rz = rays[o + 2];
      const dx = m0 * rx + m3 * ry + m6 * rz;
      const dy = m1 * rx + m4 * ry + m7 * rz;
      const dz = m2 * rx + m5 * ry + m8 * rz;
      if (!hit) {
        surface.skyRadiance(dx, dy, dz, linear, o);
        continue;
      }
      const d = range[i];
      pos[o] = cx + d * dx; pos[o + 1] = cy + d * dy; pos[o + 2] = cz + d * dz;
      viewDir[o] = -dx; viewDir[o + 1] = -dy; viewDir[o + 2] = -dz;
    }
    if (cast > 0) this.castPixels(cast, surface !== undefined);
  }

  /** Pixel i's world point and view direction from its range, or the sky's radiance where it has none (a cast pixel: the first band's view). */
  private surface(i: number): void {
    const p = this.pixels, o = i * 3, view = this.views[0], m = view.m;
    const rx = p.rays[o], ry = p.rays[o + 1], rz = p.rays[o + 2];
    const dx = m[0] * rx + m[3] * ry + m[6] * rz;
    const dy = m[1] * rx + m[4] * ry + m[7] * rz;
    const dz = m[2] * rx + m[5] * ry + m[8] * rz;
    const range = p.range[i];
    if (range === Infinity) {
      this.light!.surface.skyRadiance(dx, dy, dz, p.linear, o);
      return;
    }
    const c = view.position;
    p.pos[o] = c[0] + range * dx; p.pos[o + 1] = c[1] + range * dy; p.pos[o + 2] = c[2] + range * dz;
    p.view[o] = -dx; p.view[o + 1] = -dy; p.view[o + 2] = -dz;
  }

  /** The `count` pixels listed in rayOf that the render does not hold: their own rays, from the first band's pose. */
  private castPixels(count: number, realistic: boolean): void {
    const s = this.setup, p = this.pixels, frame = this.frame!;
    const view = this.views[0], m = view.m, c = view.position;
    const { origins, directions } = this.batch;
    const rays = p.ownRays;
    for (let k = 0; k < count; k++) {
      const o = this.rayOf[k] * 3, q = k * 3;
      const rx = rays[o], ry = rays[o + 1], rz = rays[o + 2];
      origins[q] = c[0]; origins[q + 1] = c[1]; origins[q + 2] = c[2];
      directions[q] = m[0] * rx + m[3] * ry + m[6] * rz;
      directions[q + 1] = m[1] * rx + m[4] * ry + m[7] * rz;
      directions[q + 2] = m[2] * rx + m[5] * ry + m[8] * rz;
    }
    this.batch.tMin = s.near;
    this.batch.tMax = s.castTMax;
    this.caster.cast(frame.scene, this.batch, this.hits, frame.ignore, 0, count, true);
    const h = this.hits, sun = frame.light.sun;
    for (let k = 0; k < count; k++) {
      const i = this.rayOf[k];
      const d = h.distance[k];
      const z = d * rays[i * 3 + 2];
      if (d !== Infinity && (s.fisheye || z <= s.far)) {
        const o = i * 3;
        p.range[i] = d;
        p.depth[i] = s.fisheye ? d : z;
        p.classId[i] = h.classId[k];
        p.instanceId[i] = h.instanceId[k] === MISS ? 0 : h.instanceId[k];
        p.sunCosine[i] = h.normal[k * 3] * sun[0] + h.normal[k * 3 + 1] * sun[1] + h.normal[k * 3 + 2] * sun[2];
        p.materialId[i] = h.materialId[k];
        p.normal[o] = h.normal[k * 3]; p.normal[o + 1] = h.normal[k * 3 + 1]; p.normal[o + 2] = h.normal[k * 3 + 2];
      }
      if (realistic) this.surface(i);
    }
    this.batch.tMin = 1e-3;
    this.batch.tMax = 2000;
  }

  /** Phase B for an actor: the camera pixels its parts cover when drawn alone from the last band's view (into `alone[k]`). */
  measureAlone(k: number): void {
    const { near, far, width, render } = this.setup;
    const raster = this.raster;
    raster.setView(this.views[this.views.length - 1], near, far, 0, render.height);
    const stamp = ++this.stamp;
    const parts = this.frame!.boxes[k].map((part) => ({ mesh: this.meshes?.get(part.mesh.id) ?? this.viewMesh(part.mesh), r: rotationMatrix(part.q), t: part.p }));
    raster.stampInstance(parts, stamp);
    const buffer = this.centre.stamp;
    const [u0, v0, u1, v1] = raster.stampBounds;
    let count = 0;
    if (!this.setup.remapped) {
      for (let v = v0; v <= v1; v++) for (let u = u0; u <= u1; u++) if (buffer[v * width + u] === stamp) count++;
    } else if (u1 >= u0) {
      const source = this.pixels.source;
      for (let i = 0; i < source.length; i++) if (source[i] >= 0 && buffer[source[i]] === stamp) count++;
    }
    this.pixels.alone[k] = count;
  }

  /** Phase B of tile t: the palette's colours, or occlusion, the other shadow rays, the surface shading, the corners, the blend and the sensor. */
  shade(t: number, focal: number): void {
    const { width } = this.setup;
    const [a, c] = this.rows(t);
    const p = this.pixels, frame = this.frame!;
    if (this.palette) {
      const cast = frame.shadows ? (rays: RayBatch, hits: HitBuffer, count: number) => this.caster.cast(frame.scene, rays, hits, frame.ignore, 0, count) : undefined;
      const input = {
        width, height: this.setup.height, rays: p.rays, range: p.range, classId: p.classId, sunCosine: p.sunCosine, viewOfPixel: this.viewOfPixel,
        materialId: p.materialId, lamps: frame.lamps,
      };
      this.palette.shadeRange(input, frame.light.sun, frame.light.fogDistance, cast, a * width, c * width, p.rgb);
      p.shadowRays[t] = this.palette.shadowRays;
      return;
    }
    if (this.setup.shading !== 'realistic') return;
    const img = this.image, surface = this.light!.surface;
    const { height } = this.setup;
    ambientOcclusion(width, height, p.pos, p.normal, p.range, focal, p.ao, a, c);
    if (frame.shadows) p.shadowRays[t] += this.castImage((ray) => surface.otherRays(img, width, a, c, ray));
    surface.shade(img, this.appearanceOf, frame.light.fogDistance, focal, p.linear, a * width, c * width);
    if (this.cornerContext) this.shadeCorners(t, a, c, focal);
    if (frame.develop) this.develop(a * width * 3, c * width * 3);
  }

  /** The tile's corner samples: their occlusion, shadows and shading, and the blend of its pixels. */
  private shadeCorners(t: number, a: number, c: number, focal: number): void {
    const { width, height } = this.setup;
    const p = this.pixels, frame = this.frame!, surface = this.light!.surface, x = this.cornerContext!;
    // The tile's corner samples, in their block's own arrays.
    const base = t * this.setup.cornerCapacity, n = p.corners[t], tl = this.tiles;
    const s = new SampleBuffers(0);
    s.pos = tl.pos.subarray(base * 3, (base + n) * 3); s.view = tl.view.subarray(base * 3, (base + n) * 3);
    s.normal = tl.normal.subarray(base * 3, (base + n) * 3); s.range = tl.range.subarray(base, base + n);
    s.material = tl.material.subarray(base, base + n); s.instance = tl.instance.subarray(base, base + n);
    s.visibility = tl.visibility.subarray(base, base + n); s.ao = tl.ao.subarray(base, base + n);
    s.count = n;
    const remapped = this.setup.remapped, r = this.setup.render, tw = r.width + 1;
    // A corner borrows the occlusion of its first needer (through a remap, known only now that
    // every mask is): this tile's, or another's computed again (that tile may not have yet).
    const i0 = a * width, i1 = c * width;
    for (let j = 0; j < n; j++) {
      const i = remapped ? claimant(p, tl.from[base + j], tw, r.width, r.height) : tl.from[base + j];
      s.ao[j] = i >= i0 && i < i1 ? p.ao[i] : occlusionOfPixel(i, width, height, p.pos, p.normal, p.range, focal);
    }
    const scene = frame.shadows ? { cast: (rays: RayBatch, hits: HitBuffer) => this.caster.cast(frame.scene, rays, hits, frame.ignore, 0, rays.count) } : undefined;
    surface.castShadows(s, scene as never, frame.ignore);
    p.shadowRays[t] += surface.shadowRays;
    surface.shade(s, this.appearanceOf, frame.light.fogDistance, focal, this.shaded);
    const r0 = remapped ? this.setup.tileRender[2 * t] : a;
    blendTile(x, t, r0, a * width, c * width, this.shaded, (dx, dy, dz, out, o) => surface.skyRadiance(dx, dy, dz, out, o), remapped ? p.source : undefined);
  }

  /** How the image is developed from now on (the calling thread drew over the last one: develop it again). */
  setDevelop(develop: NonNullable<TileFrame['develop']>): void {
    this.frame!.develop = develop;
  }

  /** Tile t's rows of the shared linear image through the sensor and the tone curve. */
  developTile(t: number): void {
    const [a, c] = this.rows(t), w3 = this.setup.width * 3;
    this.develop(a * w3, c * w3);
  }

  /** Values [k0, k1) of the image through the sensor and the tone curve (Develop.ts), into the shared RGB (and raw). */
  private develop(k0: number, k1: number): void {
    const { plan, seq } = this.frame!.develop!;
    let noise: SensorNoise | undefined;
    if (plan.noise && plan.settings) {
      const key = JSON.stringify([plan.noise, plan.settings]);
      if (this.noise?.key !== key) this.noise = { key, noise: new SensorNoise(plan.noise, plan.settings, 0) };
      noise = this.noise.noise;
    }
    const p = this.pixels;
    develop(p.linear, seq, plan, noise, { rgb: p.rgb, raw: p.raw }, k0, k1);
  }

  /** Casts the rays a shadow pass hands over (one batch); a hit puts its pixel in shadow. Returns the count. */
  private castImage(pass: (ray: (j: number) => void) => void): number {
    const { origins, directions } = this.batch;
    const img = this.image, sun = this.light!.surface.sky.sun;
    let count = 0;
    pass((j) => {
      // SurfaceShader.addShadowRay: from a point pulled back toward the camera.
      const o = j * 3, k = count * 3;
      const back = img.range[j] * 1e-4 + 2e-3;
      origins[k] = img.pos[o] + img.view[o] * back;
      origins[k + 1] = img.pos[o + 1] + img.view[o + 1] * back;
      origins[k + 2] = img.pos[o + 2] + img.view[o + 2] * back;
      directions[k] = sun[0]; directions[k + 1] = sun[1]; directions[k + 2] = sun[2];
      this.rayOf[count++] = j;
    });
    if (count === 0) return 0;
    this.batch.count = count;
    this.caster.cast(this.frame!.scene, this.batch, this.hits, this.frame!.ignore, 0, count);
    const distance = this.hits.distance, vis = img.visibility;
    for (let r = 0; r < count; r++) if (distance[r] !== Infinity) vis[this.rayOf[r]] = 0;
    return count;
  }
}
