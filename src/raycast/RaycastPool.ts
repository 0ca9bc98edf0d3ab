import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
import { pathToFileURL } from 'node:url';
import { MessageChannel, Worker, type MessagePort } from 'node:worker_threads';
import { allocate, float64At, int32At, kernelShare, mainKernel, release, STACK_BYTES, type KernelExports } from './KernelMemory.js';
import { poolTaskUrls, type PoolJobLike, type PoolTaskModule, type TaskThread } from './PoolTasks.js';
import type { RaycastScene } from './RaycastScene.js';
import type { CastOptions, HitBuffer, RayBatch } from './Rays.js';

export interface RaycastPoolOptions {
  /** Worker threads besides the calling thread, which casts too (default: one fewer than the cores). */
  workers?: number;
  /**
   * Rays a thread takes at a time. By default a sixteenth of each thread's share of the
   * batch, between 64 and 4096: few enough grabs of the shared counter, and a short tail
   * when one thread finishes before another.
   */
  chunk?: number;
}

/**
 * Int32 slots of one lane of the pool's control block, in kernel memory; tMin and tMax follow
 * as float64. The pool has two lanes, one after the other: tasks' items (a camera's tiles),
 * and rays; a batch may be open in each at once. `joined` counts the workers that joined the
 * lane's open batch; its top bit closes the batch. The task lane's `sequence` wakes the
 * workers for either, and its `quit` ends them.
 */
const Control = {
  sequence: 0, next: 1, done: 2, quit: 3, failed: 4,
  scene: 5, batch: 6, capacity: 7, count: 8, ignore: 9, chunk: 10, workerRays: 11, joined: 12,
  /** In the task lane: the index of the task (PoolTasks.ts) whose items the open batch is. */
  task: 13,
  words: 14, limits: 56,
  /** Bytes of one lane; the ray lane starts this far after the task lane. */
  lane: 72,
} as const;
/** The bit of `joined` that closes a batch to late workers. */
const CLOSED = 1 << 30;
type ControlSlots = typeof Control;

interface WorkerData {
  module: WebAssembly.Module;
  memory: WebAssembly.Memory;
  control: number;
  stack: number;
  slots: ControlSlots;
  closed: number;
  /** The worker's number (1, 2, ...; the calling thread is 0). */
  index: number;
  /** Task modules to import, and tsx's loader where one is TypeScript (tests run the sources). */
  tasks: readonly string[];
  tsx: string | undefined;
  /** Where the pool's messages to this worker's tasks arrive. */
  port: MessagePort;
  /** How long the worker stays awake (ms) after its work before it sleeps (SPIN_MS). */
  spinMs: number;
}

/**
 * Milliseconds a worker polls for the next batch before it sleeps. OpenMP runtimes spin for
 * as long as 200 ms by default (KMP_BLOCKTIME); a few milliseconds cover the gap between a
 * camera's phases and between its images, and cost an otherwise idle core nothing.
 */
const SPIN_MS = 3;

/**
 * Takes chunks of the current batch from the shared counter until none are left. Run by the
 * casting thread and by every worker (its source is sent to the workers), so it may use
 * nothing but its arguments.
 */
function castChunks(kernel: KernelExports, stack: number, words: Int32Array, limits: Float64Array, slots: ControlSlots): number {
  const count = words[slots.count], chunk = words[slots.chunk];
  let cast = 0;
  for (;;) {
    const start = Atomics.add(words, slots.next, chunk);
    if (start >= count) return cast;
    const end = Math.min(count, start + chunk);
    kernel.castRange(words[slots.scene], words[slots.batch], words[slots.capacity], start, end, limits[0], limits[1], words[slots.ignore], stack);
    cast += end - start;
  }
}

/**
 * Joins the open batch: false when it is closed (the casting thread finished it without this
 * worker). Sent to the workers as source, like castChunks.
 */
function joinBatch(words: Int32Array, slots: ControlSlots, closed: number): boolean {
  for (;;) {
    const joined = Atomics.load(words, slots.joined);
    if ((joined & closed) !== 0) return false;
    if (Atomics.compareExchange(words, slots.joined, joined, joined + 1) === joined) return true;
  }
}

