import type { TaskThread } from '../../raycast/PoolTasks.js';
import { cachedMeshes, TileEngine } from './CameraTiles.js';
import type { TileFrame, TileSetup } from './TileSetup.js';

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
  | { kind: 'frame'; camera: number; frame: TileFrame }
  /** Develop the image in the shared linear array (after motion blur or rain and snow were drawn into it on the calling thread). */
  | { kind: 'develop'; camera: number; develop: NonNullable<TileFrame['develop']> }
  /** Run a phase over items first, first + 1, ... (the pool counts from 0). */
  | { kind: 'phase'; camera: number; phase: Phase; focal: number; first: number };

/** A: draw, gather and anchors (items: tiles); B: shade (tiles), then actors alone; or the sensor alone (tiles). */
export type Phase = 'draw' | 'shade' | 'develop';

const engines = new Map<number, TileEngine>();
let current: { engine: TileEngine; phase: Phase; focal: number; first: number } | undefined;

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
      engines.get(message.camera)!.setFrame(message.frame);
      return;
    case 'develop':
      engines.get(message.camera)!.setDevelop(message.develop);
      return;
    case 'phase':
      current = { engine: engines.get(message.camera)!, phase: message.phase, focal: message.focal, first: message.first };
  }
}

export function run(_thread: TaskThread, next: () => number): void {
  const { engine, phase, focal, first } = current!;
  runPhase(engine, phase, focal, () => {
    const item = next();
    return item < 0 ? -1 : first + item;
  });
}

/** Items of one phase until none are left (on any thread). */
export function runPhase(engine: TileEngine, phase: Phase, focal: number, next: () => number): void {
  const tiles = engine.tileCount;
  for (let item = next(); item >= 0; item = next()) {
    if (phase === 'draw') engine.draw(item);
    else if (phase === 'develop') engine.developTile(item);
    else if (item < tiles) engine.shade(item, focal);
    else engine.measureAlone(item - tiles);
  }
}
