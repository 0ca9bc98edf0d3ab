import type { Appearance } from '../../core/materials.js';
import { rotationMatrix } from '../../core/pose.js';
import { BatchOffset } from '../../raycast/KernelMemory.js';
import type { MeshBvh } from '../../raycast/MeshBvh.js';
import { createHitBuffer, type HitBuffer, type RayBatch } from '../../raycast/Rays.js';
import type { TaskThread } from '../../raycast/PoolTasks.js';
import { ambientOcclusion } from './AmbientOcclusion.js';
import { blendCorners, CornerSamples, sameSurface, SKY } from './AntiAliasing.js';
import type { CameraView } from './CameraView.js';
import { Rasterizer } from './Rasterizer.js';
import { RenderTarget } from './RenderTarget.js';
import { sharedViews, type SharedBlock } from './SharedArrays.js';
import { Sky } from './Sky.js';
import { SampleBuffers, SurfaceShader } from './SurfaceShading.js';

/** A mesh in kernel memory, by address, as a worker finds it (`id` names it for the worker's cache). */
export interface MeshRef { id: number; triangles: number; count: number; classes: number; materials: number; bounds: number }
export interface PartRef { mesh: MeshRef; q: number[]; p: number[]; id: number }

/** What every thread keeps of a camera: its render's numbers and where its shared arrays lie. */
export interface TileSetup {
  width: number; height: number; fx: number; fy: number; cx: number; cy: number; near: number; far: number;
  /** Render rows per tile (even: a 2 x 2 occlusion block is one tile's). */
  tileRows: number;
  pixels: SharedBlock;
  tiles: SharedBlock;
  /** Per thread, a ray batch block in kernel memory of `casterCapacity` rays. */
  casters: number[];
  casterCapacity: number;
}

/** One image's inputs, posted to every thread before its tiles run. */
export interface TileFrame {
  view: { m: number[]; position: [number, number, number]; sun: [number, number, number] };
  scene: number;
  /** Parts not drawn (the parent's, unless seen; -1: none) and the instance shadow rays ignore. */
  skip: number;
  ignore: number;
  shadows: boolean;
  staticMesh: MeshRef;
  parts: PartRef[];
  light: { key: string; sun: [number, number, number]; turbidity: number; fogDistance: number };
  appearances: [number, Appearance][];
  /** The parts of each actor whose box is measured (drawn alone for its occlusion). */
  boxes: PartRef[][];
}

/**
 * Rows per corner tile block: a tile's corner samples and slots cover its corner rows [a, c]
 * (the bottom row is shared with the next tile, which shades it again on its own).
 */
export function cornerCapacity(width: number, tileRows: number): number {
  return (width + 1) * (tileRows + 1);
}

/** The shared arrays of a camera's pixels, and of its tiles' corner samples. */
export function pixelLayout(n: number, tiles: number, actors: number): SharedBlock['layout'] {
  return {
    depth: ['f32', n], range: ['f32', n], classId: ['u8', n], instanceId: ['u32', n], sunCosine: ['f32', n], materialId: ['u8', n],
    normal: ['f32', 3 * n], pos: ['f32', 3 * n], view: ['f32', 3 * n], linear: ['f32', 3 * n], ao: ['f32', n], vis: ['f32', n],
    masks: ['u8', n], rays: ['f32', 3 * n], shadowRays: ['i32', tiles], corners: ['i32', tiles], alone: ['i32', actors],
  };
}
export function tileLayout(c: number, tiles: number): SharedBlock['layout'] {
  const k = c * tiles;
  return {
    pos: ['f32', 3 * k], view: ['f32', 3 * k], normal: ['f32', 3 * k], range: ['f32', k], material: ['u8', k], instance: ['u32', k],
    visibility: ['f32', k], ao: ['f32', k], from: ['i32', k], slot: ['i32', k], colour: ['f32', 3 * k],
  };
}

type Pixels = {
  depth: Float32Array; range: Float32Array; classId: Uint8Array; instanceId: Uint32Array; sunCosine: Float32Array; materialId: Uint8Array;
  normal: Float32Array; pos: Float32Array; view: Float32Array; linear: Float32Array; ao: Float32Array; vis: Float32Array;
  masks: Uint8Array; rays: Float32Array; shadowRays: Int32Array; corners: Int32Array; alone: Int32Array;
};
type Tiles = {
  pos: Float32Array; view: Float32Array; normal: Float32Array; range: Float32Array; material: Uint8Array; instance: Uint32Array;
  visibility: Float32Array; ao: Float32Array; from: Int32Array; slot: Int32Array; colour: Float32Array;
};

