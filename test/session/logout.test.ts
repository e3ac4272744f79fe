/**
 * `logout()`: revoke the refresh token with a POST (the token in the body, never in a URL: the
 * Webex plugin put it in the logout URL, reference §10 item 16), clear the store, tell the other
 * tabs, then go to the end-session endpoint (OIDC RP-Initiated Logout, or Webex IdBroker's
 * `logout?cisService=webex&goto=…`) unless `noRedirect`.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { AuthorizationConfig } from '../../src/index.js';
import type { Token } from '../../src/token.js';
import { json } from '../fixtures/fakeFetch.js';
import { FakeLockManager } from '../fixtures/fakeLocks.js';
import { MemoryStorage } from '../fixtures/fakeWindow.js';
import {
  answers,
  createServer,
  END_SESSION_URL,
  expectNoTokenIn,
  FAKE_TIMERS,
  IDBROKER,
  LIFETIME_S,
  openTab,
  REDIRECT_URI,
  REVOKE_URL,
  type Server,
  seed,
  settle,
  storedToken,
  type Tab,
  uniqueClientId,
} from './harness.js';

const SECRETS = ['AT-stored', 'RT-stored'];

let cleanup: Array<() => void> = [];
beforeEach(() => {
  vi.useFakeTimers(FAKE_TIMERS);
});
afterEach(() => {
  for (const stop of cleanup) stop();
  cleanup = [];
  vi.useRealTimers();
});

interface Setup {
  server: Server;
  clientId: string;
  localStorage: MemoryStorage;
  /** The tab that logs out. */
  a: Tab;
  /** Another tab of the same origin. */
  b: Tab;
}

function loggedInTabs(
  options: { config?: Partial<AuthorizationConfig>; token?: Token; server?: Server } = {},
): Setup {
  const server = options.server ?? createServer();
  const clientId = uniqueClientId();
  const localStorage = new MemoryStorage();
  const locks = new FakeLockManager();
  seed(localStorage, clientId, options.token ?? storedToken());
  const open = () => {
    const tab = openTab({
      server,
      clientId,
      localStorage,
      locks,
      ...(options.config ? { config: options.config } : {}),
    });
    cleanup.push(tab.auth.stop);
    return tab;
  };
  return { server, clientId, localStorage, a: open(), b: open() };
}

/** Records, at the moment the page navigates, what the user would see then. */
function watchNavigation(setup: Setup) {
  const seen: Array<{ url: string; requests: number; stored: unknown; token: unknown }> = [];
  const location = setup.a.win.location;
  const assign = location.assign.bind(location);
  location.assign = (url: string) => {
    seen.push({
      url,
      requests: setup.server.requests.length,
      stored: setup.a.stored(),
      token: setup.a.auth.credentials.supertoken,
    });
    assign(url);
  };
  return seen;
}

function allUrls(setup: Setup): string[] {
  return [...setup.server.requests.map((r) => r.url), ...setup.a.win.navigations, ...setup.b.win.navigations];
}

