import { McapIndexedReader } from '@mcap/core';
import { FileHandleReadable } from '@mcap/nodejs';
import { loadDecompressHandlers } from '@mcap/support';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Frame } from '../../src/core/frame.js';
import { readFrames } from '../../src/io/McapSource.js';

const cli = (...args: string[]): string => execFileSync(process.execPath, ['dist/cli/main.js', ...args], { encoding: 'utf8' });

describe('export --format foxglove with a camera', () => {
  it('writes each image layer as a RawImage holding the frame\'s bytes, and the intrinsics as a CameraCalibration', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'roadcast-foxglove-camera-'));
    const rig = join(dir, 'rig.yaml');
    writeFileSync(rig, 'sensors:\n  - { name: front, type: camera, rate: 10, width: 64, height: 36, fov: 90, mount: { x: 1.5, z: 1.5 }, outputs: [rgb, depth, semantic] }\n');
    const recording = join(dir, 'run.mcap');
    const out = join(dir, 'run.foxglove.mcap');
    cli('run', 'scenarios/straight-road.yaml', '--rig', rig, '--duration', '0.3', '--record', recording);
    cli('export', recording, '--format', 'foxglove', '--out', out);
    const frames: Frame[] = [];
    for await (const frame of readFrames(recording)) if (frame.topic === 'camera/front') frames.push(frame);
    expect(frames).toHaveLength(3);

    const handle = await open(out, 'r');
    try {
      const reader = await McapIndexedReader.Initialize({ readable: new FileHandleReadable(handle), decompressHandlers: await loadDecompressHandlers() });
      const topics = new Map([...reader.channelsById.values()].map((c) => [c.id, c.topic]));
      const schemaOf = (topic: string): string => {
        const channel = [...reader.channelsById.values()].find((c) => c.topic === topic)!;
        return reader.schemasById.get(channel.schemaId)!.name;
      };
      expect(schemaOf('camera/front/rgb')).toBe('foxglove.RawImage');
      expect(schemaOf('camera/front/depth')).toBe('foxglove.RawImage');
      expect(schemaOf('camera/front/calibration')).toBe('foxglove.CameraCalibration');
      const messages: Record<string, { time: bigint; body: Record<string, unknown> }[]> = {};
      for await (const message of reader.readMessages()) {
        const topic = topics.get(message.channelId)!;
        (messages[topic] ??= []).push({ time: message.logTime, body: JSON.parse(new TextDecoder().decode(message.data)) });
      }
      expect(messages['camera/front/rgb']).toHaveLength(3);
      frames.forEach((frame, i) => {
        const rgb = messages['camera/front/rgb'][i];
        expect(rgb.time).toBe(BigInt(frame.t_ns));
        expect(rgb.body).toMatchObject({ width: 64, height: 36, encoding: 'rgb8', step: 64 * 3, frame_id: 'front_optical' });
        expect(Buffer.from(rgb.body.data as string, 'base64').equals(Buffer.from(frame.data.rgb.bytes))).toBe(true);
        const depth = messages['camera/front/depth'][i].body;
        expect(depth).toMatchObject({ encoding: '32FC1', step: 64 * 4 });
        expect(Buffer.from(depth.data as string, 'base64').equals(Buffer.from(frame.data.depth.bytes))).toBe(true);
        expect(messages['camera/front/semantic'][i].body).toMatchObject({ encoding: 'mono8', step: 64 });
        // 90 degrees over 64 px: fx = 32 / tan 45 = 32, principal point ((W - 1) / 2, (H - 1) / 2).
        const calibration = messages['camera/front/calibration'][i].body;
        expect(calibration.K).toEqual([32, 0, 31.5, 0, 32, 17.5, 0, 0, 1].map((v) => expect.closeTo(v, 9)));
        expect(calibration.distortion_model).toBe('plumb_bob');
      });
    } finally {
      await handle.close();
    }
  });
});
