import { subscriptionProblem } from './TopicGlob.js';

export { topicFilter } from './TopicGlob.js';

/**
 * Messages a client sends the server, as JSON text (frames go the other way as binary
 * msgpack). Every message is validated here; a bad one becomes an error reply, never a crash.
 */

export type ClientMessage =
  | { type: 'subscribe'; topics: string[] }
  | { type: 'pause' }
  | { type: 'resume' }
  | { type: 'step'; ticks: number }
  | { type: 'rate'; factor: number }
  | { type: 'ego'; throttle?: number; brake?: number; steer?: number; speed?: number; lane?: number };

/** What a client may tell a running run: everything but a subscription (run/RunControl.ts applies it). */
export type ControlMessage = Exclude<ClientMessage, { type: 'subscribe' }>;
export type EgoMessage = Extract<ClientMessage, { type: 'ego' }>;

/** The run has stopped (paused, or at the end of a step) or goes again, at simulation time t_ns. */
export interface RunState {
  paused: boolean;
  t_ns: number;
}

/** How fast a run paced to the wall clock really goes (RealtimeMonitor). */
export interface RealtimeStats {
  /** Simulated seconds per wall-clock second over the last few seconds. */
  factor: number;
  /** The factor asked for: 1, or what a `rate` message set. */
  target: number;
  /** factor is short of target: the sensors take longer than the wall clock allows. */
  behind: boolean;
}

/** Messages the server sends as JSON text beside the binary frames. */
export type ServerMessage =
  /** On connection: `subscription` is the client's topic patterns (empty: every topic). */
  | { type: 'hello'; version: string; protocol: number; topics: string[]; subscription: string[] }
  | { type: 'error'; message: string; request?: unknown }
  | { type: 'ack'; request: string }
  /**
   * To a client that lost frames, and to every client while a paced run is behind the wall
   * clock (about once a second, and once more when it has caught up: `realtime`).
   */
  | { type: 'stats'; sent: number; dropped: number; queued: number; realtime?: RealtimeStats }
  /**
   * The run stopped (paused, or at the end of a step) or goes again, at simulation time t_ns.
   * Sent after every frame the run produced before it, so a paused client has them all.
   */
  | { type: 'state'; paused: boolean; t_ns: number };

export const PROTOCOL_VERSION = 1;

/** A step message advances at most this many ticks (100 s of 10 ms steps). */
export const MAX_STEP_TICKS = 10_000;
/** The real-time factor a `rate` message may set. */
export const MIN_RATE = 0.01;
export const MAX_RATE = 1000;

export class ProtocolError extends Error {}

/** Parses one client message or throws a ProtocolError that says what was expected. */
export function parseClientMessage(text: string): ClientMessage {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    throw new ProtocolError('messages must be JSON objects such as {"type":"pause"}');
  }
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) throw new ProtocolError('a message must be a JSON object with a "type"');
  const message = raw as Record<string, unknown>;
  const allowKeys = (...keys: string[]): void => {
    for (const key of Object.keys(message)) {
      if (key !== 'type' && !keys.includes(key)) throw new ProtocolError(`"${String(message.type)}" takes no key "${key}"${keys.length ? ` (keys: ${keys.join(', ')})` : ''}`);
    }
  };
  const number = (key: string, min: number, max: number, integer = false): number | undefined => {
    const value = message[key];
    if (value === undefined) return undefined;
    if (typeof value !== 'number' || !Number.isFinite(value) || value < min || value > max || (integer && !Number.isInteger(value))) {
      throw new ProtocolError(`"${key}" must be ${integer ? 'an integer' : 'a number'} from ${min} to ${max}, got ${JSON.stringify(value)}`);
    }
    return value;
  };
  switch (message.type) {
    case 'subscribe': {
      allowKeys('topics');
      const topics = message.topics;
      if (!Array.isArray(topics) || topics.some((t) => typeof t !== 'string' || t === '')) {
        throw new ProtocolError('"subscribe" needs "topics": a list of topic names or glob patterns such as "lidar/*"');
      }
      const problem = subscriptionProblem(topics as string[]);
      if (problem) throw new ProtocolError(problem);
      return { type: 'subscribe', topics: topics as string[] };
    }
    case 'pause':
    case 'resume':
      allowKeys();
      return { type: message.type };
    case 'step': {
      allowKeys('ticks');
      return { type: 'step', ticks: number('ticks', 1, MAX_STEP_TICKS, true) ?? 1 };
    }
    case 'rate': {
      allowKeys('factor');
      const factor = number('factor', MIN_RATE, MAX_RATE);
      if (factor === undefined) throw new ProtocolError(`"rate" needs "factor": the speed relative to the wall clock, from ${MIN_RATE} to ${MAX_RATE}`);
      return { type: 'rate', factor };
    }
    case 'ego': {
      allowKeys('throttle', 'brake', 'steer', 'speed', 'lane');
      const ego = {
        type: 'ego' as const,
        throttle: number('throttle', 0, 1),
        brake: number('brake', 0, 1),
        steer: number('steer', -1, 1),
        speed: number('speed', 0, 100),
        lane: number('lane', -100, 100, true),
      };
      if (Object.values(ego).every((v) => v === undefined || v === 'ego')) {
        throw new ProtocolError('"ego" needs at least one of throttle, brake, steer (each -1..1 or 0..1), speed (m/s) or lane');
      }
      return Object.fromEntries(Object.entries(ego).filter(([, v]) => v !== undefined)) as ClientMessage;
    }
    default:
      throw new ProtocolError(`unknown message type ${JSON.stringify(message.type)}; expected subscribe, pause, resume, step, rate or ego`);
  }
}

/**
 * The subscription a client gives in its WebSocket URL: `?topics=lidar/*,radar/**` (several
 * `topics` parameters add up). Undefined when it gives none; an empty value means every topic,
 * as `"topics": []` does. Topic names with a comma cannot be given this way (use `subscribe`).
 */
export function topicsFromUrl(url: string): string[] | undefined {
  const values = new URL(url, 'http://localhost').searchParams.getAll('topics');
  if (values.length === 0) return undefined;
  const topics = values.flatMap((value) => (value === '' ? [] : value.split(',').map((t) => t.trim())));
  if (topics.some((t) => t === '')) {
    const shown = values.join(',');
    throw new ProtocolError(`"topics" in the URL must be topic names or globs separated by commas, such as ?topics=lidar/*,radar/**; got ${JSON.stringify(shown.length > 200 ? `${shown.slice(0, 200)}...` : shown)}`);
  }
  const problem = subscriptionProblem(topics);
  if (problem) throw new ProtocolError(problem);
  return topics;
}
