/**
 * Records frames to an MCAP file: one channel per topic, each message the frame's wire bytes
 * (codec.ts), so a recording replays to exactly what the socket would have sent.
 */
import { McapWriter } from '@mcap/core';
import * as zstd from '@foxglove/wasm-zstd';
import { FileHandleWritable } from '@mcap/nodejs';
import { mkdir, open, rename, rm, stat, type FileHandle } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { UserError } from '../core/errors.js';
import type { Frame } from '../core/frame.js';
import { ROADCAST_VERSION } from '../core/version.js';
import { encodeFrame } from './codec.js';

export interface RecorderOptions {
  /** Written as one MCAP Metadata record named "roadcast" (scenario, seed, ...). */
  metadata?: Record<string, string>;
  /** The MCAP header's `library`; defaults to roadcast/<version>. */
  library?: string;
  /**
   * Files the run was made from (scenario, rig, map), stored whole as MCAP attachments so a
   * recording can be re-run exactly even after the files change.
   */
  attachments?: { name: string; mediaType: string; data: Uint8Array }[];
  /** Chunk compression: zstd (the default, as the mcap CLI writes) or none. */
  compression?: 'zstd' | 'none';
}

/**
 * Chunks of about this many bytes: small enough that a killed run loses at most a few
 * frames (complete chunks stay readable), large enough for zstd to find redundancy.
 */
const CHUNK_BYTES = 1024 * 1024;
/** A fixed level: the same input then always compresses to the same bytes. */
const ZSTD_LEVEL = 3;

/** The message encoding of every roadcast channel (registered in the MCAP well-known list). */
export const MESSAGE_ENCODING = 'msgpack';
/** The name of the Metadata record that carries RecorderOptions.metadata. */
export const METADATA_NAME = 'roadcast';

type State = 'open' | 'closing' | 'closed' | 'aborting' | 'aborted';

/**
 * Writes to a hidden temporary file next to `path` and renames it on close(), so `path` is
 * either a complete, indexed recording or absent; abort() deletes the temporary file.
 *
 * The file depends only on the frames and options (no wall clock, no random ids), so the same
 * run gives byte-identical recordings.
 */
export class McapRecorder {
  #state: State = 'open';
  #channels = new Map<string, number>();
  /** Every writer call runs after the previous one: McapWriter corrupts the file on overlap. */
  #tail: Promise<void> = Promise.resolve();
  /** The first failure; later writes report it instead of writing into a broken file. */
  #error: unknown;
  #handleClosed = false;
  /** The one close() or abort() that ends this recorder; later calls share its outcome. */
  #finish: Promise<void> | undefined;
  #finishedBy: 'close' | 'abort' | undefined;

  private constructor(
    readonly path: string,
    readonly tempPath: string,
    private readonly handle: FileHandle,
    private readonly writer: McapWriter,
  ) {}

  static async open(path: string, options: RecorderOptions = {}): Promise<McapRecorder> {
    const folder = dirname(path);
    const tempPath = join(folder, `.${basename(path)}.${process.pid}.tmp`);
    const existing = await stat(path).catch(() => undefined);
    if (existing?.isDirectory()) throw new UserError('is a folder; give a file name such as run.mcap', path);
    let handle: FileHandle;
    try {
      await mkdir(folder, { recursive: true });
      handle = await open(tempPath, 'w');
    } catch (error) {
      throw fsError('cannot create the recording', path, error);
    }
    let compressChunk: ((data: Uint8Array) => { compression: string; compressedData: Uint8Array }) | undefined;
    if ((options.compression ?? 'zstd') === 'zstd') {
      await zstd.isLoaded;
      compressChunk = (data) => ({ compression: 'zstd', compressedData: zstd.compress(data, ZSTD_LEVEL) });
    }
    const writer = new McapWriter({ writable: new FileHandleWritable(handle), useChunks: true, chunkSize: CHUNK_BYTES, compressChunk });
    const recorder = new McapRecorder(path, tempPath, handle, writer);
    try {
      await writer.start({ profile: '', library: options.library ?? `roadcast/${ROADCAST_VERSION}` });
      if (options.metadata) {
        // Entries keep the caller's order: `inspect` prints them in it.
        await writer.addMetadata({ name: METADATA_NAME, metadata: new Map(Object.entries(options.metadata)) });
      }
      for (const attachment of options.attachments ?? []) {
        // Times are zero, not the wall clock: the file must not depend on when it was made.
        await writer.addAttachment({ ...attachment, logTime: 0n, createTime: 0n });
      }
    } catch (error) {
      await recorder.#discard();
      throw fsError('cannot write the recording', path, error);
    }
    return recorder;
  }

