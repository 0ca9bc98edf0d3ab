/**
 * A full disk, a read-only folder and a folder that vanishes, for real: small tmpfs mounts
 * (which need root; the tests skip with a note otherwise). Every command that writes says so
 * in one line and exits non-zero, leaves nothing half-written, and a recording keeps what it
 * wrote as `<file>.partial`, which `inspect --recover` reads.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { Frame } from '../../src/core/frame.js';
import { UserError } from '../../src/core/errors.js';
import { McapRecorder } from '../../src/io/McapRecorder.js';
import { readFrames, recoverRecording } from '../../src/io/McapSource.js';
import { CLI, expectOneLineError, roadcast, SWEEP_PROGRESS } from './bounded.js';

const scratch = mkdtempSync(join(tmpdir(), 'roadcast-disk-'));
const mounts: string[] = [];

/** A tmpfs of `size` (mount's syntax) in a new folder, or undefined where mounting is not allowed. */
function tmpfs(size: string, options = ''): string | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const dir = mkdtempSync(join(scratch, 'mnt-'));
  const mounted = spawnSync('mount', ['-t', 'tmpfs', '-o', `size=${size}${options}`, 'tmpfs', dir]);
  if (mounted.status !== 0) return undefined;
  mounts.push(dir);
  return dir;
}

afterAll(() => {
  // Lazily if a process that wrote there has not let go yet.
  const unmounted = mounts.map((dir) => spawnSync('umount', [dir]).status === 0 || spawnSync('umount', ['-l', dir]).status === 0);
  // Only once nothing is mounted below it.
  if (unmounted.every(Boolean)) rmSync(scratch, { recursive: true, force: true });
});

const canMount = tmpfs('64k') !== undefined;
if (!canMount) console.warn('diskFull.test.ts: skipped; mounting a tmpfs needs root (CI runs these)');

/** A real recording to export: made once, outside any small mount. */
let recording: string | undefined;
function aRecording(): string {
  if (!recording) {
    recording = join(scratch, 'run.mcap');
    const made = spawnSync(process.execPath, [CLI, 'run', 'scenarios/straight-road.yaml', '--duration', '1', '--record', recording], { encoding: 'utf8' });
    expect(made.status, made.stderr).toBe(0);
  }
  return recording;
}

