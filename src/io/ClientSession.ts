import { WebSocket } from 'ws';
import type { RealtimeStats, ServerMessage } from './ControlProtocol.js';
import { topicFilter } from './ControlProtocol.js';

export interface SessionLimits {
  /** Frames held for a client beyond what its socket has taken; the oldest go first. */
  maxQueuedFrames: number;
  /** Bytes the socket may hold unsent before the session stops handing it frames. */
  highWaterBytes: number;
}

/** A frame (with its topic) or a text message that must keep its place among the frames. */
type Queued = { topic: string; bytes: Uint8Array } | { topic: undefined; text: string };

/**
 * Closing: how long a client may go without taking any of what is left for it. Progress is
 * seen a whole frame at a time (Node reports a write done when all of it is), and a busy page
 * may take seconds over a big one.
 */
const CLOSE_STALL_MS = 5000;
/**
 * Closing, once the close frame is in the kernel's hands (which delivers it, and what is before
 * it, even after the socket is let go): how long to wait for the client's answering close
 * before letting go.
 */
const CLOSE_REPLY_MS = 1000;
/**
 * Replies a client may leave unread (its socket over the high-water mark) before it is cut
 * off: one that sends and never reads must not make the server hold its answers.
 */
const MAX_UNREAD_REPLIES = 256;
/**
 * Room for replies beyond the frames' high-water mark: a client slow to read frames still gets
 * its acks and errors, and one that never reads holds at most this much of them.
 */
const REPLY_RESERVE_BYTES = 1024 * 1024;
/** Messages a client may send: a burst, then this many a second. More closes the connection. */
const MESSAGE_BURST = 200;
const MESSAGES_PER_SECOND = 100;

/**
 * One connected client: its topic subscription and a bounded queue. A client that reads
 * slowly or not at all loses its oldest frames (counted, and reported to it in a stats
 * message once it reads again) and never holds up the simulation or other clients: memory
 * per client is at most highWaterBytes plus maxQueuedFrames frames.
 */
export class ClientSession {
  #queue: Queued[] = [];
  #frames = 0;
  #patterns: string[] = [];
  #accepts: (topic: string) => boolean = () => true;
  #sent = 0;
  #dropped = 0;
  #reportedDropped = 0;
  #closeWhenDrained: (() => void) | undefined;
  #unreadReplies = 0;
  #allowance = MESSAGE_BURST;
  #allowanceAt = Date.now();

  /** `realtime`: the run's pacing, put in every stats message while it is known. */
  constructor(readonly socket: WebSocket, private readonly limits: SessionLimits, private readonly realtime: () => RealtimeStats | undefined = () => undefined) {}

  get sent(): number {
    return this.#sent;
  }

  get dropped(): number {
    return this.#dropped;
  }

  /** Frames waiting for the socket. */
  get queued(): number {
    return this.#frames;
  }

  get open(): boolean {
    return this.socket.readyState === WebSocket.OPEN && !this.#closeWhenDrained;
  }

