import { calculatePKCECodeChallenge } from 'oauth4webapi';
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  type AuthorizationConfig,
  createAuthorization,
  Events,
  InteractionInProgressError,
  InvalidOptionError,
  type LoginEvent,
  PopupBlockedError,
  PopupClosedError,
  PopupTimeoutError,
} from '../../src/index.js';
import { createRelayMessage } from '../../src/popupRelay.js';
import { decodeState } from '../../src/stateCodec.js';
import { CODE_VERIFIER_KEY, CSRF_TOKEN_KEY } from '../../src/transactionStore.js';
import { createFakeFetch, json } from '../fixtures/fakeFetch.js';
import { FakeWindow } from '../fixtures/fakeWindow.js';

const AS = 'https://as.example';
const APP = 'https://app.example';
const tokenResponse = { access_token: 'AT-secret', token_type: 'Bearer', expires_in: 3600 };

function setup(overrides: Partial<AuthorizationConfig> = {}) {
  const win = new FakeWindow(`${APP}/start?x=1`);
  const server = createFakeFetch({ [`${AS}/token`]: () => json(tokenResponse) });
  const auth = createAuthorization({
    clientId: 'client-1',
    redirectUri: `${APP}/cb`,
    scope: 'openid profile',
    endpoints: { authorization: `${AS}/authorize`, token: `${AS}/token` },
    window: win.asWindow(),
    fetch: server.fetch,
    ...overrides,
  });
  const events: LoginEvent[] = [];
  auth.eventEmitter.on(Events.login, (event) => events.push(event));
  return { win, server, auth, events };
}

const ALLOWED = [
  'response_type',
  'state',
  'code_challenge',
  'code_challenge_method',
  'client_id',
  'redirect_uri',
  'scope',
];

/** Lets real async work (WebCrypto) finish while timers are fake, until the popup is navigated. */
async function untilNavigated(popup: { location: { href: string } } | undefined) {
  const deadline = performance.now() + 5_000;
  while (popup?.location.href === 'about:blank' && performance.now() < deadline) {
    await new Promise((resolve) => setImmediate(resolve));
  }
  if (!popup || popup.location.href === 'about:blank') throw new Error('the popup was never navigated');
}

const fakeTimers = () =>
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval'] });

let stopLater: Array<() => void> = [];
afterEach(() => {
  for (const stop of stopLater) stop();
  stopLater = [];
  vi.useRealTimers();
});

