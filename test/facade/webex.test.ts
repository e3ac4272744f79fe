import { calculatePKCECodeChallenge } from 'oauth4webapi';
import { describe, expect, it, vi } from 'vitest';
import {
  type AuthorizationConfig,
  createAuthorization,
  Events,
  InvalidOptionError,
  type LoginEvent,
  type PreauthHint,
} from '../../src/index.js';
import { decodeState, encodeState } from '../../src/stateCodec.js';
import { CODE_VERIFIER_KEY, CSRF_TOKEN_KEY } from '../../src/transactionStore.js';
import { createFakeFetch, json } from '../fixtures/fakeFetch.js';
import { FakeWindow } from '../fixtures/fakeWindow.js';

const IDBROKER = 'https://idbroker.webex.com/idb/oauth2/v1';
const APP = 'https://app.example';
const REDIRECT_URI = `${APP}/cb`;
/** SHA-256 of 'test@email.com', lower-case hex (Webex's `emailhash`). */
const EMAIL_HASH = '73062d872926c2a556f17b36f50e328ddf9bff9d403939bd14b6c3b7f5a33fc2';
const CSRF = 'csrf-token-value-0123456789';
const VERIFIER = 'v'.repeat(43);

const tokenResponse = {
  access_token: 'AT-webex',
  token_type: 'Bearer',
  expires_in: 1209599,
  refresh_token: 'RT-webex',
  refresh_token_expires_in: 7775999,
};

function setup(options: { href?: string; config?: Partial<AuthorizationConfig> } = {}) {
  const fakeWindow = new FakeWindow(options.href ?? `${APP}/`);
  const server = createFakeFetch({
    [`${IDBROKER}/access_token`]: () => json(tokenResponse),
    'https://as.example/token': () => json(tokenResponse),
  });
  const config: AuthorizationConfig = {
    clientId: 'client-1',
    redirectUri: REDIRECT_URI,
    scope: 'spark:all',
    profile: 'webex',
    window: fakeWindow.asWindow(),
    fetch: server.fetch,
    ...options.config,
  };
  return { fakeWindow, server, config };
}

function collect(auth: ReturnType<typeof createAuthorization>) {
  const events: LoginEvent[] = [];
  auth.eventEmitter.on(Events.login, (event) => events.push(event));
  return events;
}

/** A FakeWindow that has just been redirected back to the app with `query`, its transaction stored. */
function callbackSetup(query: Record<string, string>, config: Partial<AuthorizationConfig> = {}) {
  const href = `${REDIRECT_URI}?${new URLSearchParams(query)}`;
  const context = setup({ href, config });
  context.fakeWindow.sessionStorage.setItem(CSRF_TOKEN_KEY, CSRF);
  context.fakeWindow.sessionStorage.setItem(CODE_VERIFIER_KEY, VERIFIER);
  return context;
}

