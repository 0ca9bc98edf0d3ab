import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';

/**
 * The Python that runs the consumers' own tools (the nuScenes devkit, rosbags, mcap,
 * mcap-ros2-support, roadcast's client) against our exports: ROADCAST_PYTHON, else the
 * environment `scripts/python-env.sh` makes (.venv-consumers), else none. On a user's machine
 * without it those tests skip; `.ci/run` makes the environment and sets
 * ROADCAST_REQUIRE_PYTHON=1, so there they fail instead.
 */
export const CONSUMER_PYTHON: string | undefined = (() => {
  const candidates = [process.env.ROADCAST_PYTHON, resolve('.venv-consumers/bin/python')];
  return candidates.find((p): p is string => !!p && existsSync(p));
})();

export const REQUIRE_PYTHON = process.env.ROADCAST_REQUIRE_PYTHON === '1';

/** Whether the consumer Python imports every one of `modules` (checked once per set). */
export function pythonHas(...modules: string[]): boolean {
  if (!CONSUMER_PYTHON) return false;
  const r = spawnSync(CONSUMER_PYTHON, ['-c', modules.map((m) => `import ${m}`).join('; ')], { encoding: 'utf8', timeout: 60_000 });
  return r.status === 0;
}

/**
 * Whether tests needing `modules` run: true when they are importable, false (skip) when not,
 * and an error when ROADCAST_REQUIRE_PYTHON=1 says they must run.
 */
export function consumersAvailable(...modules: string[]): boolean {
  if (pythonHas(...modules)) return true;
  if (REQUIRE_PYTHON) throw new Error(`ROADCAST_REQUIRE_PYTHON=1 but ${CONSUMER_PYTHON ?? 'no consumer Python (run scripts/python-env.sh)'} cannot import ${modules.join(', ')}`);
  return false;
}

/**
 * Runs a Python script in the consumer environment with arguments; returns its stdout parsed as
 * JSON (a script prints one JSON value last). A failing script fails the test with its stderr.
 */
export function runPython(script: string, args: string[] = [], timeoutMs = 300_000): unknown {
  if (!CONSUMER_PYTHON) throw new Error('no consumer Python');
  const r = spawnSync(CONSUMER_PYTHON, ['-c', script, ...args], { encoding: 'utf8', timeout: timeoutMs, maxBuffer: 256 * 1024 * 1024 });
  if (r.status !== 0) throw new Error(`python exited ${r.status ?? r.signal}: ${r.stderr}`);
  const lines = r.stdout.trim().split('\n');
  return JSON.parse(lines[lines.length - 1]);
}
