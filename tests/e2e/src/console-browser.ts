import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser } from 'playwright-core';

/** Debian's chromium package (scripts/bootstrap.mjs installs it); Playwright's own download is not used. */
export const SYSTEM_CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/**
 * Launches the system chromium headless.
 *
 * @example
 * const browser = await launchSystemChromium();
 */
export function launchSystemChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: SYSTEM_CHROMIUM, headless: true });
}

/**
 * Where a test writes its screenshots: the README's `docs/images` with `UPDATE_SCREENSHOTS=1`,
 * else a temporary directory, so an ordinary run never changes the repository.
 */
export function screenshotDir(): string {
  return process.env.UPDATE_SCREENSHOTS === '1' ? join(__dirname, '..', '..', '..', 'docs', 'images') : mkdtempSync(join(tmpdir(), 'veto-screenshots-'));
}
