/**
 * An McapRecorder on a thread of its own: the frame's msgpack encoding, the zstd compression
 * of its chunks and the file writes run beside the simulation instead of between its steps.
 * The file is the one McapRecorder writes in this thread (same bytes, same temporary name,
 * same `.partial` on a failing file system), so a recording does not depend on where it was
 * made.
 *
 * Frames cross to the thread through a bounded queue: `write` copies the frame's arrays (so
 * the sensor may reuse its buffers at once) and resolves while the bytes the thread has not
 * yet taken in stay under `maxQueuedBytes`; past that it waits, so a slow disk slows the run
 * down and never drops or reorders a frame.
 *
 * Where the thread's compiled module is not at hand (the TypeScript sources run under a test
 * runner) the recorder runs in this thread, behind the same queue.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { UserError } from '../core/errors.js';
import type { ArrayField, Frame } from '../core/frame.js';
import { DEFAULT_MAX_QUEUED_BYTES, McapRecorder, type RecorderOptions } from './McapRecorder.js';
import type { FrameSink } from './FrameSink.js';

/** What this thread tells the recorder's. */
export type ToRecorderThread =
  | { type: 'frame'; frame: Frame; bytes: number }
  | { type: 'metadata'; entries: Record<string, string> }
  | { type: 'close' }
  | { type: 'abort' };

/** What the recorder's thread answers. */
export type FromRecorderThread =
  | { type: 'opened'; tempPath: string }
  | { type: 'ack'; bytes: number }
  | { type: 'closed' }
  | { type: 'failed'; message: string; user: boolean; stack?: string; final?: boolean };

const WORKER = new URL('./recorderWorker.js', import.meta.url);

/** A recording being written: on its own thread, or in this one. */
export type Recorder = RecorderThread | McapRecorder;

export class RecorderThread implements FrameSink {
  /** Bytes sent to the thread and not yet taken in by its recorder. */
  #inFlight = 0;
  #waiting: (() => void)[] = [];
  #error: Error | undefined;
  #finish: Promise<void> | undefined;
  #finishedBy: 'close' | 'abort' | undefined;
  #onFinished: ((error?: Error) => void) | undefined;
  /** The thread has ended or will answer nothing more. */
  #stopped = false;

