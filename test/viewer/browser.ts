/**
 * Debian's Chromium driven by playwright-core, never a browser Playwright downloads itself.
 * `.ci/run` installs it (`apt-get install -y chromium`); without it the browser tests are
 * skipped with a note, unless ROADCAST_REQUIRE_BROWSER=1 (set by CI), where they fail.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext } from 'playwright-core';

export const CHROMIUM = process.env.ROADCAST_CHROMIUM ?? '/usr/bin/chromium';
export const HAVE_CHROMIUM = existsSync(CHROMIUM);
export const REQUIRE_BROWSER = process.env.ROADCAST_REQUIRE_BROWSER === '1';

if (!HAVE_CHROMIUM) {
  const note = `${CHROMIUM} is missing: install it with \`apt-get install -y chromium\` (.ci/run does)`;
  if (REQUIRE_BROWSER) throw new Error(note);
  console.warn(`browser tests skipped: ${note}`);
}

/** Headless Chromium with a fresh, empty profile; closing it removes the profile. */
export async function launchChromium(): Promise<{ context: BrowserContext; close: () => Promise<void> }> {
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
