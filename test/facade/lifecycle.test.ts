/**
 * An instance's life from the app's side: what it says to listeners while it starts, and how every
 * call behaves once `stop()` has been called.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  type AuthorizationConfig,
  ConfigError,
  createAuthorization,
  Events,
  type LoginEvent,
  type Token,
  type TokenStorageAdapter,
} from '../../src/index.js';
import { encodeState } from '../../src/stateCodec.js';
import { CODE_VERIFIER_KEY, CSRF_TOKEN_KEY } from '../../src/transactionStore.js';
import { createFakeFetch, json } from '../fixtures/fakeFetch.js';
import { FakeWindow } from '../fixtures/fakeWindow.js';

const AS = 'https://as.example';
const APP = 'https://app.example';
const STOPPED = 'The authorization instance was stopped';

function create(win: FakeWindow, overrides: Partial<AuthorizationConfig> = {}) {
  // No route: a stopped instance must not send anything.
  const server = createFakeFetch({});
  const auth = createAuthorization({
    clientId: 'client-1',
    redirectUri: `${APP}/cb`,
    endpoints: { authorization: `${AS}/authorize`, token: `${AS}/token` },
    window: win.asWindow(),
    fetch: server.fetch,
    tokenStorage: 'memory',
    ...overrides,
  });
  return { server, auth };
}

/** A callback page with a matching transaction, so its code is to be exchanged. */
function callbackPage(): FakeWindow {
  const csrf = 'csrf-0123456789abcdef';
  const win = new FakeWindow(`${APP}/cb?code=the-code&state=${encodeState({ csrf_token: csrf })}`);
  win.sessionStorage.setItem(CSRF_TOKEN_KEY, csrf);
  win.sessionStorage.setItem(CODE_VERIFIER_KEY, `verifier-${'v'.repeat(43)}`);
  return win;
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe('while an instance starts', () => {
  it('a listener attached in the same tick as createAuthorization hears everything, even a call made before it', async () => {
    const { auth } = create(new FakeWindow(`${APP}/`));
    // Module A creates the instance and logs in at once; module B subscribes a moment later.
    const call = auth.initiateLogin({ state: 'not an object' } as never);
    const login: LoginEvent[] = [];
    const everything: string[] = [];
    auth.eventEmitter.on(Events.login, (event) => login.push(event));
    auth.eventEmitter.on('*', (channel) => everything.push(String(channel)));
    await expect(call).rejects.toThrow('Invalid option "state"');
    expect(login.map((event) => event.eventType)).toEqual(['initiateLogin', 'authorizationFailure']);
    expect(everything).toEqual(['login', 'login']);
    auth.stop();
  });
});

describe('starting', () => {
  it('refuses a missing config with a ConfigError, not a TypeError', () => {
    expect(() => createAuthorization(undefined as never)).toThrow(ConfigError);
  });

  it('accepts an inspector observer without next', async () => {
    const { auth } = create(new FakeWindow(`${APP}/`), { inspect: {} });
    await expect(auth.whenReady()).resolves.toEqual({ outcome: 'none' });
    auth.stop();
  });

  it('starts on a page whose storage is blocked (sandboxed iframe) and keeps the token in memory', async () => {
    const win = new FakeWindow(`${APP}/`);
    const blocked = {
      get() {
        throw new DOMException('The operation is insecure.', 'SecurityError');
      },
    };
    Object.defineProperties(win, { localStorage: blocked, sessionStorage: blocked });
    const server = createFakeFetch({
      [`${AS}/token`]: () => json({ access_token: 'AT-1', token_type: 'Bearer', expires_in: 3600 }),
    });
    const { auth } = create(win, { tokenStorage: 'local', fetch: server.fetch });
    await expect(auth.whenReady()).resolves.toEqual({ outcome: 'none' });
    await auth.requestAuthorizationCodeGrant({ code: 'c', codeVerifier: `verifier-${'v'.repeat(43)}` });
    expect(auth.credentials.supertoken?.access_token).toBe('AT-1');
    auth.stop();
  });

  it('whenReady waits for both the callback and a stored token that loads later', async () => {
    let release: (token: Token | undefined) => void = () => {};
    const slowStore: TokenStorageAdapter = {
      load: () => new Promise((resolve) => (release = resolve)),
      save: () => {},
      clear: () => {},
    };
    const server = createFakeFetch({ [`${AS}/token`]: () => json({ error: 'invalid_grant' }, 400) });
    const { auth } = create(callbackPage(), { tokenStorage: slowStore, fetch: server.fetch });
    const ready = auth.whenReady();
    // The exchange fails first; the instance is not ready while the store is still loading.
    await vi.waitFor(() => expect(auth.isAuthorizing).toBe(false));
    expect(server.requests).toHaveLength(1);
    expect(auth.ready).toBe(false);
    release(undefined);
    await expect(ready).resolves.toMatchObject({ outcome: 'failed' });
    auth.stop();
  });
});

describe('a stopped instance', () => {
  it('refuses every call that would start something, with one clear error', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const { auth, server } = create(new FakeWindow(`${APP}/`));
    await auth.whenReady();
    auth.stop();

    await expect(auth.initiateLogin()).rejects.toThrow(STOPPED);
    await expect(auth.initiateAuthorizationCodeGrant()).rejects.toThrow(STOPPED);
    await expect(auth.requestAuthorizationCodeGrant({ code: 'c' })).rejects.toThrow(STOPPED);
    await expect(auth.refresh()).rejects.toThrow(STOPPED);
    await expect(auth.logout({ noRedirect: true })).rejects.toThrow(STOPPED);
    // The QR calls return nothing to reject; they do nothing, and say nothing either.
    auth.initQRCodeLogin();
    auth.cancelQRCodePolling();
    await expect(auth.whenReady()).resolves.toEqual({ outcome: 'none' });
    // What it knew stays readable.
    expect(auth.ready).toBe(true);
    expect(auth.isAuthorizing).toBe(false);
    expect(auth.credentials.canAuthorize).toBe(false);
    expect(server.requests).toHaveLength(0);
    expect(warn).not.toHaveBeenCalled();
  });

  it('settles whenReady even when stopped before the callback was processed', async () => {
    const { auth } = create(callbackPage(), { fetch: () => new Promise<Response>(() => {}) });
    expect(auth.ready).toBe(false);
    auth.stop();
    await expect(auth.whenReady()).resolves.toEqual({ outcome: 'none' });
  });
});
