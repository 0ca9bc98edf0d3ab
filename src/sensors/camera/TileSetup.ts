import type { Appearance } from '../../core/materials.js';
import { RASTER_WORDS_PER_PIXEL } from '../../raycast/gpu/GpuRaster.js';
import type { DevelopPlan } from './Develop.js';
import type { SharedBlock } from './SharedArrays.js';

/**
 * What a camera's tiles share between threads (TiledRender.ts posts it, CameraTiles.ts runs
 * it): the camera's numbers, where its arrays lie in kernel memory, and one image's inputs.
 */

/** A mesh in kernel memory, by address, as a worker finds it (`id` names it for the worker's cache). */
export interface MeshRef { id: number; triangles: number; count: number; classes: number; materials: number; bounds: number }
export interface PartRef { mesh: MeshRef; q: number[]; p: number[]; id: number }

/**
 * A: draw, gather and anchors (items: tiles); B: shade (tiles), then actors alone; or the
 * sensor alone (tiles); or `image`: A and B in one run of the pool (items: the draws, the
 * shades, each waiting for the draws it reads, then the actors alone, waiting for their parts).
 */
export type Phase = 'draw' | 'shade' | 'develop' | 'image';
/** The phases whose tiles' times are kept (`cost`): an image's items are kept as its draws' and shades'. */
export const PHASES: readonly Phase[] = ['draw', 'shade', 'develop'];

/** Where a phase's tile times start in the shared `cost` array (a row of `tiles` per phase of PHASES). */
export function costRow(phase: Phase, tiles: number): number {
  return PHASES.indexOf(phase) * tiles;
}

/** How the tiles shade: the realistic shader, the palette (class colours, RGB8), or not at all (no RGB output). */
export type TileShading = 'realistic' | 'palette' | 'none';

/** What every thread keeps of a camera: its render's numbers and where its shared arrays lie. */
export interface TileSetup {
  /** The camera image. */
  width: number; height: number;
  /** The pinhole render the rasteriser draws (the image itself, or LensRemap's wider render). */
  render: { width: number; height: number; fx: number; fy: number; cx: number; cy: number };
  near: number; far: number;
  /** Camera rows per tile (even: a 2 x 2 occlusion block is one tile's). */
  tileRows: number;
  /** Per tile, the render rows [r0, r1) it draws (2 numbers a tile); its corner rows are [r0, r1]. */
  tileRender: number[];
  /** First render row of each rolling-shutter band, then the render's height: a band is drawn from its own view. */
  bands: number[];
  shading: TileShading;
  /** Whether the render has corner samples (anti-aliasing of a realistic RGB image). */
  corners: boolean;
  /** Whether pixels sample the render through `source` (a distorted or fisheye lens); -1 there: cast. */
  remapped: boolean;
  fisheye: boolean;
  /** Whether the render is drawn on the GPU (the `gpu` array) and only copied into each thread's target, not rasterised here. */
  gpu: boolean;
  /** The far limit of cast pixels' rays (pinhole depth is limited along the axis). */
  castTMax: number;
  /** Corner slots of one tile's block. */
  cornerCapacity: number;
  pixels: SharedBlock;
  tiles: SharedBlock;
  /** Per thread, a ray batch block in kernel memory of `casterCapacity` rays. */
  casters: number[];
  casterCapacity: number;
}

export interface TileView { m: number[]; position: [number, number, number]; sun: [number, number, number] }

/** One image's inputs, posted to every thread before its tiles run. */
export interface TileFrame {
  /** Each band's view, and the parts placed where they were when the band was read. */
  views: TileView[];
  parts: PartRef[][];
  scene: number;
  /** Parts not drawn (the parent's, unless seen; -1: none) and the instance shadow and cast rays ignore. */
  skip: number;
  ignore: number;
  shadows: boolean;
  staticMesh: MeshRef;
  light: { key: string; sun: [number, number, number]; turbidity: number; fogDistance: number };
  appearances: [number, Appearance][];
  /** The signal lamps lit (World.litLamps, a few numbers per lamp): travels with the frame, so every thread lights the same lenses. */
  lamps: Float64Array;
  /** The parts of each actor whose box is measured (drawn alone for its occlusion, from the last band's view). */
  boxes: PartRef[][];
  /** Whether the tiles count each instance's pixels and bounds (for 2D boxes). */
  stats: boolean;
  /** Develop the image in the tiles (the sensor and the tone curve; nothing is drawn over it): how, and the frame's number. */
  develop?: { plan: DevelopPlan; seq: number };
  /** The render's number (1, 2, ...): what a drawn tile's flag (`drawnTiles`) and the boxes' parts are marked with. */
  seq: number;
}

