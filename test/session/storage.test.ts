/**
 * Where the token lives between page loads (`tokenStorage`), and what a reload sees: with a
 * synchronous store the page is authenticated as soon as `createAuthorization` returns; with an
 * async adapter once `whenReady()` resolves. A broken store counts as "no token".
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Token } from '../../src/token.js';
import type { TokenStorageAdapter } from '../../src/tokenStore.js';
import { MemoryStorage } from '../fixtures/fakeWindow.js';
import {
  createServer,
  deferred,
  FAKE_TIMERS,
  LIFETIME_S,
  openTab,
  seed,
  settle,
  storedToken,
  uniqueClientId,
} from './harness.js';

const VERIFIER = 'v'.repeat(43);

let cleanup: Array<() => void> = [];
beforeEach(() => {
  vi.useFakeTimers(FAKE_TIMERS);
});
afterEach(() => {
  for (const stop of cleanup) stop();
  cleanup = [];
  vi.useRealTimers();
});

function tab(options: Parameters<typeof openTab>[0]) {
  const opened = openTab(options);
  cleanup.push(opened.auth.stop);
  return opened;
}

/** An adapter that records what it is asked to do. */
function recordingAdapter(initial?: Token) {
  let current = initial;
  const calls: string[] = [];
  const adapter: TokenStorageAdapter = {
    load: () => {
      calls.push('load');
      return current;
    },
    save: (token) => {
      calls.push(`save ${token.access_token}`);
      current = token;
    },
    clear: () => {
      calls.push('clear');
      current = undefined;
    },
  };
  return { adapter, calls, current: () => current };
}

describe('a reload (a new instance on the same storage)', () => {
  it('is authenticated as soon as createAuthorization returns (localStorage, the default)', () => {
    const server = createServer();
    const clientId = uniqueClientId();
    const localStorage = new MemoryStorage();
    const token = seed(localStorage, clientId);
    const { auth, sessionEvents } = tab({ server, clientId, localStorage });
    expect(auth.ready).toBe(true);
    expect(auth.credentials.supertoken).toEqual(token);
    expect(auth.credentials.canAuthorize).toBe(true);
    expect(auth.credentials.canRefresh).toBe(true);
    expect(server.requests).toHaveLength(0);
    // A stored token is not a new one: no tokenSet.
    expect(sessionEvents).toEqual([]);
  });

  it('resolves whenReady() with outcome none and the token in place', async () => {
    const server = createServer();
    const clientId = uniqueClientId();
    const localStorage = new MemoryStorage();
    seed(localStorage, clientId);
    const { auth } = tab({ server, clientId, localStorage });
    await expect(auth.whenReady()).resolves.toEqual({ outcome: 'none' });
    expect(auth.credentials.supertoken?.access_token).toBe('AT-stored');
  });

  it('re-arms the proactive refresh of the stored token from its remaining lifetime', async () => {
    const server = createServer();
    const clientId = uniqueClientId();
    const localStorage = new MemoryStorage();
    // Stored 400 s ago: 600 s of its 1000 s remain; 60–90 % of those is 360–540 s from now.
    seed(localStorage, clientId, storedToken({ expires: Date.now() + 600_000 }));
    const { auth } = tab({ server, clientId, localStorage });
    await vi.advanceTimersByTimeAsync(360_000 - 1);
    await settle();
    expect(server.refreshRequests()).toHaveLength(0);
    await vi.advanceTimersByTimeAsync(180_000 + 1);
    await settle();
    expect(server.refreshRequests()).toHaveLength(1);
    expect(server.refreshRequests()[0]?.body.get('refresh_token')).toBe('RT-stored');
    expect(auth.credentials.supertoken?.access_token).toBe('AT-101');
  });

  it('with an async adapter: not yet ready after createAuthorization, authenticated after whenReady()', async () => {
    const server = createServer();
    const gate = deferred<Token | undefined>();
    const saved: Token[] = [];
    const adapter: TokenStorageAdapter = {
      load: () => gate.promise,
      save: async (token) => {
        saved.push(token);
      },
      clear: async () => {},
    };
    const { auth } = tab({ server, clientId: uniqueClientId(), config: { tokenStorage: adapter } });
    expect(auth.ready).toBe(false);
    expect(auth.credentials.supertoken).toBeUndefined();
    let readyResult: unknown;
    const ready = auth.whenReady().then((result) => {
      readyResult = result;
    });
    await settle();
    expect(readyResult).toBeUndefined();
    const token = storedToken();
    gate.resolve(token);
    await ready;
    expect(readyResult).toEqual({ outcome: 'none' });
    expect(auth.ready).toBe(true);
    expect(auth.credentials.supertoken).toEqual(token);
    expect(server.requests).toHaveLength(0);
    expect(saved).toEqual([]);
  });

  it('with a slow async adapter, a login that finishes first wins over the token read later', async () => {
    const server = createServer();
    const gate = deferred<Token | undefined>();
    const saved: string[] = [];
    const adapter: TokenStorageAdapter = {
      load: () => gate.promise,
      save: (token) => {
        saved.push(token.access_token);
      },
      clear: () => {},
    };
    const { auth, sessionEventTypes } = tab({
      server,
      clientId: uniqueClientId(),
      config: { tokenStorage: adapter },
    });
    await auth.requestAuthorizationCodeGrant({ code: 'c', codeVerifier: VERIFIER });
    expect(auth.credentials.supertoken?.access_token).toBe('AT-101');
    gate.resolve(storedToken({ access_token: 'AT-old' }));
    await auth.whenReady();
    await settle();
    expect(auth.credentials.supertoken?.access_token).toBe('AT-101');
    expect(saved).toEqual(['AT-101']);
    expect(sessionEventTypes()).toEqual(['tokenSet']);
  });

  it('an expired stored token that can be refreshed is refreshed at once', async () => {
    const server = createServer();
    const clientId = uniqueClientId();
    const localStorage = new MemoryStorage();
    seed(localStorage, clientId, storedToken({ expires: Date.now() - 1 }));
    const { auth } = tab({ server, clientId, localStorage });
    expect(auth.credentials.supertoken?.access_token).toBe('AT-stored');
    expect(auth.credentials.canAuthorize).toBe(true);
    await settle();
    expect(server.refreshRequests()).toHaveLength(1);
    expect(auth.credentials.supertoken?.access_token).toBe('AT-101');
  });

  it('something that is not a token in the store counts as none', () => {
    const server = createServer();
    const clientId = uniqueClientId();
    const localStorage = new MemoryStorage();
    localStorage.setItem(`authcharts.supertoken.${clientId}`, '{not json');
    const { auth } = tab({ server, clientId, localStorage });
    expect(auth.ready).toBe(true);
    expect(auth.credentials.supertoken).toBeUndefined();
    expect(auth.credentials.canAuthorize).toBe(false);
  });
});

