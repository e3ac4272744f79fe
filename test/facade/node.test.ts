import { describe, expect, it, vi } from 'vitest';
import type { AuthorizationConfig, LoginEvent } from '../../src/index.js';
import { createFakeFetch, json, type RecordedRequest } from '../fixtures/fakeFetch.js';

const IDBROKER = 'https://idbroker.webex.com/idb/oauth2/v1';
const TOKEN_URL = `${IDBROKER}/access_token`;
const REDIRECT_URI = 'https://app.example/cb';
/** A made-up backend secret; only its HTTP Basic encoding is checked. */
const SECRET = 's3cret';
const VERIFIER = 'v'.repeat(43);

const tokenResponse = {
  access_token: 'AT-node',
  token_type: 'Bearer',
  expires_in: 3600,
  refresh_token: 'RT-node',
};

// Imported lazily so the first test can prove the import itself does not throw in Node.
const load = () => import('../../src/index.js');

async function setup(
  route: (request: RecordedRequest) => Response | Promise<Response> = () => json(tokenResponse),
  config: Partial<AuthorizationConfig> = {},
) {
  const { createAuthorization, Events } = await load();
  const server = createFakeFetch({ [TOKEN_URL]: route });
  const auth = createAuthorization({
    clientId: 'client-1',
    redirectUri: REDIRECT_URI,
    profile: 'webex',
    clientSecret: SECRET,
    fetch: server.fetch,
    ...config,
  });
  const events: LoginEvent[] = [];
  auth.eventEmitter.on(Events.login, (event) => events.push(event));
  return { auth, server, events };
}

/**
 * The `client_id:secret` pair of an HTTP Basic header. RFC 6749 §2.3.1 form-encodes each half
 * before base64 (oauth4webapi sends `client-1` as `client%2D1`), so each half is form-decoded.
 */