describe.skipIf(!canMount)('a full disk', () => {
  it('stops a recording run in one line and keeps what it wrote as a recoverable .partial', async () => {
    const disk = tmpfs('3m')!;
    const target = join(disk, 'run.mcap');
    const result = roadcast(['run', 'scenarios/straight-road.yaml', '--duration', '8', '--record', target], 120_000);
    const line = expectOneLineError(result, /disk full \(no space left on the device\) \(ENOSPC\); what was written is kept in .*run\.mcap\.partial \(roadcast inspect --recover .*run\.mcap\.partial reads it\)$/);
    expect(line).toContain(`roadcast: ${target}: cannot write the recording: `);
    expect(readdirSync(disk)).toEqual(['run.mcap.partial']);
    const recovered = roadcast(['inspect', '--recover', join(disk, 'run.mcap.partial')]);
    expect(recovered.status).toBe(0);
    const { frames } = await recoverRecording(join(disk, 'run.mcap.partial'));
    // Whole 1 MiB chunks made it: a prefix of the run, from its start.
    expect(frames.length).toBeGreaterThan(2);
    expect(frames[0].t_ns).toBe(0);
    expect(recovered.stdout).toMatch(/lidar\/top\s+\d+ frames/);
  }, 300_000);

  it('is one line for every export, with nothing left behind', () => {
    const file = aRecording();
    const disk = tmpfs('200k')!;
    expectOneLineError(roadcast(['export', file, '--format', 'pcd', '--out', join(disk, 'pcd')], 60_000), /pcd: cannot write the export: disk full \(no space left on the device\) \(ENOSPC\)$/);
    expectOneLineError(roadcast(['export', file, '--format', 'foxglove', '--out', join(disk, 'run.foxglove.mcap')], 60_000), /run\.foxglove\.mcap: cannot write the export: disk full/);
    expectOneLineError(roadcast(['map', 'export', 'maps/town.xodr', '--dressing', '--out', join(disk, 'town.glb')], 60_000), /town\.glb: cannot write the file: disk full/);
    expectOneLineError(roadcast(['map', 'generate', '--grid', '8x8', '--out', join(disk, 'big.xodr')], 60_000), /big\.xodr: cannot write the file: disk full/);
    expect(readdirSync(disk)).toEqual([]);
  }, 300_000);

  it('makes a sweep exit 1 in one line, its index whole', () => {
    const disk = tmpfs('96k')!;
    const out = join(disk, 'sweep');
    const result = roadcast(['sweep', 'scenarios/lead-vehicle-hard-brake.yaml', '--out', out, '--grid', 'gap=30,40', '--jobs', '1', '--duration', '2'], 120_000);
    expectOneLineError(result, /disk full/, SWEEP_PROGRESS);
    if (existsSync(join(out, 'index.json'))) JSON.parse(readFileSync(join(out, 'index.json'), 'utf8'));
    expect(readdirSync(out).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  }, 300_000);
});

describe.skipIf(!canMount)('a read-only or vanished output folder', () => {
  it('a read-only folder is one line before the run starts', () => {
    const disk = tmpfs('1m', ',ro')!;
    expectOneLineError(roadcast(['run', 'scenarios/straight-road.yaml', '--duration', '1', '--record', join(disk, 'run.mcap')], 60_000), /run\.mcap: cannot create the recording: the file system is read-only \(EROFS\)$/);
    expectOneLineError(roadcast(['map', 'generate', '--out', join(disk, 'town.xodr')], 60_000), /town\.xodr: cannot write the file: the file system is read-only \(EROFS\)$/);
    expectOneLineError(roadcast(['export', aRecording(), '--format', 'pcd', '--out', join(disk, 'pcd')], 60_000), /pcd: cannot write the export: the file system is read-only/);
    expectOneLineError(roadcast(['sweep', 'scenarios/lead-vehicle-hard-brake.yaml', '--out', join(disk, 'sweep'), '--grid', 'gap=30'], 60_000), /sweep: cannot create the output folder: the file system is read-only \(EROFS\)$/, SWEEP_PROGRESS);
  }, 300_000);

  it('a recording whose folder is removed while it runs is copied out as .partial when it closes', async () => {
    const folder = join(scratch, 'vanishing');
    mkdirSync(folder);
    const recorder = await McapRecorder.open(join(folder, 'run.mcap'));
    const frames: Frame[] = [];
    for await (const frame of readFrames(aRecording())) frames.push(frame);
    for (const frame of frames.slice(0, 10)) await recorder.write(frame);
    rmSync(folder, { recursive: true });
    const error = await recorder.close().then(() => undefined, (e: unknown) => e);
    expect(error).toBeInstanceOf(UserError);
    expect((error as Error).message).toMatch(/run\.mcap: cannot finish the recording: the folder does not exist \(any more\) \(ENOENT\); what was written is kept in .*run\.mcap\.partial/);
    const { frames: kept } = await recoverRecording(join(folder, 'run.mcap.partial'));
    expect(kept.map((f) => f.t_ns)).toEqual(frames.slice(0, 10).map((f) => f.t_ns));
  });
});

describe('a damaged sweep index', () => {
  it('is one line that says how to start afresh', () => {
    const out = join(scratch, 'damaged-sweep');
    mkdirSync(out);
    writeFileSync(join(out, 'index.json'), '{"scenario": "x", "runs": [{"id": 1');
    expectOneLineError(roadcast(['sweep', 'scenarios/lead-vehicle-hard-brake.yaml', '--out', out, '--grid', 'gap=30']), /index\.json: is not a sweep index roadcast can resume from \(not valid JSON: .*\); move it away to start the sweep afresh$/, SWEEP_PROGRESS);
    writeFileSync(join(out, 'index.json'), '{"runs": [{"id": "run-0001"}]}');
    expectOneLineError(roadcast(['sweep', 'scenarios/lead-vehicle-hard-brake.yaml', '--out', out, '--grid', 'gap=30']), /index\.json: is not a sweep index .*\(runs\[0\] needs an id, a recording, an outcome and events\)/);
    writeFileSync(join(out, 'index.json'), '');
    rmSync(join(out, 'index.json'));
    mkdirSync(join(out, 'index.json'));
    expectOneLineError(roadcast(['sweep', 'scenarios/lead-vehicle-hard-brake.yaml', '--out', out, '--grid', 'gap=30']), /index\.json: is a folder, not a sweep index file$/);
  }, 180_000);
});
