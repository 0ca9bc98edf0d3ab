import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { UserError } from '../src/core/errors.js';

/** The UserError `fn` throws; fails the test if it throws nothing or another error. */
export function userError(fn: () => unknown): UserError {
  try {
    fn();
  } catch (error) {
    if (error instanceof UserError) return error;
    throw error;
  }
  throw new Error('expected a UserError');
}

/**
 * Starts the built CLI with arguments that make it serve (`run --serve`, `replay`), and
 * resolves with the process and the WebSocket URL it prints once it listens.
 */
export async function startServing(args: string[]): Promise<{ child: ChildProcessWithoutNullStreams; url: string; output: () => string }> {
  const child = spawn(process.execPath, ['dist/cli/main.js', ...args]);
  let stdout = '';
  child.stdout.setEncoding('utf8');
  child.stdout.on('data', (chunk: string) => (stdout += chunk));
  const url = await new Promise<string>((resolve, reject) => {
    child.stdout.on('data', () => {
      const match = /(ws:\/\/127\.0\.0\.1:\d+)/.exec(stdout);
      if (match) resolve(match[1]);
    });
    child.once('exit', (code) => reject(new Error(`exited ${code} before serving: ${stdout}`)));
  });
  return { child, url, output: () => stdout };
}
