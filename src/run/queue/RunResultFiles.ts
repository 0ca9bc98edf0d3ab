/**
 * A queued sweep's record of finished runs: one small JSON file per run in DIR/results/,
 * written whole under a temporary name and renamed after the run's recording, so its presence
 * says the run is done, a duplicate run (at-least-once delivery) overwrites it with the same
 * bytes, and a killed run leaves none. The index is built from these files once, at the end,
 * instead of rewriting one growing index after every run.
 */
import { closeSync, existsSync, openSync, readdirSync, readFileSync, renameSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { fileSystemError, makeFolderSync, writeFileWhole } from '../../core/fileErrors.js';
import type { RunResult, SweepIndex } from '../Sweep.js';

export function resultsFolder(out: string): string {
  return join(out, 'results');
}

export function resultFile(out: string, id: string): string {
  return join(resultsFolder(out), `${id}.json`);
}

/** Writes a run's result whole; the folder is made when missing. */
export function writeResult(out: string, result: RunResult): void {
  makeFolderSync(resultsFolder(out));
  writeFileWhole(resultFile(out, result.id), JSON.stringify(result), 'cannot write the run\'s result');
}

export function readResult(out: string, id: string): RunResult {
  return JSON.parse(readFileSync(resultFile(out, id), 'utf8')) as RunResult;
}

/** The ids of the runs with a result file (in no order). */
export function finishedIds(out: string): Set<string> {
  if (!existsSync(resultsFolder(out))) return new Set();
  return new Set(readdirSync(resultsFolder(out)).filter((name) => name.endsWith('.json')).map((name) => name.slice(0, -'.json'.length)));
}

/**
 * Removes what runs killed with their machine left under temporary names (a hidden
 * `.run-0001.mcap.<pid>.tmp`, a `results/run-0001.json.<pid>.tmp`): called when no job of the
 * sweep is waiting or running, so no run is writing them any more. A killed worker's own
 * children remove theirs (run/sweepWorker.ts); a machine that lost power cannot.
 */
export function removeLeftovers(out: string): void {
  for (const [folder, pattern] of [[out, /^\.run-\d+\.mcap\.\d+\.tmp$/], [resultsFolder(out), /^run-\d+\.json\.\d+\.tmp$/]] as const) {
    if (!existsSync(folder)) continue;
    for (const name of readdirSync(folder)) if (pattern.test(name)) rmSync(join(folder, name), { force: true });
  }
}

/**
 * Writes DIR/index.json from the runs' results, one at a time, so the coordinator never holds
 * the whole index: the same bytes as `JSON.stringify(index, null, 1)` of a local sweep (runs in
 * the local sweep's order, by id), through a temporary file renamed into place. `runOf` gives
 * each id's result (a result file, or the error of a job that failed for good).
 */
export function writeIndex(file: string, head: Omit<SweepIndex, 'runs'>, ids: string[], runOf: (id: string) => RunResult, onRun?: (run: RunResult) => void): void {
  const temporary = `${file}.${process.pid}.tmp`;
  const sorted = [...ids].sort((a, b) => a.localeCompare(b));
  let fd: number | undefined;
  try {
    fd = openSync(temporary, 'w');
    const headText = JSON.stringify({ ...head, runs: [] }, null, 1);
    // `{\n "scenario": ..., \n "runs": []\n}`: the runs go between the brackets, each at depth 2.
    const open = headText.slice(0, headText.length - '[]\n}'.length);
    if (sorted.length === 0) writeSync(fd, headText);
    else {
      writeSync(fd, `${open}[\n`);
      sorted.forEach((id, i) => {
        const run = runOf(id);
        onRun?.(run);
        // JSON strings hold no raw line break, so every line break is the layout's.
        writeSync(fd!, `  ${JSON.stringify(run, null, 1).replace(/\n/g, '\n  ')}${i + 1 < sorted.length ? ',' : ''}\n`);
      });
      writeSync(fd, ' ]\n}');
    }
    closeSync(fd);
    fd = undefined;
    renameSync(temporary, file);
  } catch (error) {
    if (fd !== undefined) closeSync(fd);
    rmSync(temporary, { force: true });
    throw fileSystemError('cannot write the sweep index', file, error);
  }
}

