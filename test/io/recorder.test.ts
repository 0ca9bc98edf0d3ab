import { McapIndexedReader } from '@mcap/core';
import { FileHandleReadable } from '@mcap/nodejs';
import { loadDecompressHandlers } from '@mcap/support';
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { unpack } from 'msgpackr';
import { describe, expect, it } from 'vitest';
import { UserError } from '../../src/core/errors.js';
import { fieldArray, type Frame } from '../../src/core/frame.js';
import { inspectRecording, McapRecorder, readFrames } from '../../src/io/index.js';
import { makeFrame } from './frames.js';

const MS = 1_000_000;
const METADATA = { scenario: 'scenarios/straight-road.yaml', seed: '42' };

/** LiDAR at 10 Hz from t=0 and radar at 20 Hz from t=25 ms, 0.5 s of each, in time order. */
function frames(): Frame[] {
  const lidar = Array.from({ length: 5 }, (_, i) => makeFrame('lidar/top', 'lidar', i, i * 100 * MS));
  const radar = Array.from({ length: 10 }, (_, i) => makeFrame('radar/front', 'radar', i, 25 * MS + i * 50 * MS, 2));
  return [...lidar, ...radar].sort((a, b) => a.t_ns - b.t_ns);
}

async function record(path: string, input = frames()): Promise<void> {
  const recorder = await McapRecorder.open(path, { metadata: METADATA });
  // Not awaiting each write on purpose: the recorder must keep them in order.
  const writes = input.map((frame) => recorder.write(frame));
  await recorder.close();
  await Promise.all(writes);
}

function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'roadcast-io-'));
}

describe('McapRecorder', () => {
  it('writes one msgpack channel per topic that @mcap/core reads back', async () => {
    const dir = tempDir();
    const path = join(dir, 'nested', 'run.mcap');
    await record(path);

    expect(readdirSync(join(dir, 'nested'))).toEqual(['run.mcap']);
    const handle = await open(path, 'r');
    try {
      const reader = await McapIndexedReader.Initialize({ readable: new FileHandleReadable(handle), decompressHandlers: await loadDecompressHandlers() });
      const channels = [...reader.channelsById.values()];
      expect(channels.map((c) => [c.topic, c.messageEncoding, c.schemaId, c.metadata.get('kind')])).toEqual([
        ['lidar/top', 'msgpack', 0, 'lidar'],
        ['radar/front', 'msgpack', 0, 'radar'],
      ]);
      expect(reader.statistics?.messageCount).toBe(15n);
      expect(new Set(reader.chunkIndexes.map((c) => c.compression))).toEqual(new Set(['zstd']));
      const byTopic: Record<string, { logTimes: bigint[]; sequences: number[] }> = {};
      for await (const message of reader.readMessages()) {
        const topic = reader.channelsById.get(message.channelId)!.topic;
        const entry = (byTopic[topic] ??= { logTimes: [], sequences: [] });
        entry.logTimes.push(message.logTime);
        entry.sequences.push(message.sequence);
        expect(message.publishTime).toBe(message.logTime);
        // The payload is the wire frame: a plain msgpack map with the same t_ns.
        expect((unpack(message.data) as { t_ns: bigint }).t_ns).toBe(message.logTime);
      }
      expect(byTopic['lidar/top'].logTimes).toEqual([0n, 100n, 200n, 300n, 400n].map((t) => t * 1_000_000n));
      expect(byTopic['radar/front'].logTimes).toEqual(Array.from({ length: 10 }, (_, i) => 25_000_000n + BigInt(i) * 50_000_000n));
      expect(byTopic['lidar/top'].sequences).toEqual([0, 1, 2, 3, 4]);
      const metadata = [];
      for await (const m of reader.readMetadata()) metadata.push([m.name, Object.fromEntries(m.metadata)]);
      expect(metadata).toEqual([['roadcast', METADATA]]);
    } finally {
      await handle.close();
    }
  });

  it('reads back the same frames in log-time order with readFrames', async () => {
    const path = join(tempDir(), 'run.mcap');
    const input = frames();
    await record(path);
    const output: Frame[] = [];
    for await (const frame of readFrames(path)) output.push(frame);
    expect(output.map((f) => [f.topic, f.seq, f.t_ns])).toEqual(input.map((f) => [f.topic, f.seq, f.t_ns]));
    expect(output[3].pose).toEqual(input[3].pose);
    expect(output[3].fields).toEqual(input[3].fields);
    expect(Array.from(fieldArray(output[3].data.points))).toEqual(Array.from(fieldArray(input[3].data.points)));
  });

  it('keeps unawaited writes in order across chunk boundaries (frames larger than a chunk)', async () => {
    const path = join(tempDir(), 'big.mcap');
    // 100k points = 1.6 MB per frame, past McapWriter's 1 MiB chunk size, so every write
    // flushes a chunk to the file while later writes are already queued.
    const input = Array.from({ length: 6 }, (_, i) => makeFrame(i % 2 ? 'radar/front' : 'lidar/top', 'lidar', i >> 1, i * 10 * MS, 100_000));
    await record(path, input);
    let n = 0;
    for await (const frame of readFrames(path)) {
      expect([frame.topic, frame.seq, frame.t_ns]).toEqual([input[n].topic, input[n].seq, input[n].t_ns]);
      const points = fieldArray(frame.data.points);
      expect([points[0], points[points.length - 3]]).toEqual([input[n].seq, 99_999]);
      n++;
    }
    expect(n).toBe(6);
  });

  it('gives byte-identical files for the same frames', async () => {
    const dir = tempDir();
    await record(join(dir, 'a.mcap'));
    await record(join(dir, 'b.mcap'));
    const a = readFileSync(join(dir, 'a.mcap'));
    expect(a.length).toBeGreaterThan(1000);
    expect(a.equals(readFileSync(join(dir, 'b.mcap')))).toBe(true);
  });

  it('abort() leaves nothing behind, and does nothing after close()', async () => {
    const dir = tempDir();
    const path = join(dir, 'aborted.mcap');
    const recorder = await McapRecorder.open(path);
    for (const frame of frames().slice(0, 4)) void recorder.write(frame);
    expect(readdirSync(dir)).toEqual([`.aborted.mcap.${process.pid}.tmp`]);
    await recorder.abort();
    expect(readdirSync(dir)).toEqual([]);
    await expect(recorder.close()).rejects.toThrow(/aborted/);

    const kept = join(dir, 'kept.mcap');
    const closed = await McapRecorder.open(kept);
    await closed.write(frames()[0]);
    await closed.close();
    await closed.abort();
    await closed.close();
    expect(readdirSync(dir)).toEqual(['kept.mcap']);
    await expect(closed.write(frames()[1])).rejects.toThrow(/recorder is closed/);
  });

  it('refuses a folder as the recording path, or a path through a file', async () => {
    const dir = tempDir();
    await expect(McapRecorder.open(dir)).rejects.toThrow(UserError);
    await expect(McapRecorder.open(dir)).rejects.toThrow(/is a folder/);
    writeFileSync(join(dir, 'file'), '');
    await expect(McapRecorder.open(join(dir, 'file', 'run.mcap'))).rejects.toThrow(/run\.mcap: cannot create the recording: a part of the path is a file, not a folder/);
  });
});

