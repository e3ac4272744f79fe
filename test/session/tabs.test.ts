/**
 * Two tabs of one origin: two instances sharing localStorage and `navigator.locks`, talking over
 * Node's BroadcastChannel (it reaches every instance in the process). One refresh request serves
 * every tab; a new token, a login and a logout reach the other tabs.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { FakeLockManager } from '../fixtures/fakeLocks.js';
import { MemoryStorage } from '../fixtures/fakeWindow.js';
import {
  answers,
  createServer,
  FAKE_TIMERS,
  freshTokens,
  held,
  LIFETIME_S,
  openTab,
  type Server,
  seed,
  settle,
  storedToken,
  type Tab,
  uniqueClientId,
} from './harness.js';

let cleanup: Array<() => void> = [];
beforeEach(() => {
  vi.useFakeTimers(FAKE_TIMERS);
});
afterEach(() => {
  for (const stop of cleanup) stop();
  cleanup = [];
  vi.unstubAllGlobals();
  vi.useRealTimers();
});

interface TwoTabs {
  server: Server;
  clientId: string;
  localStorage: MemoryStorage;
  locks: FakeLockManager | undefined;
  a: Tab;
  b: Tab;
}

/** Two tabs on one origin; the store holds a token unless `loggedIn` is false. */
function twoTabs(options: { locks?: boolean; loggedIn?: boolean; server?: Server } = {}): TwoTabs {
  const server = options.server ?? createServer();
  const clientId = uniqueClientId();
  const localStorage = new MemoryStorage();
  const locks = options.locks === false ? undefined : new FakeLockManager();
  if (options.loggedIn !== false) seed(localStorage, clientId, storedToken());
  const open = () => {
    const tab = openTab({ server, clientId, localStorage, ...(locks ? { locks } : {}) });
    cleanup.push(tab.auth.stop);
    return tab;
  };
  return { server, clientId, localStorage, locks, a: open(), b: open() };
}

const accessTokens = (...tabs: Tab[]) => tabs.map((tab) => tab.auth.credentials.supertoken?.access_token);