/**
 * A worker's life: instantiate the kernel over the shared memory and import the task modules,
 * then sleep on the control block's sequence number and, whenever it wakes, take the tasks'
 * messages, join the open batch (if any) and cast chunks of it or run the task's items, until
 * told to quit. A worker that wakes late finds the batch closed and goes back to sleep: the
 * casting thread never waits for a worker that has not started. Sent to the worker as source,
 * like castChunks.
 */
async function poolWorker(): Promise<void> {
  const { workerData, parentPort, receiveMessageOnPort } = require('node:worker_threads') as typeof import('node:worker_threads');
  const data = workerData as WorkerData;
  const kernel = new WebAssembly.Instance(data.module, { env: { memory: data.memory } }).exports as unknown as KernelExports;
  const words = new Int32Array(data.memory.buffer, data.control, data.slots.words);
  // import() through a Function: this source is sent as text, and a bundler (vitest's) would rewrite a plain import().
  const load = new Function('url', 'return import(url)') as (url: string) => Promise<unknown>;
  if (data.tsx) ((await load(data.tsx)) as { register(): void }).register();
  const tasks: PoolTaskModule[] = [];
  for (const url of data.tasks) tasks.push((await load(url)) as PoolTaskModule);
  const thread: TaskThread = { index: data.index, kernel, stack: data.stack, memory: data.memory };
  const rayWords = new Int32Array(data.memory.buffer, data.control + data.slots.lane, data.slots.words);
  const rayLimits = new Float64Array(data.memory.buffer, data.control + data.slots.lane + data.slots.limits, 2);
  // Casts chunks of the open ray batch, if it has rays left: between a task's items too, since
  // the thread that opened it waits for its rays while this worker draws tiles.
  const helpRays = (): void => {
    if ((Atomics.load(rayWords, data.slots.joined) & data.closed) !== 0) return;
    if (Atomics.load(rayWords, data.slots.next) >= rayWords[data.slots.count]) return;
    if (!joinBatch(rayWords, data.slots, data.closed)) return;
    try {
      Atomics.add(rayWords, data.slots.workerRays, castChunks(kernel, data.stack, rayWords, rayLimits, data.slots));
    } catch {
      Atomics.store(rayWords, data.slots.failed, 1);
    }
    Atomics.add(rayWords, data.slots.done, 1);
    Atomics.notify(rayWords, data.slots.done);
  };
  const next = (): number => {
    helpRays();
    const item = Atomics.add(words, data.slots.next, 1);
    return item < words[data.slots.count] ? item : -1;
  };
  // Every message posted before now, in order, even those of batches this worker missed.
  const takeMessages = (): void => {
    try {
      for (let m = receiveMessageOnPort(data.port); m; m = receiveMessageOnPort(data.port)) {
        const { task, body, reply } = m.message as { task: number; body: unknown; reply?: boolean };
        if (!reply) {
          tasks[task].receive(body, thread);
          continue;
        }
        // A question (askTask): the answer, or why there is none, so the caller never waits forever.
        try {
          data.port.postMessage({ answer: tasks[task].receive(body, thread) });
        } catch (error) {
          data.port.postMessage({ error: String(error) });
        }
      }
    } catch {
      Atomics.store(words, data.slots.failed, 1);
    }
  };
  thread.takeMessages = takeMessages;
  thread.helpRays = helpRays;
  parentPort!.postMessage('ready');
  let seen = 0;
  for (;;) {
    // Awake a little before sleeping: the next batch (a camera's next phase, the next image's
    // tiles) mostly opens within a few milliseconds, and a sleeping thread on a virtual machine
    // wakes a millisecond or more after it is notified, while the opener has begun alone.
    const spinUntil = performance.now() + data.spinMs;
    while (Atomics.load(words, data.slots.sequence) === seen && performance.now() < spinUntil);
    Atomics.wait(words, data.slots.sequence, seen);
    seen = Atomics.load(words, data.slots.sequence);
    if (Atomics.load(words, data.slots.quit) !== 0) return;
    takeMessages();
    helpRays();
    // A task batch this worker already ran may be joined again (a wake for rays): it finds no items left.
    if (!joinBatch(words, data.slots, data.closed)) continue;
    // The messages posted before this batch opened (its phase), which a wake for rays may have
    // come before: the caller posts them first, and finishes no batch this worker has joined.
    takeMessages();
    try {
      tasks[words[data.slots.task]].run(thread, next);
    } catch {
      Atomics.store(words, data.slots.failed, 1);
    }
    Atomics.add(words, data.slots.done, 1);
    Atomics.notify(words, data.slots.done);
    helpRays();
  }
}

