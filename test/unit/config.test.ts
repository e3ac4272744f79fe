import { describe, expect, it } from 'vitest';
import { resolveServer } from '../../actors/server.js';
import { type AuthorizationConfig, resolveConfig } from '../../src/config.js';
import { ConfigError } from '../../src/errors.js';
import { rfcProfile, webexProfile } from '../../src/profiles.js';
import { createFakeFetch, json } from '../fixtures/fakeFetch.js';
import { MemoryStorage } from '../fixtures/fakeWindow.js';
import { testRuntime } from '../fixtures/testRuntime.js';

const AS = 'https://as.example';
const IDBROKER = 'https://idbroker.webex.com/idb/oauth2/v1';
/** Obviously fake, but distinctive enough that a leak would be found. */
const SECRET = 'not-a-real-secret-8e1f';

const base = {
  clientId: 'client-1',
  redirectUri: 'https://app.example/cb',
  endpoints: { authorization: `${AS}/authorize`, token: `${AS}/token` },
};

const resolve = (config: Record<string, unknown>, inBrowser = true) =>
  resolveConfig(config as unknown as AuthorizationConfig, inBrowser);

/** The ConfigError `resolveConfig` throws for `config`; fails the test when it throws nothing or something else. */
function configErrorOf(config: unknown, inBrowser = true): ConfigError {
  let thrown: unknown;
  try {
    resolveConfig(config as AuthorizationConfig, inBrowser);
  } catch (error) {
    thrown = error;
  }
  expect(thrown).toBeInstanceOf(ConfigError);
  return thrown as ConfigError;
}

