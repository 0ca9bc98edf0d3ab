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
import { fileSystemError, isFileSystemError, makeFolder } from '../core/fileErrors.js';
import type { Frame } from '../core/frame.js';
import { ROADCAST_VERSION } from '../core/version.js';
import { encodeFrame } from './codec.js';
import { Ros2Encoder, ROS2_MESSAGE_ENCODING, ROS2_PROFILE, ROS2_SCHEMA_ENCODING } from './ros2/Ros2Encoder.js';

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
  /**
   * Encoded bytes that may wait for the disk before `write` makes its caller wait too
   * (default 64 MiB; at least one frame always waits, whatever its size).
   */
  maxQueuedBytes?: number;
  /**
   * What the messages are: `roadcast` (the default), each frame's wire bytes on a channel per
   * topic, the file every roadcast reader takes; or `ros2`, the frames as standard ROS 2
   * messages in CDR (ros2/Ros2Encoder.ts, MCAP profile `ros2`), the file ROS 2 tools play.
   */
  format?: RecordFormat;
}

export type RecordFormat = 'roadcast' | 'ros2';
export const RECORD_FORMATS: readonly RecordFormat[] = ['roadcast', 'ros2'];

/** Enough for a few seconds of a full rig's frames, so a disk's hiccup does not stall the run. */
export const DEFAULT_MAX_QUEUED_BYTES = 64 * 1024 * 1024;

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

/** Where a recording the file system stopped keeps what was written: `<path>.partial`. */
export const PARTIAL_SUFFIX = '.partial';

/**
 * Writes to a hidden temporary file next to `path` and renames it on close(), so `path` is
 * either a complete, indexed recording or absent; abort() deletes the temporary file.
 *
 * When the file system stops the recording (disk full, quota, a read-only or vanished
 * folder), what was written is not thrown away: it is moved to `<path>.partial`, a file with
 * no index whose complete chunks `roadcast inspect --recover` reads, as after a killed run.
 * That write, and every later one and close(), fails with one UserError that says so.
 *
 * The file depends only on the frames and options (no wall clock, no random ids), so the same
 * run gives byte-identical recordings.
 */
export class McapRecorder {
  #state: State = 'open';
  #channels = new Map<string, number>();
  #schemas = new Map<string, number>();
  /** Set for a ROS 2 recording: what turns frames into its messages. */
  #ros2: Ros2Encoder | undefined;
  /** Every writer call runs after the previous one: McapWriter corrupts the file on overlap. */
  #tail: Promise<void> = Promise.resolve();
  /** The first failure; later writes report it instead of writing into a broken file. */
  #error: unknown;
  #handleClosed = false;
  /** The one close() or abort() that ends this recorder; later calls share its outcome. */
  #finish: Promise<void> | undefined;
  #finishedBy: 'close' | 'abort' | undefined;
  /** Encoded bytes of the frames queued and not yet handed to the writer's file. */
  #queuedBytes = 0;
  /** Writers waiting for the queue to have room, oldest first. */
  #waiting: (() => void)[] = [];

  private constructor(
    readonly path: string,
    readonly tempPath: string,
    private readonly handle: FileHandle,
    private readonly writer: McapWriter,
    private readonly maxQueuedBytes: number,
  ) {}

