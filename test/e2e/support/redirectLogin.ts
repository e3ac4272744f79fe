import type { BrowserContext, Page } from 'playwright-core';
import { readyOf, waitForApp } from './appPage.js';
import type { TestBed } from './testBed.js';

/**
 * Logs in the way a user does with a full-page redirect: open the app, click "Log in", let the
 * authorization server sign the user in (it does so without asking), and land back on the app's
 * callback. Returns the tab once the callback has been processed.
 */
export async function logInWithRedirect(bed: TestBed, context: BrowserContext): Promise<Page> {
  const page = await bed.openApp(context);
  await readyOf(page);
  await Promise.all([
    page.waitForURL((url) => url.origin === bed.pages.origin && url.pathname === '/callback'),
    page.click('#login-redirect'),
  ]);
  await waitForApp(page);
  await readyOf(page);
  return page;
}
