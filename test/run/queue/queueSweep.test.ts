/**
 * Sweeps on a BullMQ queue in a real Redis (started here, with a password), made by real
 * `roadcast worker` processes: the same index.json and recordings, byte for byte, as a local
 * sweep of the same variants; resume; the window; a worker killed mid-run; a worker of other
 * files or another version; and what a user sees when Redis refuses, is missing or goes away.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROADCAST_VERSION } from '../../../src/core/version.js';
import { parseGrid } from '../../../src/scenario/parameters.js';
import { queueSweep, type QueueProgress } from '../../../src/run/queue/QueueSweep.js';
import { parseQueueTarget } from '../../../src/run/queue/QueueTarget.js';
import { sweepQueueStatus } from '../../../src/run/queue/SweepQueueStatus.js';
import { search } from '../../../src/run/Search.js';
import { sweep, type SweepIndex } from '../../../src/run/Sweep.js';
import { freePort, REDIS_TESTS, RedisServer } from './redisServer.js';
import { cli, recordings, runInHand, startWorker, temporaryFiles, type WorkerProcess } from './workers.js';

const DIR = mkdtempSync(join(tmpdir(), 'roadcast-queue-'));
/** Ground truth only: runs of a second or two that still record frames. */
const TINY_RIG = join(DIR, 'tiny.yaml');
writeFileSync(TINY_RIG, 'sensors:\n  - { name: actors, type: ground_truth, rate: 10 }\n');
/** A 16-channel LiDAR: runs long enough to kill a worker in the middle of one. */
const LIDAR_RIG = join(DIR, 'lidar.yaml');
writeFileSync(LIDAR_RIG, 'sensors:\n  - { name: top, type: lidar, preset: vlp-16, horizontal: { resolution: 2 }, mount: { z: 1.9 } }\n  - { name: actors, type: ground_truth, rate: 10 }\n');
const SCENARIO = 'scenarios/lead-vehicle-hard-brake.yaml';