describe('refreshing with two tabs open', () => {
  it('two tabs whose token is due at the same moment send one refresh request; both end with the new token', async () => {
    // Both tabs pick the same moment in the 60–90 % window.
    vi.spyOn(Math, 'random').mockReturnValue(0.5);
    const server = createServer();
    const gate = held();
    server.tokenAnswers.push(gate.answer);
    const { a, b, locks } = twoTabs({ server });
    expect(accessTokens(a, b)).toEqual(['AT-stored', 'AT-stored']);

    await vi.advanceTimersByTimeAsync(0.75 * LIFETIME_S * 1000);
    await settle();
    // One tab asks the server; the other waits for the lock.
    expect(server.requests).toHaveLength(1);
    const snapshot = await locks?.query();
    expect(snapshot?.held).toHaveLength(1);

    await gate.release(answers.token(freshTokens(2)));
    await settle();
    expect(server.requests).toHaveLength(1);
    expect(accessTokens(a, b)).toEqual(['AT-2', 'AT-2']);
    expect(a.stored()).toMatchObject({ access_token: 'AT-2', refresh_token: 'RT-2' });
    expect(b.auth.credentials.supertoken?.refresh_token).toBe('RT-2');
    const events = [...a.sessionEventTypes(), ...b.sessionEventTypes()];
    expect(events).toContain('tokenRefreshed');
    expect(events).not.toContain('refreshFailure');
    expect(events).not.toContain('reauthRequired');
    const after = await locks?.query();
    expect(after).toEqual({ held: [], pending: [] });
  });

  it('credentials.refresh() called in both tabs at once: one request, both calls resolve with the new token', async () => {
    const server = createServer();
    const gate = held();
    server.tokenAnswers.push(gate.answer);
    const { a, b } = twoTabs({ server });
    const calls = Promise.all([a.auth.credentials.refresh(), b.auth.credentials.refresh()]);
    await settle();
    expect(server.requests).toHaveLength(1);
    await gate.release(answers.token(freshTokens(3)));
    await calls;
    expect(server.requests).toHaveLength(1);
    expect(accessTokens(a, b)).toEqual(['AT-3', 'AT-3']);
  });

  it('without BroadcastChannel the lock and the store alone make it one request', async () => {
    // Nothing can be announced: the waiting tab must re-read the store once it has the lock.
    vi.stubGlobal('BroadcastChannel', undefined);
    const server = createServer();
    const gate = held();
    server.tokenAnswers.push(gate.answer);
    const { a, b } = twoTabs({ server });
    const first = a.auth.credentials.refresh();
    await settle();
    const second = b.auth.credentials.refresh();
    await settle();
    await gate.release(answers.token(freshTokens(4)));
    await first;
    await second;
    expect(server.requests).toHaveLength(1);
    expect(accessTokens(a, b)).toEqual(['AT-4', 'AT-4']);
    expect(b.auth.credentials.supertoken?.refresh_token).toBe('RT-4');
  });

  it('over several lifetimes both tabs stay refreshed with about one request per lifetime, not one per tab', async () => {
    const { server, a, b } = twoTabs();
    for (let i = 0; i < 3 * LIFETIME_S; i += 10) {
      await vi.advanceTimersByTimeAsync(10_000);
      await settle();
    }
    const refreshes = server.refreshRequests();
    expect(refreshes.length).toBeGreaterThanOrEqual(3);
    expect(refreshes.length).toBeLessThanOrEqual(5);
    // Every refresh used the refresh token the one before it produced: no tab used a stale one.
    expect(refreshes.map((r) => r.body.get('refresh_token'))).toEqual([
      'RT-stored',
      ...refreshes.slice(1).map((_, i) => `RT-${101 + i}`),
    ]);
    const [tokenA, tokenB] = accessTokens(a, b);
    expect(tokenA).toBe(tokenB);
    expect(a.stored()?.access_token).toBe(tokenA);
  });

  it('without navigator.locks: a refresh in one tab reaches the other over BroadcastChannel, with no request', async () => {
    const { server, a, b } = twoTabs({ locks: false });
    await a.auth.credentials.refresh();
    await settle();
    expect(server.requests).toHaveLength(1);
    expect(accessTokens(a, b)).toEqual(['AT-101', 'AT-101']);
    // B's proactive refresh is re-armed from the new token and uses the rotated refresh token.
    for (let i = 0; i < LIFETIME_S; i += 10) {
      await vi.advanceTimersByTimeAsync(10_000);
      await settle();
    }
    const later = server.refreshRequests().slice(1);
    expect(later.length).toBeGreaterThanOrEqual(1);
    expect(later[0]?.body.get('refresh_token')).toBe('RT-101');
  });

  it('a tab that is stopped while holding the lock releases it, and the other tab can refresh', async () => {
    const server = createServer();
    server.tokenAnswers.push(held().answer);
    const { a, b, locks } = twoTabs({ server });
    a.auth.credentials.refresh().catch(() => {});
    await settle();
    const waiting = b.auth.credentials.refresh();
    await settle();
    expect((await locks?.query())?.pending).toHaveLength(1);
    a.auth.stop();
    await waiting;
    expect(server.requests.map((r) => r.aborted)).toEqual([true, false]);
    expect(b.auth.credentials.supertoken?.access_token).toBe('AT-102');
  });

  it('a tab that is stopped while waiting for the lock leaves the queue', async () => {
    const server = createServer();
    const gate = held();
    server.tokenAnswers.push(gate.answer);
    const { a, b, locks } = twoTabs({ server });
    const first = a.auth.credentials.refresh();
    await settle();
    b.auth.credentials.refresh().catch(() => {});
    await settle();
    expect((await locks?.query())?.pending).toHaveLength(1);
    b.auth.stop();
    await settle();
    expect((await locks?.query())?.pending).toHaveLength(0);
    await gate.release(answers.token(freshTokens(9)));
    await first;
    expect(server.requests).toHaveLength(1);
  });
});

describe('what reaches the other tabs', () => {
  it('a login in one tab authenticates the other', async () => {
    const { a, b } = twoTabs({ loggedIn: false });
    expect(accessTokens(a, b)).toEqual([undefined, undefined]);
    await a.auth.requestAuthorizationCodeGrant({ code: 'c', codeVerifier: 'v'.repeat(43) });
    await settle();
    expect(accessTokens(a, b)).toEqual(['AT-101', 'AT-101']);
    expect(a.sessionEventTypes()).toEqual(['tokenSet']);
  });

  it('invalid_grant in one tab ends the session in the other too', async () => {
    const server = createServer();
    server.tokenAnswers.push(answers.error('invalid_grant'));
    const { a, b } = twoTabs({ server });
    await expect(a.auth.credentials.refresh()).rejects.toThrow();
    await settle();
    expect(a.sessionEventTypes()).toEqual(['reauthRequired']);
    expect(accessTokens(a, b)).toEqual([undefined, undefined]);
    expect(b.auth.credentials.canAuthorize).toBe(false);
    // The other tab learns it as a remote logout.
    expect(b.sessionEvents).toEqual([{ eventType: 'logout', data: { remote: true } }]);
  });

  it('messages of another client on the same origin are not ours', async () => {
    const server = createServer();
    const localStorage = new MemoryStorage();
    const mine = uniqueClientId();
    const theirs = uniqueClientId();
    seed(localStorage, mine);
    seed(localStorage, theirs, storedToken({ access_token: 'AT-theirs' }));
    const a = openTab({ server, clientId: mine, localStorage });
    const other = openTab({ server, clientId: theirs, localStorage });
    cleanup.push(a.auth.stop, other.auth.stop);
    await a.auth.credentials.refresh();
    await a.auth.logout({ noRedirect: true });
    await settle();
    expect(other.auth.credentials.supertoken?.access_token).toBe('AT-theirs');
    expect(other.sessionEvents).toEqual([]);
  });
});