describe('resolveConfig: every bad field is named', () => {
  const { clientId: _omitClientId, ...withoutClientId } = base;
  const { redirectUri: _omitRedirectUri, ...withoutRedirectUri } = base;
  const cases: Array<{ name: string; config: Record<string, unknown>; field: string; reason: string }> = [
    {
      name: 'clientId missing',
      config: withoutClientId,
      field: 'clientId',
      reason: 'is required and must be a non-empty string',
    },
    {
      name: 'clientId empty',
      config: { ...base, clientId: '' },
      field: 'clientId',
      reason: 'is required and must be a non-empty string',
    },
    {
      name: 'clientId not a string',
      config: { ...base, clientId: 42 },
      field: 'clientId',
      reason: 'is required and must be a non-empty string',
    },
    {
      name: 'redirectUri missing',
      config: withoutRedirectUri,
      field: 'redirectUri',
      reason: 'is required and must be an absolute URL',
    },
    {
      name: 'redirectUri relative',
      config: { ...base, redirectUri: '/cb' },
      field: 'redirectUri',
      reason: 'is required and must be an absolute URL',
    },
    {
      name: 'scope an array',
      config: { ...base, scope: ['openid', 'email'] },
      field: 'scope',
      reason: 'must be a space-separated string',
    },
    {
      name: 'scope a number',
      config: { ...base, scope: 42 },
      field: 'scope',
      reason: 'must be a space-separated string',
    },
    {
      name: 'issuer http on a public host',
      config: { ...base, issuer: 'http://as.example' },
      field: 'issuer',
      reason: 'must use https: (http: is only allowed on loopback addresses)',
    },
    {
      name: 'issuer http on a host that only starts like loopback',
      config: { ...base, issuer: 'http://127.0.0.1.nip.io' },
      field: 'issuer',
      reason: 'must use https:',
    },
    {
      name: 'issuer http on a host that only starts with localhost',
      config: { ...base, issuer: 'http://localhost.evil.example' },
      field: 'issuer',
      reason: 'must use https:',
    },
    {
      name: 'issuer not a URL',
      config: { ...base, issuer: 'as.example' },
      field: 'issuer',
      reason: 'must be an absolute URL',
    },
    {
      name: 'endpoints.token with ftp:',
      config: { ...base, endpoints: { ...base.endpoints, token: 'ftp://as.example/token' } },
      field: 'endpoints.token',
      reason: 'must use https:',
    },
    {
      name: 'endpoints.authorization over http on a public host',
      config: { ...base, endpoints: { ...base.endpoints, authorization: 'http://as.example/authorize' } },
      field: 'endpoints.authorization',
      reason: 'must use https:',
    },
    {
      name: 'endpoints.revocation empty',
      config: { ...base, endpoints: { ...base.endpoints, revocation: '' } },
      field: 'endpoints.revocation',
      reason: 'must be an absolute URL string',
    },
    {
      name: 'an unknown endpoint name',
      config: { ...base, endpoints: { ...base.endpoints, userinfo: `${AS}/userinfo` } },
      field: 'endpoints.userinfo',
      reason:
        'is not a known endpoint (authorization, token, deviceAuthorization, deviceToken, revocation, endSession)',
    },
    {
      name: 'endpoints not an object',
      config: { ...base, endpoints: `${AS}/token` },
      field: 'endpoints',
      reason: 'must be an object',
    },
    {
      name: 'popup.width negative',
      config: { ...base, popup: { width: -600 } },
      field: 'popup.width',
      reason: 'must be a positive number',
    },
    {
      name: 'popup.height zero',
      config: { ...base, popup: { height: 0 } },
      field: 'popup.height',
      reason: 'must be a positive number',
    },
    {
      name: 'popup.timeout NaN',
      config: { ...base, popup: { timeout: Number.NaN } },
      field: 'popup.timeout',
      reason: 'must be a positive number',
    },
    {
      name: 'popup.width a string',
      config: { ...base, popup: { width: '600' } },
      field: 'popup.width',
      reason: 'must be a positive number',
    },
    {
      name: 'popup not an object',
      config: { ...base, popup: 'large' },
      field: 'popup',
      reason: 'must be an object',
    },
    {
      name: 'popup.closedGrace zero',
      config: { ...base, popup: { closedGrace: 0 } },
      field: 'popup.closedGrace',
      reason: 'must be a positive number',
    },
    {
      name: 'requestTimeout zero',
      config: { ...base, requestTimeout: 0 },
      field: 'requestTimeout',
      reason: 'must be a positive number of milliseconds',
    },
    {
      name: 'requestTimeout negative',
      config: { ...base, requestTimeout: -1 },
      field: 'requestTimeout',
      reason: 'must be a positive number of milliseconds',
    },
    {
      name: 'requestTimeout Infinity',
      config: { ...base, requestTimeout: Number.POSITIVE_INFINITY },
      field: 'requestTimeout',
      reason: 'must be a positive number of milliseconds',
    },
    {
      name: 'requestTimeout a string',
      config: { ...base, requestTimeout: '30s' },
      field: 'requestTimeout',
      reason: 'must be a positive number of milliseconds',
    },
    {
      name: 'requestTimeout beyond the timer limit (setTimeout would fire at once)',
      config: { ...base, requestTimeout: 2 ** 31 },
      field: 'requestTimeout',
      reason: 'must be at most 2147483647 ms (the timer limit)',
    },
    {
      name: 'storage without setItem',
      config: { ...base, storage: { getItem: () => null, removeItem: () => {} } },
      field: 'storage',
      reason: 'must implement setItem() like sessionStorage',
    },
    {
      name: 'storage a string',
      config: { ...base, storage: 'session' },
      field: 'storage',
      reason: 'must be a Storage',
    },
    {
      name: 'storage null',
      config: { ...base, storage: null },
      field: 'storage',
      reason: 'must be a Storage',
    },
    {
      name: 'collectPreauthCatalog not a function',
      config: { ...base, collectPreauthCatalog: { emailhash: 'x' } },
      field: 'collectPreauthCatalog',
      reason: 'must be a function',
    },
    {
      name: 'transformVerificationUri not a function',
      config: { ...base, transformVerificationUri: 'https://web.webex.com' },
      field: 'transformVerificationUri',
      reason: 'must be a function',
    },
    {
      name: 'fetch not a function',
      config: { ...base, fetch: {} },
      field: 'fetch',
      reason: 'must be a function',
    },
    {
      name: 'inspect a string',
      config: { ...base, inspect: 'console' },
      field: 'inspect',
      reason: 'must be an inspection observer or function',
    },
    {
      name: "profile 'nope'",
      config: { ...base, profile: 'nope' },
      field: 'profile',
      reason: "must be 'rfc', 'webex' or an object",
    },
    {
      name: 'profile a number',
      config: { ...base, profile: 1 },
      field: 'profile',
      reason: "must be 'rfc', 'webex' or an object",
    },
    {
      name: 'oauthHelperUrl over http on a public host',
      config: { ...base, profile: 'webex', oauthHelperUrl: 'http://helper.example' },
      field: 'oauthHelperUrl',
      reason: 'must use https:',
    },
    {
      name: 'clientSecret empty',
      config: { ...base, clientSecret: '' },
      field: 'clientSecret',
      reason: 'must be a non-empty string',
    },
    {
      name: 'redirectUri a URL object',
      config: { ...base, redirectUri: new URL('https://app.example/cb') },
      field: 'redirectUri',
      reason: 'is required and must be an absolute URL',
    },
    {
      name: 'endpoints.token a number',
      config: { ...base, endpoints: { ...base.endpoints, token: 443 } },
      field: 'endpoints.token',
      reason: 'must be an absolute URL string',
    },
    {
      name: 'endpoints.token ftp: on loopback',
      config: { ...base, endpoints: { ...base.endpoints, token: 'ftp://localhost/token' } },
      field: 'endpoints.token',
      reason: 'must use https:',
    },
    {
      name: 'endpoints a function',
      config: { ...base, endpoints: () => `${AS}/token` },
      field: 'endpoints',
      reason: 'must be an object',
    },
    {
      name: 'popup a function',
      config: { ...base, popup: () => ({ width: 600 }) },
      field: 'popup',
      reason: 'must be an object',
    },
    {
      name: 'requestTimeout NaN',
      config: { ...base, requestTimeout: Number.NaN },
      field: 'requestTimeout',
      reason: 'must be a positive number of milliseconds',
    },
    {
      name: 'storage an array',
      config: { ...base, storage: [] },
      field: 'storage',
      reason: 'must be a Storage',
    },
    {
      name: 'oauthHelperUrl with the rfc profile',
      config: { ...base, oauthHelperUrl: 'https://oauth-helper.example' },
      field: 'oauthHelperUrl',
      reason: "has no meaning for the 'rfc' profile (use 'webex')",
    },
    {
      name: 'config not an object',
      config: 'client-1' as unknown as Record<string, unknown>,
      field: 'config',
      reason: 'must be an object',
    },
  ];

  it.each(cases)('$name → ConfigError naming $field and saying why', ({ config, field, reason }) => {
    const error = configErrorOf(config, false);
    expect(error.field).toBe(field);
    expect(error.message).toContain(`Invalid config "${field}": ${reason}`);
    expect(error.name).toBe('ConfigError');
    expect(error.code).toBe('invalid_config');
  });

  it('says which method a storage lacks', () => {
    const error = configErrorOf({ ...base, storage: { getItem: () => null, removeItem: () => {} } });
    expect(error.message).toContain('setItem');
  });

  it('refuses a config that is not an object', () => {
    expect(configErrorOf(undefined).field).toBe('config');
    expect(configErrorOf('client-1').field).toBe('config');
  });
});

