/**
 * What the viewer makes of the stream: topic rates from the frames' own times, a heavy rig's
 * frames reaching the page and the run's end read as one, and a page without WebGL that
 * still connects and shows what it can.
 */
import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { arrayField, FRAME_VERSION, type Frame } from '../../src/core/frame.js';
import { FrameServer } from '../../src/io/FrameServer.js';
import { exited } from '../helpers.js';
import { makeFrame } from '../io/frames.js';
import { BROWSER_TEST_MS, HAVE_CHROMIUM, launchChromium, openViewer, POLL, REQUIRE_BROWSER, startHeldRun, WAIT } from './browser.js';

const rateCell = (page: Page, topic: string): Promise<string | null> => page.locator(`#topics tr[data-topic="${topic}"] td:nth-child(3)`).textContent();

/** A camera frame whose RGB image is a horizontal ramp, and nothing else. */
function cameraFrame(seq: number, tNs: number): Frame {
  const width = 8;
  const height = 4;
  const rgb = new Uint8Array(width * height * 3).map((_, i) => (i % 3 === 0 ? ((i / 3) % width) * 30 : 60));
  return {
    v: FRAME_VERSION, topic: 'camera/front', kind: 'camera', seq, t_ns: tNs, frame_id: 'front_optical',
    pose: { p: [0, 0, 1.5], q: [0, 0, 0, 1] }, fields: { width, height }, data: { rgb: arrayField(rgb, [height, width, 3]) },
  };
}

describe.skipIf(!HAVE_CHROMIUM && !REQUIRE_BROWSER)('the viewer and the stream (Chromium)', () => {
  it('gives each topic the rate of its frames\' own times, even when they arrive in one burst', async () => {
    const server = new FrameServer({ port: 0 });
    const { pageUrl } = await server.start();
    const { context, close } = await launchChromium();
    try {
      const { page } = await openViewer(context, pageUrl);
      // 2 s of a 10 Hz LiDAR and 0.1 s of a 100 Hz IMU, all sent at once: they reach the page
      // within milliseconds, which arrival times would call thousands of Hz.
      for (let seq = 0; seq <= 20; seq++) server.broadcast(makeFrame('lidar/top', 'lidar', seq, 3_000_000_000 + seq * 100_000_000, 4));
      for (let seq = 0; seq <= 10; seq++) server.broadcast(makeFrame('imu/imu', 'imu', seq, 3_000_000_000 + seq * 10_000_000, 1));
      await page.waitForFunction(() => {
        const s = window.roadcastViewer.state();
        return s.topics['lidar/top']?.count === 21 && s.topics['imu/imu']?.count === 11;
      }, undefined, WAIT);
      await expect.poll(() => rateCell(page, 'lidar/top'), POLL).toBe('10.0');
      await expect.poll(() => rateCell(page, 'imu/imu'), POLL).toBe('100.0');
      // Every other LiDAR frame lost on the way: the rate says 5 Hz came through.
      for (let seq = 21; seq <= 41; seq += 2) server.broadcast(makeFrame('lidar/top', 'lidar', seq, 3_000_000_000 + seq * 100_000_000, 4));
      await page.waitForFunction(() => window.roadcastViewer.state().topics['lidar/top']?.count === 32, undefined, WAIT);
      await expect.poll(() => rateCell(page, 'lidar/top'), POLL).toBe('5.0');
    } finally {
      await close();
      await server.close();
    }
  }, BROWSER_TEST_MS);

  it('works with a token: the page opened as /?token=... loads its scripts and shows the frames', async () => {
    const server = new FrameServer({ port: 0, token: 's3cret' });
    const { pageUrl } = await server.start();
    const { context, close } = await launchChromium();
    try {
      const page = await context.newPage();
      // Without the token: a page that says what to do, and no stream.
      const refused = await page.goto(pageUrl);
      expect(refused?.status()).toBe(401);
      expect(await page.textContent('body')).toContain('this server needs a token: open /?token=...');
      await page.goto(`${pageUrl}?token=s3cret`);
      await page.waitForSelector('#connection[data-state="connected"]', WAIT);
      for (let seq = 0; seq < 5; seq++) server.broadcast(makeFrame('lidar/top', 'lidar', seq, seq * 100_000_000, 4));
      await page.waitForFunction(() => window.roadcastViewer.state().topics['lidar/top']?.count === 5, undefined, WAIT);
    } finally {
      await close();
      await server.close();
    }
  }, BROWSER_TEST_MS);

  it('a heavy rig (64-channel LiDAR, a camera, three radars) reaches the page, and its end reads as the end of the run', async () => {
    const serving = await startHeldRun(['run', 'scenarios/straight-road.yaml', '--rig', 'sensors/full.yaml', '--serve', '--realtime', '--port', '0', '--duration', '1']);
    const { control } = serving;
    const { context, close } = await launchChromium();
    try {
      const { page, errors } = await openViewer(context, serving.url.replace('ws://', 'http://') + '/');
      // Ten ticks: every sensor of the rig fires within 100 ms.
      control.send({ type: 'step', ticks: 10 });
      await page.waitForFunction(() => {
        const s = window.roadcastViewer.state();
        return ['lidar/top', 'camera/front', 'radar/front_radar', 'ground_truth/actors'].every((topic) => topic in s.drawn) && (s.points['lidar/top'] ?? 0) > 10_000;
      }, undefined, WAIT);
      await page.waitForSelector('.camera canvas', WAIT);
      control.send({ type: 'resume' });
      expect(await exited(serving.child)).toBe(0);
      // The server closed with 1001 after the last frames: the page says the run ended...
      await page.waitForSelector('#connection[data-state="ended"]', WAIT);
      expect(await page.locator('#connection').textContent()).toBe('run ended');
      // ...and keeps saying so while it waits for a new run on the port (no "disconnected (1006)").
      await page.waitForFunction(() => window.roadcastViewer.state().retries >= 1, undefined, WAIT);
      expect(await page.locator('#connection').textContent()).toBe('run ended');
      expect((await page.evaluate(() => window.roadcastViewer.state())).connection).toBe('ended');
      expect(errors).toEqual([]);
      control.close();
    } finally {
      await close();
      serving.child.kill('SIGINT');
    }
  }, BROWSER_TEST_MS);

  it('without WebGL the page still connects, and shows the panel and the cameras', async () => {
    const server = new FrameServer({ port: 0 });
    const { pageUrl } = await server.start();
    const { context, close } = await launchChromium(['--disable-webgl']);
    try {
      const { page } = await openViewer(context, pageUrl);
      const s = await page.evaluate(() => window.roadcastViewer.state());
      expect(s.viewError).not.toBe('');
      expect(await page.locator('.no-3d').textContent()).toContain('No 3D view: this browser could not start WebGL');
      server.broadcast(makeFrame('lidar/top', 'lidar', 0, 0, 4));
      server.broadcast(cameraFrame(0, 0));
      await page.waitForFunction(() => window.roadcastViewer.state().drawn['camera/front'] === 0 && window.roadcastViewer.state().topics['lidar/top']?.count === 1, undefined, WAIT);
      const pixel = await page.evaluate(() => Array.from((document.querySelector('.camera canvas') as HTMLCanvasElement).getContext('2d')!.getImageData(3, 1, 1, 1).data));
      expect(pixel).toEqual([90, 60, 60, 255]);
      await expect.poll(() => page.locator('#points-drawn').textContent(), POLL).toBe('no 3D view');
    } finally {
      await close();
      await server.close();
    }
  }, BROWSER_TEST_MS);
});
