import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { UserError } from '../core/errors.js';
import { writeFileWhole } from '../core/fileErrors.js';
import { Random } from '../core/Random.js';
import { loadScenarioFile } from '../scenario/loadScenario.js';
import { parseObjectives } from '../scenario/objectives.js';
import type { ParamValues } from '../scenario/parameters.js';
import { ParameterSearch, type Proposal, type SearchEstimate, type SearchMethod } from './SearchMethods.js';
import { searchReportHtml } from './SearchReportPage.js';
import { refuseObjective } from './RunInputs.js';
import { sweep, type RunResult, type SweepIndex } from './Sweep.js';
import { queueSweep } from './queue/QueueSweep.js';
import type { QueueTarget } from './queue/QueueTarget.js';

export interface SearchOptions {
  file: string;
  out: string;
  /** What to minimise: an objective's text (scenario/objectives.ts); at or below 0 is a failure. */
  objective: string;
  /** How many runs in all. */
  budget: number;
  method: SearchMethod;
  /** Runs proposed at a time (the cross-entropy method refits after each batch); default: a tenth of the budget, 10 to 50. */
  batch?: number;
  jobs?: number;
  seed?: number;
  duration?: number;
  rig?: string;
  dressing?: boolean;
  /** Each batch's runs as jobs on this queue (`roadcast worker`s make them) instead of local processes. */
  queue?: QueueTarget;
  /** With a queue: at most this many jobs wait or run in Redis at once. */
  window?: number;
  onProgress?: (done: number, budget: number) => void;
}

/** One run of a search, as search.json lists it. */
export interface SearchRun {
  id: string;
  params: ParamValues;
  /** The objective's margin (null: the run could not be made or never measured it). */
  objective: number | null;
  log_likelihood: number;
  /** The importance weight p / q of the run (1 for random; null for bo, whose proposals come from no density q). */
  weight: number | null;
  recording: string;
}

export interface SearchReport {
  scenario: string;
  objective: string;
  method: SearchMethod;
  seed: number;
  budget: number;
  runs: SearchRun[];
  /** The ten runs of least objective, least first. */
  top: SearchRun[];
  /** The failure probability under the declared distributions (objective ≤ 0), by importance sampling; null for bo. */
  estimate: SearchEstimate | null;
  /** Why there is no estimate (bo). */
  estimate_note?: string;
}

/** search.json's and the report's word on a bo search's missing estimate. */
export const BO_ESTIMATE_NOTE = 'bo proposes where the expected improvement is greatest, not from a distribution: its runs carry no importance weight (weight null) and it makes no estimate of the failure probability; run cem for one';

/** The objective's name in each run's criticality summary. */
const OBJECTIVE = 'search';

/**
 * `roadcast search`: proposes variants of a scenario batch by batch (SearchMethods.ts), runs each
 * batch as a sweep into `out` (recordings, index.json; every run re-runnable with
 * `roadcast run --param ... --seed ...`), tells the method the runs' objectives, and writes
 * `out/search.json` and `out/report.html` (SearchReportPage.ts). Deterministic for a seed: the proposals depend on the seed and on the
 * runs' results alone, so a search stopped and started again proposes the same variants and
 * the sweep skips the runs already made.
 */
export async function search(options: SearchOptions): Promise<SearchReport> {
  if (!Number.isInteger(options.budget) || options.budget < 1) throw new UserError(`must be a whole number of runs, at least 1, got ${options.budget}`, '--budget');
  const scenario = await loadScenarioFile(options.file);
  // Checked once here, before any run (each run parses it again as it loads the scenario).
  parseObjectives({ [OBJECTIVE]: options.objective }, scenario.actors.map((a) => a.id), refuseObjective);
  if (!scenario.parameters.some((p) => p.distribution)) {
    throw new UserError(`declares no parameter with a distribution to search over (its parameters: ${scenario.parameters.map((p) => p.name).join(', ') || 'none'})`, options.file);
  }
  const seed = options.seed ?? scenario.seed;
  const method = new ParameterSearch(options.method, scenario.parameters, new Random(seed).split('search'));
  const batch = options.batch ?? Math.min(50, Math.max(10, Math.ceil(options.budget / 10)));
  const proposals: Proposal[] = [];
  const results = new Map<string, RunResult>();
  while (proposals.length < options.budget) {
    const asked = method.ask(Math.min(batch, options.budget - proposals.length));
    asked.forEach((p, k) => (p.id = `run-${String(proposals.length + k + 1).padStart(4, '0')}`));
    proposals.push(...asked);
    const batchRuns = {
      file: options.file, out: options.out, variants: proposals.map((p) => p.params), objectives: { [OBJECTIVE]: options.objective },
      seed: options.seed, duration: options.duration, rig: options.rig, dressing: options.dressing,
    };
    const index = options.queue
      ? await queuedBatch({ ...batchRuns, queue: options.queue, window: options.window, onQueueProgress: ({ done }) => options.onProgress?.(done, options.budget) })
      : await sweep({ ...batchRuns, jobs: options.jobs, onProgress: (done) => options.onProgress?.(done, options.budget) });
    for (const run of index.runs) results.set(run.id, run);
    method.tell(asked.flatMap((proposal) => {
      const objective = objectiveOf(results.get(proposal.id));
      return objective === null ? [] : [{ proposal, objective }];
    }));
  }
  const runs: SearchRun[] = proposals.map((p) => ({
    id: p.id, params: p.params, objective: objectiveOf(results.get(p.id)), log_likelihood: p.logLikelihood, weight: p.logWeight === null ? null : Math.exp(p.logWeight),
    recording: results.get(p.id)?.recording ?? join(options.out, `${p.id}.mcap`),
  }));
  const top = runs.filter((r) => r.objective !== null).sort((a, b) => a.objective! - b.objective! || a.id.localeCompare(b.id)).slice(0, 10);
  const estimate = method.estimate();
  const report: SearchReport = { scenario: options.file, objective: options.objective, method: options.method, seed, budget: options.budget, runs, top, estimate, ...(estimate ? {} : { estimate_note: BO_ESTIMATE_NOTE }) };
  writeFileWhole(join(options.out, 'search.json'), JSON.stringify(report, null, 1), 'cannot write the search results');
  writeFileWhole(join(options.out, 'report.html'), searchReportHtml(report), 'cannot write the search report');
  return report;
}

/**
 * A batch made on a queue: the runs come back as the index the coordinator writes, the same
 * bytes a local sweep writes (an objective never measured is null there, +∞ to objectiveOf).
 */
async function queuedBatch(options: Parameters<typeof queueSweep>[0]): Promise<Pick<SweepIndex, 'runs'>> {
  await queueSweep(options);
  return JSON.parse(readFileSync(join(options.out, 'index.json'), 'utf8')) as SweepIndex;
}

/**
 * A run's objective margin, or null where the run could not be made. A margin never measured
 * (min(ttc) where nothing closed) is +∞ (null once written to JSON, so a resumed search reads
 * it back as such): never critical.
 */
function objectiveOf(run: RunResult | undefined): number | null {
  if (!run || run.error || run.outcome.result === 'error') return null;
  const value = run.criticality?.objectives?.[OBJECTIVE];
  return typeof value === 'number' && !Number.isNaN(value) ? value : Infinity;
}