/**
 * Lists of parts as a message carries them: numbers in one typed array, which a message copies
 * as a block, where the same lists as objects (hundreds of parts in a town) cost a structured
 * clone of every one on the calling thread and again on each worker, every image.
 */
export interface PackedParts {
  /** The meshes the parts name, each once. */
  meshes: MeshRef[];
  /** Per part: its mesh's index in `meshes`, its instance id, q (4), p (3). */
  values: Float64Array;
  /** Each packed list's first part, then the end. */
  starts: number[];
  /** Per list, the packed list it is: lists shared by reference (bands placed alike) are packed once and come back shared. */
  of: number[];
}

const PART_VALUES = 9;

export function packParts(lists: readonly PartRef[][]): PackedParts {
  const meshes: MeshRef[] = [], meshIndex = new Map<number, number>();
  const unique: PartRef[][] = [], uniqueIndex = new Map<PartRef[], number>();
  const of = lists.map((list) => {
    let k = uniqueIndex.get(list);
    if (k === undefined) {
      uniqueIndex.set(list, (k = unique.length));
      unique.push(list);
    }
    return k;
  });
  const starts = [0];
  for (const list of unique) starts.push(starts[starts.length - 1] + list.length);
  const values = new Float64Array(starts[starts.length - 1] * PART_VALUES);
  let o = 0;
  for (const list of unique) {
    for (const part of list) {
      let m = meshIndex.get(part.mesh.id);
      if (m === undefined) {
        meshIndex.set(part.mesh.id, (m = meshes.length));
        meshes.push(part.mesh);
      }
      values[o] = m; values[o + 1] = part.id;
      values.set(part.q, o + 2);
      values.set(part.p, o + 6);
      o += PART_VALUES;
    }
  }
  return { meshes, values, starts, of };
}

export function unpackParts(packed: PackedParts): PartRef[][] {
  const { meshes, values, starts } = packed;
  const unique: PartRef[][] = [];
  for (let k = 0; k + 1 < starts.length; k++) {
    const list: PartRef[] = [];
    for (let o = starts[k] * PART_VALUES; o < starts[k + 1] * PART_VALUES; o += PART_VALUES) {
      list.push({
        mesh: meshes[values[o]], id: values[o + 1],
        q: [values[o + 2], values[o + 3], values[o + 4], values[o + 5]], p: [values[o + 6], values[o + 7], values[o + 8]],
      });
    }
    unique.push(list);
  }
  return packed.of.map((k) => unique[k]);
}

/** A TileFrame as a message carries it (its parts packed). */
export type PackedFrame = Omit<TileFrame, 'parts' | 'boxes'> & { parts: PackedParts; boxes: PackedParts };

export function packFrame(frame: TileFrame): PackedFrame {
  return { ...frame, parts: packParts(frame.parts), boxes: packParts(frame.boxes) };
}

export function unpackFrame(frame: PackedFrame): TileFrame {
  return { ...frame, parts: unpackParts(frame.parts), boxes: unpackParts(frame.boxes) };
}

/** Instances a tile counts (more: the calling thread counts the whole image itself). */
export const STATS_PER_TILE = 128;

/** The sizes the shared arrays need. */
export interface PixelCounts {
  /** Camera pixels and render pixels. */
  n: number; render: number;
  tiles: number; actors: number;
  shading: TileShading; corners: boolean; remapped: boolean;
  /** Sensor noise (raw digital values) when the tiles develop. */
  noise: boolean;
  /** The render drawn on the GPU: RASTER_WORDS_PER_PIXEL words a render pixel (GpuRaster.ts), and a corner's. */
  gpu: boolean;
  /** Corners of the render: (width + 1) x (height + 1). */
  cornerRender: number;
}

/**
 * The shared arrays of a camera's pixels. Arrays a camera does not use are empty: shading's
 * where it has no realistic RGB, the lens remap's where the render is the image.
 */
