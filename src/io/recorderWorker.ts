/**
 * The thread a RecorderThread records on: an McapRecorder that encodes, compresses and writes
 * the frames it is sent, in the order sent. Each frame is acknowledged once the recorder has
 * room for more (McapRecorder's bounded queue), so a slow disk holds back the acknowledgements
 * and through them the run.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { Frame } from '../core/frame.js';
import { isUserError } from '../core/errors.js';
import { McapRecorder, type RecorderOptions } from './McapRecorder.js';
import type { FromRecorderThread, ToRecorderThread } from './RecorderThread.js';

const port = parentPort!;
const { path, options } = workerData as { path: string; options: RecorderOptions };

function send(message: FromRecorderThread): void {
  port.postMessage(message);
}

function failure(error: unknown): Extract<FromRecorderThread, { type: 'failed' }> {
  const e = error as Error;
  return { type: 'failed', message: e?.message ?? String(error), user: isUserError(error), stack: e?.stack };
}

/** Takes the run's messages in the order sent, each handed to the recorder at once (it keeps the order). */
function serve(recorder: McapRecorder): void {
  port.on('message', (message: ToRecorderThread) => {
    switch (message.type) {
      case 'frame':
        recorder.write(message.frame as Frame).then(
          () => send({ type: 'ack', bytes: message.bytes }),
          (error: unknown) => send(failure(error)),
        );
        return;
      case 'metadata':
        recorder.addMetadata(message.entries).catch((error: unknown) => send(failure(error)));
        return;
      case 'close':
        recorder.close().then(() => send({ type: 'closed' }), (error: unknown) => send({ ...failure(error), final: true }));
        return;
      case 'abort':
        recorder.abort().then(() => send({ type: 'closed' }));
        return;
    }
  });
}

// A recording that cannot be opened is reported; the opening thread then ends this one.
McapRecorder.open(path, options).then(
  (recorder) => {
    serve(recorder);
    send({ type: 'opened', tempPath: recorder.tempPath });
  },
  (error: unknown) => send(failure(error)),
);
