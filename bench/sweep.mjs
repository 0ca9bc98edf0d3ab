// sweep section of `npm run bench`: a sweep on the BullMQ queue against the local sweep, in the
// same run. (1) Throughput: the same 1-second runs with the same job slots (the local sweep's
// --jobs 2; one `roadcast worker --jobs 2`), queue over local. (2) The queue's own cost per job:
// jobs through BullMQ whose processor only writes the result file, as a worker does after a run.
// (3) Scale, 10^5 variants: enqueued detached (all in Redis at once), and attached with the
// window, drained by a stand-in worker process that writes each result without running it, so
// the coordinator's window, polling and index writing are measured at 10^5; the coordinator's RSS
// (this process) and Redis's used_memory sampled throughout. Needs redis-server; skipped without.
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Queue, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { parseQueueTarget, queueSweep, sweep } from '../dist/index.js';

const ROOT = join(fileURLToPath(import.meta.url), '..', '..');
const SCENARIO = join(ROOT, 'scenarios', 'lead-vehicle-hard-brake.yaml');
const SLOTS = 2;
const RUNS = 8;
const ROUNDS = 2;
const SCALE = 100_000;

function freePort() {
  return new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

async function startRedis() {
  const port = await freePort();
  const password = randomBytes(12).toString('hex');
  const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--requirepass', password, '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
  const client = new Redis({ port, password, maxRetriesPerRequest: null, retryStrategy: () => 50 });
  await client.ping();
  return { port, password, child, client, url: `redis://127.0.0.1:${port}/0` };
}

async function usedMemory(client) {
  return Number(/used_memory:(\d+)/.exec(await client.info('memory'))[1]);
}

async function startWorker(redis, out, name) {
  const child = spawn(process.execPath, [join(ROOT, 'dist', 'cli', 'main.js'), 'worker', '--queue', redis.url, '--queue-name', name, '--out', out, '--jobs', String(SLOTS)], {
    env: { ...process.env, ROADCAST_QUEUE_PASSWORD: redis.password }, stdio: ['ignore', 'pipe', 'inherit'],
  });
  await new Promise((resolve) => child.stdout.on('data', (c) => String(c).includes('Worker on') && resolve()));
  return child;
}

/**
 * Same variants, same slots: the local sweep's wall time and the queue's (the worker already
 * up, as workers are), interleaved rounds, the best of each kept against the shared machine's noise.
 */
async function throughput(redis, dir) {
  const rig = join(dir, 'rig.yaml');
  writeFileSync(rig, 'sensors:\n  - { name: top, type: lidar, preset: vlp-16, horizontal: { resolution: 1 }, mount: { z: 1.9 } }\n  - { name: actors, type: ground_truth, rate: 10 }\n');
  const options = { file: SCENARIO, samples: RUNS, seed: 5, rig, duration: 1 };
  const worker = await startWorker(redis, join(dir, 'queued'), 'throughput');
  let local = Infinity, queued = Infinity;
  try {
    for (let round = 0; round < ROUNDS; round++) {
      rmSync(join(dir, 'local'), { recursive: true, force: true });
      rmSync(join(dir, 'queued', 'results'), { recursive: true, force: true });
      let start = performance.now();
      await sweep({ ...options, out: join(dir, 'local'), jobs: SLOTS });
      local = Math.min(local, (performance.now() - start) / 1000);
      start = performance.now();
      await queueSweep({ ...options, out: join(dir, 'queued'), queue: parseQueueTarget(redis.url, { name: 'throughput', env: { ROADCAST_QUEUE_PASSWORD: redis.password } }) });
      queued = Math.min(queued, (performance.now() - start) / 1000);
    }
  } finally {
    worker.kill('SIGINT');
  }
  return { runs: RUNS, slots: SLOTS, rounds: ROUNDS, local_s: local, queue_s: queued, queue_over_local_throughput: local / queued, run_s: (local * SLOTS) / RUNS, difference_ms_per_job: ((queued - local) * 1000 * SLOTS) / RUNS };
}

/** The queue's machinery alone: add, take, a result file written whole, complete, removed. */
async function overhead(redis, dir) {
  const jobs = 2000;
  const queue = new Queue('overhead', { connection: redis.client });
  const folder = join(dir, 'overhead');
  mkdirSync(folder, { recursive: true });
  let done = 0;
  let finish;
  const finished = new Promise((resolve) => (finish = resolve));
  const connection = redis.client.duplicate();
  const worker = new Worker('overhead', async (job) => {
    writeFileSync(join(folder, `${job.id}.json.tmp`), JSON.stringify(job.data));
    renameSync(join(folder, `${job.id}.json.tmp`), join(folder, `${job.id}.json`));
    if (++done === jobs) finish();
    return { outcome: 'success' };
  }, { connection, concurrency: SLOTS });
  const start = performance.now();
  for (let i = 0; i < jobs; i += 500) {
    await queue.addBulk(Array.from({ length: Math.min(500, jobs - i) }, (_, k) => ({ name: 'run', data: { id: `run-${i + k}`, params: { gap: i + k } }, opts: { jobId: `run-${i + k}`, removeOnComplete: true } })));
  }
  await finished;
  const seconds = (performance.now() - start) / 1000;
  await worker.close();
  await queue.close();
  connection.disconnect();
  return { jobs, slots: SLOTS, ms_per_job: (seconds * 1000) / jobs, ms_per_job_per_slot: (seconds * 1000 * SLOTS) / jobs };
}

/** A stand-in worker in its own process: each job's result file written at once, no run made. */
const DRAIN = `
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from 'bullmq';
import { Redis } from 'ioredis';
const [port, password, out, name] = process.argv.slice(1);
mkdirSync(join(out, 'results'), { recursive: true });
const connection = new Redis({ port: Number(port), password, maxRetriesPerRequest: null });
new Worker(name, async (job) => {
  const { request } = job.data;
  const file = join(out, 'results', request.id + '.json');
  writeFileSync(file + '.tmp', JSON.stringify({ id: request.id, params: request.params, seed: 1, outcome: { result: 'timeout', reason: 'stand-in', t_ns: 0 }, events: [], recording: request.out }));
  renameSync(file + '.tmp', file);
  return { outcome: 'timeout' };
}, { connection, concurrency: 50 });
`;

/** Runs the CLI, sampling its resident memory (/proc) and Redis's used memory until it exits. */
async function measured(redis, args) {
  const child = spawn(process.execPath, [join(ROOT, 'dist', 'cli', 'main.js'), ...args], { env: { ...process.env, ROADCAST_QUEUE_PASSWORD: redis.password }, stdio: ['ignore', 'ignore', 'ignore'] });
  let rss = 0, redisUsed = 0;
  const sample = async () => {
    const status = existsSync(`/proc/${child.pid}/status`) ? readFileSync(`/proc/${child.pid}/status`, 'utf8') : '';
    const kib = /VmRSS:\s+(\d+)/.exec(status);
    if (kib) rss = Math.max(rss, Number(kib[1]) * 1024);
    redisUsed = Math.max(redisUsed, await usedMemory(redis.client));
  };
  const sampler = setInterval(sample, 200);
  const start = performance.now();
  const code = await new Promise((resolve) => child.once('exit', resolve));
  clearInterval(sampler);
  if (code !== 0) throw new Error(`roadcast ${args.join(' ')} exited ${code}`);
  return { seconds: (performance.now() - start) / 1000, peak_coordinator_rss_mib: rss / 2 ** 20, peak_redis_used_mib: redisUsed / 2 ** 20 };
}

async function scale(redis, dir) {
  const sweepArgs = (out, name) => ['sweep', SCENARIO, '--samples', String(SCALE), '--seed', '5', '--duration', '1', '--out', out, '--queue', redis.url, '--queue-name', name];
  const before = (await usedMemory(redis.client)) / 2 ** 20;
  // Detached: every variant in Redis at once.
  const detached = await measured(redis, [...sweepArgs(join(dir, 'detached'), 'detached'), '--detach']);
  detached.redis_bytes_per_job = ((await usedMemory(redis.client)) - before * 2 ** 20) / SCALE;
  const obliterate = new Queue('detached', { connection: redis.client });
  await obliterate.obliterate({ force: true });
  await obliterate.close();
  // Attached, with the window, drained by the stand-in.
  const out = join(dir, 'attached');
  const drain = spawn(process.execPath, ['--input-type=module', '-e', DRAIN, String(redis.port), redis.password, out, 'attached'], { cwd: ROOT, stdio: 'ignore' });
  try {
    const attached = await measured(redis, sweepArgs(out, 'attached'));
    return { variants: SCALE, redis_used_before_mib: before, detached, attached: { window: 1000, jobs_per_s: SCALE / attached.seconds, ...attached } };
  } finally {
    drain.kill('SIGKILL');
  }
}

export async function benchSweep() {
  if (spawnSync('sh', ['-c', 'command -v redis-server']).status !== 0) return { skipped: 'redis-server is not installed' };
  const redis = await startRedis();
  const dir = mkdtempSync(join(tmpdir(), 'roadcast-bench-sweep-'));
  try {
    return { throughput: await throughput(redis, dir), overhead: await overhead(redis, dir), scale: await scale(redis, dir) };
  } finally {
    redis.client.disconnect();
    redis.child.kill('SIGKILL');
    if (existsSync(dir)) rmSync(dir, { recursive: true, force: true });
  }
}

export function printSweep(r) {
  if (r.skipped) return console.log(`sweep: skipped (${r.skipped})`);
  const t = r.throughput, o = r.overhead, s = r.scale;
  console.log(`sweep: ${t.runs} runs of ~${t.run_s.toFixed(2)} s on ${t.slots} slots (best of ${t.rounds}): local ${t.local_s.toFixed(1)} s, queue ${t.queue_s.toFixed(1)} s: queue/local throughput ${t.queue_over_local_throughput.toFixed(2)} (${t.difference_ms_per_job.toFixed(0)} ms a job)`);
  console.log(`  the queue's machinery: ${o.ms_per_job_per_slot.toFixed(2)} ms a job on a slot (${o.jobs} jobs, ${o.slots} slots)`);
  console.log(`  ${s.variants} variants, detached: ${s.detached.seconds.toFixed(1)} s, Redis ${s.detached.peak_redis_used_mib.toFixed(0)} MiB (${s.detached.redis_bytes_per_job.toFixed(0)} B a job), coordinator RSS ${s.detached.peak_coordinator_rss_mib.toFixed(0)} MiB`);
  console.log(`  attached, window ${s.attached.window}, a stand-in worker: ${s.attached.seconds.toFixed(1)} s (${s.attached.jobs_per_s.toFixed(0)} jobs/s), Redis at most ${s.attached.peak_redis_used_mib.toFixed(1)} MiB (${s.redis_used_before_mib.toFixed(1)} MiB empty), coordinator RSS at most ${s.attached.peak_coordinator_rss_mib.toFixed(0)} MiB`);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) printSweep(await benchSweep());