/** Row-major rotation of a unit quaternion into a shared scratch array (no allocation per actor). */
export function rotation(q: readonly number[]): Float64Array {
  const [x, y, z, w] = q;
  const r = rotationScratch;
  r[0] = 1 - 2 * (y * y + z * z); r[1] = 2 * (x * y - z * w); r[2] = 2 * (x * z + y * w);
  r[3] = 2 * (x * y + z * w); r[4] = 1 - 2 * (x * x + z * z); r[5] = 2 * (y * z - x * w);
  r[6] = 2 * (x * z - y * w); r[7] = 2 * (y * z + x * w); r[8] = 1 - 2 * (x * x + y * y);
  return r;
}
const rotationScratch = new Float64Array(9);

/** A worker's views of meshes by id (the calling thread hands its own MeshBvh objects in). */
const meshCache = new Map<number, MeshBvh>();

/**
 * Closest-hit casts on this thread's own kernel instance and ray batch block: a tile's
 * shadow rays never wait for another thread. The kernel is the one every cast runs, so a hit
 * is the one `RaycastScene.cast` finds for the same ray.
 */
class ThreadCaster {
  private readonly origins: Float32Array;
  private readonly directions: Float32Array;
  private readonly distance: Float32Array;

  constructor(private readonly thread: TaskThread, private readonly address: number, private readonly capacity: number) {
    const b = thread.memory.buffer;
    this.origins = new Float32Array(b, address + BatchOffset.origins * capacity, capacity * 3);
    this.directions = new Float32Array(b, address + BatchOffset.directions * capacity, capacity * 3);
    this.distance = new Float32Array(b, address + BatchOffset.distance * capacity, capacity);
  }

  /** As `RaycastScene.cast` (distances only: all shadows need) for scene descriptor `scene`. */
  cast(scene: number, rays: RayBatch, hits: HitBuffer, ignore: number, first: number, end: number): void {
    const count = end - first;
    if (count <= 0) return;
    if (count > this.capacity) throw new Error(`camera tiles: ${count} rays for a batch of ${this.capacity}`);
    this.origins.set(rays.origins.subarray(first * 3, end * 3));
    this.directions.set(rays.directions.subarray(first * 3, end * 3));
    this.thread.kernel.castRange(scene, this.address, this.capacity, 0, count, rays.tMin, rays.tMax, ignore >>> 0, this.thread.stack);
    hits.distance.set(this.distance.subarray(0, count), first);
  }
}

/**
 * One thread's share of a camera's image: its own render targets and rasterisers, shader and
 * ray batch, over the camera's shared pixel arrays. A tile is a band of `tileRows` render rows;
 * every phase writes only its tile's pixels (or its tile's corner block), so no tile's result
 * depends on the thread that computed it or on the other tiles being done, except where a
 * phase reads neighbours that an earlier phase (a separate pool run) finished:
 *   A  draw the tile (centre rows [a - 1, c), corner rows [a - 1, c]) on this thread's targets,
 *      resolve its pixels, their world points and sky colours, and gather the corners its
 *      pixels need (each corner's first needer in raster order, as the whole image's gather);
 *   B  ambient occlusion and the shadow anchors of the tile; or one actor drawn alone (boxes);
 *   C  the other shadow rays, the surface shading, the corners' shading and the blend.
 */
export class TileEngine {
  readonly pixels: Pixels;
  private readonly tiles: Tiles;
  private readonly centre: RenderTarget;
  private readonly raster: Rasterizer;
  private readonly corners: CornerSamples;
  private readonly caster: ThreadCaster;
  private readonly image: SampleBuffers;
  private readonly capacity: number;
  private frame: TileFrame | undefined;
  private view: CameraView | undefined;
  private appearanceOf: (Appearance | undefined)[] = [];
  private light: { key: string; surface: SurfaceShader } | undefined;
  private staticMesh: MeshBvh | undefined;
  private parts: { mesh: MeshBvh; part: PartRef }[] = [];
  private readonly batch: RayBatch;
  private readonly hits: HitBuffer;
  private readonly rayOf: Uint32Array;
  private readonly shaded: Float32Array;
  private stamp = 0;

