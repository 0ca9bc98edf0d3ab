/**
 * `roadcast worker`: takes a queued sweep's jobs and makes each run as a local sweep does, in a
 * child process per job slot (RunnerProcess.ts), into the shared output folder: the recording
 * and then the run's result file, each whole under a temporary name. Several workers on several
 * machines share one queue; BullMQ gives each job to one at a time, under a lease the worker
 * renews while the run goes on, and gives the job of a worker that died to another.
 */
import { availableParallelism } from 'node:os';
import { join, resolve } from 'node:path';
import { UnrecoverableError, Worker, type Job } from 'bullmq';
import { UserError } from '../../core/errors.js';
import { readManifest } from './QueueManifest.js';
import { closeClient, connectClient, type QueueTarget } from './QueueTarget.js';
import { writeResult } from './RunResultFiles.js';
import { RunnerProcess } from './RunnerProcess.js';
import { jobMismatch, type SweepJobData } from './SweepJob.js';

/** How long a job stays a worker's without a renewal (`--lease`), unless told otherwise. */
export const DEFAULT_LEASE_S = 30;

export interface QueueWorkerOptions {
  queue: QueueTarget;
  /** The sweep's output folder, as this machine mounts it. */
  out: string;
  /** Jobs at once (default: the core count), each in its own process. */
  jobs?: number;
  /** Seconds a job stays this worker's without a renewal; a dead worker's jobs go to others after it. */
  leaseSeconds?: number;
  /** Each job as it ends: its run's outcome, or why it failed. */
  onJob?: (event: { id: string; outcome?: string; failed?: string }) => void;
  /** Told once the queue answered (the password was taken). */
  onReady?: () => void;
  /** Aborted: take no more jobs, finish the ones in hand, then return (Ctrl-C). */
  signal?: AbortSignal;
}

/**
 * Works until `signal` aborts (then returns once the jobs in hand are done) or the queue is
 * lost (then throws a one-line UserError, the jobs in hand going back to the queue when their
 * lease runs out).
 */
export async function runQueueWorker(options: QueueWorkerOptions): Promise<void> {
  const { client, gone } = await connectClient(options.queue);
  options.onReady?.();
  const idle: RunnerProcess[] = [];
  const busy = new Set<RunnerProcess>();
  const lease = (options.leaseSeconds ?? DEFAULT_LEASE_S) * 1000;
  let reportMisplaced!: (why: string) => void;
  const misplaced = new Promise<string>((resolve) => (reportMisplaced = resolve));

  const work = async (job: Job<SweepJobData>): Promise<{ outcome: string }> => {
    const data = job.data;
    const id = data.request.id;
    const manifest = readManifest(options.out);
    if (manifest?.sweep !== data.sweep) {
      // This worker is set up wrong, not the job: it stops, and the job goes to another worker.
      const why = `this worker's --out ${resolve(options.out)} is not the output folder of the sweep on the queue (${manifest ? 'its queue.json is of another sweep' : 'it has no queue.json'}): give every worker the folder the coordinator writes to`;
      reportMisplaced(why);
      throw new Error(why);
    }
    const mismatch = await jobMismatch(data);
    if (mismatch) throw new UnrecoverableError(mismatch);
    const runner = idle.pop() ?? new RunnerProcess();
    busy.add(runner);
    try {
      const result = await runner.run({ ...data.request, out: join(options.out, `${id}.mcap`) });
      // The recording as the coordinator names it, so its index matches a local sweep's.
      writeResult(options.out, { ...result, recording: data.request.out });
      return { outcome: result.outcome.result };
    } finally {
      busy.delete(runner);
      if (runner.alive) idle.push(runner);
    }
  };

  const worker = new Worker<SweepJobData>(options.queue.name, work, {
    connection: client,
    concurrency: Math.max(1, options.jobs ?? availableParallelism()),
    lockDuration: lease,
    stalledInterval: lease,
    // A job whose worker died twice more is likelier to be killing workers than unlucky.
    maxStalledCount: 2,
  });
  worker.on('error', () => undefined); // told through `gone`, in words
  worker.on('completed', (job, value: { outcome: string }) => options.onJob?.({ id: job.id!, outcome: value.outcome }));
  worker.on('failed', (job, error) => job && options.onJob?.({ id: job.id!, failed: error.message }));

  const stopped = new Promise<void>((resolve) => {
    if (options.signal?.aborted) resolve();
    options.signal?.addEventListener('abort', () => resolve(), { once: true });
  });
  try {
    const reason = await Promise.race([stopped.then(() => undefined), gone.then((why) => ({ lost: why })), misplaced.then((why) => ({ misplaced: why }))]);
    if (reason && 'lost' in reason) {
      for (const runner of busy) runner.kill();
      throw new UserError(`lost the queue: ${reason.lost}; the runs in hand go back to the queue (start Redis again, then the worker)`);
    }
    if (reason) {
      await worker.close();
      throw new UserError(reason.misplaced);
    }
    // Ctrl-C: no new jobs; the ones in hand finish and are reported.
    await Promise.race([worker.close(), gone.then((why) => {
      throw new UserError(`lost the queue while finishing the runs in hand: ${why}`);
    })]);
  } finally {
    void worker.close(true).catch(() => undefined);
    for (const runner of [...idle, ...busy]) runner.kill();
    closeClient(client);
  }
}
