/**
 * A session test bench: one fake authorization server (token, revocation, end-session, device
 * endpoints) whose token answers the test scripts one request at a time, and "tabs": facades on
 * fake windows that may share a localStorage and a LockManager, as the tabs of one origin do.
 * It records what a user would notice: requests, `session` events, the stored token, navigation.
 * Time is the fake clock's; nothing here reads the real one.
 */
import { vi } from 'vitest';
import type { SessionEvent } from '../../src/events.js';
import {
  type Authorization,
  type AuthorizationConfig,
  createAuthorization,
  Events,
} from '../../src/index.js';
import type { Token } from '../../src/token.js';
import { tokenStorageKey } from '../../src/tokenStore.js';
import { createFakeFetch, json, type RecordedRequest } from '../fixtures/fakeFetch.js';
import type { FakeLockManager } from '../fixtures/fakeLocks.js';
import { MemoryStorage } from '../fixtures/fakeWindow.js';
import { SessionWindow } from '../fixtures/sessionWindow.js';

export const FAKE_TIMERS = {
  toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'Date'] as Array<
    'setTimeout' | 'clearTimeout' | 'setInterval' | 'clearInterval' | 'Date'
  >,
};

export const APP = 'https://app.example';
export const REDIRECT_URI = `${APP}/cb`;
export const AS = 'https://as.example';
export const AUTHORIZE_URL = `${AS}/authorize`;
export const TOKEN_URL = `${AS}/token`;
export const REVOKE_URL = `${AS}/revoke`;
export const END_SESSION_URL = `${AS}/logout`;
export const DEVICE_URL = `${AS}/device`;
export const IDBROKER = 'https://idbroker.webex.com/idb/oauth2/v1';

/** Seconds of lifetime of the tokens the fake server hands out (a round number for percentages). */
export const LIFETIME_S = 1000;

let counter = 0;
/**
 * A client id no other test uses: the BroadcastChannel and the storage key are per client, and
 * channels reach every instance in the process, so tests must not hear each other.
 */
export function uniqueClientId(): string {
  counter += 1;
  return `client-${counter}-${Math.floor(performance.now() * 1000)}`;
}

/** One answer of the token endpoint: a fresh `Response` per call (bodies are read once). */
export type Answer = () => Response | Promise<Response>;

export const answers = {
  token: (body: Record<string, unknown>): Answer => {
    return () => json(body);
  },
  error: (error: string, status = 400): Answer => {
    return () => json({ error, error_description: `the server said ${error}` }, status);
  },
  status: (status: number): Answer => {
    return () => new Response(null, { status });
  },
  /** `fetch` rejects: offline, DNS, reset connection. */
  networkError: (): Answer => () => Promise.reject(new TypeError('Failed to fetch')),
} as const;

/** A token response with a new access token, and a new refresh token unless `rotate` is false. */
export function freshTokens(n: number, rotate = true): Record<string, unknown> {
  return {
    access_token: `AT-${n}`,
    token_type: 'Bearer',
    expires_in: LIFETIME_S,
    scope: 'openid profile',
    ...(rotate ? { refresh_token: `RT-${n}` } : {}),
  };
}

export interface Deferred<T> {
  promise: Promise<T>;
  resolve: (value: T) => void;
}

export function deferred<T>(): Deferred<T> {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((res) => {
    resolve = res;
  });
  return { promise, resolve };
}

/** An answer the test releases later: the request stays in flight until then. */
export function held(): { answer: Answer; release: (answer: Answer) => Promise<void> } {
  const gate = deferred<Response>();
  return {
    answer: () => gate.promise,
    release: async (answer) => {
      gate.resolve(await answer());
      await settle();
    },
  };
}

/**
 * Lets settled promises, actor hand-offs and BroadcastChannel messages (delivered by Node's event
 * loop) run, without moving the fake clock.
 */
