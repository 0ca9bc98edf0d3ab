import { Option, type Command } from 'commander';
import { UserError } from '../core/errors.js';
import { FAILED_RUN_EXIT, nonNegativeInteger, positiveInteger, positiveSeconds, type FailOn } from './options.js';
import type { QueueProgress, QueueSweepOptions, QueueTarget } from '../index.js';

/** The flags that name a queue: the URL, the queue's name on it and, for TLS, the authority. */
export interface QueueFlags {
  queue?: string;
  queueName?: string;
  queueCa?: string;
}

function addQueueTargetOptions(command: Command, required: boolean): Command {
  const url = 'Redis of the queue: redis://[user@]host:port/db, or rediss://... for TLS (the password: ROADCAST_QUEUE_PASSWORD, or in the URL)';
  return (required ? command.requiredOption('--queue <url>', url) : command.option('--queue <url>', url))
    .option('--queue-name <name>', 'the queue on that Redis (default: roadcast-sweep); one sweep per queue at a time')
    .option('--queue-ca <file>', 'with rediss://: the PEM certificate of the authority that signed the server\'s');
}

/** `roadcast sweep`'s flags for running on a queue (scenarioCommands.ts calls queuedSweep when --queue is given). */
export function addSweepQueueOptions(command: Command): Command {
  return addQueueTargetOptions(command, false)
    .addOption(new Option('--window <n>', 'with --queue: at most this many jobs wait or run in Redis at once (default 1000)').argParser(positiveInteger))
    .option('--detach', 'with --queue: enqueue every run and return; `roadcast sweep status DIR` follows them, the same command without --detach waits and writes the index')
    .option('--retry-failed', 'with --queue: put the runs whose jobs failed for good back in the queue');
}

/** `roadcast search`'s flags for running its batches on a queue. */
export function addSearchQueueOptions(command: Command): Command {
  return addQueueTargetOptions(command, false)
    .addOption(new Option('--window <n>', 'with --queue: at most this many jobs wait or run in Redis at once (default 1000)').argParser(positiveInteger));
}

export async function queueTarget(flags: QueueFlags): Promise<QueueTarget> {
  const { parseQueueTarget } = await import('../index.js');
  return parseQueueTarget(flags.queue!, { name: flags.queueName, caFile: flags.queueCa });
}

export interface QueuedSweepFlags extends QueueFlags {
  window?: number;
  detach?: boolean;
  retryFailed?: boolean;
  jobs?: number;
  failOn?: FailOn[];
}

/** `roadcast sweep ... --queue URL`: the sweep's runs as jobs for `roadcast worker`s. */
export async function queuedSweep(options: Omit<QueueSweepOptions, 'queue'>, flags: QueuedSweepFlags): Promise<void> {
  if (flags.jobs !== undefined) throw new UserError('--jobs is for a local sweep: with --queue, give each `roadcast worker` its --jobs');
  const { queueSweep } = await import('../index.js');
  const tty = process.stderr.isTTY;
  let last = '';
  const onQueueProgress = ({ done, running, failed, total }: QueueProgress): void => {
    const width = 30;
    const bar = '#'.repeat(Math.round((done / Math.max(total, 1)) * width)).padEnd(width, '.');
    const line = `[${bar}] done ${done}/${total}, running ${running}, failed ${failed}`;
    if (line === last) return;
    last = line;
    if (tty) process.stderr.write(`\r${line.padEnd(80)}`);
    else process.stderr.write(`${line}\n`);
  };
  const result = await queueSweep({ ...options, queue: await queueTarget(flags), window: flags.window, detach: flags.detach, retryFailed: flags.retryFailed, onQueueProgress });
  if (tty && !flags.detach) process.stderr.write('\n');
  if (!result.runs) {
    console.log(`Enqueued ${result.enqueued} of ${result.total} runs of ${result.scenario} on ${flags.queue!.replace(/\/\/[^@/]*@/, '//')}; \`roadcast sweep status ${options.out}\` follows them, the same command without --detach waits for them and writes ${options.out}/index.json`);
    return;
  }
  const runs = result.runs;
  const counts = new Map<string, number>();
  for (const run of runs) counts.set(run.result, (counts.get(run.result) ?? 0) + 1);
  console.log(`Swept ${runs.length} runs of ${result.scenario}${result.distribution ? ` (variants of ${result.distribution})` : ''}: ${[...counts].map(([k, v]) => `${k} ${v}`).join(', ')}`);
  console.log(`Index: ${options.out}/index.json${options.indexFormat === 'csv' ? ` and ${options.out}/index.csv` : ''}`);
  const errors = runs.filter((r) => r.result === 'error');
  if (errors.length > 0) {
    throw new UserError(`${errors.length} of ${runs.length} runs failed with an error (first, ${errors[0].id}: ${errors[0].error}); --retry-failed puts the ones the queue gave up on back`);
  }
  const failOn = flags.failOn ?? [];
  const failed = runs.filter((r) => failOn.some((c) => (c === 'collision' ? r.collision : r.result === c)));
  if (failed.length > 0) {
    console.error(`roadcast: ${failed.length} of ${runs.length} runs failed (--fail-on ${failOn.join(' ')}): ${failed.map((r) => r.id).join(', ')}`);
    process.exitCode = FAILED_RUN_EXIT;
  }
}

