import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { HitBuffer, RayBatch, SceneData } from './kernel.js';
import type { RaycastScene } from './RaycastScene.js';
import { sharedBuffer } from './shared.js';

/** Shared ray and hit arrays a pool casts through (one set, grown when a batch needs more). */
export interface SharedBuffers extends HitBuffer {
  origins: Float32Array;
  directions: Float32Array;
}

/** Main thread to worker: cast rays [0, count) of the shared buffers. */
export interface CastMessage {
  id: number;
  /** The scene, when it changed since the last cast (meshes are shared, the top level is copied). */
  scene?: SceneData;
  /** New shared buffers, when they grew. */
  buffers?: SharedBuffers;
  count: number;
  tMin: number;
  tMax: number;
  ignoreInstanceId: number;
  /** An Int32Array's buffer: the next ray to take, advanced with Atomics.add. */
  counter: SharedArrayBuffer;
  chunk: number;
}

export interface WorkerReply {
  id: number;
  rays: number;
  error?: string;
}

export interface RaycastPoolOptions {
  /** Worker threads (default: one per core, from os.availableParallelism()). */
  workers?: number;
  /** Rays a worker takes at a time (default 1024). */
  chunk?: number;
}

/**
 * Starts one worker: the compiled `raycastWorker.js` beside this module (dist/), or, when this
 * module runs from TypeScript sources (vitest, tsx), the `.ts` beside it, imported by a small
 * bootstrap that first registers tsx's loader in the worker (Node 20 does not carry the
 * parent's loader into a worker, nor accept `--import` in a worker's execArgv).
 */
function startWorker(): Worker {
  const js = new URL('./raycastWorker.js', import.meta.url);
  if (existsSync(fileURLToPath(js))) return new Worker(js);
  const ts = new URL('./raycastWorker.ts', import.meta.url);
  if (!existsSync(fileURLToPath(ts))) throw new Error(`raycast pool: no worker entry beside ${fileURLToPath(import.meta.url)}`);
  // tsx's ESM API (its CommonJS build resolves its loader next to itself, which fails here).
  const api = createRequire(import.meta.url).resolve('tsx/esm/api').replace(/\.cjs$/, '.mjs');
  const bootstrap = `import(${JSON.stringify(pathToFileURL(api).href)}).then((tsx) => { tsx.register(); return import(${JSON.stringify(ts.href)}); });`;
  return new Worker(bootstrap, { eval: true });
}

/**
 * Casts a RaycastScene's rays over worker threads. The pool starts its workers once
 * (`RaycastPool.create`), and each `cast` splits the batch into chunks the workers take from
 * a shared counter; BVHs, rays and hits live in SharedArrayBuffers, so only the small top
 * level is copied, once per `setInstances`. Every ray's answer depends on that ray alone, so
 * the hits are identical whatever the number of workers, and identical to `scene.cast`.
 * Casts are queued: one runs at a time. `close()` ends the workers.
 */
export class RaycastPool {
  private buffers: SharedBuffers | undefined;
  private capacity = 0;
  private readonly counter = new SharedArrayBuffer(4);
  private readonly sentVersion: number[];
  private buffersSent: boolean[];
  private nextId = 1;
  private queue: Promise<unknown> = Promise.resolve();
  private closed = false;

  private constructor(private readonly scene: RaycastScene, private readonly workers: Worker[], private readonly chunk: number) {
    this.sentVersion = workers.map(() => -1);
    this.buffersSent = workers.map(() => false);
  }

  static async create(scene: RaycastScene, options: RaycastPoolOptions = {}): Promise<RaycastPool> {
    const count = Math.max(1, Math.floor(options.workers ?? availableParallelism()));
    const chunk = Math.max(1, Math.floor(options.chunk ?? 1024));
    const workers = Array.from({ length: count }, () => startWorker());
    // Started once: wait until every worker has loaded its module and said so.
    try {
      await Promise.all(workers.map((w) => new Promise<void>((resolve, reject) => {
        w.once('message', () => {
          w.off('error', reject);
          resolve();
        });
        w.once('error', reject);
        w.once('exit', (code) => reject(new Error(`raycast worker exited with code ${code} while starting`)));
      })));
    } catch (error) {
      await Promise.all(workers.map((w) => w.terminate()));
      throw error;
    }
    return new RaycastPool(scene, workers, chunk);
  }

