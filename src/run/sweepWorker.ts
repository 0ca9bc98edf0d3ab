import { rmSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { failedRun, runVariant, type RunRequest } from './Sweep.js';

/** The request this process is running, if any: its temporary recording is ours to remove. */
let current: RunRequest | undefined;

/**
 * A sweep worker process: runs each request it is sent and answers with the result. The
 * sweep runs one such process per core (a queue worker one per job slot), so each raycasts
 * on its own thread only.
 */
process.on('message', (request: RunRequest) => {
  current = request;
  runVariant(request, 1).then(
    (result) => process.send!(result),
    (error: Error) => process.send!(failedRun(request, error)),
  ).finally(() => (current = undefined));
});

/**
 * The parent went away (a sweep stopped, a queue worker killed with SIGKILL): stop at once,
 * and leave no half-written recording behind. The recorder writes `.<name>.<pid>.tmp` beside
 * the recording (io/McapRecorder.ts) and renames it only when the run is complete.
 */
process.on('disconnect', () => {
  if (current) rmSync(join(dirname(current.out), `.${basename(current.out)}.${process.pid}.tmp`), { force: true });
  process.exit(0);
});
