import { fork } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { UserError } from '../core/errors.js';
import { fileSystemError, makeFolderSync, writeFileWhole } from '../core/fileErrors.js';
import { Random } from '../core/Random.js';
import { FILE_LIMITS, readUserText } from '../core/UserFile.js';
import { loadScenarioFile } from '../scenario/loadScenario.js';
import { gridVariants, sampleVariants, type ParamValues } from '../scenario/parameters.js';
import { isDistributionFile, readParameterDistribution } from '../scenario/OscDistribution.js';
import type { SimEvent } from '../sim/events.js';
import type { CriticalitySummary } from '../sim/CriticalityMonitor.js';
import { runOutcome, runScenario, type RunOutcome } from './runScenario.js';
import { RecorderThread } from '../io/RecorderThread.js';
import { closingMetadata, loadRunInputs, recordingOptions } from './RunInputs.js';
import { indexCsv } from './SweepCsv.js';
import { probeRaycastBackend, type RaycastBackendInfo, type RaycastBackendName } from '../raycast/gpu/RaycastBackend.js';

export interface RunRequest {
  id: string;
  file: string;
  params: ParamValues;
  seed?: number;
  duration?: number;
  /** A sensor rig for every run; the scenario's own (or the bundled default) otherwise. */
  rig?: string;
  /** false: no roadside objects in any run. */
  dressing?: boolean;
  /** The run's MCAP recording (every sensor frame and the events), written whole or not at all. */
  out: string;
  /** Objectives beyond the scenario's (RunInputOptions.objectives). */
  objectives?: Record<string, string>;
  /** What the LiDAR and radar raycast on (RunOptions.backend). */
  backend?: RaycastBackendName;
  gpuAdapter?: string;
}

export interface RunResult {
  id: string;
  params: ParamValues;
  seed: number;
  /** As `runOutcome`, or `error` when the run could not be made (the message in `error`). */
  outcome: RunOutcome | { result: 'error'; reason: string; t_ns: number };
  events: SimEvent[];
  /** The run's criticality (min TTC and THW, max DST, min distance, first infraction; never: null in the index). */
  criticality?: CriticalitySummary;
  recording: string;
  error?: string;
}

/**
 * One run of a sweep, recorded exactly like `roadcast run --record` (the same metadata and
 * attachments); `threads` as in RunOptions (a sweep of parallel jobs gives each one thread).
 */
export async function runVariant(request: RunRequest, threads?: number): Promise<RunResult> {
  const params = Object.fromEntries(Object.entries(request.params).map(([k, v]) => [k, String(v)]));
  const inputs = await loadRunInputs(request.file, { params, rig: request.rig, seed: request.seed, duration: request.duration, dressing: request.dressing, objectives: request.objectives });
  const recorder = await RecorderThread.open(request.out, recordingOptions(inputs));
  try {
    const { scenario, rig, seed, duration } = inputs;
    const summary = await runScenario({ scenario, rig, seed, duration, sinks: [recorder], threads, backend: request.backend, gpuAdapter: request.gpuAdapter });
    await recorder.addMetadata(closingMetadata(summary));
    await recorder.close();
    return { id: request.id, params: request.params, seed, outcome: runOutcome(summary), events: summary.events.filter((e) => e.type !== 'storyboard'), criticality: summary.criticality, recording: request.out };
  } finally {
    await recorder.abort();
  }
}

export interface SweepOptions {
  file: string;
  out: string;
  grid?: { name: string; values: (number | string)[] }[];
  samples?: number;
  /** The variants themselves (a search's proposals), run in order as run-0001, run-0002, ... */
  variants?: ParamValues[];
  /** Objectives beyond the scenario's for every run (RunInputOptions.objectives). */
  objectives?: Record<string, string>;
  seed?: number;
  duration?: number;
  /** Parallel processes; 1 runs in this process. */
  jobs?: number;
  /** A sensor rig for every run (default: the scenario's). */
  rig?: string;
  /** false: no roadside objects in any run. */
  dressing?: boolean;
  fixed?: ParamValues;
  /** What every run's LiDAR and radar raycast on (RunOptions.backend); each run opens its own device. */
  backend?: RaycastBackendName;
  gpuAdapter?: string;
  /** Told, before the first run, what the runs will raycast on. */
  onRaycastBackend?: (info: RaycastBackendInfo) => void;
  /** 'csv': index.csv beside index.json after every run (SweepCsv.ts), for spreadsheets and pandas. */
  indexFormat?: 'json' | 'csv';
  onProgress?: (done: number, total: number, result?: RunResult) => void;
}

