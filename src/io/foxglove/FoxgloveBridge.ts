/**
 * Speaks the Foxglove WebSocket protocol (`@foxglove/ws-protocol`) beside roadcast's own
 * socket, on a port of its own, so Foxglove (or Lichtblick) shows a live run with no plugin:
 * frames become Foxglove schemas in JSON (messages.ts). A FrameSink: give it every frame.
 *
 * Channels are advertised up front from the topics the run will produce, a camera's image and
 * calibration channels included (so a client sees the whole rig at connection and can
 * subscribe before the first frame), and for any new topic when its first frame arrives.
 * The static scene is sent to each client when it subscribes to `map` (latched).
 */
import { createServer, type Server } from 'node:http';
import wsProtocol, { type IWebSocket } from '@foxglove/ws-protocol';
import { WebSocket, WebSocketServer } from 'ws';
import { UserError } from '../../core/errors.js';
import type { Frame } from '../../core/frame.js';
import { ROADCAST_VERSION } from '../../core/version.js';
import { frameChannels, frameMessages, MAP_TOPIC, sceneMessage, SCHEMAS, TF_TOPIC, topicChannels, type SchemaInfo, type TopicInfo } from './messages.js';
import type { StaticScene } from './staticScene.js';
import { parseFoxgloveClientMessage } from './clientMessages.js';
import { AccessPolicy } from '../AccessPolicy.js';
import { DEFAULT_FOXGLOVE_PORT } from '../defaults.js';

const { FoxgloveServer, StatusLevel } = wsProtocol;

export { DEFAULT_FOXGLOVE_PORT } from '../defaults.js';
/** The subprotocols accepted: the original one, and the foxglove-sdk's name for the same protocol. */
export const FOXGLOVE_SUBPROTOCOLS = ['foxglove.websocket.v1', 'foxglove.sdk.v1'] as const;

export interface FoxgloveBridgeOptions {
  host?: string;
  /** Default 8766; 0 picks a free port. */
  port?: number;
  /**
   * Topics to advertise before their first frame (from the rig, run/'s runTopics, or a
   * recording): `{topic, kind}`, and a camera's `outputs` and `model`.
   */
  topics?: TopicInfo[];
  /** The static scene, sent once to each subscriber of `map`. */
  scene?: () => StaticScene | undefined | Promise<StaticScene | undefined>;
  /** When set, clients must give it as `?token=...` or `Authorization: Bearer ...`. */
  token?: string;
  /** Web page origins allowed besides Foxglove's own apps (AccessPolicy); `*` for any. */
  allowOrigins?: readonly string[];
}

/** Foxglove's web apps, which connect from these pages: allowed on this port by default. */
export const FOXGLOVE_APP_ORIGINS = ['https://app.foxglove.dev', 'https://studio.foxglove.dev'];

/** Bytes a client may hold unsent before further messages to it are dropped (the newest wait for the next frame). */
const HIGH_WATER_BYTES = 32 * 1024 * 1024;

export class FoxgloveBridge {
  readonly host: string;
  readonly port: number;
  #http: Server | undefined;
  #wss: WebSocketServer | undefined;
  #foxglove = new FoxgloveServer({ name: `roadcast ${ROADCAST_VERSION}`, capabilities: ['time'], supportedEncodings: ['json'] });
  #channels = new Map<string, number>();
  #subscribed = new Set<number>();
  #url: string | undefined;
  #sceneBytes: Promise<Uint8Array | undefined> | undefined;
  #lastTimeNs = -1;
  readonly access: AccessPolicy;

  constructor(private readonly options: FoxgloveBridgeOptions = {}) {
    this.host = options.host ?? '127.0.0.1';
    this.port = options.port ?? DEFAULT_FOXGLOVE_PORT;
    this.access = new AccessPolicy({ host: this.host, token: options.token, allowOrigins: [...FOXGLOVE_APP_ORIGINS, ...(options.allowOrigins ?? [])] });
    this.#foxglove.on('subscribe', (id) => this.#subscribed.add(id));
    this.#foxglove.on('unsubscribe', (id) => this.#subscribed.delete(id));
    this.#foxglove.on('error', () => undefined);
    this.#channel(TF_TOPIC, SCHEMAS.frameTransform);
    if (options.scene) this.#channel(MAP_TOPIC, SCHEMAS.sceneUpdate);
    for (const info of options.topics ?? []) {
      for (const { topic, schema } of topicChannels(info)) this.#channel(topic, schema);
    }
  }

  /** Starts listening; resolves with the ws:// URL. */
  async start(): Promise<string> {
    if (!Number.isInteger(this.port) || this.port < 0 || this.port > 65535) {
      throw new UserError(`expected a port from 0 to 65535, got ${this.port}`, '--foxglove-port');
    }
    const http = createServer((_request, response) => {
      response.writeHead(426, { 'content-type': 'text/plain' }).end('This is a Foxglove WebSocket server: open it in Foxglove ("Open connection", Foxglove WebSocket).\n');
    });
    const wss = new WebSocketServer({
      server: http,
      perMessageDeflate: false,
      maxPayload: 1 << 20,
      verifyClient: this.access.verifyClient(),
      handleProtocols: (protocols) => [...protocols].find((p) => (FOXGLOVE_SUBPROTOCOLS as readonly string[]).includes(p)) ?? false,
    });
    wss.on('error', () => undefined);
    wss.on('connection', (socket, request) => this.#accept(socket, `${request.socket.remoteAddress}:${request.socket.remotePort}`));
    try {
      await new Promise<void>((resolve, reject) => {
        http.once('error', reject);
        http.listen(this.port, this.host, () => resolve());
      });
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'EADDRINUSE') throw new UserError(`port ${this.port} on ${this.host} is already in use; pick another with --foxglove-port`);
      throw error;
    }
    http.on('error', () => undefined);
    this.#http = http;
    this.#wss = wss;
    const port = (http.address() as { port: number }).port;
    const urlHost = this.host.includes(':') ? `[${this.host}]` : this.host;
    this.#url = `ws://${urlHost}:${port}`;
    return this.#url;
  }

