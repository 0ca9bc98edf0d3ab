/**
 * Running the built CLI on hostile input within bounds: a child with a 512 MB heap, killed
 * after a generous time (a hang detector, not a speed test), and the shape of the answer a
 * user error must have: one line on stderr, `roadcast: <where>: <message>`, no stack.
 */
import { spawn, spawnSync } from 'node:child_process';
import { expect } from 'vitest';

export const CLI = 'dist/cli/main.js';
/** Each hostile input must be refused within this long, on a shared and loaded machine. */
export const REFUSE_WITHIN_MS = 10_000;
export const HEAP_MB = 512;

export interface CliResult {
  status: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Runs `roadcast ...args` with a bounded heap, killed after `timeoutMs`. */
export function roadcast(args: string[], timeoutMs = REFUSE_WITHIN_MS): CliResult {
  const result = spawnSync(process.execPath, [`--max-old-space-size=${HEAP_MB}`, CLI, ...args], { encoding: 'utf8', timeout: timeoutMs, killSignal: 'SIGKILL' });
  return { status: result.status, signal: result.signal, stdout: result.stdout, stderr: result.stderr };
}

/** The same, asynchronous: for commands that wait on something the test does meanwhile. */
export function roadcastAsync(args: string[], timeoutMs = REFUSE_WITHIN_MS): Promise<CliResult> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [`--max-old-space-size=${HEAP_MB}`, CLI, ...args]);
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.once('exit', (status, signal) => {
      clearTimeout(timer);
      resolve({ status, signal, stdout, stderr });
    });
  });
}

/** A sweep's progress lines on stderr (not a terminal): `[##....] 1/2 run-0001 ...`. */
export const SWEEP_PROGRESS = /^\[[#.]*\] \d+\/\d+/;

/**
 * Asserts the command was refused in time with exactly one line matching `pattern` (besides
 * warnings and lines matching `ignore`), and returns it.
 */
export function expectOneLineError(result: CliResult, pattern: RegExp, ignore?: RegExp): string {
  expect(result.signal, `killed (a hang or memory blow-up?); stderr: ${result.stderr.slice(0, 500)}`).toBeNull();
  expect(result.stderr).not.toMatch(/\n\s+at /);
  const lines = result.stderr.split('\n').filter((line) => line !== '' && !line.startsWith('roadcast: warning:') && !ignore?.test(line));
  expect(lines, result.stderr).toHaveLength(1);
  expect(lines[0]).toMatch(/^roadcast: /);
  expect(lines[0]).toMatch(pattern);
  expect(result.status).toBe(1);
  return lines[0];
}
