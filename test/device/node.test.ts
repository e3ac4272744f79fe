/**
 * A confidential client in Node (no window): both device requests authenticate with HTTP Basic
 * (RFC 6749 §2.3.1), as the Webex plugin did against the oauth-helper.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { RecordedRequest } from '../fixtures/fakeFetch.js';
import {
  answers,
  type Bench,
  createBench,
  DEVICE_GRANT,
  DEVICE_URL,
  FAKE_TIMERS,
  flush,
  HELPER_DEVICE_URL,
  HELPER_TOKEN_URL,
  TOKEN_URL,
  tokenResponse,
} from './harness.js';

/** A made-up backend secret; only its HTTP Basic encoding is checked. */
const SECRET = 's3cret';

let bench: Bench | undefined;

beforeEach(() => {
  vi.useFakeTimers(FAKE_TIMERS);
});

afterEach(() => {
  bench?.auth.stop();
  bench = undefined;
  vi.useRealTimers();
});

/** The `client_id:secret` of an HTTP Basic header, each half form-decoded (RFC 6749 §2.3.1). */
function basicCredentials(request: RecordedRequest): string {
  const header = request.headers.get('authorization') ?? '';
  expect(header).toMatch(/^Basic [A-Za-z0-9+/]+=*$/);
  const decoded = Buffer.from(header.slice('Basic '.length), 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  const formDecode = (part: string) => decodeURIComponent(part.replace(/\+/g, ' '));
  return `${formDecode(decoded.slice(0, colon))}:${formDecode(decoded.slice(colon + 1))}`;
}

describe('device flow in Node with a client secret', () => {
  it.each([
    ['webex', HELPER_DEVICE_URL, HELPER_TOKEN_URL],
    ['rfc', DEVICE_URL, TOKEN_URL],
  ] as const)('%s profile: both device requests use HTTP Basic', async (profile, deviceUrl, tokenUrl) => {
    expect(typeof window).toBe('undefined');
    bench = createBench({
      profile,
      window: null,
      config: { clientSecret: SECRET, scope: 'spark:all' },
      pollAnswers: [answers.pending(), answers.success()],
    });
    const b = bench;
    b.auth.initQRCodeLogin();
    await flush();
    await b.advanceTo(10);

    expect(b.requests.map((r) => r.request.url)).toEqual([deviceUrl, tokenUrl, tokenUrl]);
    for (const { request } of b.requests) {
      expect(basicCredentials(request)).toBe(`client-1:${SECRET}`);
      expect(request.body.get('client_secret')).toBeNull();
    }
    expect(b.requests[0]!.request.body.get('scope')).toBe('spark:all');
    expect(b.requests[1]!.request.body.get('grant_type')).toBe(DEVICE_GRANT);
    expect(b.requests[1]!.request.body.get('device_code')).toBe('DC-1');
    expect(b.eventTypes()).toEqual(['getUserCodeSuccess', 'authorizationPending', 'authorizationSuccess']);
    expect(b.auth.credentials.supertoken?.access_token).toBe(tokenResponse.access_token);
  });

  it('never shows the secret in an event', async () => {
    bench = createBench({
      profile: 'webex',
      window: null,
      config: { clientSecret: SECRET },
      pollAnswers: [answers.status(401, { error: 'invalid_client' })],
    });
    const b = bench;
    b.auth.initQRCodeLogin();
    await b.advanceTo(5);
    expect(b.eventTypes()).toEqual(['getUserCodeSuccess', 'authorizationFailure']);
    expect(JSON.stringify(b.events())).not.toContain(SECRET);
  });
});
