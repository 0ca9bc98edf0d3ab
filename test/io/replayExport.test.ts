import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Frame } from '../../src/core/frame.js';
import { readFrames } from '../../src/io/McapSource.js';
import { RoadcastClient } from '../../src/io/RoadcastClient.js';
import { startServing, exited } from '../helpers.js';

const CLI = 'dist/cli/main.js';
const dir = mkdtempSync(join(tmpdir(), 'roadcast-replay-'));
const recording = join(dir, 'run.mcap');
const recorded: Frame[] = [];

beforeAll(async () => {
  const result = spawnSync(process.execPath, [CLI, 'run', 'scenarios/straight-road.yaml', '--duration', '1', '--record', recording], { encoding: 'utf8' });
  expect(result.status).toBe(0);
  for await (const frame of readFrames(recording)) recorded.push(frame);
  expect(recorded.map((f) => f.topic)).toEqual(Array.from({ length: 20 }, (_, i) => (i % 2 === 0 ? 'ground_truth/actors' : 'lidar/top')));
});

describe('roadcast replay', () => {
  it('streams every recorded frame, unchanged and in order, paced by the recording at the given rate', async () => {
    const { child, url, output } = await startServing(['replay', recording, '--port', '0', '--rate', '4']);
    const client = await RoadcastClient.connect(url);
    const frames: Frame[] = [];
    const arrivals: number[] = [];
    for await (const frame of client) {
      frames.push(frame);
      arrivals.push(performance.now());
    }
    await exited(child);
    expect(child.exitCode).toBe(0);
    expect(output()).toContain('Sent 20 frames');
    // The client may connect after the first frames went out; what it gets is the tail, unchanged.
    expect(frames.length).toBeGreaterThanOrEqual(5);
    const offset = recorded.length - frames.length;
    frames.forEach((frame, i) => {
      const original = recorded[offset + i];
      expect([frame.topic, frame.seq, frame.t_ns]).toEqual([original.topic, original.seq, original.t_ns]);
      for (const name of Object.keys(original.data)) expect(Buffer.from(frame.data[name].bytes).equals(Buffer.from(original.data[name].bytes))).toBe(true);
    });
    // Paced, not dumped: the frames span (at least) their simulated spread over the rate.
    const simulated = (frames[frames.length - 1].t_ns - frames[0].t_ns) / 1e9;
    expect(arrivals[arrivals.length - 1] - arrivals[0]).toBeGreaterThanOrEqual((simulated / 4) * 1000 * 0.9);
  });

  it('a missing recording fails before serving, with one line', () => {
    const result = spawnSync(process.execPath, [CLI, 'replay', join(dir, 'nope.mcap'), '--port', '0'], { encoding: 'utf8' });
    expect(result.status).toBe(1);
    expect(result.stderr).toBe(`roadcast: ${join(dir, 'nope.mcap')}: no such recording file\n`);
  });
});

describe('roadcast export --format pcd', () => {
  it('writes one binary PCD per LiDAR frame holding exactly the frame\'s points', () => {
    const out = join(dir, 'pcd');
    const result = spawnSync(process.execPath, [CLI, 'export', recording, '--format', 'pcd', '--out', out], { encoding: 'utf8' });
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    const files = readdirSync(join(out, 'lidar_top')).sort();
    expect(files).toEqual(Array.from({ length: 10 }, (_, i) => `${String(i).padStart(6, '0')}.pcd`));
    recorded.filter((f) => f.topic === 'lidar/top').forEach((frame, i) => {
      const bytes = readFileSync(join(out, 'lidar_top', files[i]));
      const headerEnd = bytes.indexOf('DATA binary\n') + 'DATA binary\n'.length;
      const header = bytes.subarray(0, headerEnd).toString('latin1');
      const n = frame.data.points.shape[0];
      expect(header).toContain('FIELDS x y z intensity\nSIZE 4 4 4 4\nTYPE F F F F\nCOUNT 1 1 1 1\n');
      expect(header).toContain(`WIDTH ${n}\nHEIGHT 1\n`);
      expect(header).toContain(`POINTS ${n}\n`);
      const [tx, ty, tz, qw, qx, qy, qz] = /VIEWPOINT (.*)\n/.exec(header)![1].split(' ').map(Number);
      expect([tx, ty, tz, qx, qy, qz, qw]).toEqual([...frame.pose.p, ...frame.pose.q]);
      expect(bytes.length - headerEnd).toBe(n * 16);
      // The first point, read back as little-endian float32, is the frame's first point.
      const view = new DataView(frame.data.points.bytes.buffer, frame.data.points.bytes.byteOffset);
      expect(bytes.readFloatLE(headerEnd)).toBe(view.getFloat32(0, true));
      expect(bytes.subarray(headerEnd).equals(Buffer.from(frame.data.points.bytes))).toBe(true);
    });
  });

  it('refuses an existing folder or an unknown topic, leaving nothing behind', () => {
    const out = join(dir, 'pcd-bad');
    const unknown = spawnSync(process.execPath, [CLI, 'export', recording, '--format', 'pcd', '--out', out, '--topic', 'lidar/nope'], { encoding: 'utf8' });
    expect(unknown.status).toBe(1);
    expect(unknown.stderr).toBe(`roadcast: ${recording}: the recording has no LiDAR topic "lidar/nope" (LiDAR topics: lidar/top)\n`);
    expect(existsSync(out)).toBe(false);
    expect(readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
    const again = spawnSync(process.execPath, [CLI, 'export', recording, '--format', 'pcd', '--out', join(dir, 'pcd')], { encoding: 'utf8' });
    expect(again.status).toBe(1);
    expect(again.stderr).toMatch(/already exists; export into a new folder/);
    const format = spawnSync(process.execPath, [CLI, 'export', recording, '--format', 'las', '--out', out], { encoding: 'utf8' });
    expect(format.status).toBe(1);
    expect(format.stderr.trim().split('\n')).toHaveLength(1);
  });
});
