import { parentPort, workerData, type MessagePort } from 'node:worker_threads';
import { openDevice, type OpenedDevice } from './GpuDevice.js';
import { GpuKernel } from './GpuKernel.js';
import { GpuRaster, RASTER_WORDS_PER_PIXEL, type RasterRequest } from './GpuRaster.js';
import { GpuScene, type SceneBuffers } from './GpuScene.js';
import { HIT_WORDS } from './traversalShader.js';

/**
 * The GPU thread. WebGPU hands results back only asynchronously (mapAsync), while a sensor's
 * cast is synchronous, so the device lives here and the simulation's thread waits on a shared
 * word (GpuRaycaster.ts) while this thread's event loop uploads, dispatches and reads back.
 *
 * Messages from the opening thread (on parentPort): { op: 'open', adapter } answered with
 * { info } or { error }; { op: 'gc' } runs a full collection when --expose-gc is on (the
 * crash test); { op: 'drop', sceneId } frees a scene's buffers. Casts arrive on the cast port: { sceneId, scene, meshCount, io, count, tMin, tMax,
 * ignore }; the rays are read from `io` (a SharedArrayBuffer: origins, directions), the hits
 * written after them, then control word 0 is set to 1 (done) or 2 (failed, the message posted
 * on the cast port first) and notified. A camera's raster (RasterMessage) comes the same way,
 * in the same queue, and writes its render's pixels into the kernel's memory instead.
 */
export interface GpuWorkerData {
  memory: WebAssembly.Memory;
  control: SharedArrayBuffer;
  castPort: MessagePort;
}

export interface CastMessage {
  /** The scene's number on this thread (GpuRaycaster.ts), stable for its life. */
  sceneId: number;
  /** Its descriptor in kernel memory. */
  scene: number;
  meshCount: number;
  io: SharedArrayBuffer;
  count: number;
  tMin: number;
  tMax: number;
  ignore: number;
}

/**
 * A camera's visibility raster (GpuRaster.ts) over the scene's meshes; RASTER_WORDS_PER_PIXEL
 * words a render pixel are written at byte `into` of the kernel's memory (a camera's shared
 * block, which its tiles read on every thread).
 */
export interface RasterMessage {
  op: 'raster';
  sceneId: number;
  scene: number;
  meshCount: number;
  into: number;
  request: RasterRequest;
}

export const CastState = { pending: 0, done: 1, failed: 2 } as const;

const data = workerData as GpuWorkerData;
const control = new Int32Array(data.control);
let gpu: { device: OpenedDevice; kernel: GpuKernel; raster: GpuRaster; scenes: Map<number, GpuScene> } | undefined;

parentPort!.on('message', (message: { op: 'open'; adapter: string } | { op: 'gc' } | { op: 'drop'; sceneId: number }) => {
  if (message.op === 'drop') {
    // After the casts already queued, which may still use the scene.
    queue = queue.then(() => {
      gpu?.scenes.get(message.sceneId)?.destroy();
      gpu?.scenes.delete(message.sceneId);
    });
    return;
  }
  if (message.op === 'gc') {
    (globalThis as { gc?: () => void }).gc?.();
    parentPort!.postMessage({ collected: typeof (globalThis as { gc?: unknown }).gc === 'function' });
    return;
  }
  // The shader is compiled with the device: a failure of either is the open's answer.
  openDevice(message.adapter)
    .then(async (device) => {
      gpu ??= { device, kernel: await GpuKernel.create(device), raster: await GpuRaster.create(device), scenes: new Map() };
      parentPort!.postMessage({ info: device.info });
    })
    .catch((error: Error) => parentPort!.postMessage({ error: error.message }));
});

// Casts one at a time, in order: the simulation waits for each.
let queue = Promise.resolve();
data.castPort.on('message', (message: CastMessage | RasterMessage) => {
  queue = queue.then(() => ('op' in message ? raster(message) : cast(message))).then(
    () => finish(CastState.done),
    (error: Error) => {
      data.castPort.postMessage({ error: error.message });
      finish(CastState.failed);
    },
  );
});

function finish(state: number): void {
  Atomics.store(control, 0, state);
  Atomics.notify(control, 0);
}

/** The message's scene on the GPU (made on its first use), brought up to date with the kernel's. */
function syncedScene(message: { sceneId: number; scene: number; meshCount: number }): { scene: GpuScene; buffers: SceneBuffers } {
  if (!gpu) throw new Error('the GPU device is not open');
  let scene = gpu.scenes.get(message.sceneId);
  if (!scene) {
    scene = new GpuScene(gpu.device, data.memory);
    gpu.scenes.set(message.sceneId, scene);
  }
  return { scene, buffers: scene.sync(message.scene, message.meshCount) };
}

async function raster(message: RasterMessage): Promise<void> {
  const { scene, buffers } = syncedScene(message);
  const { width, height } = message.request;
  const out = new Uint32Array(data.memory.buffer, message.into, width * height * RASTER_WORDS_PER_PIXEL);
  await gpu!.raster.draw(buffers, scene.meshAt, message.request, out);
}

async function cast(message: CastMessage): Promise<void> {
  const { buffers } = syncedScene(message);
  const n = message.count;
  const rays = new Float32Array(message.io, 0, n * 6);
  const hits = new Uint32Array(message.io, n * 6 * 4, n * HIT_WORDS);
  await gpu!.kernel.cast(buffers, { rays, count: n, tMin: message.tMin, tMax: message.tMax, ignore: message.ignore }, hits);
}