  static async open(path: string, options: RecorderOptions = {}): Promise<McapRecorder> {
    const folder = dirname(path);
    const tempPath = join(folder, `.${basename(path)}.${process.pid}.tmp`);
    const existing = await stat(path).catch(() => undefined);
    if (existing?.isDirectory()) throw new UserError('is a folder; give a file name such as run.mcap', path);
    // Renaming the finished file onto a device would replace the device (as root, /dev/null).
    if (existing && !existing.isFile()) throw new UserError('is not a regular file (a device, pipe or socket); give a file name such as run.mcap', path);
    let handle: FileHandle;
    try {
      await makeFolder(folder);
      // Read and write: if the folder vanishes, what was written is copied out through it.
      handle = await open(tempPath, 'w+');
    } catch (error) {
      throw fileSystemError('cannot create the recording', path, error);
    }
    let compressChunk: ((data: Uint8Array) => { compression: string; compressedData: Uint8Array }) | undefined;
    if ((options.compression ?? 'zstd') === 'zstd') {
      await zstd.isLoaded;
      compressChunk = (data) => ({ compression: 'zstd', compressedData: zstd.compress(data, ZSTD_LEVEL) });
    }
    const ros2 = options.format === 'ros2';
    // A ROS 2 file's channels count from 1, as rosbag2 writes them: readers built on its files
    // (rosbags 0.11) skip a channel numbered 0.
    const writer = new McapWriter({ writable: new FileHandleWritable(handle), useChunks: true, chunkSize: CHUNK_BYTES, compressChunk, startChannelId: ros2 ? 1 : 0 });
    const recorder = new McapRecorder(path, tempPath, handle, writer, options.maxQueuedBytes ?? DEFAULT_MAX_QUEUED_BYTES);
    if (ros2) recorder.#ros2 = new Ros2Encoder();
    try {
      await writer.start({ profile: ros2 ? ROS2_PROFILE : '', library: options.library ?? `roadcast/${ROADCAST_VERSION}` });
      if (options.metadata) {
        // Entries keep the caller's order: `inspect` prints them in it.
        await writer.addMetadata({ name: METADATA_NAME, metadata: new Map(Object.entries(options.metadata)) });
      }
      for (const attachment of options.attachments ?? []) {
        // Times are zero, not the wall clock: the file must not depend on when it was made.
        await writer.addAttachment({ ...attachment, logTime: 0n, createTime: 0n });
      }
    } catch (error) {
      // Nothing but the header and attachments: no frames worth keeping.
      await recorder.#discard();
      throw fileSystemError('cannot write the recording', path, error);
    }
    return recorder;
  }

