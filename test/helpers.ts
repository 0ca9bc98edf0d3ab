import { spawn, type ChildProcess, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { UserError } from '../src/core/errors.js';
import { RaycastPool } from '../src/raycast/RaycastPool.js';
import type { RaycastScene } from '../src/raycast/RaycastScene.js';

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

/**
 * Resolves with the exit code once the process has exited, at once if it already has (an
 * `exit` listener added after the exit would wait for ever).
 */
export function exited(child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(child.exitCode);
  return new Promise((resolve) => child.once('exit', (code) => resolve(code)));
}

/** Area per semantic class of a triangle soup. */
export function areasByClass(soup: { positions: Float32Array; classes: Uint8Array }): Map<number, number> {
  const area = new Map<number, number>();
  for (let i = 0; i < soup.classes.length; i++) {
    const p = soup.positions.subarray(i * 9, i * 9 + 9);
    const e1 = [p[3] - p[0], p[4] - p[1], p[5] - p[2]], e2 = [p[6] - p[0], p[7] - p[1], p[8] - p[2]];
    const a = 0.5 * Math.hypot(e1[1] * e2[2] - e1[2] * e2[1], e1[2] * e2[0] - e1[0] * e2[2], e1[0] * e2[1] - e1[1] * e2[0]);
    area.set(soup.classes[i], (area.get(soup.classes[i]) ?? 0) + a);
  }
  return area;
}

/**
 * Runs `check` with the scene casting on a pool of 0 workers (the calling thread alone, through
 * the pool) and of 1 worker (two threads), 257 rays a chunk (a beam's sub-rays then straddle
 * chunks), then casts without a pool again: a sweep must not depend on the threads.
 */
export async function onEveryPool(scene: RaycastScene, check: () => void): Promise<void> {
  const pools: RaycastPool[] = [];
  try {
    for (const workers of [0, 1]) {
      const pool = await RaycastPool.create(scene, { workers, chunk: 257 });
      pools.push(pool);
      scene.usePool(pool);
      check();
      scene.usePool(undefined);
    }
  } finally {
    scene.usePool(undefined);
    await Promise.all(pools.map((p) => p.close()));
  }
}

