/**
 * The device flow on the webex profile: oauth-helper endpoints, 428 = pending, `message:
 * 'slow_down'`, a 2 s default interval, and the QR deep link to the Webex web app.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  answers,
  type Bench,
  type BenchOptions,
  createBench,
  DEVICE_GRANT,
  FAKE_TIMERS,
  flush,
  HELPER,
  HELPER_DEVICE_URL,
  HELPER_TOKEN_URL,
  tokenResponse,
} from './harness.js';

let bench: Bench | undefined;

async function started(options: Omit<BenchOptions, 'profile'> = {}): Promise<Bench> {
  bench = createBench({ profile: 'webex', ...options });
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

const WEBEX_VERIFY = 'https://login.webex.com/verify';
const deepLink = (userCode: string) =>
  `https://web.webex.com/deviceAuth?usercode=${userCode}&oauthhelper=${encodeURIComponent(HELPER)}`;

const userCodeOf = (b: Bench) => {
  const first = b.events()[0];
  if (first?.eventType !== 'getUserCodeSuccess')
    throw new Error(`expected getUserCodeSuccess, got ${first?.eventType}`);
  return first.userData;
};

describe('webex profile: requests', () => {
  it('asks the oauth-helper for the code and polls its token action, never IdBroker', async () => {
    const b = await started({ config: { scope: 'spark:all' }, pollAnswers: [answers.success()] });
    await b.advanceTo(10);
    expect(b.requests.map((r) => [r.request.method, r.request.url])).toEqual([
      ['POST', HELPER_DEVICE_URL],
      ['POST', HELPER_TOKEN_URL],
    ]);
    expect(HELPER_DEVICE_URL).toBe('https://oauth-helper.example/helperservice/v1/actions/device/authorize');
    expect(HELPER_TOKEN_URL).toBe('https://oauth-helper.example/helperservice/v1/actions/device/token');
    expect(Object.fromEntries(b.requests[0]!.request.body)).toEqual({
      client_id: 'client-1',
      scope: 'spark:all',
    });
    expect(Object.fromEntries(b.requests[1]!.request.body)).toEqual({
      grant_type: DEVICE_GRANT,
      device_code: 'DC-1',
      client_id: 'client-1',
    });
    expect(b.eventTypes()).toEqual(['getUserCodeSuccess', 'authorizationSuccess']);
    expect(b.auth.credentials.supertoken?.access_token).toBe(tokenResponse.access_token);
  });

  it('waits 2 s between polls when the server sends no interval', async () => {
    const b = await started({ deviceAnswers: [answers.device({ interval: undefined })] });
    await b.advanceTo(8.5);
    expect(b.pollTimes()).toEqual([2, 4, 6, 8]);
  });

  it("uses the server's interval when it sends one", async () => {
    const b = await started({ deviceAnswers: [answers.device({ interval: 3 })] });
    await b.advanceTo(9.5);
    expect(b.pollTimes()).toEqual([3, 6, 9]);
  });
});

describe('webex profile: answers', () => {
  const code = answers.device({ interval: undefined });

  it('428 means pending: authorizationPending with the body, same interval', async () => {
    const body = { message: 'authorization_pending', trackingId: 'T-1' };
    const b = await started({
      deviceAnswers: [code],
      pollAnswers: [answers.pending(body, 428), answers.status(428), answers.success()],
    });
    await b.advanceTo(20);
    expect(b.pollTimes()).toEqual([2, 4, 6]);
    expect(b.log.slice(1)).toEqual([
      { at: 2000, event: { eventType: 'authorizationPending', data: body } },
      { at: 4000, event: { eventType: 'authorizationPending', data: {} } },
      { at: 6000, event: { eventType: 'authorizationSuccess', data: tokenResponse } },
    ]);
  });

  it('400 {message: "slow_down"} adds 5 s to this and every later wait', async () => {
    const slowDown = answers.status(400, { message: 'slow_down' });
    const b = await started({
      deviceAnswers: [code],
      pollAnswers: [slowDown, answers.pending({}, 428), slowDown, answers.pending({}, 428)],
    });
    await b.advanceTo(40);
    expect(b.pollTimes()).toEqual([2, 9, 16, 28, 40]);
    expect(b.eventTypes()).toEqual([
      'getUserCodeSuccess',
      'authorizationPending',
      'authorizationPending',
      'authorizationPending',
    ]);
  });

  it('also understands the RFC forms of pending and slow_down', async () => {
    const b = await started({
      deviceAnswers: [code],
      pollAnswers: [answers.pending(), answers.slowDown(), answers.success()],
    });
    await b.advanceTo(20);
    expect(b.pollTimes()).toEqual([2, 4, 11]);
    expect(b.eventTypes()).toEqual(['getUserCodeSuccess', 'authorizationPending', 'authorizationSuccess']);
  });

  it('backs off from 2 s on server errors', async () => {
    const b = await started({
      deviceAnswers: [code],
      pollAnswers: [answers.status(502), answers.status(503), answers.success()],
    });
    await b.advanceTo(30);
    expect(b.pollTimes()).toEqual([2, 6, 14]);
    expect(b.eventTypes()).toEqual(['getUserCodeSuccess', 'authorizationSuccess']);
  });

  it('any other 400 ends the flow without pollingCanceled', async () => {
    const b = await started({
      deviceAnswers: [code],
      pollAnswers: [answers.status(400, { message: 'nope' })],
    });
    await b.advanceTo(100);
    expect(b.pollTimes()).toEqual([2]);
    expect(b.events().slice(1)).toEqual([
      {
        eventType: 'authorizationFailure',
        data: { message: 'The device token endpoint answered without an OAuth error' },
      },
    ]);
  });
});

describe('webex profile: the QR link', () => {
  it('points at the Webex web app when verification_uri_complete carries userCode', async () => {
    const b = await started({
      deviceAnswers: [
        answers.device({
          user_code: 'ABC123',
          verification_uri: WEBEX_VERIFY,
          verification_uri_complete: `${WEBEX_VERIFY}?userCode=ABC123`,
        }),
      ],
    });
    expect(userCodeOf(b)).toEqual({
      userCode: 'ABC123',
      verificationUri: WEBEX_VERIFY,
      verificationUriComplete: deepLink('ABC123'),
    });
    expect(deepLink('ABC123')).toBe(
      'https://web.webex.com/deviceAuth?usercode=ABC123&oauthhelper=https%3A%2F%2Foauth-helper.example%2Fhelperservice%2Fv1',
    );
  });

  it.each([
    ['the RFC user_code parameter', `${WEBEX_VERIFY}?user_code=ABC123`],
    ['no parameter', WEBEX_VERIFY],
    ['an empty userCode', `${WEBEX_VERIFY}?userCode=`],
  ])('is used as given with %s', async (_name, uri) => {
    const b = await started({ deviceAnswers: [answers.device({ verification_uri_complete: uri })] });
    expect(userCodeOf(b).verificationUriComplete).toBe(uri);
  });

  it('is undefined when the server sends no verification_uri_complete', async () => {
    const b = await started({ deviceAnswers: [answers.device({ verification_uri_complete: undefined })] });
    expect(userCodeOf(b).verificationUriComplete).toBeUndefined();
  });

  it('has no oauthhelper parameter when no oauthHelperUrl is configured', async () => {
    const urls = { device: 'https://device.example/authorize', token: 'https://device.example/token' };
    const b = await started({
      urls,
      config: {
        oauthHelperUrl: undefined,
        endpoints: { deviceAuthorization: urls.device, deviceToken: urls.token },
      },
      deviceAnswers: [answers.device({ verification_uri_complete: `${WEBEX_VERIFY}?userCode=ABC123` })],
    });
    expect(userCodeOf(b).verificationUriComplete).toBe('https://web.webex.com/deviceAuth?usercode=ABC123');
    await b.advanceTo(5);
    expect(b.requests.map((r) => r.request.url)).toEqual([urls.device, urls.token]);
  });

  it('is replaced by the transformVerificationUri hook', async () => {
    const transformVerificationUri = vi.fn(
      (uri: string) => `https://app.example/qr?target=${encodeURIComponent(uri)}`,
    );
    const original = `${WEBEX_VERIFY}?userCode=ABC123`;
    const b = await started({
      config: { transformVerificationUri },
      deviceAnswers: [answers.device({ verification_uri_complete: original })],
    });
    expect(transformVerificationUri).toHaveBeenCalledTimes(1);
    expect(transformVerificationUri).toHaveBeenCalledWith(original);
    expect(userCodeOf(b).verificationUriComplete).toBe(
      `https://app.example/qr?target=${encodeURIComponent(original)}`,
    );
    await b.advanceTo(5);
    expect(b.pollTimes()).toEqual([5]);
  });
});

describe('rfc profile: the QR link', () => {
  it('is used as given, even with a userCode parameter', async () => {
    const uri = 'https://as.example/verify?userCode=ABC123';
    bench = createBench({ deviceAnswers: [answers.device({ verification_uri_complete: uri })] });
    bench.auth.initQRCodeLogin();
    await flush();
    expect(userCodeOf(bench).verificationUriComplete).toBe(uri);
  });

  it('goes through the transformVerificationUri hook', async () => {
    bench = createBench({ config: { transformVerificationUri: (uri) => `${uri}&via=hook` } });
    bench.auth.initQRCodeLogin();
    await flush();
    expect(userCodeOf(bench).verificationUriComplete).toBe(
      'https://as.example/verify?user_code=WDJB-MJHT&via=hook',
    );
  });
});
