/**
 * Device flow polling on the rfc profile (RFC 8628 §3.4–3.5), seen from the app: when polls are
 * sent, what they carry, and which `qRCodeLogin` events come out of each answer.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  type Answer,
  answers,
  type Bench,
  type BenchOptions,
  createBench,
  DEVICE_GRANT,
  deviceCode,
  FAKE_TIMERS,
  flush,
  held,
  tokenResponse,
} from './harness.js';

let bench: Bench | undefined;

/** Starts a QR login on a fresh bench. */
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

const userData = {
  userCode: deviceCode.user_code,
  verificationUri: deviceCode.verification_uri,
  verificationUriComplete: deviceCode.verification_uri_complete,
};

describe('the device code request', () => {
  it('posts client_id and scope to the device endpoint, then announces the code as given', async () => {
    const b = await started();
    expect(b.deviceRequests()).toHaveLength(1);
    const request = b.deviceRequests()[0]!.request;
    expect(request.method).toBe('POST');
    expect(request.headers.get('content-type')).toMatch(/^application\/x-www-form-urlencoded/);
    expect(Object.fromEntries(request.body)).toEqual({ client_id: 'client-1', scope: 'openid profile' });
    expect(request.headers.get('authorization')).toBeNull();
    expect(b.log).toEqual([{ at: 0, event: { eventType: 'getUserCodeSuccess', userData } }]);
  });

  it('sends no scope when none is configured', async () => {
    const b = await started({ config: { scope: undefined } });
    expect(Object.fromEntries(b.deviceRequests()[0]!.request.body)).toEqual({ client_id: 'client-1' });
  });

  it('passes verificationUriComplete through as undefined when the server sends none', async () => {
    const b = await started({ deviceAnswers: [answers.device({ verification_uri_complete: undefined })] });
    expect(b.events()).toEqual([
      { eventType: 'getUserCodeSuccess', userData: { ...userData, verificationUriComplete: undefined } },
    ]);
    await b.advanceTo(5);
    expect(b.polls()).toHaveLength(1);
  });
});

describe('poll timing', () => {
  it('sends the first poll exactly one interval after the code arrives, with the device code grant', async () => {
    const code = held();
    const b = await started({ deviceAnswers: [code.answer] });
    await b.advanceTo(3);
    expect(b.polls()).toHaveLength(0);
    await code.release(answers.device());
    expect(b.log).toEqual([{ at: 3000, event: { eventType: 'getUserCodeSuccess', userData } }]);

    await b.advanceTo(7.999);
    expect(b.polls()).toHaveLength(0);
    await b.advanceTo(8);
    expect(b.pollTimes()).toEqual([8]);
    const poll = b.polls()[0]!.request;
    expect(poll.method).toBe('POST');
    expect(Object.fromEntries(poll.body)).toEqual({
      grant_type: DEVICE_GRANT,
      device_code: deviceCode.device_code,
      client_id: 'client-1',
    });
    expect(poll.headers.get('authorization')).toBeNull();
  });

  it.each([
    [1, [1, 2, 3, 4]],
    [7, [7, 14, 21, 28]],
  ])("uses the server's interval (%i s)", async (interval, times) => {
    const b = await started({ deviceAnswers: [answers.device({ interval })] });
    await b.advanceTo(times.at(-1)! + 0.5);
    expect(b.pollTimes()).toEqual(times);
  });

  it('waits 5 s between polls when the server sends no interval (rfc)', async () => {
    const b = await started({ deviceAnswers: [answers.device({ interval: undefined })] });
    await b.advanceTo(21);
    expect(b.pollTimes()).toEqual([5, 10, 15, 20]);
  });

  it('never overlaps polls: a slow answer delays the next poll by a full interval', async () => {
    const slow = held();
    const b = await started({ pollAnswers: [answers.pending(), slow.answer, answers.success()] });
    await b.advanceTo(10);
    expect(b.pollTimes()).toEqual([5, 10]);
    // The answer to the poll at 10 s takes 17 s: nothing is sent meanwhile.
    await b.advanceTo(27);
    expect(b.pollTimes()).toEqual([5, 10]);
    await slow.release(answers.pending());
    expect(b.eventTypes()).toEqual(['getUserCodeSuccess', 'authorizationPending', 'authorizationPending']);
    await b.advanceTo(31.999);
    expect(b.pollTimes()).toEqual([5, 10]);
    await b.advanceTo(32);
    expect(b.pollTimes()).toEqual([5, 10, 32]);
    expect(b.eventTypes().at(-1)).toBe('authorizationSuccess');
  });
});

