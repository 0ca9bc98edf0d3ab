/**
 * The queue's URL: what a user may see of it (never the password), what is refused in one line,
 * and TLS against a real redis-server that speaks only TLS, with a certificate authority made here.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseGrid } from '../../../src/scenario/parameters.js';
import { queueSweep } from '../../../src/run/queue/QueueSweep.js';
import { parseQueueTarget } from '../../../src/run/queue/QueueTarget.js';
import { sweepQueueStatus } from '../../../src/run/queue/SweepQueueStatus.js';
import { userError } from '../../helpers.js';
import { REDIS_TESTS, RedisServer } from './redisServer.js';
import { cli } from './workers.js';

describe('queue URLs', () => {
  it('shows the URL without its password, takes the password from the URL or ROADCAST_QUEUE_PASSWORD, and refuses what it cannot use in one line', () => {
    const inUrl = parseQueueTarget('redis://sweeper:s%40cret@redis.lan:6380/2', { env: {} });
    expect(inUrl).toMatchObject({ shown: 'redis://sweeper@redis.lan:6380/2', name: 'roadcast-sweep', options: { host: 'redis.lan', port: 6380, db: 2, username: 'sweeper', password: 's@cret' } });
    expect(inUrl.options.tls).toBeUndefined();
    const fromEnv = parseQueueTarget('rediss://redis.lan', { name: 'brake', env: { ROADCAST_QUEUE_PASSWORD: 'x' } });
    expect(fromEnv).toMatchObject({ shown: 'rediss://redis.lan:6379/0', name: 'brake', options: { password: 'x', tls: { servername: 'redis.lan' } } });
    expect(userError(() => parseQueueTarget('http://redis.lan')).message).toBe('--queue: expected a URL that starts redis:// or rediss:// (TLS)');
    expect(userError(() => parseQueueTarget('redis.lan:6379')).message).toBe('--queue: expected a URL that starts redis:// or rediss:// (TLS)');
    expect(userError(() => parseQueueTarget('not a url')).message).toBe('--queue: expected a queue URL redis://[user@]host:port/db or rediss://... (TLS)');
    expect(userError(() => parseQueueTarget('redis://h/x')).message).toBe('--queue: the queue URL\'s database must be a whole number (redis://host:port/0), got "x"');
    expect(userError(() => parseQueueTarget('redis://h', { caFile: 'ca.pem' })).message).toBe('--queue-ca: --queue-ca is for TLS: give a rediss:// URL');
    expect(userError(() => parseQueueTarget('redis://h', { name: 'a b' })).message).toBe('--queue-name: expected letters, digits, _ . or - (at most 100), got "a b"');
  });
});

const OPENSSL = spawnSync('sh', ['-c', 'command -v openssl']).status === 0;

describe.runIf(REDIS_TESTS && OPENSSL)('a queue over TLS', () => {
  const dir = mkdtempSync(join(tmpdir(), 'roadcast-queue-tls-'));
  let redis: RedisServer | undefined;
  afterAll(async () => redis?.stop());

  it('connects with rediss:// and --queue-ca to a server whose certificate that authority signed, and refuses it without, in one line', async () => {
    const openssl = (...args: string[]): void => {
      const made = spawnSync('openssl', args, { cwd: dir, encoding: 'utf8' });
      if (made.status !== 0) throw new Error(made.stderr);
    };
    openssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'ca.key', '-out', 'ca.pem', '-days', '2', '-subj', '/CN=roadcast test CA');
    openssl('req', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'server.key', '-out', 'server.csr', '-subj', '/CN=127.0.0.1');
    writeFileSync(join(dir, 'san.cnf'), 'subjectAltName=IP:127.0.0.1\n');
    openssl('x509', '-req', '-in', 'server.csr', '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'server.pem', '-days', '2', '-extfile', 'san.cnf');
    redis = await RedisServer.start({ tls: { cert: join(dir, 'server.pem'), key: join(dir, 'server.key') } });
    const env = { ROADCAST_QUEUE_PASSWORD: redis.password };
    const target = parseQueueTarget(redis.url, { caFile: join(dir, 'ca.pem'), env });
    const out = join(dir, 'out');
    const detached = await queueSweep({ file: 'scenarios/lead-vehicle-hard-brake.yaml', out, grid: [parseGrid('gap=30,40')], duration: 1, queue: target, detach: true });
    expect(detached).toMatchObject({ enqueued: 2, total: 2 });
    expect(await sweepQueueStatus(out, { queue: target })).toMatchObject({ total: 2, done: 0, waiting: 2 });
    // From the command line, the queue from DIR/queue.json: with the authority, and without it.
    const [trusted, untrusted] = await Promise.all([cli(['sweep', 'status', out, '--queue-ca', join(dir, 'ca.pem')], redis.password), cli(['sweep', 'status', out], redis.password)]);
    expect(trusted.stdout).toBe(`${out}: 0 of 2 runs done, 0 running, 2 waiting, 0 failed on ${redis.url} (roadcast-sweep)\n`);
    expect(untrusted.status).toBe(1);
    expect(untrusted.stderr).toBe(`roadcast: --queue: ${redis.url}: TLS failed: unable to verify the first certificate\n`);
  }, 30_000);
});
