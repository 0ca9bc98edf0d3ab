/**
 * A child process that makes runs for a queue worker (the sweep's own worker script,
 * run/sweepWorker.ts), one at a time. The run's CPU-bound loop is in the child, so the worker's
 * event loop stays free to renew its jobs' leases; a child that dies mid-run fails that run's
 * attempt (the queue retries it) and takes its half-written recording with it.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { rmSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { RunRequest, RunResult } from '../Sweep.js';

const WORKER_SCRIPT = fileURLToPath(new URL('../sweepWorker.js', import.meta.url));

export class RunnerProcess {
  readonly #child: ChildProcess;
  #exited = false;

  constructor() {
    // Its own process group: Ctrl-C in the worker's terminal stops the worker (which lets the
    // runs in hand finish), not the runs themselves.
    this.#child = fork(WORKER_SCRIPT, [], { stdio: ['ignore', 'ignore', 'inherit', 'ipc'], detached: true });
    this.#child.once('exit', () => (this.#exited = true));
  }

  get alive(): boolean {
    return !this.#exited;
  }

  /** Makes one run; rejects when the process dies before it answers. */
  run(request: RunRequest): Promise<RunResult> {
    return new Promise((resolve, reject) => {
      const onExit = (code: number | null, signal: NodeJS.Signals | null): void => {
        // What the recorder had written under its temporary name (io/McapRecorder.ts) goes too.
        rmSync(join(dirname(request.out), `.${basename(request.out)}.${this.#child.pid}.tmp`), { force: true });
        reject(new Error(`the run's process ended (${signal ?? `exit code ${code}`}) before the run did`));
      };
      if (this.#exited) return onExit(this.#child.exitCode, this.#child.signalCode);
      this.#child.once('exit', onExit);
      this.#child.once('message', (result) => {
        this.#child.off('exit', onExit);
        resolve(result as RunResult);
      });
      this.#child.send(request);
    });
  }

  kill(): void {
    if (!this.#exited) this.#child.kill('SIGKILL');
  }
}
