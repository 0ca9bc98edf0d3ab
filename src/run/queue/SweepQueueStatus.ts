/**
 * `roadcast sweep status DIR`: how far a queued sweep is, from its folder (the result files and
 * queue.json) and its queue (the jobs running, waiting and failed).
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Queue, type Job } from 'bullmq';
import { UserError } from '../../core/errors.js';
import { readManifest } from './QueueManifest.js';
import { closeClient, connectClient, describeRedisError, parseQueueTarget, type QueueTarget } from './QueueTarget.js';
import { finishedIds } from './RunResultFiles.js';
import type { SweepJobData } from './SweepJob.js';

export interface SweepQueueStatus {
  queue: string;
  total: number;
  done: number;
  running: number;
  waiting: number;
  failed: number;
  /** Whether DIR/index.json is there (the coordinator wrote it when the last run was done). */
  indexed: boolean;
}

/**
 * The counts of the queued sweep in `out`. `queue`: the queue to ask (default: the one its
 * queue.json names, with the password from ROADCAST_QUEUE_PASSWORD and, for TLS, `caFile`).
 */
export async function sweepQueueStatus(out: string, options: { queue?: QueueTarget; caFile?: string } = {}): Promise<SweepQueueStatus> {
  const manifest = readManifest(out);
  if (!manifest) throw new UserError('is not the folder of a queued sweep (it has no queue.json): give the --out of `roadcast sweep --queue`', out);
  const target = options.queue ?? parseQueueTarget(manifest.queue, { name: manifest.name, caFile: options.caFile });
  const { client, gone } = await connectClient(target);
  const bull = new Queue(target.name, { connection: client });
  bull.on('error', () => undefined);
  try {
    const ask = <T>(p: Promise<T>): Promise<T> => Promise.race([p, gone.then((why): never => {
      throw new UserError(why, '--queue');
    })]).catch((error: unknown) => {
      throw error instanceof UserError ? error : new UserError(describeRedisError(error as Error), target.shown);
    });
    const counts = await ask(bull.getJobCounts('active', 'waiting', 'delayed', 'prioritized', 'failed'));
    // Only this sweep's failures count (a queue's failed set may outlive its sweep).
    const failed = counts.failed === 0 ? 0 : ((await ask(bull.getFailed(0, -1))) as Job<SweepJobData>[]).filter((j) => j.data?.sweep === manifest.sweep).length;
    return {
      queue: `${target.shown} (${target.name})`,
      total: manifest.total,
      done: finishedIds(out).size,
      running: counts.active,
      waiting: counts.waiting + counts.delayed + counts.prioritized,
      failed,
      indexed: existsSync(join(out, 'index.json')),
    };
  } finally {
    await bull.close().catch(() => undefined);
    closeClient(client);
  }
}