export interface SweepIndex {
  scenario: string;
  /** The ParameterValueDistribution file whose variants these are, when the sweep ran one. */
  distribution?: string;
  runs: RunResult[];
}

/** What a sweep will run: the scenario, the distribution file it came from, and one request per variant. */
export interface SweepPlan {
  /** The scenario every run loads (the one a distribution file names, or the file itself). */
  file: string;
  /** The ParameterValueDistribution file the variants came from, when the sweep ran one. */
  distribution?: string;
  /** Every variant in order, run-0001, run-0002, ..., each recording into options.out. */
  requests: RunRequest[];
}

/**
 * The variants of a sweep as run requests, the same for a local sweep and a queued one (so
 * both number and parameterise them alike): the grid, N samples, a distribution file's, or
 * the given list, each with the fixed parameters.
 */
export async function planSweep(options: SweepOptions): Promise<SweepPlan> {
  // An OpenSCENARIO ParameterValueDistribution declares the variants of the scenario it names.
  const distribution = isDistributionFile(options.file) ? readParameterDistribution(options.file) : undefined;
  if (distribution && (options.samples !== undefined || (options.grid ?? []).length > 0)) {
    throw new UserError('is a ParameterValueDistribution file: it declares the variants itself; sweep it without --grid or --samples', options.file);
  }
  const file = distribution?.scenarioFile ?? options.file;
  const scenario = await loadScenarioFile(file);
  // Once, before any run: `--backend gpu` without an adapter fails here, not in every run.
  if (options.backend && options.backend !== 'cpu') options.onRaycastBackend?.(await probeRaycastBackend(options.backend, { adapter: options.gpuAdapter }));
  let variants: ParamValues[];
  if (distribution) {
    const declared = new Set(scenario.parameters.map((p) => p.name));
    const unknown = [...new Set(distribution.variants.flatMap((v) => Object.keys(v)))].filter((name) => !declared.has(name));
    if (unknown.length > 0) throw new UserError(`distributes ${unknown.join(', ')}, which the scenario ${file} does not declare (its parameters: ${[...declared].join(', ') || 'none'})`, options.file);
    variants = distribution.variants;
  } else if (options.variants) variants = options.variants;
  else if (options.samples !== undefined) variants = sampleVariants(scenario.parameters, options.samples, new Random(options.seed ?? scenario.seed).split('sweep'));
  else variants = gridVariants(options.grid ?? []);
  const requests = variants.map((v, i): RunRequest => {
    const id = runId(i);
    return {
      id, file, params: { ...(options.fixed ?? {}), ...v }, seed: options.seed, duration: options.duration, rig: options.rig, dressing: options.dressing, out: join(options.out, `${id}.mcap`), objectives: options.objectives,
      backend: options.backend, gpuAdapter: options.gpuAdapter,
    };
  });
  return { file, ...(distribution ? { distribution: options.file } : {}), requests };
}

/** The id of the i-th variant (from 0): run-0001, run-0002, ... */
export function runId(i: number): string {
  return `run-${String(i + 1).padStart(4, '0')}`;
}

/**
 * Runs every grid combination (or N samples from the declared distributions), in parallel
 * processes, writing one recording per run and an index (parameters, seed, outcome, events)
 * after each; a second call with the same output folder skips runs already in the index.
 */