describe('webex profile: initiateLogin', () => {
  it('navigates to IdBroker with the email hashed, never the address itself', async () => {
    const { fakeWindow, server, config } = setup();
    const auth = createAuthorization(config);
    await auth.whenReady();
    const events = collect(auth);

    await auth.initiateLogin({ email: 'Test@Email.com ', state: { returnTo: '/home' } });

    expect(fakeWindow.navigations).toHaveLength(1);
    const navigated = fakeWindow.navigations[0] ?? '';
    const url = new URL(navigated);
    expect(`${url.origin}${url.pathname}`).toBe(`${IDBROKER}/authorize`);
    expect(url.searchParams.get('emailHash')).toBe(EMAIL_HASH);
    expect(url.searchParams.get('response_type')).toBe('code');
    expect(url.searchParams.get('client_id')).toBe('client-1');
    expect(url.searchParams.get('redirect_uri')).toBe(REDIRECT_URI);
    expect(url.searchParams.get('scope')).toBe('spark:all');
    expect(url.searchParams.get('code_challenge_method')).toBe('S256');

    const state = decodeState(url.searchParams.get('state') ?? '');
    expect(Object.keys(state).sort()).toEqual(['csrf_token', 'emailhash', 'returnTo']);
    expect(state.returnTo).toBe('/home');
    expect(state.emailhash).toBe(EMAIL_HASH);
    expect(state.csrf_token).toBe(fakeWindow.sessionStorage.getItem(CSRF_TOKEN_KEY));

    const verifier = fakeWindow.sessionStorage.getItem(CODE_VERIFIER_KEY);
    expect(verifier).toMatch(/^[A-Za-z0-9._~-]{43,128}$/);
    expect(url.searchParams.get('code_challenge')).toBe(await calculatePKCECodeChallenge(verifier ?? ''));

    const everything = `${navigated} ${decodeURIComponent(navigated)} ${JSON.stringify(state)} ${JSON.stringify(events)}`;
    for (const leak of ['Test@Email.com', 'test@email.com', 'Test%40Email', 'test%40email', 'email.com']) {
      expect(everything.toLowerCase()).not.toContain(leak.toLowerCase());
    }

    expect(events).toEqual([
      { eventType: 'initiateLogin', data: { hasEmail: true, hasState: true } },
      { eventType: 'redirectToLoginUrl', data: { loginUrl: navigated } },
    ]);
    expect(server.requests).toHaveLength(0);
    expect(auth.isAuthorizing).toBe(false);
    auth.stop();
  });

  it('does not modify the caller’s options', async () => {
    const { config } = setup();
    const auth = createAuthorization(config);
    const options = { email: 'test@email.com', state: { returnTo: '/home' } };
    await auth.initiateLogin(options);
    expect(options).toEqual({ email: 'test@email.com', state: { returnTo: '/home' } });
    auth.stop();
  });

  it('sends no emailHash and puts no emailhash in state without an email', async () => {
    const { fakeWindow, config } = setup();
    const auth = createAuthorization(config);
    await auth.initiateLogin();
    const url = new URL(fakeWindow.navigations[0] ?? '');
    expect(url.searchParams.has('emailHash')).toBe(false);
    expect(Object.keys(decodeState(url.searchParams.get('state') ?? ''))).toEqual(['csrf_token']);
    auth.stop();
  });

  it('rfc profile: sends no emailHash parameter but still carries emailhash in state', async () => {
    const { fakeWindow, config } = setup({
      config: {
        profile: 'rfc',
        endpoints: { authorization: 'https://as.example/authorize', token: 'https://as.example/token' },
      },
    });
    const auth = createAuthorization(config);
    await auth.initiateLogin({ email: 'Test@Email.com ', state: { returnTo: '/home' } });
    const navigated = fakeWindow.navigations[0] ?? '';
    const url = new URL(navigated);
    expect(`${url.origin}${url.pathname}`).toBe('https://as.example/authorize');
    expect([...url.searchParams.keys()].map((key) => key.toLowerCase())).not.toContain('emailhash');
    const state = decodeState(url.searchParams.get('state') ?? '');
    expect(state.emailhash).toBe(EMAIL_HASH);
    expect(state.returnTo).toBe('/home');
    expect(decodeURIComponent(navigated).toLowerCase()).not.toContain('email.com');
    auth.stop();
  });

  it('rejects a string state with InvalidOptionError, navigates nowhere and is not left authorizing', async () => {
    const { fakeWindow, config } = setup();
    const auth = createAuthorization(config);
    const events = collect(auth);
    const error = await auth
      .initiateLogin({ state: 'returnTo=/home' as unknown as Record<string, unknown> })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidOptionError);
    expect((error as InvalidOptionError).option).toBe('state');
    expect(fakeWindow.navigations).toHaveLength(0);
    expect(fakeWindow.sessionStorage.length).toBe(0);
    expect(auth.isAuthorizing).toBe(false);
    expect(events.map((event) => event.eventType)).toEqual(['initiateLogin', 'authorizationFailure']);
    auth.stop();
  });
});