  /**
   * Queues one frame. The frame is encoded now, so the caller may reuse its buffers as soon as
   * this returns, awaited or not; the write itself runs after every earlier one.
   */
  async write(frame: Frame): Promise<void> {
    if (this.#state !== 'open') throw new Error(`cannot write to ${this.path}: the recorder is ${this.#state}`);
    if (!Number.isSafeInteger(frame.t_ns) || frame.t_ns < 0) {
      throw new Error(`frame ${frame.topic}#${frame.seq}: t_ns must be a non-negative integer, got ${frame.t_ns}`);
    }
    const data = encodeFrame(frame);
    const { topic, kind, seq } = frame;
    const time = BigInt(frame.t_ns);
    return this.#enqueue(async () => {
      // abort() was called after this write was queued: the file is going away.
      if (this.#state === 'aborting') return;
      let channelId = this.#channels.get(topic);
      if (channelId === undefined) {
        channelId = await this.writer.registerChannel({
          topic,
          messageEncoding: MESSAGE_ENCODING,
          schemaId: 0,
          metadata: new Map([['kind', kind]]),
        });
        this.#channels.set(topic, channelId);
      }
      await this.writer.addMessage({ channelId, sequence: seq, logTime: time, publishTime: time, data });
    });
  }

  /** Writes the index and summary, then moves the file to `path`. Idempotent. */
  close(): Promise<void> {
    if (this.#finish) {
      return this.#finishedBy === 'close' ? this.#finish : Promise.reject(new Error(`cannot close ${this.path}: the recorder was aborted`));
    }
    this.#state = 'closing';
    this.#finishedBy = 'close';
    this.#finish = this.#enqueue(async () => {
      await this.writer.end();
      this.#handleClosed = true;
      await this.handle.close();
      await rename(this.tempPath, this.path);
    }).then(
      () => {
        this.#state = 'closed';
      },
      async (error: unknown) => {
        // A recording that could not be finished is not left behind half-written.
        await this.#discard();
        this.#state = 'aborted';
        throw fsError('cannot finish the recording', this.path, error);
      },
    );
    return this.#finish;
  }

  /**
   * Deletes the temporary file and writes nothing more. After a successful close() it does
   * nothing, so a `finally { await recorder.abort() }` is safe on every path.
   */
  abort(): Promise<void> {
    if (this.#finish) return this.#finish.then(() => undefined, () => undefined);
    this.#state = 'aborting';
    this.#finishedBy = 'abort';
    // Wait for the write in flight (if any) so the handle is not closed under it.
    this.#finish = this.#tail.then(() => this.#discard()).then(() => {
      this.#state = 'aborted';
    });
    return this.#finish;
  }

  #enqueue(operation: () => Promise<void>): Promise<void> {
    const result = this.#tail.then(() => {
      if (this.#error !== undefined) throw this.#error;
      return operation();
    });
    // Callers that do not await each write must not see unhandled rejections; the first
    // error is kept and reported by the next write and by close().
    this.#tail = result.catch((error: unknown) => {
      this.#error ??= error;
    });
    return result;
  }

  async #discard(): Promise<void> {
    if (!this.#handleClosed) {
      this.#handleClosed = true;
      await this.handle.close().catch(() => undefined);
    }
    await rm(this.tempPath, { force: true });
  }
}

/** File-system failures (disk full, no permission) are the user's to fix; anything else is a bug. */
function fsError(what: string, path: string, error: unknown): unknown {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (error instanceof UserError || typeof code !== 'string') return error;
  const reasons: Record<string, string> = {
    EACCES: 'permission denied',
    EPERM: 'permission denied',
    ENOSPC: 'no space left on the device',
    EROFS: 'the file system is read-only',
    ENOTDIR: 'a part of the path is a file, not a folder',
    EEXIST: 'a part of the path is a file, not a folder',
    EISDIR: 'is a folder',
    EDQUOT: 'disk quota exceeded',
  };
  return new UserError(`${what}: ${reasons[code] ?? (error as Error).message} (${code})`, path);
}
