/**
 * Reading a recording without its index, as far as it is intact: a run that was killed (or
 * stopped by a full disk) leaves a file with no summary, and a damaged file may still hold
 * good chunks after a bad one. `roadcast inspect --recover` is this.
 *
 * The file is walked record by record with the lengths the records give, one record in memory
 * at a time. Each record is parsed on its own (a chunk decompressed and its CRC checked), so a
 * damaged one is skipped and counted instead of ending the read; where a length itself is
 * damaged, the walk looks ahead for the next chunk that reads whole.
 */
import { hasMcapPrefix, McapRecordBuilder, McapStreamReader, type McapTypes, type TypedMcapRecord } from '@mcap/core';
import type { FileHandle } from 'node:fs/promises';
import { isUserError, UserError } from '../core/errors.js';
import type { Frame } from '../core/frame.js';
import { decodeFrame } from './codec.js';
import { decompressors } from './decompressors.js';
import { MESSAGE_ENCODING, METADATA_NAME } from './McapRecorder.js';
import { openRecordingFile, type RecordingSummary, type TopicSummary } from './McapSource.js';

/** MCAP opcodes this walk looks at (the rest are read and passed to the parser as they are). */
const CHUNK = 0x06;
const FOOTER = 0x02;
const CHANNEL = 0x04;
/** Footer record (header and 20-byte body) and the closing magic. */
const FOOTER_AND_MAGIC = 9 + 20 + 8;
/** Record header: opcode (1 byte) and body length (8 bytes). */
const RECORD_HEADER = 9;
const MAGIC_BYTES = 8;
/**
 * Largest record or decompressed chunk believed: roadcast writes 1 MiB chunks and other tools
 * a few MB; a length beyond this is damage, not data, and is never allocated.
 */
const MAX_RECORD_BYTES = 256 * 1024 * 1024;
/** Smallest chunk body: times, sizes, CRC and the two length prefixes. */
const MIN_CHUNK_BODY = 8 + 8 + 8 + 4 + 4 + 8;
const SCAN_WINDOW = 1024 * 1024;

export interface RecoverOptions {
  /** Keep the frames (default true); `inspect --recover` needs only the summary. */
  frames?: boolean;
}

export interface RecoveredRecording {
  summary: RecordingSummary;
  /** Every roadcast frame found, in file order (empty with `frames: false`). */
  frames: Frame[];
}

export async function recoverRecording(path: string, options: RecoverOptions = {}): Promise<RecoveredRecording> {
  const handle = await openRecordingFile(path);
  try {
    const info = await handle.stat();
    const magic = await readAt(handle, 0, MAGIC_BYTES);
    if (!hasMcapPrefix(new DataView(magic.buffer, magic.byteOffset, magic.byteLength))) {
      throw new UserError('is not an MCAP recording (it does not start with the MCAP magic bytes)', path);
    }
    const collector = new Collector(path, options.frames ?? true, await decompressors());
    const size = info.size;
    await channelsFromSummary(handle, size, collector);
    let position = MAGIC_BYTES;
    let readBytes = MAGIC_BYTES;
    let damaged = 0;
    while (position + RECORD_HEADER <= size) {
      const header = await readAt(handle, position, RECORD_HEADER);
      const opcode = header[0];
      const length = new DataView(header.buffer, header.byteOffset).getBigUint64(1, true);
      const end = position + RECORD_HEADER + Number(length);
      if (opcode === FOOTER) {
        readBytes = Math.min(end, size);
        break;
      }
      if (!plausibleOpcode(opcode) || length > BigInt(MAX_RECORD_BYTES) || end > size) {
        // A cut file's torn last record, or a damaged length: look for a chunk further on.
        const next = await nextChunk(handle, position + 1, size, collector);
        if (next === undefined) break;
        damaged++;
        position = next;
        continue;
      }
      const record = await readAt(handle, position, end - position);
      if (collector.add(record)) readBytes = end;
      else damaged++;
      position = end;
    }
    return { frames: collector.frames, summary: collector.summary({ readBytes, fileBytes: size, damagedRecords: damaged }) };
  } finally {
    await handle.close();
  }
}