const basicCredentials = (request: RecordedRequest | undefined) => {
  const header = request?.headers.get('authorization') ?? '';
  expect(header).toMatch(/^Basic [A-Za-z0-9+/]+=*$/);
  const decoded = Buffer.from(header.slice('Basic '.length), 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  const formDecode = (part: string) => decodeURIComponent(part.replace(/\+/g, ' '));
  return `${formDecode(decoded.slice(0, colon))}:${formDecode(decoded.slice(colon + 1))}`;
};

describe('in Node, without a window', () => {
  it('imports without touching browser globals', async () => {
    expect(typeof window).toBe('undefined');
    expect(typeof sessionStorage).toBe('undefined');
    const module = await load();
    expect(typeof module.createAuthorization).toBe('function');
    expect(module.Events.login).toBe('login');
  });

  it('is ready at once with outcome none, and sends nothing', async () => {
    const { auth, server } = await setup();
    expect(auth.ready).toBe(true);
    expect(auth.isAuthorizing).toBe(false);
    await expect(auth.whenReady()).resolves.toEqual({ outcome: 'none' });
    expect(server.requests).toHaveLength(0);
    expect(auth.credentials.supertoken).toBeUndefined();
    expect(auth.credentials.canAuthorize).toBe(false);
    auth.stop();
  });

  it('initiateLogin() rejects with a clear error (nowhere to keep the transaction), stores and sends nothing', async () => {
    const { auth, server, events } = await setup();
    const failure = auth.initiateLogin();
    await expect(failure).rejects.toThrow(TypeError);
    await expect(failure).rejects.toThrow('There is no storage to keep the login transaction in');
    expect(events.map((event) => event.eventType)).not.toContain('redirectToLoginUrl');
    expect(server.requests).toHaveLength(0);
    expect(auth.isAuthorizing).toBe(false);
    auth.stop();
  });

  it('accepts a client secret (a confidential backend client)', async () => {
    const { createAuthorization } = await load();
    expect(() =>
      createAuthorization({
        clientId: 'client-1',
        redirectUri: REDIRECT_URI,
        profile: 'webex',
        clientSecret: SECRET,
      }).stop(),
    ).not.toThrow();
  });
});

describe('requestAuthorizationCodeGrant in Node', () => {
  it('authenticates with HTTP Basic, adds self_contained_token and sets the supertoken', async () => {
    const { auth, server, events } = await setup();
    await expect(
      auth.requestAuthorizationCodeGrant({ code: 'abc_cluster_org42', codeVerifier: VERIFIER }),
    ).resolves.toBeUndefined();

    expect(server.requests).toHaveLength(1);
    const [request] = server.requests;
    expect(request?.url).toBe(TOKEN_URL);
    expect(request?.method).toBe('POST');
    expect(basicCredentials(request)).toBe(`client-1:${SECRET}`);
    expect(request?.body.get('grant_type')).toBe('authorization_code');
    expect(request?.body.get('code')).toBe('abc_cluster_org42');
    expect(request?.body.get('redirect_uri')).toBe(REDIRECT_URI);
    expect(request?.body.get('code_verifier')).toBe(VERIFIER);
    expect(request?.body.get('self_contained_token')).toBe('true');
    // The secret travels in the header only, never in the form body.
    expect(request?.body.has('client_secret')).toBe(false);
    expect(request?.body.toString()).not.toContain(SECRET);

    expect(auth.credentials.supertoken?.access_token).toBe('AT-node');
    expect(auth.credentials.supertoken?.refresh_token).toBe('RT-node');
    expect(auth.credentials.canAuthorize).toBe(true);
    await expect(auth.credentials.getAccessToken()).resolves.toBe('AT-node');
    expect(events).toEqual([
      {
        eventType: 'authorizationSuccess',
        data: { via: 'code', scope: undefined, expires: auth.credentials.supertoken?.expires },
      },
    ]);
    expect(JSON.stringify(events)).not.toContain('AT-node');
    expect(auth.isAuthorizing).toBe(false);
    auth.stop();
  });

  it('sends no code_verifier when none is given', async () => {
    const { auth, server } = await setup();
    await auth.requestAuthorizationCodeGrant({ code: 'abc_cluster_org42' });
    expect(server.requests).toHaveLength(1);
    expect(server.requests[0]?.body.has('code_verifier')).toBe(false);
    expect(server.requests[0]?.body.get('self_contained_token')).toBe('true');
    expect(auth.credentials.supertoken?.access_token).toBe('AT-node');
    auth.stop();
  });

  it('authenticates a public client with client_id in the body and no Authorization header', async () => {
    const { auth, server } = await setup(undefined, { clientSecret: undefined });
    await auth.requestAuthorizationCodeGrant({ code: 'abc', codeVerifier: VERIFIER });
    expect(server.requests[0]?.headers.has('authorization')).toBe(false);
    expect(server.requests[0]?.body.get('client_id')).toBe('client-1');
    auth.stop();
  });

  it.each<[string, unknown]>([
    ['no options', undefined],
    ['no code', {}],
    ['an empty code', { code: '' }],
    ['a non-string code', { code: 42 }],
  ])('rejects %s with InvalidOptionError naming code, and sends nothing', async (_name, options) => {
    const { InvalidOptionError } = await load();
    const { auth, server, events } = await setup();
    const error = await auth
      .requestAuthorizationCodeGrant(options as { code: string })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidOptionError);
    expect((error as InstanceType<typeof InvalidOptionError>).option).toBe('code');
    expect((error as Error).message).toBe('Invalid option "code": is required');
    expect(server.requests).toHaveLength(0);
    expect(auth.isAuthorizing).toBe(false);
    await Promise.resolve();
    expect(events).toEqual([]);
    auth.stop();
  });

  it('rejects a non-string verifier and sends nothing', async () => {
    const { InvalidOptionError } = await load();
    const { auth, server } = await setup();
    const error = await auth
      .requestAuthorizationCodeGrant({ code: 'abc', codeVerifier: 7 as unknown as string })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidOptionError);
    expect((error as InstanceType<typeof InvalidOptionError>).option).toBe('codeVerifier');
    expect((error as Error).message).toBe('Invalid option "codeVerifier": must be a string');
    expect(server.requests).toHaveLength(0);
    auth.stop();
  });

  it('rejects a 400 invalid_grant with InvalidGrantError and keeps no token', async () => {
    const { InvalidGrantError, OAuthError } = await load();
    const { auth, server, events } = await setup(() =>
      json({ error: 'invalid_grant', error_description: 'The code has expired' }, 400),
    );
    const error = await auth
      .requestAuthorizationCodeGrant({ code: 'abc_cluster_org42', codeVerifier: VERIFIER })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidGrantError);
    expect(error).toBeInstanceOf(OAuthError);
    expect((error as InstanceType<typeof InvalidGrantError>).error).toBe('invalid_grant');
    expect((error as Error).message).toBe('The code has expired');
    expect(`${(error as Error).message} ${(error as Error).stack}`).not.toContain(SECRET);
    expect(server.requests).toHaveLength(1);
    expect(auth.credentials.supertoken).toBeUndefined();
    expect(auth.credentials.canAuthorize).toBe(false);
    expect(events).toEqual([{ eventType: 'authorizationFailure', data: { error } }]);
    expect(auth.isAuthorizing).toBe(false);
    auth.stop();
  });

  it('can try again after a failure', async () => {
    let answer = json({ error: 'invalid_grant' }, 400);
    const { auth, server } = await setup(() => answer);
    await expect(auth.requestAuthorizationCodeGrant({ code: 'first' })).rejects.toThrow();
    answer = json(tokenResponse);
    await expect(auth.requestAuthorizationCodeGrant({ code: 'second' })).resolves.toBeUndefined();
    expect(server.requests.map((request) => request.body.get('code'))).toEqual(['first', 'second']);
    expect(auth.credentials.supertoken?.access_token).toBe('AT-node');
    auth.stop();
  });

  it('refuses a second exchange while the first is in flight', async () => {
    const { InteractionInProgressError } = await load();
    let answer: (response: Response) => void = () => {};
    const { auth, server } = await setup(
      () =>
        new Promise<Response>((resolve) => {
          answer = resolve;
        }),
    );
    const first = auth.requestAuthorizationCodeGrant({ code: 'first', codeVerifier: VERIFIER });
    expect(auth.isAuthorizing).toBe(true);
    await expect(
      auth.requestAuthorizationCodeGrant({ code: 'second', codeVerifier: VERIFIER }),
    ).rejects.toBeInstanceOf(InteractionInProgressError);
    await vi.waitFor(() => expect(server.requests).toHaveLength(1));
    answer(json(tokenResponse));
    await expect(first).resolves.toBeUndefined();
    expect(server.requests.map((request) => request.body.get('code'))).toEqual(['first']);
    expect(auth.credentials.supertoken?.access_token).toBe('AT-node');
    expect(auth.isAuthorizing).toBe(false);
    auth.stop();
  });

  it('dates the supertoken from when the response arrived', async () => {
    const now = Date.UTC(2025, 5, 1);
    vi.spyOn(Date, 'now').mockReturnValue(now);
    const { auth } = await setup();
    await auth.requestAuthorizationCodeGrant({ code: 'abc' });
    expect(auth.credentials.supertoken?.expires).toBe(now + 3_600_000);
    auth.stop();
  });
});

