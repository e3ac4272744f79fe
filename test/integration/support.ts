/**
 * Shared bits of the integration tests, which talk to real servers over real `fetch` with real
 * timers: a record of what a facade emits, waiting for one of its events, a log of the requests a
 * facade sends, direct calls that check what the server still accepts, and the callback page.
 */
import { vi } from 'vitest';
import type { Authorization, QRCodeLoginEvent } from '../../src/index.js';
import { CODE_VERIFIER_KEY, CSRF_TOKEN_KEY } from '../../src/transactionStore.js';
import { FakeWindow } from '../fixtures/fakeWindow.js';

/** How long to wait for something the server or the client does within a few seconds. */
export const SAFETY_NET_MS = 15_000;

type QRCodeEventOf<T extends QRCodeLoginEvent['eventType']> = Extract<QRCodeLoginEvent, { eventType: T }>;

/** Every `qRCodeLogin` event of `auth`, in order, and a way to wait for the next one of a type. */
export function recordQRCodeLogin(auth: Authorization) {
  const events: QRCodeLoginEvent[] = [];
  auth.eventEmitter.on('qRCodeLogin', (event) => events.push(event));
  return {
    events,
    types: () => events.map((event) => event.eventType),
    /** The first event of `type` (already emitted or still to come). */
    first<T extends QRCodeLoginEvent['eventType']>(type: T): Promise<QRCodeEventOf<T>> {
      return vi.waitFor(
        () => {
          const found = events.find((event) => event.eventType === type);
          if (!found)
            throw new Error(`no ${type} event yet (so far: ${events.map((e) => e.eventType).join(', ')})`);
          return found as QRCodeEventOf<T>;
        },
        { timeout: SAFETY_NET_MS, interval: 20 },
      );
    },
  };
}

/** One request a facade sent. */
export interface SentRequest {
  method: string;
  /** Without the query. */
  url: string;
}

/** The global fetch, with a log of what went through it: what this one facade sent, nothing else. */
export function recordingFetch(): { fetch: typeof fetch; sent: SentRequest[] } {
  const sent: SentRequest[] = [];
  return {
    sent,
    fetch: (input, init) => {
      const url = new URL(input instanceof Request ? input.url : String(input));
      sent.push({
        method: init?.method ?? (input instanceof Request ? input.method : 'GET'),
        url: url.origin + url.pathname,
      });
      return fetch(input, init);
    },
  };
}

/** The POSTs to `url` in `sent`. */
export const postsTo = (sent: SentRequest[], url: string) =>
  sent.filter((request) => request.method === 'POST' && request.url === url);

/**
 * Tries `refreshToken` at `tokenUrl` as a public client (RFC 6749 §6), to learn whether the
 * server still accepts it. (Using it rotates it: only for tokens the test expects to be dead.)
 */
export async function tryRefreshToken(tokenUrl: string, clientId: string, refreshToken: string) {
  const response = await fetch(tokenUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
    body: new URLSearchParams({
      grant_type: 'refresh_token',
      refresh_token: refreshToken,
      client_id: clientId,
    }),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

/** Whether `url` (userinfo, people/me) accepts `accessToken` as a bearer token (RFC 6750). */
export async function acceptsAccessToken(url: string, accessToken: string): Promise<boolean> {
  const response = await fetch(url, { headers: { authorization: `Bearer ${accessToken}` } });
  await response.body?.cancel();
  return response.status === 200;
}

/** Waits `ms` of real time: how long a test watches for something that must not happen. */
export const watchFor = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * The page the server redirects back to, in the tab that started the login: it shares that
 * page's sessionStorage (the CSRF token and PKCE verifier the login left there).
 */
export function landOnCallback(page: FakeWindow, callbackUrl: URL): FakeWindow {
  const callbackPage = new FakeWindow(callbackUrl.href);
  for (const key of [CSRF_TOKEN_KEY, CODE_VERIFIER_KEY]) {
    const value = page.sessionStorage.getItem(key);
    if (value !== null) callbackPage.sessionStorage.setItem(key, value);
  }
  return callbackPage;
}