/** A task running on the pool's workers (RaycastPool.startTask) while the calling thread does other work. */
export interface PoolJob extends PoolJobLike {
  /** Runs the items left on the calling thread too (`here`, given the item counter) and waits for the workers; once. */
  finish(here: (next: () => number) => void): void;
}

/** Batches of fewer rays are cast on the calling thread alone. */
const SMALL_BATCH = 1024;

/**
 * The workers' code, from these functions' own text. Loaded from the TypeScript sources through
 * tsx (esbuild keeps function names by wrapping them in a `__name` helper), that text calls a
 * helper the worker does not have: an identity one is given first.
 */
const WORKER_SOURCE = `var __name = (f) => f;\n${castChunks.toString()}\n${joinBatch.toString()}\n(${poolWorker.toString()})();`;

/**
 * Casts a RaycastScene's rays over worker threads and the calling thread together. The pool
 * starts its workers once (`RaycastPool.create`); each runs its own instance of the
 * WebAssembly kernel over the one shared memory that holds the BVHs, the scene's top level
 * and the batch, so nothing is copied to a worker, ever. A `cast` announces the batch through
 * a control block in that memory (Atomics), takes chunks of rays from a shared counter like
 * every worker, and returns when all have checked in: it is synchronous, like
 * `RaycastScene.cast`. Every ray's answer depends on that ray alone, so the hits are identical
 * whatever the number of workers, and identical to `scene.cast`. `close()` ends the workers.
 */
export class RaycastPool {
  private closed = false;
  /** The task lane's words (its `sequence` wakes the workers for either lane). */
  private readonly words: Int32Array;
  /** The ray lane's words and limits. */
  private readonly rayWords: Int32Array;
  private readonly limits: Float64Array;

  private constructor(
    private readonly scene: RaycastScene,
    private readonly workers: Worker[],
    private readonly exited: Promise<void>[],
    private readonly blocks: number[],
    /** Rays per grab, or 0 for the default that follows the batch size. */
    private readonly chunk: number,
  ) {
    const control = blocks[0];
    this.words = int32At(control, Control.words);
    this.rayWords = int32At(control + Control.lane, Control.words);
    this.limits = float64At(control + Control.lane + Control.limits, 2);
  }

