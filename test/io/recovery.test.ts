import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { exited } from '../helpers.js';
import { describe, expect, it } from 'vitest';
import type { Frame } from '../../src/core/frame.js';
import { runScenario } from '../../src/run/runScenario.js';
import { McapRecorder } from '../../src/io/McapRecorder.js';
import { readFrames, recoverRecording } from '../../src/io/McapSource.js';
import { loadScenario } from '../../src/scenario/loadScenario.js';
import { loadRig } from '../../src/sensors/Rig.js';

const CLI = 'dist/cli/main.js';

describe('recordings', () => {
  it('read back equal to the frames that were sent', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'roadcast-rec-'));
    const scenario = loadScenario('scenarios/straight-road.yaml');
    const sent: Frame[] = [];
    const recorder = await McapRecorder.open(join(dir, 'run.mcap'));
    await runScenario({ scenario, rig: loadRig(scenario.rigFile!), duration: 0.5, sinks: [{ write: (f) => void sent.push(f) }, recorder] });
    await recorder.close();
    const read: Frame[] = [];
    for await (const frame of readFrames(join(dir, 'run.mcap'))) read.push(frame);
    expect(read).toHaveLength(10);
    const withoutBytes = (f: Frame): unknown => ({ ...f, data: Object.fromEntries(Object.entries(f.data).map(([k, a]) => [k, { dtype: a.dtype, shape: a.shape }])) });
    expect(read.map(withoutBytes)).toEqual(sent.map(withoutBytes));
    read.forEach((frame, i) => {
      for (const [name, array] of Object.entries(sent[i].data)) expect(Buffer.from(frame.data[name].bytes).equals(Buffer.from(array.bytes))).toBe(true);
    });
  });

  it('a killed recorder leaves a temporary file whose complete chunks read back with --recover', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'roadcast-kill-'));
    const target = join(dir, 'run.mcap');
    const child = spawn(process.execPath, [CLI, 'run', 'scenarios/straight-road.yaml', '--duration', '60', '--record', target], { stdio: 'ignore' });
    const temporary = await new Promise<string>((resolve, reject) => {
      const timer = setInterval(() => {
        const tmp = readdirSync(dir).find((f) => f.endsWith('.tmp'));
        // A few megabytes: several complete 1 MiB chunks are on disk.
        if (tmp && statSync(join(dir, tmp)).size > 4 * 1024 * 1024) {
          clearInterval(timer);
          resolve(join(dir, tmp));
        }
      }, 20);
      child.once('exit', () => reject(new Error('the run ended before it could be killed')));
    });
    child.kill('SIGKILL');
    await exited(child);
    expect(readdirSync(dir)).not.toContain('run.mcap');

    const plain = spawnSync(process.execPath, [CLI, 'inspect', temporary], { encoding: 'utf8' });
    expect(plain.status).toBe(1);
    expect(plain.stderr).toMatch(/damaged or unfinished\? Try inspect --recover/);

    const { summary, frames: all } = await recoverRecording(temporary);
    const frames = all.filter((f) => f.topic === 'lidar/top');
    expect(frames.length).toBeGreaterThan(3);
    // The prefix is the run's first frames, in order, one per 100 ms.
    expect(frames.map((f) => f.seq)).toEqual(Array.from({ length: frames.length }, (_, i) => i));
    expect(frames.map((f) => f.t_ns)).toEqual(frames.map((_, i) => i * 100_000_000));
    for (const frame of frames) expect(frame.data.points.bytes.byteLength).toBe(frame.data.points.shape[0] * 16);
    expect(summary.metadata.seed).toBe('1');
    expect(summary.topics).toEqual([
      expect.objectContaining({ topic: 'ground_truth/actors', count: all.length - frames.length }),
      expect.objectContaining({ topic: 'lidar/top', count: frames.length }),
    ]);

    const recovered = spawnSync(process.execPath, [CLI, 'inspect', '--recover', temporary], { encoding: 'utf8' });
    expect(recovered.status).toBe(0);
    expect(recovered.stdout).toMatch(new RegExp(`lidar/top\\s+${frames.length} frames`));
    expect(recovered.stdout).toMatch(/recovered: read \d+ of \d+ bytes/);
  });
});

describe('Ctrl-C', () => {
  it('stops a run and still finalises its recording, with the parameters to re-run it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'roadcast-sigint-'));
    const target = join(dir, 'run.mcap');
    const child = spawn(process.execPath, [CLI, 'run', 'scenarios/lead-vehicle-hard-brake.yaml', '--param', 'brakeDecel=7', '--duration', '60', '--record', target], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => (stdout += chunk));
    // Interrupt once the recording has some frames in it.
    await new Promise<void>((resolve, reject) => {
      const timer = setInterval(() => {
        const tmp = readdirSync(dir).find((f) => f.endsWith('.tmp'));
        if (tmp && statSync(join(dir, tmp)).size > 2 * 1024 * 1024) {
          clearInterval(timer);
          resolve();
        }
      }, 20);
      child.once('exit', () => reject(new Error(`the run ended before it was interrupted: ${stdout}`)));
    });
    child.kill('SIGINT');
    const code = await exited(child);
    expect(code).toBe(0);
    expect(stdout).toMatch(/Interrupted after [\d.]+ s of "lead-vehicle-hard-brake"/);
    expect(readdirSync(dir)).toEqual(['run.mcap']);
    // A complete, indexed recording: the normal reader opens it.
    const { inspectRecording } = await import('../../src/io/McapSource.js');
    const summary = await inspectRecording(target);
    expect(summary.topics.find((t) => t.topic === 'lidar/top')!.count).toBeGreaterThan(3);
    expect(JSON.parse(summary.metadata.params)).toMatchObject({ brakeDecel: 7 });
  });
});
