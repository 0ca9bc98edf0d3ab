/**
 * A redis-server of the test's own: 127.0.0.1, a free port, a random password, no persistence,
 * stopped with the test. Without redis-server the queue tests skip, unless
 * ROADCAST_REQUIRE_REDIS=1 (CI), where its absence fails them.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { createServer, connect } from 'node:net';

export const REDIS_SERVER = ['/usr/bin/redis-server', '/usr/local/bin/redis-server'].find((p) => existsSync(p))
  ?? (spawnSync('sh', ['-c', 'command -v redis-server'], { encoding: 'utf8' }).stdout.trim() || undefined);

/** Whether the queue tests run: redis-server is here, or CI requires them (and then fails without it). */
export const REDIS_TESTS = REDIS_SERVER !== undefined || process.env.ROADCAST_REQUIRE_REDIS === '1';

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

export interface RedisTls {
  /** PEM files: the server's certificate and key. */
  cert: string;
  key: string;
}

export class RedisServer {
  #child?: ChildProcess;

  private constructor(readonly port: number, readonly password: string, readonly tls?: RedisTls) {}

  /** redis://127.0.0.1:PORT/0 (rediss:// with TLS), without the password (the tests pass it in ROADCAST_QUEUE_PASSWORD). */
  get url(): string {
    return `${this.tls ? 'rediss' : 'redis'}://127.0.0.1:${this.port}/0`;
  }

  /** `tls`: TLS only, with this certificate and key. */
  static async start(options: { tls?: RedisTls } = {}): Promise<RedisServer> {
    if (!REDIS_SERVER) throw new Error('redis-server is not installed (ROADCAST_REQUIRE_REDIS=1): apt-get install redis-server');
    const server = new RedisServer(await freePort(), randomBytes(12).toString('hex'), options.tls);
    await server.restart();
    return server;
  }

  /** Starts it (again, on the same port, empty: it keeps nothing on disk). */
  async restart(): Promise<void> {
    const listen = this.tls
      ? ['--port', '0', '--tls-port', String(this.port), '--tls-cert-file', this.tls.cert, '--tls-key-file', this.tls.key, '--tls-auth-clients', 'no']
      : ['--port', String(this.port)];
    const child = spawn(REDIS_SERVER!, [...listen, '--bind', '127.0.0.1', '--requirepass', this.password, '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
    this.#child = child;
    const deadline = Date.now() + 10_000;
    while (!(await answers(this.port))) {
      if (child.exitCode !== null || Date.now() > deadline) throw new Error(`redis-server did not start on port ${this.port}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  async stop(): Promise<void> {
    const child = this.#child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGKILL');
    await exited;
  }
}

function answers(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.end();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}