  get size(): number {
    return this.workers.length;
  }

  /** Closest hits for rays [first, end) of the batch, as `RaycastScene.cast` gives them. */
  cast(rays: RayBatch, hits: HitBuffer, options: { first?: number; end?: number; ignoreInstanceId?: number } = {}): Promise<void> {
    if (this.closed) return Promise.reject(new Error('raycast pool: cast after close()'));
    const run = this.queue.then(() => this.run(rays, hits, options));
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async run(rays: RayBatch, hits: HitBuffer, options: { first?: number; end?: number; ignoreInstanceId?: number }): Promise<void> {
    const first = options.first ?? 0;
    const end = options.end ?? rays.count;
    const n = end - first;
    if (n <= 0) return;
    const b = this.ensureCapacity(n);
    b.origins.set(rays.origins.subarray(first * 3, end * 3));
    b.directions.set(rays.directions.subarray(first * 3, end * 3));
    new Int32Array(this.counter)[0] = 0;
    const { version, data } = this.scene.snapshot();
    const id = this.nextId++;
    await Promise.all(this.workers.map((worker, w) => new Promise<void>((resolve, reject) => {
      const onMessage = (reply: WorkerReply): void => {
        if (reply.id !== id) return;
        worker.off('message', onMessage);
        worker.off('error', onError);
        if (reply.error) reject(new Error(`raycast worker: ${reply.error}`));
        else resolve();
      };
      const onError = (error: Error): void => {
        worker.off('message', onMessage);
        reject(error);
      };
      worker.on('message', onMessage);
      worker.once('error', onError);
      const message: CastMessage = {
        id, count: n, tMin: rays.tMin, tMax: rays.tMax, ignoreInstanceId: options.ignoreInstanceId ?? -1,
        counter: this.counter, chunk: this.chunk,
      };
      if (this.sentVersion[w] !== version) {
        message.scene = data;
        this.sentVersion[w] = version;
      }
      if (!this.buffersSent[w]) {
        message.buffers = b;
        this.buffersSent[w] = true;
      }
      worker.postMessage(message);
    })));
    hits.distance.set(b.distance.subarray(0, n), first);
    hits.normal.set(b.normal.subarray(0, n * 3), first * 3);
    hits.instanceId.set(b.instanceId.subarray(0, n), first);
    hits.classId.set(b.classId.subarray(0, n), first);
    hits.triangleId.set(b.triangleId.subarray(0, n), first);
    hits.reflectivity.set(b.reflectivity.subarray(0, n), first);
  }

  private ensureCapacity(n: number): SharedBuffers {
    if (this.buffers && this.capacity >= n) return this.buffers;
    const capacity = Math.max(n, this.capacity * 2);
    this.buffers = {
      origins: new Float32Array(sharedBuffer(capacity * 12)),
      directions: new Float32Array(sharedBuffer(capacity * 12)),
      distance: new Float32Array(sharedBuffer(capacity * 4)),
      normal: new Float32Array(sharedBuffer(capacity * 12)),
      instanceId: new Uint32Array(sharedBuffer(capacity * 4)),
      classId: new Uint8Array(sharedBuffer(capacity)),
      triangleId: new Uint32Array(sharedBuffer(capacity * 4)),
      reflectivity: new Float32Array(sharedBuffer(capacity * 4)),
    };
    this.capacity = capacity;
    this.buffersSent = this.workers.map(() => false);
    return this.buffers;
  }

  /** Ends the workers; casts queued before close() still run. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.queue;
    await Promise.all(this.workers.map((w) => w.terminate()));
  }
}