  constructor(readonly setup: TileSetup, private readonly thread: TaskThread) {
    const s = setup;
    this.pixels = sharedViews<Pixels>(thread.memory, s.pixels);
    this.tiles = sharedViews<Tiles>(thread.memory, s.tiles);
    this.centre = new RenderTarget(s.width, s.height, s.fx, s.fy, s.cx, s.cy);
    this.raster = new Rasterizer(this.centre);
    this.corners = new CornerSamples(this.centre);
    if (thread.index >= s.casters.length) throw new Error(`camera tiles: no ray batch for thread ${thread.index}`);
    this.caster = new ThreadCaster(thread, s.casters[thread.index], s.casterCapacity);
    // The image's pixels are the samples shaded in B and C: their arrays are the shared ones.
    const p = this.pixels, img = new SampleBuffers(0);
    img.pos = p.pos; img.normal = p.normal; img.view = p.view; img.range = p.range; img.material = p.materialId;
    img.instance = p.instanceId; img.visibility = p.vis; img.ao = p.ao; img.count = s.width * s.height;
    this.image = img;
    this.capacity = cornerCapacity(s.width, s.tileRows);
    this.batch = { origins: new Float32Array(s.casterCapacity * 3), directions: new Float32Array(s.casterCapacity * 3), count: 0, tMin: 1e-3, tMax: 2000 };
    this.hits = createHitBuffer(s.casterCapacity);
    this.rayOf = new Uint32Array(s.casterCapacity);
    this.shaded = new Float32Array(this.capacity * 3);
  }

  get tileCount(): number {
    return Math.ceil(this.setup.height / this.setup.tileRows);
  }

