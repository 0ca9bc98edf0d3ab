/**
 * A typed client for a roadcast server: connect, subscribe, send control messages, and read
 * decoded frames with `for await`. Importable alone as `roadcast/client`.
 */
import WebSocket from 'ws';
import type { Frame } from '../core/frame.js';
import { decodeFrame } from './codec.js';
import type { ClientMessage, ServerMessage } from './ControlProtocol.js';

export interface ClientOptions {
  /** Topic names or globs (`lidar/*`); all topics when absent. */
  topics?: string[];
  token?: string;
  /** Frames buffered before the socket is paused, so a slow consumer pushes back on the server. */
  maxBuffered?: number;
}

export class RoadcastClient implements AsyncIterable<Frame> {
  #frames: Frame[] = [];
  #waiting: ((result: IteratorResult<Frame>) => void) | undefined;
  #failure: ((error: Error) => void) | undefined;
  #closed = false;
  #error: Error | undefined;
  /** The server's greeting (version, protocol, topics seen so far). */
  hello: Extract<ServerMessage, { type: 'hello' }> | undefined;
  /** The latest drop report for this client. */
  stats: Extract<ServerMessage, { type: 'stats' }> | undefined;
  /** Every text message from the server (acks, errors, stats), in order. */
  readonly messages: ServerMessage[] = [];

  private constructor(private readonly socket: WebSocket, private readonly maxBuffered: number) {
    socket.on('message', (data: Buffer, isBinary: boolean) => {
      if (!isBinary) {
        const message = JSON.parse(data.toString()) as ServerMessage;
        this.messages.push(message);
        if (message.type === 'hello') this.hello = message;
        if (message.type === 'stats') this.stats = message;
        return;
      }
      let frame: Frame;
      try {
        frame = decodeFrame(data);
      } catch (error) {
        this.#fail(error as Error);
        return;
      }
      if (this.#waiting) {
        const resolve = this.#waiting;
        this.#waiting = undefined;
        this.#failure = undefined;
        resolve({ value: frame, done: false });
        return;
      }
      this.#frames.push(frame);
      if (this.#frames.length >= this.maxBuffered) socket.pause();
    });
    socket.on('close', () => {
      this.#closed = true;
      if (this.#waiting) {
        const resolve = this.#waiting;
        this.#waiting = undefined;
        resolve({ value: undefined, done: true });
      }
    });
    socket.on('error', (error) => this.#fail(error));
  }

  static async connect(url: string, options: ClientOptions = {}): Promise<RoadcastClient> {
    const target = new URL(url);
    if (options.token !== undefined) target.searchParams.set('token', options.token);
    const socket = new WebSocket(target);
    const client = new RoadcastClient(socket, options.maxBuffered ?? 64);
    await new Promise<void>((resolve, reject) => {
      socket.once('open', () => resolve());
      socket.once('unexpected-response', (_request, response) => reject(new Error(`server refused the connection: HTTP ${response.statusCode}`)));
      socket.once('error', reject);
    });
    if (options.topics) client.send({ type: 'subscribe', topics: options.topics });
    return client;
  }

  send(message: ClientMessage): void {
    this.socket.send(JSON.stringify(message));
  }

  subscribe(topics: string[]): void {
    this.send({ type: 'subscribe', topics });
  }

  /** The next frame, or undefined once the server has closed the stream. */
  next(): Promise<IteratorResult<Frame>> {
    if (this.#error) return Promise.reject(this.#error);
    const frame = this.#frames.shift();
    if (frame) {
      if (this.#frames.length < this.maxBuffered / 2 && this.socket.isPaused) this.socket.resume();
      return Promise.resolve({ value: frame, done: false });
    }
    if (this.#closed) return Promise.resolve({ value: undefined, done: true });
    return new Promise((resolve, reject) => {
      this.#waiting = resolve;
      this.#failure = reject;
    });
  }

  [Symbol.asyncIterator](): AsyncIterator<Frame> {
    return { next: () => this.next(), return: async () => { this.close(); return { value: undefined, done: true }; } };
  }

  close(): void {
    this.socket.close();
  }

  #fail(error: Error): void {
    this.#error ??= error;
    const reject = this.#failure;
    this.#waiting = undefined;
    this.#failure = undefined;
    reject?.(error);
    this.socket.terminate();
  }
}