describe('webex profile: the callback', () => {
  it('exchanges the code at IdBroker with self_contained_token=true and no client secret', async () => {
    const { fakeWindow, server, config } = callbackSetup({
      code: 'abc_cluster_org42',
      state: encodeState({ csrf_token: CSRF }),
    });
    const auth = createAuthorization(config);
    await expect(auth.whenReady()).resolves.toEqual({ outcome: 'authorized' });

    expect(server.requests).toHaveLength(1);
    const [request] = server.requests;
    expect(request?.url).toBe(`${IDBROKER}/access_token`);
    expect(request?.method).toBe('POST');
    expect(request?.body.get('grant_type')).toBe('authorization_code');
    expect(request?.body.get('code')).toBe('abc_cluster_org42');
    expect(request?.body.get('code_verifier')).toBe(VERIFIER);
    expect(request?.body.get('redirect_uri')).toBe(REDIRECT_URI);
    expect(request?.body.get('client_id')).toBe('client-1');
    expect(request?.body.get('self_contained_token')).toBe('true');
    expect(request?.headers.has('authorization')).toBe(false);

    expect(auth.credentials.supertoken?.access_token).toBe('AT-webex');
    expect(auth.credentials.supertoken?.refresh_token).toBe('RT-webex');
    expect(auth.credentials.canAuthorize).toBe(true);
    expect(fakeWindow.location.href).toBe(REDIRECT_URI);
    expect(fakeWindow.sessionStorage.length).toBe(0);
    auth.stop();
  });

  it('dates the supertoken and its refresh token from when the response arrived', async () => {
    const now = Date.UTC(2025, 5, 1);
    vi.spyOn(Date, 'now').mockReturnValue(now);
    const { config } = callbackSetup({ code: 'abc_cluster_org42', state: encodeState({ csrf_token: CSRF }) });
    const auth = createAuthorization(config);
    await auth.whenReady();
    expect(auth.credentials.supertoken?.expires).toBe(now + 1_209_599_000);
    expect(auth.credentials.supertoken?.refresh_token_expires).toBe(now + 7_775_999_000);
    auth.stop();
  });

  const hintCases: Array<{ name: string; code: string; state: Record<string, unknown>; hint: PreauthHint }> =
    [
      {
        name: '{emailhash} when state carries it (even when the code names an org)',
        code: 'abc_cluster_org42',
        state: { csrf_token: CSRF, emailhash: EMAIL_HASH },
        hint: { emailhash: EMAIL_HASH },
      },
      {
        name: '{orgId} from the code when state has no emailhash',
        code: 'abc_cluster_org42',
        state: { csrf_token: CSRF, returnTo: '/home' },
        hint: { orgId: 'org42' },
      },
      {
        name: 'undefined when neither is there',
        code: 'plaincode',
        state: { csrf_token: CSRF },
        hint: undefined,
      },
    ];

  for (const { name, code, state, hint } of hintCases) {
    it(`calls collectPreauthCatalog once with ${name}`, async () => {
      const collectPreauthCatalog = vi.fn((_hint: PreauthHint) => Promise.resolve());
      const { server, config } = callbackSetup(
        { code, state: encodeState(state) },
        { collectPreauthCatalog },
      );
      const auth = createAuthorization(config);
      await expect(auth.whenReady()).resolves.toEqual({ outcome: 'authorized' });
      expect(collectPreauthCatalog).toHaveBeenCalledTimes(1);
      expect(collectPreauthCatalog.mock.calls[0]).toEqual([hint]);
      expect(server.requests).toHaveLength(1);
      auth.stop();
    });
  }

  it('redeems the code without waiting for the hook, and finishes when the hook does', async () => {
    let finishCatalog: () => void = () => {};
    const collectPreauthCatalog = vi.fn(
      () =>
        new Promise<void>((resolve) => {
          finishCatalog = resolve;
        }),
    );
    const { server, config } = callbackSetup(
      { code: 'abc_cluster_org42', state: encodeState({ csrf_token: CSRF }) },
      { collectPreauthCatalog },
    );
    const auth = createAuthorization(config);
    await vi.waitFor(() => expect(server.requests).toHaveLength(1));
    expect(collectPreauthCatalog).toHaveBeenCalledTimes(1);
    finishCatalog();
    await expect(auth.whenReady()).resolves.toEqual({ outcome: 'authorized' });
    expect(auth.credentials.supertoken?.access_token).toBe('AT-webex');
    auth.stop();
  });

  it('rfc profile: no orgId hint from the code', async () => {
    const collectPreauthCatalog = vi.fn();
    const { config } = callbackSetup(
      { code: 'abc_cluster_org42', state: encodeState({ csrf_token: CSRF }) },
      {
        profile: 'rfc',
        endpoints: { authorization: 'https://as.example/authorize', token: 'https://as.example/token' },
        collectPreauthCatalog,
      },
    );
    const auth = createAuthorization(config);
    await expect(auth.whenReady()).resolves.toEqual({ outcome: 'authorized' });
    expect(collectPreauthCatalog.mock.calls).toEqual([[undefined]]);
    auth.stop();
  });

  it('does not call the hook for a callback that is rejected', async () => {
    const collectPreauthCatalog = vi.fn();
    const { server, config } = callbackSetup(
      { code: 'abc_cluster_org42', state: encodeState({ csrf_token: 'forged' }) },
      { collectPreauthCatalog },
    );
    const auth = createAuthorization(config);
    const result = await auth.whenReady();
    expect(result.outcome).toBe('failed');
    expect(collectPreauthCatalog).not.toHaveBeenCalled();
    expect(server.requests).toHaveLength(0);
    auth.stop();
  });

  const failingHooks: Array<[string, (hint: PreauthHint) => unknown]> = [
    [
      'throws',
      () => {
        throw new Error('catalog exploded');
      },
    ],
    ['rejects', () => Promise.reject(new Error('catalog unavailable'))],
    ['rejects with a non-error', () => Promise.reject('nope')],
  ];

  for (const [how, hook] of failingHooks) {
    it(`logs in even when the hook ${how}`, async () => {
      const collectPreauthCatalog = vi.fn(hook);
      const { server, config } = callbackSetup(
        { code: 'abc_cluster_org42', state: encodeState({ csrf_token: CSRF, emailhash: EMAIL_HASH }) },
        { collectPreauthCatalog },
      );
      const auth = createAuthorization(config);
      const events = collect(auth);
      await expect(auth.whenReady()).resolves.toEqual({ outcome: 'authorized' });
      expect(collectPreauthCatalog).toHaveBeenCalledTimes(1);
      expect(server.requests).toHaveLength(1);
      expect(auth.credentials.supertoken?.access_token).toBe('AT-webex');
      expect(events.map((event) => event.eventType)).toEqual(['authorizationSuccess']);
      auth.stop();
    });
  }
});

