// @vitest-environment jsdom
// biome-ignore-all lint/suspicious/noVar: the guide's snippets are run as written (`var webex = …`).
// biome-ignore-all lint/complexity/useArrowFunction: the guide's snippets are run as written.
/**
 * The guide's "Implicit Grant flow" section, every snippet as written; only
 * `var Webex = require('webex')` became the import below and `<your URL from the portal>` a
 * variable. The guide's public client logs in with code + PKCE here (a deliberate deviation);
 * `implicitGrant: true` opts into the legacy `response_type=token`.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { encodeState } from '../../src/stateCodec.js';
import { CODE_VERIFIER_KEY, CSRF_TOKEN_KEY } from '../../src/transactionStore.js';
import Webex, { type WebexInstance } from '../../src/webex.js';
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

const CSRF = 'csrf-from-an-earlier-initiateLogin';

let clientId: string;
let YOUR_URL_FROM_THE_PORTAL: string;
stopEveryInstanceAfterEachTest();

const landOn = (path: string) => window.history.replaceState(null, '', path);

beforeEach(() => {
  clientId = uniqueClientId();
  YOUR_URL_FROM_THE_PORTAL = portalUrl(clientId);
  sessionStorage.clear();
  localStorage.clear();
  landOn('/');
});

afterEach(() => {
  landOn('/');
});

describe('Implicit Grant flow: initialize with the URL from the portal, then initiateLogin()', () => {
  it('reads client_id, redirect_uri and scope from the URL and logs in at its authorize endpoint (code + PKCE)', async () => {
    var webex = Webex.init({
      config: {
        credentials: {
          authorizationString: YOUR_URL_FROM_THE_PORTAL,
        },
      },
    });
    const events = recordLogin(webex);

    webex.authorization.initiateLogin();

    await vi.waitFor(() => expect(loginUrlOf(events)).toBeDefined());
    const url = loginUrlOf(events) as URL;
    expect(`${url.origin}${url.pathname}`).toBe(IDBROKER_AUTHORIZE);
    expect(url.searchParams.get('client_id')).toBe(clientId);
    expect(url.searchParams.get('redirect_uri')).toBe(APP_URL);
    expect(url.searchParams.get('scope')).toBe(SCOPE);
    // The portal's response_type and state are not copied; a public client gets code + PKCE.
    expect(url.searchParams.get('response_type')).toBe('code');
    expect(url.searchParams.get('code_challenge_method')).toBe('S256');
    expect(url.searchParams.get('state')).not.toBe('set_state_here');
    expect(sessionStorage.getItem(CODE_VERIFIER_KEY)).toMatch(/^[A-Za-z0-9._~-]{43,128}$/);
    expect(events.map((event) => event.eventType)).toEqual(['initiateLogin', 'redirectToLoginUrl']);
    await vi.waitFor(() => expect(webex.authorization.isAuthorizing).toBe(false));
  });

  it('with implicitGrant: true asks for response_type=token, no PKCE, the CSRF token in state', async () => {
    var webex = Webex.init({
      config: {
        credentials: {
          authorizationString: YOUR_URL_FROM_THE_PORTAL,
          implicitGrant: true,
        },
      },
    });
    const events = recordLogin(webex);

    webex.authorization.initiateLogin();

    await vi.waitFor(() => expect(loginUrlOf(events)).toBeDefined());
    const url = loginUrlOf(events) as URL;
    expect(`${url.origin}${url.pathname}`).toBe(IDBROKER_AUTHORIZE);
    expect(url.searchParams.get('response_type')).toBe('token');
    expect(url.searchParams.has('code_challenge')).toBe(false);
    expect(url.searchParams.get('client_id')).toBe(clientId);
    expect(url.searchParams.get('scope')).toBe(SCOPE);
    const state = JSON.parse(
      Buffer.from(url.searchParams.get('state') ?? '', 'base64url').toString('utf8'),
    ) as Record<string, unknown>;
    expect(state.csrf_token).toBe(sessionStorage.getItem(CSRF_TOKEN_KEY));
    expect(sessionStorage.getItem(CODE_VERIFIER_KEY)).toBeNull();
  });
});

describe("Implicit Grant flow: wait for 'ready', then canAuthorize or initiateLogin()", () => {
  /** The guide's block, `// your app logic goes here` filled with a spy. */
  function runGuideBlock(webex: WebexInstance, yourAppLogic: () => void) {
    webex.once(`ready`, function () {
      if (webex.canAuthorize) {
        yourAppLogic();
      } else {
        webex.authorization.initiateLogin();
      }
    });
  }

  it('after the redirect back (opted in): reads and removes the token from the URL, runs the app', async () => {
    // The login page redirected back with the token in the fragment and the CSRF token in state.
    sessionStorage.setItem(CSRF_TOKEN_KEY, CSRF);
    landOn(
      `/#access_token=AT-implicit&token_type=Bearer&expires_in=3600&scope=spark%3Aall&state=${encodeState({ csrf_token: CSRF })}`,
    );

    var webex = Webex.init({
      config: {
        credentials: {
          authorizationString: YOUR_URL_FROM_THE_PORTAL,
          implicitGrant: true,
        },
      },
    });
    const events = recordLogin(webex);
    const yourAppLogic = vi.fn();
    runGuideBlock(webex, yourAppLogic);

    await vi.waitFor(() => expect(yourAppLogic).toHaveBeenCalledTimes(1));
    expect(webex.canAuthorize).toBe(true);
    expect(webex.credentials.supertoken?.access_token).toBe('AT-implicit');
    expect(webex.credentials.supertoken?.toString()).toBe('Bearer AT-implicit');
    expect(webex.credentials.supertoken?.expires_in).toBeGreaterThan(3590);
    expect(window.location.href).not.toContain('AT-implicit');
    expect(window.location.href).not.toContain('access_token');
    expect(sessionStorage.getItem(CSRF_TOKEN_KEY)).toBeNull();
    expect(events).toEqual([
      {
        eventType: 'authorizationSuccess',
        data: { via: 'implicit', scope: 'spark:all', expires: webex.credentials.supertoken?.expires },
      },
    ]);
  });

  it('on a first visit: cannot authorize, so the block starts the login', async () => {
    var webex = Webex.init({
      config: {
        credentials: {
          authorizationString: YOUR_URL_FROM_THE_PORTAL,
        },
      },
    });
    const events = recordLogin(webex);
    const yourAppLogic = vi.fn();
    runGuideBlock(webex, yourAppLogic);

    await vi.waitFor(() => expect(loginUrlOf(events)).toBeDefined());
    expect(yourAppLogic).not.toHaveBeenCalled();
    expect(webex.canAuthorize).toBe(false);
    expect(loginUrlOf(events)?.searchParams.get('client_id')).toBe(clientId);
  });

  it('without the opt-in a token fragment is not ours: left alone, and the block starts a code login', async () => {
    sessionStorage.setItem(CSRF_TOKEN_KEY, CSRF);
    const fragment = `#access_token=AT-implicit&token_type=Bearer&state=${encodeState({ csrf_token: CSRF })}`;
    landOn(`/${fragment}`);

    var webex = Webex.init({
      config: {
        credentials: {
          authorizationString: YOUR_URL_FROM_THE_PORTAL,
        },
      },
    });
    const events = recordLogin(webex);
    const yourAppLogic = vi.fn();
    const href = window.location.href;
    runGuideBlock(webex, yourAppLogic);

    await vi.waitFor(() => expect(loginUrlOf(events)).toBeDefined());
    expect(yourAppLogic).not.toHaveBeenCalled();
    expect(window.location.href).toBe(href);
    expect(window.location.hash).toBe(fragment);
    expect(webex.credentials.supertoken).toBeUndefined();
    expect(loginUrlOf(events)?.searchParams.get('response_type')).toBe('code');
    expect(events.some((event) => event.eventType === 'authorizationSuccess')).toBe(false);
  });

  it('calls a listener added after ready on a later tick, exactly once', async () => {
    var webex = Webex.init({ config: { credentials: { authorizationString: YOUR_URL_FROM_THE_PORTAL } } });
    await webex.authorization.whenReady();
    expect(webex.ready).toBe(true);
    const listener = vi.fn();
    webex.once('ready', listener);
    expect(listener).not.toHaveBeenCalled();
    await vi.waitFor(() => expect(listener).toHaveBeenCalledTimes(1));
    expect(listener.mock.contexts[0]).toBe(webex);
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(listener).toHaveBeenCalledTimes(1);
  });
});