describe('logout() (rfc profile)', () => {
  it('revokes the refresh token with a POST, clears the store, tells both tabs, then goes to the end-session endpoint', async () => {
    const setup = loggedInTabs();
    const { server, clientId, a, b } = setup;
    const navigation = watchNavigation(setup);
    await a.auth.logout();
    await settle();

    expect(server.requests).toHaveLength(1);
    const [revocation] = server.requests;
    expect(revocation?.url).toBe(REVOKE_URL);
    expect(revocation?.method).toBe('POST');
    expect(revocation?.headers.get('content-type')).toMatch(/^application\/x-www-form-urlencoded/);
    expect(Object.fromEntries(revocation?.body ?? [])).toEqual({
      token: 'RT-stored',
      token_type_hint: 'refresh_token',
      client_id: clientId,
    });

    expect(a.win.localStorage.getItem(`authcharts.supertoken.${clientId}`)).toBeNull();
    expect(a.auth.credentials.supertoken).toBeUndefined();
    expect(a.auth.credentials.canAuthorize).toBe(false);
    expect(a.sessionEvents).toEqual([{ eventType: 'logout', data: { remote: false } }]);

    expect(b.auth.credentials.supertoken).toBeUndefined();
    expect(b.auth.credentials.canAuthorize).toBe(false);
    expect(b.sessionEvents).toEqual([{ eventType: 'logout', data: { remote: true } }]);
    expect(b.win.navigations).toEqual([]);

    expect(a.win.navigations).toHaveLength(1);
    const url = new URL(a.win.navigations[0] ?? '');
    expect(`${url.origin}${url.pathname}`).toBe(END_SESSION_URL);
    expect(Object.fromEntries(url.searchParams)).toEqual({
      client_id: clientId,
      post_logout_redirect_uri: REDIRECT_URI,
    });
    // Revoked and cleared before the page leaves.
    expect(navigation).toEqual([{ url: url.href, requests: 1, stored: undefined, token: undefined }]);

    expectNoTokenIn(allUrls(setup), SECRETS);
  });

  it('leaves nothing running: no refresh later, in either tab', async () => {
    const setup = loggedInTabs();
    await setup.a.auth.logout();
    await vi.advanceTimersByTimeAsync(3 * LIFETIME_S * 1000);
    await settle();
    expect(setup.server.requests).toHaveLength(1);
    await expect(setup.a.auth.credentials.getAccessToken()).rejects.toThrow();
    await expect(setup.b.auth.credentials.refresh()).rejects.toThrow();
  });

  it('a reload after logout is not authenticated', async () => {
    const setup = loggedInTabs();
    await setup.a.auth.logout();
    const reloaded = openTab({
      server: setup.server,
      clientId: setup.clientId,
      localStorage: setup.localStorage,
    });
    cleanup.push(reloaded.auth.stop);
    expect(reloaded.auth.ready).toBe(true);
    expect(reloaded.auth.credentials.supertoken).toBeUndefined();
  });

  it('{noRedirect: true} revokes, clears and tells the other tabs, but stays on the page', async () => {
    const setup = loggedInTabs();
    await setup.a.auth.logout({ noRedirect: true });
    await settle();
    expect(setup.server.requests.map((r) => r.url)).toEqual([REVOKE_URL]);
    expect(setup.a.stored()).toBeUndefined();
    expect(setup.a.sessionEvents).toEqual([{ eventType: 'logout', data: { remote: false } }]);
    expect(setup.b.sessionEvents).toEqual([{ eventType: 'logout', data: { remote: true } }]);
    expect(setup.a.win.navigations).toEqual([]);
  });

  it('returnTo replaces redirectUri as where the end-session endpoint sends the user back', async () => {
    const setup = loggedInTabs();
    await setup.a.auth.logout({ returnTo: 'https://app.example/goodbye?x=1' });
    const url = new URL(setup.a.win.navigations[0] ?? '');
    expect(url.searchParams.get('post_logout_redirect_uri')).toBe('https://app.example/goodbye?x=1');
    expect(url.searchParams.get('client_id')).toBe(setup.clientId);
  });

  for (const [name, answer] of [
    ['a 500', answers.status(500)],
    ['a 400 unsupported_token_type', answers.error('unsupported_token_type')],
    ['a network error', answers.networkError()],
    ['a malformed 200', () => new Response('<html>', { status: 200 })],
  ] as const) {
    it(`${name} from the revocation endpoint does not stop the logout`, async () => {
      const server = createServer();
      server.revocationAnswers.push(answer);
      const setup = loggedInTabs({ server });
      await expect(setup.a.auth.logout()).resolves.toBeUndefined();
      await settle();
      expect(server.requests).toHaveLength(1);
      expect(setup.a.stored()).toBeUndefined();
      expect(setup.a.auth.credentials.supertoken).toBeUndefined();
      expect(setup.a.sessionEvents).toEqual([{ eventType: 'logout', data: { remote: false } }]);
      expect(setup.b.auth.credentials.supertoken).toBeUndefined();
      expect(setup.a.win.navigations).toHaveLength(1);
      expectNoTokenIn(allUrls(setup), SECRETS);
    });
  }

  it('revokes the access token (hint access_token) when there is no refresh token', async () => {
    const setup = loggedInTabs({ token: storedToken({ refresh_token: undefined }) });
    await setup.a.auth.logout({ noRedirect: true });
    expect(Object.fromEntries(setup.server.requests[0]?.body ?? [])).toMatchObject({
      token: 'AT-stored',
      token_type_hint: 'access_token',
    });
    expectNoTokenIn(allUrls(setup), SECRETS);
  });

  it('without a revocation endpoint: no request, still cleared and redirected', async () => {
    const setup = loggedInTabs({
      config: {
        endpoints: {
          authorization: 'https://as.example/authorize',
          token: 'https://as.example/token',
          endSession: END_SESSION_URL,
        },
      },
    });
    await setup.a.auth.logout();
    await settle();
    expect(setup.server.requests).toHaveLength(0);
    expect(setup.a.stored()).toBeUndefined();
    expect(setup.a.win.navigations).toHaveLength(1);
    expect(setup.b.auth.credentials.supertoken).toBeUndefined();
  });

  it('without an end-session endpoint: revokes and clears, no navigation', async () => {
    const setup = loggedInTabs({
      config: {
        endpoints: {
          authorization: 'https://as.example/authorize',
          token: 'https://as.example/token',
          revocation: REVOKE_URL,
        },
      },
    });
    await setup.a.auth.logout();
    expect(setup.server.requests.map((r) => r.url)).toEqual([REVOKE_URL]);
    expect(setup.a.stored()).toBeUndefined();
    expect(setup.a.win.navigations).toEqual([]);
  });

  it('discovers the revocation and end-session endpoints from the issuer', async () => {
    const server = createServer();
    const discovery = {
      issuer: 'https://as.example',
      authorization_endpoint: 'https://as.example/authorize',
      token_endpoint: 'https://as.example/token',
      revocation_endpoint: REVOKE_URL,
      end_session_endpoint: END_SESSION_URL,
    };
    const fetch: typeof globalThis.fetch = (input, init) => {
      const url = String(input instanceof Request ? input.url : input);
      if (url === 'https://as.example/.well-known/openid-configuration')
        return Promise.resolve(json(discovery));
      return server.fetch(input, init);
    };
    const setup = loggedInTabs({
      server,
      config: { issuer: 'https://as.example', endpoints: undefined, fetch },
    });
    await setup.a.auth.logout();
    expect(setup.server.requests.map((r) => r.url)).toEqual([REVOKE_URL]);
    expect(setup.a.win.navigations[0]?.startsWith(`${END_SESSION_URL}?`)).toBe(true);
  });

  it('a logout while a refresh is in flight wins: nothing is stored afterwards', async () => {
    const server = createServer();
    let release: (response: Response) => void = () => {};
    server.tokenAnswers.push(() => new Promise<Response>((resolve) => (release = resolve)));
    const setup = loggedInTabs({ server });
    setup.a.auth.credentials.refresh().catch(() => {});
    await settle();
    await setup.a.auth.logout({ noRedirect: true });
    release(json({ access_token: 'AT-late', token_type: 'Bearer', expires_in: 100 }));
    await settle();
    expect(setup.a.stored()).toBeUndefined();
    expect(setup.a.auth.credentials.supertoken).toBeUndefined();
    expect(setup.b.auth.credentials.supertoken).toBeUndefined();
  });
});