  private constructor(
    readonly path: string,
    private readonly worker: Worker,
    private readonly maxQueuedBytes: number,
  ) {
    worker.on('message', (message: FromRecorderThread) => this.#receive(message));
    worker.on('error', (error) => this.#fail(error, true));
    // A thread that ends before it was told to leaves nothing to wait for: its end is a failure.
    worker.on('exit', () => this.#fail(new Error(`the thread recording ${path} stopped`), true));
  }

  /**
   * Opens the recording on a thread of its own (or, without the compiled thread module, an
   * McapRecorder here). Refuses what McapRecorder.open refuses, with the same errors.
   */
  static async open(path: string, options: RecorderOptions = {}): Promise<Recorder> {
    if (!existsSync(fileURLToPath(WORKER))) return McapRecorder.open(path, options);
    const worker = new Worker(WORKER, { workerData: { path, options } });
    const opened = await new Promise<FromRecorderThread>((resolve, reject) => {
      worker.once('message', resolve);
      worker.once('error', reject);
    });
    if (opened.type !== 'opened') {
      await worker.terminate();
      throw threadError(opened);
    }
    return new RecorderThread(path, worker, options.maxQueuedBytes ?? DEFAULT_MAX_QUEUED_BYTES);
  }

  /** Hands a copy of the frame to the thread; waits while the thread is behind by more than the bound. */
  async write(frame: Frame): Promise<void> {
    if (this.#finishedBy) throw new Error(`cannot write to ${this.path}: the recorder is ${this.#finishedBy === 'close' ? 'closing' : 'aborting'}`);
    if (this.#error) throw this.#error;
    if (!Number.isSafeInteger(frame.t_ns) || frame.t_ns < 0) {
      throw new Error(`frame ${frame.topic}#${frame.seq}: t_ns must be a non-negative integer, got ${frame.t_ns}`);
    }
    const { copy, transfer, bytes } = copyFrame(frame);
    this.#inFlight += bytes;
    this.worker.postMessage({ type: 'frame', frame: copy, bytes } satisfies ToRecorderThread, transfer);
    // As McapRecorder: waiting on the bytes ahead of this frame, so one larger than the bound still goes.
    while (this.#inFlight - bytes >= this.maxQueuedBytes && !this.#error) {
      await new Promise<void>((resolve) => this.#waiting.push(resolve));
    }
    if (this.#error) throw this.#error;
  }

  /** As McapRecorder.addMetadata: after every frame written so far. */
  async addMetadata(entries: Record<string, string>): Promise<void> {
    if (this.#finishedBy) throw new Error(`cannot write to ${this.path}: the recorder is closing`);
    if (this.#error) throw this.#error;
    if (Object.keys(entries).length > 0) this.worker.postMessage({ type: 'metadata', entries } satisfies ToRecorderThread);
  }

  /** Writes what is queued, the index and summary, and moves the file to `path`. */
  close(): Promise<void> {
    if (this.#finish) {
      return this.#finishedBy === 'close' ? this.#finish : Promise.reject(new Error(`cannot close ${this.path}: the recorder was aborted`));
    }
    return this.#end('close');
  }

  /** Deletes the temporary file; after a successful close() it does nothing. */
  abort(): Promise<void> {
    if (this.#finish) return this.#finish.then(() => undefined, () => undefined);
    return this.#end('abort');
  }

  #end(how: 'close' | 'abort'): Promise<void> {
    this.#finishedBy = how;
    this.#finish = new Promise<void>((resolve, reject) => {
      this.#onFinished = (error) => {
        this.#onFinished = undefined;
        if (error && how === 'close') reject(error);
        else resolve();
      };
      // The thread stopped already: nothing more will be written.
      if (this.#stopped) this.#onFinished(this.#error);
      else this.worker.postMessage({ type: how } satisfies ToRecorderThread);
    }).finally(() => this.worker.terminate());
    return this.#finish;
  }

  #receive(message: FromRecorderThread): void {
    switch (message.type) {
      case 'ack':
        this.#inFlight -= message.bytes;
        this.#wake();
        return;
      case 'closed':
        this.#onFinished?.();
        return;
      case 'failed':
        this.#fail(threadError(message), message.final);
        return;
    }
  }

  /**
   * The first failure is kept: every later write and close() report it (as McapRecorder's).
   * `final`: the thread will answer nothing more (its close failed, or it ended).
   */
  #fail(error: Error, final = false): void {
    if (final) this.#stopped = true;
    if (this.#finishedBy === 'abort' && !final) return;
    this.#error ??= error;
    this.#wake();
    if (final || this.#finishedBy === 'close') this.#onFinished?.(this.#error);
  }

  #wake(): void {
    const waiting = this.#waiting;
    this.#waiting = [];
    for (const wake of waiting) wake();
  }
}

/** The recorder thread's error as this thread's: a UserError stays one (one line in the CLI). */
function threadError(message: FromRecorderThread): Error {
  if (message.type !== 'failed') return new Error(`the recorder thread answered ${message.type}`);
  const error = message.user ? new UserError(message.message) : new Error(message.message);
  if (!message.user && message.stack) error.stack = message.stack;
  return error;
}

/**
 * The frame with its arrays copied into buffers of their own, to be moved (not copied again)
 * to the thread. Copying here is what lets the sensor reuse its buffers (and keeps a view of
 * shared memory, such as the raycast kernel's, from crossing). Typed arrays among the fields
 * and the pose become plain arrays, which the codec writes the same.
 */
function copyFrame(frame: Frame): { copy: Frame; transfer: ArrayBuffer[]; bytes: number } {
  const transfer: ArrayBuffer[] = [];
  let bytes = 0;
  const data: Record<string, ArrayField> = {};
  for (const [name, field] of Object.entries(frame.data)) {
    const copied = field.bytes.slice();
    transfer.push(copied.buffer);
    bytes += copied.byteLength;
    data[name] = { dtype: field.dtype, shape: Array.from(field.shape), bytes: copied };
  }
  const fields: Frame['fields'] = {};
  for (const [name, value] of Object.entries(frame.fields)) {
    fields[name] = ArrayBuffer.isView(value) ? Array.from(value as unknown as ArrayLike<number>) : value;
  }
  const copy: Frame = { ...frame, pose: { p: Array.from(frame.pose.p), q: Array.from(frame.pose.q) } as Frame['pose'], fields, data };
  return { copy, transfer, bytes };
}
