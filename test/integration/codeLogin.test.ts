// @vitest-environment node
/**
 * Authorization Code + PKCE against a real authorization server (oidc-provider on 127.0.0.1):
 * discovery, the login redirect, the callback with `iss`, the code exchange, refresh-token
 * rotation and revocation at logout. The page is a FakeWindow; the user is played by the
 * fixture's `approveUrl`, which logs in and consents without a browser.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  type Authorization,
  CsrfMismatchError,
  createAuthorization,
  IssuerMismatchError,
} from '../../src/index.js';
import { decodeState, encodeState } from '../../src/stateCodec.js';
import { CODE_VERIFIER_KEY, CSRF_TOKEN_KEY } from '../../src/transactionStore.js';
import { type AuthorizationServer, startAuthorizationServer } from '../fixtures/authorizationServer.js';
import { FakeWindow } from '../fixtures/fakeWindow.js';

const APP = 'https://app.example/';
const REDIRECT_URI = 'https://app.example/callback';

let server: AuthorizationServer;
const facades: Authorization[] = [];

beforeAll(async () => {
  server = await startAuthorizationServer({ redirectUris: [REDIRECT_URI] });
});
afterEach(() => {
  for (const auth of facades.splice(0)) auth.stop();
});
afterAll(async () => {
  await server?.stop();
});

function createFacade(win: FakeWindow): Authorization {
  const auth = createAuthorization({
    clientId: server.clientId,
    redirectUri: REDIRECT_URI,
    issuer: server.issuer,
    scope: 'openid',
    window: win.asWindow(),
    tokenStorage: 'memory',
    refreshAhead: false,
  });
  facades.push(auth);
  return auth;
}

/** POSTs to the token endpoint the server has received so far. */
const tokenRequests = () => server.requests.filter((r) => r.method === 'POST' && r.path === '/token');

/** Starts a login on the app's page and lets the "user" approve it at the server. */
async function loginAtServer() {
  const page = new FakeWindow(APP);
  const auth = createFacade(page);
  await expect(auth.whenReady()).resolves.toEqual({ outcome: 'none' });
  await auth.initiateLogin();
  expect(page.navigations).toHaveLength(1);
  const authorizeUrl = new URL(page.navigations[0] ?? '');
  const callbackUrl = new URL(await server.approveUrl(authorizeUrl.href));
  return { page, authorizeUrl, callbackUrl };
}

/** The page the server redirects back to, in the same tab: it shares the login's sessionStorage. */
function landOnCallback(page: FakeWindow, callbackUrl: URL): FakeWindow {
  const callbackPage = new FakeWindow(callbackUrl.href);
  for (const key of [CSRF_TOKEN_KEY, CODE_VERIFIER_KEY]) {
    const value = page.sessionStorage.getItem(key);
    if (value !== null) callbackPage.sessionStorage.setItem(key, value);
  }
  return callbackPage;
}

