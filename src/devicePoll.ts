import { grantErrors, NetworkError, type OAuthErrorBody, ProtocolError } from './errors.js';
import type { Profile } from './profiles.js';
import type { Token, TokenResponse } from './token.js';

/** The body of a device-flow answer as the server sent it (parsed JSON object, or `{}`). */
export type PollBody = Record<string, unknown>;

/**
 * What one device token poll means for the flow (RFC 8628 §3.5):
 * - `pending`: keep waiting the same interval;
 * - `slowDown`: keep waiting, with the interval raised for this and every later poll;
 * - `transient`: the server or network failed (5xx, 429, no answer): back off and retry;
 * - `success`: tokens;
 * - `terminal`: `access_denied`, `expired_token`, or anything else: stop polling.
 */
export type PollOutcome =
  | { kind: 'pending'; body: PollBody }
  | { kind: 'slowDown'; interval: number | undefined; body: PollBody }
  | { kind: 'transient'; error: Error }
  | { kind: 'success'; token: Token; response: TokenResponse }
  | { kind: 'terminal'; error: Error };

const isRecord = (value: unknown): value is PollBody =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * Classifies a non-200 answer of the device token endpoint. RFC 8628 §3.5 errors come as HTTP
 * 400 with `{"error": …}`; the webex profile also sends 428 for "pending" and `{"message":
 * "slow_down"}`. Statuses 429 and 5xx are transient whatever the body says (§3.5: reduce the
 * polling frequency on connection problems). A 400 without a body is terminal, not a crash.
 */
export function classifyPollError(
  status: number,
  body: unknown,
  profile: Profile,
): Exclude<PollOutcome, { kind: 'success' }> {
  const fields = isRecord(body) ? body : {};
  if (profile.device.pendingStatuses.includes(status)) return { kind: 'pending', body: fields };
  if (status === 429 || status >= 500) {
    return {
      kind: 'transient',
      error: new ProtocolError('The device token endpoint is unavailable', status),
    };
  }
  const error = typeof fields.error === 'string' ? fields.error : undefined;
  if (error === 'authorization_pending') return { kind: 'pending', body: fields };
  if (error === 'slow_down' || (profile.device.slowDownInMessage && fields.message === 'slow_down')) {
    const interval = typeof fields.interval === 'number' && fields.interval > 0 ? fields.interval : undefined;
    return { kind: 'slowDown', interval, body: fields };
  }
  if (error === undefined) {
    return {
      kind: 'terminal',
      error: new ProtocolError('The device token endpoint answered without an OAuth error', status),
    };
  }
  const ErrorClass = grantErrors.select(error);
  return { kind: 'terminal', error: new ErrorClass(fields as OAuthErrorBody) };
}

/**
 * A poll that never got an answer (offline, DNS, reset, or none within `requestTimeout`) is
 * transient: back off and retry. A `NetworkError` (or its `RequestTimeoutError`) is kept as is.
 */
export function networkFailure(cause?: unknown): PollOutcome {
  return { kind: 'transient', error: cause instanceof NetworkError ? cause : new NetworkError() };
}