describe('pending', () => {
  it('emits authorizationPending with the server body and polls again after the same interval', async () => {
    const body = { error: 'authorization_pending', error_description: 'The user has not approved yet' };
    const b = await started({ pollAnswers: [answers.pending(body), answers.pending(), answers.success()] });
    await b.advanceTo(30);
    expect(b.pollTimes()).toEqual([5, 10, 15]);
    expect(b.log).toEqual([
      { at: 0, event: { eventType: 'getUserCodeSuccess', userData } },
      { at: 5000, event: { eventType: 'authorizationPending', data: body } },
      { at: 10000, event: { eventType: 'authorizationPending', data: { error: 'authorization_pending' } } },
      { at: 15000, event: { eventType: 'authorizationSuccess', data: tokenResponse } },
    ]);
  });
});

describe('slow_down', () => {
  it('adds 5 s to this and every later wait, cumulatively, without an event', async () => {
    const b = await started({
      pollAnswers: [
        answers.slowDown(), // at 5 → interval 10
        answers.pending(), // at 15
        answers.pending(), // at 25
        answers.slowDown(), // at 35 → interval 15
        answers.pending(), // at 50
        answers.success(), // at 65
      ],
    });
    await b.advanceTo(200);
    expect(b.pollTimes()).toEqual([5, 15, 25, 35, 50, 65]);
    expect(b.eventTypes()).toEqual([
      'getUserCodeSuccess',
      'authorizationPending',
      'authorizationPending',
      'authorizationPending',
      'authorizationSuccess',
    ]);
  });

  it('two slow_downs in a row add 10 s', async () => {
    const b = await started({ pollAnswers: [answers.slowDown(), answers.slowDown(), answers.pending()] });
    await b.advanceTo(60);
    expect(b.pollTimes()).toEqual([5, 15, 30, 45, 60]);
  });

  it("uses the server's interval when the slow_down body carries one, for every later wait", async () => {
    const b = await started({
      pollAnswers: [answers.slowDown({ interval: 12 }), answers.pending(), answers.slowDown()],
    });
    await b.advanceTo(60);
    // 5 → 12 (server), 12 → 17 (+5)
    expect(b.pollTimes()).toEqual([5, 17, 29, 46]);
  });

  it.each([0, -3, '30', null, true])('ignores a slow_down interval of %j and adds 5 s', async (interval) => {
    const b = await started({ pollAnswers: [answers.slowDown({ interval })] });
    await b.advanceTo(24.999);
    expect(b.pollTimes()).toEqual([5, 15]);
    // The slow_down itself is silent; the poll at 15 s answers pending.
    expect(b.eventTypes()).toEqual(['getUserCodeSuccess', 'authorizationPending']);
    await b.advanceTo(25);
    expect(b.pollTimes()).toEqual([5, 15, 25]);
  });
});

describe('transient failures', () => {
  const transient: Array<[string, Answer]> = [
    ['500', answers.status(500, { error: 'server_error' })],
    ['502 without a body', answers.status(502)],
    ['503', answers.status(503, { message: 'maintenance' })],
    ['429', answers.status(429, { error: 'slow_down' })],
    ['a network error', answers.networkError()],
  ];

  it.each(transient)('backs off on %s, doubling the wait, and retries', async (_name, failure) => {
    const b = await started({ pollAnswers: [failure, failure, failure, answers.success()] });
    await b.advanceTo(200);
    // 5 s interval: waits of 10, 20, 40 s after the failures.
    expect(b.pollTimes()).toEqual([5, 15, 35, 75]);
    expect(b.eventTypes()).toEqual(['getUserCodeSuccess', 'authorizationSuccess']);
    expect(b.auth.credentials.supertoken?.access_token).toBe(tokenResponse.access_token);
  });

  it.each([
    ['503', answers.status(503), 'The device token endpoint is unavailable'],
    ['a network error', answers.networkError(), 'The authorization server could not be reached'],
  ])('gives up after 5 failures in a row (%s)', async (_name, failure, message) => {
    const b = await started({
      pollAnswers: [failure, failure, failure, failure, failure, answers.success()],
    });
    await b.advanceTo(600);
    expect(b.pollTimes()).toEqual([5, 15, 35, 75, 155]);
    expect(b.log.slice(1)).toEqual([
      { at: 155_000, event: { eventType: 'authorizationFailure', data: { message } } },
    ]);
    expect(b.auth.credentials.supertoken).toBeUndefined();
  });

  it('starts counting again after a pending answer', async () => {
    const fail = answers.status(503);
    const b = await started({
      pollAnswers: [fail, fail, fail, fail, answers.pending(), fail, fail, fail, fail, answers.success()],
    });
    await b.advanceTo(600);
    expect(b.pollTimes()).toEqual([5, 15, 35, 75, 155, 160, 170, 190, 230, 310]);
    expect(b.eventTypes()).toEqual(['getUserCodeSuccess', 'authorizationPending', 'authorizationSuccess']);
  });

  it('backs off from the raised interval after a slow_down', async () => {
    const b = await started({
      pollAnswers: [answers.status(503), answers.slowDown(), answers.status(503), answers.success()],
    });
    await b.advanceTo(200);
    // 5 → ×2 = 10 → slow_down: 10 → 503: ×2 = 20
    expect(b.pollTimes()).toEqual([5, 15, 25, 45]);
  });
});

