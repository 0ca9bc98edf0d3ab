import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { Frame } from '../../src/core/frame.js';
import { FrameServer } from '../../src/io/FrameServer.js';
import { runScenario } from '../../src/io/LiveRun.js';
import { RoadcastClient } from '../../src/io/RoadcastClient.js';
import { RunControl } from '../../src/io/RunControl.js';
import { loadScenario } from '../../src/scenario/loadScenario.js';
import { loadRig } from '../../src/sensors/Rig.js';
import { makeFrame } from './frames.js';

const until = async (condition: () => boolean, timeoutMs = 10_000): Promise<void> => {
  const start = Date.now();
  while (!condition()) {
    if (Date.now() - start > timeoutMs) throw new Error('timed out waiting');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
};

/** A rig with two small LiDARs, so there are two topics to choose from. */
function twoLidarRig(): string {
  const dir = mkdtempSync(join(tmpdir(), 'roadcast-stream-'));
  const file = join(dir, 'rig.yaml');
  const lidar = (name: string, rate: number): string => `  - { name: ${name}, type: lidar, parent: ego, mount: { z: 1.9 }, rate: ${rate}, channels: 4, fov: { lower: -10, upper: 5 }, horizontal: { resolution: 4 }, range: { max: 80 } }\n`;
  writeFileSync(file, `sensors:\n${lidar('top', 10)}${lidar('front', 20)}`);
  return file;
}


async function collect(client: RoadcastClient, into: Frame[]): Promise<void> {
  for await (const frame of client) into.push(frame);
}

describe('live streaming', () => {
  it('sends a subscriber only its topics, and everything to a client that says nothing', async () => {
    const scenario = loadScenario('scenarios/straight-road.yaml');
    const rig = loadRig(twoLidarRig());
    const control = new RunControl(false);
    control.pause();
    const server = new FrameServer({ port: 0, onControl: (message) => control.apply(message) });
    const { url } = await server.start();
    const picky = await RoadcastClient.connect(url, { topics: ['lidar/fr*'] });
    const everything = await RoadcastClient.connect(url);
    await until(() => picky.messages.some((m) => m.type === 'ack'));
    const pickyFrames: Frame[] = [];
    const allFrames: Frame[] = [];
    const reading = Promise.all([collect(picky, pickyFrames), collect(everything, allFrames)]);
    const run = runScenario({ scenario, rig, duration: 1, control, sinks: [server] });
    everything.send({ type: 'resume' });
    const summary = await run;
    await until(() => allFrames.length === 30 && pickyFrames.length === 20);
    await server.close();
    await reading;
    expect(summary.frames).toEqual({ 'lidar/top': 10, 'lidar/front': 20 });
    expect(new Set(pickyFrames.map((f) => f.topic))).toEqual(new Set(['lidar/front']));
    expect(pickyFrames.map((f) => f.seq)).toEqual(Array.from({ length: 20 }, (_, i) => i));
    expect(allFrames.filter((f) => f.topic === 'lidar/top')).toHaveLength(10);
  });

  it('pause stops simulation time; step advances exactly the ticks asked for; bad messages get errors and the run goes on', async () => {
    const scenario = loadScenario('scenarios/straight-road.yaml');
    const rig = loadRig(twoLidarRig());
    const control = new RunControl(true);
    const server = new FrameServer({ port: 0, onControl: (message) => control.apply(message) });
    const { url } = await server.start();
    const client = await RoadcastClient.connect(url, { topics: ['lidar/top'] });
    await until(() => client.messages.some((m) => m.type === 'ack'));
    const frames: Frame[] = [];
    const reading = collect(client, frames);
    const run = runScenario({ scenario, rig, duration: 3, control, sinks: [server] });
    await until(() => frames.length >= 2);

    client.send({ type: 'pause' });
    await until(() => client.messages.filter((m) => m.type === 'ack').length === 2);
    await new Promise((resolve) => setTimeout(resolve, 100));
    const atPause = frames.length;
    await new Promise((resolve) => setTimeout(resolve, 400));
    expect(frames.length).toBe(atPause); // 400 ms of wall time, no simulated time passed

    // Malformed and invalid requests: each answered with an error, none stops the server.
    const raw = new WebSocket(url);
    const replies: { type: string; message?: string }[] = [];
    raw.on('message', (data, binary) => { if (!binary) replies.push(JSON.parse(data.toString())); });
    await new Promise((resolve) => raw.once('open', resolve));
    raw.send('not json');
    raw.send(JSON.stringify({ type: 'warp' }));
    raw.send(JSON.stringify({ type: 'step', ticks: -4 }));
    raw.send(JSON.stringify({ type: 'subscribe', topics: 'lidar/*' }));
    raw.send(JSON.stringify({ type: 'rate' }));
    await until(() => replies.filter((r) => r.type === 'error').length === 5);
    expect(replies.filter((r) => r.type === 'error').map((r) => r.message)).toEqual([
      'messages must be JSON objects such as {"type":"pause"}',
      'unknown message type "warp"; expected subscribe, pause, resume, step, rate or ego',
      '"ticks" must be an integer from 1 to 1000000, got -4',
      '"subscribe" needs "topics": a list of topic names or glob patterns such as "lidar/*"',
      '"rate" needs "factor": the speed relative to the wall clock, from 0.01 to 1000',
    ]);
    raw.close();

    // Ten 10 ms ticks are one 10 Hz period: exactly one more lidar/top frame, 100 ms later.
    const last = frames[frames.length - 1];
    client.send({ type: 'step', ticks: 10 });
    await until(() => frames.length === atPause + 1);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(frames.length).toBe(atPause + 1);
    expect(frames[frames.length - 1].t_ns - last.t_ns).toBe(100_000_000);

    client.send({ type: 'resume' });
    const summary = await run;
    await server.close();
    await reading;
    expect(summary.interrupted).toBe(false);
    expect(frames.map((f) => f.seq)).toEqual(Array.from({ length: 30 }, (_, i) => i));
  });

  it('a stalled client loses its oldest frames, bounded, while a fast client gets every frame', async () => {
    const frameBytes = 256 * 1024;
    const server = new FrameServer({ port: 0, highWaterBytes: 1024 * 1024, maxQueuedFrames: 4 });
    const { url } = await server.start();
    const fast = await RoadcastClient.connect(url);
    const stalled = new WebSocket(url);
    await new Promise((resolve) => stalled.once('open', resolve));
    stalled.pause(); // never reads: the kernel buffers fill, then the server's queue
    await until(() => server.clientCount === 2);
    const fastFrames: Frame[] = [];
    const reading = collect(fast, fastFrames);
    const total = 120;
    for (let seq = 0; seq < total; seq++) {
      server.broadcast(makeFrame('lidar/top', 'lidar', seq, seq * 1e8, frameBytes / 16));
      const sessions = server.sessionStats();
      for (const s of sessions) {
        expect(s.queued).toBeLessThanOrEqual(4);
        expect(s.bufferedBytes).toBeLessThanOrEqual(1024 * 1024 + frameBytes + 1024);
      }
      await new Promise((resolve) => setImmediate(resolve));
    }
    await until(() => fastFrames.length === total);
    expect(fastFrames.map((f) => f.seq)).toEqual(Array.from({ length: total }, (_, i) => i));
    const stalledStats = server.sessionStats().find((s) => s.dropped > 0)!;
    expect(stalledStats.dropped).toBeGreaterThan(total / 2);

    // When it reads again it learns how many frames it lost, and gets the newest ones.
    const texts: { type: string; dropped?: number }[] = [];
    stalled.on('message', (data: Buffer, binary) => {
      if (!binary) texts.push(JSON.parse(data.toString()));
    });
    stalled.resume();
    server.broadcast(makeFrame('lidar/top', 'lidar', total, total * 1e8, 4));
    await until(() => texts.some((t) => t.type === 'stats'));
    // The extra frame found the queue full too, so one more was dropped before the report.
    const reported = texts.find((t) => t.type === 'stats')!.dropped;
    expect(reported).toBe(stalledStats.dropped + 1);
    expect(server.sessionStats().find((s) => s.dropped > 0)!.dropped).toBe(reported);
    fast.close();
    stalled.close();
    await server.close();
    await reading;
  });

  it('requires the token when one is set', async () => {
    const server = new FrameServer({ port: 0, token: 's3cret' });
    const { url } = await server.start();
    await expect(RoadcastClient.connect(url)).rejects.toThrow('server refused the connection: HTTP 401');
    await expect(RoadcastClient.connect(url, { token: 'wrong' })).rejects.toThrow('HTTP 401');
    const client = await RoadcastClient.connect(url, { token: 's3cret' });
    await until(() => client.hello !== undefined);
    expect(client.hello!.protocol).toBe(1);
    client.close();
    await server.close();
  });
});
