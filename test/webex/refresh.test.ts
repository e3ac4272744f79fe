// @vitest-environment jsdom
// biome-ignore-all lint/suspicious/noVar: the guide's snippets are run as written (`var webex = …`).
// biome-ignore-all lint/complexity/useArrowFunction: the guide's snippets are run as written.
// biome-ignore-all lint/correctness/noUnusedFunctionParameters: the guide's snippets are run as written.
/**
 * The guide's "Token Refresh" frontend snippets as written (only the import line and
 * `<your URL from the portal>` differ): the Authorization Code Grant `refreshCallback` that asks
 * the app's backend (`fetch('/oauth/refresh')`, a global stub here), and the implicit grant's
 * "naive" one that logs in again. The page starts with a token stored by an earlier login.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ProtocolError } from '../../src/errors.js';
import type { SessionEvent } from '../../src/events.js';
import type { Token } from '../../src/token.js';
import { tokenStorageKey } from '../../src/tokenStore.js';
import Webex, { type WebexInstance, WebexSupertoken } from '../../src/webex.js';
import {
  loginUrlOf,
  portalUrl,
  recordLogin,
  stopEveryInstanceAfterEachTest,
  uniqueClientId,
} from './support.js';

let clientId: string;
let YOUR_URL_FROM_THE_PORTAL: string;
stopEveryInstanceAfterEachTest();

/** What the backend's `/oauth/refresh` answers: a new token from Webex. */
const backendAnswer = { access_token: 'AT-2', token_type: 'Bearer', expires_in: 3600, refresh_token: 'RT-2' };

function storeEarlierLogin(token: Partial<Token> = {}) {
  const stored: Token = {
    access_token: 'AT-1',
    token_type: 'Bearer',
    expires: Date.now() + 3_600_000,
    refresh_token: 'RT-1',
    ...token,
  };
  localStorage.setItem(tokenStorageKey(clientId), JSON.stringify(stored));
}

beforeEach(() => {
  clientId = uniqueClientId();
  YOUR_URL_FROM_THE_PORTAL = portalUrl(clientId);
  sessionStorage.clear();
  localStorage.clear();
});

afterEach(() => {
  vi.unstubAllGlobals();
});

describe('Token Refresh, Authorization Code Grant: refreshCallback asks the backend', () => {
  it('webex.refresh() posts the refresh token to /oauth/refresh and takes the token it answers', async () => {
    storeEarlierLogin();
    const fetch = vi.fn(async (_url: string, _init?: RequestInit) => Response.json(backendAnswer));
    vi.stubGlobal('fetch', fetch);

    var webex = Webex.init({
      config: {
        credentials: {
          authorizationString: YOUR_URL_FROM_THE_PORTAL,
          clientType: 'confidential',
          // @ts-expect-error -- noUnusedParameters: the guide's callback does not use `webex`.
          refreshCallback: function (webex, token) {
            return fetch(`/oauth/refresh`, {
              method: `POST`,
              body: JSON.stringify({
                refresh_token: token.refresh_token,
              }),
            }).then((res) => res.json());
          },
        },
      },
    });
    const session: SessionEvent[] = [];
    webex.authorization.eventEmitter.on('session', (event) => session.push(event));
    expect(webex.credentials.supertoken?.access_token).toBe('AT-1');
    expect(webex.credentials.canRefresh).toBe(true);

    await webex.refresh();

    expect(fetch).toHaveBeenCalledTimes(1);
    expect(fetch.mock.calls[0]?.[0]).toBe('/oauth/refresh');
    expect(fetch.mock.calls[0]?.[1]).toEqual({
      method: 'POST',
      body: JSON.stringify({ refresh_token: 'RT-1' }),
    });
    expect(webex.credentials.supertoken?.toJSON()).toMatchObject({
      access_token: 'AT-2',
      token_type: 'Bearer',
      refresh_token: 'RT-2',
    });
    expect(webex.credentials.supertoken?.expires_in).toBeGreaterThan(3590);
    expect(webex.canAuthorize).toBe(true);
    expect(session.map((event) => event.eventType)).toEqual(['tokenRefreshed']);
    // Stored for the next page load, like any refreshed token.
    expect(JSON.parse(localStorage.getItem(tokenStorageKey(clientId)) ?? '{}').access_token).toBe('AT-2');
  });

  it('the callback receives this webex object and the current token (Webex’s order)', async () => {
    storeEarlierLogin({ scope: 'spark:all' });
    const calls: Array<[WebexInstance, WebexSupertoken]> = [];
    const webex = Webex.init({
      config: {
        credentials: {
          authorizationString: YOUR_URL_FROM_THE_PORTAL,
          refreshCallback: (instance, token) => {
            calls.push([instance, token]);
            return { access_token: 'AT-2' };
          },
        },
      },
    });
    await webex.refresh();
    expect(calls).toHaveLength(1);
    const [instance, token] = calls[0] ?? [];
    expect(instance).toBe(webex);
    expect(token).toBeInstanceOf(WebexSupertoken);
    expect(token?.toJSON()).toMatchObject({
      access_token: 'AT-1',
      refresh_token: 'RT-1',
      scope: 'spark:all',
    });
    // No refresh token in the answer: the old one is kept (RFC 6749 §6).
    expect(webex.credentials.supertoken?.toJSON()).toMatchObject({
      access_token: 'AT-2',
      refresh_token: 'RT-1',
    });
  });

  it('a stored token that has expired is refreshed through the callback by itself', async () => {
    storeEarlierLogin({ expires: Date.now() - 1000 });
    const refreshCallback = vi.fn(async () => backendAnswer);
    const webex = Webex.init({
      config: { credentials: { authorizationString: YOUR_URL_FROM_THE_PORTAL, refreshCallback } },
    });
    expect(webex.canAuthorize).toBe(true);
    await vi.waitFor(() => expect(webex.credentials.supertoken?.access_token).toBe('AT-2'));
    expect(refreshCallback).toHaveBeenCalledTimes(1);
  });
});

describe('Token Refresh, Implicit Grant: a naive refreshCallback logs in again', () => {
  it('webex.refresh() starts a login (and rejects: the callback produced no token)', async () => {
    storeEarlierLogin({ refresh_token: undefined });

    var webex = Webex.init({
      config: {
        credentials: {
          authorizationString: YOUR_URL_FROM_THE_PORTAL,
          clientType: 'confidential',
          // @ts-expect-error -- noUnusedParameters: the guide's callback does not use `token`.
          refreshCallback: function (webex, token) {
            webex.authorization.initiateLogin();
          },
        },
      },
    });
    const events = recordLogin(webex);
    expect(webex.credentials.canRefresh).toBe(true);

    const error = await webex.refresh().catch((e: unknown) => e);

    expect(error).toBeInstanceOf(ProtocolError);
    await vi.waitFor(() => expect(loginUrlOf(events)).toBeDefined());
    expect(events[0]).toEqual({ eventType: 'initiateLogin', data: { hasEmail: false, hasState: false } });
    expect(loginUrlOf(events)?.searchParams.get('client_id')).toBe(clientId);
  });
});