describe('resolveConfig: loopback http', () => {
  it.each([
    'http://127.0.0.1:4000',
    'http://127.0.0.1',
    'http://127.10.200.3:4000',
    'http://localhost:8080/realms/dev',
    'http://[::1]:9000',
  ])('accepts %s as issuer and endpoints', (origin) => {
    const resolved = resolve({
      ...base,
      issuer: origin,
      endpoints: { authorization: `${origin}/authorize`, token: `${origin}/token` },
    });
    expect(resolved.issuer).toBe(origin);
    expect(resolved.endpoints).toEqual({ authorization: `${origin}/authorize`, token: `${origin}/token` });
  });

  it('accepts a loopback redirect URI', () => {
    expect(resolve({ ...base, redirectUri: 'http://localhost:3000/cb' }).redirectUri).toBe(
      'http://localhost:3000/cb',
    );
  });
});

describe('resolveConfig: client secret', () => {
  it('is refused in a browser, naming the field but never the value', () => {
    const error = configErrorOf({ ...base, clientSecret: SECRET }, true);
    expect(error.field).toBe('clientSecret');
    expect(error.message).toBe(
      'Invalid config "clientSecret": must not be used in a browser, where every user can read it; browser clients are public and use PKCE',
    );
    expect(`${error.message} ${String(error)} ${error.stack} ${JSON.stringify(error)}`).not.toContain(SECRET);
  });

  it('is accepted outside a browser and marks the client confidential without keeping the secret', () => {
    const resolved = resolve({ ...base, clientSecret: SECRET }, false);
    expect(resolved.confidential).toBe(true);
    expect(JSON.stringify(resolved)).not.toContain(SECRET);
  });

  it('leaves a public client public', () => {
    expect(resolve(base, false).confidential).toBe(false);
    expect(resolve(base, true).confidential).toBe(false);
  });

  it('never appears in the message of an error about another field', () => {
    const configs = [
      { ...base, clientSecret: SECRET, issuer: 'http://as.example' },
      { ...base, clientSecret: SECRET, profile: 'nope' },
      { ...base, clientSecret: SECRET, endpoints: { token: `ftp://${SECRET}@as.example/token` } },
      { ...base, clientSecret: SECRET, clientId: '' },
    ];
    for (const config of configs) {
      const error = configErrorOf(config, false);
      expect(`${error.message} ${error.stack} ${JSON.stringify(error)}`).not.toContain(SECRET);
    }
  });

  it('never echoes a secret of the wrong type', () => {
    const error = configErrorOf({ ...base, clientSecret: 918273645 }, false);
    expect(error.field).toBe('clientSecret');
    expect(error.message).not.toContain('918273645');
  });
});