/**
 * Channels are recorded once, in the chunk of their first message (and again in the summary
 * of a finished file): with that chunk damaged, every later message would lose its topic. A
 * file that has a summary lends its channel records first.
 */
async function channelsFromSummary(handle: FileHandle, size: number, collector: Collector): Promise<void> {
  if (size < MAGIC_BYTES + FOOTER_AND_MAGIC) return;
  const tail = await readAt(handle, size - FOOTER_AND_MAGIC, FOOTER_AND_MAGIC);
  const view = new DataView(tail.buffer, tail.byteOffset, tail.byteLength);
  if (tail[0] !== FOOTER || !hasMcapPrefix(new DataView(tail.buffer, tail.byteOffset + FOOTER_AND_MAGIC - MAGIC_BYTES, MAGIC_BYTES))) return;
  const summaryStart = Number(view.getBigUint64(RECORD_HEADER, true));
  const footerStart = size - FOOTER_AND_MAGIC;
  for (let position = summaryStart; position >= MAGIC_BYTES && position + RECORD_HEADER <= footerStart;) {
    const header = await readAt(handle, position, RECORD_HEADER);
    const length = new DataView(header.buffer, header.byteOffset).getBigUint64(1, true);
    const end = position + RECORD_HEADER + Number(length);
    if (length > BigInt(MAX_RECORD_BYTES) || end > footerStart) return;
    if (header[0] === CHANNEL) collector.add(await readAt(handle, position, end - position));
    position = end;
  }
}

/** MCAP's opcodes are 0x01-0x0f, and 0x80 and up for private records; anything else is damage. */
function plausibleOpcode(opcode: number): boolean {
  return (opcode >= 0x01 && opcode <= 0x0f) || opcode >= 0x80;
}

/** The next offset from `from` where a whole chunk reads, or undefined. */
async function nextChunk(handle: FileHandle, from: number, size: number, collector: Collector): Promise<number | undefined> {
  for (let window = from; window + RECORD_HEADER <= size; window += SCAN_WINDOW) {
    const bytes = await readAt(handle, window, Math.min(SCAN_WINDOW + RECORD_HEADER, size - window));
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    for (let i = bytes.indexOf(CHUNK); i >= 0 && i + RECORD_HEADER <= bytes.length && i < SCAN_WINDOW; i = bytes.indexOf(CHUNK, i + 1)) {
      const length = view.getBigUint64(i + 1, true);
      const end = window + i + RECORD_HEADER + Number(length);
      if (length < BigInt(MIN_CHUNK_BODY) || length > BigInt(MAX_RECORD_BYTES) || end > size) continue;
      if (collector.readable(await readAt(handle, window + i, end - window - i))) return window + i;
    }
  }
  return undefined;
}

async function readAt(handle: FileHandle, position: number, length: number): Promise<Uint8Array> {
  const buffer = new Uint8Array(length);
  let done = 0;
  while (done < length) {
    const { bytesRead } = await handle.read(buffer, done, length - done, position + done);
    if (bytesRead === 0) break;
    done += bytesRead;
  }
  return buffer.subarray(0, done);
}

/** What the walk found: channels, metadata, frames and per-topic counts. */
class Collector {
  readonly frames: Frame[] = [];
  readonly #channels = new Map<number, McapTypes.Channel>();
  readonly #metadata: Record<string, string> = {};
  readonly #topics = new Map<string, TopicSummary>();
  #messages = 0;
  /** The channels seen so far as records, put before each record parsed: a chunk's messages need them. */
  #channelPrefix = new Uint8Array(0);

  constructor(private readonly path: string, private readonly keepFrames: boolean, private readonly handlers: McapTypes.DecompressHandlers) {}

