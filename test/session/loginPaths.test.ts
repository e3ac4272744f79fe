/**
 * Whatever login produced it (the page's own redirect callback, a popup, a code the app hands
 * over, a QR-code login), a new token is stored, announced with `session · tokenSet` (no token in
 * it) and refreshed ahead of its expiry at 60–90 % of its lifetime; `stop()` disarms that.
 * (Webex's plugins never armed the proactive refresh after a login: reference §10 item 15.)
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createRelayMessage } from '../../src/popupRelay.js';
import { decodeState, encodeState } from '../../src/stateCodec.js';
import { CODE_VERIFIER_KEY, CSRF_TOKEN_KEY } from '../../src/transactionStore.js';
import {
  APP,
  AUTHORIZE_URL,
  createServer,
  FAKE_TIMERS,
  LIFETIME_S,
  openTab,
  REDIRECT_URI,
  type Server,
  settle,
  type Tab,
  uniqueClientId,
} from './harness.js';

const CSRF = 'csrf-token-value-0123456789';
const VERIFIER = 'v'.repeat(43);

/** Lets real async work (WebCrypto for PKCE) finish while timers are fake. */
async function untilNavigated(popup: { location: { href: string } } | undefined) {
  const deadline = performance.now() + 5_000;
  while (popup?.location.href === 'about:blank' && performance.now() < deadline) {
    await new Promise((resolve) => setImmediate(resolve));
  }
  if (!popup || popup.location.href === 'about:blank') throw new Error('the popup was never navigated');
}

interface LoginPath {
  name: string;
  /** Opens the tab and logs in; resolves when the token is in place. */
  login: (server: Server, clientId: string) => Promise<Tab>;
  /** The grant the login's token request used. */
  grant: string;
}

const paths: LoginPath[] = [
  {
    name: 'redirect callback',
    grant: 'authorization_code',
    login: async (server, clientId) => {
      const tab = openTab({
        server,
        clientId,
        href: `${REDIRECT_URI}?code=the-code&state=${encodeState({ csrf_token: CSRF })}`,
        beforeCreate: (win) => {
          win.sessionStorage.setItem(CSRF_TOKEN_KEY, CSRF);
          win.sessionStorage.setItem(CODE_VERIFIER_KEY, VERIFIER);
        },
      });
      await expect(tab.auth.whenReady()).resolves.toEqual({ outcome: 'authorized' });
      await settle();
      return tab;
    },
  },
  {
    name: 'popup',
    grant: 'authorization_code',
    login: async (server, clientId) => {
      const tab = openTab({ server, clientId });
      const call = tab.auth.initiateLogin({ separateWindow: true });
      const popup = tab.win.popups[0];
      await untilNavigated(popup);
      if (!popup) throw new Error('no popup');
      expect(popup.location.href.startsWith(AUTHORIZE_URL)).toBe(true);
      const state = new URL(popup.location.href).searchParams.get('state') ?? '';
      const popupId = String(decodeState(state).authcharts_popup);
      tab.win.receiveMessage(
        createRelayMessage(popupId, `${REDIRECT_URI}?code=popup-code&state=${state}`),
        APP,
        popup,
      );
      await call;
      await settle();
      return tab;
    },
  },
  {
    name: 'requestAuthorizationCodeGrant',
    grant: 'authorization_code',
    login: async (server, clientId) => {
      const tab = openTab({ server, clientId });
      await tab.auth.requestAuthorizationCodeGrant({ code: 'app-code', codeVerifier: VERIFIER });
      await settle();
      return tab;
    },
  },
  {
    name: 'QR code (device authorization)',
    grant: 'urn:ietf:params:oauth:grant-type:device_code',
    login: async (server, clientId) => {
      const tab = openTab({ server, clientId });
      tab.auth.initQRCodeLogin();
      await settle();
      await vi.advanceTimersByTimeAsync(5_000);
      await settle();
      expect(tab.auth.credentials.supertoken).toBeDefined();
      return tab;
    },
  },
];

let cleanup: Array<() => void> = [];
beforeEach(() => {
  vi.useFakeTimers(FAKE_TIMERS);
});
afterEach(() => {
  for (const stop of cleanup) stop();
  cleanup = [];
  vi.useRealTimers();
});

