import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { MessageChannel, receiveMessageOnPort, Worker, type MessagePort } from 'node:worker_threads';
import { kernelShare } from '../KernelMemory.js';
import type { CastDelegate, RaycastScene } from '../RaycastScene.js';
import { MISS, type CastOptions, type HitBuffer, type RayBatch } from '../Rays.js';
import type { GpuAdapterInfo } from './GpuDevice.js';
import type { RasterRequest } from './GpuRaster.js';
import type { CastMessage, GpuWorkerData, RasterMessage } from './GpuWorker.js';
import { HIT_WORDS, HitWord } from './traversalShader.js';

export type { GpuAdapterInfo } from './GpuDevice.js';

export interface GpuOptions {
  /** Picks the adapter whose name contains this (Dawn's `adapter=` toggle); any by default. */
  adapter?: string;
}

/** How long a cast may take before the GPU thread is taken for hung (a software adapter is slow). */
const CAST_TIMEOUT_MS = 300_000;
/** Words per ray of the shared batch block: origin and direction, then the hits. */
const IO_WORDS = 6 + HIT_WORDS;
/** GpuWorker.ts's CastState (not imported: that module is the worker's entry and runs on import). */
const CastState = { pending: 0, done: 1, failed: 2 } as const;

/** Starts GpuWorker.ts, with tsx's loader first when running from the TypeScript sources (the tests). */
const BOOTSTRAP = `
const { workerData, parentPort } = require('node:worker_threads');
const load = new Function('url', 'return import(url)');
(async () => {
  if (workerData.tsx) (await load(workerData.tsx)).register();
  await load(workerData.entry);
})().catch((error) => parentPort.postMessage({ error: 'the GPU thread did not start: ' + error.message }));
`;

/**
 * The process's GPU thread (GpuWorker.ts), started once and kept: the device it holds must
 * live as long as the process (GpuDevice.ts). Unreferenced while idle, so it never keeps the
 * process alive. Casts are synchronous for the caller: the rays go into a shared block, the
 * thread is sent a message, and the caller sleeps on a shared word until the hits are there.
 */
class GpuThread {
  private io = new SharedArrayBuffer(0);
  private opening: { adapter: string; info: Promise<GpuAdapterInfo> } | undefined;
  private nextSceneId = 1;

  private constructor(private readonly worker: Worker, private readonly castPort: MessagePort, private readonly control: Int32Array) {
    worker.unref();
    castPort.unref();
  }

  static start(): GpuThread {
    const here = import.meta.url;
    const fromSource = here.endsWith('.ts');
    // tsx's ESM entry (require.resolve finds its CommonJS one beside it), as RaycastPool does.
    const tsx = fromSource ? pathToFileURL(createRequire(here).resolve('tsx/esm/api')).href.replace(/\.cjs$/, '.mjs') : undefined;
    const entry = new URL(fromSource ? './GpuWorker.ts' : './GpuWorker.js', here).href;
    const channel = new MessageChannel();
    const control = new SharedArrayBuffer(4);
    const data: GpuWorkerData & { tsx?: string; entry: string } = { memory: kernelShare().memory, control, castPort: channel.port2, tsx, entry };
    const worker = new Worker(BOOTSTRAP, { eval: true, workerData: data, transferList: [channel.port2] });
    return new GpuThread(worker, channel.port1, new Int32Array(control));
  }

  /** Opens the device (once; a failed open may be retried): the adapter's description. */
  open(adapter: string): Promise<GpuAdapterInfo> {
    if (this.opening && this.opening.adapter !== adapter) {
      return Promise.reject(new Error(`the GPU is already open with adapter filter "${this.opening.adapter}"; one adapter per process`));
    }
    if (!this.opening) {
      const info = this.request<{ info?: GpuAdapterInfo; error?: string }>({ op: 'open', adapter }).then((answer) => {
        if (answer.error !== undefined) throw new Error(answer.error);
        return answer.info!;
      });
      this.opening = { adapter, info };
      info.catch(() => {
        if (this.opening?.info === info) this.opening = undefined;
      });
    }
    return this.opening.info;
  }

  /** Asks the thread something and waits for its answer, holding the process open meanwhile. */
  request<T>(message: unknown): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.worker.ref();
      const done = (): void => {
        this.worker.unref();
        this.worker.off('error', onError);
      };
      const onError = (error: Error): void => {
        done();
        reject(error);
      };
      this.worker.once('message', (answer: T) => {
        done();
        resolve(answer);
      });
      this.worker.once('error', onError);
      this.worker.postMessage(message);
    });
  }

  newSceneId(): number {
    return this.nextSceneId++;
  }

  drop(sceneId: number): void {
    this.worker.postMessage({ op: 'drop', sceneId });
  }

  /** A camera's raster over the scene's meshes, written at byte `into` of the kernel's memory. */
  raster(sceneId: number, scene: RaycastScene, request: RasterRequest, into: number): void {
    const message: RasterMessage = { op: 'raster', sceneId, scene: scene.descriptor, meshCount: scene.meshCount, into, request };
    this.send(message, `the GPU raster of a ${request.width} x ${request.height} image`);
  }

  /** Posts a message on the cast port and sleeps until the GPU thread is done with it; throws what it reports. */
  private send(message: CastMessage | RasterMessage, what: string): void {
    Atomics.store(this.control, 0, CastState.pending);
    this.castPort.postMessage(message);
    if (Atomics.wait(this.control, 0, CastState.pending, CAST_TIMEOUT_MS) === 'timed-out') {
      throw new Error(`${what} did not finish within ${CAST_TIMEOUT_MS / 1000} s`);
    }
    if (Atomics.load(this.control, 0) === CastState.failed) {
      const answer = receiveMessageOnPort(this.castPort)?.message as { error?: string } | undefined;
      throw new Error(answer?.error ?? `${what} failed`);
    }
  }

  /** Rays [first, end) of the batch against the scene, hits into `hits` from `first`. */
  cast(sceneId: number, scene: RaycastScene, rays: RayBatch, hits: HitBuffer, first: number, end: number, ignore: number): void {
    const n = end - first;
    if (this.io.byteLength < n * IO_WORDS * 4) this.io = new SharedArrayBuffer(Math.max(n, 2 * (this.io.byteLength / (IO_WORDS * 4))) * IO_WORDS * 4);
    const io = this.io;
    const input = new Float32Array(io, 0, n * 6);
    input.set(rays.origins.subarray(first * 3, end * 3), 0);
    input.set(rays.directions.subarray(first * 3, end * 3), n * 3);
    const message: CastMessage = { sceneId, scene: scene.descriptor, meshCount: scene.meshCount, io, count: n, tMin: rays.tMin, tMax: rays.tMax, ignore };
    this.send(message, `the GPU raycast of ${n} rays`);
    unpackHits(io, n, hits, first);
  }
}

