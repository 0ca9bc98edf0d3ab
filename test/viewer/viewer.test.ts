/**
 * The browser viewer in a real browser: a live run serves the page on its WebSocket port; the
 * page connects, draws the scene and the point cloud, and its buttons control the run. Every
 * wait is for a condition the page or the server makes true, with room for a loaded machine.
 */
import { mkdirSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import type { Page } from 'playwright-core';
import { RoadcastClient } from '../../src/io/RoadcastClient.js';
import { loadScenario } from '../../src/scenario/loadScenario.js';
import { planRoadside } from '../../src/world/RoadsideDressing.js';
import { startServing } from '../helpers.js';
import { BROWSER_TEST_MS, HAVE_CHROMIUM, launchChromium, POLL, REQUIRE_BROWSER, WAIT } from './browser.js';

const SCREENSHOT = 'test-output/viewer.png';

type ViewerState = ReturnType<Window['roadcastViewer']['state']>;

const state = (page: Page): Promise<ViewerState> => page.evaluate(() => window.roadcastViewer.state());
const shownTimeNs = async (page: Page): Promise<number> => Number(await page.locator('#sim-time').getAttribute('data-t-ns'));

/**
 * Waits until the server has said the run stopped at `atNs` (or anywhere, when absent) and the
 * panel shows the last frame before it: the server sends that state after every frame before
 * it, so nothing more can come. Returns where the run stopped and the time the panel shows.
 */
async function stopped(page: Page, atNs?: number): Promise<{ pausedAtNs: number; shownNs: number }> {
  await page.waitForFunction((at) => {
    const s = window.roadcastViewer.state();
    const shown = Number(document.getElementById('sim-time')!.dataset.tNs);
    const badge = document.getElementById('paused-badge')!;
    return s.paused && s.pausedAtNs > 0 && (at === undefined || s.pausedAtNs === at) && shown === s.simTimeNs && badge.dataset.paused === 'true';
  }, atNs, WAIT);
  const s = await state(page);
  return { pausedAtNs: s.pausedAtNs, shownNs: await shownTimeNs(page) };
}

describe.skipIf(!HAVE_CHROMIUM && !REQUIRE_BROWSER)('browser viewer (Chromium)', () => {
  let child: ChildProcessWithoutNullStreams | undefined;
  let wsUrl = '';
  let pageUrl = '';
  let close: (() => Promise<void>) | undefined;
  let page: Page;

  beforeAll(async () => {
    // The straight road has no storyboard end, so the run lasts as long as the test needs.
    const serving = await startServing(['run', 'scenarios/straight-road.yaml', '--serve', '--realtime', '--port', '0', '--duration', '300']);
    child = serving.child;
    wsUrl = serving.url;
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
  }, BROWSER_TEST_MS);

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
      return s && s.mapLoaded && (s.topics['lidar/top']?.count ?? 0) >= 3 && ['ego', 'lead', 'oncoming'].every((id) => s.actors.includes(id)) && (s.points['lidar/top'] ?? 0) > 0;
    }, undefined, WAIT);
    // The side panel says so too.
    await page.waitForSelector('#connection[data-state="connected"]', WAIT);
    await page.waitForFunction(() => Number(document.getElementById('frames-received')?.dataset.count) > 0, undefined, WAIT);
    const s = await state(page);
    expect(s.connected).toBe(true);
    expect(s.viewError).toBe('');
    expect(s.lastError).toBe('');
    expect(s.topics['lidar/top'].kind).toBe('lidar');
    expect(s.topics['ground_truth/actors'].kind).toBe('ground_truth');
    // The scenario's three actors, and the parked cars the roadside plan puts along the road.
    expect(s.actors.filter((id) => !id.startsWith('roadside_')).sort()).toEqual(['ego', 'lead', 'oncoming']);
    const scenario = loadScenario('scenarios/straight-road.yaml');
    const parked = planRoadside(scenario.network, scenario.seed, { buildings: scenario.buildings, furniture: scenario.furniture }).parkedCars;
    expect(s.actors.filter((id) => id.startsWith('roadside_')).sort()).toEqual(parked.map((car) => car.id).sort());
    // The default rig's LiDAR: 32 channels x 900 columns, minus rays that hit nothing.
    expect(s.points['lidar/top']).toBeGreaterThan(5_000);
    expect(s.points['lidar/top']).toBeLessThanOrEqual(32 * 900);
    // Both of the default rig's sensors run at 10 Hz (of simulated time).
    await expect.poll(() => page.locator('#topics tr[data-topic="lidar/top"] td:nth-child(3)').textContent(), POLL).toBe('10.0');
    await expect.poll(() => page.locator('#topics tr[data-topic="ground_truth/actors"] td:nth-child(3)').textContent(), POLL).toBe('10.0');
    expect(errors).toEqual([]);

    // The canvas is not blank: most of it differs from the background (road, ground, points).
    const pixels = await page.evaluate(() => window.roadcastViewer.pixelStats());
    expect(pixels.width).toBeGreaterThan(0);
    expect(pixels.differing / (pixels.width * pixels.height)).toBeGreaterThan(0.2);

    // Semantic colouring is offered once a cloud carries per-point classes (the LiDAR does).
    await expect.poll(() => page.locator('#color-mode option[value="semantic"]').isDisabled(), POLL).toBe(false);
    mkdirSync('test-output', { recursive: true });
    await page.screenshot({ path: SCREENSHOT });
  }, BROWSER_TEST_MS);

  it('pauses, steps and resumes the run from its buttons', async () => {
    await page.click('#pause', WAIT);
    // The run stops at a tick; the page has every frame before it once the server says so.
    const paused = await stopped(page);
    expect(paused.shownNs).toBeGreaterThan(0);
    expect(paused.shownNs).toBeLessThan(paused.pausedAtNs);
    // Both sensors fire every 100 ms, so the last frame shown is at most 100 ms before the stop.
    expect(paused.pausedAtNs - paused.shownNs).toBeLessThanOrEqual(100_000_000);

    // Step: 10 ticks of 10 ms while paused; a 10 Hz sensor fires within them.
    await page.click('#step', WAIT);
    const stepped = await stopped(page, paused.pausedAtNs + 100_000_000);
    expect(stepped.shownNs).toBeGreaterThan(paused.shownNs);
    expect(stepped.shownNs).toBeLessThan(stepped.pausedAtNs);
    expect(stepped.shownNs - paused.shownNs).toBeLessThanOrEqual(200_000_000);

    await page.click('#resume', WAIT);
    await page.waitForSelector('#paused-badge[data-paused="false"]', { state: 'attached', ...WAIT });
    await expect.poll(() => shownTimeNs(page), POLL).toBeGreaterThan(stepped.shownNs + 500_000_000);
  }, BROWSER_TEST_MS);

  it('shows a badge while the run cannot keep up with the wall clock', async () => {
    const client = await RoadcastClient.connect(wsUrl, { topics: ['events'] });
    try {
      // A thousand times real time: the run falls behind at once, on any machine.
      client.send({ type: 'rate', factor: 1000 });
      // (A loaded machine may have the run behind at 1x already: wait for the figure of 1000x.)
      await page.waitForFunction(() => window.roadcastViewer.state().realtime?.target === 1000, undefined, WAIT);
      await page.waitForSelector('#realtime-badge[data-behind="true"]', WAIT);
      // Read together: a new figure comes about once a second.
      const { text, factor } = await page.evaluate(() => {
        const badge = document.getElementById('realtime-badge')!;
        return { text: badge.textContent, factor: Number(badge.dataset.factor) };
      });
      expect(text).toMatch(/^behind real time: \d+\.\d\dx \(1000x asked\)$/);
      expect(text).toContain(`${factor.toFixed(2)}x`);
      expect(factor).toBeLessThan(950);
      // A tenth of real time is easy: once the window has moved on, the badge goes.
      client.send({ type: 'rate', factor: 0.1 });
      await page.waitForFunction(() => window.roadcastViewer.state().realtime?.target === 0.1, undefined, WAIT);
      await page.waitForSelector('#realtime-badge[data-behind="false"]', { state: 'attached', ...WAIT });
      expect(await page.locator('#realtime-badge').textContent()).toBe('');
    } finally {
      client.close();
    }
  }, BROWSER_TEST_MS);
});
