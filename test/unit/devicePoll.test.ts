import { describe, expect, it } from 'vitest';
import { classifyPollError, networkFailure, type PollOutcome } from '../../src/devicePoll.js';
import {
  InvalidClientError,
  InvalidGrantError,
  InvalidRequestError,
  NetworkError,
  OAuthError,
  ProtocolError,
  UnauthorizedClientError,
} from '../../src/errors.js';
import { type Profile, rfcProfile, webexProfile } from '../../src/profiles.js';

const NO_OAUTH_ERROR = 'The device token endpoint answered without an OAuth error';

const expectProtocolError = (outcome: PollOutcome, kind: 'terminal' | 'transient', status: number) => {
  expect(outcome.kind).toBe(kind);
  const error = (outcome as { error: Error }).error;
  expect(error).toBeInstanceOf(ProtocolError);
  expect((error as ProtocolError).status).toBe(status);
  return error;
};

describe.each([
  ['rfc', rfcProfile],
  ['webex', webexProfile],
] as Array<[string, Profile]>)('classifyPollError on the %s profile', (_name, profile) => {
  it('400 authorization_pending → pending, with the whole body', () => {
    const body = { error: 'authorization_pending', error_description: 'waiting', extra: 1 };
    expect(classifyPollError(400, body, profile)).toEqual({ kind: 'pending', body });
  });

  it('400 slow_down → slowDown without an interval', () => {
    expect(classifyPollError(400, { error: 'slow_down' }, profile)).toEqual({
      kind: 'slowDown',
      interval: undefined,
      body: { error: 'slow_down' },
    });
  });

  it.each([1, 10, 0.5, 3600])('400 slow_down with interval %j → that interval', (interval) => {
    const outcome = classifyPollError(400, { error: 'slow_down', interval }, profile);
    expect(outcome).toEqual({ kind: 'slowDown', interval, body: { error: 'slow_down', interval } });
  });

  it.each([0, -1, -0.5, '10', null, true, {}, [10], Number.NaN])(
    '400 slow_down with interval %j → no interval',
    (interval) => {
      const outcome = classifyPollError(400, { error: 'slow_down', interval }, profile);
      expect(outcome.kind).toBe('slowDown');
      expect((outcome as { interval: unknown }).interval).toBeUndefined();
    },
  );

  it.each([429, 500, 502, 503, 504, 599])('%i → transient, whatever the body says', (status) => {
    for (const body of [
      undefined,
      null,
      {},
      { error: 'access_denied' },
      { error: 'authorization_pending' },
      'x',
    ]) {
      const error = expectProtocolError(classifyPollError(status, body, profile), 'transient', status);
      expect(error.message).toBe('The device token endpoint is unavailable');
    }
  });

  it.each([
    ['no body', undefined],
    ['null', null],
    ['an empty object', {}],
    ['an array', [{ error: 'access_denied' }]],
    ['an array holding pending', [{ error: 'authorization_pending' }]],
    ['a string', 'authorization_pending'],
    ['a number', 42],
    ['a boolean', true],
    ['a non-string error', { error: 42 }],
    ['an object error', { error: { code: 'slow_down' } }],
    ['an unrelated message', { message: 'Bad request' }],
  ])('400 with %s → terminal ProtocolError', (_name, body) => {
    const error = expectProtocolError(classifyPollError(400, body, profile), 'terminal', 400);
    expect(error.message).toBe(NO_OAUTH_ERROR);
  });

  it.each([
    [400, { error: 'access_denied', error_description: 'The user said no' }, OAuthError],
    [400, { error: 'expired_token' }, OAuthError],
    [400, { error: 'invalid_grant' }, InvalidGrantError],
    [400, { error: 'invalid_request' }, InvalidRequestError],
    [401, { error: 'invalid_client', error_description: 'Unknown client' }, InvalidClientError],
    [400, { error: 'unauthorized_client' }, UnauthorizedClientError],
    [403, { error: 'toString' }, OAuthError],
    [400, { error: 'constructor' }, OAuthError],
    [400, { error: '__proto__' }, OAuthError],
  ] as const)('%i %j → terminal, typed', (status, body, ErrorClass) => {
    const outcome = classifyPollError(status, body, profile);
    expect(outcome.kind).toBe('terminal');
    const error = (outcome as { error: Error }).error;
    expect(error).toBeInstanceOf(ErrorClass);
    expect(error).toBeInstanceOf(OAuthError);
    expect((error as OAuthError).error).toBe(body.error);
    const description = 'error_description' in body ? body.error_description : undefined;
    expect((error as OAuthError).errorDescription).toBe(description);
    expect(error.message).toBe(description ?? 'An error occurred');
  });

  it.each([401, 403, 404, 418])('%i without an OAuth body → terminal ProtocolError', (status) => {
    expectProtocolError(classifyPollError(status, undefined, profile), 'terminal', status);
  });

  it('access_denied is terminal and exactly an OAuthError (no grant subclass)', () => {
    const outcome = classifyPollError(400, { error: 'access_denied' }, profile);
    expect((outcome as { error: Error }).error.constructor).toBe(OAuthError);
  });
});