/** `roadcast sweep status DIR`. */
export function addSweepStatusCommand(sweep: Command): void {
  // `sweep status DIR --queue ...`: the flags after `status` are its own, not the sweep's of the
  // same names (commander hands a subcommand its flags only when every command above it parses
  // its own flags positionally; the program has none but --version and --help).
  sweep.parent?.enablePositionalOptions();
  sweep.enablePositionalOptions();
  addQueueTargetOptions(sweep.command('status')
    .description('How far a queued sweep is: runs done, running, waiting and failed (from its folder and its queue).')
    .argument('<dir>', 'the --out folder of `roadcast sweep --queue`'), false)
    .action(async (dir: string, flags: QueueFlags) => {
      const { sweepQueueStatus } = await import('../index.js');
      const s = await sweepQueueStatus(dir, flags.queue ? { queue: await queueTarget(flags) } : { caFile: flags.queueCa });
      console.log(`${dir}: ${s.done} of ${s.total} runs done, ${s.running} running, ${s.waiting} waiting, ${s.failed} failed on ${s.queue}${s.indexed ? '; index.json written' : ''}`);
    });
}

/** `roadcast worker`. */
export function addWorkerCommand(program: Command): void {
  addQueueTargetOptions(program.command('worker')
    .description('Take the runs of queued sweeps (`roadcast sweep --queue`) and make them, each in a process of its own, into the sweep\'s shared output folder; Ctrl-C finishes the runs in hand, then exits.'), true)
    .requiredOption('--out <dir>', 'the sweep\'s output folder, as this machine mounts it (shared with the coordinator)')
    .addOption(new Option('--jobs <n>', 'runs at once (default: the core count)').argParser(nonNegativeInteger))
    .addOption(new Option('--lease <s>', 'seconds a run stays this worker\'s without a renewal; a dead worker\'s runs go to others after it (default 30)').argParser(positiveSeconds))
    .action(async (flags: QueueFlags & { out: string; jobs?: number; lease?: number }) => {
      const { runQueueWorker } = await import('../index.js');
      const target = await queueTarget(flags);
      const stop = new AbortController();
      const onSignal = (): void => {
        if (stop.signal.aborted) return;
        console.error('roadcast: finishing the runs in hand, then exiting');
        stop.abort();
      };
      process.on('SIGINT', onSignal);
      process.on('SIGTERM', onSignal);
      await runQueueWorker({
        onReady: () => console.log(`Worker on ${target.shown} (${target.name}), writing to ${flags.out}`),
        queue: target, out: flags.out, jobs: flags.jobs === 0 ? undefined : flags.jobs, leaseSeconds: flags.lease, signal: stop.signal,
        onJob: (e) => console.log(e.failed ? `${e.id} failed: ${e.failed}` : `${e.id} ${e.outcome}`),
      });
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    });
}
