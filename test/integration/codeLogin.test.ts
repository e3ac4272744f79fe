/**
 * Authorization Code + PKCE against a real authorization server (the run's oidc-provider on
 * 127.0.0.1, test/setup/globalSetup.ts): discovery, the login redirect, the callback with `iss`,
 * the code exchange, refresh-token rotation, revocation at logout, and a user who denies. The
 * page is a FakeWindow; the user is played by the fixture's `approveUrl`/`denyUrl`, which log in
 * (or decline) without a browser. What a facade sent is read from its own fetch, because the
 * server also serves other test files.
 */
import { afterEach, describe, expect, inject, it } from 'vitest';
import {
  type Authorization,
  CsrfMismatchError,
  createAuthorization,
  IssuerMismatchError,
  OAuthError,
} from '../../src/index.js';
import { decodeState, encodeState } from '../../src/stateCodec.js';
import { CODE_VERIFIER_KEY, CSRF_TOKEN_KEY } from '../../src/transactionStore.js';
import { approveUrl, denyUrl } from '../fixtures/authorizationServer.js';
import { FakeWindow } from '../fixtures/fakeWindow.js';
import {
  acceptsAccessToken,
  landOnCallback,
  postsTo,
  recordingFetch,
  type SentRequest,
  tryRefreshToken,
} from './support.js';

const APP = 'https://app.example/';
const server = inject('authorizationServer');
const TOKEN_ENDPOINT = `${server.issuer}/token`;
const REVOCATION_ENDPOINT = `${server.issuer}/token/revocation`;
const USERINFO_ENDPOINT = `${server.issuer}/me`;

const facades: Authorization[] = [];

afterEach(() => {
  for (const auth of facades.splice(0)) auth.stop();
});

/** A facade on `win`, and the requests it sends. */
function createFacade(win: FakeWindow): { auth: Authorization; sent: SentRequest[] } {
  const { fetch, sent } = recordingFetch();
  const auth = createAuthorization({
    clientId: server.clientId,
    redirectUri: server.redirectUri,
    issuer: server.issuer,
    scope: 'openid',
    window: win.asWindow(),
    fetch,
    tokenStorage: 'memory',
    refreshAhead: false,
  });
  facades.push(auth);
  return { auth, sent };
}

/** Starts a login on the app's page and lets the "user" answer it at the server. */
async function loginAtServer(answer: (authorizeUrl: string) => Promise<string> = approveUrl) {
  const page = new FakeWindow(APP);
  const { auth } = createFacade(page);
  await expect(auth.whenReady()).resolves.toEqual({ outcome: 'none' });
  await auth.initiateLogin();
  expect(page.navigations).toHaveLength(1);
  const authorizeUrl = new URL(page.navigations[0] ?? '');
  const callbackUrl = new URL(await answer(authorizeUrl.href));
  return { page, authorizeUrl, callbackUrl };
}

/** A full login: the callback page's facade, authorized. */
async function loggedIn() {
  const { page, callbackUrl } = await loginAtServer();
  const facade = createFacade(landOnCallback(page, callbackUrl));
  await expect(facade.auth.whenReady()).resolves.toEqual({ outcome: 'authorized' });
  const token = facade.auth.credentials.supertoken;
  if (!token?.refresh_token) throw new Error('the login gave no refresh token');
  return { ...facade, token };
}

