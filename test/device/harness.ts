/**
 * A device-flow test bench: a fake authorization server (device endpoint + token endpoint) whose
 * answers the test scripts one request at a time, a facade wired to it, and a log of what the
 * user would notice: requests (with their time since the start), `qRCodeLogin` events, and the
 * supertoken. Time is the fake clock's; nothing here reads the real one.
 */
import { vi } from 'vitest';
import {
  type Authorization,
  type AuthorizationConfig,
  createAuthorization,
  Events,
  type QRCodeLoginEvent,
} from '../../src/index.js';
import { createFakeFetch, json, type RecordedRequest } from '../fixtures/fakeFetch.js';
import { FakeWindow } from '../fixtures/fakeWindow.js';

export const FAKE_TIMERS = {
  toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'Date'] as Array<
    'setTimeout' | 'clearTimeout' | 'setInterval' | 'clearInterval' | 'Date'
  >,
};

export const AS = 'https://as.example';
export const DEVICE_URL = `${AS}/device`;
export const TOKEN_URL = `${AS}/token`;
export const HELPER = 'https://oauth-helper.example/helperservice/v1';
export const HELPER_DEVICE_URL = `${HELPER}/actions/device/authorize`;
export const HELPER_TOKEN_URL = `${HELPER}/actions/device/token`;
export const DEVICE_GRANT = 'urn:ietf:params:oauth:grant-type:device_code';

/** A device authorization response (RFC 8628 §3.2). */
export const deviceCode = {
  device_code: 'DC-1',
  user_code: 'WDJB-MJHT',
  verification_uri: `${AS}/verify`,
  verification_uri_complete: `${AS}/verify?user_code=WDJB-MJHT`,
  expires_in: 600,
  interval: 5,
};

/** A token response; `token_type` lower-case so the event data can be compared as sent. */
export const tokenResponse = {
  access_token: 'AT-device',
  token_type: 'bearer',
  expires_in: 3600,
  refresh_token: 'RT-device',
  scope: 'openid profile',
};

/** How the fake server answers one request: a fresh `Response` per call (bodies read once). */
export type Answer = () => Response | Promise<Response>;

export const answers = {
  device: (overrides: Record<string, unknown> = {}): Answer => {
    const body = { ...deviceCode, ...overrides };
    for (const [key, value] of Object.entries(overrides)) if (value === undefined) delete body[key as never];
    return () => json(body);
  },
  pending: (body: Record<string, unknown> = { error: 'authorization_pending' }, status = 400): Answer => {
    return () => json(body, status);
  },
  slowDown: (extra: Record<string, unknown> = {}): Answer => {
    return () => json({ error: 'slow_down', ...extra }, 400);
  },
  success: (body: Record<string, unknown> = tokenResponse): Answer => {
    return () => json(body);
  },
  status: (status: number, body?: unknown): Answer => {
    return () => (body === undefined ? new Response(null, { status }) : json(body, status));
  },
  /** `fetch` rejects: offline, DNS, reset connection. */
  networkError: (): Answer => () => Promise.reject(new TypeError('Failed to fetch')),
} as const;

export interface Deferred<T> {
  promise: Promise<T>;
  resolve: (value: T) => void;
  reject: (reason: unknown) => void;
}