describe('terminal answers', () => {
  const terminal: Array<[string, Answer, Record<string, unknown>]> = [
    [
      'access_denied',
      answers.status(400, { error: 'access_denied', error_description: 'The user said no' }),
      { message: 'The user said no', error: 'access_denied', error_description: 'The user said no' },
    ],
    [
      'expired_token',
      answers.status(400, { error: 'expired_token' }),
      { message: 'An error occurred', error: 'expired_token' },
    ],
    [
      'a 400 without a body',
      answers.status(400),
      { message: 'The device token endpoint answered without an OAuth error' },
    ],
    [
      'a 401 invalid_client',
      answers.status(401, { error: 'invalid_client', error_description: 'Unknown client' }),
      { message: 'Unknown client', error: 'invalid_client', error_description: 'Unknown client' },
    ],
    [
      'a 400 invalid_grant',
      answers.status(400, { error: 'invalid_grant' }),
      { message: 'An error occurred', error: 'invalid_grant' },
    ],
    [
      'a 403 with a non-OAuth body',
      answers.status(403, ['forbidden']),
      { message: 'The device token endpoint answered without an OAuth error' },
    ],
    [
      "Webex's 428 (not pending on the rfc profile)",
      answers.status(428, {}),
      { message: 'The device token endpoint answered without an OAuth error' },
    ],
    [
      "Webex's message: slow_down (not slow_down on the rfc profile)",
      answers.status(400, { message: 'slow_down' }),
      { message: 'The device token endpoint answered without an OAuth error' },
    ],
  ];

  it.each(terminal)(
    '%s → authorizationFailure, polling stops, a new login is accepted',
    async (_n, answer, data) => {
      const b = await started({ pollAnswers: [answers.pending(), answer, answers.success()] });
      await b.advanceTo(10);
      expect(b.log.slice(1)).toEqual([
        { at: 5000, event: { eventType: 'authorizationPending', data: { error: 'authorization_pending' } } },
        { at: 10_000, event: { eventType: 'authorizationFailure', data } },
      ]);
      await b.advanceTo(700);
      expect(b.pollTimes()).toEqual([5, 10]);
      expect(b.eventTypes()).not.toContain('pollingCanceled');
      expect(b.auth.credentials.supertoken).toBeUndefined();

      b.auth.initQRCodeLogin();
      await flush();
      expect(b.deviceRequests()).toHaveLength(2);
      expect(b.eventTypes().at(-1)).toBe('getUserCodeSuccess');
      await b.advance(5);
      expect(b.pollTimes()).toEqual([5, 10, 705]);
      expect(b.eventTypes().at(-1)).toBe('authorizationSuccess');
    },
  );

  it('a 200 without an access token is a failure, not a login', async () => {
    const b = await started({ pollAnswers: [answers.success({ token_type: 'bearer' })] });
    await b.advanceTo(100);
    expect(b.pollTimes()).toEqual([5]);
    expect(b.eventTypes()).toEqual(['getUserCodeSuccess', 'authorizationFailure']);
    const failure = b.events()[1] as { data: { message: string } };
    expect(failure.data.message).toEqual(expect.any(String));
    expect(b.auth.credentials.supertoken).toBeUndefined();
  });
});

describe('intervals beyond the timer range', () => {
  // setTimeout delays above 2^31-1 ms (about 24.8 days) overflow: browsers and Node fire them at
  // once (the fake clock does the same). machines/deviceAuthorization.ts multiplies the server's
  // seconds into the `pollInterval`/`transientBackoff`/`codeExpiry` delays unclamped, so a server
  // interval of 3e6 s makes the flow poll about once per millisecond (see the report).
  const TOO_LONG_S = 3e6;

  it('a huge device code interval does not set off polls at once', async () => {
    const b = await started({ deviceAnswers: [answers.device({ interval: TOO_LONG_S })] });
    await b.advanceTo(0.1);
    expect(b.polls()).toHaveLength(0);
  });

  it('a huge slow_down interval is not followed by a burst of polls', async () => {
    const b = await started({ pollAnswers: [answers.slowDown({ interval: TOO_LONG_S })] });
    await b.advanceTo(5.1);
    expect(b.pollTimes()).toEqual([5]);
  });
});