describe('Authorization Code + PKCE against oidc-provider', () => {
  it('logs in: PKCE authorize request, callback with iss, one code exchange, a clean URL and working tokens', async () => {
    const { page, authorizeUrl, callbackUrl } = await loginAtServer();

    expect(`${authorizeUrl.origin}${authorizeUrl.pathname}`).toBe(`${server.issuer}/auth`);
    expect(authorizeUrl.searchParams.get('response_type')).toBe('code');
    expect(authorizeUrl.searchParams.get('client_id')).toBe(server.clientId);
    expect(authorizeUrl.searchParams.get('code_challenge_method')).toBe('S256');
    expect(callbackUrl.searchParams.get('code')).toBeTruthy();
    expect(callbackUrl.searchParams.get('state')).toBe(authorizeUrl.searchParams.get('state'));
    expect(callbackUrl.searchParams.get('iss')).toBe(server.issuer);

    const callbackPage = landOnCallback(page, callbackUrl);
    const { auth, sent } = createFacade(callbackPage);
    await expect(auth.whenReady()).resolves.toEqual({ outcome: 'authorized' });
    expect(postsTo(sent, TOKEN_ENDPOINT)).toHaveLength(1);

    // The URL is clean: no code, no iss, and no CSRF token left in the state.
    const cleaned = new URL(callbackPage.location.href);
    expect(cleaned.searchParams.has('code')).toBe(false);
    expect(cleaned.searchParams.has('iss')).toBe(false);
    const state = cleaned.searchParams.get('state');
    if (state !== null) expect(decodeState(state)).not.toHaveProperty('csrf_token');
    expect(callbackPage.sessionStorage.getItem(CSRF_TOKEN_KEY)).toBeNull();
    expect(callbackPage.sessionStorage.getItem(CODE_VERIFIER_KEY)).toBeNull();

    // Real tokens: the access token works at the userinfo endpoint.
    const token = auth.credentials.supertoken;
    expect(token?.token_type?.toLowerCase()).toBe('bearer');
    expect(token?.refresh_token).toEqual(expect.any(String));
    const userinfo = await fetch(USERINFO_ENDPOINT, {
      headers: { authorization: `Bearer ${token?.access_token}` },
    });
    expect(userinfo.status).toBe(200);
    await expect(userinfo.json()).resolves.toMatchObject({ sub: 'user-1' });
  });

  it('refreshes with rotation: new tokens, and the old refresh token is refused afterwards', async () => {
    const { auth, token: first } = await loggedIn();

    await auth.credentials.refresh();
    const second = auth.credentials.supertoken;
    expect(second?.access_token).not.toBe(first.access_token);
    expect(second?.refresh_token).toEqual(expect.any(String));
    expect(second?.refresh_token).not.toBe(first.refresh_token);
    expect(await acceptsAccessToken(USERINFO_ENDPOINT, second?.access_token ?? '')).toBe(true);

    const reuse = await tryRefreshToken(TOKEN_ENDPOINT, server.clientId, first.refresh_token ?? '');
    expect(reuse).toMatchObject({ status: 400, body: { error: 'invalid_grant' } });
  });

  it('revokes at logout with one POST: neither token is accepted afterwards', async () => {
    const { auth, sent, token } = await loggedIn();

    await auth.logout({ noRedirect: true });
    expect(auth.credentials.supertoken).toBeUndefined();
    expect(postsTo(sent, REVOCATION_ENDPOINT)).toHaveLength(1);
    expect(await acceptsAccessToken(USERINFO_ENDPOINT, token.access_token)).toBe(false);
    const reuse = await tryRefreshToken(TOKEN_ENDPOINT, server.clientId, token.refresh_token ?? '');
    expect(reuse).toMatchObject({ status: 400, body: { error: 'invalid_grant' } });
  });

  it('reports a user who denies as access_denied, without a token request', async () => {
    const { page, authorizeUrl, callbackUrl } = await loginAtServer(denyUrl);
    expect(callbackUrl.searchParams.get('error')).toBe('access_denied');
    expect(callbackUrl.searchParams.get('state')).toBe(authorizeUrl.searchParams.get('state'));

    const { auth, sent } = createFacade(landOnCallback(page, callbackUrl));
    const result = await auth.whenReady();
    expect(result.outcome).toBe('failed');
    expect(result.error).toBeInstanceOf(OAuthError);
    expect((result.error as OAuthError).error).toBe('access_denied');
    expect(auth.credentials.supertoken).toBeUndefined();
    expect(postsTo(sent, TOKEN_ENDPOINT)).toHaveLength(0);
  });

  it('refuses a callback whose state was tampered with, without a token request', async () => {
    const { page, callbackUrl } = await loginAtServer();
    const state = decodeState(callbackUrl.searchParams.get('state') ?? '');
    callbackUrl.searchParams.set(
      'state',
      encodeState({ ...state, csrf_token: 'forged-csrf-token-0123456789' }),
    );

    const { auth, sent } = createFacade(landOnCallback(page, callbackUrl));
    const result = await auth.whenReady();
    expect(result.outcome).toBe('failed');
    expect(result.error).toBeInstanceOf(CsrfMismatchError);
    expect(auth.credentials.supertoken).toBeUndefined();
    expect(postsTo(sent, TOKEN_ENDPOINT)).toHaveLength(0);
  });

  it('checks the iss the server sends (RFC 9207), without a token request', async () => {
    const { page, callbackUrl } = await loginAtServer();
    callbackUrl.searchParams.set('iss', 'http://127.0.0.1:1');

    const { auth, sent } = createFacade(landOnCallback(page, callbackUrl));
    const result = await auth.whenReady();
    expect(result.outcome).toBe('failed');
    expect(result.error).toBeInstanceOf(IssuerMismatchError);
    expect(auth.credentials.supertoken).toBeUndefined();
    expect(postsTo(sent, TOKEN_ENDPOINT)).toHaveLength(0);
  });
});
