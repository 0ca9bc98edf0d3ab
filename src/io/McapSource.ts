/**
 * Reading recordings back: a summary for `roadcast inspect`, and the frames themselves for
 * replay and export. Works on any indexed MCAP file; roadcast's own channels are the ones
 * with message encoding "msgpack".
 */
import { hasMcapPrefix, McapIndexedReader } from '@mcap/core';
import { FileHandleReadable } from '@mcap/nodejs';
import { constants, type Stats } from 'node:fs';
import { open, stat, type FileHandle } from 'node:fs/promises';
import { isUserError, UserError } from '../core/errors.js';
import type { Frame } from '../core/frame.js';
import { decodeFrame } from './codec.js';
import { decompressors } from './decompressors.js';
import { MESSAGE_ENCODING, METADATA_NAME } from './McapRecorder.js';

export interface TopicSummary {
  topic: string;
  messageEncoding: string;
  /** The frame kind (lidar, camera, ...), from the channel metadata roadcast writes. */
  kind?: string;
  count: number;
  firstNs: number;
  lastNs: number;
  /** (count - 1) / (lastNs - firstNs) in seconds; 0 with fewer than two messages. */
  rateHz: number;
}

export interface RecordingSummary {
  path: string;
  messageCount: number;
  startNs: number;
  endNs: number;
  durationS: number;
  /** Sorted by topic name. */
  topics: TopicSummary[];
  /** The "roadcast" Metadata record (scenario, seed, ...); empty if there is none. */
  metadata: Record<string, string>;
  /**
   * Set when the file was read without its index (--recover): how far the intact records
   * reached, and how many damaged records (or stretches of damage) were skipped.
   */
  recovered?: { readBytes: number; fileBytes: number; damagedRecords: number };
}

interface OpenRecording {
  handle: FileHandle;
  reader: McapIndexedReader;
}

/** Summarises a recording without reading every message when the file has statistics. */
export async function inspectRecording(path: string): Promise<RecordingSummary> {
  const { handle, reader } = await openRecording(path);
  try {
    const topics = new Map<string, TopicSummary>();
    for (const channel of reader.channelsById.values()) {
      if (topics.has(channel.topic)) continue;
      topics.set(channel.topic, {
        topic: channel.topic,
        messageEncoding: channel.messageEncoding,
        ...(channel.metadata.has('kind') ? { kind: channel.metadata.get('kind') } : {}),
        count: 0,
        firstNs: 0,
        lastNs: 0,
        rateHz: 0,
      });
    }
    const channelTopic = (channelId: number): TopicSummary => topics.get(reader.channelsById.get(channelId)!.topic)!;
    const statistics = reader.statistics;
    if (statistics) {
      // Counts come from the statistics; the first and last time of a topic from one message
      // read from each end, so a long recording is not read whole.
      for (const [channelId, count] of statistics.channelMessageCounts) channelTopic(channelId).count += Number(count);
      for (const summary of topics.values()) {
        if (summary.count === 0) continue;
        summary.firstNs = await firstLogTime(reader, summary.topic, false);
        summary.lastNs = await firstLogTime(reader, summary.topic, true);
      }
    } else {
      for await (const message of reader.readMessages()) {
        const summary = channelTopic(message.channelId);
        const t = Number(message.logTime);
        if (summary.count++ === 0) summary.firstNs = t;
        summary.lastNs = t;
      }
    }
    const present = [...topics.values()].filter((s) => s.count > 0);
    for (const s of present) s.rateHz = s.count > 1 && s.lastNs > s.firstNs ? (s.count - 1) / ((s.lastNs - s.firstNs) / 1e9) : 0;
    const startNs = present.length ? Math.min(...present.map((s) => s.firstNs)) : 0;
    const endNs = present.length ? Math.max(...present.map((s) => s.lastNs)) : 0;
    const metadata: Record<string, string> = {};
    for await (const record of reader.readMetadata({ name: METADATA_NAME })) {
      for (const [key, value] of record.metadata) metadata[key] = value;
    }
    return {
      path,
      messageCount: present.reduce((n, s) => n + s.count, 0),
      startNs,
      endNs,
      durationS: (endNs - startNs) / 1e9,
      topics: [...topics.values()].sort((a, b) => (a.topic < b.topic ? -1 : a.topic > b.topic ? 1 : 0)),
      metadata,
    };
  } catch (error) {
    throw readError(path, error);
  } finally {
    await handle.close();
  }
}

