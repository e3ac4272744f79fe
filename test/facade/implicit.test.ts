// @vitest-environment jsdom
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  type AuthorizationConfig,
  CsrfMismatchError,
  createAuthorization,
  Events,
  type LoginEvent,
  OAuthError,
  TransactionMissingError,
} from '../../src/index.js';
import { encodeState } from '../../src/stateCodec.js';
import { CODE_VERIFIER_KEY, CSRF_TOKEN_KEY } from '../../src/transactionStore.js';
import { createFakeFetch, json } from '../fixtures/fakeFetch.js';
import { FakeWindow } from '../fixtures/fakeWindow.js';

const AS = 'https://as.example';
const CSRF = 'csrf-implicit-0123456789';

function setup(overrides: Partial<AuthorizationConfig> = {}) {
  const server = createFakeFetch({ [`${AS}/token`]: () => json({ error: 'unexpected' }, 500) });
  return {
    server,
    config: {
      clientId: 'legacy-client',
      redirectUri: 'http://localhost:3000/app',
      endpoints: { authorization: `${AS}/authorize`, token: `${AS}/token` },
      fetch: server.fetch,
      implicitGrant: true,
      tokenStorage: 'memory',
      ...overrides,
    } satisfies AuthorizationConfig,
  };
}

const landOn = (path: string) => window.history.replaceState({ router: 1 }, '', path);
const collect = (auth: ReturnType<typeof createAuthorization>) => {
  const events: LoginEvent[] = [];
  auth.eventEmitter.on(Events.login, (event) => events.push(event));
  return events;
};

beforeEach(() => {
  sessionStorage.clear();
  landOn('/');
});
afterEach(() => landOn('/'));

describe('legacy implicit grant (opt-in)', () => {
  it('takes the token from the fragment, checks the CSRF token and cleans only the token fields', async () => {
    sessionStorage.setItem(CSRF_TOKEN_KEY, CSRF);
    const state = encodeState({ csrf_token: CSRF, page: 'inbox' });
    landOn(`/app?tab=1#access_token=AT-implicit&token_type=Bearer&expires_in=3600&extra=1&state=${state}`);
    const { server, config } = setup();
    const auth = createAuthorization(config);
    const events = collect(auth);
    await expect(auth.whenReady()).resolves.toEqual({ outcome: 'authorized' });
    expect(server.requests).toHaveLength(0);
    expect(auth.credentials.supertoken?.access_token).toBe('AT-implicit');
    expect(auth.credentials.canAuthorize).toBe(true);
    expect(events).toEqual([
      {
        eventType: 'authorizationSuccess',
        data: { via: 'implicit', scope: undefined, expires: expect.any(Number) },
      },
    ]);
    expect(window.location.href).toBe(
      `http://localhost:3000/app?tab=1#extra=1&state=${encodeState({ page: 'inbox' })}`,
    );
    expect(window.history.state).toEqual({ router: 1 });
    expect(sessionStorage.getItem(CSRF_TOKEN_KEY)).toBeNull();
    auth.stop();
  });

  it('refuses a fragment token without the stored CSRF token (fail closed) and still cleans it', async () => {
    landOn(`/app#access_token=AT-forged&state=${encodeState({ csrf_token: CSRF })}`);
    const auth = createAuthorization(setup().config);
    const result = await auth.whenReady();
    expect(result.error).toBeInstanceOf(TransactionMissingError);
    expect(auth.credentials.supertoken).toBeUndefined();
    expect(window.location.href).toBe('http://localhost:3000/app');
    auth.stop();
  });

  it('refuses a mismatching CSRF token', async () => {
    sessionStorage.setItem(CSRF_TOKEN_KEY, CSRF);
    landOn(`/app#access_token=AT-forged&state=${encodeState({ csrf_token: 'other' })}`);
    const auth = createAuthorization(setup().config);
    expect((await auth.whenReady()).error).toBeInstanceOf(CsrfMismatchError);
    expect(auth.credentials.supertoken).toBeUndefined();
    auth.stop();
  });

  it('recognises an error in the fragment (RFC 6749 §4.2.2.1)', async () => {
    sessionStorage.setItem(CSRF_TOKEN_KEY, CSRF);
    landOn(`/app#error=access_denied&error_description=No&state=${encodeState({ csrf_token: CSRF })}`);
    const auth = createAuthorization(setup().config);
    const result = await auth.whenReady();
    expect(result.error).toBeInstanceOf(OAuthError);
    expect((result.error as OAuthError).error).toBe('access_denied');
    expect(window.location.href).toBe('http://localhost:3000/app');
    auth.stop();
  });

  it('leaves SPA routes in the fragment alone and does not consume a pending transaction', async () => {
    sessionStorage.setItem(CSRF_TOKEN_KEY, CSRF);
    landOn('/app#/inbox?folder=2');
    const auth = createAuthorization(setup().config);
    await expect(auth.whenReady()).resolves.toEqual({ outcome: 'none' });
    expect(window.location.href).toBe('http://localhost:3000/app#/inbox?folder=2');
    expect(sessionStorage.getItem(CSRF_TOKEN_KEY)).toBe(CSRF);
    auth.stop();
  });

  it('without the opt-in, an implicit fragment is not ours: untouched, nothing taken', async () => {
    sessionStorage.setItem(CSRF_TOKEN_KEY, CSRF);
    const href = `/app#access_token=AT-x&state=${encodeState({ csrf_token: CSRF })}`;
    landOn(href);
    const auth = createAuthorization(setup({ implicitGrant: undefined }).config);
    await expect(auth.whenReady()).resolves.toEqual({ outcome: 'none' });
    expect(auth.credentials.supertoken).toBeUndefined();
    expect(window.location.href).toBe(`http://localhost:3000${href}`);
    expect(sessionStorage.getItem(CSRF_TOKEN_KEY)).toBe(CSRF);
    auth.stop();
  });

  it('initiateLogin asks for response_type=token without PKCE and stores only the CSRF token', async () => {
    const win = new FakeWindow('https://app.example/');
    const auth = createAuthorization({
      ...setup().config,
      redirectUri: 'https://app.example/app',
      window: win.asWindow(),
    });
    await auth.initiateLogin({ state: { page: 'x' } });
    const url = new URL(win.navigations[0] ?? '');
    expect(url.searchParams.get('response_type')).toBe('token');
    expect(url.searchParams.has('code_challenge')).toBe(false);
    expect(win.sessionStorage.getItem(CSRF_TOKEN_KEY)).toBeTruthy();
    expect(win.sessionStorage.getItem(CODE_VERIFIER_KEY)).toBeNull();
    auth.stop();
  });
});