describe('classifyPollError: profile differences', () => {
  it.each([
    ['an object', { message: 'authorization_pending' }, { message: 'authorization_pending' }],
    ['no body', undefined, {}],
    ['null', null, {}],
    ['an array', ['pending'], {}],
    ['a string', 'pending', {}],
  ])('webex: 428 with %s → pending (body kept only when it is an object)', (_name, body, expected) => {
    expect(classifyPollError(428, body, webexProfile)).toEqual({ kind: 'pending', body: expected });
  });

  it('rfc: 428 → terminal', () => {
    expectProtocolError(classifyPollError(428, {}, rfcProfile), 'terminal', 428);
  });

  it('webex: 400 {message: "slow_down"} → slowDown, with the interval when positive', () => {
    expect(classifyPollError(400, { message: 'slow_down' }, webexProfile)).toEqual({
      kind: 'slowDown',
      interval: undefined,
      body: { message: 'slow_down' },
    });
    expect(classifyPollError(400, { message: 'slow_down', interval: 9 }, webexProfile)).toMatchObject({
      kind: 'slowDown',
      interval: 9,
    });
    expect(classifyPollError(400, { message: 'slow_down', interval: -9 }, webexProfile)).toMatchObject({
      kind: 'slowDown',
      interval: undefined,
    });
  });

  it('webex: {message: "slow_down"} inside an array is not slow_down', () => {
    expectProtocolError(classifyPollError(400, [{ message: 'slow_down' }], webexProfile), 'terminal', 400);
  });

  it('rfc: 400 {message: "slow_down"} → terminal', () => {
    const error = expectProtocolError(
      classifyPollError(400, { message: 'slow_down' }, rfcProfile),
      'terminal',
      400,
    );
    expect(error.message).toBe(NO_OAUTH_ERROR);
  });

  it('a custom profile can declare its own pending statuses', () => {
    const custom: Profile = { ...rfcProfile, device: { ...rfcProfile.device, pendingStatuses: [202, 425] } };
    expect(classifyPollError(425, { state: 'waiting' }, custom)).toEqual({
      kind: 'pending',
      body: { state: 'waiting' },
    });
    expectProtocolError(classifyPollError(425, { state: 'waiting' }, rfcProfile), 'terminal', 425);
  });
});

describe('networkFailure', () => {
  it('is transient, with a NetworkError', () => {
    const outcome = networkFailure();
    expect(outcome.kind).toBe('transient');
    const error = (outcome as { error: Error }).error;
    expect(error).toBeInstanceOf(NetworkError);
    expect(error.message).toBe('The authorization server could not be reached');
  });
});
