import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseGrid } from '../../src/scenario/parameters.js';
import { inspectRecording, readFrames } from '../../src/io/McapSource.js';
import { sweep, type SweepIndex } from '../../src/io/Sweep.js';

/** A light rig (a 16-channel LiDAR and the ground truth), so sweeps stay quick. */
const RIG = join(mkdtempSync(join(tmpdir(), 'roadcast-sweep-rig-')), 'rig.yaml');
writeFileSync(RIG, 'sensors:\n  - { name: top, type: lidar, preset: vlp-16, horizontal: { resolution: 1 }, mount: { z: 1.9 } }\n  - { name: actors, type: ground_truth, rate: 10 }\n');

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
    const built = resolve('dist/io/Sweep.js');
    expect(existsSync(built)).toBe(true); // npm test builds dist before running the tests
    const { sweep: distSweep } = (await import(pathToFileURL(built).href)) as { sweep: typeof sweep };
    const out = mkdtempSync(join(tmpdir(), 'roadcast-sweep-'));
    const index = await distSweep({ file: 'scenarios/cut-in.yaml', out, samples: 4, seed: 3, jobs: 2, duration: 5, rig: RIG });
    expect(index.runs).toHaveLength(4);
    expect(index.runs.every((r) => !r.error && existsSync(r.recording))).toBe(true);
    expect(new Set(index.runs.map((r) => JSON.stringify(r.params))).size).toBe(4);
  });
});