describe('webex profile: a full round trip', () => {
  it('finishes in a new page the login an earlier page started', async () => {
    const start = setup();
    const first = createAuthorization(start.config);
    await first.initiateLogin({ email: 'test@email.com', state: { returnTo: '/home' } });
    first.stop();
    const loginUrl = new URL(start.fakeWindow.navigations[0] ?? '');

    // The authorization server redirects back with the state it was given.
    const href = `${REDIRECT_URI}?code=abc_cluster_org42&state=${loginUrl.searchParams.get('state')}`;
    const back = setup({ href, config: { collectPreauthCatalog: vi.fn() } });
    for (const key of start.fakeWindow.sessionStorage.keys()) {
      back.fakeWindow.sessionStorage.setItem(key, start.fakeWindow.sessionStorage.getItem(key) ?? '');
    }
    const second = createAuthorization(back.config);
    await expect(second.whenReady()).resolves.toEqual({ outcome: 'authorized' });
    expect(back.config.collectPreauthCatalog).toHaveBeenCalledWith({ emailhash: EMAIL_HASH });
    const [request] = back.server.requests;
    expect(request?.body.get('code_verifier')).toBe(
      start.fakeWindow.sessionStorage.getItem(CODE_VERIFIER_KEY),
    );
    expect(request?.body.get('self_contained_token')).toBe('true');
    // The app's state survives in the cleaned URL; the CSRF token does not.
    const cleaned = new URL(back.fakeWindow.location.href);
    expect(cleaned.searchParams.has('code')).toBe(false);
    const returned = decodeState(cleaned.searchParams.get('state') ?? '');
    expect(returned).toEqual({ returnTo: '/home' });
    second.stop();
  });
});

describe('stop() during a popup login', () => {
  it('closes the popup and leaves no timer or message listener behind', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'setInterval', 'clearTimeout', 'clearInterval'] });
    try {
      const { fakeWindow, server, config } = setup();
      const auth = createAuthorization(config);
      const login = auth.initiateLogin({ separateWindow: { width: 800, menubar: 'no' } });
      login.catch(() => {});
      expect(fakeWindow.popups).toHaveLength(1);
      const [popup] = fakeWindow.popups;
      expect(popup?.features).toBe('width=800,height=800,menubar=no');
      // Wait until the popup was pointed at IdBroker: the timeout is running by then.
      await vi.waitFor(() => expect(popup?.location.href).toMatch(/^https:\/\/idbroker\.webex\.com\//));
      expect(vi.getTimerCount()).toBeGreaterThan(0);
      expect(fakeWindow.messageListenerCount).toBe(1);

      auth.stop();

      expect(auth.actor.getSnapshot().status).toBe('stopped');
      expect(vi.getTimerCount()).toBe(0);
      expect(fakeWindow.messageListenerCount).toBe(0);
      expect(popup?.closed).toBe(true);
      expect(server.requests).toHaveLength(0);
    } finally {
      vi.useRealTimers();
    }
  });
});