describe('resolveConfig: endpoints', () => {
  it('requires an authorization endpoint when there is no issuer', () => {
    const error = configErrorOf({ ...base, endpoints: { token: `${AS}/token` } });
    expect(error.field).toBe('endpoints.authorization');
    expect(error.message).toBe(
      'Invalid config "endpoints.authorization": is required when no issuer is given to discover it from',
    );
  });

  it('requires a token endpoint when there is no issuer', () => {
    const error = configErrorOf({ ...base, endpoints: { authorization: `${AS}/authorize` } });
    expect(error.field).toBe('endpoints.token');
  });

  it('requires endpoints for the rfc profile when neither endpoints nor issuer are given', () => {
    expect(configErrorOf({ clientId: 'c', redirectUri: 'https://app.example/cb' }).field).toMatch(
      /^endpoints\./,
    );
  });

  it('needs no endpoints when an issuer can be discovered', () => {
    const resolved = resolve({ clientId: 'c', redirectUri: 'https://app.example/cb', issuer: AS });
    expect(resolved.issuer).toBe(AS);
    expect(resolved.endpoints).toEqual({});
  });

  it("is satisfied by the webex profile's IdBroker defaults", async () => {
    const resolved = resolve({ clientId: 'c', redirectUri: 'https://app.example/cb', profile: 'webex' });
    expect(resolved.profile.name).toBe('webex');
    const server = await resolveServer(resolved, testRuntime());
    expect(server.authorizationEndpoint).toBe(`${IDBROKER}/authorize`);
    expect(server.tokenEndpoint).toBe(`${IDBROKER}/access_token`);
    expect(server.revocationEndpoint).toBe(`${IDBROKER}/revoke`);
    expect(server.endSessionEndpoint).toBe(`${IDBROKER}/logout`);
  });

  it("lets explicit endpoints win over the profile's", async () => {
    const resolved = resolve({
      clientId: 'c',
      redirectUri: 'https://app.example/cb',
      profile: 'webex',
      endpoints: { token: 'https://proxy.example/token' },
    });
    const server = await resolveServer(resolved, testRuntime());
    expect(server.tokenEndpoint).toBe('https://proxy.example/token');
    expect(server.authorizationEndpoint).toBe(`${IDBROKER}/authorize`);
  });

  it('lets explicit endpoints win over discovered ones', async () => {
    const fake = createFakeFetch({
      [`${AS}/.well-known/oauth-authorization-server`]: () =>
        json({ issuer: AS, authorization_endpoint: `${AS}/authorize`, token_endpoint: `${AS}/token` }),
      [`${AS}/.well-known/openid-configuration`]: () =>
        json({ issuer: AS, authorization_endpoint: `${AS}/authorize`, token_endpoint: `${AS}/token` }),
    });
    const resolved = resolve({
      clientId: 'c',
      redirectUri: 'https://app.example/cb',
      issuer: AS,
      endpoints: { token: 'https://proxy.example/token' },
    });
    const server = await resolveServer(resolved, testRuntime({ fetch: fake.fetch }));
    expect(fake.requests).toHaveLength(1);
    expect(server.tokenEndpoint).toBe('https://proxy.example/token');
    expect(server.authorizationEndpoint).toBe(`${AS}/authorize`);
  });

  it('ignores an endpoint given as undefined, as if it were left out', () => {
    const resolved = resolve({ ...base, endpoints: { ...base.endpoints, revocation: undefined } });
    expect(resolved.endpoints).toEqual(base.endpoints);
    expect('revocation' in resolved.endpoints).toBe(false);
  });

  it('polls the token endpoint for device tokens unless told otherwise', async () => {
    const server = await resolveServer(resolve(base), testRuntime());
    expect(server.deviceTokenEndpoint).toBe(`${AS}/token`);
  });
});

