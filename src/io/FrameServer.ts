/**
 * Streams frames live to WebSocket clients: every frame goes to every connected client as one
 * binary message holding the frame's wire bytes (codec.ts), the bytes a recording stores plus
 * `wall_ns`, the wall-clock time of the broadcast (so consumers can measure their lag).
 *
 * The same port also answers plain HTTP: `/` is the browser viewer (built from src/viewer/
 * into dist/viewer/ by `npm run build`) and `/map.glb` the static scene as binary glTF, so
 * `http://127.0.0.1:8765/` shows a run that `ws://127.0.0.1:8765` streams.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { extname, join, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { WebSocket, WebSocketServer } from 'ws';
import { UserError } from '../core/errors.js';
import { AccessPolicy } from './AccessPolicy.js';
import type { Frame } from '../core/frame.js';
import { ROADCAST_VERSION } from '../core/version.js';
import { ClientSession } from './ClientSession.js';
import { encodeFrame } from './codec.js';
import { parseClientMessage, PROTOCOL_VERSION, ProtocolError, topicsFromUrl, type ClientMessage, type ControlMessage, type RealtimeStats, type RunState } from './ControlProtocol.js';
import { wallClockNs } from './wallClock.js';
import { sceneGlb, type StaticScene } from './foxglove/staticScene.js';
import { DEFAULT_HOST, DEFAULT_PORT } from './defaults.js';

export { DEFAULT_HOST, DEFAULT_PORT } from './defaults.js';

/**
 * Clients send only small control messages (the largest, a subscription of 64 patterns of
 * 256 characters, is 17 kB); anything bigger is refused (close code 1009).
 */
const MAX_INCOMING_BYTES = 64 * 1024;

export interface FrameServerOptions {
  host?: string;
  /** 0 picks any free port; start() reports the one chosen. */
  port?: number;
  /** Bytes a client's socket may hold unsent before frames wait in its queue. Default 8 MiB. */
  highWaterBytes?: number;
  /** Frames waiting per client beyond that; the oldest are dropped. Default 16. */
  maxQueuedFrames?: number;
  /** When set, clients must give it as `?token=...` or `Authorization: Bearer ...`. */
  token?: string;
  /** Web page origins allowed besides the server's own pages (AccessPolicy); `*` for any. */
  allowOrigins?: readonly string[];
  /**
   * Handles control messages (everything but subscribe). Returns an error text to send back,
   * or undefined when accepted. Without it, control messages are answered with an error.
   */
  onControl?: (message: ControlMessage) => string | undefined;
  /**
   * The static scene drawn under the frames, served once per page load as `/map.glb`
   * (computed on the first request). Without it the page shows no road.
   */
  scene?: () => StaticScene | undefined | Promise<StaticScene | undefined>;
  /** The built viewer's folder (index.html, assets/); default: dist/viewer beside this module. */
  viewerDir?: string;
}

export interface ServerAddress {
  host: string;
  port: number;
  /** The WebSocket URL (ws://...). */
  url: string;
  /** The viewer page on the same port (http://.../). */
  pageUrl: string;
}

export class FrameServer {
  readonly host: string;
  readonly port: number;
  #server: WebSocketServer | undefined;
  #http: Server | undefined;
  #glb: Promise<Uint8Array | undefined> | undefined;
  #address: ServerAddress | undefined;
  #closing: Promise<void> | undefined;
  #sessions = new Set<ClientSession>();
  #topics = new Set<string>();
  #droppedByClosed = 0;
  #realtime: RealtimeStats | undefined;
  #state: RunState | undefined;
  readonly access: AccessPolicy;

  constructor(private readonly options: FrameServerOptions = {}) {
    this.host = options.host ?? DEFAULT_HOST;
    this.port = options.port ?? DEFAULT_PORT;
    this.access = new AccessPolicy({ host: this.host, token: options.token, allowOrigins: options.allowOrigins });
  }

