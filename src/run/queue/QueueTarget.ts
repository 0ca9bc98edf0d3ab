/**
 * Where a queued sweep's jobs live: a Redis server named by a URL, `redis://[user@]host:port/db`
 * (or `rediss://` for TLS), and the queue's name on it. The password comes from the URL or from
 * ROADCAST_QUEUE_PASSWORD and is never printed: every message names the URL without it.
 */
import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { Redis, type RedisOptions } from 'ioredis';
import { UserError } from '../../core/errors.js';

/** The environment variable a password may come from, so that it stays out of shell histories and `ps`. */
export const PASSWORD_VARIABLE = 'ROADCAST_QUEUE_PASSWORD';

/** The BullMQ queue a sweep uses unless told another (`--queue-name`). */
export const DEFAULT_QUEUE_NAME = 'roadcast-sweep';

/**
 * How long a client keeps trying to reach a Redis that does not answer before the command
 * gives up with one line: long enough for a blip, short enough that nobody waits on a hang.
 */
export const RECONNECT_BUDGET_MS = 3000;

export interface QueueTarget {
  /** The URL as a user may see it: no password. */
  shown: string;
  /** The BullMQ queue's name. */
  name: string;
  options: RedisOptions;
}

/**
 * Reads a queue URL. `caFile` (`--queue-ca`): the PEM certificate of the authority that signed
 * the server's, for `rediss://` with a private authority.
 */
export function parseQueueTarget(url: string, options: { name?: string; caFile?: string; env?: NodeJS.ProcessEnv } = {}): QueueTarget {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new UserError('expected a queue URL redis://[user@]host:port/db or rediss://... (TLS)', '--queue');
  }
  const tls = parsed.protocol === 'rediss:';
  if (parsed.protocol !== 'redis:' && !tls) throw new UserError('expected a URL that starts redis:// or rediss:// (TLS)', '--queue'); // not echoed: it may hold a password
  if (!parsed.hostname) throw new UserError('the queue URL names no host', '--queue');
  const db = parsed.pathname === '' || parsed.pathname === '/' ? 0 : Number(parsed.pathname.slice(1));
  if (!Number.isInteger(db) || db < 0) throw new UserError(`the queue URL's database must be a whole number (redis://host:port/0), got "${parsed.pathname.slice(1)}"`, '--queue');
  const port = parsed.port ? Number(parsed.port) : 6379;
  const username = parsed.username ? decodeURIComponent(parsed.username) : undefined;
  const password = parsed.password ? decodeURIComponent(parsed.password) : (options.env ?? process.env)[PASSWORD_VARIABLE] || undefined;
  if (options.caFile && !tls) throw new UserError('--queue-ca is for TLS: give a rediss:// URL', '--queue-ca');
  let ca: Buffer | undefined;
  if (options.caFile) {
    try {
      ca = readFileSync(options.caFile);
    } catch (error) {
      throw new UserError(`cannot read the certificate authority file (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`, options.caFile);
    }
  }
  const name = options.name ?? DEFAULT_QUEUE_NAME;
  if (!/^[A-Za-z0-9_.-]{1,100}$/.test(name)) throw new UserError(`expected letters, digits, _ . or - (at most 100), got "${name}"`, '--queue-name');
  const hostPort = `${parsed.hostname.includes(':') ? `[${parsed.hostname}]` : parsed.hostname}:${port}`;
  return {
    shown: `${parsed.protocol}//${username ? `${encodeURIComponent(username)}@` : ''}${hostPort}/${db}`,
    name,
    options: {
      host: parsed.hostname.replace(/^\[|\]$/g, ''),
      port,
      db,
      username,
      password,
      // The certificate is checked against the host; SNI carries names only (RFC 6066), never an address.
      ...(tls ? { tls: { ...(isIP(parsed.hostname.replace(/^\[|\]$/g, '')) ? {} : { servername: parsed.hostname }), ...(ca ? { ca } : {}) } } : {}),
      connectTimeout: 3000,
    },
  };
}

