/**
 * `Webex.init()` in Node: the `ConfigError` (field and reason) each bad `config.credentials`,
 * `authorizationString` or option gives, the endpoints derived from an authorize URL, the secret
 * rules outside a browser, facade errors renamed to Webex's fields, and the object's methods
 * (`credentials`, `requestAuthorizationCodeGrant`, `once`/`off`/`stop`) on a fake token endpoint.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  init,
  type WebexCredentialsConfig,
  type WebexInitOptions,
  type WebexInstance,
} from '../../src/webex.js';
import { createFakeFetch, json } from '../fixtures/fakeFetch.js';
import { FakeWindow } from '../fixtures/fakeWindow.js';
import { configError, expectConfigError, IDBROKER_AUTHORIZE, portalUrl } from './support.js';

const BTS_AUTHORIZE = 'https://idbrokerbts.webex.com/idb/oauth2/v1/authorize';
const BTS_TOKEN = 'https://idbrokerbts.webex.com/idb/oauth2/v1/access_token';
const APP = { client_id: 'c', redirect_uri: 'https://app.example/' };

const instances: WebexInstance[] = [];
function start(options: WebexInitOptions): WebexInstance {
  const webex = init(options);
  instances.push(webex);
  return webex;
}
const withCredentials = (credentials: WebexCredentialsConfig) => start({ config: { credentials } });

afterEach(() => {
  for (const webex of instances.splice(0)) webex.stop();
  vi.unstubAllEnvs();
  vi.unstubAllGlobals();
});

describe('options, config and authcharts must be objects', () => {
  it.each<[string, unknown]>([
    ['a string', 'x'],
    ['null', null],
    ['an array', []],
  ])('options that are %s are refused', (_name, options) => {
    expectConfigError(() => start(options as WebexInitOptions), 'options', 'must be an object');
  });

  it('config that is a string is refused', () => {
    expectConfigError(() => start({ config: 'x' as never }), 'config', 'must be an object');
  });

  it('authcharts options that are a string are refused', () => {
    expectConfigError(
      () => start({ config: { credentials: APP, authcharts: 'x' as never } }),
      'authcharts',
      'must be an object',
    );
  });

  it.each<[string, unknown]>([
    ['a string', 'x'],
    ['null', null],
    ['an array', [APP]],
  ])('config.credentials that is %s is refused', (_name, credentials) => {
    expectConfigError(
      () => start({ config: { credentials: credentials as WebexCredentialsConfig } }),
      'credentials',
      'must be an object',
    );
  });
});

describe('authorizationString', () => {
  const NOT_PORTAL_URL = 'must be the authorization URL from the developer portal';

  it.each<[string, unknown]>([
    ['empty', ''],
    ['blank', '  \n '],
    ['a number', 42],
    ['null', null],
  ])('%s is refused as not the portal URL', (_name, authorizationString) => {
    expectConfigError(
      () => withCredentials({ authorizationString: authorizationString as string }),
      'authorizationString',
      NOT_PORTAL_URL,
    );
  });

  it('surrounding whitespace (a pasted URL) is ignored', () => {
    const webex = withCredentials({
      authorizationString: `\n  ${portalUrl('c1', { scope: 'spark:all' })}  \n`,
    });
    expect(webex.config.credentials).toMatchObject({
      authorizeUrl: IDBROKER_AUTHORIZE,
      client_id: 'c1',
      scope: 'spark:all',
    });
  });

  it('a relative URL, or a bare query, is refused as not absolute', () => {
    for (const authorizationString of [
      'nonsense?client_id=a',
      '?client_id=a&redirect_uri=https%3A%2F%2Fa.example%2F',
    ]) {
      expectConfigError(
        () => withCredentials({ authorizationString }),
        'authorizationString',
        'must be an absolute URL',
      );
    }
  });

  it('a fragment after the query is not part of the scope', () => {
    const webex = withCredentials({
      authorizationString: `${IDBROKER_AUTHORIZE}?client_id=c1&redirect_uri=https%3A%2F%2Fapp.example%2F&scope=spark%3Aall#section-2`,
    });
    expect(webex.config.credentials.scope).toBe('spark:all');
  });

  it('a URL pasted across lines reads as the URL parser reads it: line breaks and tabs dropped', () => {
    const webex = withCredentials({
      authorizationString: `${IDBROKER_AUTHORIZE}?client_id=c\n1&redirect_uri=https%3A%2F%2Fapp.example%2F&scope=spark%3Aall#x\r\n\ty`,
    });
    expect(webex.config.credentials).toMatchObject({
      authorizeUrl: IDBROKER_AUTHORIZE,
      client_id: 'c1',
      scope: 'spark:all',
    });
  });
});

describe('required and typed fields', () => {
  it('a missing client_id or redirect_uri says which field to set', () => {
    expectConfigError(
      () => withCredentials({ redirect_uri: 'https://app.example/' }),
      'client_id',
      'is required: set credentials.client_id',
    );
    expectConfigError(
      () => withCredentials({ client_id: 'c' }),
      'redirect_uri',
      'is required: set credentials.redirect_uri',
    );
  });

  it('with an authorizationString, the message says it could carry the missing field', () => {
    expectConfigError(
      () => withCredentials({ authorizationString: 'https://webexapis.com/v1/authorize?scope=a' }),
      'client_id',
      'is required: set credentials.client_id (or an authorizationString that carries it)',
    );
    expectConfigError(
      () => withCredentials({ authorizationString: 'https://webexapis.com/v1/authorize?client_id=c' }),
      'redirect_uri',
      'is required: set credentials.redirect_uri (or an authorizationString that carries it)',
    );
  });

  it('a null field counts as missing', () => {
    expectConfigError(
      () => withCredentials({ client_id: null as never, redirect_uri: 'https://app.example/' }),
      'client_id',
      'is required: set credentials.client_id',
    );
  });

  it('an empty authorizeUrl counts as unset: Webex IdBroker with its derived endpoints', () => {
    const webex = withCredentials({ ...APP, authorizeUrl: '' });
    expect(webex.config.credentials).toMatchObject({
      profile: 'webex',
      authorizeUrl: IDBROKER_AUTHORIZE,
      revokeUrl: 'https://idbroker.webex.com/idb/oauth2/v1/revoke',
    });
  });

  it('a field that is not a string is refused', () => {
    expectConfigError(
      () => withCredentials({ client_id: 42 as never, redirect_uri: 'https://app.example/' }),
      'client_id',
      'must be a string',
    );
  });

  it('a relative redirect_uri is refused as not absolute', () => {
    expectConfigError(
      () => withCredentials({ client_id: 'c', redirect_uri: '/callback' }),
      'redirect_uri',
      'must be an absolute URL',
    );
  });

  it('an unknown clientType gives the allowed values', () => {
    expectConfigError(
      () => withCredentials({ ...APP, clientType: 'private' as 'public' }),
      'clientType',
      `must be 'public' or 'confidential'`,
    );
  });

  it('implicitGrant must be a boolean, and only for public clients', () => {
    expectConfigError(
      () => withCredentials({ ...APP, implicitGrant: 'true' as never }),
      'implicitGrant',
      'must be a boolean',
    );
    expectConfigError(
      () => withCredentials({ ...APP, clientType: 'confidential', implicitGrant: true }),
      'implicitGrant',
      'only applies to public clients (a confidential client uses the code flow)',
    );
  });

  it('a refreshCallback that is not a function is refused', () => {
    expectConfigError(
      () => withCredentials({ ...APP, refreshCallback: 'x' as never }),
      'refreshCallback',
      'must be a function',
    );
  });

  it('seed credentials cannot be combined with authcharts.tokenStorage', () => {
    expectConfigError(
      () =>
        start({
          credentials: { access_token: 'AT' },
          config: { credentials: APP, authcharts: { tokenStorage: 'memory' } },
        }),
      'credentials',
      'cannot be combined with authcharts.tokenStorage',
    );
  });
});

describe('endpoints', () => {
  it('an authorizeUrl that is not a URL is refused', () => {
    expectConfigError(
      () => withCredentials({ ...APP, authorizeUrl: 'not a url' }),
      'authorizeUrl',
      'must be an absolute URL',
    );
  });

  it('tokenUrl is required when the authorize path does not end in /authorize', () => {
    const reason =
      'is required: it cannot be derived from an authorize URL whose path does not end in /authorize';
    for (const authorizeUrl of ['https://as.example/oauth2/auth', 'https://as.example/authorize/v2']) {
      expectConfigError(() => withCredentials({ ...APP, authorizeUrl }), 'tokenUrl', reason);
    }
  });

  it('only the final /authorize of the path becomes /access_token', () => {
    const webex = withCredentials({ ...APP, authorizeUrl: 'https://as.example/authorize/v1/authorize/' });
    expect(webex.config.credentials.tokenUrl).toBe('https://as.example/authorize/v1/access_token');
  });

  it('explicit revokeUrl and logoutUrl win over the ones derived for IdBroker', () => {
    const webex = withCredentials({
      ...APP,
      revokeUrl: 'https://idbroker.webex.com/custom/revoke',
      logoutUrl: 'https://idbroker.webex.com/custom/logout',
    });
    expect(webex.config.credentials).toMatchObject({
      revokeUrl: 'https://idbroker.webex.com/custom/revoke',
      logoutUrl: 'https://idbroker.webex.com/custom/logout',
    });
  });

  it.each([
    ['another webex.com host', 'https://api.webex.com/v1/authorize'],
    ['an idbroker host outside webex.com', 'https://idbroker.example.com/v1/authorize'],
    ['an idbroker host under a webex.com lookalike', 'https://idbroker.webex.com.example.net/v1/authorize'],
  ])('%s is not IdBroker: rfc profile, no derived revoke or logout URL', (_name, authorizeUrl) => {
    const webex = withCredentials({ ...APP, authorizeUrl });
    expect(webex.config.credentials).toMatchObject({
      profile: 'rfc',
      revokeUrl: undefined,
      logoutUrl: undefined,
    });
  });

  it.each([
    ['tokenUrl', 'endpoints.token'],
    ['revokeUrl', 'endpoints.revocation'],
    ['logoutUrl', 'endpoints.endSession'],
  ] as const)('an http %s off loopback names the Webex field, with the reason', (field, facadeField) => {
    const error = expectConfigError(
      () => withCredentials({ ...APP, [field]: 'http://as.example/x' }),
      field,
      'must use https: (http: is only allowed on loopback addresses)',
    );
    expect(error.cause).toMatchObject({ name: 'ConfigError', field: facadeField });
  });

  it('an error in an authcharts option keeps its own field', () => {
    const error = configError(() =>
      start({ config: { credentials: APP, authcharts: { requestTimeout: -1 } } }),
    );
    expect(error.field).toBe('requestTimeout');
  });

  it('logout revokes at, and navigates to, the endpoints derived from the authorize URL', async () => {
    const { fetch, requests } = createFakeFetch({
      'https://idbrokerbts.webex.com/idb/oauth2/v1/revoke': () => new Response(null, { status: 200 }),
    });
    const window = new FakeWindow('https://app.example/');
    const webex = start({
      credentials: { access_token: 'AT-given', expires_in: 600 },
      config: {
        credentials: {
          authorizationString: portalUrl('c1', {
            authorize: BTS_AUTHORIZE,
            redirectUri: 'https://app.example/',
          }),
        },
        authcharts: { fetch, window: window.asWindow() },
      },
    });
    await webex.logout();
    await vi.waitFor(() => expect(window.navigations).toHaveLength(1));
    expect(requests.map((request) => request.url)).toEqual([
      'https://idbrokerbts.webex.com/idb/oauth2/v1/revoke',
    ]);
    expect(window.navigations[0]).toMatch(/^https:\/\/idbrokerbts\.webex\.com\/idb\/oauth2\/v1\/logout\?/);
  });
});

describe('the client secret outside a browser', () => {
  it('with an authcharts window it counts as a browser: client_secret is refused', () => {
    expectConfigError(
      () =>
        start({
          config: {
            credentials: { ...APP, client_secret: 's' },
            authcharts: { window: new FakeWindow().asWindow() },
          },
        }),
      'client_secret',
      'must not be used in a browser, where every user can read it; keep it on your backend',
    );
  });

  it('with an authcharts window, WEBEX_CLIENT_SECRET is not read', () => {
    vi.stubEnv('WEBEX_CLIENT_SECRET', 'env-secret');
    expect(() =>
      start({ config: { credentials: APP, authcharts: { window: new FakeWindow().asWindow() } } }),
    ).not.toThrow();
  });

  it('a runtime without process (a worker) starts without a secret', () => {
    vi.stubGlobal('process', undefined);
    let webex: WebexInstance | undefined;
    try {
      webex = init({ config: { credentials: APP } });
    } finally {
      vi.unstubAllGlobals();
    }
    instances.push(webex);
    expect(webex.config.credentials.client_id).toBe('c');
  });

  it('a runtime whose process has no env starts without a secret', () => {
    vi.stubGlobal('process', { ...process, env: undefined });
    let webex: WebexInstance | undefined;
    try {
      webex = init({ config: { credentials: APP } });
    } finally {
      vi.unstubAllGlobals();
    }
    instances.push(webex);
    expect(webex.config.credentials.client_id).toBe('c');
  });
});

describe('the webex object', () => {
  const tokenAnswer = {
    access_token: 'AT-new',
    token_type: 'Bearer',
    expires_in: 3600,
    refresh_token: 'RT-new',
  };

  function backend(seed?: WebexInitOptions['credentials']) {
    const { fetch, requests } = createFakeFetch({ [BTS_TOKEN]: () => json(tokenAnswer) });
    const webex = start({
      ...(seed === undefined ? {} : { credentials: seed }),
      config: {
        credentials: { authorizationString: portalUrl('c1', { authorize: BTS_AUTHORIZE }) },
        authcharts: { fetch },
      },
    });
    return { webex, requests };
  }

  it('credentials.canAuthorize tells whether there is a token', () => {
    expect(backend().webex.credentials.canAuthorize).toBe(false);
    expect(backend({ access_token: 'AT', expires_in: 600 }).webex.credentials.canAuthorize).toBe(true);
  });

  it('credentials.refresh() refreshes the token', async () => {
    const { webex, requests } = backend({ refresh_token: 'RT' });
    await webex.credentials.refresh();
    expect(requests.map((request) => request.body.get('grant_type'))).toEqual(['refresh_token']);
    expect(webex.credentials.supertoken?.toString()).toBe('Bearer AT-new');
  });

  it.each([
    ['codeVerifier', { code: 'CODE', codeVerifier: 'V-camel' }, 'V-camel'],
    ['code_verifier', { code: 'CODE', code_verifier: 'V-snake' }, 'V-snake'],
  ])('requestAuthorizationCodeGrant sends the PKCE verifier given as %s', async (_name, params, verifier) => {
    const { webex, requests } = backend();
    await webex.requestAuthorizationCodeGrant(params);
    expect(requests[0]?.body.get('code_verifier')).toBe(verifier);
    expect(webex.credentials.supertoken?.toString()).toBe('Bearer AT-new');
  });

  it('requestAuthorizationCodeGrant without params rejects for the missing code', async () => {
    const { webex, requests } = backend();
    await expect(webex.requestAuthorizationCodeGrant(null as never)).rejects.toMatchObject({
      name: 'InvalidOptionError',
      option: 'code',
    });
    expect(requests).toHaveLength(0);
  });

  it('once() refuses other events and listeners that are not functions, with the reason', () => {
    const { webex } = backend();
    expect(() => webex.once('change:canAuthorize' as 'ready', () => {})).toThrow(
      new TypeError(
        `authcharts/webex only emits 'ready'; listen to webex.authorization.eventEmitter for login and session events`,
      ),
    );
    expect(() => webex.on('ready', 'listener' as never)).toThrow(
      new TypeError('The listener must be a function'),
    );
  });

  it("off() for another event leaves the 'ready' listener", async () => {
    const { webex } = backend();
    const listener = vi.fn();
    webex.once('ready', listener).off('change:canAuthorize' as 'ready', listener);
    await vi.waitFor(() => expect(listener).toHaveBeenCalledTimes(1));
  });

  it("a 'ready' listener added after stop() is never called", async () => {
    const { webex } = backend();
    await webex.authorization.whenReady();
    webex.stop();
    const listener = vi.fn();
    webex.once('ready', listener);
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(listener).not.toHaveBeenCalled();
  });
});
