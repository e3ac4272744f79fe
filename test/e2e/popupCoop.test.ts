/**
 * Popup login behind a login page sent with `Cross-Origin-Opener-Policy: same-origin`, in real
 * Chromium. COOP puts the popup in another browsing context group: the opener's handle reports
 * `closed` at once although the user is still signing in. With the default `popup.closedGrace`
 * the login fails as closed (and stays failed: the late result is not redeemed); with a grace as
 * long as the login takes, the result arrives over the BroadcastChannel and the opener signs in.
 */
import type { BrowserContext, Page, Route } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { POPUP_CLOSED_GRACE_PARAM } from './page/contract.js';
import { callPage, lastLoginOf, readyOf, waitForAppEvent } from './support/appPage.js';
import { type TestBed, tokenRequests, useTestBed } from './support/testBed.js';

const testBed = useTestBed();

/**
 * The server's first answer to the popup becomes a login page with COOP: a link the user follows
 * to the real authorization request (which signs in at once and redirects back to the app).
 */
async function serveCoopLoginPage(bed: TestBed, context: BrowserContext): Promise<void> {
  let served = false;
  await context.route('**/*', async (route: Route) => {
    const url = new URL(route.request().url());
    if (served || url.origin !== bed.server.issuer || url.pathname !== '/auth') return route.fallback();
    served = true;
    await route.fulfill({
      status: 200,
      headers: { 'content-type': 'text/html', 'cross-origin-opener-policy': 'same-origin' },
      body: `<!doctype html><title>Sign in</title><a id="sign-in" href="${url.href}">Sign in</a>`,
    });
  });
}

async function openCoopPopup(page: Page): Promise<Page> {
  const [popup] = await Promise.all([page.waitForEvent('popup'), page.click('#login-popup')]);
  await popup.waitForSelector('#sign-in');
  return popup;
}

describe('popup login behind a COOP login page', () => {
  it('with the default closedGrace, fails as closed and redeems nothing after', async () => {
    const bed = testBed();
    const context = await bed.newContext();
    await serveCoopLoginPage(bed, context);
    const page = await bed.openApp(context);
    await readyOf(page);
    const mark = bed.mark();

    const popup = await openCoopPopup(page);
    const failure = await waitForAppEvent(page, 'login', 'authorizationFailure');
    expect(failure.data?.error).toMatchObject({ name: 'PopupClosedError' });
    expect(popup.isClosed()).toBe(false);

    // The user signs in anyway: the popup relays and closes, but the failed login stays failed.
    const closed = popup.waitForEvent('close');
    await popup.click('#sign-in');
    await closed;
    expect((await callPage(page, 'status')).text).toBe('Signed out');
    expect(tokenRequests(bed.since(mark))).toHaveLength(0);
  });

  it('with closedGrace as long as the login, signs in through the BroadcastChannel', async () => {
    const bed = testBed();
    const context = await bed.newContext();
    await serveCoopLoginPage(bed, context);
    const page = await bed.openApp(context, `/?${POPUP_CLOSED_GRACE_PARAM}=60000`);
    await readyOf(page);
    const mark = bed.mark();

    const popup = await openCoopPopup(page);
    // The opener's handle already says closed; the login goes on.
    expect(await callPage(page, 'openedWindowClosed')).toBe(true);
    expect((await callPage(page, 'status')).isAuthorizing).toBe(true);

    const closed = popup.waitForEvent('close');
    await popup.click('#sign-in');
    await closed;
    await waitForAppEvent(page, 'login', 'authorizationSuccess');
    expect(await lastLoginOf(page)).toEqual({ settled: 'resolved' });
    expect((await callPage(page, 'status')).text).toBe('Signed in');
    expect(tokenRequests(bed.since(mark))).toHaveLength(1);
  });
});