describe('inspectRecording', () => {
  it('counts messages per topic and derives duration and rates', async () => {
    const path = join(tempDir(), 'run.mcap');
    await record(path);
    const summary = await inspectRecording(path);
    expect(summary).toEqual({
      path,
      messageCount: 15,
      startNs: 0,
      endNs: 475 * MS,
      durationS: 0.475,
      topics: [
        { topic: 'lidar/top', messageEncoding: 'msgpack', kind: 'lidar', count: 5, firstNs: 0, lastNs: 400 * MS, rateHz: 10 },
        { topic: 'radar/front', messageEncoding: 'msgpack', kind: 'radar', count: 10, firstNs: 25 * MS, lastNs: 475 * MS, rateHz: expect.closeTo(20, 9) },
      ],
      metadata: METADATA,
    });
  });

  it('summarises an empty recording as zeros', async () => {
    const path = join(tempDir(), 'empty.mcap');
    const recorder = await McapRecorder.open(path);
    await recorder.close();
    const summary = await inspectRecording(path);
    expect(summary).toMatchObject({ messageCount: 0, startNs: 0, endNs: 0, durationS: 0, topics: [], metadata: {} });
  });

  it('names the file when it is missing, not MCAP, or cut short', async () => {
    const dir = tempDir();
    const missing = join(dir, 'nope.mcap');
    await expect(inspectRecording(missing)).rejects.toThrow(UserError);
    await expect(inspectRecording(missing)).rejects.toThrow(`${missing}: no such recording file`);
    await expect(readFrames(missing).next()).rejects.toThrow(`${missing}: no such recording file`);

    const text = join(dir, 'notes.mcap');
    writeFileSync(text, 'this is not a recording\n');
    await expect(inspectRecording(text)).rejects.toThrow(`${text}: is not an MCAP recording`);

    const whole = join(dir, 'whole.mcap');
    await record(whole);
    const cut = join(dir, 'cut.mcap');
    const bytes = readFileSync(whole);
    writeFileSync(cut, bytes.subarray(0, Math.floor(bytes.length / 2)));
    await expect(inspectRecording(cut)).rejects.toThrow(UserError);
    await expect(inspectRecording(cut)).rejects.toThrow(/cut\.mcap: is an MCAP file roadcast cannot read; is it damaged or unfinished\?/);
    expect(existsSync(whole)).toBe(true);
  });
});