  /** Takes an image's inputs; `meshes` are the calling thread's own objects (a worker views kernel memory). */
  setFrame(frame: TileFrame, meshes?: Map<number, MeshBvh>): void {
    this.frame = frame;
    const v = frame.view;
    this.view = { m: Float64Array.from(v.m), position: v.position, sun: v.sun, optical: { p: [0, 0, 0], q: [0, 0, 0, 1] } };
    this.appearanceOf = [];
    for (const [id, a] of frame.appearances) this.appearanceOf[id] = a;
    const mesh = (ref: MeshRef): MeshBvh => meshes?.get(ref.id) ?? this.viewMesh(ref);
    this.staticMesh = mesh(frame.staticMesh);
    this.parts = frame.parts.map((part) => ({ mesh: mesh(part.mesh), part }));
    for (const parts of frame.boxes) for (const part of parts) mesh(part.mesh);
    if (this.light?.key !== frame.light.key) {
      const sky = new Sky(frame.light.turbidity, frame.light.sun);
      this.light = { key: frame.light.key, surface: new SurfaceShader(sky, this.capacity) };
    }
    this.meshes = meshes;
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

  /** Rows [a, c) of tile t. */
  private rows(t: number): [number, number] {
    const a = t * this.setup.tileRows;
    return [a, Math.min(this.setup.height, a + this.setup.tileRows)];
  }

  /** Phase A of tile t: draw, resolve, world points and sky, corner gather. */
  draw(t: number): void {
    const { near, far, width } = this.setup;
    const [a, c] = this.rows(t);
    const g0 = Math.max(0, a - 1);
    const view = this.view!, frame = this.frame!;
    const cs = this.corners;
    cs.target.clear(g0, c + 1, 1 / far);
    cs.raster.records!.count = 0;
    cs.raster.setView(view, near, far, g0, c + 1);
    this.centre.clear(g0, c, 1 / far);
    this.raster.setView(view, near, far, g0, c, cs.raster);
    this.raster.drawStatic(this.staticMesh!);
    for (const { mesh, part } of this.parts) {
      if (part.id === frame.skip) continue;
      this.raster.drawInstance(mesh, rotation(part.q), part.p, part.id);
    }
    this.resolve(a * width, c * width);
    this.gather(t, a, c);
  }

  /** The tile's pixels from the render: depth, range, ids, normal; world point and view direction, or the sky's colour. */
  private resolve(i0: number, i1: number): void {
    const p = this.pixels, t = this.centre, records = this.corners.raster.records!;
    const clear = Math.fround(1 / this.setup.far);
    const rays = p.rays, rn = records.normal, tri = t.triangle;
    const view = this.view!, m = view.m;
    const [cx, cy, cz] = view.position;
    const surface = this.light!.surface;
    for (let i = i0; i < i1; i++) {
      const o = i * 3;
      const w = t.invDepth[i];
      const rx = rays[o], ry = rays[o + 1], rz = rays[o + 2];
      const dx = m[0] * rx + m[3] * ry + m[6] * rz;
      const dy = m[1] * rx + m[4] * ry + m[7] * rz;
      const dz = m[2] * rx + m[5] * ry + m[8] * rz;
      if (!(w > clear)) {
        p.range[i] = Infinity; p.depth[i] = 0; p.classId[i] = 0; p.instanceId[i] = 0; p.sunCosine[i] = 0; p.materialId[i] = 0;
        p.normal[o] = 0; p.normal[o + 1] = 0; p.normal[o + 2] = 0;
        surface.skyRadiance(dx, dy, dz, p.linear, o);
        continue;
      }
      const z = 1 / w;
      p.range[i] = z / rz;
      p.depth[i] = z;
      const r = tri[i];
      p.classId[i] = records.classId[r];
      p.instanceId[i] = records.instance[r];
      p.sunCosine[i] = records.sunCosine[r];
      p.materialId[i] = records.material[r];
      p.normal[o] = rn[r * 3]; p.normal[o + 1] = rn[r * 3 + 1]; p.normal[o + 2] = rn[r * 3 + 2];
      const range = p.range[i];
      p.pos[o] = cx + range * dx; p.pos[o + 1] = cy + range * dy; p.pos[o + 2] = cz + range * dz;
      p.view[o] = -dx; p.view[o + 1] = -dy; p.view[o + 2] = -dz;
    }
  }

  /**
   * CornerSamples.gather over pixel rows [a - 1, c): each pixel's mask (kept for rows [a, c)),
   * and the corners of rows [a, c] some pixel needs, claimed by the first in raster order, who
   * lends its occlusion (taken in C, once every tile's occlusion is known).
   */
  private gather(t: number, a: number, c: number): void {
    const { width: mw, far } = this.setup;
    const cs = this.corners, ct = cs.target, tw = ct.width;
    const clear = Math.fround(1 / far);
    const base = t * this.capacity;
    const tl = this.tiles, slot = tl.slot, masks = this.pixels.masks;
    slot.fill(-1, base, base + (c - a + 1) * tw);
    const records = cs.raster.records!;
    const invDepth = ct.invDepth, cTriangle = ct.triangle, centreTriangle = this.centre.triangle, centreDepth = this.centre.invDepth;
    const cInstance = records.instance, cMaterial = records.material, cClass = records.classId, cNormal = records.normal;
    const view = this.view!, p = [0, 0, 0];
    let count = 0;
    for (let sv = Math.max(0, a - 1); sv < c; sv++) {
      for (let su = 0; su < mw; su++) {
        const i = sv * mw + su;
        const w0c = centreDepth[i];
        const sky = !(w0c > clear);
        const tri = centreTriangle[i];
        let inst = 0, mat = 0, cls = 0, nx = 0, ny = 0, nz = 0;
        if (!sky) {
          inst = cInstance[tri]; mat = cMaterial[tri]; cls = cClass[tri];
          nx = cNormal[tri * 3]; ny = cNormal[tri * 3 + 1]; nz = cNormal[tri * 3 + 2];
        }
        const w0 = sky ? 0 : w0c;
        const slack = 0.2 * w0;
        let mask = 0;
        const c0 = sv * tw + su;
        for (let k = 0; k < 4; k++) {
          const cc = k === 0 ? c0 : k === 1 ? c0 + 1 : k === 2 ? c0 + tw : c0 + tw + 1;
          const w = invDepth[cc];
          const cornerSky = !(w > clear);
          const rec = cTriangle[cc];
          if (sameSurface(records, rec, w, cornerSky, sky, tri, w0, slack, inst, mat, cls, nx, ny, nz)) continue;
          mask |= 1 << k;
          const cv = (cc / tw) | 0;
          if (cv < a) continue;
          const local = base + cc - a * tw;
          if (slot[local] !== -1) continue;
          if (cornerSky) {
            slot[local] = SKY;
            continue;
          }
          const cu = cc - cv * tw;
          const j = count++;
          slot[local] = j;
          cs.position(cu, cv, w, view, p);
          const q = (base + j) * 3, cn = rec * 3;
          tl.pos[q] = p[0]; tl.pos[q + 1] = p[1]; tl.pos[q + 2] = p[2];
          const vx = view.position[0] - p[0], vy = view.position[1] - p[1], vz = view.position[2] - p[2];
          const rv = Math.sqrt(vx * vx + vy * vy + vz * vz);
          tl.view[q] = vx / rv; tl.view[q + 1] = vy / rv; tl.view[q + 2] = vz / rv;
          tl.range[base + j] = rv;
          tl.normal[q] = cNormal[cn]; tl.normal[q + 1] = cNormal[cn + 1]; tl.normal[q + 2] = cNormal[cn + 2];
          tl.material[base + j] = cMaterial[rec];
          tl.instance[base + j] = cInstance[rec];
          tl.from[base + j] = i;
        }
        if (sv >= a) masks[i] = mask;
      }
    }
    this.pixels.corners[t] = count;
  }

  /** Phase B of tile t: occlusion, sun-facing pixels, the anchors' shadow rays. */
  occlude(t: number, focal: number): void {
    const { width, height } = this.setup;
    const [a, c] = this.rows(t);
    const p = this.pixels, img = this.image, surface = this.light!.surface;
    ambientOcclusion(width, height, p.pos, p.normal, p.range, focal, p.ao, a, c);
    surface.initVisibility(img, a * width, c * width);
    let count = 0;
    if (this.frame!.shadows) {
      count = this.castImage((ray) => surface.anchorRays(img, width, a, c, ray));
    }
    p.shadowRays[t] = count;
  }

  /** Phase B for an actor: the camera pixels its parts cover when drawn alone (into `alone[k]`). */
  measureAlone(k: number): void {
    const { near, far, width } = this.setup;
    const raster = this.raster;
    raster.setView(this.view!, near, far, 0, this.setup.height);
    const stamp = ++this.stamp;
    const parts = this.frame!.boxes[k].map((part) => ({ mesh: this.meshes?.get(part.mesh.id) ?? this.viewMesh(part.mesh), r: rotationMatrix(part.q), t: part.p }));
    raster.stampInstance(parts, stamp);
    const buffer = this.centre.stamp;
    const [u0, v0, u1, v1] = raster.stampBounds;
    let count = 0;
    for (let v = v0; v <= v1; v++) for (let u = u0; u <= u1; u++) if (buffer[v * width + u] === stamp) count++;
    this.pixels.alone[k] = count;
  }

  /** Phase C of tile t: the other shadow rays, the surface shading, the corners and the blend. */
  shade(t: number, focal: number): void {
    const { width } = this.setup;
    const [a, c] = this.rows(t);
    const p = this.pixels, img = this.image, surface = this.light!.surface, frame = this.frame!;
    if (frame.shadows) p.shadowRays[t] += this.castImage((ray) => surface.otherRays(img, width, a, c, ray));
    surface.shade(img, this.appearanceOf, frame.light.fogDistance, focal, p.linear, a * width, c * width);
    // The tile's corner samples, in their block's own arrays.
    const base = t * this.capacity, n = p.corners[t], tl = this.tiles;
    const s = new SampleBuffers(0);
    s.pos = tl.pos.subarray(base * 3, (base + n) * 3); s.view = tl.view.subarray(base * 3, (base + n) * 3);
    s.normal = tl.normal.subarray(base * 3, (base + n) * 3); s.range = tl.range.subarray(base, base + n);
    s.material = tl.material.subarray(base, base + n); s.instance = tl.instance.subarray(base, base + n);
    s.visibility = tl.visibility.subarray(base, base + n); s.ao = tl.ao.subarray(base, base + n);
    s.count = n;
    for (let j = 0; j < n; j++) s.ao[j] = p.ao[tl.from[base + j]];
    const scene = frame.shadows ? { cast: (rays: RayBatch, hits: HitBuffer) => this.caster.cast(frame.scene, rays, hits, frame.ignore, 0, rays.count) } : undefined;
    surface.castShadows(s, scene as never, frame.ignore);
    p.shadowRays[t] += surface.shadowRays;
    surface.shade(s, this.appearanceOf, frame.light.fogDistance, focal, this.shaded);
    this.blend(a, c, base);
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

  /** The corners' colours (shaded, or the sky's) and CornerSamples.resolve over rows [a, c). */
  private blend(a: number, c: number, base: number): void {
    const mw = this.setup.width, cs = this.corners, tw = cs.target.width;
    const tl = this.tiles, slot = tl.slot, colour = tl.colour, shaded = this.shaded;
    const surface = this.light!.surface, view = this.view!, dir = [0, 0, 0];
    const blocks = (c - a + 1) * tw;
    for (let l = 0; l < blocks; l++) {
      const j = slot[base + l];
      if (j === -1) continue;
      const q = (base + l) * 3;
      if (j === SKY) {
        const cv = a + ((l / tw) | 0);
        cs.direction(l % tw, cv, view, dir);
        surface.skyRadiance(dir[0], dir[1], dir[2], colour, q);
        continue;
      }
      colour[q] = shaded[j * 3]; colour[q + 1] = shaded[j * 3 + 1]; colour[q + 2] = shaded[j * 3 + 2];
    }
    const linear = this.pixels.linear, masks = this.pixels.masks;
    for (let i = a * mw; i < c * mw; i++) {
      const mask = masks[i];
      if (mask === 0) continue;
      const sv = (i / mw) | 0, su = i - sv * mw;
      blendCorners(linear, i * 3, mask, colour, slot, base + (sv - a) * tw + su, tw);
    }
  }
}
