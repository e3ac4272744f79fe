// Node's environment, as in a browser: DOMException is an Error, and a signal's listeners can be
// counted with `getEventListeners`. (jsdom's DOMException comes from another realm.)
/**
 * The request wrapper every flow goes through (`fetchWithDeadline`) and endpoint resolution
 * (`resolveServer`): what a caller gets back when the server or the fetch misbehaves, that a
 * finished request leaves nothing on the caller's signal, and that discovery failures are
 * neither cached nor silently turned into missing endpoints.
 */
import { getEventListeners } from 'node:events';
import { describe, expect, it, vi } from 'vitest';
import { fetchWithDeadline, resolveServer } from '../../actors/server.js';
import { resolveConfig } from '../../src/config.js';
import { ConfigError, NetworkError, ProtocolError, RequestTimeoutError } from '../../src/errors.js';
import { requestDeviceCode } from '../fixtures/deviceCodeRequest.js';
import { createFakeFetch, json } from '../fixtures/fakeFetch.js';
import { testRuntime } from '../fixtures/testRuntime.js';

const LIMIT_MS = 1_000;
const AS = 'https://as.example';
const DISCOVERY_URL = `${AS}/.well-known/openid-configuration`;

const listenersOn = (signal: AbortSignal) => getEventListeners(signal, 'abort').length;

describe('fetchWithDeadline: what the caller gets', () => {
  it("rejects with the caller's own abort reason, unchanged", async () => {
    const caller = new AbortController();
    const reason = new Error('login cancelled by the app');
    caller.abort(reason);
    const send = vi.fn<typeof fetch>();
    await expect(fetchWithDeadline(send, LIMIT_MS)(`${AS}/token`, { signal: caller.signal })).rejects.toBe(
      reason,
    );
    expect(send).not.toHaveBeenCalled();
  });

  it('rejects with an AbortError when the signal carries no reason (browsers before AbortSignal.reason)', async () => {
    const caller = new AbortController();
    // Older engines abort without a reason: the caller must still get a recognisable AbortError.
    Object.defineProperty(caller.signal, 'reason', { value: undefined });
    const server = createFakeFetch({ [`${AS}/token`]: () => new Promise<Response>(() => {}) });
    const call = fetchWithDeadline(server.fetch, LIMIT_MS)(`${AS}/token`, { signal: caller.signal });
    caller.abort();
    const error = await call.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DOMException);
    expect((error as DOMException).name).toBe('AbortError');
    expect((error as DOMException).message).toBe('The operation was aborted.');
  });

  it('passes an AbortError raised by the fetch itself through unchanged, not as a NetworkError', async () => {
    // e.g. the browser cancelling requests as the page unloads: not an offline network.
    const abortError = new DOMException('The operation was aborted.', 'AbortError');
    const send: typeof fetch = () => Promise.reject(abortError);
    await expect(fetchWithDeadline(send, LIMIT_MS)(`${AS}/token`)).rejects.toBe(abortError);
  });

  it("keeps the fetch's own failure as the NetworkError's cause, for diagnosis", async () => {
    const offline = new TypeError('Failed to fetch');
    const send: typeof fetch = () => Promise.reject(offline);
    const error = await fetchWithDeadline(send, LIMIT_MS)(`${AS}/token`).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NetworkError);
    expect((error as NetworkError).cause).toBe(offline);
  });

  it.each([204, 205, 304])(
    'hands back a %i answer (no body allowed) instead of failing it',
    async (status) => {
      // A revocation endpoint may answer 204: rebuilding it with an empty body would throw.
      const send: typeof fetch = async () => new Response(null, { status });
      const response = await fetchWithDeadline(send, LIMIT_MS)(`${AS}/revoke`);
      expect(response.status).toBe(status);
    },
  );

  it('hands back an opaque redirect (status 0) as is: the caller gets a ProtocolError, not a NetworkError', async () => {
    // With redirect: 'manual', a browser answers a server's redirect with status 0: the server
    // was reached, so this is a protocol failure, which the device flow does not retry.
    const opaque = Response.error();
    expect(await fetchWithDeadline(async () => opaque, LIMIT_MS)(`${AS}/device`)).toBe(opaque);
    const error = await requestDeviceCode(async () => Response.error());
    expect(error).toBeInstanceOf(ProtocolError);
    expect((error as ProtocolError).status).toBe(0);
  });

  it('hands back a status above 599 as is, for oauth4webapi to refuse with that status', async () => {
    const odd = () => {
      const response = json({ error: 'server_error' }, 500);
      Object.defineProperty(response, 'status', { value: 600 });
      return response;
    };
    const error = await requestDeviceCode(async () => odd());
    expect(error).toBeInstanceOf(ProtocolError);
    expect((error as ProtocolError).status).toBe(600);
  });

  it.each([
    ['undefined', undefined],
    ['a plain object', { status: 200 }],
  ])(
    'hands back %s from a misbehaving fetch option as is, rather than calling it a network failure',
    async (_name, answer) => {
      const send = (async () => answer) as unknown as typeof fetch;
      expect(await fetchWithDeadline(send, LIMIT_MS)(`${AS}/device`)).toBe(answer);
      const error = await requestDeviceCode(send);
      expect(error).toBeInstanceOf(ProtocolError);
      expect(error).not.toBeInstanceOf(NetworkError);
    },
  );

  it('times out a 599 answer whose body stalls, as for any other status', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    try {
      const stalled = () =>
        new Response(
          new ReadableStream<Uint8Array>({
            start: (controller) => controller.enqueue(new TextEncoder().encode('{"error":')),
          }),
          { status: 599, headers: { 'content-type': 'application/json' } },
        );
      const outcome = fetchWithDeadline(
        async () => stalled(),
        LIMIT_MS,
      )(`${AS}/token`).catch((e: unknown) => e);
      await vi.advanceTimersByTimeAsync(LIMIT_MS);
      expect(await outcome).toBeInstanceOf(RequestTimeoutError);
    } finally {
      vi.useRealTimers();
    }
  });
});

