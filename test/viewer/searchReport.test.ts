// A search's report.html opened from disk in Chromium, offline: a chart of the objective per
// searched parameter with every run in it (failures apart), the failure-region chart, the top
// runs' table; no page errors.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BO_ESTIMATE_NOTE, type SearchReport } from '../../src/run/Search.js';
import { searchReportHtml } from '../../src/run/SearchReportPage.js';
import { BROWSER_TEST_MS, HAVE_CHROMIUM, launchChromium, WAIT } from './browser.js';

// Twelve runs over two parameters: objective = gap − 2 · decel, failures where it is ≤ 0.
const runs = Array.from({ length: 12 }, (_, k) => {
  const gap = 10 + k, decel = 4 + (k % 5);
  return { id: `run-${String(k + 1).padStart(4, '0')}`, params: { gap, decel, weather: k % 2 ? 'rain' : 'clear' }, objective: gap - 2 * decel, log_likelihood: -3, weight: 1, recording: `run-${k + 1}.mcap` };
});
const report: SearchReport = {
  scenario: 'cut-in.yaml', objective: 'min(distance) - 2', method: 'cem', seed: 1, budget: 12, runs,
  top: [...runs].sort((a, b) => a.objective - b.objective).slice(0, 10),
  estimate: { probability: 0.25, ci95: [0.1, 0.4], ess: 3.2, failures: runs.filter((r) => r.objective <= 0).length, runs: 12 },
};

describe.skipIf(!HAVE_CHROMIUM)('search report', () => {
  let browser: Awaited<ReturnType<typeof launchChromium>>;
  beforeAll(async () => { browser = await launchChromium(['--blink-settings=imagesEnabled=false']); }, BROWSER_TEST_MS);
  afterAll(async () => { await browser?.close(); });

  it('opens offline and charts every run against each numeric parameter', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'roadcast-report-'));
    const file = join(dir, 'report.html');
    writeFileSync(file, searchReportHtml(report));
    const page = await browser.context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    // Nothing may be fetched: the page is whole.
    const requests: string[] = [];
    page.on('request', (r) => { if (!r.url().startsWith('file:')) requests.push(r.url()); });
    await page.goto(pathToFileURL(file).href);
    await page.waitForFunction(() => Array.isArray((window as unknown as { roadcastCharts?: unknown[] }).roadcastCharts), undefined, WAIT);
    const charts = await page.evaluate(() => (window as unknown as { roadcastCharts: { options: { plugins: { title: { text: string } } }; data: { datasets: { label: string; data: { x: number; y: number }[] }[] } }[] }).roadcastCharts
      .map((c) => ({ title: c.options.plugins.title.text, sets: c.data.datasets.map((d) => ({ label: d.label, n: d.data.length, ys: d.data.map((p) => p.y) })) })));
    // gap and decel are numeric; weather is not charted.
    expect(charts.map((c) => c.title)).toEqual(['objective against gap', 'objective against decel', 'failure region: gap and decel']);
    const failures = runs.filter((r) => r.objective <= 0).length;
    for (const c of charts.slice(0, 2)) {
      expect(c.sets[0].n + c.sets[1].n).toBe(12);
      expect(c.sets[1].n).toBe(failures);
      expect(c.sets[1].ys.every((y) => y <= 0)).toBe(true);
      expect(c.sets[2].label).toBe('objective = 0');
    }
    const rows = await page.locator('#top tr').count();
    expect(rows).toBe(11);
    expect(await page.locator('#top tr:nth-child(2) td:nth-child(1)').textContent()).toBe(report.top[0].id);
    expect(await page.locator('#summary').textContent()).toContain(`${failures} at or below 0`);
    expect(errors).toEqual([]);
    expect(requests).toEqual([]);
    await page.close();
  }, BROWSER_TEST_MS);

  it('says why a bo search has no estimate, and shows its runs without weights', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'roadcast-report-bo-'));
    const file = join(dir, 'report.html');
    const boRuns = runs.map((r) => ({ ...r, weight: null }));
    writeFileSync(file, searchReportHtml({ ...report, method: 'bo', runs: boRuns, top: boRuns.slice(0, 10), estimate: null, estimate_note: BO_ESTIMATE_NOTE }));
    const page = await browser.context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    await page.goto(pathToFileURL(file).href);
    await page.waitForFunction(() => Array.isArray((window as unknown as { roadcastCharts?: unknown[] }).roadcastCharts), undefined, WAIT);
    expect(await page.locator('#summary').textContent()).toContain(`No failure-probability estimate: ${BO_ESTIMATE_NOTE}.`);
    // The weight column: a dash for none.
    expect(await page.locator('#top tr:nth-child(2) td:last-child').textContent()).toBe('-');
    expect(errors).toEqual([]);
    await page.close();
  }, BROWSER_TEST_MS);
});