export async function sweep(options: SweepOptions): Promise<SweepIndex> {
  const { file, distribution, requests: all } = await planSweep(options);
  const indexFile = join(options.out, 'index.json');
  try {
    makeFolderSync(options.out);
  } catch (error) {
    throw fileSystemError('cannot create the output folder', options.out, error);
  }
  const index: SweepIndex = existsSync(indexFile) ? readIndex(indexFile) : { scenario: file, ...(distribution ? { distribution } : {}), runs: [] };
  const done = new Set(index.runs.filter((r) => !r.error && existsSync(r.recording)).map((r) => r.id));
  index.runs = index.runs.filter((r) => done.has(r.id));
  const requests = all.filter((r) => !done.has(r.id));
  const total = all.length;
  let finished = total - requests.length;
  options.onProgress?.(finished, total);
  const csvFile = options.indexFormat === 'csv' ? join(options.out, 'index.csv') : undefined;
  const save = (): void => {
    index.runs.sort((a, b) => a.id.localeCompare(b.id));
    // Whole or not at all: a sweep stopped mid-write (or by a full disk) keeps the last index.
    writeFileWhole(indexFile, JSON.stringify(index, null, 1), 'cannot write the sweep index');
    if (csvFile) writeFileWhole(csvFile, indexCsv(index), 'cannot write the sweep index as CSV');
  };
  const queue = [...requests];
  const record = (result: RunResult): void => {
    index.runs.push(result);
    finished++;
    try {
      save();
    } catch (error) {
      // No index, no resume: start no more runs (the parallel workers finish the one they hold).
      queue.length = 0;
      throw error;
    }
    options.onProgress?.(finished, total, result);
  };
  const jobs = Math.max(1, Math.min(options.jobs ?? availableParallelism(), requests.length));
  if (jobs === 1) {
    for (let request = queue.shift(); request; request = queue.shift()) {
      const current = request;
      record(await runVariant(current).catch((error: Error) => failedRun(current, error)));
    }
  } else {
    const worker = fileURLToPath(new URL('./sweepWorker.js', import.meta.url));
    // Every worker finishes (and is killed) before the sweep returns, even when one failed.
    const workers = await Promise.allSettled(Array.from({ length: jobs }, async () => {
      const child = fork(worker, [], { stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
      try {
        for (let request = queue.shift(); request; request = queue.shift()) {
          const current = request;
          const result = await new Promise<RunResult>((resolve) => {
            const onExit = (code: number | null): void => resolve(failedRun(current, new Error(`worker exited with code ${code}`)));
            child.once('exit', onExit);
            child.once('message', (message) => {
              child.off('exit', onExit);
              resolve(message as RunResult);
            });
            child.send(current);
          });
          record(result);
          if (child.exitCode !== null) break;
        }
      } finally {
        child.kill();
      }
    }));
    const failed = workers.find((w) => w.status === 'rejected');
    if (failed) throw failed.reason;
  }
  save();
  for (const file of [indexFile, csvFile]) if (file && existsSync(`${file}.${process.pid}.tmp`)) rmSync(`${file}.${process.pid}.tmp`);
  return index;
}

/**
 * The index of an earlier sweep into the same folder, which this one resumes. It is read with
 * the limits of every user file and checked for the fields a resume uses; a damaged one is a
 * one-line error that says how to start afresh.
 */
function readIndex(file: string): SweepIndex {
  const fail = (why: string): never => {
    throw new UserError(`is not a sweep index roadcast can resume from (${why}); move it away to start the sweep afresh`, file);
  };
  let data: unknown;
  try {
    data = JSON.parse(readUserText(file, { what: 'sweep index', maxBytes: FILE_LIMITS.index }));
  } catch (error) {
    if (error instanceof UserError) throw error;
    return fail(`not valid JSON: ${(error as Error).message}`);
  }
  const runs = (data as { runs?: unknown } | null)?.runs;
  if (!Array.isArray(runs)) return fail('expected an object with a "runs" list');
  runs.forEach((run: unknown, i) => {
    const r = run as Partial<RunResult> | null;
    if (typeof r?.id !== 'string' || typeof r.recording !== 'string' || typeof r.outcome !== 'object' || r.outcome === null || !Array.isArray(r.events)) {
      fail(`runs[${i}] needs an id, a recording, an outcome and events`);
    }
  });
  return data as SweepIndex;
}

/** The result of a run that could not be made: `result: error`, with the reason. */
export function failedRun(request: RunRequest, error: Error): RunResult {
  return { id: request.id, params: request.params, seed: request.seed ?? 0, outcome: { result: 'error', reason: error.message, t_ns: 0 }, events: [], recording: request.out, error: error.message };
}
