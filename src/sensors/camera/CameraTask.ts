import type { TaskThread } from '../../raycast/PoolTasks.js';
import { cachedMeshes, TileEngine } from './CameraTiles.js';
import { costRow, unpackFrame, unpackParts, type PackedFrame, type PackedParts, type Phase, type TileFrame, type TileSetup } from './TileSetup.js';

/**
 * The camera's task on a RaycastPool's workers (see raycast/PoolTasks.ts): each worker keeps a
 * TileEngine per camera, takes each image's inputs and runs the phase it is told, item by item.
 * The calling thread runs the same engine code (TiledRender.ts), so any split gives the same bytes.
 */
export type CameraMessage =
  | { kind: 'setup'; camera: number; setup: TileSetup }
  /** The camera is disposed (or moved to another pool): its engine goes, with its views of the camera's memory. */
  | { kind: 'drop'; camera: number }
  /** Diagnostics (askTask): how many cameras' engines and meshes' views this worker keeps. */
  | { kind: 'count' }
  | { kind: 'frame'; camera: number; frame: PackedFrame }
  /** The parts of the actors whose boxes are measured, once the image's draw has seen them (the rest of the frame as it was), for render `seq`. */
  | { kind: 'boxes'; camera: number; boxes: PackedParts; seq: number }
  /** Develop the image in the shared linear array (after motion blur or rain and snow were drawn into it on the calling thread). */
  | { kind: 'develop'; camera: number; develop: NonNullable<TileFrame['develop']> }
  /** Run a phase over items first + order[0], first + order[1], ... (the pool counts from 0). */
  | { kind: 'phase'; camera: number; phase: Phase; focal: number; first: number; order: number[] };

const engines = new Map<number, TileEngine>();
let current: { engine: TileEngine; phase: Phase; focal: number; first: number; order: number[] } | undefined;

export function receive(message: CameraMessage, thread: TaskThread): { engines: number; meshes: number } | undefined {
  switch (message.kind) {
    case 'setup':
      engines.set(message.camera, new TileEngine(message.setup, thread));
      return;
    case 'drop':
      if (current?.engine === engines.get(message.camera)) current = undefined;
      engines.delete(message.camera);
      // The last camera gone: the meshes' views go too (a world's meshes outlive no camera here).
      if (engines.size === 0) cachedMeshes(true);
      return;
    case 'count':
      return { engines: engines.size, meshes: cachedMeshes() };
    case 'frame':
      engines.get(message.camera)!.setFrame(unpackFrame(message.frame));
      return;
    case 'boxes':
      engines.get(message.camera)!.setBoxes(unpackParts(message.boxes), message.seq);
      return;
    case 'develop':
      engines.get(message.camera)!.setDevelop(message.develop);
      return;
    case 'phase':
      current = { engine: engines.get(message.camera)!, phase: message.phase, focal: message.focal, first: message.first, order: message.order };
  }
}

export function run(_thread: TaskThread, next: () => number): void {
  const { engine, phase, focal, first, order } = current!;
  if (phase === 'image') runImage(engine, focal, order, next);
  else runPhase(engine, phase, focal, first, order, next);
}

/**
 * Items of one phase until none are left (on any thread): the pool's k-th is item
 * first + order[k]. Each tile's time is kept for the order of the next image's phase (the
 * longest first, so that no thread is left with a long tile while the others wait): the time
 * decides only which thread runs what, never a byte of what it computes.
 */
export function runPhase(engine: TileEngine, phase: Phase, focal: number, first: number, order: readonly number[], next: () => number): void {
  const tiles = engine.tileCount, cost = engine.pixels.cost, base = costRow(phase, tiles);
  for (let k = next(); k >= 0; k = next()) {
    const item = first + order[k], start = performance.now();
    if (phase === 'draw') engine.draw(item);
    else if (phase === 'develop') engine.developTile(item);
    else if (item < tiles) engine.shade(item, focal);
    else engine.measureAlone(item - tiles);
    if (item < tiles) cost[base + item] = performance.now() - start;
  }
}

/** The order of a phase's `count` items from `first`: tiles by their last time, longest first, then the actors alone in turn. */
export function itemOrder(engine: TileEngine, phase: Phase, first: number, count: number): number[] {
  const tiles = engine.tileCount, cost = engine.pixels.cost, base = costRow(phase, tiles);
  const order = Array.from({ length: count }, (_, k) => k);
  const costOf = (k: number): number => (first + k < tiles ? cost[base + first + k] : -1);
  return order.sort((a, b) => costOf(b) - costOf(a) || a - b);
}

/**
 * An image's items in one run of the pool (phase `image`), on any thread: item `order[k]` is
 * the draw of tile c (c < tiles), the shading of tile c - tiles (once the draws it reads are
 * done), or actor c - 2 tiles drawn alone (once the boxes' parts are known; past the actors
 * measured, nothing). A thread that runs out of draws shades where another would have waited
 * for the last draw. `between`, the calling thread's only, measures the boxes and posts their
 * parts: it is called once every tile is drawn, between two items, and before any actor alone.
 */
export function runImage(engine: TileEngine, focal: number, order: readonly number[], next: () => number, between?: () => void): void {
  const tiles = engine.tileCount, cost = engine.pixels.cost;
  const drawCost = costRow('draw', tiles), shadeCost = costRow('shade', tiles);
  for (let k = next(); k >= 0; k = next()) {
    const code = order[k];
    if (code < tiles) {
      const start = performance.now();
      engine.drawMarked(code);
      cost[drawCost + code] = performance.now() - start;
    } else if (code < 2 * tiles) {
      const t = code - tiles;
      engine.awaitDrawn(engine.shadeReads[2 * t], engine.shadeReads[2 * t + 1]);
      const start = performance.now();
      engine.shade(t, focal);
      cost[shadeCost + t] = performance.now() - start;
    } else {
      if (between) between();
      else engine.awaitBoxes();
      if (code - 2 * tiles < engine.boxCount) engine.measureAlone(code - 2 * tiles);
    }
    if (between && engine.allDrawn()) between();
  }
}

/**
 * The order of an image's items (runImage): the draws, longest first; the shadings, those whose
 * draws come first in that order first (then the longest); then `alone` actors alone.
 */
export function imageOrder(engine: TileEngine, shaded: boolean, alone: number): number[] {
  const tiles = engine.tileCount, cost = engine.pixels.cost, reads = engine.shadeReads;
  const drawCost = costRow('draw', tiles), shadeCost = costRow('shade', tiles);
  const draws = Array.from({ length: tiles }, (_, t) => t).sort((a, b) => cost[drawCost + b] - cost[drawCost + a] || a - b);
  const position = new Int32Array(tiles);
  draws.forEach((t, k) => (position[t] = k));
  const ready = (t: number): number => {
    let last = 0;
    for (let u = reads[2 * t]; u <= reads[2 * t + 1]; u++) last = Math.max(last, position[u]);
    return last;
  };
  const shades = shaded ? Array.from({ length: tiles }, (_, t) => t).sort((a, b) => ready(a) - ready(b) || cost[shadeCost + b] - cost[shadeCost + a] || a - b) : [];
  return [...draws, ...shades.map((t) => tiles + t), ...Array.from({ length: alone }, (_, k) => 2 * tiles + k)];
}
