import { McapIndexedReader } from '@mcap/core';
import { FileHandleReadable } from '@mcap/nodejs';
import { loadDecompressHandlers } from '@mcap/support';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseGrid } from '../../src/scenario/parameters.js';
import { inspectRecording, readFrames } from '../../src/io/McapSource.js';
import { sweep, type SweepIndex } from '../../src/run/Sweep.js';
import { indexCsv } from '../../src/run/SweepCsv.js';

/** A light rig (a 16-channel LiDAR and the ground truth), so sweeps stay quick. */
const RIG = join(mkdtempSync(join(tmpdir(), 'roadcast-sweep-rig-')), 'rig.yaml');
writeFileSync(RIG, 'sensors:\n  - { name: top, type: lidar, preset: vlp-16, horizontal: { resolution: 1 }, mount: { z: 1.9 } }\n  - { name: actors, type: ground_truth, rate: 10 }\n');

async function readAttachments(file: string): Promise<Map<string, Buffer>> {
  const handle = await open(file, 'r');
  try {
    const reader = await McapIndexedReader.Initialize({ readable: new FileHandleReadable(handle), decompressHandlers: await loadDecompressHandlers() });
    const attachments = new Map<string, Buffer>();
    for await (const attachment of reader.readAttachments()) attachments.set(attachment.name, Buffer.from(attachment.data));
    return attachments;
  } finally {
    await handle.close();
  }
}