export function deferred<T>(): Deferred<T> {
  let resolve!: (value: T) => void;
  let reject!: (reason: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/** An answer the test releases later: the request stays in flight until then. */
export function held(): { answer: Answer; release: (answer: Answer) => Promise<void> } {
  const gate = deferred<Response>();
  return {
    answer: () => gate.promise,
    release: async (answer) => {
      gate.resolve(await answer());
      await flush();
    },
  };
}

/** Lets settled promises (fetch, body parsing, actor hand-offs) run without moving the clock. */
export async function flush(): Promise<void> {
  for (let i = 0; i < 5; i++) await vi.advanceTimersByTimeAsync(0);
}

export interface TimedRequest {
  /** Milliseconds since the bench started (fake clock). */
  at: number;
  request: RecordedRequest;
}

export interface TimedEvent {
  at: number;
  event: QRCodeLoginEvent;
}

export interface BenchOptions {
  profile?: 'rfc' | 'webex';
  /** Where the fake server listens, when the config names other endpoints than the profile's. */
  urls?: { device: string; token: string };
  /** One answer per device code request, in order; the default answers `deviceCode`. */
  deviceAnswers?: Answer[];
  /** One answer per poll, in order; once used up, every poll answers pending. */
  pollAnswers?: Answer[];
  config?: Partial<AuthorizationConfig>;
  /** A window (jsdom tests); `null` for none (Node). */
  window?: Window | null;
  /** A fetch that does not honour `AbortSignal` (some polyfills): answers arrive anyway. */
  ignoreAbort?: boolean;
}

export type Bench = ReturnType<typeof createBench>;

/** Creates the facade against the fake server; call with fake timers installed. */
export function createBench(options: BenchOptions = {}) {
  const webex = options.profile === 'webex';
  const deviceUrl = options.urls?.device ?? (webex ? HELPER_DEVICE_URL : DEVICE_URL);
  const tokenUrl = options.urls?.token ?? (webex ? HELPER_TOKEN_URL : TOKEN_URL);
  const deviceAnswers = [...(options.deviceAnswers ?? [])];
  const pollAnswers = [...(options.pollAnswers ?? [])];
  const start = Date.now();
  const requests: TimedRequest[] = [];
  const route = (queue: Answer[], fallback: Answer) => (request: RecordedRequest) => {
    requests.push({ at: Date.now() - start, request });
    return (queue.shift() ?? fallback)();
  };
  const server = createFakeFetch({
    [deviceUrl]: route(deviceAnswers, answers.device()),
    [tokenUrl]: route(pollAnswers, answers.pending()),
  });
  const fetch: typeof globalThis.fetch = options.ignoreAbort
    ? (input, init) => server.fetch(input, { ...init, signal: null })
    : server.fetch;
  const window = options.window === null ? undefined : (options.window ?? new FakeWindow().asWindow());
  const base: AuthorizationConfig = webex
    ? {
        clientId: 'client-1',
        redirectUri: 'https://app.example/cb',
        profile: 'webex',
        oauthHelperUrl: HELPER,
      }
    : {
        clientId: 'client-1',
        redirectUri: 'https://app.example/cb',
        scope: 'openid profile',
        endpoints: {
          authorization: `${AS}/authorize`,
          token: TOKEN_URL,
          deviceAuthorization: DEVICE_URL,
        },
      };
  const auth: Authorization = createAuthorization({
    ...base,
    ...(window ? { window } : {}),
    fetch,
    ...options.config,
  });
  const log: TimedEvent[] = [];
  auth.eventEmitter.on(Events.qRCodeLogin, (event) => log.push({ at: Date.now() - start, event }));

  const onUrl = (url: string) => requests.filter((r) => r.request.url.split('?')[0] === url);
  return {
    auth,
    start,
    deviceUrl,
    tokenUrl,
    /** Every request, in order. */
    requests,
    deviceRequests: () => onUrl(deviceUrl),
    polls: () => onUrl(tokenUrl),
    /** Seconds since the start of each poll. */
    pollTimes: () => onUrl(tokenUrl).map((r) => r.at / 1000),
    log,
    events: () => log.map((e) => e.event),
    eventTypes: () => log.map((e) => e.event.eventType),
    /** Seconds since the start. */
    now: () => (Date.now() - start) / 1000,
    /** Moves the fake clock by `seconds`. */
    advance: async (seconds: number) => {
      await vi.advanceTimersByTimeAsync(seconds * 1000);
    },
    /** Moves the fake clock to `seconds` since the start. */
    advanceTo: async (seconds: number) => {
      const ms = start + seconds * 1000 - Date.now();
      if (ms < 0) throw new Error(`already past ${seconds}s`);
      await vi.advanceTimersByTimeAsync(ms);
    },
  };
}
