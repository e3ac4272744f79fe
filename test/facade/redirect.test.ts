// @vitest-environment jsdom
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  type AuthorizationConfig,
  CsrfMismatchError,
  createAuthorization,
  Events,
  InvalidRequestError,
  InvalidScopeError,
  IssuerMismatchError,
  type LoginEvent,
  OAuthError,
  StateDecodeError,
  TransactionMissingError,
} from '../../src/index.js';
import { encodeState } from '../../src/stateCodec.js';
import { CODE_VERIFIER_KEY, CSRF_TOKEN_KEY } from '../../src/transactionStore.js';
import { createFakeFetch, json } from '../fixtures/fakeFetch.js';

const AS = 'https://as.example';
const CSRF = 'csrf-token-value-0123456789';
const VERIFIER = 'v'.repeat(43);
const CODE = 'the-authorization-code';

const tokenResponse = {
  access_token: 'AT-secret',
  token_type: 'Bearer',
  expires_in: 3600,
  refresh_token: 'RT-secret',
};

function setup(overrides: Partial<AuthorizationConfig> = {}) {
  const server = createFakeFetch({
    [`${AS}/token`]: () => json(tokenResponse),
  });
  const config: AuthorizationConfig = {
    clientId: 'client-1',
    redirectUri: 'http://localhost:3000/cb',
    endpoints: { authorization: `${AS}/authorize`, token: `${AS}/token` },
    fetch: server.fetch,
    ...overrides,
  };
  return { server, config };
}

/** Puts the browser on `path` as if the authorization server had just redirected it there. */
function landOn(path: string, historyState: unknown = { router: 'keep-me' }) {
  window.history.replaceState(historyState, '', path);
}

function storeTransaction() {
  sessionStorage.setItem(CSRF_TOKEN_KEY, CSRF);
  sessionStorage.setItem(CODE_VERIFIER_KEY, VERIFIER);
}

function collect(auth: ReturnType<typeof createAuthorization>) {
  const events: LoginEvent[] = [];
  auth.eventEmitter.on(Events.login, (event) => events.push(event));
  return events;
}

const secrets = [CSRF, VERIFIER, CODE, 'AT-secret', 'RT-secret'];
const expectNoSecret = (value: unknown) => {
  const text = `${value instanceof Error ? `${value.name} ${value.message}` : ''} ${JSON.stringify(value)}`;
  for (const secret of secrets) expect(text).not.toContain(secret);
};

beforeEach(() => {
  sessionStorage.clear();
  localStorage.clear();
  landOn('/', null);
});
afterEach(() => landOn('/', null));

describe('an ordinary page load', () => {
  it('is ready at once and sends no request', async () => {
    landOn('/inbox?tab=2#/thread/7');
    const { server, config } = setup({ issuer: undefined });
    const auth = createAuthorization(config);
    expect(auth.ready).toBe(true);
    expect(auth.isAuthorizing).toBe(false);
    await expect(auth.whenReady()).resolves.toEqual({ outcome: 'none' });
    expect(server.requests).toHaveLength(0);
    expect(window.location.href).toBe('http://localhost:3000/inbox?tab=2#/thread/7');
    auth.stop();
  });

  it('does not even discover the server when an issuer is configured', async () => {
    const { server, config } = setup({ issuer: AS, endpoints: undefined });
    const auth = createAuthorization(config);
    await auth.whenReady();
    expect(server.requests).toHaveLength(0);
    auth.stop();
  });
});

describe('inspection', () => {
  it('hands every inspection event of the whole tree to the configured inspector', async () => {
    storeTransaction();
    landOn(`/cb?code=${CODE}&state=${encodeState({ csrf_token: CSRF })}`);
    const seen: string[] = [];
    const { config } = setup({
      inspect: (event) => {
        if (event.type === '@xstate.actor') seen.push((event.actorRef as unknown as { id: string }).id);
      },
    });
    const auth = createAuthorization(config);
    await auth.whenReady();
    expect(seen).toEqual(
      expect.arrayContaining([auth.actor.id, 'redirect', 'takeStoredTransaction', 'exchangeCode']),
    );
    auth.stop();
  });
});