export function pixelLayout(c: PixelCounts): SharedBlock['layout'] {
  const { n } = c;
  const lit = c.shading === 'realistic' ? n : 0;
  const remap = c.remapped ? n : 0;
  const inverse = c.remapped && c.corners;
  return {
    depth: ['f32', n], range: ['f32', n], classId: ['u8', n], instanceId: ['u32', n], sunCosine: ['f32', n], materialId: ['u8', n],
    normal: ['f32', 3 * n], pos: ['f32', 3 * lit], view: ['f32', 3 * lit], linear: ['f32', 3 * lit], ao: ['f32', lit], vis: ['f32', lit],
    masks: ['u8', c.corners ? n : 0], rgb: ['u8', c.shading !== 'none' ? 3 * n : 0],
    raw: ['u16', c.noise ? 3 * n : 0],
    // Per tile: how many instances it saw (-1: more than it has room for), and their [id, bounds, pixels].
    statCount: ['i32', c.tiles], stats: ['i32', c.tiles * STATS_PER_TILE * 6],
    rays: ['f32', 3 * n], ownRays: ['f32', 3 * remap], source: ['i32', remap],
    // The camera pixels that sample each render pixel, in raster order (a corner's first needer is among its four pixels').
    inverseStart: ['i32', inverse ? c.render + 1 : 0], inverse: ['i32', inverse ? n : 0],
    shadowRays: ['i32', c.tiles], corners: ['i32', c.tiles], alone: ['i32', c.actors],
    // Per tile, the number of the last render whose draw of it is done (its negative: the draw failed).
    drawnTiles: ['i32', c.tiles],
    // The GPU's render, where it draws: depths, instances, class | material << 8, then normal and sun cosine (4 each), render pixel by pixel.
    // With corner samples, the corners' render after it ((width + 1) x (height + 1), offset by half a pixel).
    gpu: ['u32', c.gpu ? RASTER_WORDS_PER_PIXEL * (c.render + (c.corners ? c.cornerRender : 0)) : 0],
    // Per phase and tile, what the tile took last time (ms, on whichever thread ran it): the order the next image's items go in.
    cost: ['f32', PHASES.length * c.tiles],
  };
}

/** The per-tile blocks of corner samples (`c` slots each). */
export function tileLayout(c: number, tiles: number): SharedBlock['layout'] {
  const k = c * tiles;
  return {
    pos: ['f32', 3 * k], view: ['f32', 3 * k], normal: ['f32', 3 * k], range: ['f32', k], material: ['u8', k], instance: ['u32', k],
    visibility: ['f32', k], ao: ['f32', k], from: ['i32', k], slot: ['i32', k], colour: ['f32', 3 * k],
  };
}

export type Pixels = {
  depth: Float32Array; range: Float32Array; classId: Uint8Array; instanceId: Uint32Array; sunCosine: Float32Array; materialId: Uint8Array;
  normal: Float32Array; pos: Float32Array; view: Float32Array; linear: Float32Array; ao: Float32Array; vis: Float32Array;
  masks: Uint8Array; rgb: Uint8Array; raw: Uint16Array; statCount: Int32Array; stats: Int32Array; rays: Float32Array; ownRays: Float32Array; source: Int32Array;
  inverseStart: Int32Array; inverse: Int32Array; shadowRays: Int32Array; corners: Int32Array; alone: Int32Array; drawnTiles: Int32Array; cost: Float32Array;
  gpu: Uint32Array;
};
export type Tiles = {
  pos: Float32Array; view: Float32Array; normal: Float32Array; range: Float32Array; material: Uint8Array; instance: Uint32Array;
  visibility: Float32Array; ao: Float32Array; from: Int32Array; slot: Int32Array; colour: Float32Array;
};

/** Row-major rotation of a unit quaternion into a shared scratch array (no allocation per actor). */
export function rotation(q: readonly number[]): Float64Array {
  const x = q[0], y = q[1], z = q[2], w = q[3];
  const r = rotationScratch;
  r[0] = 1 - 2 * (y * y + z * z); r[1] = 2 * (x * y - z * w); r[2] = 2 * (x * z + y * w);
  r[3] = 2 * (x * y + z * w); r[4] = 1 - 2 * (x * x + z * z); r[5] = 2 * (y * z - x * w);
  r[6] = 2 * (x * z - y * w); r[7] = 2 * (y * z + x * w); r[8] = 1 - 2 * (x * x + y * y);
  return r;
}
const rotationScratch = new Float64Array(9);
