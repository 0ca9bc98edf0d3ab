import type { TaskThread } from '../../raycast/PoolTasks.js';
import { cachedMeshes, TileEngine } from './CameraTiles.js';
import { PHASES, unpackFrame, unpackParts, type PackedFrame, type PackedParts, type Phase, type TileFrame, type TileSetup } from './TileSetup.js';

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
  /** The parts of the actors whose boxes are measured, once the image's draw has seen them (the rest of the frame as it was). */
  | { kind: 'boxes'; camera: number; boxes: PackedParts }
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
      engines.get(message.camera)!.setBoxes(unpackParts(message.boxes));
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
  runPhase(engine, phase, focal, first, order, next);
}

/**
 * Items of one phase until none are left (on any thread): the pool's k-th is item
 * first + order[k]. Each tile's time is kept for the order of the next image's phase (the
 * longest first, so that no thread is left with a long tile while the others wait): the time
 * decides only which thread runs what, never a byte of what it computes.
 */
export function runPhase(engine: TileEngine, phase: Phase, focal: number, first: number, order: readonly number[], next: () => number): void {
  const tiles = engine.tileCount, cost = engine.pixels.cost, base = PHASES.indexOf(phase) * tiles;
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
  const tiles = engine.tileCount, cost = engine.pixels.cost, base = PHASES.indexOf(phase) * tiles;
  const order = Array.from({ length: count }, (_, k) => k);
  const costOf = (k: number): number => (first + k < tiles ? cost[base + first + k] : -1);
  return order.sort((a, b) => costOf(b) - costOf(a) || a - b);
}