describe('resolveConfig: oauthHelperUrl (webex profile)', () => {
  it.each([
    ['https://oauth-helper.example', 'https://oauth-helper.example'],
    ['https://oauth-helper.example/', 'https://oauth-helper.example'],
    ['https://oauth-helper.example/helper//', 'https://oauth-helper.example/helper'],
  ])('%s → device endpoints under %s/actions/device', async (helper, expected) => {
    const resolved = resolve({
      clientId: 'c',
      redirectUri: 'https://app.example/cb',
      profile: 'webex',
      oauthHelperUrl: helper,
    });
    expect(resolved.oauthHelperUrl).toBe(expected);
    expect(resolved.endpoints.deviceAuthorization).toBe(`${expected}/actions/device/authorize`);
    expect(resolved.endpoints.deviceToken).toBe(`${expected}/actions/device/token`);
    const server = await resolveServer(resolved, testRuntime());
    expect(server.deviceAuthorizationEndpoint).toBe(`${expected}/actions/device/authorize`);
    expect(server.deviceTokenEndpoint).toBe(`${expected}/actions/device/token`);
  });

  it('yields to explicit device endpoints', () => {
    const resolved = resolve({
      clientId: 'c',
      redirectUri: 'https://app.example/cb',
      profile: 'webex',
      oauthHelperUrl: 'https://oauth-helper.example/',
      endpoints: { deviceToken: 'https://other.example/poll' },
    });
    expect(resolved.endpoints.deviceAuthorization).toBe(
      'https://oauth-helper.example/actions/device/authorize',
    );
    expect(resolved.endpoints.deviceToken).toBe('https://other.example/poll');
  });
});

describe('resolveConfig: profiles', () => {
  it('defaults to rfc', () => {
    expect(resolve(base).profile).toEqual(rfcProfile);
  });

  it('resolves the built-in names', () => {
    expect(resolve({ ...base, profile: 'rfc' }).profile).toEqual(rfcProfile);
    expect(resolve({ ...base, profile: 'webex' }).profile).toEqual(webexProfile);
  });

  it('merges a custom profile object over rfc, device settings key by key', () => {
    const { profile } = resolve({
      ...base,
      profile: { sendEmailHash: true, device: { defaultInterval: 3, pendingStatuses: [428] } },
    });
    expect(profile).toEqual({
      ...rfcProfile,
      name: 'custom',
      sendEmailHash: true,
      device: { ...rfcProfile.device, defaultInterval: 3, pendingStatuses: [428] },
    });
    // The built-in profile is not modified by the merge.
    expect(rfcProfile.sendEmailHash).toBe(false);
    expect(rfcProfile.device.defaultInterval).toBe(5);
  });

  it("keeps a custom profile's own name and extra code-exchange parameters", () => {
    const { profile } = resolve({
      ...base,
      profile: { name: 'acme', codeExchangeParameters: { audience: 'api' } },
    });
    expect(profile.name).toBe('acme');
    expect(profile.codeExchangeParameters).toEqual({ audience: 'api' });
    expect(profile.orgIdFromCode).toBe(false);
    expect(profile.device).toEqual(rfcProfile.device);
  });
});

describe('resolveConfig: what passes through', () => {
  it('keeps client, redirect, scope and a custom storage', () => {
    const resolved = resolve({ ...base, scope: 'openid email', storage: new MemoryStorage() });
    expect(resolved.clientId).toBe('client-1');
    expect(resolved.redirectUri).toBe('https://app.example/cb');
    expect(resolved.scope).toBe('openid email');
    expect(resolved.issuer).toBeUndefined();
  });

  it('applies popup defaults and overrides them key by key', () => {
    expect(resolve(base).popup).toEqual({
      width: 600,
      height: 800,
      timeoutMs: 300_000,
      closedGraceMs: 1_000,
    });
    expect(resolve({ ...base, popup: { width: 500, timeout: 1_000, closedGrace: 60_000 } }).popup).toEqual({
      width: 500,
      height: 800,
      timeoutMs: 1_000,
      closedGraceMs: 60_000,
    });
  });

  it('refreshes ahead on a timer in a browser only, unless refreshAhead says otherwise', () => {
    expect(resolve(base, true).refreshAhead).toBe(true);
    expect(resolve(base, false).refreshAhead).toBe(false);
    expect(resolve({ ...base, refreshAhead: false }, true).refreshAhead).toBe(false);
    expect(resolve({ ...base, refreshAhead: true }, false).refreshAhead).toBe(true);
  });

  it('limits each request to 30 s unless requestTimeout says otherwise', () => {
    expect(resolve(base).requestTimeoutMs).toBe(30_000);
    expect(resolve({ ...base, requestTimeout: 2_500 }).requestTimeoutMs).toBe(2_500);
    expect(resolve({ ...base, requestTimeout: 2 ** 31 - 1 }).requestTimeoutMs).toBe(2 ** 31 - 1);
  });

  it('is plain data: no functions reach the resolved config', () => {
    const resolved = resolve({
      ...base,
      collectPreauthCatalog: () => {},
      transformVerificationUri: (uri: string) => uri,
      fetch: () => Promise.reject(new Error('unused')),
      inspect: () => {},
    });
    expect(JSON.parse(JSON.stringify(resolved))).toEqual(resolved);
  });
});