/** The kernel's hits (8 words per ray in blocks of n, traversalShader.ts) into a HitBuffer from `first`. */
function unpackHits(io: SharedArrayBuffer, n: number, hits: HitBuffer, first: number): void {
  const at = n * 6 * 4;
  const words = new Uint32Array(io, at, n * HIT_WORDS);
  const floats = new Float32Array(io, at, n * HIT_WORDS);
  hits.distance.set(floats.subarray(HitWord.distance * n, (HitWord.distance + 1) * n), first);
  hits.normal.set(floats.subarray(HitWord.normal * n, (HitWord.normal + 3) * n), first * 3);
  hits.instanceId.set(words.subarray(HitWord.instanceId * n, (HitWord.instanceId + 1) * n), first);
  hits.triangleId.set(words.subarray(HitWord.triangleId * n, (HitWord.triangleId + 1) * n), first);
  hits.reflectivity.set(floats.subarray(HitWord.reflectivity * n, (HitWord.reflectivity + 1) * n), first);
  const instance = HitWord.instanceId * n;
  const classMaterial = HitWord.classMaterial * n;
  for (let i = 0; i < n; i++) {
    const packed = words[classMaterial + i];
    hits.classId[first + i] = packed & 0xff;
    hits.materialId[first + i] = packed >>> 8;
    // The kernel marks a miss by its instance word alone (WGSL promises no infinity).
    if (words[instance + i] === MISS) hits.distance[first + i] = Infinity;
  }
}

let thread: GpuThread | undefined;

function gpuThread(): GpuThread {
  thread ??= GpuThread.start();
  return thread;
}

/**
 * Casts a RaycastScene's rays on the GPU: the same closest hits, in the same HitBuffer, as
 * `RaycastScene.cast` gives (to float32 precision; see traversalShader.ts), and synchronous
 * like it. The scene's meshes are uploaded on the first cast, its top level on every cast.
 * Open with `GpuRaycaster.open`; the adapter's name and whether it is software are in `adapter`.
 */
export class GpuRaycaster implements CastDelegate {
  private closed = false;

  private constructor(
    private readonly scene: RaycastScene,
    private readonly thread: GpuThread,
    private readonly sceneId: number,
    readonly adapter: GpuAdapterInfo,
  ) {}

  /** Rejects with the reason (no webgpu package, no Vulkan, no adapter) when no device can be had. */
  static async open(scene: RaycastScene, options: GpuOptions = {}): Promise<GpuRaycaster> {
    const thread = gpuThread();
    const adapter = await thread.open(options.adapter ?? '');
    return new GpuRaycaster(scene, thread, thread.newSceneId(), adapter);
  }

  cast(rays: RayBatch, hits: HitBuffer, options: CastOptions = {}): void {
    if (this.closed) throw new Error('GPU raycaster: cast after close()');
    const first = options.first ?? 0;
    const end = options.end ?? rays.count;
    if (end <= first) return;
    // An id no instance has (ids are uint32; -1 wraps to 0xffffffff, which is MISS), as on the CPU.
    this.thread.cast(this.sceneId, this.scene, rays, hits, first, end, (options.ignoreInstanceId ?? -1) >>> 0);
  }

  /**
   * Draws a camera's pinhole render on the GPU (GpuRaster.ts) over this scene's meshes, the
   * parts placed as the request says: RASTER_WORDS_PER_PIXEL words a render pixel, target by
   * target (depth, instance, class | material << 8, then normal and sun cosine, 4 each),
   * written at byte `into` of the raycast kernel's shared memory, where every pool thread
   * reads it. Synchronous, like `cast`.
   */
  raster(request: RasterRequest, into: number): void {
    if (this.closed) throw new Error('GPU raycaster: raster after close()');
    this.thread.raster(this.sceneId, this.scene, request, into);
  }

  /** Frees the scene's GPU buffers; the device stays open for the life of the process. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.thread.drop(this.sceneId);
  }
}

/** Opens the process's GPU device without a scene: its adapter, or the reason there is none. */
export function openGpuAdapter(options: GpuOptions = {}): Promise<GpuAdapterInfo> {
  return gpuThread().open(options.adapter ?? '');
}

/**
 * Runs a full garbage collection on the GPU thread (and reports whether it could: node must
 * run with --expose-gc). For the test that the device survives one (GpuDevice.ts).
 */
export async function collectGpuThreadGarbage(): Promise<boolean> {
  const answer = await gpuThread().request<{ collected: boolean }>({ op: 'gc' });
  return answer.collected;
}
