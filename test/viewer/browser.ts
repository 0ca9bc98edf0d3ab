/**
 * Debian's Chromium driven by playwright-core, never a browser Playwright downloads itself.
 * `.ci/run` installs it (`apt-get install -y chromium`); without it the browser tests are
 * skipped with a note, unless ROADCAST_REQUIRE_BROWSER=1 (set by CI), where they fail.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { RoadcastClient } from '../../src/io/RoadcastClient.js';
import { startServing } from '../helpers.js';

export const CHROMIUM = process.env.ROADCAST_CHROMIUM ?? '/usr/bin/chromium';
export const HAVE_CHROMIUM = existsSync(CHROMIUM);
export const REQUIRE_BROWSER = process.env.ROADCAST_REQUIRE_BROWSER === '1';

if (!HAVE_CHROMIUM) {
  const note = `${CHROMIUM} is missing: install it with \`apt-get install -y chromium\` (.ci/run does)`;
  if (REQUIRE_BROWSER) throw new Error(note);
  console.warn(`browser tests skipped: ${note}`);
}

/**
 * Limits for a software-rendered page on a loaded two-core machine: tests wait for conditions
 * (frames drawn, a selector, a data attribute), never for a time, and give them all this.
 */
export const BROWSER_TEST_MS = 300_000;
export const WAIT = { timeout: 120_000 };
export const POLL = { timeout: 120_000, interval: 100 };

/**
 * `roadcast run ... --serve` held paused from the moment it listens (by a control client), so
 * a page opened afterwards sees the run however slow the machine is to start the browser:
 * `control.send({ type: 'resume' })` lets it go.
 */
export async function startHeldRun(args: string[]): Promise<Awaited<ReturnType<typeof startServing>> & { control: RoadcastClient }> {
  const serving = await startServing(args);
  const control = await RoadcastClient.connect(serving.url, { topics: ['events'] });
  control.send({ type: 'pause' });
  return { ...serving, control };
}

/** Headless Chromium with a fresh, empty profile (and any extra flags); closing it removes the profile. */
export async function launchChromium(extraArgs: string[] = []): Promise<{ context: BrowserContext; close: () => Promise<void> }> {
  const profile = mkdtempSync(join(tmpdir(), 'roadcast-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    viewport: { width: 1280, height: 800 },
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
      '--disable-quic',
      ...extraArgs,
    ],
  });
  return {
    context,
    close: async () => {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

/** A new page of the context on the viewer at `url` (http://…/), once it says it is connected; page errors are collected. */
export async function openViewer(context: BrowserContext, url: string): Promise<{ page: Page; errors: string[] }> {
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  await page.goto(url);
  await page.waitForSelector('#connection[data-state="connected"]', WAIT);
  return { page, errors };
}