async function useRefreshToken(refreshToken: string): Promise<Response> {
  return fetch(`${server.issuer}/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'refresh_token',
      refresh_token: refreshToken,
      client_id: server.clientId,
    }),
  });
}

describe('Authorization Code + PKCE against oidc-provider', () => {
  it('logs in, refreshes with rotation and revokes at logout', async () => {
    const { page, authorizeUrl, callbackUrl } = await loginAtServer();

    expect(`${authorizeUrl.origin}${authorizeUrl.pathname}`).toBe(`${server.issuer}/auth`);
    expect(authorizeUrl.searchParams.get('response_type')).toBe('code');
    expect(authorizeUrl.searchParams.get('client_id')).toBe(server.clientId);
    expect(authorizeUrl.searchParams.get('code_challenge_method')).toBe('S256');
    expect(callbackUrl.searchParams.get('code')).toBeTruthy();
    expect(callbackUrl.searchParams.get('state')).toBe(authorizeUrl.searchParams.get('state'));
    expect(callbackUrl.searchParams.get('iss')).toBe(server.issuer);

    const exchangesBefore = tokenRequests().length;
    const callbackPage = landOnCallback(page, callbackUrl);
    const auth = createFacade(callbackPage);
    await expect(auth.whenReady()).resolves.toEqual({ outcome: 'authorized' });
    expect(tokenRequests()).toHaveLength(exchangesBefore + 1);

    // The URL is clean: no code, no iss, and no CSRF token left in the state.
    const cleaned = new URL(callbackPage.location.href);
    expect(cleaned.searchParams.has('code')).toBe(false);
    expect(cleaned.searchParams.has('iss')).toBe(false);
    const state = cleaned.searchParams.get('state');
    if (state !== null) expect(decodeState(state)).not.toHaveProperty('csrf_token');
    expect(callbackPage.sessionStorage.getItem(CSRF_TOKEN_KEY)).toBeNull();
    expect(callbackPage.sessionStorage.getItem(CODE_VERIFIER_KEY)).toBeNull();

    // Real tokens: the access token works at the userinfo endpoint.
    const first = auth.credentials.supertoken;
    expect(first?.token_type?.toLowerCase()).toBe('bearer');
    expect(first?.access_token).toEqual(expect.any(String));
    expect(first?.refresh_token).toEqual(expect.any(String));
    const userinfo = await fetch(`${server.issuer}/me`, {
      headers: { authorization: `Bearer ${first?.access_token}` },
    });
    expect(userinfo.status).toBe(200);
    await expect(userinfo.json()).resolves.toMatchObject({ sub: 'user-1' });

    // Refresh rotates the refresh token.
    await auth.credentials.refresh();
    const second = auth.credentials.supertoken;
    expect(second?.access_token).toEqual(expect.any(String));
    expect(second?.access_token).not.toBe(first?.access_token);
    expect(second?.refresh_token).toEqual(expect.any(String));
    expect(second?.refresh_token).not.toBe(first?.refresh_token);

    // Logout revokes the current refresh token at the server.
    const revocationsBefore = server.requests.filter((r) => r.path === '/token/revocation').length;
    await auth.logout({ noRedirect: true });
    expect(auth.credentials.supertoken).toBeUndefined();
    expect(server.requests.filter((r) => r.method === 'POST' && r.path === '/token/revocation')).toHaveLength(
      revocationsBefore + 1,
    );
    const reuse = await useRefreshToken(second?.refresh_token ?? '');
    expect(reuse.status).toBe(400);
    await expect(reuse.json()).resolves.toMatchObject({ error: 'invalid_grant' });
  });

  it('refuses a callback whose state was tampered with, without a token request', async () => {
    const { page, callbackUrl } = await loginAtServer();
    const state = decodeState(callbackUrl.searchParams.get('state') ?? '');
    callbackUrl.searchParams.set(
      'state',
      encodeState({ ...state, csrf_token: 'forged-csrf-token-0123456789' }),
    );

    const exchangesBefore = tokenRequests().length;
    const auth = createFacade(landOnCallback(page, callbackUrl));
    const result = await auth.whenReady();
    expect(result.outcome).toBe('failed');
    expect(result.error).toBeInstanceOf(CsrfMismatchError);
    expect(auth.credentials.supertoken).toBeUndefined();
    expect(tokenRequests()).toHaveLength(exchangesBefore);
  });

  it('checks the iss the server sends (RFC 9207), without a token request', async () => {
    const { page, callbackUrl } = await loginAtServer();
    callbackUrl.searchParams.set('iss', 'http://127.0.0.1:1');

    const exchangesBefore = tokenRequests().length;
    const auth = createFacade(landOnCallback(page, callbackUrl));
    const result = await auth.whenReady();
    expect(result.outcome).toBe('failed');
    expect(result.error).toBeInstanceOf(IssuerMismatchError);
    expect(auth.credentials.supertoken).toBeUndefined();
    expect(tokenRequests()).toHaveLength(exchangesBefore);
  });
});
