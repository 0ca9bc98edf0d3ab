/**
 * The live server against hostile clients (issue: no input may crash, hang or exhaust
 * roadcast, and no web page may drive it). Each class of input gets a refusal or an error
 * reply, within a bound, and the server keeps serving its other clients.
 */
import wsProtocol, { type IWebSocket } from '@foxglove/ws-protocol';
import { spawnSync } from 'node:child_process';
import { getEventListeners } from 'node:events';
import { get as httpGet } from 'node:http';
import { describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { Random } from '../../src/core/Random.js';
import { FoxgloveBridge } from '../../src/io/foxglove/FoxgloveBridge.js';
import { FrameServer } from '../../src/io/FrameServer.js';
import { RoadcastClient } from '../../src/io/RoadcastClient.js';
import { RunControl } from '../../src/run/RunControl.js';
import { topicFilter } from '../../src/io/TopicGlob.js';
import { makeFrame } from '../io/frames.js';

const until = async (condition: () => boolean, timeoutMs = 20_000): Promise<void> => {
  const start = Date.now();
  while (!condition()) {
    if (Date.now() - start > timeoutMs) throw new Error('timed out waiting');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
};

/** A raw WebSocket with its text replies and the close it got. */
function raw(url: string, headers: Record<string, string> = {}): { socket: WebSocket; texts: { type: string; message?: string }[]; closed: () => { code: number; reason: string } | undefined; refused: () => number | undefined } {
  const socket = new WebSocket(url, { headers });
  const texts: { type: string; message?: string }[] = [];
  let closed: { code: number; reason: string } | undefined;
  let refused: number | undefined;
  socket.on('message', (data, isBinary) => { if (!isBinary) texts.push(JSON.parse(data.toString())); });
  socket.on('close', (code, reason) => (closed = { code, reason: reason.toString() }));
  socket.on('unexpected-response', (_request, response) => { refused = response.statusCode; socket.terminate(); });
  socket.on('error', () => undefined);
  return { socket, texts, closed: () => closed, refused: () => refused };
}

/** A well-behaved client that must keep getting frames while another misbehaves. */
async function witness(url: string): Promise<{ frames: number[]; client: RoadcastClient }> {
  const client = await RoadcastClient.connect(url, { topics: ['lidar/*'] });
  const frames: number[] = [];
  void (async () => {
    for await (const frame of client) frames.push(frame.seq);
  })();
  return { frames, client };
}

describe('topic globs', () => {
  it('match as the old regular expressions did, on random patterns and topics', () => {
    // The regular expression translation, kept here as the reference for short patterns.
    const regex = (pattern: string): RegExp => new RegExp('^' + pattern.split('**').map((part) =>
      part.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '[^/]*').replace(/\?/g, '[^/]')).join('.*') + '$');
    const random = new Random(11);
    const alphabet = ['a', 'b', '/', '*', '**', '?', '.'];
    for (let i = 0; i < 3000; i++) {
      const pattern = Array.from({ length: 1 + Math.floor(random.next() * 6) }, () => alphabet[Math.floor(random.next() * alphabet.length)]).join('');
      const topic = Array.from({ length: Math.floor(random.next() * 8) }, () => ['a', 'b', '/', '.'][Math.floor(random.next() * 4)]).join('');
      expect(topicFilter([pattern])(topic), `${pattern} on ${topic}`).toBe(regex(pattern).test(topic));
    }
  });

  it('answer a pattern built to backtrack (forty stars, then a letter) at once', () => {
    const accepts = topicFilter(['*'.repeat(40) + 'z', `${'**/'.repeat(20)}z`]);
    // A regular expression of the same takes exponential time on this miss; the state machine
    // takes (pattern length x topic length) steps. The bound here only catches a hang.
    const started = Date.now();
    expect(accepts('a'.repeat(200))).toBe(false);
    expect(accepts(`${'a/'.repeat(30)}z`)).toBe(true);
    expect(Date.now() - started).toBeLessThan(5000);
  });
});

describe('the frame server against hostile clients', () => {
  it('refuses oversized and too many patterns with an error reply, and serves the others meanwhile', async () => {
    const server = new FrameServer({ port: 0 });
    const { url } = await server.start();
    try {
      const good = await witness(url);
      const bad = raw(url);
      await until(() => bad.texts.length === 1);
      bad.socket.send(JSON.stringify({ type: 'subscribe', topics: ['a'.repeat(50_000)] }));
      bad.socket.send(JSON.stringify({ type: 'subscribe', topics: Array.from({ length: 3000 }, (_, i) => `t${i}/*`) }));
      bad.socket.send(JSON.stringify({ type: 'subscribe', topics: ['*'.repeat(40) + 'z'] }));
      await until(() => bad.texts.length >= 4);
      expect(bad.texts.slice(1, 3).map((t) => t.message)).toEqual([
        'a topic pattern has at most 256 characters, got one of 50000',
        'a subscription takes at most 64 patterns, got 3000',
      ]);
      expect(bad.texts[3]).toEqual({ type: 'ack', request: 'subscribe' });
      // Too long a pattern in the URL: an error and a close (1008); a URL past Node's header
      // limit is refused by the HTTP server itself (431). Neither crashes anything.
      const inUrl = raw(`${url}/?topics=${'*'.repeat(5000)}`);
      await until(() => inUrl.closed() !== undefined);
      expect(inUrl.closed()!.code).toBe(1008);
      expect(inUrl.texts.at(-1)?.message).toBe('a topic pattern has at most 256 characters, got one of 5000');
      const huge = raw(`${url}/?topics=${'*'.repeat(50_000)}`);
      await until(() => huge.refused() !== undefined);
      expect(huge.refused()).toBe(431);
      for (let seq = 0; seq < 20; seq++) server.broadcast(makeFrame('lidar/top', 'lidar', seq, seq * 1e8, 1));
      await until(() => good.frames.length === 20);
      expect(good.frames).toEqual(Array.from({ length: 20 }, (_, i) => i));
      good.client.close();
      bad.socket.close();
    } finally {
      await server.close();
    }
  });

  it('cuts off a client that floods messages without reading, and keeps no state of it', async () => {
    const server = new FrameServer({ port: 0, highWaterBytes: 64 * 1024 });
    const { url } = await server.start();
    try {
      const good = await witness(url);
      const bad = raw(url);
      await until(() => bad.texts.length === 1);
      bad.socket.pause(); // never reads a reply
      const junk = 'x'.repeat(60 * 1024);
      for (let i = 0; i < 2000 && bad.socket.readyState === WebSocket.OPEN; i++) bad.socket.send(junk);
      await until(() => bad.closed() !== undefined || server.clientCount === 1);
      bad.socket.resume();
      await until(() => bad.closed() !== undefined);
      expect(bad.closed()!.code).toBe(1008);
      expect(bad.closed()!.reason).toMatch(/sends more than 100 messages a second|sends without reading the replies/);
      await until(() => server.sessionStats().length === 1);
      server.broadcast(makeFrame('lidar/top', 'lidar', 7, 0, 1));
      await until(() => good.frames.includes(7));
      good.client.close();
    } finally {
      await server.close();
    }
  });

  it('bounds step, and a paused run keeps one abort listener however often it pauses', async () => {
    const control = new RunControl(false);
    const server = new FrameServer({ port: 0, onControl: (message) => control.apply(message) });
    const { url } = await server.start();
    const client = raw(url);
    try {
      await until(() => client.texts.length === 1);
      client.socket.send(JSON.stringify({ type: 'step', ticks: 1_000_000 }));
      await until(() => client.texts.length === 2);
      expect(client.texts[1].message).toBe('"ticks" must be an integer from 1 to 10000, got 1000000');
      const interrupt = new AbortController();
      control.pause();
      for (let i = 0; i < 200; i++) {
        const gate = control.gate(i * 10_000_000, interrupt.signal);
        control.step(1);
        await gate;
        expect(getEventListeners(interrupt.signal, 'abort').length).toBeLessThanOrEqual(1);
      }
      expect(getEventListeners(interrupt.signal, 'abort')).toHaveLength(0);
    } finally {
      client.socket.close();
      await server.close();
    }
  });
});

describe('web pages and other hosts', () => {
  it('refuses pages of other origins and other Host names (cross-site WebSocket hijacking, DNS rebinding)', async () => {
    const server = new FrameServer({ port: 0 });
    const { url, port } = await server.start();
    try {
      const refusedWith = async (headers: Record<string, string>): Promise<number | undefined> => {
        const client = raw(url, headers);
        await until(() => client.refused() !== undefined || client.texts.length > 0);
        client.socket.terminate();
        return client.refused();
      };
      expect(await refusedWith({ Origin: 'https://evil.example' })).toBe(403);
      expect(await refusedWith({ Origin: 'null' })).toBe(403);
      expect(await refusedWith({ Host: `evil.example:${port}` })).toBe(403);
      expect(await refusedWith({ Host: `evil.example:${port}`, Origin: `http://evil.example:${port}` })).toBe(403);
      // The viewer (same origin), under either loopback name, and command-line clients (no Origin).
      expect(await refusedWith({ Origin: `http://127.0.0.1:${port}` })).toBeUndefined();
      expect(await refusedWith({ Host: `localhost:${port}`, Origin: `http://localhost:${port}` })).toBeUndefined();
      expect(await refusedWith({})).toBeUndefined();
      // The pages themselves: a rebinding page's request names its own host.
      const status = (host: string): Promise<number> => new Promise((resolve, reject) => {
        const request = httpGet({ host: '127.0.0.1', port, path: '/', headers: { Host: host } }, (response) => {
          response.resume();
          resolve(response.statusCode ?? 0);
        });
        request.on('error', reject);
      });
      expect(await status('evil.example')).toBe(403);
      expect(await status(`127.0.0.1:${port}`)).not.toBe(403);
    } finally {
      await server.close();
    }
    const allowing = new FrameServer({ port: 0, allowOrigins: ['https://my.dashboard.example'] });
    const { url: allowedUrl } = await allowing.start();
    try {
      const client = raw(allowedUrl, { Origin: 'https://my.dashboard.example' });
      await until(() => client.texts.length > 0 || client.refused() !== undefined);
      expect(client.texts[0]?.type).toBe('hello');
      client.socket.close();
    } finally {
      await allowing.close();
    }
  });
});

describe('the Foxglove port', () => {
  const { FoxgloveClient } = wsProtocol;

  it('answers malformed messages with a status and serves on; and enforces the token', async () => {
    const bridge = new FoxgloveBridge({ port: 0, topics: [{ topic: 'lidar/top', kind: 'lidar' }], token: 's3cret' });
    const url = await bridge.start();
    try {
      // No token: refused at the handshake.
      const anonymous = new WebSocket(url, [FoxgloveClient.SUPPORTED_SUBPROTOCOL]);
      const status = await new Promise<number>((resolve) => {
        anonymous.on('unexpected-response', (_request, response) => resolve(response.statusCode ?? 0));
        anonymous.on('open', () => resolve(101));
        anonymous.on('error', () => undefined);
      });
      expect(status).toBe(401);
      anonymous.terminate();

      const hostile = new WebSocket(`${url}/?token=s3cret`, [FoxgloveClient.SUPPORTED_SUBPROTOCOL]);
      const statuses: string[] = [];
      hostile.on('message', (data, isBinary) => {
        if (isBinary) return;
        const message = JSON.parse(data.toString());
        if (message.op === 'status') statuses.push(message.message);
      });
      await new Promise((resolve) => hostile.once('open', resolve));
      for (const text of ['null', '{"op":"subscribe","subscriptions":[null]}', '{"op":"subscribe","subscriptions":[{"id":-1,"channelId":1}]}', `{"op":"subscribe","subscriptions":[{"id":${2 ** 32},"channelId":1}]}`, '{"op":"unsubscribe","subscriptionIds":"all"}']) hostile.send(text);
      await until(() => statuses.length === 5);
      expect(statuses[0]).toBe('a message must be a JSON object with an "op"');
      expect(statuses.slice(1, 4).every((s) => s.startsWith('each subscription must be { id, channelId } with integers from 0 to 4294967295'))).toBe(true);

      // A well-behaved client with the token gets its messages.
      const socket = new WebSocket(`${url}/?token=s3cret`, [FoxgloveClient.SUPPORTED_SUBPROTOCOL]);
      const client = new FoxgloveClient({ ws: socket as unknown as IWebSocket });
      let received = 0;
      client.on('advertise', (channels) => {
        const lidar = channels.find((c) => c.topic === 'lidar/top');
        if (lidar) client.subscribe(lidar.id);
      });
      client.on('message', () => received++);
      await until(() => bridge.channels.size > 0);
      for (let seq = 0; received === 0 && seq < 500; seq++) {
        bridge.write(makeFrame('lidar/top', 'lidar', seq, seq * 1e8, 4));
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      expect(received).toBeGreaterThan(0);
      client.close();
      hostile.close();
    } finally {
      await bridge.close();
    }
  });
});

describe('serving beyond this machine', () => {
  it('warns when a port is reachable from other machines without a token', () => {
    const result = spawnSync(process.execPath, ['dist/cli/main.js', 'run', 'scenarios/straight-road.yaml', '--serve', '--host', '0.0.0.0', '--port', '0', '--duration', '0.1', '--no-record'], { encoding: 'utf8' });
    expect(result.status).toBe(0);
    expect(result.stderr).toMatch(/^roadcast: warning: --port \d+ is reachable from other machines and has no --token: anyone who reaches it can read every frame and drive the run$/m);
    const quiet = spawnSync(process.execPath, ['dist/cli/main.js', 'run', 'scenarios/straight-road.yaml', '--serve', '--host', '0.0.0.0', '--port', '0', '--duration', '0.1', '--no-record', '--token', 's3cret'], { encoding: 'utf8' });
    expect(quiet.status).toBe(0);
    expect(quiet.stderr).not.toContain('reachable from other machines');
  });
});