describe('a valid callback', () => {
  it('exchanges the code once, stores the token, cleans the URL and the transaction', async () => {
    storeTransaction();
    const state = encodeState({ csrf_token: CSRF, returnTo: '/home' });
    landOn(`/cb?keep=1&code=${CODE}&state=${state}&iss=x&session_state=s&other=a%20b#section-2`);
    const { server, config } = setup();
    const auth = createAuthorization(config);
    const events = collect(auth);
    expect(auth.ready).toBe(false);
    expect(auth.isAuthorizing).toBe(true);

    await expect(auth.whenReady()).resolves.toEqual({ outcome: 'authorized' });
    expect(auth.ready).toBe(true);
    expect(auth.isAuthorizing).toBe(false);

    expect(server.requests).toHaveLength(1);
    const [request] = server.requests;
    expect(request?.url).toBe(`${AS}/token`);
    expect(request?.method).toBe('POST');
    expect(request?.body.get('grant_type')).toBe('authorization_code');
    expect(request?.body.get('code')).toBe(CODE);
    expect(request?.body.get('code_verifier')).toBe(VERIFIER);
    expect(request?.body.get('redirect_uri')).toBe('http://localhost:3000/cb');
    expect(request?.body.get('client_id')).toBe('client-1');
    expect(request?.body.has('self_contained_token')).toBe(false);

    expect(auth.credentials.supertoken?.access_token).toBe('AT-secret');
    expect(auth.credentials.supertoken?.refresh_token).toBe('RT-secret');
    expect(auth.credentials.canAuthorize).toBe(true);
    await expect(auth.credentials.getAccessToken()).resolves.toBe('AT-secret');

    expect(events.map((e) => e.eventType)).toEqual(['authorizationSuccess']);
    expectNoSecret(events);

    expect(sessionStorage.getItem(CSRF_TOKEN_KEY)).toBeNull();
    expect(sessionStorage.getItem(CODE_VERIFIER_KEY)).toBeNull();
    expect(window.location.href).toBe(
      `http://localhost:3000/cb?keep=1&state=${encodeState({ returnTo: '/home' })}&other=a%20b#section-2`,
    );
    expect(window.history.state).toEqual({ router: 'keep-me' });
    auth.stop();
  });

  it('has the supertoken in place when authorizationSuccess is delivered', async () => {
    storeTransaction();
    landOn(`/cb?code=${CODE}&state=${encodeState({ csrf_token: CSRF })}`);
    const { config } = setup();
    const auth = createAuthorization(config);
    const seen: unknown[] = [];
    auth.eventEmitter.on(Events.login, () => seen.push(auth.credentials.supertoken?.access_token));
    await auth.whenReady();
    expect(seen).toEqual(['AT-secret']);
    expect(window.location.href).toBe('http://localhost:3000/cb');
    auth.stop();
  });

  it('reports a rejected exchange as a grant error, with the URL already clean', async () => {
    storeTransaction();
    landOn(`/cb?code=${CODE}&state=${encodeState({ csrf_token: CSRF })}`);
    const server = createFakeFetch({
      [`${AS}/token`]: () => json({ error: 'invalid_grant', error_description: 'code expired' }, 400),
    });
    const { config } = setup({ fetch: server.fetch });
    const auth = createAuthorization(config);
    const events = collect(auth);
    const result = await auth.whenReady();
    expect(result.outcome).toBe('failed');
    expect(result.error?.name).toBe('InvalidGrantError');
    expect(result.error?.message).toBe('code expired');
    expect(events).toEqual([{ eventType: 'authorizationFailure', data: { error: result.error } }]);
    expect(auth.credentials.supertoken).toBeUndefined();
    expect(window.location.href).toBe('http://localhost:3000/cb');
    auth.stop();
  });
});