describe.runIf(REDIS_TESTS)('sweeps on a queue', () => {
  let redis: RedisServer;
  const workers: WorkerProcess[] = [];
  const target = (name: string) => parseQueueTarget(redis.url, { name, env: { ROADCAST_QUEUE_PASSWORD: redis.password } });
  const worker = async (out: string, name: string, jobs = 1): Promise<WorkerProcess> => {
    const w = await startWorker(['--queue', redis.url, '--queue-name', name, '--out', out, '--jobs', String(jobs), '--lease', '2'], redis.password);
    workers.push(w);
    return w;
  };

  beforeAll(async () => {
    redis = await RedisServer.start();
  });
  afterAll(async () => {
    for (const w of workers) w.child.kill('SIGKILL');
    await redis?.stop();
  });

  it('three workers make index.json and recordings byte-identical to a local sweep; Ctrl-C finishes the run in hand; detach, status and resume', async () => {
    const out = join(DIR, 'three');
    const options = { file: SCENARIO, out, grid: [parseGrid('gap=30:80:10')], rig: TINY_RIG, duration: 1 };
    // Detached, with no worker yet: every variant waits in Redis.
    const detached = await queueSweep({ ...options, queue: target('three'), detach: true });
    expect(detached).toMatchObject({ enqueued: 6, total: 6 });
    expect(await sweepQueueStatus(out, { queue: target('three') })).toMatchObject({ total: 6, done: 0, running: 0, waiting: 6, failed: 0, indexed: false });
    // A worker given another folder than the sweep's stops at its first job, which goes back to the queue.
    const misplaced = await worker(join(DIR, 'elsewhere'), 'three');
    expect(await misplaced.exited).toBe(1);
    expect(misplaced.output()).toContain(`roadcast: this worker's --out ${join(DIR, 'elsewhere')} is not the output folder of the sweep on the queue (it has no queue.json): give every worker the folder the coordinator writes to\n`);
    const three = await Promise.all([worker(out, 'three'), worker(out, 'three'), worker(out, 'three')]);
    // The same command, attached, waits for them and writes the index.
    const progress: QueueProgress[] = [];
    const sweeping = queueSweep({ ...options, queue: target('three'), onQueueProgress: (p) => progress.push(p) });
    // Ctrl-C to a worker with a run in hand: it finishes that run, takes no other, and exits 0.
    const stopping = await runInHand(out, three);
    stopping.worker.child.kill('SIGINT');
    expect(await stopping.worker.exited).toBe(0);
    expect(stopping.worker.finished()).toContain(stopping.run);
    const result = await sweeping;
    expect(result.runs!.map((r) => r.id)).toEqual(['run-0001', 'run-0002', 'run-0003', 'run-0004', 'run-0005', 'run-0006']);
    expect(progress.at(-1)).toMatchObject({ done: 6, running: 0, waiting: 0, failed: 0, total: 6 });
    expect(misplaced.finished()).toEqual([]);
    // Each variant ran exactly once, spread over the workers.
    const ran = three.flatMap((w) => w.finished());
    expect(ran.sort()).toEqual(result.runs!.map((r) => r.id));
    expect(three.filter((w) => w.finished().length > 0).length).toBeGreaterThan(1);
    // `roadcast sweep status DIR` beside the resumed sweep below (it reads, the resume writes nothing new).
    const statusRun = cli(['sweep', 'status', out], redis.password);
    // Finished jobs leave Redis: their record is the result file.
    const connection = new Redis({ port: redis.port, password: redis.password, maxRetriesPerRequest: null });
    const queue = new Queue('three', { connection });
    expect(await queue.getJobCounts('completed', 'failed', 'waiting', 'active')).toEqual({ completed: 0, failed: 0, waiting: 0, active: 0 });
    await queue.close();
    await connection.quit();

    // Run again: resumes, nothing is redone, the same index.
    const index = readFileSync(join(out, 'index.json'));
    const queued = recordings(out);
    await queueSweep({ ...options, queue: target('three') });
    const status = await statusRun;
    expect(status.stdout).toContain(`${out}: 6 of 6 runs done, 0 running, 0 waiting, 0 failed on ${redis.url} (three); index.json written`);
    expect(status.stdout + status.stderr).not.toContain(redis.password);
    expect(three.flatMap((w) => w.finished())).toHaveLength(6);
    expect(readFileSync(join(out, 'index.json')).equals(index)).toBe(true);
    expect(temporaryFiles(out)).toEqual([]);

    // The local sweep of the same variants into the same folder path: the same bytes.
    renameSync(out, `${out}-queued`);
    const local = await sweep({ ...options, jobs: 1 });
    expect(local.runs).toHaveLength(6);
    expect(readFileSync(join(out, 'index.json')).equals(index)).toBe(true);
    const made = recordings(out);
    expect([...made.keys()]).toEqual([...queued.keys()]);
    for (const [name, bytes] of made) expect(bytes.equals(queued.get(name)!), name).toBe(true);
    for (const w of three) w.child.kill('SIGINT');
    expect(await Promise.all(three.map((w) => w.exited))).toEqual([0, 0, 0]);
    expect(stopping.worker.finished().at(-1)).toBe(stopping.run);
  }, 120_000);

  it('roadcast search --queue: its batches made by workers, search.json, the index and the recordings the same bytes as a local search', async () => {
    const out = join(DIR, 'search');
    const args = ['search', 'scenarios/lead-vehicle-hard-brake.yaml', '--objective', 'min(distance, lead)', '--budget', '6', '--batch', '3', '--method', 'cem',
      '--rig', TINY_RIG, '--duration', '6', '--seed', '3', '--out', out];
    const two = await Promise.all([worker(out, 'search'), worker(out, 'search')]);
    const queued = await cli([...args, '--queue', redis.url, '--queue-name', 'search'], redis.password, 120_000);
    expect(queued.stderr.split('\n').filter((l) => l.startsWith('roadcast:'))).toEqual([]);
    expect(queued.status).toBe(0);
    expect(queued.stdout).toContain('Searched 6 runs of scenarios/lead-vehicle-hard-brake.yaml (cem, objective min(distance, lead))');
    // Both batches went through the workers, each run once.
    expect(two.flatMap((w) => w.finished()).sort()).toEqual(['run-0001', 'run-0002', 'run-0003', 'run-0004', 'run-0005', 'run-0006']);
    const files = ['search.json', 'index.json', 'report.html'].map((name) => readFileSync(join(out, name)));
    const made = recordings(out);
    // Refused in one line: --jobs belongs to the workers.
    const refused = await cli([...args, '--queue', redis.url, '--jobs', '2'], redis.password);
    expect(refused.stderr).toBe('roadcast: --jobs is for a local search: with --queue, give each `roadcast worker` its --jobs\n');
    expect(refused.status).toBe(1);

    // The local search into the same path: the same proposals, objectives and bytes.
    renameSync(out, `${out}-queued`);
    await search({ file: 'scenarios/lead-vehicle-hard-brake.yaml', out, objective: 'min(distance, lead)', budget: 6, batch: 3, method: 'cem', jobs: 1, rig: TINY_RIG, duration: 6, seed: 3 });
    ['search.json', 'index.json', 'report.html'].forEach((name, k) => expect(readFileSync(join(out, name)).equals(files[k]), name).toBe(true));
    for (const [name, bytes] of recordings(out)) expect(bytes.equals(made.get(name)!), name).toBe(true);
    for (const w of two) w.child.kill('SIGINT');
  }, 180_000);

  it('a worker killed with SIGKILL mid-run: its run is made again by another, each variant once in the index, no temporary file left; the window holds', async () => {
    const out = join(DIR, 'killed');
    const options = { file: SCENARIO, out, grid: [parseGrid('gap=30:50:10')], rig: LIDAR_RIG, duration: 1 };
    const pair = await Promise.all([worker(out, 'killed'), worker(out, 'killed')]);
    // A window of 2: never more than two of its jobs in Redis at once.
    const progress: QueueProgress[] = [];
    const sweeping = queueSweep({ ...options, queue: target('killed'), window: 2, onQueueProgress: (p) => progress.push(p) });
    const { worker: victim, run: killedRun, temporary } = await runInHand(out, pair);
    victim.child.kill('SIGKILL');
    // Its run's process sees the worker gone and takes the half-written recording with it, at once
    // (long before the run's lease runs out and the sweep could end).
    const deadline = Date.now() + 5000;
    while (existsSync(temporary) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    expect(existsSync(temporary)).toBe(false);
    const result = await sweeping;
    const survivor = pair.find((w) => w !== victim)!;
    expect(result.runs!.map((r) => [r.id, r.result])).toEqual([['run-0001', 'timeout'], ['run-0002', 'timeout'], ['run-0003', 'timeout']]);
    expect(survivor.finished()).toContain(killedRun);
    expect(victim.finished()).not.toContain(killedRun);
    expect(temporaryFiles(out)).toEqual([]);
    expect(progress.length).toBeGreaterThan(0);
    expect(progress.every((p) => p.running + p.waiting <= 2)).toBe(true);
    const index = JSON.parse(readFileSync(join(out, 'index.json'), 'utf8')) as SweepIndex;
    expect(index.runs.map((r) => r.id)).toEqual(['run-0001', 'run-0002', 'run-0003']);
    // The run made again is the bytes a local run makes.
    const again = join(DIR, 'killed-local');
    await sweep({ ...options, out: again, jobs: 1, variants: [index.runs.find((r) => r.id === killedRun)!.params] });
    expect(readFileSync(join(again, 'run-0001.mcap')).equals(readFileSync(join(out, `${killedRun}.mcap`)))).toBe(true);
    survivor.child.kill('SIGINT');
    expect(await survivor.exited).toBe(0);
  }, 120_000);

  it('a worker of other files or another roadcast version fails the job at once, without retries, naming the difference; --retry-failed re-drives it', async () => {
    const out = join(DIR, 'mismatch');
    const scenario = join(DIR, 'brake.yaml');
    const text = readFileSync(SCENARIO, 'utf8').replace('map: maps/highway.xodr', `map: ${resolve('scenarios/maps/highway.xodr')}`);
    writeFileSync(scenario, text);
    const options = { file: scenario, out, grid: [parseGrid('gap=30,40')], rig: TINY_RIG, duration: 1 };
    await queueSweep({ ...options, queue: target('mismatch'), detach: true });
    // The coordinator's machine had these bytes; the workers' have others (and run-0002 came from another roadcast).
    writeFileSync(scenario, `${text}# edited on the worker's machine\n`);
    const connection = new Redis({ port: redis.port, password: redis.password, maxRetriesPerRequest: null });
    const queue = new Queue('mismatch', { connection });
    const second = (await queue.getJob('run-0002'))!;
    await second.updateData({ ...second.data, version: '0.0.1-other' });
    const w = await worker(out, 'mismatch');
    const deadline = Date.now() + 20_000;
    while ((await queue.getJobCounts('failed')).failed < 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    const [first, other] = [(await queue.getJob('run-0001'))!, (await queue.getJob('run-0002'))!];
    expect(first.attemptsMade).toBe(1);
    expect(first.failedReason).toMatch(new RegExp(`^run-0001: the scenario file differs from the sweep's \\(${scenario.replace(/[.]/g, '\\.')} has sha256 [0-9a-f]{12}… here`));
    expect(other.attemptsMade).toBe(1);
    expect(other.failedReason).toBe(`run-0002 was enqueued by roadcast 0.0.1-other, this worker is roadcast ${ROADCAST_VERSION}: run workers of the coordinator's version`);
    // The sweep ends with both as errors; with the coordinator's bytes back, --retry-failed makes them.
    writeFileSync(scenario, text);
    const failed = await queueSweep({ ...options, queue: target('mismatch') });
    expect(failed.runs!.map((r) => r.result)).toEqual(['error', 'error']);
    // The same folder's sweep grown by a variant (as a search's next batch is): not refused for the
    // failed jobs the queue holds, which are its runs' too; the new variant is made.
    const grown = await queueSweep({ ...options, grid: [parseGrid('gap=30,40,50')], queue: target('mismatch') });
    expect(grown.runs!.map((r) => r.result)).toEqual(['error', 'error', 'timeout']);
    const retried = await queueSweep({ ...options, queue: target('mismatch'), retryFailed: true });
    expect(retried.runs!.map((r) => r.result)).toEqual(['timeout', 'timeout']);
    expect(w.finished().sort()).toEqual(['run-0001', 'run-0002', 'run-0003']);
    await queue.close();
    await connection.quit();
    w.child.kill('SIGINT');
  }, 120_000);

  it('a wrong password, no Redis, or Redis stopped mid-sweep: one line, exit 1, within seconds; restarted, the same command resumes', async () => {
    const out = join(DIR, 'lost');
    const args = ['sweep', SCENARIO, '--grid', 'gap=30:50:10', '--rig', TINY_RIG, '--duration', '1', '--out', out, '--queue', redis.url, '--queue-name', 'lost'];
    const [wrong, nowhere, w] = await Promise.all([
      cli(args, 'not-the-password'),
      cli(['worker', '--queue', `redis://127.0.0.1:${await freePort()}/0`, '--out', out], redis.password),
      worker(out, 'lost', 2),
    ]);
    expect(wrong.status).toBe(1);
    expect(wrong.stderr).toBe(`roadcast: --queue: ${redis.url}: Redis refused the user name or password (WRONGPASS; the password comes from the URL or ROADCAST_QUEUE_PASSWORD)\n`);
    expect(wrong.stderr + wrong.stdout).not.toContain('not-the-password');
    expect(nowhere.status).toBe(1);
    expect(nowhere.stderr).toMatch(/^roadcast: --queue: redis:\/\/127\.0\.0\.1:\d+\/0: connection refused \(is redis-server running there\?\)\n$/);
    expect(nowhere.seconds).toBeLessThan(20);

    const coordinator = cli(args, redis.password);
    while (!existsSync(join(out, 'results')) || readdirSync(join(out, 'results')).filter((n) => n.endsWith('.json')).length === 0) await new Promise((r) => setTimeout(r, 50));
    const stoppedAt = Date.now();
    await redis.stop();
    const lost = await coordinator;
    expect(lost.status).toBe(1);
    expect(lost.stderr.trim().split('\n').at(-1)).toBe(`roadcast: lost the queue: ${redis.url}: connection refused (is redis-server running there?); start Redis again and run the same command to resume`);
    expect((Date.now() - stoppedAt) / 1000).toBeLessThan(15);
    expect(await w.exited).toBe(1);
    expect(w.output()).toContain(`roadcast: lost the queue: ${redis.url}: connection refused (is redis-server running there?)`);

    // Redis again (empty: it kept nothing), a worker, the same command: every run once in the index.
    await redis.restart();
    await worker(out, 'lost', 2);
    const resumed = await cli(args, redis.password);
    expect(resumed.stderr.split('\n').filter((l) => l.startsWith('roadcast:'))).toEqual([]);
    expect(resumed.status).toBe(0);
    expect(resumed.stdout).toContain(`Swept 3 runs of ${SCENARIO}: timeout 3`);
    const index = JSON.parse(readFileSync(join(out, 'index.json'), 'utf8')) as SweepIndex;
    expect(index.runs.map((r) => r.id)).toEqual(['run-0001', 'run-0002', 'run-0003']);
    expect(temporaryFiles(out)).toEqual([]);
  }, 120_000);
});
