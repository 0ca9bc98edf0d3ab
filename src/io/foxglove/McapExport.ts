/**
 * `roadcast export FILE --format foxglove --out FILE.mcap`: rewrites a recording's frames in
 * Foxglove schemas (JSON messages, `jsonschema` schemas; messages.ts), so Foxglove opens the
 * file and shows clouds, boxes, transforms and the road with no plugin. zstd chunks, like a
 * recording; written under a temporary name and renamed when complete.
 */
import * as zstd from '@foxglove/wasm-zstd';
import { McapWriter } from '@mcap/core';
import { FileHandleWritable } from '@mcap/nodejs';
import { open, rename, rm, stat, type FileHandle } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { isUserError, UserError } from '../../core/errors.js';
import { fileSystemError, makeFolder } from '../../core/fileErrors.js';
import { ROADCAST_VERSION } from '../../core/version.js';
import { inspectRecording, readFrames } from '../McapSource.js';
import { METADATA_NAME } from '../McapRecorder.js';
import { frameMessages, MAP_TOPIC, sceneMessage, SCHEMAS, type SchemaInfo } from './messages.js';
import { recordingScene, type StaticScene } from './staticScene.js';

export interface FoxgloveExportOptions {
  file: string;
  out: string;
  /** Only these roadcast topics (default: all). Transforms and the map are always written. */
  topics?: string[];
  /** The static scene; default: the roads of the map the recording carries as an attachment. */
  scene?: StaticScene;
  /** Told when the export goes on without something it could not read (a damaged map attachment). */
  onWarning?: (message: string) => void;
  onProgress?: (done: number, total: number) => void;
}

/** Returns the number of messages written per Foxglove topic. */
export async function exportFoxglove(options: FoxgloveExportOptions): Promise<Record<string, number>> {
  const summary = await inspectRecording(options.file);
  const wanted = options.topics && options.topics.length > 0 ? new Set(options.topics) : undefined;
  if (wanted) {
    const known = new Set(summary.topics.map((t) => t.topic));
    for (const topic of wanted) if (!known.has(topic)) throw new UserError(`the recording has no topic "${topic}" (it has ${[...known].join(', ')})`, options.file);
  }
  // The map is the backdrop, the frames the content: a damaged map attachment is warned
  // about and left out, and the frames are still exported.
  const scene = options.scene ?? (await recordingScene(options.file).catch((error: unknown) => {
    if (!isUserError(error)) throw error;
    options.onWarning?.(`${error.message}; the export has no map`);
    return undefined;
  }));
  const existing = await stat(options.out).catch(() => undefined);
  if (existing?.isDirectory()) throw new UserError('is a folder; give a file name such as run.foxglove.mcap', options.out);
  if (existing && !existing.isFile()) throw new UserError('is not a regular file (a device, pipe or socket); give a file name such as run.foxglove.mcap', options.out);
  const temporary = join(dirname(options.out), `.${basename(options.out)}.${process.pid}.tmp`);
  let handle: FileHandle;
  try {
    await makeFolder(dirname(options.out));
    handle = await open(temporary, 'w');
  } catch (error) {
    throw fileSystemError('cannot create the export', options.out, error);
  }
  const counts: Record<string, number> = {};
  try {
    await zstd.isLoaded;
    const writer = new McapWriter({
      writable: new FileHandleWritable(handle),
      useChunks: true,
      chunkSize: 1024 * 1024,
      compressChunk: (data) => ({ compression: 'zstd', compressedData: zstd.compress(data, 3) }),
    });
    await writer.start({ profile: '', library: `roadcast/${ROADCAST_VERSION}` });
    if (Object.keys(summary.metadata).length > 0) {
      await writer.addMetadata({ name: METADATA_NAME, metadata: new Map(Object.entries(summary.metadata)) });
    }
    const schemaIds = new Map<string, number>();
    const channelIds = new Map<string, number>();
    const sequences = new Map<number, number>();
    const channel = async (topic: string, schema: SchemaInfo): Promise<number> => {
      const key = `${topic}\u0000${schema.name}`;
      let id = channelIds.get(key);
      if (id !== undefined) return id;
      let schemaId = schemaIds.get(schema.name);
      if (schemaId === undefined) {
        schemaId = await writer.registerSchema({ name: schema.name, encoding: 'jsonschema', data: new TextEncoder().encode(schema.schema) });
        schemaIds.set(schema.name, schemaId);
      }
      id = await writer.registerChannel({ topic, messageEncoding: 'json', schemaId, metadata: new Map() });
      channelIds.set(key, id);
      return id;
    };
    const write = async (topic: string, schema: SchemaInfo, timeNs: number, message: unknown): Promise<void> => {
      const channelId = await channel(topic, schema);
      const sequence = sequences.get(channelId) ?? 0;
      sequences.set(channelId, sequence + 1);
      const time = BigInt(timeNs);
      await writer.addMessage({ channelId, sequence, logTime: time, publishTime: time, data: new TextEncoder().encode(JSON.stringify(message)) });
      counts[topic] = (counts[topic] ?? 0) + 1;
    };
    if (scene) await write(MAP_TOPIC, SCHEMAS.sceneUpdate, summary.startNs, sceneMessage(scene, summary.startNs));
    const total = wanted ? summary.topics.filter((t) => wanted.has(t.topic)).reduce((n, t) => n + t.count, 0) : summary.messageCount;
    let done = 0;
    for await (const frame of readFrames(options.file)) {
      if (wanted && !wanted.has(frame.topic)) continue;
      for (const message of frameMessages(frame)) await write(message.topic, message.schema, message.timeNs, message.message);
      options.onProgress?.(++done, total);
    }
    await writer.end();
    await handle.close();
    await rename(temporary, options.out);
    return counts;
  } catch (error) {
    await handle.close().catch(() => undefined);
    await rm(temporary, { force: true });
    throw fileSystemError('cannot write the export', options.out, error);
  }
}