describe('logout() without a live session', () => {
  it('two logout() calls at once: one revocation, one navigation, one event', async () => {
    const setup = loggedInTabs();
    await Promise.all([setup.a.auth.logout(), setup.a.auth.logout()]);
    await settle();
    expect(setup.server.requests).toHaveLength(1);
    expect(setup.a.win.navigations).toHaveLength(1);
    expect(setup.a.sessionEventTypes()).toEqual(['logout']);
  });

  it('after stop(): rejects and does nothing', async () => {
    const setup = loggedInTabs();
    setup.a.auth.stop();
    await expect(setup.a.auth.logout()).rejects.toThrow(/stopped/);
    expect(setup.server.requests).toHaveLength(0);
    expect(setup.a.win.navigations).toEqual([]);
  });

  // BUG: after invalid_grant (reauthRequired) `logout()` resolves and does nothing: the dead
  // token stays in localStorage (see refresh.test.ts) and the user is not sent to the
  // end-session endpoint, so the identity provider's session survives the click on "log out".
  it('after reauthRequired, logout() still clears the store and goes to the end-session endpoint', async () => {
    const server = createServer();
    server.tokenAnswers.push(answers.error('invalid_grant'));
    const setup = loggedInTabs({ server });
    await setup.a.auth.credentials.refresh().catch(() => {});
    await setup.a.auth.logout();
    await settle();
    expect(setup.a.stored()).toBeUndefined();
    expect(setup.a.win.navigations).toHaveLength(1);
    expect(setup.a.win.navigations[0]?.startsWith(`${END_SESSION_URL}?`)).toBe(true);
  });

  // BUG (decision needed): with no local token (never logged in here, 'memory' storage after a
  // reload) `logout()` resolves without going to the end-session endpoint. The Webex plugin
  // always navigates to its logout URL; SPEC §10 says logout "navigates … when one is
  // configured, unless noRedirect", without a condition on a local token.
  it('with no local token, logout() still goes to the end-session endpoint', async () => {
    const server = createServer();
    const tab = openTab({ server, clientId: uniqueClientId(), config: { tokenStorage: 'memory' } });
    cleanup.push(tab.auth.stop);
    await tab.auth.logout();
    await settle();
    expect(server.requests).toHaveLength(0);
    expect(tab.win.navigations).toHaveLength(1);
  });
});

