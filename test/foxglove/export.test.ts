/**
 * `roadcast export --format foxglove`: the MCAP file it writes, read back with @mcap/core,
 * has Foxglove's schemas as jsonschema and JSON messages equal to the recording's frames.
 */
import { McapIndexedReader } from '@mcap/core';
import { FileHandleReadable } from '@mcap/nodejs';
import { loadDecompressHandlers } from '@mcap/support';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Frame } from '../../src/core/frame.js';
import { readOpenDrive } from '../../src/map/OpenDriveReader.js';
import { readFrames } from '../../src/io/McapSource.js';
import { roadScene } from '../../src/io/foxglove/staticScene.js';
import { expectMatchesFrames, smallRig, type Decoded } from './fixtures.js';

const cli = (...args: string[]): string => execFileSync(process.execPath, ['dist/cli/main.js', ...args], { encoding: 'utf8' });

describe('export --format foxglove', () => {
  it('writes an MCAP file in Foxglove schemas whose messages equal the recording', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'roadcast-foxglove-export-'));
    const recording = join(dir, 'run.mcap');
    const out = join(dir, 'run.foxglove.mcap');
    // The default scenario: its storyboard publishes events too.
    cli('run', 'scenarios/default.yaml', '--rig', smallRig(), '--duration', '1.5', '--record', recording);
    const printed = cli('export', recording, '--format', 'foxglove', '--out', out);
    expect(printed).toMatch(/^Wrote \d+ Foxglove messages to /);
    expect(readdirSync(dir).sort()).toEqual(['run.foxglove.mcap', 'run.mcap']);

    const frames: Frame[] = [];
    for await (const frame of readFrames(recording)) frames.push(frame);

    const handle = await open(out, 'r');
    try {
      const reader = await McapIndexedReader.Initialize({ readable: new FileHandleReadable(handle), decompressHandlers: await loadDecompressHandlers() });
      const schemas = [...reader.schemasById.values()];
      expect(schemas.every((s) => s.encoding === 'jsonschema')).toBe(true);
      expect(schemas.map((s) => s.name).sort()).toEqual([
        'foxglove.FrameTransform', 'foxglove.LocationFix', 'foxglove.Log', 'foxglove.PointCloud', 'foxglove.SceneUpdate', 'roadcast.Imu',
      ]);
      for (const schema of schemas) expect(JSON.parse(new TextDecoder().decode(schema.data)).type).toBe('object');
      const channels = [...reader.channelsById.values()];
      expect(channels.every((c) => c.messageEncoding === 'json')).toBe(true);
      const schemaOf = (topic: string): string => reader.schemasById.get(channels.find((c) => c.topic === topic)!.schemaId)!.name;
      expect(schemaOf('lidar/top')).toBe('foxglove.PointCloud');
      expect(schemaOf('radar/front')).toBe('foxglove.PointCloud');
      expect(schemaOf('ground_truth/actors')).toBe('foxglove.SceneUpdate');
      expect(schemaOf('tf')).toBe('foxglove.FrameTransform');
      expect(schemaOf('map')).toBe('foxglove.SceneUpdate');
      expect(schemaOf('events')).toBe('foxglove.Log');
      // The recording's metadata comes along.
      const metadata = [];
      for await (const record of reader.readMetadata({ name: 'roadcast' })) metadata.push(record);
      expect(metadata[0].metadata.get('seed')).toBe('1');

      const decoded: Decoded[] = [];
      let mapMessage: Decoded | undefined;
      for await (const record of reader.readMessages()) {
        const topic = reader.channelsById.get(record.channelId)!.topic;
        const message = JSON.parse(new TextDecoder().decode(record.data));
        const item = { topic, timeNs: Number(record.logTime), message };
        if (topic === 'map') mapMessage = item;
        else decoded.push(item);
      }
      // Log time is the frame's t_ns (checked inside: each message is found by topic and time).
      expectMatchesFrames(frames, decoded);
      expect(decoded.filter((m) => m.topic === 'lidar/top')).toHaveLength(frames.filter((f) => f.topic === 'lidar/top').length);
      expect(decoded.filter((m) => m.topic === 'events').length).toBeGreaterThan(0);

      // The road mesh of the map the recording carries, once.
      const scene = roadScene(readOpenDrive('maps/town.xodr'));
      const triangles = mapMessage!.message.entities[0].triangles as { points: unknown[] }[];
      expect(triangles.reduce((n, t) => n + t.points.length, 0)).toBe(scene.classes.length * 3);
    } finally {
      await handle.close();
    }
  });

  it('refuses a topic the recording does not have, leaving nothing behind', () => {
    const dir = mkdtempSync(join(tmpdir(), 'roadcast-foxglove-export-'));
    const recording = join(dir, 'run.mcap');
    cli('run', 'scenarios/straight-road.yaml', '--rig', smallRig(), '--duration', '0.2', '--record', recording);
    let stderr = '';
    try {
      execFileSync(process.execPath, ['dist/cli/main.js', 'export', recording, '--format', 'foxglove', '--out', join(dir, 'x.mcap'), '--topic', 'lidar/nope'], { encoding: 'utf8', stdio: 'pipe' });
    } catch (error) {
      stderr = (error as { stderr: string }).stderr;
    }
    expect(stderr).toMatch(/has no topic "lidar\/nope"/);
    expect(existsSync(join(dir, 'x.mcap'))).toBe(false);
  });
});
