/**
 * One queued run: what a job carries (the run request, the roadcast version and the sha256 of
 * the files the run reads) and the worker's check that it would make the same bytes as the
 * coordinator's machine: the same version and the same scenario, map and rig. A job that fails
 * the check fails at once, without retries, naming what differs.
 */
import { createHash } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { basename } from 'node:path';
import { ROADCAST_VERSION } from '../../core/version.js';
import { loadScenarioFile } from '../../scenario/loadScenario.js';
import { DEFAULT_RIG_FILE } from '../RunInputs.js';
import type { RunRequest } from '../Sweep.js';

/** The files a run reads, by role; the rig of `(roadcast default)` is the package's own. */
export type InputRole = 'scenario' | 'map' | 'rig';

export interface InputFile {
  role: InputRole;
  /** As the coordinator named it (a map's path is resolved against its scenario's folder). */
  path: string;
  sha256: string;
}

/** Stands for the rig bundled with roadcast (sensors/default.yaml), wherever it is installed. */
const BUNDLED_RIG = '(roadcast default)';

export interface SweepJobData {
  /** The run as the coordinator made it; `out` is the recording's path on the coordinator's machine. */
  request: RunRequest;
  /** The roadcast that enqueued it: a worker of another version would record other bytes. */
  version: string;
  inputs: InputFile[];
  /** The sweep's fingerprint, as DIR/queue.json has it: a worker writing to another folder refuses the job. */
  sweep: string;
}

/** The job options of every run: three tries a second apart, doubling; finished jobs leave Redis. */
export const JOB_ATTEMPTS = 3;
export const JOB_OPTIONS = {
  attempts: JOB_ATTEMPTS,
  backoff: { type: 'exponential', delay: 1000 },
  // A finished run's record is its result file; keeping its job too would grow Redis with the sweep.
  removeOnComplete: true,
  // The failed set is the dead-letter queue: `--retry-failed` re-drives what is there.
  removeOnFail: false,
} as const;

/** Where the scenario, its map and the rig of a sweep's runs are (the map of the scenario's default parameters). */
async function inputPaths(file: string, rig: string | undefined): Promise<{ role: InputRole; path: string; read: string }[]> {
  const scenario = await loadScenarioFile(file);
  const rigPath = rig ?? scenario.rigFile;
  return [
    { role: 'scenario', path: file, read: file },
    ...(scenario.mapFile ? [{ role: 'map' as const, path: scenario.mapFile, read: scenario.mapFile }] : []),
    rigPath ? { role: 'rig', path: rigPath, read: rigPath } : { role: 'rig', path: BUNDLED_RIG, read: DEFAULT_RIG_FILE },
  ];
}

/** The sha256 of the files every run of a sweep of `file` reads. */
export async function hashInputs(file: string, rig: string | undefined): Promise<InputFile[]> {
  return (await inputPaths(file, rig)).map(({ role, path, read }) => ({ role, path, sha256: hashFile(read) }));
}

/** Hashes by path, size and modification time: a worker re-reads a file only when it changed. */
const hashes = new Map<string, { size: number; mtimeMs: number; sha256: string }>();

function hashFile(path: string): string {
  const stat = statSync(path, { throwIfNoEntry: false });
  if (!stat) return 'missing';
  const known = hashes.get(path);
  if (known && known.size === stat.size && known.mtimeMs === stat.mtimeMs) return known.sha256;
  const sha256 = createHash('sha256').update(readFileSync(path)).digest('hex');
  hashes.set(path, { size: stat.size, mtimeMs: stat.mtimeMs, sha256 });
  return sha256;
}

/**
 * Why this machine would not make the bytes the job's coordinator expects, or undefined when it
 * would. The scenario is hashed before it is loaded (a different file may not even load).
 */
export async function jobMismatch(data: SweepJobData): Promise<string | undefined> {
  const id = data.request.id;
  if (data.version !== ROADCAST_VERSION) return `${id} was enqueued by roadcast ${data.version}, this worker is roadcast ${ROADCAST_VERSION}: run workers of the coordinator's version`;
  const expected = new Map(data.inputs.map((f) => [f.role, f]));
  const differs = (role: InputRole, path: string, sha256: string): string | undefined => {
    const theirs = expected.get(role);
    if (!theirs) return `${id}: this worker's ${role} is ${path}, the sweep's has none`;
    if (theirs.sha256 === sha256) return undefined;
    const here = sha256 === 'missing' ? `${path} is missing here` : `${path} has sha256 ${sha256.slice(0, 12)}… here`;
    return `${id}: the ${role} file differs from the sweep's (${here}, ${theirs.path} has ${theirs.sha256.slice(0, 12)}… on the coordinator's machine): give every worker the same files`;
  };
  const scenario = differs('scenario', data.request.file, hashFile(data.request.file));
  if (scenario) return scenario;
  // A scenario that does not load here (its map missing, say) fails in the run, as it would locally.
  const mine = await cachedInputPaths(data.request.file, data.request.rig).catch(() => undefined);
  if (!mine) return undefined;
  for (const { role, path, read } of mine.slice(1)) {
    const why = differs(role, path, hashFile(read));
    if (why) return why;
  }
  const missing = data.inputs.find((f) => !mine.some((m) => m.role === f.role));
  return missing ? `${id}: the sweep's ${missing.role} is ${basename(missing.path)}, this worker's scenario has none` : undefined;
}

/** A worker loads each scenario once to find its map and rig (its hash is checked on every job). */
const pathsByScenario = new Map<string, Promise<{ role: InputRole; path: string; read: string }[]>>();

function cachedInputPaths(file: string, rig: string | undefined): Promise<{ role: InputRole; path: string; read: string }[]> {
  const key = `${file}\n${rig ?? ''}`;
  let paths = pathsByScenario.get(key);
  if (!paths) {
    pathsByScenario.set(key, (paths = inputPaths(file, rig)));
    paths.catch(() => pathsByScenario.delete(key));
  }
  return paths;
}
