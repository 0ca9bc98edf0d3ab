/**
 * Real `roadcast worker` processes (the built CLI) for the queue tests, with their output kept,
 * and what the tests check a sweep's folder for.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export interface WorkerProcess {
  child: ChildProcessWithoutNullStreams;
  output: () => string;
  /** The ids of the runs it finished (its `run-0001 success` lines). */
  finished: () => string[];
  exited: Promise<number | null>;
}

/** Runs the built CLI with the queue's password in its environment; resolves once it has exited. */
export function cli(args: string[], password: string, timeoutMs = 60_000): Promise<{ status: number | null; stdout: string; stderr: string; seconds: number }> {
  const started = Date.now();
  const child = spawn(process.execPath, ['dist/cli/main.js', ...args], { env: { ...process.env, ROADCAST_QUEUE_PASSWORD: password } });
  let stdout = '', stderr = '';
  child.stdout.setEncoding('utf8').on('data', (c: string) => (stdout += c));
  child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  return new Promise((resolve) => child.once('exit', (status) => {
    clearTimeout(timer);
    resolve({ status, stdout, stderr, seconds: (Date.now() - started) / 1000 });
  }));
}

/** Starts `roadcast worker` and resolves once it is taking jobs. */
export async function startWorker(args: string[], password: string): Promise<WorkerProcess> {
  const child = spawn(process.execPath, ['dist/cli/main.js', 'worker', ...args], { env: { ...process.env, ROADCAST_QUEUE_PASSWORD: password } });
  let text = '';
  child.stdout.setEncoding('utf8').on('data', (c: string) => (text += c));
  child.stderr.setEncoding('utf8').on('data', (c: string) => (text += c));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  await new Promise<void>((resolve, reject) => {
    const check = (): void => {
      if (text.includes('Worker on')) resolve();
    };
    child.stdout.on('data', check);
    void exited.then((code) => reject(new Error(`worker exited ${code}: ${text}`)));
  });
  return {
    child, exited, output: () => text,
    finished: () => [...text.matchAll(/^(run-\d+) (?:success|failure|timeout)$/gm)].map((m) => m[1]),
  };
}

/** Every file under a folder whose name says it is temporary (a recording or result in progress). */
export function temporaryFiles(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((name) => name.endsWith('.tmp'));
}

/** The recordings of a sweep's folder, by name, as bytes. */
export function recordings(dir: string): Map<string, Buffer> {
  return new Map(readdirSync(dir).filter((n) => n.endsWith('.mcap')).sort().map((n) => [n, readFileSync(join(dir, n))]));
}

/**
 * Waits for a run under way in one of `workers`: its recording's temporary file
 * (`.run-0001.mcap.<pid>.tmp`) names the run's process, whose parent is the worker.
 */
export async function runInHand(out: string, workers: WorkerProcess[]): Promise<{ worker: WorkerProcess; run: string; temporary: string }> {
  for (;;) {
    for (const name of existsSync(out) ? readdirSync(out) : []) {
      const match = /^\.(run-\d+)\.mcap\.(\d+)\.tmp$/.exec(name);
      if (!match) continue;
      let parent: string | undefined;
      try {
        parent = readFileSync(`/proc/${match[2]}/stat`, 'utf8').split(') ')[1]?.split(' ')[1];
      } catch {
        continue; // that run just ended
      }
      const worker = workers.find((w) => String(w.child.pid) === parent);
      if (worker) return { worker, run: match[1], temporary: join(out, name) };
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