/** Yields every roadcast frame of a recording in log-time order; other channels are skipped. */
export async function* readFrames(path: string): AsyncGenerator<Frame> {
  const { handle, reader } = await openRecording(path);
  try {
    const channels = [...reader.channelsById.values()].filter((c) => c.messageEncoding === MESSAGE_ENCODING);
    if (channels.length === 0) return;
    const wanted = new Set(channels.map((c) => c.id));
    let index = 0;
    for await (const message of reader.readMessages({ topics: [...new Set(channels.map((c) => c.topic))] })) {
      // A topic name can be shared with a channel of another encoding.
      if (!wanted.has(message.channelId)) continue;
      const topic = reader.channelsById.get(message.channelId)!.topic;
      // decodeFrame copies the array bytes: message.data is a view into the reader's buffer.
      yield decodeFrame(message.data, `${path} (message ${index++}, topic ${topic})`);
    }
  } catch (error) {
    throw readError(path, error);
  } finally {
    await handle.close();
  }
}

/**
 * The first attachment whose name `wanted` accepts (its bytes copied), or undefined; a damaged
 * one is a UserError.
 */
export async function readAttachment(path: string, wanted: (name: string) => boolean): Promise<{ name: string; data: Uint8Array } | undefined> {
  const { handle, reader } = await openRecording(path);
  try {
    for await (const attachment of reader.readAttachments()) {
      if (wanted(attachment.name)) return { name: attachment.name, data: attachment.data.slice() };
    }
    return undefined;
  } catch (error) {
    throw readError(path, error);
  } finally {
    await handle.close();
  }
}

async function firstLogTime(reader: McapIndexedReader, topic: string, reverse: boolean): Promise<number> {
  for await (const message of reader.readMessages({ topics: [topic], reverse })) return Number(message.logTime);
  return 0;
}

/**
 * Opens a recording for reading: a regular file only, checked before it is opened (opening a
 * FIFO blocks until something writes to it) and again once open.
 */
export async function openRecordingFile(path: string): Promise<FileHandle> {
  const check = (info: Stats): void => {
    if (info.isDirectory()) throw new UserError('is a folder, not an MCAP recording', path);
    if (!info.isFile()) throw new UserError('is not a regular file (a device, pipe or socket), not an MCAP recording', path);
  };
  const fail = (error: unknown): never => {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw new UserError('no such recording file', path);
    throw new UserError(`cannot read the recording: ${(error as Error).message}`, path);
  };
  check(await stat(path).catch(fail));
  const handle = await open(path, constants.O_RDONLY | constants.O_NONBLOCK).catch(fail);
  try {
    check(await handle.stat());
  } catch (error) {
    await handle.close();
    throw error;
  }
  return handle;
}

async function openRecording(path: string): Promise<OpenRecording> {
  const handle = await openRecordingFile(path);
  try {
    const prefix = new Uint8Array(8);
    const { bytesRead } = await handle.read(prefix, 0, prefix.length, 0);
    if (!hasMcapPrefix(new DataView(prefix.buffer, 0, bytesRead))) {
      throw new UserError('is not an MCAP recording (it does not start with the MCAP magic bytes)', path);
    }
    const reader = await McapIndexedReader.Initialize({ readable: new FileHandleReadable(handle), decompressHandlers: await decompressors() });
    return { handle, reader };
  } catch (error) {
    await handle.close();
    if (isUserError(error)) throw error;
    // Starts like MCAP but has no usable summary: usually a recording cut off mid-write.
    throw new UserError(`is an MCAP file roadcast cannot read; is it damaged or unfinished? Try inspect --recover (${(error as Error).message})`, path);
  }
}

/** The MCAP reader reports damage with plain Errors; TypeError and the like stay bugs. */
function readError(path: string, error: unknown): unknown {
  if (!(error instanceof Error) || error.constructor !== Error) return error;
  return new UserError(`cannot read the recording: ${error.message}`, path);
}

export { recoverRecording, type RecoverOptions, type RecoveredRecording } from './McapRecovery.js';
