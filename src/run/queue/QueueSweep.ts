/**
 * A sweep whose runs are jobs on a BullMQ queue in Redis, made by `roadcast worker` processes on
 * any number of machines that share the output folder. The coordinator (this) enqueues the
 * variants a bounded window at a time, follows them by their result files (RunResultFiles.ts)
 * and the queue's failed set, and at the end writes DIR/index.json with the same bytes a local
 * sweep of the same variants writes. Run again, it resumes: finished runs are not redone.
 */
import { createHash } from 'node:crypto';
import { existsSync, rmSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { Queue, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import { UserError } from '../../core/errors.js';
import { fileSystemError, makeFolderSync, writeFileWhole } from '../../core/fileErrors.js';
import { ROADCAST_VERSION } from '../../core/version.js';
import { failedRun, planSweep, type RunRequest, type RunResult, type SweepOptions } from '../Sweep.js';
import { indexCsv } from '../SweepCsv.js';
import { writeManifest } from './QueueManifest.js';
import { closeClient, connectClient, describeRedisError, type QueueTarget } from './QueueTarget.js';
import { finishedIds, readResult, removeLeftovers, resultFile, writeIndex } from './RunResultFiles.js';
import { hashInputs, JOB_OPTIONS, type SweepJobData } from './SweepJob.js';

/** Jobs waiting or running in Redis at once, unless told otherwise: enough to keep hundreds of slots busy. */
export const DEFAULT_WINDOW = 1000;
/** How often the coordinator looks at the result files and the queue's counts. */
const POLL_MS = 200;
/** Jobs per round trip when enqueueing. */
const BATCH = 500;

export interface QueueSweepOptions extends SweepOptions {
  queue: QueueTarget;
  /** At most this many of the sweep's jobs wait or run in Redis at once (DEFAULT_WINDOW). */
  window?: number;
  /** Enqueue every variant and return, without waiting (the window does not apply). */
  detach?: boolean;
  /** Put the runs whose jobs failed for good (the failed set) back in the queue. */
  retryFailed?: boolean;
  onQueueProgress?: (progress: QueueProgress) => void;
}

export interface QueueProgress {
  done: number;
  running: number;
  /** Jobs of the queue waiting for a worker (never more than the window, with those running). */
  waiting: number;
  failed: number;
  total: number;
}

/** Each run of a finished queued sweep in brief (the index has the rest). */
export interface RunBrief {
  id: string;
  result: string;
  collision: boolean;
  error?: string;
}

export interface QueueSweepResult {
  scenario: string;
  distribution?: string;
  /** Every run, in the index's order; absent when detached. */
  runs?: RunBrief[];
  /** Detached: the jobs enqueued now (those already in the queue are not added twice). */
  enqueued?: number;
  total: number;
  /** The fingerprint of the sweep (queue.json, every job). */
  sweep: string;
}

/**
 * Runs a sweep on the queue. Throws a UserError, in one line, when Redis refuses the password,
 * cannot be reached, or goes away mid-sweep; running it again then resumes.
 */
export async function queueSweep(options: QueueSweepOptions): Promise<QueueSweepResult> {
  const plan = await planSweep(options);
  try {
    makeFolderSync(options.out);
  } catch (error) {
    throw fileSystemError('cannot create the output folder', options.out, error);
  }
  /** The plan's request of a run id (run-0001 is the first), undefined for an id not in it. */
  const requestOf = (id: string): RunRequest | undefined => plan.requests[Number(id.slice('run-'.length)) - 1];
  const inputs = await hashInputs(plan.file, options.rig);
  const sweep = createHash('sha256').update(JSON.stringify({
    version: ROADCAST_VERSION, file: plan.file, distribution: plan.distribution, inputs,
    requests: plan.requests.map((r) => ({ ...r, out: basename(r.out) })),
  })).digest('hex').slice(0, 32);
  const { client, gone } = await connectClient(options.queue);
  const lost = gone.then((reason): never => {
    throw new UserError(`lost the queue: ${reason}; start Redis again and run the same command to resume`);
  });
  lost.catch(() => undefined);
  // Every Redis operation races the connection's end, so a Redis that went away is one line within seconds.
  const redis = <T>(operation: Promise<T>): Promise<T> => Promise.race([operation, lost]).catch((error: unknown) => {
    if (error instanceof UserError) throw error;
    throw new UserError(describeRedisError(error as Error), options.queue.shown);
  });
  const queue = new Queue(options.queue.name, { connection: client });
  queue.on('error', () => undefined); // told through `gone`, in words
  try {
    await claimQueue(client, options, sweep, plan.file, redis);
    writeManifest(options.out, { sweep, scenario: plan.file, queue: options.queue.shown, name: options.queue.name, total: plan.requests.length });
    const jobData = (request: RunRequest): SweepJobData => ({ request, version: ROADCAST_VERSION, inputs, sweep });
    const enqueue = (requests: RunRequest[]): Promise<unknown> => redis(queue.addBulk(requests.map((request) => ({ name: 'run', data: jobData(request), opts: { jobId: request.id, ...JOB_OPTIONS } }))));

    // What is done already: result files (a run that could not be made is made again, as a local sweep does)...
    const finished = finishedIds(options.out);
    for (const id of finished) {
      let error: string | undefined = 'unreadable';
      try {
        error = readResult(options.out, id).error;
      } catch {
        // Written whole, so only a hand or a broken disk damages one: that run is made again.
      }
      if (error !== undefined) {
        rmSync(resultFile(options.out, id), { force: true });
        finished.delete(id);
      }
    }
    // ... and what failed for good (the dead-letter set), unless it is to be re-driven.
    const failed = new Map<string, string>();
    for (const job of await redis(queue.getFailed(0, -1)) as Job<SweepJobData>[]) {
      // This sweep's, or the same run of an earlier sweep into this folder (a search's earlier
      // batch: the variants grow, ids and requests stay): its job id is taken, so it is failed here too.
      const same = job.data?.sweep === sweep || (job.id !== undefined && JSON.stringify(requestOf(job.id)) === JSON.stringify(job.data?.request));
      if (!same || finished.has(job.id!)) continue;
      if (options.retryFailed) await redis(job.remove());
      else failed.set(job.id!, job.failedReason);
    }
    const pending = plan.requests.filter((r) => !finished.has(r.id) && !failed.has(r.id));
    const total = plan.requests.length;
    if (options.detach) {
      for (let i = 0; i < pending.length; i += BATCH) await enqueue(pending.slice(i, i + BATCH));
      return { scenario: plan.file, ...(plan.distribution ? { distribution: plan.distribution } : {}), enqueued: pending.length, total, sweep };
    }

    const window = Math.max(1, options.window ?? DEFAULT_WINDOW);
    const inFlight = new Map<string, RunRequest>();
    let next = 0;
    let done = finished.size;
    const settle = (): void => {
      for (const id of inFlight.keys()) {
        if (existsSync(resultFile(options.out, id))) {
          inFlight.delete(id);
          done++;
        }
      }
    };
    for (;;) {
      while (inFlight.size < window && next < pending.length) {
        const batch = pending.slice(next, next + Math.min(BATCH, window - inFlight.size));
        await enqueue(batch);
        for (const request of batch) inFlight.set(request.id, request);
        next += batch.length;
      }
      await Promise.race([new Promise((resolve) => setTimeout(resolve, POLL_MS)), lost]);
      settle();
      const counts = await redis(queue.getJobCounts('active', 'waiting', 'delayed', 'prioritized', 'failed'));
      if (counts.failed > failed.size) {
        for (const job of await redis(queue.getFailed(0, -1)) as Job<SweepJobData>[]) {
          if (job.data?.sweep === sweep && inFlight.delete(job.id!)) failed.set(job.id!, job.failedReason);
        }
      }
      const queued = counts.active + counts.waiting + counts.delayed + counts.prioritized;
      if (queued === 0 && inFlight.size > 0) {
        settle();
        // Still without a result and no longer in Redis (a Redis restarted without its data): enqueue them again.
        if (inFlight.size > 0) await enqueue([...inFlight.values()]);
      }
      options.onQueueProgress?.({ done, running: counts.active, waiting: queued - counts.active, failed: failed.size, total });
      // Done when every run is, and no duplicate of one (at-least-once) is still writing.
      if (next >= pending.length && inFlight.size === 0 && queued === 0) break;
    }

    removeLeftovers(options.out);
    const runs: RunBrief[] = [];
    const csv: RunResult[] | undefined = options.indexFormat === 'csv' ? [] : undefined;
    const head = { scenario: plan.file, ...(plan.distribution ? { distribution: plan.distribution } : {}) };
    writeIndex(join(options.out, 'index.json'), head, plan.requests.map((r) => r.id), (id) => {
      const request = requestOf(id)!;
      const reason = failed.get(id);
      // The recording's path as this machine names it (a worker may mount the folder elsewhere).
      return reason !== undefined ? failedRun(request, new Error(reason)) : { ...readResult(options.out, id), recording: request.out };
    }, (run) => {
      runs.push({ id: run.id, result: run.outcome.result, collision: run.events.some((e) => e.type === 'collision'), ...(run.error ? { error: run.error } : {}) });
      csv?.push(run);
    });
    if (csv) writeFileWhole(join(options.out, 'index.csv'), indexCsv({ ...head, runs: csv }), 'cannot write the sweep index as CSV');
    return { ...head, runs, total, sweep };
  } finally {
    await queue.close().catch(() => undefined);
    closeClient(client);
  }
}

/**
 * One sweep per queue: a queue holding another sweep's unfinished or failed jobs is refused
 * (their ids, run-0001 and on, would be taken for this sweep's); the failed jobs of an earlier
 * sweep into the same folder are not another sweep's. The claim is a small key
 * beside the queue's own.
 */
async function claimQueue(client: Redis, options: QueueSweepOptions, sweep: string, scenario: string, redis: <T>(p: Promise<T>) => Promise<T>): Promise<void> {
  const key = `bull:${options.queue.name}:roadcast-sweep`;
  const holder = await redis(client.get(key));
  if (holder) {
    const other = JSON.parse(holder) as { sweep: string; scenario: string; out: string };
    if (other.sweep !== sweep) {
      const queue = new Queue(options.queue.name, { connection: client });
      queue.on('error', () => undefined);
      const counts = await redis(queue.getJobCounts('active', 'waiting', 'delayed', 'prioritized', 'failed'));
      await queue.close();
      // The same folder's earlier sweep (a search's batches) may leave failed jobs: they are its runs, taken as failed.
      const sameFolder = resolve(other.out) === resolve(options.out) && other.scenario === scenario;
      if (counts.active + counts.waiting + counts.delayed + counts.prioritized + (sameFolder ? 0 : counts.failed) > 0) {
        throw new UserError(`the queue "${options.queue.name}" holds jobs of another sweep (of ${other.scenario} into ${other.out}): let it finish, or give this one another --queue-name`, options.queue.shown);
      }
    }
  }
  await redis(client.set(key, JSON.stringify({ sweep, scenario, out: options.out })));
}
