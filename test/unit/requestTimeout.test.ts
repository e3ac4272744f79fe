/**
 * The per-request deadline (`requestTimeout`): every request to the authorization server ends,
 * answered or not, so no flow can wait forever on a server that never answers. Time is the fake
 * clock's: the deadline uses the global timers at call time, which fake timers replace.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createActor } from 'xstate';
import { createPollDeviceToken } from '../../actors/pollDeviceToken.js';
import { fetchWithDeadline } from '../../actors/server.js';
import { resolveConfig } from '../../src/config.js';
import { networkFailure } from '../../src/devicePoll.js';
import { NetworkError, RequestTimeoutError } from '../../src/errors.js';
import { createFakeFetch, json, type Route } from '../fixtures/fakeFetch.js';
import { testRuntime } from '../fixtures/testRuntime.js';

const LIMIT_MS = 1_000;
const CODE = 'code-S3cret-in-the-query';
const URL_WITH_SECRET = `https://as.example/token?code=${CODE}`;

const never: Route = () => new Promise<Response>(() => {});

/** What a call came to, without letting a rejection go unhandled while the clock moves. */
function track(promise: Promise<Response>) {
  const outcome: { value?: Response; error?: unknown; settled: boolean } = { settled: false };
  const done = promise.then(
    (value) => Object.assign(outcome, { value, settled: true }),
    (error: unknown) => Object.assign(outcome, { error, settled: true }),
  );
  return { outcome, done };
}

/** Lets settled promises run without moving the clock. */
async function flush() {
  for (let i = 0; i < 5; i++) await vi.advanceTimersByTimeAsync(0);
}

beforeEach(() => {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'Date'] });
});

afterEach(() => {
  vi.useRealTimers();
});