  static async create(scene: RaycastScene, options: RaycastPoolOptions = {}): Promise<RaycastPool> {
    const count = Math.max(0, Math.floor(options.workers ?? availableParallelism() - 1));
    const chunk = options.chunk === undefined ? 0 : Math.max(1, Math.floor(options.chunk));
    const { module, memory } = kernelShare();
    const control = allocate(2 * Control.lane);
    for (const lane of [control, control + Control.lane]) {
      int32At(lane, Control.words).fill(0);
      // No batch is open until the first: a worker woken before it (askTask) only takes its messages.
      int32At(lane, Control.words)[Control.joined] = CLOSED;
    }
    const stacks = Array.from({ length: count }, () => allocate(STACK_BYTES));
    const tasks = [...poolTaskUrls()];
    // tsx's ESM entry (require.resolve finds its CommonJS one beside it).
    const tsx = tasks.some((url) => url.endsWith('.ts')) ? pathToFileURL(createRequire(import.meta.url).resolve('tsx/esm/api')).href.replace(/\.cjs$/, '.mjs') : undefined;
    const ports = stacks.map(() => new MessageChannel());
    const workers = stacks.map((stack, k) => new Worker(WORKER_SOURCE, {
      eval: true,
      workerData: { module, memory, control, stack, slots: Control, closed: CLOSED, index: k + 1, tasks, tsx, port: ports[k].port2, spinMs: SPIN_MS } satisfies WorkerData,
      transferList: [ports[k].port2],
    }));
    const exited = workers.map((w) => new Promise<void>((resolve) => w.once('exit', () => resolve())));
    // Started once: wait until every worker has instantiated its kernel and said so.
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
      for (const block of [control, ...stacks]) release(block);
      throw error;
    }
    // A pool that is never closed must not keep the process alive: its workers only sleep.
    for (const w of workers) w.unref();
    for (const { port1 } of ports) port1.unref();
    const pool = new RaycastPool(scene, workers, exited, [control, ...stacks], chunk);
    pool.ports = ports.map((p) => p.port1);
    pool.tasks = tasks;
    return pool;
  }

  private ports: MessagePort[] = [];
  /** The task URLs the workers imported (tasks registered later run on the calling thread alone). */
  private tasks: readonly string[] = [];

  /** Whether this pool's workers run task `url` (PoolTasks.ts). */
  runsTask(url: string): boolean {
    return this.tasks.includes(url);
  }

  /**
   * Posts a message to task `url` in every worker; workers take it before their next batch.
   * Nothing after close(): the workers are gone, and what they kept with them.
   */
  postTask(url: string, body: unknown): void {
    if (this.closed) return;
    const task = this.taskIndex(url);
    for (const port of this.ports) port.postMessage({ task, body });
    // Woken now, the workers take the message (a camera's frame, say) while this thread goes
    // on preparing the batch, rather than after it opens.
    this.wake();
  }

  /**
   * Posts a message to task `url` in every worker and wakes them (no batch is opened: they take
   * their messages and sleep again); resolves with each worker's answer (what its `receive`
   * returned), in worker order. For diagnostics between batches, such as what a task keeps.
   */
  askTask(url: string, body: unknown): Promise<unknown[]> {
    if (this.closed) return Promise.reject(new Error('raycast pool: askTask after close()'));
    const task = this.taskIndex(url);
    const answers = this.ports.map((port) => new Promise<unknown>((resolve, reject) => {
      // Held while the answer is due: an unreferenced port would let an idle process exit first.
      port.ref();
      port.once('message', (m: { answer?: unknown; error?: string }) => {
        port.unref();
        if (m.error !== undefined) reject(new Error(`raycast pool: task ${url} failed in a worker: ${m.error}`));
        else resolve(m.answer);
      });
      port.postMessage({ task, body, reply: true });
    }));
    this.wake();
    return Promise.all(answers);
  }

  private taskIndex(url: string): number {
    const task = this.tasks.indexOf(url);
    if (task < 0) throw new Error(`raycast pool: task ${url} was not registered when the pool was created`);
    return task;
  }

  /** Whether close() was called (its workers are ending or gone). */
  get isClosed(): boolean {
    return this.closed;
  }

  /**
   * Runs items [0, count) of task `url` over the workers and the calling thread, which runs
   * `here(next)` (the task's own run, given the same item counter); returns when every item
   * is done. Synchronous, like `cast`.
   */
  runTask(url: string, count: number, here: (next: () => number) => void): void {
    this.startTask(url, count).finish(here);
  }

  /**
   * Opens items [0, count) of task `url` to the workers and returns at once: the calling
   * thread goes on with other work (the next steps' LiDAR, say) while they run, and joins the
   * items left when it calls the job's `finish`. Until then the pool is busy: no other task may
   * start (casts go on, in the ray lane). Every item's result depends on that
   * item alone, so what the job gives is the same whoever ran which items.
   */
  startTask(url: string, count: number): PoolJob {
    if (this.closed) throw new Error('raycast pool: task after close()');
    if (this.job) throw new Error('raycast pool: a task started while another is under way');
    const task = this.taskIndex(url);
    const w = this.words;
    w[Control.task] = task;
    w[Control.count] = count;
    const next = (): number => {
      const item = Atomics.add(w, Control.next, 1);
      return item < count ? item : -1;
    };
    this.open(w);
    let finished = false;
    const job: PoolJob = {
      done: () => finished || (Atomics.load(w, Control.next) >= count && Atomics.load(w, Control.done) === (Atomics.load(w, Control.joined) & ~CLOSED)),
      finish: (here) => {
        if (finished) return;
        finished = true;
        try {
          here(next);
        } finally {
          this.job = undefined;
          this.join(w, 'a task');
        }
      },
    };
    this.job = job;
    return job;
  }

  /** The task under way (startTask), if its `finish` has not been called. */
  private job: PoolJob | undefined;

  /** Whether a task is under way (started, not yet finished). */
  get busy(): boolean {
    return this.job !== undefined;
  }

  /** Done once no task is under way: what work waiting to start a task yields (PoolWork). */
  readonly idle = { done: (): boolean => this.job === undefined, waiting: true };

  /** Wakes the workers (sleeping on the task lane's sequence): they take their messages, then join an open batch, or quit. */
  private wake(): void {
    Atomics.add(this.words, Control.sequence, 1);
    Atomics.notify(this.words, Control.sequence);
  }

  /** Opens the batch whose words are set, in lane `w`: wakes the workers. */
  private open(w: Int32Array): void {
    Atomics.store(w, Control.next, 0);
    Atomics.store(w, Control.done, 0);
    Atomics.store(w, Control.failed, 0);
    Atomics.store(w, Control.workerRays, 0);
    Atomics.store(w, Control.joined, 0);
    this.wake();
  }

  /**
   * Every item is taken: closes the batch, and waits only for the workers that joined it (a
   * worker the scheduler has not run yet would otherwise hold the caller for a time slice).
   */
  private join(w: Int32Array, what: string): void {
    const joined = Atomics.or(w, Control.joined, CLOSED) & ~CLOSED;
    for (;;) {
      const done = Atomics.load(w, Control.done);
      if (done === joined) break;
      Atomics.wait(w, Control.done, done);
    }
    if (Atomics.load(w, Control.failed) !== 0) throw new Error(`raycast pool: ${what} failed in a worker`);
  }

  /** Rays the workers (not the calling thread) cast in the last cast. */
  get lastWorkerRays(): number {
    return Atomics.load(this.rayWords, Control.workerRays);
  }

  /** Worker threads (the calling thread casts as well). */
  get size(): number {
    return this.workers.length;
  }

  /**
   * Closest hits for rays [first, end) of the batch, as `RaycastScene.cast` gives them, in
   * `scene` (the pool's own, or a twin of it). A task may be under way (startTask): the rays
   * have a lane of their own, and a worker drawing the task's items takes chunks of them
   * between items.
   */
  cast(rays: RayBatch, hits: HitBuffer, options: CastOptions = {}, scene: RaycastScene = this.scene): void {
    if (this.closed) throw new Error('raycast pool: cast after close()');
    const first = options.first ?? 0;
    const end = options.end ?? rays.count;
    if (end <= first) return;
    if (end - first < SMALL_BATCH) {
      // Waking the workers would cost more than the rays (a radar's few hundred, say).
      Atomics.store(this.rayWords, Control.workerRays, 0);
      scene.castOnThisThread(rays, hits, options);
      return;
    }
    const batch = scene.prepareBatch(rays, first, end, options.ignoreInstanceId);
    const w = this.rayWords;
    w[Control.scene] = scene.descriptor;
    w[Control.batch] = batch.address;
    w[Control.capacity] = batch.capacity;
    w[Control.count] = batch.count;
    w[Control.ignore] = batch.ignore;
    const threads = this.workers.length + 1;
    w[Control.chunk] = this.chunk > 0 ? this.chunk : Math.min(4096, Math.max(64, Math.ceil(batch.count / (16 * threads))));
    this.limits[0] = batch.tMin;
    this.limits[1] = batch.tMax;
    this.open(w);
    const { kernel, stack } = mainKernel();
    castChunks(kernel, stack, w, this.limits, Control);
    this.join(w, 'the kernel');
    scene.collectHits(batch, hits, first);
  }

  /** Ends the workers and gives their memory back. */
  async close(): Promise<void> {
    if (this.closed) return;
    // A task still under way: its workers finish its items first.
    this.job?.finish(() => undefined);
    this.closed = true;
    if (this.scene.pool === this) this.scene.usePool(undefined);
    // Held again while they finish, or an otherwise idle process would exit before they do.
    for (const w of this.workers) w.ref();
    Atomics.store(this.words, Control.quit, 1);
    this.wake();
    await Promise.all(this.exited);
    for (const block of this.blocks) release(block);
  }
}
