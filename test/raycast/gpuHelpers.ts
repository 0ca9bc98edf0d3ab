/**
 * What the GPU tests share. The WebGPU binding loads the Vulkan loader (libvulkan.so.1) when
 * the process starts looking for adapters, and LD_LIBRARY_PATH is read only when a process
 * starts: so every GPU check runs in a child node process (gpuChild/*.ts, through tsx) with the
 * environment of the software adapter, SwiftShader from Debian's chromium, where it is
 * installed; elsewhere with the environment as it is (a machine's own GPU driver).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const ROOT = resolve(__dirname, '../..');
const SWIFTSHADER_DIR = '/usr/lib/chromium';
const SWIFTSHADER_ICD = join(SWIFTSHADER_DIR, 'vk_swiftshader_icd.json');

/** ROADCAST_REQUIRE_GPU=1 (CI): a missing adapter fails the GPU tests instead of skipping them. */
export const REQUIRE_GPU = process.env.ROADCAST_REQUIRE_GPU === '1';

/** The child's environment: SwiftShader's when installed, then `overrides` (undefined removes a variable). */
export function gpuEnv(overrides: Record<string, string | undefined> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  if (existsSync(SWIFTSHADER_ICD)) {
    env.LD_LIBRARY_PATH = [SWIFTSHADER_DIR, env.LD_LIBRARY_PATH].filter(Boolean).join(':');
    env.VK_ICD_FILENAMES = SWIFTSHADER_ICD;
  }
  // The Vulkan loader warns without one.
  env.XDG_RUNTIME_DIR ??= mkdtempSync(join(tmpdir(), 'roadcast-xdg-'));
  for (const [name, value] of Object.entries(overrides)) {
    if (value === undefined) delete env[name];
    else env[name] = value;
  }
  return env;
}

export interface ChildResult<T> {
  status: number | null;
  stdout: string;
  stderr: string;
  /** The last line of stdout as JSON, if it is. */
  json: T | undefined;
}

/** Runs test/raycast/gpuChild/<name>.ts in a child node process (tsx) with `env`. */
export function runGpuChild<T>(name: string, args: string[] = [], env: NodeJS.ProcessEnv = gpuEnv(), nodeFlags: string[] = []): ChildResult<T> {
  const script = join(ROOT, 'test/raycast/gpuChild', `${name}.ts`);
  return runNode([...nodeFlags, '--import', 'tsx', script, ...args], env);
}

/** Runs node with `args` from the repository root (the built CLI: dist/cli/main.js). */
export function runNode<T>(args: string[], env: NodeJS.ProcessEnv): ChildResult<T> {
  const result = spawnSync(process.execPath, args, { cwd: ROOT, env, encoding: 'utf8', timeout: 300_000 });
  const last = result.stdout.trim().split('\n').pop() ?? '';
  let json: T | undefined;
  try {
    json = JSON.parse(last) as T;
  } catch {
    json = undefined;
  }
  return { status: result.status, stdout: result.stdout, stderr: result.stderr, json };
}

export interface Probe {
  ok: boolean;
  adapter?: { name: string; software: boolean };
  reason?: string;
}

let probed: Probe | undefined;

/** Whether a child process gets a GPU adapter, and its name or why not (once per test file). */
export function probeGpu(): Probe {
  if (probed) return probed;
  const result = runGpuChild<Probe>('probe');
  probed = result.json ?? { ok: false, reason: `the probe exited ${result.status}: ${result.stderr.trim().split('\n').slice(-3).join(' ')}` };
  if (!probed.ok) console.warn(`GPU tests skipped: ${probed.reason}${REQUIRE_GPU ? ' (and ROADCAST_REQUIRE_GPU=1: they fail)' : ''}`);
  return probed;
}

/** The title of a GPU test group: says on which adapter it runs, or why it is skipped. */
export function gpuTitle(what: string, probe: Probe): string {
  if (probe.ok) return `${what} (on ${probe.adapter!.name})`;
  return `${what} (${REQUIRE_GPU ? 'ROADCAST_REQUIRE_GPU=1 but' : 'skipped:'} no GPU adapter: ${probe.reason})`;
}