describe('roadcast sweep', () => {
  it('runs every grid combination, writes a recording per run and an index, and resumes', async () => {
    const out = mkdtempSync(join(tmpdir(), 'roadcast-sweep-'));
    const progress: [number, number][] = [];
    const index = await sweep({ file: 'scenarios/lead-vehicle-hard-brake.yaml', out, grid: [parseGrid('brakeDecel=4,8'), parseGrid('gap=30:40:10')], jobs: 1, rig: RIG, onProgress: (d, t) => progress.push([d, t]) });
    expect(index.runs.map((r) => [r.id, r.params])).toEqual([
      ['run-0001', { brakeDecel: 4, gap: 30 }], ['run-0002', { brakeDecel: 4, gap: 40 }],
      ['run-0003', { brakeDecel: 8, gap: 30 }], ['run-0004', { brakeDecel: 8, gap: 40 }],
    ]);
    expect(progress.at(-1)).toEqual([4, 4]);
    for (const run of index.runs) {
      expect(run.outcome.result).toBe('success');
      expect(run.events.some((e) => e.type === 'trigger')).toBe(true);
      const summary = await inspectRecording(run.recording);
      expect(JSON.parse(summary.metadata.params)).toEqual(run.params);
      // The same metadata and attachments as `run --record`: a replay has its roads, and the
      // run can be re-made from the file alone.
      expect(summary.metadata).toMatchObject({ scenario: 'scenarios/lead-vehicle-hard-brake.yaml', rig: RIG, map: 'highway.xodr', seed: '1', duration_s: '25' });
      const attachments = await readAttachments(run.recording);
      expect([...attachments.keys()]).toEqual(['scenario/lead-vehicle-hard-brake.yaml', 'rig/rig.yaml', 'map/highway.xodr']);
      expect(attachments.get('map/highway.xodr')!.equals(readFileSync('scenarios/maps/highway.xodr'))).toBe(true);
      expect(attachments.get('rig/rig.yaml')!.equals(readFileSync(RIG))).toBe(true);
      expect(summary.topics.map((t) => t.topic)).toEqual(['events', 'ground_truth/actors', 'lidar/top']);
      // The recording ends with the storyboard's end event, the outcome in the index.
      let last: string[] = [];
      for await (const frame of readFrames(run.recording)) if (frame.topic === 'events') last = frame.fields.events as string[];
      expect(JSON.parse(last.find((e) => JSON.parse(e).type === 'end')!)).toMatchObject({ outcome: 'success', t_ns: run.outcome.t_ns });
    }
    const saved = JSON.parse(readFileSync(join(out, 'index.json'), 'utf8')) as SweepIndex;
    expect(saved.runs).toHaveLength(4);
    // Interrupted: one recording lost. The second call redoes only that one.
    rmSync(index.runs[2].recording);
    const again: [number, number][] = [];
    await sweep({ file: 'scenarios/lead-vehicle-hard-brake.yaml', out, grid: [parseGrid('brakeDecel=4,8'), parseGrid('gap=30:40:10')], jobs: 1, rig: RIG, onProgress: (d, t) => again.push([d, t]) });
    expect(again).toEqual([[3, 4], [4, 4]]);
  });

  it('samples variants in parallel processes (built dist)', async () => {
    const built = resolve('dist/run/Sweep.js');
    expect(existsSync(built)).toBe(true); // npm test builds dist before running the tests
    const { sweep: distSweep } = (await import(pathToFileURL(built).href)) as { sweep: typeof sweep };
    const out = mkdtempSync(join(tmpdir(), 'roadcast-sweep-'));
    const index = await distSweep({ file: 'scenarios/cut-in.yaml', out, samples: 4, seed: 3, jobs: 2, duration: 5, rig: RIG });
    expect(index.runs).toHaveLength(4);
    expect(index.runs.every((r) => !r.error && existsSync(r.recording))).toBe(true);
    expect(new Set(index.runs.map((r) => JSON.stringify(r.params))).size).toBe(4);
  });

  it('reports a run that cannot be made as result "error" and exits non-zero', () => {
    const dir = mkdtempSync(join(tmpdir(), 'roadcast-sweep-error-'));
    const rig = join(dir, 'rig.yaml');
    // Valid on its own, but mounted on an actor the scenario does not have: every run fails.
    writeFileSync(rig, 'sensors:\n  - { name: top, type: lidar, preset: vlp-16, parent: nobody }\n');
    const out = join(dir, 'sweep');
    const result = spawnSync(process.execPath, ['dist/cli/main.js', 'sweep', 'scenarios/lead-vehicle-hard-brake.yaml', '--grid', 'gap=30,40', '--rig', rig, '--out', out, '--jobs', '1'], { encoding: 'utf8' });
    expect(result.status).toBe(1);
    expect(result.stdout).toContain('Swept 2 runs of scenarios/lead-vehicle-hard-brake.yaml: error 2');
    expect(result.stderr.trim().split('\n').at(-1)).toBe(`roadcast: 2 of 2 runs failed with an error (first, run-0001: ${rig}: sensor "top" is mounted on "nobody", which is not an actor here (actors: ego, lead))`);
    const index = JSON.parse(readFileSync(join(out, 'index.json'), 'utf8')) as SweepIndex;
    expect(index.runs.map((r) => r.outcome.result)).toEqual(['error', 'error']);
    expect(existsSync(join(out, 'run-0001.mcap'))).toBe(false);
  });

  it('exits 2 with --fail-on when a run ends as it names', () => {
    const out = mkdtempSync(join(tmpdir(), 'roadcast-sweep-failon-'));
    // A 1 s run of the hard-brake scenario ends by its duration, before the storyboard's end.
    const result = spawnSync(process.execPath, ['dist/cli/main.js', 'sweep', 'scenarios/lead-vehicle-hard-brake.yaml', '--grid', 'gap=30', '--rig', RIG, '--out', out, '--jobs', '1', '--duration', '1', '--fail-on', 'timeout'], { encoding: 'utf8' });
    expect(result.stdout).toContain('timeout 1');
    expect(result.stderr).toContain('roadcast: 1 of 1 runs failed (--fail-on timeout): run-0001');
    expect(result.status).toBe(2);
  });

  it('writes index.csv beside index.json with --index-format csv: parameters, outcome, criticality and the scenario\'s objectives, as Python\'s csv module reads it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'roadcast-sweep-csv-'));
    const scenario = join(dir, 'brake.yaml');
    writeFileSync(scenario, readFileSync('scenarios/lead-vehicle-hard-brake.yaml', 'utf8')
      .replace('map: maps/highway.xodr', `map: ${resolve('scenarios/maps/highway.xodr')}`)
      .replace('duration: 25', 'duration: 12\nobjectives: { clearance: "min(distance, lead) - 2", closing: "min(ttc)" }'));
    const out = join(dir, 'out');
    const index = await sweep({ file: scenario, out, grid: [parseGrid('brakeDecel=4,9')], jobs: 1, rig: RIG, indexFormat: 'csv' });
    const read = spawnSync('python3', ['-c', 'import csv, json, sys; print(json.dumps(list(csv.DictReader(open(sys.argv[1], newline="")))))', join(out, 'index.csv')], { encoding: 'utf8' });
    expect(read.stderr).toBe('');
    const rows = JSON.parse(read.stdout) as Record<string, string>[];
    expect(Object.keys(rows[0])).toEqual([
      'id', 'seed', 'outcome', 'outcome_reason', 'outcome_t_s', 'param.brakeDecel', 'min_ttc', 'min_thw', 'max_dst', 'min_distance',
      'min_pet', 'first_infraction', 'first_infraction_type', 'objective.clearance', 'objective.closing', 'collisions', 'events', 'recording', 'error',
    ]);
    expect(rows.map((r) => [r.id, r['param.brakeDecel'], r.outcome])).toEqual(index.runs.map((r) => [r.id, String(r.params.brakeDecel), r.outcome.result]));
    for (const [k, row] of rows.entries()) {
      const c = index.runs[k].criticality!;
      // The only other actor is the lead: the objective's 2 m margin is the run's least distance less 2.
      expect(Number(row['objective.clearance'])).toBeCloseTo(Number(row.min_distance) - 2, 9);
      expect(Number(row.min_distance)).toBe(c.min_distance);
      expect(Number(row['objective.closing'])).toBe(Number(row.min_ttc));
      expect(Number(row.max_dst)).toBe(c.max_dst);
      expect(Number(row.outcome_t_s)).toBe(index.runs[k].outcome.t_ns / 1e9);
    }
    // Quoting by RFC 4180 for what a message may hold, and inf for a metric never measured, read back by Python.
    const synthetic: SweepIndex = { scenario: 'x.yaml', runs: [{ ...index.runs[0], error: 'a "quoted", two-line\nmessage', criticality: { ...index.runs[0].criticality!, min_ttc: Infinity } }] };
    const back = spawnSync('python3', ['-c', 'import csv, json, sys; r = next(csv.DictReader(sys.stdin)); print(json.dumps([r["error"], repr(float(r["min_ttc"]))]))'], { input: indexCsv(synthetic), encoding: 'utf8' });
    expect(JSON.parse(back.stdout)).toEqual(['a "quoted", two-line\nmessage', 'inf']);
  }, 120_000);
});