  async start(): Promise<ServerAddress> {
    if (this.#server) throw new Error('FrameServer.start() called twice');
    if (!Number.isInteger(this.port) || this.port < 0 || this.port > 65535) {
      throw new UserError(`expected a port from 0 to 65535, got ${this.port}`, '--port');
    }
    const http = createServer((request, response) => this.#serveHttp(request, response));
    const server = new WebSocketServer({
      server: http,
      maxPayload: MAX_INCOMING_BYTES,
      perMessageDeflate: false,
      verifyClient: this.access.verifyClient(),
    });
    // ws re-emits the http server's errors; listen failures are handled on `http` below.
    server.on('error', () => undefined);
    try {
      await new Promise<void>((resolve, reject) => {
        http.once('error', reject);
        http.listen(this.port, this.host, () => resolve());
      });
    } catch (error) {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      throw this.#listenError(error);
    }
    // From here on, a socket error concerns one client (or a dying server) and must not crash
    // the simulation; ws closes the connection itself.
    http.on('error', () => undefined);
    server.on('connection', (socket, request) => this.#accept(socket, request));
    this.#server = server;
    this.#http = http;
    const port = (http.address() as { port: number }).port;
    const urlHost = this.host.includes(':') ? `[${this.host}]` : this.host;
    this.#address = { host: this.host, port, url: `ws://${urlHost}:${port}`, pageUrl: `http://${urlHost}:${port}/` };
    return this.#address;
  }

  /** The address start() bound to; undefined before it. */
  get address(): ServerAddress | undefined {
    return this.#address;
  }

  /** Clients with an open connection. */
  get clientCount(): number {
    return [...this.#sessions].filter((s) => s.open).length;
  }

  /** Frames dropped for slow clients, over every client so far. */
  get droppedFrames(): number {
    return this.#droppedByClosed + [...this.#sessions].reduce((n, s) => n + s.dropped, 0);
  }

  /**
   * Queues the frame for every client subscribed to its topic; encodes once (stamped with the
   * wall clock now), and not at all when nobody wants it. Never waits: slow clients lose their
   * oldest frames instead.
   */
  broadcast(frame: Frame): void {
    if (!this.#server) throw new Error('FrameServer.broadcast() before start()');
    this.#topics.add(frame.topic);
    const sessions = [...this.#sessions].filter((s) => s.open && s.wants(frame.topic));
    if (sessions.length === 0) return;
    // ws queues this buffer by reference; encodeFrame never reuses a returned buffer.
    const bytes = encodeFrame(frame, wallClockNs());
    for (const session of sessions) session.enqueue(frame.topic, bytes);
  }

  /**
   * How fast the run goes against the wall clock (RunControl.onPacing). While it is behind,
   * every client gets it in a stats message with each report, and once more when it has
   * caught up; a client that connects meanwhile gets it after its hello.
   */
  reportPacing(report: RealtimeStats): void {
    const wasBehind = this.#realtime?.behind ?? false;
    this.#realtime = { factor: report.factor, target: report.target, behind: report.behind };
    if (!report.behind && !wasBehind) return;
    for (const session of this.#sessions) if (session.open) session.reportStats();
  }

  /**
   * The run stopped or goes again (RunControl.onState): told to every client after the frames
   * sent before it, and to a client that connects while the run is paused.
   */
  reportState(state: RunState): void {
    this.#state = state;
    for (const session of this.#sessions) session.sendInOrder({ type: 'state', paused: state.paused, t_ns: state.t_ns });
  }

  /** A FrameSink: the same as broadcast. */
  write(frame: Frame): void {
    this.broadcast(frame);
  }

  /** Per connected client: frames sent and dropped, frames queued, bytes the socket holds unsent. */
  sessionStats(): { sent: number; dropped: number; queued: number; bufferedBytes: number }[] {
    return [...this.#sessions].map((s) => ({ sent: s.sent, dropped: s.dropped, queued: s.queued, bufferedBytes: s.socket.bufferedAmount }));
  }

  #accept(socket: WebSocket, request: IncomingMessage): void {
    const session = new ClientSession(socket, {
      highWaterBytes: this.options.highWaterBytes ?? 8 * 1024 * 1024,
      maxQueuedFrames: this.options.maxQueuedFrames ?? 16,
    }, () => this.#realtime);
    // A subscription in the URL holds from the first frame on: before this returns, no frame
    // can have been queued for the client.
    try {
      const topics = topicsFromUrl(request.url ?? '/');
      if (topics) session.subscribe(topics);
    } catch (error) {
      if (!(error instanceof ProtocolError)) throw error;
      socket.on('error', () => undefined);
      session.reply({ type: 'error', message: error.message, request: 'topics' });
      socket.close(1008, 'bad topics in the URL');
      return;
    }
    this.#sessions.add(session);
    socket.on('error', () => undefined);
    socket.on('close', () => {
      this.#droppedByClosed += session.dropped;
      this.#sessions.delete(session);
    });
    socket.on('message', (data, isBinary) => {
      if (!session.admit()) return;
      if (isBinary) {
        session.reply({ type: 'error', message: 'control messages are JSON text, not binary' });
        return;
      }
      this.#handle(session, data.toString());
    });
    session.reply({ type: 'hello', version: ROADCAST_VERSION, protocol: PROTOCOL_VERSION, topics: [...this.#topics].sort(), subscription: session.subscription });
    if (this.#realtime?.behind) session.reportStats();
    if (this.#state?.paused) session.sendInOrder({ type: 'state', paused: true, t_ns: this.#state.t_ns });
  }

  #handle(session: ClientSession, text: string): void {
    let message: ClientMessage;
    try {
      message = parseClientMessage(text);
    } catch (error) {
      if (!(error instanceof ProtocolError)) throw error;
      session.reply({ type: 'error', message: error.message, request: text.length <= 200 ? text : `${text.slice(0, 200)}...` });
      return;
    }
    if (message.type === 'subscribe') {
      session.subscribe(message.topics);
      session.reply({ type: 'ack', request: 'subscribe' });
      return;
    }
    const refusal = this.options.onControl ? this.options.onControl(message) : 'this server streams a recording and takes no control messages';
    session.reply(refusal === undefined ? { type: 'ack', request: message.type } : { type: 'error', message: refusal, request: message.type });
  }

  /**
   * Closes every client (code 1001, "going away") once it has the frames queued for it, and
   * stops listening. Idempotent.
   */
  close(): Promise<void> {
    const server = this.#server;
    const http = this.#http;
    if (!server || !http) return Promise.resolve();
    this.#closing ??= (async () => {
      // Stop accepting first, so no client connects while the others are being closed.
      const stopped = new Promise<void>((resolve) => http.close(() => resolve()));
      await Promise.all([...this.#sessions].map((session) => session.close(1001, 'server shutting down')));
      // Connections refused at the handshake (bad topics) are closing on their own.
      for (const client of server.clients) client.terminate();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      http.closeAllConnections();
      await stopped;
    })();
    return this.#closing;
  }

  /** GET / (the viewer), /assets/... (its bundle), /map.glb (the static scene). */
  #serveHttp(request: IncomingMessage, response: ServerResponse): void {
    const send = (status: number, type: string, body: string | Uint8Array, extra: Record<string, string> = {}): void => {
      response.writeHead(status, { 'content-type': type, 'content-length': String(Buffer.byteLength(body)), 'cache-control': 'no-cache', ...extra });
      response.end(request.method === 'HEAD' ? undefined : body);
    };
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      send(405, 'text/plain; charset=utf-8', 'only GET\n', { allow: 'GET, HEAD' });
      return;
    }
    let path: string;
    try {
      path = new URL(request.url ?? '/', 'http://localhost').pathname;
    } catch {
      send(400, 'text/plain; charset=utf-8', 'bad request\n');
      return;
    }
    // The viewer's scripts and styles are the same for everyone and hold no data: they load
    // without the token (a page opened as /?token=... asks for them without it).
    const refusal = this.access.check(request, !path.startsWith('/assets/'));
    if (refusal) {
      send(refusal.status, 'text/plain; charset=utf-8', `${refusal.status === 401 ? 'this server needs a token: open /?token=...' : refusal.message}\n`);
      return;
    }
    if (path === '/map.glb') {
      this.#glb ??= Promise.resolve(this.options.scene?.()).then((scene) => (scene ? sceneGlb(scene) : undefined));
      this.#glb.then(
        (glb) => (glb ? send(200, 'model/gltf-binary', glb) : send(404, 'text/plain; charset=utf-8', 'this server has no map\n')),
        (error: unknown) => send(500, 'text/plain; charset=utf-8', `cannot build the map: ${(error as Error).message}\n`),
      );
      return;
    }
    const dir = this.options.viewerDir ?? defaultViewerDir();
    if (!dir) {
      send(path === '/' ? 200 : 404, 'text/html; charset=utf-8', '<!doctype html><title>roadcast</title><p>The viewer is not built: run <code>npm run build</code>. Frames stream on this port over WebSocket.</p>\n');
      return;
    }
    const root = resolve(dir);
    let file: string;
    try {
      file = resolve(join(root, path === '/' ? 'index.html' : decodeURIComponent(path)));
    } catch {
      file = '';
    }
    if (!file.startsWith(root + sep) || !existsSync(file) || !statSync(file).isFile()) {
      send(404, 'text/plain; charset=utf-8', 'not found\n');
      return;
    }
    send(200, CONTENT_TYPES[extname(file)] ?? 'application/octet-stream', readFileSync(file));
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

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.map': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.wasm': 'application/wasm',
};

/**
 * The built viewer: dist/viewer beside dist/io (the built package), or, when this module runs
 * from src/ (tests, tsx), the dist/viewer of the same checkout. Undefined when not built.
 */
function defaultViewerDir(): string | undefined {
  for (const candidate of ['../viewer/', '../../dist/viewer/']) {
    const dir = fileURLToPath(new URL(candidate, import.meta.url));
    if (existsSync(join(dir, 'index.html')) && existsSync(join(dir, 'assets'))) return dir;
  }
  return undefined;
}