describe('a callback that must not be exchanged', () => {
  const cases: Array<{
    name: string;
    prepare: () => string;
    error: new (...args: never[]) => Error;
    /** What the app reads off the error besides its class. */
    details?: Record<string, unknown>;
    config?: Partial<AuthorizationConfig>;
  }> = [
    {
      name: 'CSRF mismatch',
      prepare: () => {
        storeTransaction();
        return `/cb?code=${CODE}&state=${encodeState({ csrf_token: 'forged-token' })}&keep=1`;
      },
      error: CsrfMismatchError,
    },
    {
      name: 'no stored transaction (fail closed)',
      prepare: () => `/cb?code=${CODE}&state=${encodeState({ csrf_token: CSRF })}&keep=1`,
      error: TransactionMissingError,
    },
    {
      name: 'undecodable state',
      prepare: () => {
        storeTransaction();
        return `/cb?code=${CODE}&state=%%%not-base64&keep=1`;
      },
      error: StateDecodeError,
    },
    {
      name: 'iss mismatch (RFC 9207)',
      prepare: () => {
        storeTransaction();
        return `/cb?code=${CODE}&state=${encodeState({ csrf_token: CSRF })}&iss=${encodeURIComponent('https://evil.example')}&keep=1`;
      },
      error: IssuerMismatchError,
      config: { issuer: AS },
    },
    {
      name: 'an error= response',
      prepare: () => {
        storeTransaction();
        return `/cb?error=invalid_scope&error_description=bad%20scope&state=${encodeState({ csrf_token: CSRF })}&keep=1`;
      },
      error: InvalidScopeError,
    },
    {
      name: 'a repeated code',
      prepare: () => {
        storeTransaction();
        return `/cb?code=a&code=b&state=${encodeState({ csrf_token: CSRF })}&keep=1`;
      },
      error: InvalidRequestError,
      details: {
        error: 'invalid_request',
        errorDescription: 'The authorization response repeats a parameter',
        message: 'The authorization response repeats a parameter',
      },
    },
  ];

  for (const testCase of cases) {
    it(`${testCase.name}: no token request, clean URL, typed failure, ready`, async () => {
      landOn(testCase.prepare());
      const discovery = {
        issuer: AS,
        authorization_endpoint: `${AS}/authorize`,
        token_endpoint: `${AS}/token`,
        authorization_response_iss_parameter_supported: true,
      };
      const server = createFakeFetch({
        [`${AS}/.well-known/openid-configuration`]: () => json(discovery),
        [`${AS}/token`]: () => json(tokenResponse),
      });
      const { config } = setup({ fetch: server.fetch, ...testCase.config });
      let auth: ReturnType<typeof createAuthorization> | undefined;
      expect(() => {
        auth = createAuthorization(config);
      }).not.toThrow();
      if (!auth) throw new Error('unreachable');
      const events = collect(auth);
      const result = await auth.whenReady();
      expect(auth.ready).toBe(true);
      expect(result.outcome).toBe('failed');
      expect(result.error).toBeInstanceOf(testCase.error);
      expect(result.error).toMatchObject(testCase.details ?? {});
      expect(server.requests.filter((r) => r.url.endsWith('/token'))).toHaveLength(0);
      expect(events).toEqual([{ eventType: 'authorizationFailure', data: { error: result.error } }]);
      expectNoSecret(result.error);
      expect(window.location.href).toBe('http://localhost:3000/cb?keep=1');
      expect(window.history.state).toEqual({ router: 'keep-me' });
      expect(sessionStorage.getItem(CSRF_TOKEN_KEY)).toBeNull();
      expect(sessionStorage.getItem(CODE_VERIFIER_KEY)).toBeNull();
      expect(auth.credentials.supertoken).toBeUndefined();
      auth.stop();
    });
  }

  it('maps an unknown error code to OAuthError with the server description', async () => {
    landOn('/cb?error=access_denied&error_description=User%20said%20no');
    const { config } = setup();
    const auth = createAuthorization(config);
    const result = await auth.whenReady();
    expect(result.error).toBeInstanceOf(OAuthError);
    expect(result.error?.name).toBe('OAuthError');
    expect((result.error as OAuthError).error).toBe('access_denied');
    expect(result.error?.message).toBe('User said no');
    expect(window.location.href).toBe('http://localhost:3000/cb');
    auth.stop();
  });

  it('rejects a callback without iss when discovery says the server sends it', async () => {
    storeTransaction();
    landOn(`/cb?code=${CODE}&state=${encodeState({ csrf_token: CSRF })}`);
    const server = createFakeFetch({
      [`${AS}/.well-known/openid-configuration`]: () =>
        json({
          issuer: AS,
          authorization_endpoint: `${AS}/authorize`,
          token_endpoint: `${AS}/token`,
          authorization_response_iss_parameter_supported: true,
        }),
      [`${AS}/token`]: () => json(tokenResponse),
    });
    const { config } = setup({ fetch: server.fetch, issuer: AS, endpoints: undefined });
    const auth = createAuthorization(config);
    const result = await auth.whenReady();
    expect(result.error).toBeInstanceOf(IssuerMismatchError);
    expect(server.requests.map((r) => r.url)).toEqual([`${AS}/.well-known/openid-configuration`]);
    auth.stop();
  });

  it('accepts the matching iss of a discovered server', async () => {
    storeTransaction();
    landOn(`/cb?code=${CODE}&state=${encodeState({ csrf_token: CSRF })}&iss=${encodeURIComponent(AS)}`);
    const server = createFakeFetch({
      [`${AS}/.well-known/openid-configuration`]: () =>
        json({
          issuer: AS,
          authorization_endpoint: `${AS}/authorize`,
          token_endpoint: `${AS}/token`,
          authorization_response_iss_parameter_supported: true,
        }),
      [`${AS}/token`]: () => json(tokenResponse),
    });
    const { config } = setup({ fetch: server.fetch, issuer: AS, endpoints: undefined });
    const auth = createAuthorization(config);
    await expect(auth.whenReady()).resolves.toEqual({ outcome: 'authorized' });
    expect(window.location.href).toBe('http://localhost:3000/cb');
    auth.stop();
  });
});