  /**
   * Queues one frame. The frame is encoded now, so the caller may reuse its buffers as soon as
   * this returns, awaited or not; the write itself runs after every earlier one, so frames
   * reach the file in the order of the calls whatever the disk's pace.
   *
   * Resolves as soon as the queue has room (a slow disk makes the caller wait here, rather
   * than the queue grow without bound), not when the frame is on disk: a failed write is
   * reported by the next write and by close().
   */
  async write(frame: Frame): Promise<void> {
    if (this.#state !== 'open') throw new Error(`cannot write to ${this.path}: the recorder is ${this.#state}`);
    if (this.#error !== undefined) throw this.#error;
    if (!Number.isSafeInteger(frame.t_ns) || frame.t_ns < 0) {
      throw new Error(`frame ${frame.topic}#${frame.seq}: t_ns must be a non-negative integer, got ${frame.t_ns}`);
    }
    // Encoded now, so the caller may reuse the frame's buffers at once.
    const messages = this.#ros2 ? this.#ros2.encode(frame) : [this.#roadcastMessage(frame)];
    const bytes = messages.reduce((n, m) => n + m.data.byteLength, 0);
    this.#queuedBytes += bytes;
    const written = this.#enqueue(async () => {
      // abort() was called after this write was queued: the file is going away.
      if (this.#state === 'aborting') return;
      for (const message of messages) {
        const time = BigInt(message.tNs);
        const channelId = await this.#channel(message);
        await this.writer.addMessage({ channelId, sequence: message.sequence, logTime: time, publishTime: time, data: message.data });
      }
    });
    // Room again once the writer has it (or it failed: the failure is kept in #error).
    written.then(() => this.#dequeued(bytes), () => this.#dequeued(bytes));
    // Waiting on the earlier queued bytes only, so a frame larger than the bound is still written.
    while (this.#queuedBytes - bytes >= this.maxQueuedBytes && this.#error === undefined) {
      await new Promise<void>((resolve) => this.#waiting.push(resolve));
    }
    if (this.#error !== undefined) throw this.#error;
  }

  /** A frame as roadcast records it: its wire bytes, on its topic's channel, its kind in the channel's metadata. */
  #roadcastMessage(frame: Frame): ChannelMessage {
    return { topic: frame.topic, messageEncoding: MESSAGE_ENCODING, channelMetadata: new Map([['kind', frame.kind]]), sequence: frame.seq, tNs: frame.t_ns, data: encodeFrame(frame) };
  }

  /** The channel of a message's topic, registered (with its schema) on first use. */
  async #channel(message: ChannelMessage): Promise<number> {
    let channelId = this.#channels.get(message.topic);
    if (channelId !== undefined) return channelId;
    let schemaId = 0;
    if (message.schemaName !== undefined) {
      schemaId = this.#schemas.get(message.schemaName) ?? 0;
      if (schemaId === 0) {
        schemaId = await this.writer.registerSchema({ name: message.schemaName, encoding: ROS2_SCHEMA_ENCODING, data: new TextEncoder().encode(message.schemaText) });
        this.#schemas.set(message.schemaName, schemaId);
      }
    }
    channelId = await this.writer.registerChannel({ topic: message.topic, messageEncoding: message.messageEncoding ?? ROS2_MESSAGE_ENCODING, schemaId, metadata: message.channelMetadata });
    this.#channels.set(message.topic, channelId);
    return channelId;
  }

  /** Bytes of frames queued and not yet handed to the file (what a slow disk holds back). */
  get queuedBytes(): number {
    return this.#queuedBytes;
  }

  #dequeued(bytes: number): void {
    this.#queuedBytes -= bytes;
    const waiting = this.#waiting;
    this.#waiting = [];
    for (const wake of waiting) wake();
  }

  /**
   * Adds entries to the recording's metadata after the frames written so far: one more
   * Metadata record named "roadcast" (readers merge them in file order; `inspect` shows them
   * with the rest). Nothing is written for no entries.
   */
  async addMetadata(entries: Record<string, string>): Promise<void> {
    if (this.#state !== 'open') throw new Error(`cannot write to ${this.path}: the recorder is ${this.#state}`);
    if (Object.keys(entries).length === 0) return;
    return this.#enqueue(() => this.writer.addMetadata({ name: METADATA_NAME, metadata: new Map(Object.entries(entries)) }));
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
      // Renamed while still open, so that if the rename fails the handle can copy it out.
      await rename(this.tempPath, this.path);
      this.#handleClosed = true;
      await this.handle.close();
    }, 'cannot finish the recording').then(
      () => {
        this.#state = 'closed';
      },
      async (error: unknown) => {
        // A recording that could not be finished is not left behind half-written (what the
        // file system cut short is already kept as .partial).
        await this.#discard();
        this.#state = 'aborted';
        throw error;
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

  #enqueue(operation: () => Promise<void>, what = 'cannot write the recording'): Promise<void> {
    const result = this.#tail.then(async () => {
      if (this.#error !== undefined) throw this.#error;
      try {
        await operation();
      } catch (error) {
        // The first error is kept and reported by every later write and by close().
        this.#error = isFileSystemError(error) ? await this.#keepPartial(what, error) : error;
        throw this.#error;
      }
    });
    // Callers that do not await each write must not see unhandled rejections.
    this.#tail = result.catch(() => undefined);
    return result;
  }

  /**
   * Moves what was written to `<path>.partial` after the file system failed a write, and
   * returns the error that says so. If the folder itself is gone, it is made again and the
   * bytes are copied out of the still-open temporary file.
   */
  async #keepPartial(what: string, cause: NodeJS.ErrnoException): Promise<UserError> {
    const partial = `${this.path}${PARTIAL_SUFFIX}`;
    let kept = await rename(this.tempPath, partial).then(() => true, () => false);
    if (!kept && !this.#handleClosed) kept = await copyOut(this.handle, partial);
    if (!this.#handleClosed) {
      this.#handleClosed = true;
      await this.handle.close().catch(() => undefined);
    }
    const reason = (fileSystemError(what, this.path, cause) as UserError).message;
    return new UserError(kept
      ? `${reason}; what was written is kept in ${partial} (roadcast inspect --recover ${partial} reads it)`
      : `${reason}; nothing could be kept`);
  }

  async #discard(): Promise<void> {
    if (!this.#handleClosed) {
      this.#handleClosed = true;
      await this.handle.close().catch(() => undefined);
    }
    await rm(this.tempPath, { force: true });
  }
}

/** One MCAP message a frame becomes, with what its channel is registered with (a schema for ROS 2). */
interface ChannelMessage {
  topic: string;
  messageEncoding?: string;
  schemaName?: string;
  schemaText?: string;
  channelMetadata: Map<string, string>;
  sequence: number;
  tNs: number;
  data: Uint8Array;
}

/** Copies an open file whose name is gone (its folder was removed) to `target`, making the folder again. */
async function copyOut(handle: FileHandle, target: string): Promise<boolean> {
  try {
    await mkdir(dirname(target), { recursive: true });
    const out = await open(target, 'w');
    try {
      const buffer = new Uint8Array(1024 * 1024);
      for (let position = 0; ;) {
        const { bytesRead } = await handle.read(buffer, 0, buffer.length, position);
        if (bytesRead === 0) break;
        await out.write(buffer, 0, bytesRead);
        position += bytesRead;
      }
    } finally {
      await out.close();
    }
    return true;
  } catch {
    await rm(target, { force: true }).catch(() => undefined);
    return false;
  }
}