export async function settle(): Promise<void> {
  for (let i = 0; i < 8; i++) {
    await vi.advanceTimersByTimeAsync(0);
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
}

/**
 * The fake authorization server. Each token request takes the next scripted answer; once they
 * are used up it hands out `freshTokens(n)` (a new access and refresh token per request).
 */
export function createServer() {
  const tokenAnswers: Answer[] = [];
  let issued = 0;
  const revocationAnswers: Answer[] = [];
  const onToken = (_request: RecordedRequest) => {
    issued += 1;
    const next = tokenAnswers.shift();
    return next ? next() : json(freshTokens(100 + issued));
  };
  const onRevoke = () => (revocationAnswers.shift() ?? (() => new Response(null, { status: 200 })))();
  const server = createFakeFetch({
    [TOKEN_URL]: onToken,
    [REVOKE_URL]: onRevoke,
    [`${IDBROKER}/access_token`]: onToken,
    [`${IDBROKER}/revoke`]: onRevoke,
    [DEVICE_URL]: () =>
      json({
        device_code: 'DC-1',
        user_code: 'WDJB-MJHT',
        verification_uri: `${AS}/verify`,
        expires_in: 600,
        interval: 5,
      }),
  });
  const requestsTo = (url: string) => server.requests.filter((r) => r.url.split('?')[0] === url);
  return {
    fetch: server.fetch,
    /** Every request, in order. */
    requests: server.requests,
    tokenAnswers,
    revocationAnswers,
    requestsTo,
    tokenRequests: () => [...requestsTo(TOKEN_URL), ...requestsTo(`${IDBROKER}/access_token`)],
    refreshRequests: () =>
      [...requestsTo(TOKEN_URL), ...requestsTo(`${IDBROKER}/access_token`)].filter(
        (r) => r.body.get('grant_type') === 'refresh_token',
      ),
  };
}

export type Server = ReturnType<typeof createServer>;

export interface TabOptions {
  server: Server;
  clientId: string;
  /** The origin's localStorage: share it between tabs. */
  localStorage?: MemoryStorage;
  locks?: FakeLockManager;
  href?: string;
  config?: Partial<AuthorizationConfig>;
  /** Runs on the window before the facade is created (e.g. to store a login transaction). */
  beforeCreate?: (win: SessionWindow) => void;
}

/** A facade on its own fake window: one browser tab. */
export function openTab(options: TabOptions) {
  const win = new SessionWindow({
    href: options.href ?? `${APP}/`,
    localStorage: options.localStorage ?? new MemoryStorage(),
    ...(options.locks ? { locks: options.locks } : {}),
  });
  options.beforeCreate?.(win);
  const auth: Authorization = createAuthorization({
    clientId: options.clientId,
    redirectUri: REDIRECT_URI,
    scope: 'openid profile',
    endpoints: {
      authorization: AUTHORIZE_URL,
      token: TOKEN_URL,
      revocation: REVOKE_URL,
      endSession: END_SESSION_URL,
      deviceAuthorization: DEVICE_URL,
    },
    window: win.asWindow(),
    fetch: options.server.fetch,
    ...options.config,
  });
  const sessionEvents: SessionEvent[] = [];
  auth.eventEmitter.on(Events.session, (event) => sessionEvents.push(event));
  return {
    win,
    auth,
    sessionEvents,
    sessionEventTypes: () => sessionEvents.map((event) => event.eventType),
    /** What localStorage holds under the client's key, parsed. */
    stored: (): Token | undefined => {
      const raw = win.localStorage.getItem(tokenStorageKey(options.clientId));
      return raw === null ? undefined : (JSON.parse(raw) as Token);
    },
  };
}

export type Tab = ReturnType<typeof openTab>;

/** A token as a previous page would have stored it. */
export function storedToken(overrides: Partial<Token> = {}): Token {
  return {
    access_token: 'AT-stored',
    token_type: 'Bearer',
    expires: Date.now() + LIFETIME_S * 1000,
    refresh_token: 'RT-stored',
    scope: 'openid profile',
    ...overrides,
  };
}

/** Puts a token in `storage` under the client's key, as a previous page load left it. */
export function seed(storage: Storage, clientId: string, token: Token = storedToken()): Token {
  storage.setItem(tokenStorageKey(clientId), JSON.stringify(token));
  return token;
}

/** Every string a test must never find in a URL: tokens, refresh tokens. */
export function expectNoTokenIn(urls: string[], secrets: string[]): void {
  for (const url of urls) {
    for (const secret of secrets) {
      if (url.includes(secret) || decodeURIComponent(url).includes(secret)) {
        throw new Error(`a token leaked into a URL: ${url.replace(secret, '<secret>')}`);
      }
    }
  }
}
