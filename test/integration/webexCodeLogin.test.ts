/**
 * The webex profile's browser login against the run's Webex-dialect server (IdBroker on
 * 127.0.0.1, test/setup/globalSetup.ts), through the facade: Authorization Code + PKCE with a
 * public client, the org id of Webex's code handed to `collectPreauthCatalog`, refresh-token
 * rotation, revocation at logout and a user who declines. The page is a FakeWindow; the user is
 * played by the fixture's `approveWebexLogin`/`denyWebexLogin`. Each test registers a client of
 * its own.
 */
import { afterEach, describe, expect, inject, it } from 'vitest';
import { type Authorization, createAuthorization, OAuthError, type PreauthHint } from '../../src/index.js';
import { FakeWindow } from '../fixtures/fakeWindow.js';
import { approveWebexLogin, denyWebexLogin, registerWebexClient } from '../fixtures/webexServer.js';
import { acceptsAccessToken, landOnCallback, postsTo, recordingFetch, tryRefreshToken } from './support.js';

const APP = 'https://app.example/';
const REDIRECT_URI = 'https://app.example/callback';
const webex = inject('webexServer');

const facades: Authorization[] = [];

afterEach(() => {
  for (const auth of facades.splice(0)) auth.stop();
});

/** A facade on `win` for `clientId`, the requests it sends and the preauth hints it gives. */
function createFacade(clientId: string, win: FakeWindow) {
  const { fetch, sent } = recordingFetch();
  const hints: PreauthHint[] = [];
  const auth = createAuthorization({
    clientId,
    redirectUri: REDIRECT_URI,
    scope: 'spark:all',
    profile: 'webex',
    endpoints: {
      authorization: webex.authorizeUrl,
      token: webex.tokenUrl,
      revocation: webex.revokeUrl,
      endSession: webex.logoutUrl,
    },
    collectPreauthCatalog: (hint) => hints.push(hint),
    window: win.asWindow(),
    fetch,
    tokenStorage: 'memory',
    refreshAhead: false,
  });
  facades.push(auth);
  return { auth, sent, hints };
}

/** Starts a login on the app's page and lets the "user" answer it at IdBroker. */
async function loginAtIdBroker(answer: (authorizeUrl: string) => Promise<string> = approveWebexLogin) {
  const clientId = await registerWebexClient(webex.baseUrl, { redirectUris: [REDIRECT_URI] });
  const page = new FakeWindow(APP);
  const { auth } = createFacade(clientId, page);
  await auth.whenReady();
  await auth.initiateLogin();
  const authorizeUrl = new URL(page.navigations[0] ?? '');
  const callbackUrl = new URL(await answer(authorizeUrl.href));
  return { clientId, page, authorizeUrl, callbackUrl };
}

async function loggedIn() {
  const { clientId, page, callbackUrl } = await loginAtIdBroker();
  const facade = createFacade(clientId, landOnCallback(page, callbackUrl));
  await expect(facade.auth.whenReady()).resolves.toEqual({ outcome: 'authorized' });
  const token = facade.auth.credentials.supertoken;
  if (!token?.refresh_token) throw new Error('the login gave no refresh token');
  return { clientId, ...facade, token };
}

describe('webex profile: Authorization Code + PKCE against IdBroker', () => {
  it('logs in with PKCE, hands the org id to collectPreauthCatalog and gets working tokens', async () => {
    const { clientId, page, authorizeUrl, callbackUrl } = await loginAtIdBroker();
    expect(`${authorizeUrl.origin}${authorizeUrl.pathname}`).toBe(webex.authorizeUrl);
    expect(authorizeUrl.searchParams.get('client_id')).toBe(clientId);
    expect(authorizeUrl.searchParams.get('code_challenge_method')).toBe('S256');
    expect(callbackUrl.searchParams.get('code')).toMatch(new RegExp(`_${webex.orgId}$`));

    const callbackPage = landOnCallback(page, callbackUrl);
    const { auth, sent, hints } = createFacade(clientId, callbackPage);
    await expect(auth.whenReady()).resolves.toEqual({ outcome: 'authorized' });
    expect(postsTo(sent, webex.tokenUrl)).toHaveLength(1);
    expect(hints).toEqual([{ orgId: webex.orgId }]);
    expect(new URL(callbackPage.location.href).searchParams.has('code')).toBe(false);

    const token = auth.credentials.supertoken;
    expect(token?.scope).toBe('spark:all');
    expect(await acceptsAccessToken(webex.peopleMeUrl, token?.access_token ?? '')).toBe(true);
  });

  it('refreshes with rotation: new tokens, and the old refresh token is refused afterwards', async () => {
    const { clientId, auth, token: first } = await loggedIn();

    await auth.credentials.refresh();
    const second = auth.credentials.supertoken;
    expect(second?.access_token).not.toBe(first.access_token);
    expect(second?.refresh_token).not.toBe(first.refresh_token);
    expect(await acceptsAccessToken(webex.peopleMeUrl, second?.access_token ?? '')).toBe(true);

    const reuse = await tryRefreshToken(webex.tokenUrl, clientId, first.refresh_token ?? '');
    expect(reuse).toMatchObject({ status: 400, body: { error: 'invalid_grant' } });
  });

  it('revokes at logout with one POST: neither token is accepted afterwards', async () => {
    const { clientId, auth, sent, token } = await loggedIn();

    await auth.logout({ noRedirect: true });
    expect(auth.credentials.supertoken).toBeUndefined();
    expect(postsTo(sent, webex.revokeUrl)).toHaveLength(1);
    expect(await acceptsAccessToken(webex.peopleMeUrl, token.access_token)).toBe(false);
    const reuse = await tryRefreshToken(webex.tokenUrl, clientId, token.refresh_token ?? '');
    expect(reuse).toMatchObject({ status: 400, body: { error: 'invalid_grant' } });
  });

  it('reports a user who declines as access_denied, without a token request', async () => {
    const { clientId, page, callbackUrl } = await loginAtIdBroker(denyWebexLogin);
    expect(callbackUrl.searchParams.get('error')).toBe('access_denied');

    const { auth, sent } = createFacade(clientId, landOnCallback(page, callbackUrl));
    const result = await auth.whenReady();
    expect(result.outcome).toBe('failed');
    expect(result.error).toBeInstanceOf(OAuthError);
    expect((result.error as OAuthError).error).toBe('access_denied');
    expect(postsTo(sent, webex.tokenUrl)).toHaveLength(0);
  });
});