describe('stop()', () => {
  it('aborts an exchange in flight and stops the actor', async () => {
    const { auth, server } = await setup(() => new Promise<Response>(() => {}));
    const pending = auth.requestAuthorizationCodeGrant({ code: 'abc', codeVerifier: VERIFIER });
    pending.catch(() => {});
    await vi.waitFor(() => expect(server.requests).toHaveLength(1));
    expect(server.requests[0]?.aborted).toBe(false);

    auth.stop();

    expect(auth.actor.getSnapshot().status).toBe('stopped');
    expect(server.requests[0]?.aborted).toBe(true);
    expect(auth.credentials.supertoken).toBeUndefined();
    expect(auth.eventEmitter.all.size).toBe(0);
  });

  // src/authorization.ts `interact()`: `settle()` treats a stopped actor like one back in `idle`
  // and, with no `lastError`, resolves. So a code grant cut short by stop() reports success
  // although no token was stored; it should reject (the request was aborted).
  it('does not report an exchange cut short by stop() as a success', async () => {
    const { auth, server } = await setup(() => new Promise<Response>(() => {}));
    const pending = auth.requestAuthorizationCodeGrant({ code: 'abc', codeVerifier: VERIFIER });
    await vi.waitFor(() => expect(server.requests).toHaveLength(1));
    auth.stop();
    await expect(pending).rejects.toBeInstanceOf(Error);
    expect(auth.credentials.supertoken).toBeUndefined();
  });

  it('refuses new work afterwards and sends nothing', async () => {
    const { auth, server } = await setup();
    auth.stop();
    await expect(auth.requestAuthorizationCodeGrant({ code: 'abc' })).rejects.toBeInstanceOf(Error);
    expect(server.requests).toHaveLength(0);
  });
});
