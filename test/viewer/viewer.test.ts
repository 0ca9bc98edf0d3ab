/**
 * The browser viewer in a real browser: a live run serves the page on its WebSocket port; the
 * page connects, draws the scene and the point cloud, and its buttons control the run.
 */
import { mkdirSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import type { Page } from 'playwright-core';
import { startServing } from '../helpers.js';
import { HAVE_CHROMIUM, launchChromium, REQUIRE_BROWSER } from './browser.js';

const SCREENSHOT = 'test-output/viewer.png';

type ViewerState = ReturnType<Window['roadcastViewer']['state']>;

const state = (page: Page): Promise<ViewerState> => page.evaluate(() => window.roadcastViewer.state());
const shownTimeNs = async (page: Page): Promise<number> => Number(await page.locator('#sim-time').getAttribute('data-t-ns'));
/** Polls patiently: a software-rendered page on a loaded machine may take a while per frame. */
const POLL = { timeout: 15_000, interval: 100 };

/** Resolves with the time shown once it has not changed for `quietMs`. */
async function settledTime(page: Page, quietMs: number): Promise<number> {
  let last = await shownTimeNs(page);
  let since = Date.now();
  const start = Date.now();
  while (Date.now() - since < quietMs) {
    if (Date.now() - start > 20_000) throw new Error('the time shown never settled');
    await page.waitForTimeout(100);
    const now = await shownTimeNs(page);
    if (now !== last) {
      last = now;
      since = Date.now();
    }
  }
  return last;
}

describe.skipIf(!HAVE_CHROMIUM && !REQUIRE_BROWSER)('browser viewer (Chromium)', () => {
  let child: ChildProcessWithoutNullStreams | undefined;
  let pageUrl = '';
  let close: (() => Promise<void>) | undefined;
  let page: Page;

  beforeAll(async () => {
    // The straight road has no storyboard end, so the run lasts as long as the test needs.
    const serving = await startServing(['run', 'scenarios/straight-road.yaml', '--serve', '--realtime', '--port', '0', '--duration', '300']);
    child = serving.child;
    const match = await new Promise<RegExpExecArray>((resolve, reject) => {
      const look = (): void => {
        const found = /Viewer: (http:\/\/127\.0\.0\.1:\d+\/)/.exec(serving.output());
        if (found) resolve(found);
      };
      look();
      child!.stdout.on('data', look);
      child!.once('exit', () => reject(new Error(`the run exited: ${serving.output()}`)));
    });
    pageUrl = match[1];
    expect(pageUrl).toBe(`${serving.url.replace('ws://', 'http://')}/`);
    const browser = await launchChromium();
    close = browser.close;
    page = await browser.context.newPage();
  });

  afterAll(async () => {
    await close?.();
    child?.kill('SIGINT');
  });

  it('serves the page on the WebSocket port, which draws the road, the actors and the point cloud', async () => {
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    await page.goto(pageUrl);
    await page.waitForFunction(() => {
      const s = window.roadcastViewer?.state();
      return s && s.mapLoaded && (s.topics['lidar/top']?.count ?? 0) >= 3 && s.actors.length === 3 && (s.points['lidar/top'] ?? 0) > 0;
    }, undefined, { timeout: 30_000 });
    // The side panel says so too.
    await page.waitForFunction(() => Number(document.getElementById('frames-received')?.dataset.count) > 0);
    const s = await state(page);
    expect(s.connected).toBe(true);
    expect(s.lastError).toBe('');
    expect(s.topics['lidar/top'].kind).toBe('lidar');
    expect(s.topics['ground_truth/actors'].kind).toBe('ground_truth');
    expect(s.actors.sort()).toEqual(['ego', 'lead', 'oncoming']);
    // The default rig's LiDAR: 32 channels x 900 columns, minus rays that hit nothing.
    expect(s.points['lidar/top']).toBeGreaterThan(5_000);
    expect(s.points['lidar/top']).toBeLessThanOrEqual(32 * 900);
    await expect.poll(() => page.locator('#topics tr[data-topic="lidar/top"] td:nth-child(3)').textContent(), POLL).not.toBe('0.0');
    expect(errors).toEqual([]);

    // The canvas is not blank: most of it differs from the background (road, ground, points).
    const pixels = await page.evaluate(() => window.roadcastViewer.pixelStats());
    expect(pixels.width).toBeGreaterThan(0);
    expect(pixels.differing / (pixels.width * pixels.height)).toBeGreaterThan(0.2);

    // Semantic colouring is offered once a cloud carries per-point classes (the LiDAR does).
    await expect.poll(() => page.locator('#color-mode option[value="semantic"]').isDisabled(), POLL).toBe(false);
    mkdirSync('test-output', { recursive: true });
    await page.screenshot({ path: SCREENSHOT });
  });

  it('pauses, steps and resumes the run from its buttons', async () => {
    await page.click('#pause');
    await page.waitForSelector('#paused-badge[data-paused="true"]', { state: 'attached' });
    // Frames already in flight may still land; then the time shown must stand still.
    const pausedAt = await settledTime(page, 800);
    expect(pausedAt).toBeGreaterThan(0);
    await page.waitForTimeout(1500);
    expect(await shownTimeNs(page)).toBe(pausedAt);

    // Step: 10 ticks of 10 ms while paused; a 10 Hz sensor fires within them.
    await page.click('#step');
    await expect.poll(() => shownTimeNs(page), POLL).toBeGreaterThan(pausedAt);
    const stepped = await settledTime(page, 800);
    expect(stepped - pausedAt).toBeLessThanOrEqual(200_000_000);

    await page.click('#resume');
    await page.waitForSelector('#paused-badge[data-paused="false"]', { state: 'attached' });
    await expect.poll(() => shownTimeNs(page), POLL).toBeGreaterThan(stepped + 500_000_000);
  });
});
