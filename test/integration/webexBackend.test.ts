/**
 * `authcharts/webex` in a backend (Node, a confidential client with its secret), as the Webex
 * guide's `/oauth/redirect` handler uses it, against the run's Webex-dialect server. The portal
 * URL is the real IdBroker one, so `Webex.init` picks the webex profile and derives the token and
 * revocation URLs itself; the only test plumbing is the fetch it is given, which sends
 * `idbroker.webex.com` to the local server (what a hosts-file entry would do). The server only
 * accepts this client with HTTP Basic, so every request that succeeds proves the secret went in
 * the header.
 */
import { afterEach, describe, expect, inject, it } from 'vitest';
import { InvalidGrantError } from '../../src/index.js';
import Webex, { type WebexInstance } from '../../src/webex.js';
import { approveWebexLogin, registerWebexClient } from '../fixtures/webexServer.js';
import { acceptsAccessToken, postsTo, recordingFetch } from './support.js';

const IDBROKER = 'https://idbroker.webex.com';
const REDIRECT_URI = 'http://localhost:8000/oauth/redirect';
/** A made-up secret for a client registered by this test. */
const CLIENT_SECRET = 'backend-secret-for-tests';
const webex = inject('webexServer');

const instances: WebexInstance[] = [];
afterEach(() => {
  for (const instance of instances.splice(0)) instance.stop();
});

/** `fetch`, with IdBroker's host resolved to the test server. */
function idBrokerOnTestServer(): { fetch: typeof fetch; sent: ReturnType<typeof recordingFetch>['sent'] } {
  const recording = recordingFetch();
  return {
    sent: recording.sent,
    fetch: (input, init) => {
      const url = new URL(input instanceof Request ? input.url : String(input));
      const target = url.origin === IDBROKER ? new URL(url.pathname + url.search, webex.baseUrl) : url;
      return recording.fetch(target, init);
    },
  };
}

/** The developer portal's URL for `clientId`. */
const portalUrl = (clientId: string) =>
  `${IDBROKER}/idb/oauth2/v1/authorize?client_id=${clientId}&response_type=code` +
  `&redirect_uri=${encodeURIComponent(REDIRECT_URI)}&scope=${encodeURIComponent('spark:all')}`;

/** The user logs in from the app's "Log in" link (the portal URL) and comes back with a code. */
async function codeFromLogin(clientId: string): Promise<string> {
  const onTestServer = portalUrl(clientId).replace(IDBROKER, webex.baseUrl);
  const callback = new URL(await approveWebexLogin(onTestServer));
  return callback.searchParams.get('code') ?? '';
}

function initBackend(clientId: string) {
  const network = idBrokerOnTestServer();
  const instance = Webex.init({
    config: {
      credentials: { authorizationString: portalUrl(clientId), client_secret: CLIENT_SECRET },
      authcharts: { fetch: network.fetch },
    },
  });
  instances.push(instance);
  return { instance, sent: network.sent };
}

describe('authcharts/webex backend: the guide’s code exchange, refresh and logout against IdBroker', () => {
  it('exchanges the code with HTTP Basic, refreshes with rotation and revokes at logout', async () => {
    const clientId = await registerWebexClient(webex.baseUrl, {
      clientSecret: CLIENT_SECRET,
      redirectUris: [REDIRECT_URI],
    });
    const { instance, sent } = initBackend(clientId);
    expect(instance.config.credentials.profile).toBe('webex');

    await instance.requestAuthorizationCodeGrant({ code: await codeFromLogin(clientId) });
    const first = instance.credentials.supertoken?.toJSON();
    expect(first?.access_token).toEqual(expect.any(String));
    expect(await acceptsAccessToken(webex.peopleMeUrl, first?.access_token ?? '')).toBe(true);

    await instance.refresh();
    const second = instance.credentials.supertoken?.toJSON();
    expect(second?.refresh_token).not.toBe(first?.refresh_token);
    expect(await acceptsAccessToken(webex.peopleMeUrl, second?.access_token ?? '')).toBe(true);

    await instance.logout({ noRedirect: true });
    expect(instance.credentials.supertoken).toBeUndefined();
    expect(postsTo(sent, `${webex.baseUrl}/idb/oauth2/v1/revoke`)).toHaveLength(1);
    expect(await acceptsAccessToken(webex.peopleMeUrl, second?.access_token ?? '')).toBe(false);
  });

  it('rejects a code used twice with InvalidGrantError (a reloaded redirect handler)', async () => {
    const clientId = await registerWebexClient(webex.baseUrl, {
      clientSecret: CLIENT_SECRET,
      redirectUris: [REDIRECT_URI],
    });
    const code = await codeFromLogin(clientId);
    await initBackend(clientId).instance.requestAuthorizationCodeGrant({ code });

    const reloaded = initBackend(clientId).instance;
    await expect(reloaded.requestAuthorizationCodeGrant({ code })).rejects.toBeInstanceOf(InvalidGrantError);
    expect(reloaded.credentials.supertoken).toBeUndefined();
  });
});