/**
 * A client of the target whose failures end quickly: a refused password at once, a server that
 * does not answer after RECONNECT_BUDGET_MS of retries; `onGone` is told why, in one line,
 * when the client gives up (never with the password, which ioredis's own errors may carry).
 * Commands wait while it reconnects (BullMQ's workers need that) and fail when it gives up.
 */
export function openClient(target: QueueTarget, onGone: (reason: string) => void): Redis {
  let failingSince: number | undefined;
  let lastReason = 'no answer';
  let gone = false;
  const client = new Redis({
    ...target.options,
    maxRetriesPerRequest: null,
    lazyConnect: true,
    retryStrategy: () => {
      failingSince ??= Date.now();
      if (gone || Date.now() - failingSince > RECONNECT_BUDGET_MS) return null;
      return 250;
    },
  });
  const giveUp = (): void => {
    if (gone || closing.has(client)) return;
    gone = true;
    client.disconnect();
    onGone(`${target.shown}: ${lastReason}`);
  };
  client.on('error', (error: Error & { code?: string }) => {
    lastReason = describeRedisError(error);
    // Retrying a refused password only locks the account out slower.
    if (/^(WRONGPASS|NOAUTH|NOPERM)/.test(error.message)) giveUp();
  });
  client.on('ready', () => (failingSince = undefined));
  client.on('end', giveUp);
  // BullMQ duplicates the client for its blocking reads: the copies retry as long (the same
  // retryStrategy), and their errors are this client's to tell, not ioredis's to print.
  const duplicate = client.duplicate.bind(client);
  client.duplicate = (...args: Parameters<Redis['duplicate']>): Redis => duplicate(...args).on('error', () => undefined);
  return client;
}

/** Clients closed on purpose: their end is no failure. */
const closing = new WeakSet<Redis>();

/** Closes a client of openClient's without telling its `onGone`. */
export function closeClient(client: Redis): void {
  closing.add(client);
  client.disconnect();
}

/**
 * Connects and asks the server for an answer, so that a wrong password or an unreachable
 * server is one line before anything else is tried.
 */
export async function connectClient(target: QueueTarget): Promise<{ client: Redis; gone: Promise<string> }> {
  let reportGone!: (reason: string) => void;
  const gone = new Promise<string>((resolve) => (reportGone = resolve));
  const client = openClient(target, reportGone);
  // A refused connection is retried (RECONNECT_BUDGET_MS) and then reported through `gone`, in words.
  const answered = client.connect().then(() => client.ping()).then(() => undefined, () => gone);
  const result = await Promise.race([answered, gone]);
  if (result !== undefined) throw new UserError(result, '--queue');
  return { client, gone };
}

/** What a Redis error means for a user, without the password ioredis may carry in it. */
export function describeRedisError(error: Error & { code?: string }): string {
  const message = error.message ?? '';
  if (message.startsWith('WRONGPASS')) return `Redis refused the user name or password (WRONGPASS; the password comes from the URL or ${PASSWORD_VARIABLE})`;
  if (message.startsWith('NOAUTH')) return `Redis needs a password (NOAUTH): set ${PASSWORD_VARIABLE}`;
  if (message.startsWith('NOPERM')) return `the Redis user may not do this (NOPERM): its ACL must allow the queue's keys and commands (see the README)`;
  if (error.code === 'ECONNREFUSED') return 'connection refused (is redis-server running there?)';
  if (error.code === 'ENOTFOUND' || error.code === 'EAI_AGAIN') return 'no such host';
  if (error.code === 'ETIMEDOUT' || message.includes('connect ETIMEDOUT')) return 'no answer (timed out connecting)';
  if (error.code === 'ECONNRESET') return 'the connection was reset';
  if (/certificate|SSL|TLS/i.test(message)) return `TLS failed: ${message.split('\n')[0]}`;
  return message.split('\n')[0].replace(/AUTH\s+\S+\s+\S+/g, 'AUTH ***');
}
