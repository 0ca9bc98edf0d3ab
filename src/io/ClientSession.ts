import { WebSocket } from 'ws';
import type { ServerMessage } from './ControlProtocol.js';
import { topicFilter } from './ControlProtocol.js';

export interface SessionLimits {
  /** Frames held for a client beyond what its socket has taken; the oldest go first. */
  maxQueuedFrames: number;
  /** Bytes the socket may hold unsent before the session stops handing it frames. */
  highWaterBytes: number;
}

/**
 * One connected client: its topic subscription and a bounded queue. A client that reads
 * slowly or not at all loses its oldest frames (counted, and reported to it in a stats
 * message once it reads again) and never holds up the simulation or other clients: memory
 * per client is at most highWaterBytes plus maxQueuedFrames frames.
 */
export class ClientSession {
  #queue: Uint8Array[] = [];
  #accepts: (topic: string) => boolean = () => true;
  #sent = 0;
  #dropped = 0;
  #reportedDropped = 0;

  constructor(readonly socket: WebSocket, private readonly limits: SessionLimits) {}

  get sent(): number {
    return this.#sent;
  }

  get dropped(): number {
    return this.#dropped;
  }

  get queued(): number {
    return this.#queue.length;
  }

  get open(): boolean {
    return this.socket.readyState === WebSocket.OPEN;
  }

  subscribe(patterns: readonly string[]): void {
    this.#accepts = topicFilter(patterns);
  }

  wants(topic: string): boolean {
    return this.#accepts(topic);
  }

  enqueue(bytes: Uint8Array): void {
    if (this.#queue.length >= this.limits.maxQueuedFrames) {
      this.#queue.shift();
      this.#dropped++;
    }
    this.#queue.push(bytes);
    this.pump();
  }

  reply(message: ServerMessage): void {
    if (this.open) this.socket.send(JSON.stringify(message));
  }

  /** Hands queued frames to the socket while it has room; called again when a send completes. */
  pump(): void {
    if (!this.open) {
      this.#queue.length = 0;
      return;
    }
    if (this.#dropped !== this.#reportedDropped && this.socket.bufferedAmount < this.limits.highWaterBytes) {
      this.#reportedDropped = this.#dropped;
      this.reply({ type: 'stats', sent: this.#sent, dropped: this.#dropped, queued: this.#queue.length });
    }
    while (this.#queue.length > 0 && this.socket.bufferedAmount < this.limits.highWaterBytes) {
      const bytes = this.#queue.shift()!;
      this.#sent++;
      this.socket.send(bytes, { binary: true }, () => this.pump());
    }
  }
}
