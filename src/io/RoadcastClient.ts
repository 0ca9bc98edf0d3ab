/**
 * A typed client for a roadcast server: connect, subscribe, send control messages, and read
 * decoded frames with `for await`. Importable alone as `roadcast/client`.
 *
 * Frames come as codec.ts decodes them: every integer time (`t_ns`, `wall_ns`) is a number.
 */
import WebSocket from 'ws';
import type { Frame } from '../core/frame.js';
import { decodeFrame } from './codec.js';
import { topicFilter, type ClientMessage, type ServerMessage } from './ControlProtocol.js';

export interface ClientOptions {
  /**
   * Topic names or globs (`lidar/*`); all topics when absent. Given in the URL
   * (`?topics=...`), so the server applies them before it sends the first frame.
   */
  topics?: string[];
  token?: string;
  /** Frames buffered before the socket is paused, so a slow consumer pushes back on the server. */
  maxBuffered?: number;
  /** How long connect() waits for the server's hello before it gives up. Default 10 s. */
  helloTimeoutMs?: number;
}

type Hello = Extract<ServerMessage, { type: 'hello' }>;

export class RoadcastClient implements AsyncIterable<Frame> {
  #frames: Frame[] = [];
  #waiting: ((result: IteratorResult<Frame>) => void) | undefined;
  #failure: ((error: Error) => void) | undefined;
  #closed = false;
  #error: Error | undefined;
  #accepts: (topic: string) => boolean;
  /** The server's greeting (version, protocol, topics seen so far, this client's subscription); set once connect() resolves. */
  hello!: Hello;
  /** The latest stats for this client: frames it lost, and how the run keeps up with the wall clock. */
  stats: Extract<ServerMessage, { type: 'stats' }> | undefined;
  /** The run's latest state: paused or going, at which simulation time. */
  state: Extract<ServerMessage, { type: 'state' }> | undefined;
  /** Every text message from the server (hello, acks, errors, stats, states), in order. */
  readonly messages: ServerMessage[] = [];

  private constructor(private readonly socket: WebSocket, private readonly maxBuffered: number, topics: readonly string[]) {
    this.#accepts = topicFilter(topics);
    socket.on('message', (data: Buffer, isBinary: boolean) => {
      if (!isBinary) {
        let message: ServerMessage;
        try {
          message = JSON.parse(data.toString()) as ServerMessage;
        } catch {
          this.#fail(new Error(`the server sent a text message that is not JSON: ${data.toString().slice(0, 80)}`));
          return;
        }
        this.messages.push(message);
        if (message.type === 'hello') this.hello = message;
        if (message.type === 'stats') this.stats = message;
        if (message.type === 'state') this.state = message;
        return;
      }
      let frame: Frame;
      try {
        frame = decodeFrame(data);
      } catch (error) {
        this.#fail(error as Error);
        return;
      }
      // A frame the server sent before it read a newer subscribe(): the client no longer asks for it.
      if (!this.#accepts(frame.topic)) return;
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

  /**
   * Connects and resolves once the server's hello has arrived (`client.hello`), with the
   * subscription in force; rejects with the server's reason when it refuses, and when no
   * hello comes within `helloTimeoutMs`.
   */
  static async connect(url: string, options: ClientOptions = {}): Promise<RoadcastClient> {
    const target = new URL(url);
    if (options.token !== undefined) target.searchParams.set('token', options.token);
    const topics = options.topics ?? [];
    const comma = topics.find((t) => t.includes(','));
    if (comma !== undefined) throw new Error(`topic ${JSON.stringify(comma)} has a comma, which the URL's topics list cannot hold`);
    if (topics.length > 0) target.searchParams.set('topics', topics.join(','));
    const timeoutMs = options.helloTimeoutMs ?? 10_000;
    const socket = new WebSocket(target);
    const client = new RoadcastClient(socket, options.maxBuffered ?? 64, topics);
    try {
      await new Promise<void>((resolve, reject) => {
        const onMessage = (_data: Buffer, isBinary: boolean): void => {
          if (isBinary) return;
          const message = client.messages[client.messages.length - 1];
          if (message?.type === 'hello') settle();
          else if (message?.type === 'error') settle(new Error(`server refused the connection: ${message.message}`));
        };
        const onRefused = (_request: unknown, response: { statusCode?: number }): void => settle(new Error(`server refused the connection: HTTP ${response.statusCode}`));
        const onError = (error: Error): void => settle(error);
        const onClose = (code: number, reason: Buffer): void => settle(new Error(`server closed the connection before its hello (code ${code}${reason.length ? `: ${reason}` : ''})`));
        const timer = setTimeout(() => settle(new Error(`no hello from ${url} within ${timeoutMs / 1000} s: is it a roadcast server?`)), timeoutMs);
        function settle(error?: Error): void {
          clearTimeout(timer);
          socket.off('message', onMessage).off('unexpected-response', onRefused).off('error', onError).off('close', onClose);
          if (error) reject(error);
          else resolve();
        }
        // After the client's own handler, which has parsed the message by then.
        socket.on('message', onMessage).on('unexpected-response', onRefused).on('error', onError).on('close', onClose);
      });
    } catch (error) {
      socket.terminate();
      throw error;
    }
    return client;
  }

  send(message: ClientMessage): void {
    this.socket.send(JSON.stringify(message));
  }

  /**
   * Asks for these topics only (empty: every topic). From this call on the client yields no
   * frame of another topic, even one the server sent before it read the request.
   */
  subscribe(topics: string[]): void {
    this.#accepts = topicFilter(topics);
    this.send({ type: 'subscribe', topics });
  }

  /** The next frame, or undefined once the server has closed the stream. */
  next(): Promise<IteratorResult<Frame>> {
    if (this.#error) return Promise.reject(this.#error);
    let frame = this.#frames.shift();
    // Frames buffered before a newer subscribe() that the client no longer asks for.
    while (frame && !this.#accepts(frame.topic)) frame = this.#frames.shift();
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