describe('initiateLogin (full-page redirect)', () => {
  it('navigates to an authorize URL built only from allowed parameters with a valid PKCE pair', async () => {
    const { win, auth, events, server } = setup();
    stopLater.push(auth.stop);
    const call = auth.initiateLogin({
      email: 'user@example.com',
      state: { returnTo: '/home' },
      separateWindow: false,
    });
    expect(auth.isAuthorizing).toBe(true);
    await expect(call).resolves.toBeUndefined();
    expect(auth.isAuthorizing).toBe(false);

    expect(win.navigations).toHaveLength(1);
    const url = new URL(win.navigations[0] ?? '');
    expect(`${url.origin}${url.pathname}`).toBe(`${AS}/authorize`);
    expect([...url.searchParams.keys()]).toEqual(ALLOWED);
    expect(url.searchParams.get('response_type')).toBe('code');
    expect(url.searchParams.get('client_id')).toBe('client-1');
    expect(url.searchParams.get('redirect_uri')).toBe(`${APP}/cb`);
    expect(url.searchParams.get('scope')).toBe('openid profile');
    expect(url.searchParams.get('code_challenge_method')).toBe('S256');
    expect(url.href).not.toContain('user@example.com');
    expect(url.href).not.toContain('separateWindow');

    const verifier = win.sessionStorage.getItem(CODE_VERIFIER_KEY) ?? '';
    expect(verifier).toMatch(/^[A-Za-z0-9\-._~]{43,128}$/);
    expect(url.searchParams.get('code_challenge')).toBe(await calculatePKCECodeChallenge(verifier));

    const state = decodeState(url.searchParams.get('state') ?? '');
    expect(state.returnTo).toBe('/home');
    expect(state.csrf_token).toBe(win.sessionStorage.getItem(CSRF_TOKEN_KEY));
    expect(typeof state.emailhash).toBe('string');

    expect(events).toEqual([
      { eventType: 'initiateLogin', data: { hasEmail: true, hasState: true } },
      { eventType: 'redirectToLoginUrl', data: { loginUrl: url.href } },
    ]);
    expect(server.requests).toHaveLength(0);
  });

  it('creates a fresh CSRF token and verifier for every login', async () => {
    const { win, auth } = setup();
    stopLater.push(auth.stop);
    await auth.initiateLogin();
    const first = [win.sessionStorage.getItem(CSRF_TOKEN_KEY), win.sessionStorage.getItem(CODE_VERIFIER_KEY)];
    await auth.initiateLogin();
    const second = [
      win.sessionStorage.getItem(CSRF_TOKEN_KEY),
      win.sessionStorage.getItem(CODE_VERIFIER_KEY),
    ];
    expect(second[0]).not.toBe(first[0]);
    expect(second[1]).not.toBe(first[1]);
    expect(win.navigations).toHaveLength(2);
  });

  it('counts an empty state as state and sends login_hint only when asked', async () => {
    const { win, auth, events } = setup();
    stopLater.push(auth.stop);
    await auth.initiateLogin({ state: {}, loginHint: 'someone@example.com' });
    expect(events[0]).toEqual({ eventType: 'initiateLogin', data: { hasEmail: false, hasState: true } });
    expect(new URL(win.navigations[0] ?? '').searchParams.get('login_hint')).toBe('someone@example.com');
  });

  it('initiateAuthorizationCodeGrant logs in without the initiateLogin announcement', async () => {
    const { win, auth, events } = setup();
    stopLater.push(auth.stop);
    await auth.initiateAuthorizationCodeGrant({ state: { page: 2 } });
    expect(win.navigations).toHaveLength(1);
    expect(events.map((e) => e.eventType)).toEqual(['redirectToLoginUrl']);
  });

  it('rejects a string state with a clear error, emits authorizationFailure and is not left authorizing', async () => {
    const { win, auth, events } = setup();
    stopLater.push(auth.stop);
    const call = auth.initiateLogin({ state: 'not-an-object' } as never);
    await expect(call).rejects.toBeInstanceOf(InvalidOptionError);
    await expect(call).rejects.toThrow('Invalid option "state": must be an object');
    expect(auth.isAuthorizing).toBe(false);
    expect(win.navigations).toHaveLength(0);
    expect(win.sessionStorage.getItem(CSRF_TOKEN_KEY)).toBeNull();
    expect(events.map((e) => e.eventType)).toEqual(['initiateLogin', 'authorizationFailure']);
    // The instance is still usable afterwards.
    await auth.initiateLogin();
    expect(win.navigations).toHaveLength(1);
  });
});

