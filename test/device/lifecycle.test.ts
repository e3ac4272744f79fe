/**
 * How a device flow starts and ends, seen from the app: success, expiry, cancel (in every
 * phase), a second `initQRCodeLogin`, a failed device code request, and `auth.stop()`.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { Events, type QRCodeLoginEvent } from '../../src/index.js';
import {
  answers,
  type Bench,
  type BenchOptions,
  createBench,
  FAKE_TIMERS,
  flush,
  held,
  tokenResponse,
} from './harness.js';

let bench: Bench | undefined;

async function started(options: BenchOptions = {}): Promise<Bench> {
  bench = createBench(options);
  bench.auth.initQRCodeLogin();
  await flush();
  return bench;
}

beforeEach(() => {
  vi.useFakeTimers(FAKE_TIMERS);
});

afterEach(() => {
  bench?.auth.stop();
  bench = undefined;
  vi.useRealTimers();
});

const pendingEvent = { eventType: 'authorizationPending', data: { error: 'authorization_pending' } } as const;

describe('success', () => {
  it('sets the supertoken before authorizationSuccess is delivered, with the token response as data', async () => {
    const b = createBench({ pollAnswers: [answers.pending(), answers.success()] });
    bench = b;
    const seen: Array<{ event: QRCodeLoginEvent; token: unknown; canAuthorize: boolean }> = [];
    b.auth.eventEmitter.on(Events.qRCodeLogin, (event) => {
      if (event.eventType === 'authorizationSuccess') {
        seen.push({
          event,
          token: b.auth.credentials.supertoken,
          canAuthorize: b.auth.credentials.canAuthorize,
        });
      }
    });
    b.auth.initQRCodeLogin();
    await b.advanceTo(10);

    expect(seen).toHaveLength(1);
    expect(seen[0]!.event).toEqual({ eventType: 'authorizationSuccess', data: tokenResponse });
    expect(seen[0]!.token).toEqual({
      access_token: tokenResponse.access_token,
      token_type: 'Bearer',
      refresh_token: tokenResponse.refresh_token,
      scope: tokenResponse.scope,
      expires: b.start + 10_000 + tokenResponse.expires_in * 1000,
    });
    expect(seen[0]!.canAuthorize).toBe(true);
    await expect(b.auth.credentials.getAccessToken()).resolves.toBe(tokenResponse.access_token);
  });

  it('stops polling and emits no pollingCanceled afterwards', async () => {
    const b = await started({ pollAnswers: [answers.pending(), answers.success()] });
    await b.advanceTo(1000);
    expect(b.pollTimes()).toEqual([5, 10]);
    expect(b.eventTypes()).toEqual(['getUserCodeSuccess', 'authorizationPending', 'authorizationSuccess']);
    // The one timer left is the session's proactive refresh of the new token, not a poll.
    expect(vi.getTimerCount()).toBe(1);
    expect(b.auth.actor.getSnapshot().matches({ deviceFlow: 'idle' })).toBe(true);
  });

  it('cancelQRCodePolling after success emits nothing and keeps the token', async () => {
    const b = await started({ pollAnswers: [answers.success()] });
    await b.advanceTo(5);
    b.auth.cancelQRCodePolling();
    await flush();
    expect(b.eventTypes()).toEqual(['getUserCodeSuccess', 'authorizationSuccess']);
    expect(b.auth.credentials.supertoken?.access_token).toBe(tokenResponse.access_token);
  });

  it('a new QR login after success starts a new flow', async () => {
    const b = await started({ pollAnswers: [answers.success()] });
    await b.advanceTo(5);
    b.auth.initQRCodeLogin();
    await flush();
    expect(b.deviceRequests().map((r) => r.at)).toEqual([0, 5000]);
    expect(b.eventTypes()).toEqual(['getUserCodeSuccess', 'authorizationSuccess', 'getUserCodeSuccess']);
  });
});

describe('expiry', () => {
  it("fails with 'Authorization timed out' when expires_in elapses, without pollingCanceled or later requests", async () => {
    const b = await started({ deviceAnswers: [answers.device({ expires_in: 12 })] });
    await b.advanceTo(11.999);
    expect(b.eventTypes()).toEqual(['getUserCodeSuccess', 'authorizationPending', 'authorizationPending']);
    await b.advanceTo(12);
    expect(b.log.at(-1)).toEqual({
      at: 12_000,
      event: { eventType: 'authorizationFailure', data: { message: 'Authorization timed out' } },
    });
    await b.advanceTo(1000);
    expect(b.pollTimes()).toEqual([5, 10]);
    expect(b.eventTypes()).toEqual([
      'getUserCodeSuccess',
      'authorizationPending',
      'authorizationPending',
      'authorizationFailure',
    ]);
    expect(vi.getTimerCount()).toBe(0);

    b.auth.initQRCodeLogin();
    await flush();
    expect(b.deviceRequests()).toHaveLength(2);
  });

  it('counts the lifetime from the moment the code arrives', async () => {
    const code = held();
    const b = await started({ deviceAnswers: [code.answer] });
    await b.advanceTo(4);
    await code.release(answers.device({ expires_in: 12 }));
    await b.advanceTo(15.999);
    expect(b.eventTypes()).not.toContain('authorizationFailure');
    await b.advanceTo(16);
    expect(b.eventTypes().at(-1)).toBe('authorizationFailure');
    expect(b.pollTimes()).toEqual([9, 14]);
  });

  it('aborts a poll in flight at the deadline, and its late answer changes nothing', async () => {
    const slow = held();
    const b = await started({
      deviceAnswers: [answers.device({ expires_in: 12 })],
      pollAnswers: [answers.pending(), slow.answer],
    });
    await b.advanceTo(12);
    expect(b.pollTimes()).toEqual([5, 10]);
    expect(b.polls()[1]!.request.aborted).toBe(true);
    expect(b.events().at(-1)).toEqual({
      eventType: 'authorizationFailure',
      data: { message: 'Authorization timed out' },
    });
    await slow.release(answers.success());
    await b.advanceTo(100);
    expect(b.eventTypes()).toEqual(['getUserCodeSuccess', 'authorizationPending', 'authorizationFailure']);
    expect(b.auth.credentials.supertoken).toBeUndefined();
  });

  it('sends no poll at the deadline itself', async () => {
    const b = await started({ deviceAnswers: [answers.device({ expires_in: 10 })] });
    await b.advanceTo(100);
    expect(b.pollTimes()).toEqual([5]);
    expect(b.eventTypes().at(-1)).toBe('authorizationFailure');
  });

  // SPEC §3/§4: "A deadline after `expires_in` (default 300 s when absent)". oauth4webapi's
  // processDeviceAuthorizationResponse requires `expires_in`, so the default is never reached:
  // the code request itself fails (see the report).
  it('polls for 300 s when the device code answer has no expires_in', async () => {
    const b = await started({ deviceAnswers: [answers.device({ expires_in: undefined, interval: 60 })] });
    expect(b.eventTypes()).toEqual(['getUserCodeSuccess']);
    await b.advanceTo(299.999);
    expect(b.pollTimes()).toEqual([60, 120, 180, 240]);
    await b.advanceTo(300);
    expect(b.events().at(-1)).toEqual({
      eventType: 'authorizationFailure',
      data: { message: 'Authorization timed out' },
    });
  });
});

describe('cancel', () => {
  it('during the device code request: one pollingCanceled, request aborted, no poll ever', async () => {
    const code = held();
    const b = await started({ deviceAnswers: [code.answer] });
    await b.advanceTo(1);
    b.auth.cancelQRCodePolling();
    await flush();
    expect(b.log).toEqual([{ at: 1000, event: { eventType: 'pollingCanceled' } }]);
    expect(b.deviceRequests()[0]!.request.aborted).toBe(true);
    await code.release(answers.device());
    await b.advanceTo(1000);
    expect(b.eventTypes()).toEqual(['pollingCanceled']);
    expect(b.requests).toHaveLength(1);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('during a wait: one pollingCanceled and no further request', async () => {
    const b = await started();
    await b.advanceTo(7);
    b.auth.cancelQRCodePolling();
    b.auth.cancelQRCodePolling();
    await b.advanceTo(1000);
    expect(b.pollTimes()).toEqual([5]);
    expect(b.log).toEqual([
      { at: 0, event: expect.objectContaining({ eventType: 'getUserCodeSuccess' }) },
      { at: 5000, event: pendingEvent },
      { at: 7000, event: { eventType: 'pollingCanceled' } },
    ]);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('while a poll is in flight: the request is aborted and its late success changes nothing', async () => {
    const slow = held();
    const b = await started({ pollAnswers: [slow.answer] });
    await b.advanceTo(6);
    b.auth.cancelQRCodePolling();
    await flush();
    expect(b.polls()[0]!.request.aborted).toBe(true);
    await slow.release(answers.success());
    await b.advanceTo(1000);
    expect(b.eventTypes()).toEqual(['getUserCodeSuccess', 'pollingCanceled']);
    expect(b.pollTimes()).toEqual([5]);
    expect(b.auth.credentials.supertoken).toBeUndefined();
  });

  it('with a fetch that ignores AbortSignal, a late success is still dropped', async () => {
    const slow = held();
    const b = await started({ pollAnswers: [slow.answer], ignoreAbort: true });
    await b.advanceTo(6);
    b.auth.cancelQRCodePolling();
    await slow.release(answers.success());
    await b.advanceTo(1000);
    expect(b.eventTypes()).toEqual(['getUserCodeSuccess', 'pollingCanceled']);
    expect(b.auth.credentials.supertoken).toBeUndefined();
    expect(b.pollTimes()).toEqual([5]);
  });

  describe.each([
    ["flow B's device code request", 0],
    ["flow B's first poll", 1],
  ])('a stale success of flow A arriving during %s is ignored; B goes on', (_name, bPhase) => {
    it.each([false, true])('(fetch ignores abort: %s)', async (ignoreAbort) => {
      const staleA = held();
      const codeB = held();
      const pollB = held();
      const b = await started({
        deviceAnswers: [answers.device(), codeB.answer],
        pollAnswers: [
          staleA.answer,
          pollB.answer,
          answers.success({ ...tokenResponse, access_token: 'AT-B' }),
        ],
        ignoreAbort,
      });
      await b.advanceTo(6); // A's first poll (at 5 s) is in flight
      b.auth.cancelQRCodePolling();
      b.auth.initQRCodeLogin(); // flow B
      await flush();
      expect(b.deviceRequests().map((r) => r.at)).toEqual([0, 6000]);
      if (bPhase === 1) {
        await codeB.release(answers.device({ device_code: 'DC-B' }));
        await b.advanceTo(11);
        expect(b.pollTimes()).toEqual([5, 11]); // B's first poll is in flight
      }

      await staleA.release(answers.success());
      await b.advanceTo(11.5);
      expect(b.auth.credentials.supertoken).toBeUndefined();
      expect(b.eventTypes()).not.toContain('authorizationSuccess');

      if (bPhase === 0) {
        await codeB.release(answers.device({ device_code: 'DC-B' }));
        await b.advanceTo(16.5);
      }
      await pollB.release(answers.pending());
      await b.advanceTo(30);
      const bPolls = b.polls().slice(1);
      expect(bPolls.map((p) => p.request.body.get('device_code'))).toEqual(['DC-B', 'DC-B']);
      expect(b.eventTypes()).toEqual([
        'getUserCodeSuccess',
        'pollingCanceled',
        'getUserCodeSuccess',
        'authorizationPending',
        'authorizationSuccess',
      ]);
      expect(b.auth.credentials.supertoken?.access_token).toBe('AT-B');
    });
  });

  it.each([
    ['during the device code request', 0.5],
    ['during a wait', 7],
    ['while a poll is in flight', 10],
  ])('cancelQRCodePolling(false) %s: no event, no further request', async (_name, at) => {
    const code = held();
    const slow = held();
    const b = await started({ deviceAnswers: [code.answer], pollAnswers: [answers.pending(), slow.answer] });
    if (at >= 1) await code.release(answers.device());
    await b.advanceTo(at);
    const sent = b.requests.length;
    const before = b.eventTypes();
    b.auth.cancelQRCodePolling(false);
    await flush();
    expect(b.requests.at(-1)!.request.aborted).toBe(at !== 7);
    await code.release(answers.device());
    await slow.release(answers.success());
    await b.advanceTo(1000);
    expect(b.eventTypes()).toEqual(before);
    expect(b.requests).toHaveLength(sent);
    expect(b.auth.credentials.supertoken).toBeUndefined();

    b.auth.initQRCodeLogin();
    await flush();
    expect(b.deviceRequests()).toHaveLength(2);
  });

  it('with nothing running: no event, no error', async () => {
    bench = createBench();
    const b = bench;
    expect(() => b.auth.cancelQRCodePolling()).not.toThrow();
    expect(() => b.auth.cancelQRCodePolling(false)).not.toThrow();
    await b.advanceTo(100);
    expect(b.log).toEqual([]);
    expect(b.requests).toEqual([]);
  });

  it('after a failure: no event', async () => {
    const b = await started({ pollAnswers: [answers.status(400, { error: 'access_denied' })] });
    await b.advanceTo(5);
    b.auth.cancelQRCodePolling();
    await flush();
    expect(b.eventTypes()).toEqual(['getUserCodeSuccess', 'authorizationFailure']);
  });

  it('after a timeout: no event', async () => {
    const b = await started({ deviceAnswers: [answers.device({ expires_in: 3 })] });
    await b.advanceTo(3);
    b.auth.cancelQRCodePolling();
    await flush();
    expect(b.eventTypes()).toEqual(['getUserCodeSuccess', 'authorizationFailure']);
  });
});

describe('a second initQRCodeLogin while one runs', () => {
  const refused = {
    eventType: 'getUserCodeFailure',
    data: { message: 'There is already a polling request' },
  };

  it.each([
    ['the device code request is in flight', 1],
    ['a wait runs', 7],
    ['a poll is in flight', 10],
  ])('is refused while %s; the running flow is untouched', async (_name, at) => {
    const code = held();
    const slow = held();
    const b = await started({
      deviceAnswers: [code.answer],
      pollAnswers: [answers.pending(), slow.answer, answers.success()],
    });
    if (at > 1) await code.release(answers.device());
    await b.advanceTo(at);
    const before = b.log.length;
    b.auth.initQRCodeLogin();
    b.auth.initQRCodeLogin();
    await flush();
    expect(b.log.slice(before)).toEqual([
      { at: at * 1000, event: refused },
      { at: at * 1000, event: refused },
    ]);
    expect(b.deviceRequests()).toHaveLength(1);
    expect(b.requests.every((r) => !r.request.aborted)).toBe(true);

    if (at === 1) await code.release(answers.device());
    // The poll at 10 s answers at 12 s; the flow goes on exactly as if nothing had happened.
    await b.advanceTo(12);
    await slow.release(answers.pending());
    await b.advanceTo(100);
    const offset = at === 1 ? 1 : 0;
    expect(b.pollTimes()).toEqual([5 + offset, 10 + offset, 17]);
    expect(b.eventTypes().filter((t) => t !== 'getUserCodeFailure')).toEqual([
      'getUserCodeSuccess',
      'authorizationPending',
      'authorizationPending',
      'authorizationSuccess',
    ]);
    expect(b.deviceRequests()).toHaveLength(1);
    expect(b.auth.credentials.supertoken?.access_token).toBe(tokenResponse.access_token);
  });
});

describe('a failed device code request', () => {
  it.each([
    [
      '400 invalid_client',
      answers.status(400, { error: 'invalid_client', error_description: 'Unknown client' }),
      { message: 'Unknown client', error: 'invalid_client', error_description: 'Unknown client' },
    ],
    [
      '401 invalid_client',
      answers.status(401, { error: 'invalid_client' }),
      { message: 'An error occurred', error: 'invalid_client' },
    ],
    ['a network error', answers.networkError(), { message: 'The authorization server could not be reached' }],
  ])('%s → getUserCodeFailure, not retried, no poll', async (_name, answer, data) => {
    const b = await started({ deviceAnswers: [answer] });
    expect(b.log).toEqual([{ at: 0, event: { eventType: 'getUserCodeFailure', data } }]);
    await b.advanceTo(1000);
    expect(b.requests).toHaveLength(1);
    expect(b.eventTypes()).toEqual(['getUserCodeFailure']);
    expect(vi.getTimerCount()).toBe(0);

    b.auth.initQRCodeLogin();
    await flush();
    expect(b.deviceRequests()).toHaveLength(2);
    expect(b.eventTypes()).toEqual(['getUserCodeFailure', 'getUserCodeSuccess']);
  });

  it.each([
    ['a 500', answers.status(500)],
    ['an answer without device_code', answers.device({ device_code: undefined })],
    ['an answer that is not JSON', () => new Response('<html>', { status: 200 })],
  ])('%s → getUserCodeFailure with a message, not retried, no poll', async (_name, answer) => {
    const b = await started({ deviceAnswers: [answer] });
    expect(b.eventTypes()).toEqual(['getUserCodeFailure']);
    const failure = b.events()[0] as { data: { message: unknown } };
    expect(failure.data.message).toEqual(expect.any(String));
    await b.advanceTo(1000);
    expect(b.requests).toHaveLength(1);
  });

  const withoutDeviceEndpoint = {
    config: {
      endpoints: { authorization: 'https://as.example/authorize', token: 'https://as.example/token' },
    },
  };

  it('without a device authorization endpoint → getUserCodeFailure and no request at all', async () => {
    const b = await started(withoutDeviceEndpoint);
    expect(b.eventTypes()).toEqual(['getUserCodeFailure']);
    await b.advanceTo(1000);
    expect(b.requests).toEqual([]);
  });

  // Not "The authorization server could not be reached": nothing was sent, the config lacks it.
  it('says the device authorization endpoint is missing, not that the server is unreachable', async () => {
    const b = await started(withoutDeviceEndpoint);
    expect(b.events()).toEqual([
      {
        eventType: 'getUserCodeFailure',
        data: { message: expect.stringMatching(/endpoints\.deviceAuthorization.*not configured/) },
      },
    ]);
  });
});

describe('auth.stop()', () => {
  it.each([
    ['the device code request is in flight', 1, true],
    ['a wait runs', 7, false],
    ['a poll is in flight', 10, true],
  ])('while %s: no timers left, the request aborted, no event afterwards', async (_name, at, inFlight) => {
    const code = held();
    const slow = held();
    const b = await started({ deviceAnswers: [code.answer], pollAnswers: [answers.pending(), slow.answer] });
    if (at > 1) await code.release(answers.device());
    await b.advanceTo(at);
    const sent = b.requests.length;
    b.auth.stop();
    await flush();
    expect(vi.getTimerCount()).toBe(0);
    expect(b.requests.at(-1)!.request.aborted).toBe(inFlight);

    // stop() drops the app's listeners; a listener attached afterwards must not hear anything either.
    const late: QRCodeLoginEvent[] = [];
    b.auth.eventEmitter.on(Events.qRCodeLogin, (event) => late.push(event));
    await code.release(answers.device());
    await slow.release(answers.success());
    await b.advanceTo(1000);
    b.auth.initQRCodeLogin();
    b.auth.cancelQRCodePolling();
    await flush();
    expect(late).toEqual([]);
    expect(b.requests).toHaveLength(sent);
    expect(b.auth.credentials.supertoken).toBeUndefined();
  });

  it('after stop, initQRCodeLogin sends nothing and does not throw', async () => {
    bench = createBench();
    const b = bench;
    b.auth.stop();
    expect(() => b.auth.initQRCodeLogin()).not.toThrow();
    await b.advanceTo(100);
    expect(b.requests).toEqual([]);
    expect(b.log).toEqual([]);
  });
});

describe('a lifetime beyond the timer range', () => {
  // The `codeExpiry` delay (machines/deviceAuthorization.ts) is expires_in × 1000 unclamped; above
  // 2^31-1 ms setTimeout fires at once, so the flow times out as soon as the code arrives.
  it('an expires_in of 3e6 s does not time out at once', async () => {
    const b = await started({ deviceAnswers: [answers.device({ expires_in: 3e6 })] });
    await b.advanceTo(5);
    expect(b.eventTypes()).toEqual(['getUserCodeSuccess', 'authorizationPending']);
  });
});