  /** The topic patterns asked for; empty: every topic. */
  get subscription(): string[] {
    return [...this.#patterns];
  }

  /**
   * From now on only these topics; frames of other topics still waiting in the queue go too,
   * so nothing the client no longer wants is sent once this returns. (Frames the socket
   * already holds were sent before the client asked.)
   */
  subscribe(patterns: readonly string[]): void {
    this.#patterns = [...patterns];
    this.#accepts = topicFilter(patterns);
    this.#queue = this.#queue.filter((item) => item.topic === undefined || this.#accepts(item.topic));
    this.#frames = this.#queue.filter((item) => item.topic !== undefined).length;
  }

  wants(topic: string): boolean {
    return this.#accepts(topic);
  }

  enqueue(topic: string, bytes: Uint8Array): void {
    if (this.#frames >= this.limits.maxQueuedFrames) {
      const oldest = this.#queue.findIndex((item) => item.topic !== undefined);
      this.#queue.splice(oldest, 1);
      this.#frames--;
      this.#dropped++;
    }
    this.#queue.push({ topic, bytes });
    this.#frames++;
    this.pump();
  }

  /**
   * A text message sent at once, ahead of any queued frames (hello, replies, stats). When the
   * client has left more than the frames' high-water mark and the replies' reserve unread,
   * replies are dropped; past MAX_UNREAD_REPLIES of them it is cut off (1008), so its replies
   * never pile up in the server.
   */
  reply(message: ServerMessage): void {
    if (!this.open) return;
    if (this.socket.bufferedAmount > this.limits.highWaterBytes + REPLY_RESERVE_BYTES) {
      if (++this.#unreadReplies > MAX_UNREAD_REPLIES) this.#refuse('it sends without reading the replies');
      return;
    }
    this.#unreadReplies = 0;
    this.socket.send(JSON.stringify(message));
  }

  /**
   * Counts one message from the client against its allowance (a token bucket); false, and the
   * connection closed (1008), when it sends faster than any control client needs to.
   */
  admit(): boolean {
    const now = Date.now();
    this.#allowance = Math.min(MESSAGE_BURST, this.#allowance + ((now - this.#allowanceAt) / 1000) * MESSAGES_PER_SECOND);
    this.#allowanceAt = now;
    if (this.#allowance < 1) {
      this.#refuse(`it sends more than ${MESSAGES_PER_SECOND} messages a second`);
      return false;
    }
    this.#allowance--;
    return true;
  }

  /** Ends a misbehaving client's connection at once: policy violation, with the reason. */
  #refuse(reason: string): void {
    if (this.socket.readyState !== WebSocket.OPEN) return;
    this.#queue.length = 0;
    this.#frames = 0;
    this.socket.close(1008, reason.slice(0, 120));
    // It does not read: do not wait for it to take the close frame.
    setTimeout(() => this.socket.terminate(), CLOSE_REPLY_MS).unref();
  }

  /** A text message sent after every frame queued before it, and never dropped. */
  sendInOrder(message: ServerMessage): void {
    if (!this.open) return;
    this.#queue.push({ topic: undefined, text: JSON.stringify(message) });
    this.pump();
  }

  /** Sends a stats message now: frames sent, dropped, queued, and the run's pacing if known. */
  reportStats(): void {
    this.#reportedDropped = this.#dropped;
    const realtime = this.realtime();
    this.reply({ type: 'stats', sent: this.#sent, dropped: this.#dropped, queued: this.#frames, ...(realtime ? { realtime } : {}) });
  }

  /** Hands queued frames to the socket while it has room; called again when a send completes. */
  pump(): void {
    if (this.socket.readyState !== WebSocket.OPEN) {
      this.#queue.length = 0;
      this.#frames = 0;
      return;
    }
    if (this.#dropped !== this.#reportedDropped && this.socket.bufferedAmount < this.limits.highWaterBytes) this.reportStats();
    while (this.#queue.length > 0 && this.socket.bufferedAmount < this.limits.highWaterBytes) {
      const item = this.#queue.shift()!;
      if (item.topic === undefined) {
        this.socket.send(item.text);
        continue;
      }
      this.#frames--;
      this.#sent++;
      this.socket.send(item.bytes, { binary: true }, () => this.pump());
    }
    if (this.#queue.length === 0) this.#closeWhenDrained?.();
  }

  /**
   * Ends the connection with a close frame (`code`) that the client reads after its last
   * frames, so a run's end reads as one and not as a broken connection (1006). A client that
   * is behind gets the newest frame of each topic (the older ones it would have lost anyway
   * are counted as dropped), then the close frame. Once that frame is in the kernel, which
   * delivers it even after the socket is let go, the client has CLOSE_REPLY_MS to answer; one
   * that takes nothing for CLOSE_STALL_MS is cut off. Resolves when the connection is closed.
   */
  close(code: number, reason: string): Promise<void> {
    const socket = this.socket;
    if (socket.readyState === WebSocket.CLOSED) return Promise.resolve();
    const newest = new Set<string>();
    const kept: Queued[] = [];
    for (let i = this.#queue.length - 1; i >= 0; i--) {
      const item = this.#queue[i];
      if (item.topic !== undefined && newest.has(item.topic)) continue;
      if (item.topic !== undefined) newest.add(item.topic);
      kept.unshift(item);
    }
    this.#dropped += this.#queue.length - kept.length;
    this.#queue = kept;
    this.#frames = newest.size;
    return new Promise((resolve) => {
      const pending = (): number => socket.bufferedAmount + this.#queue.reduce((n, item) => n + (item.topic === undefined ? item.text.length : item.bytes.byteLength), 0);
      let left = pending();
      let progressAt = Date.now();
      let closeSent = false;
      let handedOverAt: number | undefined;
      const watchdog = setInterval(() => {
        const now = Date.now();
        const still = pending();
        if (still < left) progressAt = now;
        left = still;
        if (closeSent && still === 0) handedOverAt ??= now;
        // terminate() lets the socket go; the kernel still sends what it holds, close frame included.
        if (handedOverAt !== undefined ? now - handedOverAt > CLOSE_REPLY_MS : now - progressAt > CLOSE_STALL_MS) socket.terminate();
      }, 50);
      socket.once('close', () => {
        clearInterval(watchdog);
        resolve();
      });
      this.#closeWhenDrained = () => {
        this.#closeWhenDrained = () => undefined;
        if (socket.readyState !== WebSocket.OPEN) return;
        socket.close(code, reason);
        closeSent = true;
      };
      this.pump();
    });
  }
}
