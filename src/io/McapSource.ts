/**
 * Reading recordings back: a summary for `roadcast inspect`, and the frames themselves for
 * replay and export. Works on any indexed MCAP file; roadcast's own channels are the ones
 * with message encoding "msgpack".
 */
import { hasMcapPrefix, McapIndexedReader, McapStreamReader, type DecompressHandlers, type TypedMcapRecord } from '@mcap/core';
import { loadDecompressHandlers } from '@mcap/support';
import { FileHandleReadable } from '@mcap/nodejs';
import { open, stat, type FileHandle } from 'node:fs/promises';
import { isUserError, UserError } from '../core/errors.js';
import type { Frame } from '../core/frame.js';
import { decodeFrame } from './codec.js';
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
  /** Set when the file was read without its index (--recover): what could be read of it. */
  recovered?: { readBytes: number; fileBytes: number };
}

let decompressHandlers: Promise<DecompressHandlers> | undefined;
/** zstd, lz4 and bz2 (WebAssembly), loaded once. */
function decompressors(): Promise<DecompressHandlers> {
  decompressHandlers ??= loadDecompressHandlers();
  return decompressHandlers;
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

async function firstLogTime(reader: McapIndexedReader, topic: string, reverse: boolean): Promise<number> {
  for await (const message of reader.readMessages({ topics: [topic], reverse })) return Number(message.logTime);
  return 0;
}

async function openRecording(path: string): Promise<OpenRecording> {
  const info = await stat(path).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') throw new UserError('no such recording file', path);
    throw new UserError(`cannot read the recording: ${error.message}`, path);
  });
  if (info.isDirectory()) throw new UserError('is a folder, not an MCAP recording', path);
  let handle: FileHandle;
  try {
    handle = await open(path, 'r');
  } catch (error) {
    throw new UserError(`cannot read the recording: ${(error as Error).message}`, path);
  }
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

/**
 * Reads a recording front to back without its index, as far as it is intact: a run that was
 * killed leaves a temporary file with no summary, whose complete chunks are still good.
 * Returns the frames and the channel and metadata records found, and how far the read got.
 */
export async function recoverRecording(path: string): Promise<{ summary: RecordingSummary; frames: Frame[] }> {
  const info = await stat(path).catch(() => {
    throw new UserError('no such recording file', path);
  });
  if (!hasMcapPrefix(new DataView(await readPrefix(path)))) {
    throw new UserError('is not an MCAP recording (it does not start with the MCAP magic bytes)', path);
  }
  const reader = new McapStreamReader({ decompressHandlers: await decompressors(), validateCrcs: true });
  const handle = await open(path, 'r');
  const channels = new Map<number, { topic: string; messageEncoding: string; kind?: string }>();
  const frames: Frame[] = [];
  const metadata: Record<string, string> = {};
  const topics = new Map<string, TopicSummary>();
  let readBytes = 0;
  try {
    const buffer = new Uint8Array(1024 * 1024);
    for (;;) {
      const { bytesRead } = await handle.read(buffer, 0, buffer.length, readBytes);
      if (bytesRead === 0) break;
      reader.append(buffer.slice(0, bytesRead));
      readBytes += bytesRead;
      let record: TypedMcapRecord | undefined;
      try {
        while ((record = reader.nextRecord())) collect(record);
      } catch (error) {
        // A torn record at the cut: everything before it has been collected.
        if (error instanceof Error && error.constructor === Error) break;
        throw error;
      }
    }
  } finally {
    await handle.close();
  }

  function collect(record: TypedMcapRecord): void {
    if (record.type === 'Channel') {
      channels.set(record.id, { topic: record.topic, messageEncoding: record.messageEncoding, kind: record.metadata.get('kind') });
    } else if (record.type === 'Metadata' && record.name === METADATA_NAME) {
      for (const [key, value] of record.metadata) metadata[key] = value;
    } else if (record.type === 'Message') {
      const channel = channels.get(record.channelId);
      if (!channel || channel.messageEncoding !== MESSAGE_ENCODING) return;
      frames.push(decodeFrame(record.data, `${path} (recovered message ${frames.length}, topic ${channel.topic})`));
      const t = Number(record.logTime);
      const topic = topics.get(channel.topic) ?? { topic: channel.topic, messageEncoding: channel.messageEncoding, ...(channel.kind ? { kind: channel.kind } : {}), count: 0, firstNs: t, lastNs: t, rateHz: 0 };
      topic.count++;
      topic.firstNs = Math.min(topic.firstNs, t);
      topic.lastNs = Math.max(topic.lastNs, t);
      topics.set(channel.topic, topic);
    }
  }

  const present = [...topics.values()].sort((a, b) => (a.topic < b.topic ? -1 : a.topic > b.topic ? 1 : 0));
  for (const s of present) s.rateHz = s.count > 1 && s.lastNs > s.firstNs ? (s.count - 1) / ((s.lastNs - s.firstNs) / 1e9) : 0;
  const startNs = present.length ? Math.min(...present.map((s) => s.firstNs)) : 0;
  const endNs = present.length ? Math.max(...present.map((s) => s.lastNs)) : 0;
  return {
    frames,
    summary: {
      path,
      messageCount: frames.length,
      startNs,
      endNs,
      durationS: (endNs - startNs) / 1e9,
      topics: present,
      metadata,
      recovered: { readBytes: info.size - reader.bytesRemaining(), fileBytes: info.size },
    },
  };
}

async function readPrefix(path: string): Promise<ArrayBuffer> {
  const handle = await open(path, 'r');
  try {
    const prefix = new Uint8Array(8);
    await handle.read(prefix, 0, 8, 0);
    return prefix.buffer;
  } finally {
    await handle.close();
  }
}