  /** Parses one record (with its header) and takes what it holds; false when it is damaged. */
  add(record: Uint8Array): boolean {
    const records = this.#parse(record);
    if (!records) return false;
    for (const r of records) this.#take(r);
    return true;
  }

  /** Whether a record parses whole, without taking anything from it. */
  readable(record: Uint8Array): boolean {
    return this.#parse(record) !== undefined;
  }

  #parse(record: Uint8Array): TypedMcapRecord[] | undefined {
    if (record[0] === CHUNK && !this.#sizeBelievable(record)) return undefined;
    const reader = new McapStreamReader({ noMagicPrefix: true, validateCrcs: true, decompressHandlers: this.handlers });
    reader.append(this.#channelPrefix);
    reader.append(record);
    const primed = this.#channels.size;
    const out: TypedMcapRecord[] = [];
    try {
      for (let r = reader.nextRecord(), n = 0; r; r = reader.nextRecord(), n++) if (n >= primed) out.push(r);
    } catch {
      // A bad CRC, a chunk that does not decompress, a record cut short: this record is lost.
      return undefined;
    }
    return reader.bytesRemaining() === 0 ? out : undefined;
  }

  /** A chunk's declared decompressed size, checked before anything is allocated for it. */
  #sizeBelievable(record: Uint8Array): boolean {
    if (record.length < RECORD_HEADER + MIN_CHUNK_BODY) return false;
    const uncompressed = new DataView(record.buffer, record.byteOffset, record.byteLength).getBigUint64(RECORD_HEADER + 16, true);
    return uncompressed <= BigInt(MAX_RECORD_BYTES);
  }

  #take(record: TypedMcapRecord): void {
    if (record.type === 'Channel') {
      if (this.#channels.has(record.id)) return;
      this.#channels.set(record.id, record);
      const builder = new McapRecordBuilder();
      for (const channel of this.#channels.values()) builder.writeChannel(channel);
      this.#channelPrefix = builder.buffer.slice();
    } else if (record.type === 'Metadata' && record.name === METADATA_NAME) {
      for (const [key, value] of record.metadata) this.#metadata[key] = value;
    } else if (record.type === 'Message') {
      const channel = this.#channels.get(record.channelId);
      if (!channel || channel.messageEncoding !== MESSAGE_ENCODING) return;
      let frame: Frame;
      try {
        frame = decodeFrame(record.data, `${this.path} (recovered message ${this.#messages}, topic ${channel.topic})`);
      } catch (error) {
        // A message not in a chunk has no CRC: one that does not decode is skipped.
        if (isUserError(error)) return;
        throw error;
      }
      this.#messages++;
      if (this.keepFrames) this.frames.push(frame);
      const t = Number(record.logTime);
      const kind = channel.metadata.get('kind');
      const topic = this.#topics.get(channel.topic) ?? { topic: channel.topic, messageEncoding: channel.messageEncoding, ...(kind ? { kind } : {}), count: 0, firstNs: t, lastNs: t, rateHz: 0 };
      topic.count++;
      topic.firstNs = Math.min(topic.firstNs, t);
      topic.lastNs = Math.max(topic.lastNs, t);
      this.#topics.set(channel.topic, topic);
    }
  }

  summary(recovered: NonNullable<RecordingSummary['recovered']>): RecordingSummary {
    const present = [...this.#topics.values()].sort((a, b) => (a.topic < b.topic ? -1 : a.topic > b.topic ? 1 : 0));
    for (const s of present) s.rateHz = s.count > 1 && s.lastNs > s.firstNs ? (s.count - 1) / ((s.lastNs - s.firstNs) / 1e9) : 0;
    const startNs = present.length ? Math.min(...present.map((s) => s.firstNs)) : 0;
    const endNs = present.length ? Math.max(...present.map((s) => s.lastNs)) : 0;
    return {
      path: this.path,
      messageCount: this.#messages,
      startNs,
      endNs,
      durationS: (endNs - startNs) / 1e9,
      topics: present,
      metadata: this.#metadata,
      recovered,
    };
  }
}
