import { failedRun, runVariant, type RunRequest } from './Sweep.js';

/**
 * A sweep worker process: runs each request it is sent and answers with the result. The
 * sweep runs one such process per core, so each raycasts on its own thread only.
 */
process.on('message', (request: RunRequest) => {
  runVariant(request, 1).then(
    (result) => process.send!(result),
    (error: Error) => process.send!(failedRun(request, error)),
  );
});
process.on('disconnect', () => process.exit(0));
