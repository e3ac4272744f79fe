/**
 * Two tabs of one origin in real Chromium share a login (localStorage) and a rotating refresh
 * token. When both refresh at once, Chromium's `navigator.locks` lets one tab ask the server
 * while the other waits and then takes the token the first one stored: one refresh_token grant
 * at the server (a second one would replay a rotated refresh token, RFC 9700 §4.14.2), and both
 * tabs end up with the same new token.
 */
import { describe, expect, it } from 'vitest';
import { callPage, eventNames, eventsOf, readyOf } from './support/appPage.js';
import { holdFirstRequest } from './support/holdRequest.js';
import { logInWithRedirect } from './support/redirectLogin.js';
import { tokenRequests, useTestBed } from './support/testBed.js';

const testBed = useTestBed();

describe('two tabs refreshing at once in Chromium', () => {
  it('send one refresh request and both end up with the same new token', async () => {
    const bed = testBed();
    const context = await bed.newContext();
    const first = await logInWithRedirect(bed, context);
    const second = await bed.openApp(context);
    expect(await readyOf(second)).toEqual({ outcome: 'none', error: undefined });
    expect((await callPage(second, 'status')).text).toBe('Signed in');
    const loggedIn = await callPage(first, 'tokenFingerprint');
    expect(await callPage(second, 'tokenFingerprint')).toBe(loggedIn);

    // The first tab's refresh is held on its way to the server until the second tab has asked
    // too and is waiting for the lock: both refreshes are then in flight at the same time.
    const refreshRequest = await holdFirstRequest(
      context,
      (request) => request.method() === 'POST' && request.url() === `${bed.server.issuer}/token`,
    );
    const mark = bed.mark();
    const firstRefresh = callPage(first, 'refresh');
    await refreshRequest.arrived;
    const secondRefresh = callPage(second, 'refresh');
    const lockName = `authcharts:refresh:${bed.server.clientId}`;
    await expect
      .poll(
        async () => {
          const locks = await second.evaluate(() => navigator.locks.query());
          return {
            held: locks.held?.map((lock) => lock.name),
            pending: locks.pending?.map((lock) => lock.name),
          };
        },
        { timeout: 20_000 },
      )
      .toEqual({ held: [lockName], pending: [lockName] });
    await refreshRequest.release();

    expect(await firstRefresh).toEqual({ settled: 'resolved' });
    expect(await secondRefresh).toEqual({ settled: 'resolved' });
    expect(tokenRequests(bed.since(mark))).toHaveLength(1);

    const refreshed = await callPage(first, 'tokenFingerprint');
    expect(refreshed).not.toBe(loggedIn);
    expect(await callPage(second, 'tokenFingerprint')).toBe(refreshed);
    expect(eventNames(await eventsOf(first))).toContain('session/tokenRefreshed');
    // The rotated refresh token was used once, so the grant is intact: the tokens work, and the
    // second tab holds the current refresh token (the server refuses a rotated-out one).
    expect(await callPage(second, 'userinfo')).toEqual({ status: 200, sub: 'user-1' });
    expect(await callPage(second, 'refresh')).toEqual({ settled: 'resolved' });
    expect(tokenRequests(bed.since(mark))).toHaveLength(2);
    // …and the first tab hears of the newer token.
    const latest = await callPage(second, 'tokenFingerprint');
    expect(latest).not.toBe(refreshed);
    await expect.poll(() => callPage(first, 'tokenFingerprint'), { timeout: 20_000 }).toBe(latest);
  });
});