describe("fetchWithDeadline: the caller's signal", () => {
  it('keeps no abort listener on a long-lived signal once each request has ended', async () => {
    // An app that passes one signal to many requests must not accumulate listeners (a leak).
    const caller = new AbortController();
    const server = createFakeFetch({ [`${AS}/token`]: () => json({ access_token: 'AT' }) });
    const call = fetchWithDeadline(server.fetch, LIMIT_MS);
    await call(`${AS}/token`, { signal: caller.signal });
    await call(`${AS}/token`, { signal: caller.signal });
    const offline: typeof fetch = () => Promise.reject(new TypeError('Failed to fetch'));
    await fetchWithDeadline(offline, LIMIT_MS)(`${AS}/token`, { signal: caller.signal }).catch(() => {});
    expect(listenersOn(caller.signal)).toBe(0);
  });
});

describe('resolveServer: discovery', () => {
  const config = resolveConfig({ clientId: 'c', redirectUri: 'https://app.example/cb', issuer: AS }, true);
  const metadata = { issuer: AS, authorization_endpoint: `${AS}/authorize`, token_endpoint: `${AS}/token` };

  it('asks again after a failed discovery instead of replaying the failure', async () => {
    let up = false;
    const server = createFakeFetch({
      [DISCOVERY_URL]: () => (up ? json(metadata) : json({ error: 'temporarily_unavailable' }, 503)),
    });
    const runtime = testRuntime({ fetch: server.fetch });
    await expect(resolveServer(config, runtime)).rejects.toThrow();
    up = true;
    const resolved = await resolveServer(config, runtime);
    expect(resolved.authorizationEndpoint).toBe(`${AS}/authorize`);
    expect(server.requests).toHaveLength(2);
  });

  it.each([
    ['authorization_endpoint', 'endpoints.authorization'],
    ['token_endpoint', 'endpoints.token'],
  ])(
    'fails with a ConfigError naming %s when the server does not advertise it and none is configured',
    async (missing, field) => {
      const document: Record<string, unknown> = { ...metadata };
      delete document[missing];
      const server = createFakeFetch({ [DISCOVERY_URL]: () => json(document) });
      const error = await resolveServer(config, testRuntime({ fetch: server.fetch })).catch(
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(ConfigError);
      expect((error as ConfigError).field).toBe(field);
      expect((error as ConfigError).message).toBe(
        `Invalid config "${field}": is not configured and the server does not advertise one`,
      );
    },
  );
});
