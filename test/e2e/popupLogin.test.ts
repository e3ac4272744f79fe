/**
 * Popup login in real Chromium, with its popup blocker on: a click opens the popup, the
 * authorization server signs the user in there, the popup hands the callback to its opener and
 * closes, and the opener redeems the code. A popup the user closes, and one Chromium blocks
 * because no click asked for it, each end the login with their typed error and no token request.
 */
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { AUTOSTART_PARAM } from './page/contract.js';
import { callPage, eventNames, eventsOf, lastLoginOf, readyOf, waitForAppEvent } from './support/appPage.js';
import { holdFirstRequest } from './support/holdRequest.js';
import { authorizationRequests, tokenRequests, useTestBed } from './support/testBed.js';

const testBed = useTestBed();

/** Clicks "Log in with a popup" and returns the popup Chromium opened for it. */
async function clickPopupLogin(page: Page): Promise<Page> {
  const [popup] = await Promise.all([page.waitForEvent('popup'), page.click('#login-popup')]);
  return popup;
}

describe('popup login in Chromium', () => {
  it('signs the opener in from a popup that closes itself, with one token request', async () => {
    const bed = testBed();
    const context = await bed.newContext();
    const page = await bed.openApp(context);
    expect(await readyOf(page)).toEqual({ outcome: 'none', error: undefined });
    const mark = bed.mark();

    const popup = await clickPopupLogin(page);
    await popup.waitForEvent('close');

    expect(await lastLoginOf(page)).toEqual({ settled: 'resolved' });
    const events = await eventsOf(page);
    expect(eventNames(events)).toEqual([
      'login/initiateLogin',
      'login/redirectToLoginUrl',
      'session/tokenSet',
      'login/authorizationSuccess',
    ]);
    expect(events[3]?.data).toMatchObject({ via: 'popup', scope: 'openid' });
    expect((await callPage(page, 'status')).text).toBe('Signed in');
    // The opener never left its page, and no callback parameters reached its address bar.
    expect(page.url()).toBe(`${bed.pages.origin}/`);
    expect(context.pages()).toEqual([page]);

    const requests = bed.since(mark);
    expect(authorizationRequests(requests)).toHaveLength(1);
    expect(tokenRequests(requests)).toHaveLength(1);
    expect(await callPage(page, 'userinfo')).toEqual({ status: 200, sub: 'user-1' });
  });

  it('reports PopupClosedError when the user closes the popup before signing in, and asks for no token', async () => {
    const bed = testBed();
    const context = await bed.newContext();
    // The login page is slow to come: the popup's request to the server is held until the test ends.
    const loginPage = await holdFirstRequest(context, (request) => {
      const url = new URL(request.url());
      return url.origin === bed.server.issuer && url.pathname === '/auth';
    });
    const page = await bed.openApp(context);
    await readyOf(page);
    const mark = bed.mark();

    const popup = await clickPopupLogin(page);
    await loginPage.arrived;
    expect((await callPage(page, 'status')).isAuthorizing).toBe(true);

    await popup.close();

    const failure = await waitForAppEvent(page, 'login', 'authorizationFailure');
    expect(failure.data?.error).toMatchObject({ name: 'PopupClosedError', code: 'popup_closed' });
    expect(await lastLoginOf(page)).toMatchObject({
      settled: 'rejected',
      error: { name: 'PopupClosedError', code: 'popup_closed' },
    });
    const status = await callPage(page, 'status');
    expect(status).toMatchObject({ text: 'Signed out', canAuthorize: false, isAuthorizing: false });
    expect(tokenRequests(bed.since(mark))).toHaveLength(0);
  });

  it('reports PopupBlockedError when Chromium blocks a popup no click asked for', async () => {
    const bed = testBed();
    const context = await bed.newContext();
    const mark = bed.mark();
    const popups: Page[] = [];
    context.on('page', (opened) => popups.push(opened));

    const page = await bed.openApp(context, `/?${AUTOSTART_PARAM}=popup`);

    const failure = await waitForAppEvent(page, 'login', 'authorizationFailure');
    expect(failure.data?.error).toMatchObject({ name: 'PopupBlockedError', code: 'popup_blocked' });
    expect(await lastLoginOf(page)).toMatchObject({
      settled: 'rejected',
      error: { name: 'PopupBlockedError', code: 'popup_blocked' },
    });
    expect(popups).toEqual([page]);
    expect((await callPage(page, 'status')).text).toBe('Signed out');
    // Nothing was started at the server: no login page, no token request.
    expect(authorizationRequests(bed.since(mark))).toHaveLength(0);
    expect(tokenRequests(bed.since(mark))).toHaveLength(0);
  });
});
