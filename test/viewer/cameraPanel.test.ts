/**
 * Camera panels in the browser viewer: a run with a camera shows it in a panel, and the image
 * drawn is the camera's own last frame, pixel for pixel.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Frame } from '../../src/core/frame.js';
import { readFrames } from '../../src/io/McapSource.js';
import { exited } from '../helpers.js';
import { BROWSER_TEST_MS, HAVE_CHROMIUM, launchChromium, openViewer, REQUIRE_BROWSER, startHeldRun, WAIT } from './browser.js';

describe.skipIf(!HAVE_CHROMIUM && !REQUIRE_BROWSER)('browser viewer camera panels (Chromium)', () => {
  it('draws the camera frames in a panel of the camera\'s size', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'roadcast-viewer-camera-'));
    const rig = join(dir, 'rig.yaml');
    // No 2D boxes: the panel then holds the image alone, to compare byte for byte.
    writeFileSync(rig, 'sensors:\n  - { name: front, type: camera, rate: 5, width: 96, height: 54, fov: 90, mount: { x: 1.5, z: 1.5 }, outputs: [rgb], boxes: false }\n');
    const recording = join(dir, 'run.mcap');
    const serving = await startHeldRun(['run', 'scenarios/straight-road.yaml', '--rig', rig, '--serve', '--realtime', '--port', '0', '--duration', '4', '--record', recording]);
    const { context, close } = await launchChromium();
    try {
      const { page } = await openViewer(context, serving.url.replace('ws://', 'http://') + '/');
      serving.control.send({ type: 'resume' });
      await page.waitForSelector('.camera canvas', WAIT);
      await exited(serving.child);
      const frames: Frame[] = [];
      for await (const frame of readFrames(recording)) if (frame.topic === 'camera/front') frames.push(frame);
      // The page shows the newest frame it received: once the run's end has reached it, the run's last.
      const last = frames[frames.length - 1];
      await page.waitForFunction((seq) => window.roadcastViewer.state().connection === 'ended' && window.roadcastViewer.state().drawn['camera/front'] === seq, last.seq, WAIT);
      const drawn = await page.evaluate(() => {
        const canvas = document.querySelector('.camera canvas') as HTMLCanvasElement;
        const data = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height).data;
        return { width: canvas.width, height: canvas.height, rgba: Array.from(data) };
      });
      expect([drawn.width, drawn.height]).toEqual([96, 54]);
      const rgb = Buffer.from(last.data.rgb.bytes);
      const expected: number[] = [];
      for (let i = 0; i < rgb.length; i += 3) expected.push(rgb[i], rgb[i + 1], rgb[i + 2], 255);
      expect(drawn.rgba).toEqual(expected);
      expect(new Set(expected).size).toBeGreaterThan(10);
    } finally {
      serving.control.close();
      await close();
      serving.child.kill('SIGINT');
    }
  }, BROWSER_TEST_MS);
});
