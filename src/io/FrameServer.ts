/**
 * Streams frames live to WebSocket clients: every frame goes to every connected client as one
 * binary message holding the frame's wire bytes (codec.ts), the same bytes a recording stores.
 */
import { WebSocket, WebSocketServer } from 'ws';
import { UserError } from '../core/errors.js';
import type { Frame } from '../core/frame.js';
import { encodeFrame } from './codec.js';

export const DEFAULT_PORT = 8765;
/** Loopback by default: a simulator should not be reachable from the network unless asked. */
export const DEFAULT_HOST = '127.0.0.1';

/** Clients send only small control messages; anything bigger is refused (close code 1009). */
const MAX_INCOMING_BYTES = 1 << 20;
/** How long a client may take to answer the close handshake before it is cut off. */
const CLOSE_TIMEOUT_MS = 1000;

export interface FrameServerOptions {
  host?: string;
  /** 0 picks any free port; start() reports the one chosen. */
  port?: number;
  /**
   * Frames are skipped for a client whose unsent data exceeds this many bytes, so one stalled
   * viewer cannot grow the simulator's memory without bound. Default 64 MiB.
   */
  maxQueuedBytes?: number;
}

export interface ServerAddress {
  host: string;
  port: number;
  url: string;
}

export class FrameServer {
  readonly host: string;
  readonly port: number;
  readonly maxQueuedBytes: number;
  #server: WebSocketServer | undefined;
  #address: ServerAddress | undefined;
  #closing: Promise<void> | undefined;
  #droppedFrames = 0;

  constructor(options: FrameServerOptions = {}) {
    this.host = options.host ?? DEFAULT_HOST;
    this.port = options.port ?? DEFAULT_PORT;
    this.maxQueuedBytes = options.maxQueuedBytes ?? 64 * 1024 * 1024;
  }

  async start(): Promise<ServerAddress> {
    if (this.#server) throw new Error('FrameServer.start() called twice');
    if (!Number.isInteger(this.port) || this.port < 0 || this.port > 65535) {
      throw new UserError(`expected a port from 0 to 65535, got ${this.port}`, '--port');
    }
    const server = new WebSocketServer({ host: this.host, port: this.port, maxPayload: MAX_INCOMING_BYTES, perMessageDeflate: false });
    try {
      await new Promise<void>((resolve, reject) => {
        server.once('listening', resolve);
        server.once('error', reject);
      });
    } catch (error) {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      throw this.#listenError(error);
    }
    // From here on, a socket error concerns one client (or a dying server) and must not crash
    // the simulation; ws closes the connection itself.
    server.on('error', () => undefined);
    server.on('connection', (socket) => {
      socket.on('error', () => undefined);
      // Incoming messages are ignored for now; control messages will be parsed here.
      socket.on('message', () => undefined);
    });
    this.#server = server;
    const port = (server.address() as { port: number }).port;
    const urlHost = this.host.includes(':') ? `[${this.host}]` : this.host;
    this.#address = { host: this.host, port, url: `ws://${urlHost}:${port}` };
    return this.#address;
  }

  /** The address start() bound to; undefined before it. */
  get address(): ServerAddress | undefined {
    return this.#address;
  }

  /** Clients with an open connection. */
  get clientCount(): number {
    return this.#openClients().length;
  }

  /** Frames not sent to some client because its queue was full. */
  get droppedFrames(): number {
    return this.#droppedFrames;
  }

  /** Sends the frame to every open client; encodes once, and not at all when nobody listens. */
  broadcast(frame: Frame): void {
    if (!this.#server) throw new Error('FrameServer.broadcast() before start()');
    const clients = this.#openClients();
    if (clients.length === 0) return;
    // ws queues this buffer by reference; encodeFrame never reuses a returned buffer.
    const bytes = encodeFrame(frame);
    for (const client of clients) {
      if (client.bufferedAmount > this.maxQueuedBytes) {
        this.#droppedFrames++;
        continue;
      }
      client.send(bytes, { binary: true });
    }
  }

  /** Closes every client (code 1001, "going away") and stops listening. Idempotent. */
  close(): Promise<void> {
    const server = this.#server;
    if (!server) return Promise.resolve();
    this.#closing ??= (async () => {
      // Stop accepting first, so no client connects while the others are being closed.
      const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
      await Promise.all([...server.clients].map(closeClient));
      await stopped;
    })();
    return this.#closing;
  }

  #openClients(): WebSocket[] {
    if (!this.#server) return [];
    return [...this.#server.clients].filter((client) => client.readyState === WebSocket.OPEN);
  }

  #listenError(error: unknown): unknown {
    const code = (error as NodeJS.ErrnoException).code;
    const where = `port ${this.port} on ${this.host}`;
    switch (code) {
      case 'EADDRINUSE':
        return new UserError(`${where} is already in use; pick another with --port`);
      case 'EACCES':
        return new UserError(`no permission to listen on ${where} (ports below 1024 need privileges); pick another with --port`);
      case 'EADDRNOTAVAIL':
      case 'ENOTFOUND':
      case 'EAI_AGAIN':
        return new UserError(`cannot listen on ${this.host}: it is not an address of this machine; pick another with --host`);
      default:
        return error;
    }
  }
}

function closeClient(client: WebSocket): Promise<void> {
  if (client.readyState === WebSocket.CLOSED) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => client.terminate(), CLOSE_TIMEOUT_MS);
    client.once('close', () => {
      clearTimeout(timer);
      resolve();
    });
    client.close(1001, 'server shutting down');
  });
}