describe.each(paths)('a token from the $name login', ({ login, grant }) => {
  async function loggedIn() {
    const server = createServer();
    const clientId = uniqueClientId();
    const tab = await login(server, clientId);
    cleanup.push(tab.auth.stop);
    return { server, clientId, tab };
  }

  it('is stored in localStorage under authcharts.supertoken.<clientId> and announced without the token', async () => {
    const { server, clientId, tab } = await loggedIn();
    const logins = server.tokenRequests();
    expect(logins).toHaveLength(1);
    expect(logins[0]?.body.get('grant_type')).toBe(grant);

    const now = Date.now();
    expect(tab.auth.credentials.supertoken).toMatchObject({
      access_token: 'AT-101',
      refresh_token: 'RT-101',
    });
    expect(tab.win.localStorage.keys()).toEqual([`authcharts.supertoken.${clientId}`]);
    expect(tab.stored()).toEqual({
      access_token: 'AT-101',
      token_type: 'Bearer',
      expires: now + LIFETIME_S * 1000,
      refresh_token: 'RT-101',
      scope: 'openid profile',
    });
    expect(tab.sessionEvents).toEqual([
      { eventType: 'tokenSet', data: { scope: 'openid profile', expires: now + LIFETIME_S * 1000 } },
    ]);
    expect(JSON.stringify(tab.sessionEvents)).not.toMatch(/AT-|RT-/);
    expect(tab.auth.credentials.canAuthorize).toBe(true);
    expect(tab.auth.credentials.canRefresh).toBe(true);
  });

  it('is refreshed ahead of expiry: not before 60 % of its lifetime, once by 90 %', async () => {
    const { server, tab } = await loggedIn();
    const lifetime = (tab.auth.credentials.supertoken?.expires ?? 0) - Date.now();
    expect(lifetime).toBe(LIFETIME_S * 1000);

    await vi.advanceTimersByTimeAsync(0.6 * lifetime - 1);
    await settle();
    expect(server.refreshRequests()).toHaveLength(0);

    await vi.advanceTimersByTimeAsync(0.3 * lifetime + 1);
    await settle();
    const refreshes = server.refreshRequests();
    expect(refreshes).toHaveLength(1);
    expect(refreshes[0]?.body.get('refresh_token')).toBe('RT-101');
    expect(tab.auth.credentials.supertoken?.access_token).toBe('AT-102');
    expect(tab.stored()?.access_token).toBe('AT-102');
    expect(tab.sessionEventTypes()).toEqual(['tokenSet', 'tokenRefreshed']);
  });

  it('stop() disarms the proactive refresh: no timer left, no request later', async () => {
    const { server, tab } = await loggedIn();
    const before = server.requests.length;
    tab.auth.stop();
    expect(vi.getTimerCount()).toBe(0);
    await vi.advanceTimersByTimeAsync(3 * LIFETIME_S * 1000);
    await settle();
    expect(server.requests).toHaveLength(before);
  });
});

describe('the 60–90 % window holds at both ends of the spread', () => {
  for (const random of [0, 0.5, 0.999999]) {
    it(`Math.random() = ${random}`, async () => {
      vi.spyOn(Math, 'random').mockReturnValue(random);
      const server = createServer();
      const tab = openTab({ server, clientId: uniqueClientId() });
      cleanup.push(tab.auth.stop);
      await tab.auth.requestAuthorizationCodeGrant({ code: 'app-code', codeVerifier: VERIFIER });
      const lifetime = LIFETIME_S * 1000;
      await vi.advanceTimersByTimeAsync(0.6 * lifetime - 1);
      await settle();
      expect(server.refreshRequests()).toHaveLength(0);
      await vi.advanceTimersByTimeAsync(0.3 * lifetime + 1);
      await settle();
      expect(server.refreshRequests()).toHaveLength(1);
    });
  }
});

describe('a token that keeps being refreshed', () => {
  it('is refreshed once per lifetime, each time with the latest refresh token', async () => {
    const server = createServer();
    const tab = openTab({ server, clientId: uniqueClientId() });
    cleanup.push(tab.auth.stop);
    await tab.auth.requestAuthorizationCodeGrant({ code: 'app-code', codeVerifier: VERIFIER });
    // Three lifetimes: each token is replaced at 60–90 % of its own lifetime.
    for (let i = 0; i < 30; i++) {
      await vi.advanceTimersByTimeAsync(LIFETIME_S * 100);
      await settle();
    }
    const refreshes = server.refreshRequests();
    expect(refreshes.length).toBeGreaterThanOrEqual(3);
    expect(refreshes.length).toBeLessThanOrEqual(5);
    expect(refreshes.map((r) => r.body.get('refresh_token'))).toEqual(
      refreshes.map((_, i) => `RT-${101 + i}`),
    );
    expect(tab.auth.credentials.canAuthorize).toBe(true);
    expect((tab.auth.credentials.supertoken?.expires ?? 0) > Date.now()).toBe(true);
  });
});
