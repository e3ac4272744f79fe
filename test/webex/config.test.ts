// @vitest-environment jsdom
/**
 * `authcharts/webex` config and object model: `authorizationString` parsing (Webex's
 * `Credentials.initialize`), the endpoints and profile derived from it, the `ConfigError`s that
 * name Webex's fields, `once('ready')`, and the supertoken's `toJSON()`/`toString()`.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ConfigError } from '../../src/errors.js';
import Webex, {
  init,
  parseAuthorizationString,
  type WebexCredentialsConfig,
  type WebexInstance,
} from '../../src/webex.js';
import { normaliseSeedToken } from '../../src/webexToken.js';
import { configError, loginUrlOf, portalUrl, recordLogin, uniqueClientId } from './support.js';

const UPSTREAM_EXAMPLE =
  'https://api.ciscospark.com/v1/authorize?client_id=MOCK_CLIENT_ID&response_type=code&redirect_uri=http%3A%2F%2Flocalhost%3A8000&scope=spark%3Arooms_read%20spark%3Ateams_read&state=set_state_here';

const instances: WebexInstance[] = [];
function start(credentials: WebexCredentialsConfig, options: Parameters<typeof init>[0] = {}) {
  const webex = init({ ...options, config: { ...options.config, credentials } });
  instances.push(webex);
  return webex;
}

beforeEach(() => {
  sessionStorage.clear();
  localStorage.clear();
});
afterEach(() => {
  for (const webex of instances.splice(0)) webex.stop();
  vi.unstubAllEnvs();
});

describe('authorizationString', () => {
  it('gives client_id, redirect_uri, decoded scope and the authorize URL (the upstream example)', async () => {
    const webex = start({ authorizationString: UPSTREAM_EXAMPLE });
    expect(webex.config.credentials).toEqual({
      client_id: 'MOCK_CLIENT_ID',
      redirect_uri: 'http://localhost:8000',
      scope: 'spark:rooms_read spark:teams_read',
      clientType: 'public',
      implicitGrant: false,
      authorizeUrl: 'https://api.ciscospark.com/v1/authorize',
      tokenUrl: 'https://api.ciscospark.com/v1/access_token',
      revokeUrl: undefined,
      logoutUrl: undefined,
      profile: 'rfc',
    });
    const events = recordLogin(webex);
    await webex.authorization.initiateLogin();
    const url = loginUrlOf(events);
    expect(url?.href).toMatch(/^https:\/\/api\.ciscospark\.com\/v1\/authorize\?/);
    expect(url?.searchParams.get('state')).not.toBe('set_state_here');
    expect(url?.searchParams.getAll('response_type')).toEqual(['code']);
    expect(url?.searchParams.get('scope')).toBe('spark:rooms_read spark:teams_read');
  });

  it('reads + as a space and ignores a fragment', () => {
    expect(
      parseAuthorizationString(
        'https://webexapis.com/v1/authorize?client_id=c&redirect_uri=https%3A%2F%2Fa.example%2F&scope=a+b#x',
      ),
    ).toEqual({
      authorizeUrl: 'https://webexapis.com/v1/authorize',
      client_id: 'c',
      redirect_uri: 'https://a.example/',
      scope: 'a b',
    });
  });

  it('IdBroker URLs use the webex profile with its token, revoke and logout endpoints on the same host', () => {
    const webex = start({
      authorizationString: portalUrl('c1', {
        authorize: 'https://idbrokerbts.webex.com/idb/oauth2/v1/authorize',
      }),
    });
    expect(webex.config.credentials).toMatchObject({
      profile: 'webex',
      authorizeUrl: 'https://idbrokerbts.webex.com/idb/oauth2/v1/authorize',
      tokenUrl: 'https://idbrokerbts.webex.com/idb/oauth2/v1/access_token',
      revokeUrl: 'https://idbrokerbts.webex.com/idb/oauth2/v1/revoke',
      logoutUrl: 'https://idbrokerbts.webex.com/idb/oauth2/v1/logout',
    });
  });

  it('wins over the explicit fields, which fill in what it lacks (as in Webex)', () => {
    const webex = start({
      authorizationString:
        'https://webexapis.com/v1/authorize?client_id=from-string&redirect_uri=https%3A%2F%2Fa.example%2F',
      client_id: 'explicit',
      redirect_uri: 'https://b.example/',
      scope: 'spark:all',
    });
    expect(webex.config.credentials).toMatchObject({
      client_id: 'from-string',
      redirect_uri: 'https://a.example/',
      scope: 'spark:all',
    });
  });

  it('without "?" is a ConfigError, not an empty authorize URL', () => {
    const error = configError(() => start({ authorizationString: 'https://webexapis.com/v1/authorize' }));
    expect(error.field).toBe('authorizationString');
    expect(error.message).toMatch(/client_id/);
  });

  it.each([
    ['not a URL', 'nonsense?client_id=a'],
    ['empty', ''],
  ])('%s is a ConfigError naming authorizationString', (_name, authorizationString) => {
    expect(configError(() => start({ authorizationString })).field).toBe('authorizationString');
  });
});

describe('explicit fields and defaults', () => {
  it('client_id, redirect_uri and scope alone use Webex IdBroker', () => {
    const webex = start({ client_id: 'c', redirect_uri: 'https://app.example/' });
    expect(webex.config.credentials).toMatchObject({
      profile: 'webex',
      authorizeUrl: 'https://idbroker.webex.com/idb/oauth2/v1/authorize',
      tokenUrl: 'https://idbroker.webex.com/idb/oauth2/v1/access_token',
    });
  });

  it('authorizeUrl and tokenUrl may be given (tokenUrl is needed when it cannot be derived)', () => {
    const base = { client_id: 'c', redirect_uri: 'https://app.example/' };
    expect(configError(() => start({ ...base, authorizeUrl: 'https://as.example/oauth2/auth' })).field).toBe(
      'tokenUrl',
    );
    const webex = start({
      ...base,
      authorizeUrl: 'https://as.example/oauth2/auth',
      tokenUrl: 'https://as.example/oauth2/token',
    });
    expect(webex.config.credentials).toMatchObject({
      profile: 'rfc',
      tokenUrl: 'https://as.example/oauth2/token',
    });
  });

  it.each<[string, WebexCredentialsConfig, string]>([
    ['no client_id', { redirect_uri: 'https://app.example/' }, 'client_id'],
    [
      'no client_id in the string',
      { authorizationString: 'https://webexapis.com/v1/authorize?scope=a' },
      'client_id',
    ],
    ['no redirect_uri', { client_id: 'c' }, 'redirect_uri'],
    ['a relative redirect_uri', { client_id: 'c', redirect_uri: '/cb' }, 'redirect_uri'],
    [
      'an unknown clientType',
      { client_id: 'c', redirect_uri: 'https://a.example/', clientType: 'x' as 'public' },
      'clientType',
    ],
    [
      'implicitGrant with a confidential client',
      { client_id: 'c', redirect_uri: 'https://a.example/', clientType: 'confidential', implicitGrant: true },
      'implicitGrant',
    ],
    [
      'a refreshCallback that is not a function',
      { client_id: 'c', redirect_uri: 'https://a.example/', refreshCallback: 'x' as never },
      'refreshCallback',
    ],
    [
      'a client secret in a browser',
      { client_id: 'c', redirect_uri: 'https://a.example/', client_secret: 's' },
      'client_secret',
    ],
    [
      'an http authorize URL off loopback',
      { client_id: 'c', redirect_uri: 'https://a.example/', authorizeUrl: 'http://as.example/authorize' },
      'authorizeUrl',
    ],
  ])('%s is a ConfigError naming the Webex field', (_name, credentials, field) => {
    const error = configError(() => start(credentials));
    expect(error.field).toBe(field);
    expect(error.message).not.toContain('"s"');
  });

  it('init() with nothing names client_id', () => {
    expect(configError(() => init()).field).toBe('client_id');
    expect(configError(() => Webex.init({ config: {} })).field).toBe('client_id');
  });

  it('a client secret in a browser is refused with the reason, before the facade sees it', () => {
    const error = configError(() =>
      start({ client_id: 'c', redirect_uri: 'https://a.example/', client_secret: 's' }),
    );
    expect(error.message).toBe(
      'Invalid config "client_secret": must not be used in a browser, where every user can read it; keep it on your backend',
    );
  });

  it('does not read WEBEX_CLIENT_SECRET in a browser', () => {
    vi.stubEnv('WEBEX_CLIENT_SECRET', 'env-secret');
    expect(() => start({ client_id: 'c', redirect_uri: 'https://a.example/' })).not.toThrow();
  });
});

describe('the webex object', () => {
  it('has the guide’s shape', () => {
    const webex = start({ authorizationString: portalUrl(uniqueClientId()) });
    expect(typeof webex.authorization.initiateLogin).toBe('function');
    expect(webex.credentials.supertoken).toBeUndefined();
    expect(webex.canAuthorize).toBe(false);
    expect(typeof webex.refresh).toBe('function');
    expect(typeof webex.requestAuthorizationCodeGrant).toBe('function');
    expect(Webex.init).toBe(init);
  });

  it("once('ready') is never synchronous; off() and stop() cancel it; other events are refused", async () => {
    const webex = start({ authorizationString: portalUrl(uniqueClientId()) });
    const first = vi.fn();
    const removed = vi.fn();
    webex.once('ready', first).once('ready', removed).off('ready', removed);
    expect(first).not.toHaveBeenCalled();
    await vi.waitFor(() => expect(first).toHaveBeenCalledTimes(1));
    expect(removed).not.toHaveBeenCalled();

    const other = start({ authorizationString: portalUrl(uniqueClientId()) });
    const afterStop = vi.fn();
    other.once('ready', afterStop);
    other.stop();
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(afterStop).not.toHaveBeenCalled();

    expect(() => webex.once('change:canAuthorize' as 'ready', () => {})).toThrow(TypeError);
  });

  it('starts with a given access token; the supertoken is Webex’s Token', () => {
    const now = Date.now();
    const webex = start(
      { authorizationString: portalUrl(uniqueClientId()) },
      {
        credentials: {
          access_token: 'Bearer AT-given',
          expires_in: 100,
          refresh_token: 'RT',
          scope: 'spark:all',
        },
      },
    );
    const supertoken = webex.credentials.supertoken;
    expect(supertoken).toBe(webex.credentials.supertoken);
    expect(supertoken?.toString()).toBe('Bearer AT-given');
    expect(supertoken?.canAuthorize).toBe(true);
    expect(supertoken?.toJSON()).toEqual({
      access_token: 'AT-given',
      token_type: 'Bearer',
      expires: expect.any(Number),
      expires_in: 100,
      refresh_token: 'RT',
      scope: 'spark:all',
    });
    expect(supertoken?.expires).toBeGreaterThanOrEqual(now + 100_000);
    expect(JSON.parse(JSON.stringify(supertoken))).toEqual(supertoken?.toJSON());
    expect(webex.canAuthorize).toBe(true);
    // Nothing given at start is written to the page's storage.
    expect(localStorage.length).toBe(0);
  });

  it('expires_in counts down, rounded, and never goes below 0', () => {
    vi.useFakeTimers({ now: Date.UTC(2025, 0, 1) });
    try {
      const webex = start(
        { authorizationString: portalUrl(uniqueClientId()) },
        { credentials: { access_token: 'AT', expires_in: 10 } },
      );
      vi.setSystemTime(Date.UTC(2025, 0, 1) + 2_600);
      expect(webex.credentials.supertoken?.expires_in).toBe(7);
      vi.setSystemTime(Date.UTC(2025, 0, 1) + 60_000);
      expect(webex.credentials.supertoken?.expires_in).toBe(0);
      expect(webex.credentials.supertoken?.isExpired).toBe(true);
    } finally {
      vi.useRealTimers();
    }
  });

  it('seed credentials: strings, { supertoken }, and refusals', () => {
    expect(normaliseSeedToken('Bearer AT', 0)).toEqual({ access_token: 'AT', token_type: 'Bearer' });
    expect(normaliseSeedToken({ supertoken: { access_token: 'AT', expires: 5 } }, 0)).toEqual({
      access_token: 'AT',
      token_type: 'Bearer',
      expires: 5,
    });
    expect(normaliseSeedToken({ refresh_token: 'RT' }, 0)).toEqual({
      access_token: '',
      token_type: 'Bearer',
      expires: 0,
      refresh_token: 'RT',
    });
    expect(() => normaliseSeedToken({}, 0)).toThrow(ConfigError);
    expect(() => normaliseSeedToken({ access_token: 'AT', expires_in: 'soon' }, 0)).toThrow(ConfigError);
    expect(
      configError(() =>
        start(
          { authorizationString: portalUrl(uniqueClientId()) },
          { credentials: 'AT', config: { authcharts: { tokenStorage: 'memory' } } },
        ),
      ).field,
    ).toBe('credentials');
  });
});