describe('logout() (webex profile)', () => {
  const webex: Partial<AuthorizationConfig> = { profile: 'webex', endpoints: undefined, scope: 'spark:all' };

  it('revokes at IdBroker with a POST and goes to IdBroker logout?cisService=webex&goto=<redirectUri>, no token anywhere', async () => {
    const setup = loggedInTabs({ config: webex });
    await setup.a.auth.logout();
    await settle();
    expect(setup.server.requests).toHaveLength(1);
    const [revocation] = setup.server.requests;
    expect(revocation?.url).toBe(`${IDBROKER}/revoke`);
    expect(revocation?.method).toBe('POST');
    expect(revocation?.body.get('token')).toBe('RT-stored');
    expect(revocation?.body.get('token_type_hint')).toBe('refresh_token');

    expect(setup.a.win.navigations).toHaveLength(1);
    const url = new URL(setup.a.win.navigations[0] ?? '');
    expect(`${url.origin}${url.pathname}`).toBe(`${IDBROKER}/logout`);
    expect(Object.fromEntries(url.searchParams)).toEqual({ cisService: 'webex', goto: REDIRECT_URI });
    expect(setup.a.stored()).toBeUndefined();
    expect(setup.b.sessionEvents).toEqual([{ eventType: 'logout', data: { remote: true } }]);
    expectNoTokenIn(allUrls(setup), SECRETS);
  });

  it('returnTo becomes goto', async () => {
    const setup = loggedInTabs({ config: webex });
    await setup.a.auth.logout({ returnTo: 'https://app.example/bye' });
    const url = new URL(setup.a.win.navigations[0] ?? '');
    expect(Object.fromEntries(url.searchParams)).toEqual({
      cisService: 'webex',
      goto: 'https://app.example/bye',
    });
  });

  it('{noRedirect: true} does not navigate', async () => {
    const setup = loggedInTabs({ config: webex });
    await setup.a.auth.logout({ noRedirect: true });
    expect(setup.a.win.navigations).toEqual([]);
    expect(setup.server.requests).toHaveLength(1);
  });
});
