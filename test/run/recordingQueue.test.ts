/**
 * A recording made through a slow disk: the disk is a test double (every write of the
 * recorder's file waits a few milliseconds first; @mcap/nodejs's FileHandleWritable is what
 * the recorder writes its file through), everything else is real. The run must wait when the
 * recorder's bounded queue is full rather than lose or reorder a frame, and the file must be
 * byte-for-byte the one a full-speed disk gets.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { FileHandleWritable } from '@mcap/nodejs';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Frame } from '../../src/core/frame.js';
import { encodeFrame } from '../../src/io/codec.js';
import { McapRecorder } from '../../src/io/McapRecorder.js';
import { readFrames } from '../../src/io/McapSource.js';
import { loadRunInputs, recordingOptions, type RunInputs } from '../../src/run/RunInputs.js';
import { runScenario } from '../../src/run/runScenario.js';

const out = mkdtempSync(join(tmpdir(), 'roadcast-queue-'));
/** Small, so a second of the default rig (a LiDAR sweep is ~0.3 MB) fills it many times. */
const QUEUE_BYTES = 256 * 1024;

afterEach(() => {
  vi.restoreAllMocks();
});

/** The order frames reached the sinks, as (topic, seq), and the largest encoded frame. */
async function recordRun(inputs: RunInputs, path: string, threads = 1): Promise<{ sent: string[]; largest: number; mostQueued: number }> {
  const recorder = await McapRecorder.open(path, { ...recordingOptions(inputs), maxQueuedBytes: QUEUE_BYTES });
  const sent: string[] = [];
  let largest = 0;
  let mostQueued = 0;
  const watch = {
    write: (frame: Frame) => {
      sent.push(`${frame.topic}#${frame.seq}`);
      largest = Math.max(largest, encodeFrame(frame).byteLength);
    },
  };
  // What the recorder holds back, seen after each write it let the run go on from.
  const measured = {
    write: async (frame: Frame) => {
      await recorder.write(frame);
      mostQueued = Math.max(mostQueued, recorder.queuedBytes);
    },
  };
  const { scenario, rig, seed } = inputs;
  await runScenario({ scenario, rig, seed, duration: 1, sinks: [watch, measured], threads });
  await recorder.close();
  return { sent, largest, mostQueued };
}

describe('a recording through a slow disk', () => {
  it('has every frame, in order, and the bytes of a full-speed recording; the run waits for the disk', async () => {
    const inputs = await loadRunInputs('scenarios/straight-road.yaml', { duration: 1 });
    const fast = await recordRun(inputs, join(out, 'fast.mcap'));

    let diskWrites = 0;
    const write = FileHandleWritable.prototype.write;
    vi.spyOn(FileHandleWritable.prototype, 'write').mockImplementation(async function (this: FileHandleWritable, buffer: Uint8Array) {
      diskWrites++;
      await new Promise((resolve) => setTimeout(resolve, 15));
      return write.call(this, buffer);
    });
    const slow = await recordRun(inputs, join(out, 'slow.mcap'));
    expect(diskWrites).toBeGreaterThan(5);

    expect(readFileSync(join(out, 'slow.mcap')).equals(readFileSync(join(out, 'fast.mcap')))).toBe(true);
    expect(slow.sent).toEqual(fast.sent);
    const recorded: string[] = [];
    for await (const frame of readFrames(join(out, 'slow.mcap'))) recorded.push(`${frame.topic}#${frame.seq}`);
    // Every frame the run made, in the order it made them (readFrames orders by time; frames of one step share it).
    expect(recorded).toHaveLength(slow.sent.length);
    expect([...recorded].sort()).toEqual([...slow.sent].sort());
    for (const topic of new Set(slow.sent.map((s) => s.split('#')[0]))) {
      const seqs = recorded.filter((s) => s.startsWith(`${topic}#`)).map((s) => Number(s.split('#')[1]));
      expect(seqs).toEqual(seqs.map((_, i) => i));
    }
    // Back-pressure: the slow disk filled the queue, and the run never let it grow past the
    // bound and the one frame that may always wait.
    expect(slow.mostQueued).toBeGreaterThan(QUEUE_BYTES / 2);
    expect(slow.mostQueued).toBeLessThan(QUEUE_BYTES + slow.largest);
  }, 120_000);
});

describe('a recording on its own thread (built dist)', () => {
  it('is byte-identical to one written in the run\'s thread, for one thread or two', async () => {
    const dist = (await import(pathToFileURL(join(process.cwd(), 'dist/index.js')).href)) as typeof import('../../src/index.js');
    const inputs = await dist.loadRunInputs('scenarios/straight-road.yaml', { duration: 1 });
    const { scenario, rig, seed } = inputs;
    const here = join(out, 'here.mcap');
    await recordRun(inputs as unknown as RunInputs, here);
    for (const threads of [1, 2]) {
      const path = join(out, `thread-${threads}.mcap`);
      const recorder = await dist.RecorderThread.open(path, { ...dist.recordingOptions(inputs), maxQueuedBytes: QUEUE_BYTES });
      expect(recorder).toBeInstanceOf(dist.RecorderThread);
      await dist.runScenario({ scenario, rig, seed, duration: 1, sinks: [recorder], threads });
      await recorder.close();
      expect(readFileSync(path).equals(readFileSync(here)), `${threads} thread(s)`).toBe(true);
    }
  }, 120_000);

  it('reports what the recorder refuses as McapRecorder does', async () => {
    const dist = (await import(pathToFileURL(join(process.cwd(), 'dist/index.js')).href)) as typeof import('../../src/index.js');
    const error = await dist.RecorderThread.open(out).then(() => undefined, (e: unknown) => e as Error);
    expect(dist.isUserError(error)).toBe(true);
    expect(error!.message).toBe(`${out}: is a folder; give a file name such as run.mcap`);
  });
});
