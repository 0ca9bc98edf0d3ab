import { describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { UserError } from '../../src/core/errors.js';
import { fieldArray } from '../../src/core/frame.js';
import { decodeFrame, DEFAULT_PORT, FrameServer } from '../../src/io/index.js';
import { makeFrame } from './frames.js';

function connect(url: string): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url);
    socket.once('open', () => resolve(socket));
    socket.once('error', reject);
  });
}

async function until(condition: () => boolean): Promise<void> {
  for (let i = 0; i < 200 && !condition(); i++) await new Promise((resolve) => setTimeout(resolve, 10));
  expect(condition()).toBe(true);
}

describe('FrameServer', () => {
  it('defaults to 127.0.0.1:8765', () => {
    const server = new FrameServer({});
    expect([server.host, server.port, DEFAULT_PORT]).toEqual(['127.0.0.1', 8765, 8765]);
  });

  it('sends every broadcast frame to a connected client as one binary message', async () => {
    const server = new FrameServer({ port: 0 });
    const address = await server.start();
    try {
      expect(address.host).toBe('127.0.0.1');
      expect(address.port).toBeGreaterThan(0);
      expect(address.url).toBe(`ws://127.0.0.1:${address.port}`);
      server.broadcast(makeFrame('lidar/top', 'lidar', 99, 0)); // nobody listens: dropped quietly

      const client = await connect(`ws://127.0.0.1:${address.port}`);
      const received: { data: Buffer; binary: boolean }[] = [];
      // Text messages are the control channel (hello, acks, stats); frames are the binary ones.
      client.on('message', (data, binary) => {
        if (binary) received.push({ data: data as Buffer, binary });
      });
      await until(() => server.clientCount === 1);

      for (let seq = 0; seq < 3; seq++) server.broadcast(makeFrame('lidar/top', 'lidar', seq, 5_000_000_000 + seq * 100_000_000, 4));
      await until(() => received.length === 3);

      const frames = received.map((message) => {
        expect(message.binary).toBe(true);
        return decodeFrame(message.data);
      });
      expect(frames.map((f) => [f.seq, f.t_ns])).toEqual([[0, 5_000_000_000], [1, 5_100_000_000], [2, 5_200_000_000]]);
      expect(frames[2].data.points.dtype).toBe('float32');
      expect(frames[2].data.points.shape).toEqual([4, 4]);
      expect(Array.from(fieldArray(frames[2].data.points)).slice(0, 8)).toEqual([2, 0, 5.199999809265137, 0.5, 2, 1, 5.199999809265137, 0.5]);
      client.close();
    } finally {
      await server.close();
    }
  });

  it('refuses a port that is in use with a clear UserError', async () => {
    const first = new FrameServer({ port: 0 });
    const { port } = await first.start();
    try {
      const second = new FrameServer({ port });
      const error = await second.start().catch((e: unknown) => e);
      expect(error).toBeInstanceOf(UserError);
      expect((error as Error).message).toBe(`port ${port} on 127.0.0.1 is already in use; pick another with --port`);
      await second.close();
    } finally {
      await first.close();
    }
  });

  it('close() closes clients with "going away" and stops listening', async () => {
    const server = new FrameServer({ port: 0 });
    const { url } = await server.start();
    const client = await connect(url);
    await until(() => server.clientCount === 1);
    const closed = new Promise<number>((resolve) => client.once('close', (code) => resolve(code)));
    await server.close();
    expect(await closed).toBe(1001);
    expect(server.clientCount).toBe(0);
    await server.close();
    await expect(connect(url)).rejects.toThrow(/ECONNREFUSED/);
  });

  it('cuts off a client that sends more than the incoming limit', async () => {
    const server = new FrameServer({ port: 0 });
    const { url } = await server.start();
    try {
      const client = await connect(url);
      client.on('error', () => undefined);
      const closed = new Promise<number>((resolve) => client.once('close', (code) => resolve(code)));
      client.send(new Uint8Array(2 * 1024 * 1024));
      expect(await closed).toBe(1009);
    } finally {
      await server.close();
    }
  });
});
