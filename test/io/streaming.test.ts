import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { unpack } from 'msgpackr';
import { describe, expect, it } from 'vitest';
import WebSocket, { WebSocketServer } from 'ws';
import type { Frame } from '../../src/core/frame.js';
import { FrameServer } from '../../src/io/FrameServer.js';
import { runScenario, type FrameSink } from '../../src/run/runScenario.js';
import { McapRecorder } from '../../src/io/McapRecorder.js';
import { readFrames } from '../../src/io/McapSource.js';
import { RoadcastClient } from '../../src/io/RoadcastClient.js';
import { RunControl } from '../../src/run/RunControl.js';
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

/**
 * Broadcasts frames of two topics, alternately, at every turn of the event loop until
 * stopped: whenever a client connects, frames of both are already flowing.
 */
function flood(server: FrameServer): { stop: () => Promise<void>; sent: () => number } {
  let running = true;
  let seq = 0;
  const done = (async () => {
    while (running) {
      server.broadcast(makeFrame('camera/front', 'camera', seq, seq * 1e8, 1));
      server.broadcast(makeFrame('lidar/top', 'lidar', seq, seq * 1e8, 1));
      seq++;
      await new Promise((resolve) => setImmediate(resolve));
    }
  })();
  return { stop: async () => { running = false; await done; }, sent: () => seq };
}

/**
 * A raw client (what Python's websockets is): its text messages, the frames' topics and seqs,
 * and the order of everything (a frame by its topic, a text as `text:<type>`).
 */
function rawClient(url: string): { socket: WebSocket; texts: { type: string; [key: string]: unknown }[]; topics: string[]; seqs: number[]; order: string[] } {
  const socket = new WebSocket(url);
  const texts: { type: string; [key: string]: unknown }[] = [];
  const topics: string[] = [];
  const seqs: number[] = [];
  const order: string[] = [];
  socket.on('error', () => undefined);
  socket.on('message', (data: Buffer, binary) => {
    if (binary) {
      const frame = unpack(data) as { topic: string; seq: number };
      topics.push(frame.topic);
      seqs.push(frame.seq);
      order.push(frame.topic);
    } else {
      const message = JSON.parse(data.toString());
      texts.push(message);
      order.push(`text:${message.type}`);
    }
  });
  return { socket, texts, topics, seqs, order };
}