  get url(): string | undefined {
    return this.#url;
  }

  /** Topic → channel id of every advertised channel. */
  get channels(): ReadonlyMap<string, number> {
    return this.#channels;
  }

  write(frame: Frame): void {
    if (frame.t_ns > this.#lastTimeNs) {
      this.#lastTimeNs = frame.t_ns;
      this.#foxglove.broadcastTime(BigInt(frame.t_ns));
    }
    if (this.#subscribed.size === 0) {
      // Nobody listens: advertise a new topic, but convert nothing.
      for (const { topic, schema } of frameChannels(frame)) this.#channel(topic, schema);
      return;
    }
    for (const message of frameMessages(frame)) {
      const id = this.#channel(message.topic, message.schema);
      // Encoding JSON for nobody is the expensive part: skip channels no one listens to.
      if (!this.#subscribed.has(id)) continue;
      this.#foxglove.sendMessage(id, BigInt(message.timeNs), Buffer.from(JSON.stringify(message.message)));
    }
  }

  #channel(topic: string, schema: SchemaInfo): number {
    const key = `${topic}\u0000${schema.name}`;
    let id = this.#channels.get(key);
    if (id === undefined) {
      id = this.#foxglove.addChannel({ topic, encoding: 'json', schemaName: schema.name, schema: schema.schema, schemaEncoding: 'jsonschema' });
      this.#channels.set(key, id);
    }
    return id;
  }

  #accept(socket: WebSocket, name: string): void {
    socket.on('error', () => undefined);
    // A slow client must not make the server hold frames without bound: past the high-water
    // mark its binary messages are dropped (it sees the next one). The replacement takes one
    // argument, so the library sends each message whole rather than as two fragments.
    const rawSend = socket.send.bind(socket);
    (socket as unknown as { send: (data: string | Uint8Array) => void }).send = (data: string | Uint8Array) => {
      if (socket.readyState !== WebSocket.OPEN) return;
      if (typeof data !== 'string' && socket.bufferedAmount > HIGH_WATER_BYTES) return;
      rawSend(data);
    };
    this.#foxglove.handleConnection(socket as unknown as IWebSocket, name);
    // Every message is checked before the library (or the latched map below) reads it: a
    // malformed one gets a status message and goes no further.
    const libraryHandler = socket.onmessage;
    const mapId = this.#channels.get(`${MAP_TOPIC}\u0000${SCHEMAS.sceneUpdate.name}`);
    socket.onmessage = (event) => {
      const message = parseFoxgloveClientMessage(event.data);
      if (typeof message === 'string') {
        if (socket.readyState === WebSocket.OPEN && socket.bufferedAmount < HIGH_WATER_BYTES) rawSend(JSON.stringify({ op: 'status', level: 2, message }));
        return;
      }
      libraryHandler?.call(socket, event);
      // Latched map: answer this client's own subscription to `map` with the scene. The
      // library has recorded the subscription by now.
      if (mapId === undefined || message.op !== 'subscribe') return;
      for (const subscription of message.subscriptions) {
        if (subscription.channelId !== mapId) continue;
        // A map that cannot be built (a recording's damaged attachment) costs this client its
        // map, with a status message saying why; never the server.
        this.#sendScene(socket, rawSend, subscription.id).catch((error: unknown) => {
          const message = `the map cannot be sent: ${error instanceof Error ? error.message : String(error)}`;
          this.#foxglove.sendStatus({ level: StatusLevel.ERROR, message }, socket as unknown as IWebSocket);
        });
      }
    };
  }

  async #sendScene(socket: WebSocket, send: (data: Uint8Array) => void, subscriptionId: number): Promise<void> {
    this.#sceneBytes ??= (async () => {
      const scene = await this.options.scene?.();
      return scene ? Buffer.from(JSON.stringify(sceneMessage(scene, 0))) : undefined;
    })();
    const payload = await this.#sceneBytes;
    if (!payload || socket.readyState !== WebSocket.OPEN) return;
    // The protocol's message data frame: opcode 1, subscription id u32 LE, timestamp u64 LE, payload.
    const header = Buffer.alloc(13);
    header.writeUInt8(1, 0);
    header.writeUInt32LE(subscriptionId, 1);
    header.writeBigUInt64LE(BigInt(Math.max(0, this.#lastTimeNs)), 5);
    send(Buffer.concat([header, payload]));
  }

  /** Closes every client and stops listening. */
  async close(): Promise<void> {
    const wss = this.#wss;
    const http = this.#http;
    if (!wss || !http) return;
    this.#wss = undefined;
    this.#http = undefined;
    for (const client of wss.clients) client.terminate();
    await new Promise<void>((resolve) => wss.close(() => resolve()));
    await new Promise<void>((resolve) => http.close(() => resolve()));
  }
}