describe('tokenStorage', () => {
  it("'session' keeps the token in sessionStorage, not localStorage, and a reload finds it there", async () => {
    const server = createServer();
    const clientId = uniqueClientId();
    const first = tab({ server, clientId, config: { tokenStorage: 'session' } });
    await first.auth.requestAuthorizationCodeGrant({ code: 'c', codeVerifier: VERIFIER });
    const key = `authcharts.supertoken.${clientId}`;
    expect(first.win.localStorage.length).toBe(0);
    expect(JSON.parse(first.win.sessionStorage.getItem(key) ?? 'null')).toMatchObject({
      access_token: 'AT-101',
      refresh_token: 'RT-101',
    });
    first.auth.stop();

    // The same tab reloaded: same sessionStorage.
    const sessionStorage = first.win.sessionStorage;
    const reloaded = tab({
      server,
      clientId,
      config: { tokenStorage: 'session' },
      beforeCreate: (win) => {
        for (const key of sessionStorage.keys())
          win.sessionStorage.setItem(key, sessionStorage.getItem(key) ?? '');
      },
    });
    expect(reloaded.auth.ready).toBe(true);
    expect(reloaded.auth.credentials.supertoken?.access_token).toBe('AT-101');
  });

  it("'memory' keeps the token in this page only: nothing in any storage, gone after a reload", async () => {
    const server = createServer();
    const clientId = uniqueClientId();
    const localStorage = new MemoryStorage();
    const first = tab({ server, clientId, localStorage, config: { tokenStorage: 'memory' } });
    await first.auth.requestAuthorizationCodeGrant({ code: 'c', codeVerifier: VERIFIER });
    await settle();
    expect(first.auth.credentials.supertoken?.access_token).toBe('AT-101');
    expect(first.sessionEventTypes()).toEqual(['tokenSet']);
    expect(localStorage.length).toBe(0);
    expect(first.win.sessionStorage.keys().filter((k) => k.startsWith('authcharts'))).toEqual([]);

    // Refresh works in memory too.
    await first.auth.credentials.refresh();
    expect(first.auth.credentials.supertoken?.access_token).toBe('AT-102');
    expect(localStorage.length).toBe(0);
    first.auth.stop();

    const reloaded = tab({ server, clientId, localStorage, config: { tokenStorage: 'memory' } });
    expect(reloaded.auth.ready).toBe(true);
    expect(reloaded.auth.credentials.supertoken).toBeUndefined();
  });

  it('an adapter object is used for load, save (login and refresh) and clear (logout)', async () => {
    const server = createServer();
    const clientId = uniqueClientId();
    const store = recordingAdapter();
    const localStorage = new MemoryStorage();
    const { auth } = tab({ server, clientId, localStorage, config: { tokenStorage: store.adapter } });
    expect(store.calls).toEqual(['load']);
    await auth.requestAuthorizationCodeGrant({ code: 'c', codeVerifier: VERIFIER });
    expect(store.current()?.access_token).toBe('AT-101');
    await auth.credentials.refresh();
    expect(store.current()).toMatchObject({ access_token: 'AT-102', refresh_token: 'RT-102' });
    await auth.logout({ noRedirect: true });
    expect(store.current()).toBeUndefined();
    expect(store.calls).toContain('save AT-101');
    expect(store.calls).toContain('save AT-102');
    expect(store.calls.at(-1)).toBe('clear');
    expect(localStorage.length).toBe(0);

    // A reload with the adapter holding a token is authenticated at once (the adapter is synchronous).
    const held = recordingAdapter(storedToken({ access_token: 'AT-adapter' }));
    const reloaded = tab({ server, clientId, config: { tokenStorage: held.adapter } });
    expect(reloaded.auth.ready).toBe(true);
    expect(reloaded.auth.credentials.supertoken?.access_token).toBe('AT-adapter');
  });

  it('a store that refuses to save (full or disabled storage) loses no login and no rotated token', async () => {
    const server = createServer();
    const full: TokenStorageAdapter = {
      load: () => undefined,
      save: () => {
        throw new DOMException('The quota has been exceeded.', 'QuotaExceededError');
      },
      clear: () => {},
    };
    const { auth } = tab({ server, clientId: uniqueClientId(), config: { tokenStorage: full } });
    await auth.requestAuthorizationCodeGrant({ code: 'c', codeVerifier: VERIFIER });
    expect(auth.credentials.canAuthorize).toBe(true);
    await auth.credentials.refresh();
    // The rotated refresh token is in use, not the one the server has already retired.
    expect(auth.credentials.supertoken).toMatchObject({ access_token: 'AT-102', refresh_token: 'RT-102' });
    await auth.credentials.refresh();
    expect(server.requests.at(-1)?.body.get('refresh_token')).toBe('RT-102');
    expect(auth.actor.getSnapshot().status).toBe('active');
  });

  it.each([
    ['null (what localStorage.getItem gives for a missing key)', null],
    ['a value that is not a token', { access_token: 'AT-x' }],
  ])('an adapter whose load returns %s counts as no token', async (_, loaded) => {
    const adapter: TokenStorageAdapter = { load: () => loaded as never, save: () => {}, clear: () => {} };
    const { auth } = tab({
      server: createServer(),
      clientId: uniqueClientId(),
      config: { tokenStorage: adapter },
    });
    expect(auth.ready).toBe(true);
    await expect(auth.whenReady()).resolves.toEqual({ outcome: 'none' });
    expect(auth.credentials.canAuthorize).toBe(false);
    expect(auth.actor.getSnapshot().status).toBe('active');
  });

  it('an adapter whose load throws counts as no token', async () => {
    const server = createServer();
    const adapter: TokenStorageAdapter = {
      load: () => {
        throw new Error('storage is broken');
      },
      save: () => {},
      clear: () => {},
    };
    const { auth } = tab({ server, clientId: uniqueClientId(), config: { tokenStorage: adapter } });
    expect(auth.ready).toBe(true);
    await expect(auth.whenReady()).resolves.toEqual({ outcome: 'none' });
    expect(auth.credentials.supertoken).toBeUndefined();
    expect(auth.credentials.canAuthorize).toBe(false);
    // Logging in still works.
    await auth.requestAuthorizationCodeGrant({ code: 'c', codeVerifier: VERIFIER });
    expect(auth.credentials.supertoken?.access_token).toBe('AT-101');
  });

  it('an adapter whose async load rejects counts as no token', async () => {
    const server = createServer();
    const adapter: TokenStorageAdapter = {
      load: () => Promise.reject(new Error('IndexedDB is gone')),
      save: () => {},
      clear: () => {},
    };
    const { auth } = tab({ server, clientId: uniqueClientId(), config: { tokenStorage: adapter } });
    await expect(auth.whenReady()).resolves.toEqual({ outcome: 'none' });
    expect(auth.ready).toBe(true);
    expect(auth.credentials.supertoken).toBeUndefined();
  });

  it('an adapter that resolves to something that is not a token counts as none', async () => {
    const server = createServer();
    const adapter: TokenStorageAdapter = {
      load: () => Promise.resolve({ access_token: 42 } as unknown as Token),
      save: () => {},
      clear: () => {},
    };
    const { auth } = tab({ server, clientId: uniqueClientId(), config: { tokenStorage: adapter } });
    await auth.whenReady();
    expect(auth.credentials.supertoken).toBeUndefined();
  });

  it('a token stored with a lifetime keeps expires as an absolute time across a reload', async () => {
    const server = createServer();
    const clientId = uniqueClientId();
    const localStorage = new MemoryStorage();
    const first = tab({ server, clientId, localStorage });
    await first.auth.requestAuthorizationCodeGrant({ code: 'c', codeVerifier: VERIFIER });
    const expires = Date.now() + LIFETIME_S * 1000;
    first.auth.stop();
    await vi.advanceTimersByTimeAsync(100_000);
    const reloaded = tab({ server, clientId, localStorage });
    expect(reloaded.auth.credentials.supertoken?.expires).toBe(expires);
  });
});