describe('live streaming', () => {
  it('sends a subscriber only its topics, and everything to a client that says nothing', async () => {
    const scenario = loadScenario('scenarios/straight-road.yaml');
    const rig = loadRig(twoLidarRig());
    const control = new RunControl(false);
    control.pause();
    const server = new FrameServer({ port: 0, onControl: (message) => control.apply(message) });
    const { url } = await server.start();
    // The subscription is in force once connect() resolves.
    const picky = await RoadcastClient.connect(url, { topics: ['lidar/fr*'] });
    const everything = await RoadcastClient.connect(url);
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
    const frames: Frame[] = [];
    const reading = collect(client, frames);
    const run = runScenario({ scenario, rig, duration: 3, control, sinks: [server] });
    await until(() => frames.length >= 2);

    client.send({ type: 'pause' });
    await until(() => client.messages.filter((m) => m.type === 'ack').length === 1);
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
      '"ticks" must be an integer from 1 to 10000, got -4',
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

  it('applies a subscription given in the URL before the first frame: the client never sees another topic', async () => {
    const server = new FrameServer({ port: 0 });
    const { url } = await server.start();
    const flow = flood(server);
    try {
      // The typed client puts its topics in the URL.
      const typed = await RoadcastClient.connect(url, { topics: ['lidar/*'] });
      const frames: Frame[] = [];
      for await (const frame of typed) {
        frames.push(frame);
        if (frames.length === 50) break;
      }
      expect(new Set(frames.map((f) => f.topic))).toEqual(new Set(['lidar/top']));
      expect(typed.hello.subscription).toEqual(['lidar/*']);
      // A raw client (Python's websockets, a browser) gives them in the URL by hand.
      const raw = rawClient(`${url}/?topics=radar/**,camera/*`);
      await until(() => raw.topics.length >= 50);
      expect(raw.order[0]).toBe('text:hello');
      expect(raw.texts[0].subscription).toEqual(['radar/**', 'camera/*']);
      expect(new Set(raw.topics)).toEqual(new Set(['camera/front']));
      raw.socket.close();
      // Without one, a client gets every topic.
      const everything = rawClient(url);
      await until(() => new Set(everything.topics).size === 2);
      expect(everything.texts[0].subscription).toEqual([]);
      everything.socket.close();
    } finally {
      await flow.stop();
      await server.close();
    }
  });

  it('refuses a malformed URL subscription with an error, and the typed client says why', async () => {
    const server = new FrameServer({ port: 0 });
    const { url } = await server.start();
    const flow = flood(server);
    try {
      const raw = rawClient(`${url}/?topics=lidar/*,,radar/*`);
      const code = await new Promise<number>((resolve) => raw.socket.once('close', (c) => resolve(c)));
      expect(code).toBe(1008);
      expect(raw.topics).toEqual([]);
      expect(raw.texts).toEqual([{ type: 'error', request: 'topics', message: '"topics" in the URL must be topic names or globs separated by commas, such as ?topics=lidar/*,radar/**; got "lidar/*,,radar/*"' }]);
      await expect(RoadcastClient.connect(url, { topics: ['lidar/*', ''] })).rejects.toThrow('server refused the connection: "topics" in the URL must be topic names or globs');
      await expect(RoadcastClient.connect(url, { topics: ['a,b'] })).rejects.toThrow('topic "a,b" has a comma, which the URL\'s topics list cannot hold');
    } finally {
      await flow.stop();
      await server.close();
    }
  });

  it('a subscribe message takes the other topics out of the queue: after its ack, only the topics asked for', async () => {
    const server = new FrameServer({ port: 0, highWaterBytes: 64 * 1024, maxQueuedFrames: 64 });
    const { url } = await server.start();
    const raw = rawClient(url);
    await new Promise((resolve) => raw.socket.once('open', resolve));
    await until(() => raw.texts.length === 1);
    raw.socket.pause(); // reads nothing: frames of both topics pile up in the server's queue
    const big = 16 * 1024;
    let seq = 0;
    while (server.sessionStats()[0].queued < 40) {
      for (const topic of ['camera/front', 'lidar/top']) server.broadcast(makeFrame(topic, topic.split('/')[0], seq, seq * 1e8, big / 16));
      seq++;
      await new Promise((resolve) => setImmediate(resolve));
    }
    raw.socket.send(JSON.stringify({ type: 'subscribe', topics: ['lidar/*'] }));
    // Half the queue was camera frames, which the client no longer wants: they go.
    await until(() => server.sessionStats()[0].queued <= 21);
    raw.socket.resume();
    await until(() => raw.texts.some((t) => t.type === 'ack'));
    for (let i = 0; i < 5; i++) server.broadcast(makeFrame('camera/front', 'camera', seq + i, 0, 1));
    server.broadcast(makeFrame('lidar/top', 'lidar', 1000, 0, 1));
    await until(() => raw.seqs[raw.seqs.length - 1] === 1000);
    const afterAck = raw.order.slice(raw.order.indexOf('text:ack') + 1).filter((o) => !o.startsWith('text:'));
    expect(afterAck.length).toBeGreaterThan(0);
    expect(new Set(afterAck)).toEqual(new Set(['lidar/top']));
    raw.socket.close();
    await server.close();
  });

  it('the typed client yields no frame of a topic it stopped asking for, even one already on its way', async () => {
    const server = new FrameServer({ port: 0 });
    const { url } = await server.start();
    const flow = flood(server);
    try {
      const client = await RoadcastClient.connect(url);
      const first = await client.next();
      expect(first.done).toBe(false);
      client.subscribe(['camera/*']);
      const frames: Frame[] = [];
      for await (const frame of client) {
        frames.push(frame);
        if (frames.length === 30) break;
      }
      expect(new Set(frames.map((f) => f.topic))).toEqual(new Set(['camera/front']));
    } finally {
      await flow.stop();
      await server.close();
    }
  });

  it('connect() resolves with the hello in hand, and fails clearly when none comes', async () => {
    const server = new FrameServer({ port: 0 });
    const { url } = await server.start();
    const client = await RoadcastClient.connect(url);
    // No waiting: the hello is there when connect() returns.
    expect(client.hello.type).toBe('hello');
    expect(client.hello.protocol).toBe(1);
    expect(client.hello.subscription).toEqual([]);
    client.close();
    await server.close();

    // A WebSocket server that is not roadcast: it never says hello.
    const silent = new WebSocketServer({ port: 0, host: '127.0.0.1' });
    await new Promise((resolve) => silent.once('listening', resolve));
    const silentUrl = `ws://127.0.0.1:${(silent.address() as { port: number }).port}`;
    await expect(RoadcastClient.connect(silentUrl, { helloTimeoutMs: 300 })).rejects.toThrow(`no hello from ${silentUrl} within 0.3 s: is it a roadcast server?`);
    // One that hangs up at once.
    silent.on('connection', (socket) => socket.close(1011, 'not today'));
    await expect(RoadcastClient.connect(silentUrl)).rejects.toThrow('server closed the connection before its hello (code 1011: not today)');
    await new Promise((resolve) => silent.close(resolve));
  });

  it('stamps live frames with the wall clock (wall_ns) and keeps it out of recordings', async () => {
    const server = new FrameServer({ port: 0 });
    const { url } = await server.start();
    const client = await RoadcastClient.connect(url);
    const raw = rawClient(url);
    const rawFrames: Record<string, unknown>[] = [];
    raw.socket.on('message', (data: Buffer, binary) => { if (binary) rawFrames.push(unpack(data) as Record<string, unknown>); });
    await until(() => raw.texts.length === 1 && server.clientCount === 2);
    const before = BigInt(Date.now()) * 1_000_000n;
    server.broadcast(makeFrame('lidar/top', 'lidar', 0, 7_000_000_000));
    const frame = (await client.next()).value as Frame;
    await until(() => rawFrames.length === 1);
    const after = BigInt(Date.now() + 1) * 1_000_000n;
    // The typed client: numbers for every integer time.
    expect(typeof frame.t_ns).toBe('number');
    expect(typeof frame.wall_ns).toBe('number');
    expect(frame.t_ns).toBe(7_000_000_000);
    // Plain msgpackr: int64 as BigInt, within the wall-clock interval around the broadcast.
    const wall = rawFrames[0].wall_ns as bigint;
    expect(typeof wall).toBe('bigint');
    expect(rawFrames[0].t_ns).toBe(7_000_000_000n);
    expect(wall >= before - 2_000_000n && wall <= after).toBe(true);
    expect(Math.abs(frame.wall_ns! - Number(wall))).toBeLessThanOrEqual(256);
    client.close();
    raw.socket.close();
    await server.close();
  });

  it('a run streamed live to a client records the same bytes as one nobody watches', async () => {
    const scenario = loadScenario('scenarios/straight-road.yaml');
    const rig = loadRig(twoLidarRig());
    const dir = mkdtempSync(join(tmpdir(), 'roadcast-stream-record-'));
    const record = async (file: string, serve: boolean): Promise<Frame[]> => {
      const recorder = await McapRecorder.open(file);
      const sinks: FrameSink[] = [recorder];
      const seen: Frame[] = [];
      let server: FrameServer | undefined;
      let reading: Promise<void> | undefined;
      if (serve) {
        server = new FrameServer({ port: 0 });
        const { url } = await server.start();
        const client = await RoadcastClient.connect(url);
        reading = collect(client, seen);
        sinks.push(server);
      }
      await runScenario({ scenario, rig, duration: 0.5, sinks, realtime: serve });
      await recorder.close();
      await server?.close();
      await reading;
      return seen;
    };
    const streamed = await record(join(dir, 'served.mcap'), true);
    await record(join(dir, 'alone.mcap'), false);
    expect(streamed).toHaveLength(15);
    expect(streamed.every((f) => typeof f.wall_ns === 'number' && f.wall_ns > 1.6e18)).toBe(true);
    expect(readFileSync(join(dir, 'served.mcap')).equals(readFileSync(join(dir, 'alone.mcap')))).toBe(true);
    for await (const frame of readFrames(join(dir, 'served.mcap'))) expect('wall_ns' in frame).toBe(false);
  });

  it('tells every client when the run stops and goes, after the frames before it', async () => {
    const scenario = loadScenario('scenarios/straight-road.yaml');
    const rig = loadRig(twoLidarRig());
    const control = new RunControl(false);
    const server = new FrameServer({ port: 0, onControl: (message) => control.apply(message) });
    control.onState((state) => server.reportState(state));
    const { url } = await server.start();
    const client = await RoadcastClient.connect(url, { topics: ['lidar/top'] });
    const frames: Frame[] = [];
    const reading = collect(client, frames);
    // 300 ms: the 10 Hz lidar/top completes its sweeps of 0, 100 and 200 ms (each is sent when complete).
    control.step(30);
    const run = runScenario({ scenario, rig, duration: 1, control, sinks: [server] });
    await until(() => client.state?.paused === true);
    expect(client.state).toEqual({ type: 'state', paused: true, t_ns: 300_000_000 });
    // Everything before the state came before it.
    expect(frames.map((f) => f.t_ns)).toEqual([0, 100_000_000, 200_000_000]);
    // A client that connects now learns the run is paused.
    const late = await RoadcastClient.connect(url);
    await until(() => late.state !== undefined);
    expect(late.state).toEqual({ type: 'state', paused: true, t_ns: 300_000_000 });
    client.send({ type: 'resume' });
    await run;
    // A run is taken to be going until it says otherwise: stepping from the start tells nothing.
    expect(client.messages.filter((m) => m.type === 'state')).toEqual([
      { type: 'state', paused: true, t_ns: 300_000_000 },
      { type: 'state', paused: false, t_ns: 300_000_000 },
    ]);
    late.close();
    await server.close();
    await reading;
    expect(frames).toHaveLength(10);
  });

  it('at close, a client that is behind gets the newest frame of each topic and a clean close (1001)', async () => {
    const server = new FrameServer({ port: 0, highWaterBytes: 64 * 1024, maxQueuedFrames: 64 });
    const { url } = await server.start();
    const raw = rawClient(url);
    const closed = new Promise<number>((resolve) => raw.socket.once('close', (code) => resolve(code)));
    await until(() => raw.texts.length === 1);
    raw.socket.pause(); // reads nothing, so frames pile up in the server's queue
    let seq = 0;
    while (server.sessionStats()[0].queued < 8) {
      for (const topic of ['camera/front', 'lidar/top']) server.broadcast(makeFrame(topic, topic.split('/')[0], seq, seq * 1e8, 2048));
      seq++;
      await new Promise((resolve) => setImmediate(resolve));
    }
    const closing = server.close();
    raw.socket.resume();
    expect(await closed).toBe(1001);
    await closing;
    // The last frame of each topic arrived, just before the close; what did not was dropped.
    expect(raw.topics.slice(-2).sort()).toEqual(['camera/front', 'lidar/top']);
    expect(raw.seqs.slice(-2)).toEqual([seq - 1, seq - 1]);
    expect(server.droppedFrames).toBeGreaterThan(0);
    expect(server.droppedFrames + raw.topics.length).toBe(2 * seq);
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
