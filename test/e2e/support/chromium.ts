/**
 * Launches the system's Chromium (Debian's `/usr/bin/chromium`, or `$CHROMIUM_PATH`) through
 * playwright-core, which downloads no browser of its own. Each launch gets a fresh temporary
 * profile (playwright creates and removes the user-data-dir).
 */
import { existsSync } from 'node:fs';
import { type Browser, chromium } from 'playwright-core';

const DEFAULT_CHROMIUM = '/usr/bin/chromium';

/** Quiet, headless, and without the background traffic that would reach the network. */
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export function chromiumPath(): string {
  const path = process.env.CHROMIUM_PATH || DEFAULT_CHROMIUM;
  if (!existsSync(path)) {
    throw new Error(
      `Chromium not found at ${path}: install it (apt-get install chromium) or set CHROMIUM_PATH`,
    );
  }
  return path;
}

/**
 * Playwright passes `--disable-popup-blocking` by default; it is dropped so Chromium's real
 * popup blocker decides, as it would for a user (a click may open a popup, a page load may not).
 */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: chromiumPath(),
    headless: true,
    args: CHROMIUM_ARGS,
    ignoreDefaultArgs: ['--disable-popup-blocking'],
  });
}