describe('initiateLogin with separateWindow (popup)', () => {
  const callbackUrlFor = (loginUrl: string, code = 'popup-code') => {
    const state = new URL(loginUrl).searchParams.get('state') ?? '';
    return `${APP}/cb?code=${code}&state=${state}`;
  };

  it('opens the popup synchronously inside the call with default features', () => {
    const { win, auth } = setup();
    stopLater.push(auth.stop);
    auth.initiateLogin({ separateWindow: true }).catch(() => {});
    expect(win.popups).toHaveLength(1);
    expect(win.popups[0]?.features).toBe('width=600,height=800');
    expect(win.popups[0]?.location.href).toBe('about:blank');
  });

  it('accepts feature overrides key by key', () => {
    const { win, auth } = setup();
    stopLater.push(auth.stop);
    auth.initiateLogin({ separateWindow: { width: 800, menubar: 'no' } }).catch(() => {});
    expect(win.popups[0]?.features).toBe('width=800,height=800,menubar=no');
  });

  it('logs in through the popup: navigate it, take the relayed callback, exchange in the opener', async () => {
    const { win, auth, events, server } = setup();
    stopLater.push(auth.stop);
    const call = auth.initiateLogin({ separateWindow: true, state: { tab: 'a' } });
    const popup = win.popups[0];
    if (!popup) throw new Error('no popup');
    await vi.waitFor(() => expect(popup.location.href).toContain(`${AS}/authorize`));
    expect(popup.location.href).not.toContain('separateWindow');
    expect(win.navigations).toHaveLength(0);
    const state = decodeState(new URL(popup.location.href).searchParams.get('state') ?? '');
    const popupId = String(state.authcharts_popup);

    // A message from another origin or another window is ignored.
    win.receiveMessage(
      createRelayMessage(popupId, callbackUrlFor(popup.location.href)),
      'https://evil.example',
      popup,
    );
    win.receiveMessage(createRelayMessage(popupId, callbackUrlFor(popup.location.href)), APP, {});
    win.receiveMessage(createRelayMessage('other-popup', callbackUrlFor(popup.location.href)), APP, popup);
    await Promise.resolve();
    expect(server.requests).toHaveLength(0);

    win.receiveMessage(createRelayMessage(popupId, callbackUrlFor(popup.location.href)), APP, popup);
    await expect(call).resolves.toBeUndefined();
    expect(server.requests).toHaveLength(1);
    expect(server.requests[0]?.body.get('code')).toBe('popup-code');
    expect(auth.credentials.supertoken?.access_token).toBe('AT-secret');
    expect(auth.isAuthorizing).toBe(false);
    expect(popup.closed).toBe(true);
    expect(win.messageListenerCount).toBe(0);
    expect(events.map((e) => e.eventType)).toEqual([
      'initiateLogin',
      'redirectToLoginUrl',
      'authorizationSuccess',
    ]);
    expect(events[2]).toMatchObject({ data: { via: 'popup' } });
    // The opener's own URL is not touched by a popup login.
    expect(win.location.href).toBe(`${APP}/start?x=1`);
  });

  it('settles the popup login when a QR login starts and ends meanwhile', async () => {
    const { win, auth } = setup();
    stopLater.push(auth.stop);
    const call = auth.initiateLogin({ separateWindow: true });
    const popup = win.popups[0];
    if (!popup) throw new Error('no popup');
    await vi.waitFor(() => expect(popup.location.href).toContain(`${AS}/authorize`));
    const popupId = String(
      decodeState(new URL(popup.location.href).searchParams.get('state') ?? '').authcharts_popup,
    );
    // The QR login runs beside the popup login and changes the instance's state while it waits.
    auth.initQRCodeLogin();
    auth.cancelQRCodePolling();
    win.receiveMessage(createRelayMessage(popupId, callbackUrlFor(popup.location.href)), APP, popup);
    await expect(call).resolves.toBeUndefined();
    expect(auth.credentials.supertoken?.access_token).toBe('AT-secret');
  });

  it('rejects with PopupBlockedError when window.open returns null', async () => {
    const { win, auth, events } = setup();
    stopLater.push(auth.stop);
    win.blockPopups = true;
    const call = auth.initiateLogin({ separateWindow: true });
    await expect(call).rejects.toBeInstanceOf(PopupBlockedError);
    expect(auth.isAuthorizing).toBe(false);
    expect(events.map((e) => e.eventType)).toEqual(['initiateLogin', 'authorizationFailure']);
  });

  it('rejects with PopupClosedError when the user closes the popup', async () => {
    fakeTimers();
    const { win, auth } = setup();
    stopLater.push(auth.stop);
    const call = auth.initiateLogin({ separateWindow: true });
    const rejection = expect(call).rejects.toBeInstanceOf(PopupClosedError);
    await untilNavigated(win.popups[0]);
    win.popups[0]?.close();
    await vi.advanceTimersByTimeAsync(2_000);
    await rejection;
    expect(auth.isAuthorizing).toBe(false);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('still accepts a result that arrives right after the popup closed itself', async () => {
    fakeTimers();
    const { win, auth } = setup();
    stopLater.push(auth.stop);
    const call = auth.initiateLogin({ separateWindow: true });
    const popup = win.popups[0];
    await untilNavigated(popup);
    if (!popup) throw new Error('no popup');
    const popupId = String(
      decodeState(new URL(popup.location.href).searchParams.get('state') ?? '').authcharts_popup,
    );
    const callbackUrl = callbackUrlFor(popup.location.href);
    popup.close();
    await vi.advanceTimersByTimeAsync(300);
    win.receiveMessage(createRelayMessage(popupId, callbackUrl), APP, popup);
    await expect(call).resolves.toBeUndefined();
    expect(auth.credentials.canAuthorize).toBe(true);
  });

  it('rejects with PopupClosedError when the popup is closed before the login page even loads', async () => {
    fakeTimers();
    const { win, auth } = setup();
    stopLater.push(auth.stop);
    const call = auth.initiateLogin({ separateWindow: true });
    const rejection = expect(call).rejects.toBeInstanceOf(PopupClosedError);
    win.popups[0]?.close();
    await vi.advanceTimersByTimeAsync(2_000);
    await rejection;
    expect(vi.getTimerCount()).toBe(0);
  });

  it('rejects with PopupTimeoutError after the configured timeout and closes the popup', async () => {
    fakeTimers();
    const { win, auth } = setup({ popup: { timeout: 60_000 } });
    stopLater.push(auth.stop);
    const call = auth.initiateLogin({ separateWindow: true });
    const rejection = expect(call).rejects.toBeInstanceOf(PopupTimeoutError);
    await untilNavigated(win.popups[0]);
    await vi.advanceTimersByTimeAsync(59_000);
    expect(auth.isAuthorizing).toBe(true);
    await vi.advanceTimersByTimeAsync(2_000);
    await rejection;
    expect(win.popups[0]?.closed).toBe(true);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('refuses a second login while the popup is open', async () => {
    const { win, auth } = setup();
    stopLater.push(auth.stop);
    auth.initiateLogin({ separateWindow: true }).catch(() => {});
    await expect(auth.initiateLogin()).rejects.toBeInstanceOf(InteractionInProgressError);
    expect(win.popups).toHaveLength(1);
    expect(win.navigations).toHaveLength(0);
  });

  it('stop() closes the popup and removes every listener and timer', async () => {
    fakeTimers();
    const { win, auth } = setup();
    const call = auth.initiateLogin({ separateWindow: true });
    await untilNavigated(win.popups[0]);
    auth.stop();
    await expect(call).rejects.toThrow('The authorization instance was stopped');
    expect(win.popups[0]?.closed).toBe(true);
    expect(win.messageListenerCount).toBe(0);
    expect(vi.getTimerCount()).toBe(0);
  });
});

describe('the popup page', () => {
  it('hands the callback to its opener, cleans its URL and closes, without exchanging', async () => {
    const opener = { postMessage: vi.fn() };
    const stateValue = btoa(JSON.stringify({ csrf_token: 'csrf', authcharts_popup: 'popup-1', tab: 'a' }))
      .replace(/=+$/, '')
      .replace(/\+/g, '-')
      .replace(/\//g, '_');
    const popupWin = new FakeWindow(`${APP}/cb?code=the-code&state=${stateValue}&keep=1`);
    Object.assign(popupWin, { opener, close: vi.fn() });
    const server = createFakeFetch({ [`${AS}/token`]: () => json(tokenResponse) });
    const channel = new BroadcastChannel('authcharts:popup:popup-1');
    const relayed: unknown[] = [];
    channel.onmessage = (event) => relayed.push(event.data);

    const auth = createAuthorization({
      clientId: 'client-1',
      redirectUri: `${APP}/cb`,
      endpoints: { authorization: `${AS}/authorize`, token: `${AS}/token` },
      window: popupWin.asWindow(),
      fetch: server.fetch,
    });
    stopLater.push(auth.stop);
    await expect(auth.whenReady()).resolves.toEqual({ outcome: 'none' });
    const message = createRelayMessage('popup-1', `${APP}/cb?code=the-code&state=${stateValue}&keep=1`);
    expect(opener.postMessage).toHaveBeenCalledWith(message, APP);
    await vi.waitFor(() => expect(relayed).toEqual([message]));
    channel.close();
    expect((popupWin as unknown as { close: () => void }).close).toHaveBeenCalled();
    expect(server.requests).toHaveLength(0);
    expect(popupWin.location.href).toBe(
      `${APP}/cb?state=${btoa(JSON.stringify({ tab: 'a' })).replace(/=+$/, '')}&keep=1`,
    );
  });
});