describe('fetchWithDeadline', () => {
  it('fails a request the server never answers with RequestTimeoutError at the limit, and aborts it', async () => {
    const server = createFakeFetch({ 'https://as.example/token': never });
    const call = track(fetchWithDeadline(server.fetch, LIMIT_MS)(URL_WITH_SECRET, { method: 'POST' }));
    await vi.advanceTimersByTimeAsync(LIMIT_MS - 1);
    expect(call.outcome.settled).toBe(false);
    expect(server.requests[0]?.aborted).toBe(false);

    await vi.advanceTimersByTimeAsync(1);
    await call.done;
    expect(call.outcome.error).toBeInstanceOf(RequestTimeoutError);
    expect(call.outcome.error).toBeInstanceOf(NetworkError);
    expect((call.outcome.error as RequestTimeoutError).timeoutMs).toBe(LIMIT_MS);
    expect(server.requests[0]?.aborted).toBe(true);
    const message = (call.outcome.error as Error).message;
    expect(message).not.toContain(CODE);
    expect(message).not.toContain('as.example');
    expect(vi.getTimerCount()).toBe(0);
  });

  it('returns an answer that arrives in time unread, and leaves no timer behind', async () => {
    const server = createFakeFetch({ 'https://as.example/token': () => json({ access_token: 'AT' }) });
    const response = await fetchWithDeadline(server.fetch, LIMIT_MS)('https://as.example/token');
    expect(vi.getTimerCount()).toBe(0);
    expect(response.bodyUsed).toBe(false);
    await expect(response.json()).resolves.toEqual({ access_token: 'AT' });
    await vi.advanceTimersByTimeAsync(LIMIT_MS * 2);
    expect(server.requests[0]?.aborted).toBe(false);
  });

  it('times out a server that sends its headers and then stalls in the body', async () => {
    const stalled: Route = () =>
      new Response(
        new ReadableStream<Uint8Array>({
          start: (controller) => controller.enqueue(new TextEncoder().encode('{"access_token":')),
        }),
        { status: 200, headers: { 'content-type': 'application/json' } },
      );
    const server = createFakeFetch({ 'https://as.example/token': stalled });
    const call = track(fetchWithDeadline(server.fetch, LIMIT_MS)('https://as.example/token'));
    await flush();
    expect(call.outcome.settled).toBe(false);
    await vi.advanceTimersByTimeAsync(LIMIT_MS);
    await call.done;
    expect(call.outcome.error).toBeInstanceOf(RequestTimeoutError);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('ends the call at the limit even when the fetch ignores its abort signal', async () => {
    const deaf: typeof fetch = () => new Promise<Response>(() => {});
    const call = track(fetchWithDeadline(deaf, LIMIT_MS)('https://as.example/token'));
    await vi.advanceTimersByTimeAsync(LIMIT_MS);
    await call.done;
    expect(call.outcome.error).toBeInstanceOf(RequestTimeoutError);
  });

  it("ends at once when the caller's signal aborts: the abort passes through, the request is aborted, no timer is left", async () => {
    const server = createFakeFetch({ 'https://as.example/token': never });
    const caller = new AbortController();
    const call = track(
      fetchWithDeadline(server.fetch, LIMIT_MS)('https://as.example/token', { signal: caller.signal }),
    );
    await flush();
    caller.abort();
    await call.done;
    expect((call.outcome.error as Error).name).toBe('AbortError');
    expect(call.outcome.error).not.toBeInstanceOf(NetworkError);
    expect(server.requests[0]?.aborted).toBe(true);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('sends nothing when the caller has already aborted', async () => {
    const server = createFakeFetch({ 'https://as.example/token': never });
    const caller = new AbortController();
    caller.abort();
    const call = track(
      fetchWithDeadline(server.fetch, LIMIT_MS)('https://as.example/token', { signal: caller.signal }),
    );
    await call.done;
    expect((call.outcome.error as Error).name).toBe('AbortError');
    expect(server.requests).toHaveLength(0);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('turns a fetch that rejects (offline) or throws into a NetworkError, not a timeout', async () => {
    const offline: typeof fetch = () => Promise.reject(new TypeError('Failed to fetch'));
    const broken: typeof fetch = () => {
      throw new TypeError('Failed to fetch');
    };
    for (const send of [offline, broken]) {
      const call = track(fetchWithDeadline(send, LIMIT_MS)(URL_WITH_SECRET));
      await call.done;
      expect(call.outcome.error).toBeInstanceOf(NetworkError);
      expect(call.outcome.error).not.toBeInstanceOf(RequestTimeoutError);
      expect(vi.getTimerCount()).toBe(0);
    }
  });
});

describe('device polling and the deadline', () => {
  const config = resolveConfig(
    {
      clientId: 'client-1',
      redirectUri: 'https://app.example/cb',
      endpoints: {
        authorization: 'https://as.example/authorize',
        token: 'https://as.example/token',
      },
      requestTimeout: LIMIT_MS,
    },
    true,
  );

  const input = { config, deviceCode: 'DC-1', tokenEndpoint: 'https://as.example/token' };

  it('counts a poll that gets no answer within requestTimeout as transient, keeping the typed error', async () => {
    const server = createFakeFetch({ 'https://as.example/token': never });
    const actor = createActor(
      createPollDeviceToken(() => testRuntime({ fetch: server.fetch })),
      { input },
    ).start();
    expect(actor.getSnapshot().status).toBe('active');
    await vi.advanceTimersByTimeAsync(LIMIT_MS);
    await flush();
    const snapshot = actor.getSnapshot();
    expect(snapshot.status).toBe('done');
    expect(snapshot.output).toEqual({ kind: 'transient', error: expect.any(RequestTimeoutError) });
    expect(server.requests[0]?.aborted).toBe(true);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('aborts the poll and clears the deadline when the actor is stopped', async () => {
    const server = createFakeFetch({ 'https://as.example/token': never });
    const actor = createActor(
      createPollDeviceToken(() => testRuntime({ fetch: server.fetch })),
      { input },
    ).start();
    await flush();
    expect(vi.getTimerCount()).toBe(1);
    actor.stop();
    await flush();
    expect(server.requests[0]?.aborted).toBe(true);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('networkFailure keeps a NetworkError it is given and makes one otherwise', () => {
    const timeout = new RequestTimeoutError(LIMIT_MS);
    expect(networkFailure(timeout)).toEqual({ kind: 'transient', error: timeout });
    expect(networkFailure(new TypeError('Failed to fetch'))).toEqual({
      kind: 'transient',
      error: expect.any(NetworkError),
    });
  });
});
