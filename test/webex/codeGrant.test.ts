// @vitest-environment jsdom
// biome-ignore-all lint/suspicious/noVar: the guide's snippets are run as written (`var webex = …`).
// biome-ignore-all lint/complexity/useArrowFunction: the guide's snippets are run as written.
/**
 * The guide's "Authorization Code Grant Flow" section, browser side, as written (only the import
 * line and `<your URL from the portal>` differ). jsdom cannot navigate away ("Not implemented:
 * navigation" on stderr), so the login URL is read from the `redirectToLoginUrl` event.
 */
import { calculatePKCECodeChallenge } from 'oauth4webapi';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { CODE_VERIFIER_KEY, CSRF_TOKEN_KEY } from '../../src/transactionStore.js';
import Webex from '../../src/webex.js';
import {
  APP_URL,
  IDBROKER_AUTHORIZE,
  loginUrlOf,
  portalUrl,
  recordLogin,
  SCOPE,
  stopEveryInstanceAfterEachTest,
  uniqueClientId,
} from './support.js';

let clientId: string;
let YOUR_URL_FROM_THE_PORTAL: string;
stopEveryInstanceAfterEachTest();

beforeEach(() => {
  clientId = uniqueClientId();
  YOUR_URL_FROM_THE_PORTAL = portalUrl(clientId);
  sessionStorage.clear();
  localStorage.clear();
});

describe('Authorization Code Grant Flow: the frontend', () => {
  it("clientType: 'confidential' makes initiateLogin ask for a code (with PKCE and the CSRF token)", async () => {
    var webex = Webex.init({
      config: {
        credentials: {
          authorizationString: YOUR_URL_FROM_THE_PORTAL,
          clientType: 'confidential',
        },
      },
    });
    const events = recordLogin(webex);
    const yourAppLogic = vi.fn();

    webex.once(`ready`, function () {
      if (webex.canAuthorize) {
        yourAppLogic();
      } else {
        webex.authorization.initiateLogin();
      }
    });

    await vi.waitFor(() => expect(loginUrlOf(events)).toBeDefined());
    expect(yourAppLogic).not.toHaveBeenCalled();
    expect(webex.config.credentials.clientType).toBe('confidential');

    const url = loginUrlOf(events) as URL;
    expect(`${url.origin}${url.pathname}`).toBe(IDBROKER_AUTHORIZE);
    expect(url.searchParams.get('response_type')).toBe('code');
    expect(url.searchParams.get('client_id')).toBe(clientId);
    expect(url.searchParams.get('redirect_uri')).toBe(APP_URL);
    expect(url.searchParams.get('scope')).toBe(SCOPE);
    const verifier = sessionStorage.getItem(CODE_VERIFIER_KEY) ?? '';
    expect(url.searchParams.get('code_challenge_method')).toBe('S256');
    expect(url.searchParams.get('code_challenge')).toBe(await calculatePKCECodeChallenge(verifier));
    const state = JSON.parse(
      Buffer.from(url.searchParams.get('state') ?? '', 'base64url').toString('utf8'),
    ) as Record<string, unknown>;
    expect(state).toEqual({ csrf_token: sessionStorage.getItem(CSRF_TOKEN_KEY) });
    // No secret in a browser: the URL carries nothing but the public client id.
    expect(url.searchParams.has('client_secret')).toBe(false);
  });

  it('a public client gets the same code + PKCE login (both client types do, unlike Webex)', async () => {
    const urls: Record<string, URL | undefined> = {};
    for (const clientType of ['public', 'confidential'] as const) {
      const webex = Webex.init({
        config: { credentials: { authorizationString: YOUR_URL_FROM_THE_PORTAL, clientType } },
      });
      const events = recordLogin(webex);
      await webex.authorization.initiateLogin();
      urls[clientType] = loginUrlOf(events);
      webex.stop();
    }
    for (const url of Object.values(urls)) {
      expect(url?.searchParams.get('response_type')).toBe('code');
      expect(url?.searchParams.get('code_challenge_method')).toBe('S256');
    }
  });
});
