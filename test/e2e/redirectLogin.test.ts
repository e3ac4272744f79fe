/**
 * Full-page redirect login in real Chromium against a real authorization server: the page leaves
 * for the server, comes back to its callback, and the built library verifies and redeems the
 * code (RFC 6749 §4.1, PKCE RFC 7636, `iss` RFC 9207). A reload keeps the user signed in.
 */
import { describe, expect, it } from 'vitest';
import { callPage, eventNames, eventsOf, readyOf, waitForApp } from './support/appPage.js';
import { logInWithRedirect } from './support/redirectLogin.js';
import { authorizationRequests, tokenRequests, useTestBed } from './support/testBed.js';

const testBed = useTestBed();

describe('full-page redirect login in Chromium', () => {
  it('signs the user in, cleans the address bar and redeems the code exactly once', async () => {
    const bed = testBed();
    const context = await bed.newContext();
    const mark = bed.mark();

    const page = await logInWithRedirect(bed, context);

    expect(await readyOf(page)).toEqual({ outcome: 'authorized', error: undefined });
    const status = await callPage(page, 'status');
    expect(status.text).toBe('Signed in');
    expect(status.canAuthorize).toBe(true);
    // Neither the code, nor `state` (with its CSRF token), nor `iss` stays in the address bar.
    expect(page.url()).toBe(bed.pages.callbackUrl);
    expect(status.href).toBe(bed.pages.callbackUrl);

    const events = await eventsOf(page);
    expect(eventNames(events)).toEqual(['session/tokenSet', 'login/authorizationSuccess']);
    expect(events[1]?.data).toMatchObject({ via: 'redirect', scope: 'openid' });

    const requests = bed.since(mark);
    expect(authorizationRequests(requests)).toHaveLength(1);
    expect(tokenRequests(requests)).toHaveLength(1);
    // The token works where the app would use it.
    expect(await callPage(page, 'userinfo')).toEqual({ status: 200, sub: 'user-1' });
  });

  it('keeps the user signed in after a reload, from the stored token, without asking the server', async () => {
    const bed = testBed();
    const context = await bed.newContext();
    const page = await logInWithRedirect(bed, context);
    const before = await callPage(page, 'tokenFingerprint');
    expect(before).toEqual(expect.any(String));
    const mark = bed.mark();

    await page.reload();
    await waitForApp(page);

    expect(await readyOf(page)).toEqual({ outcome: 'none', error: undefined });
    expect((await callPage(page, 'status')).text).toBe('Signed in');
    expect(await callPage(page, 'tokenFingerprint')).toBe(before);
    expect(eventNames(await eventsOf(page))).toEqual([]);
    expect(tokenRequests(bed.since(mark))).toHaveLength(0);
    expect(await callPage(page, 'userinfo')).toEqual({ status: 200, sub: 'user-1' });
  });
});
