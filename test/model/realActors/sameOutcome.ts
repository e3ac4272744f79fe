/**
 * Whether a real actor's output or error is the path's payload case, in what the machines and
 * their users can tell apart. Differences are described without the values themselves, which may
 * be tokens.
 */
import { AuthchartsError, OAuthError, ProtocolError } from '../../../src/errors.js';
import type { Token } from '../../../src/token.js';

/** How far a real expiry may land from the expected one: the response's `expires_in` is whole seconds. */
const EXPIRY_TOLERANCE_MS = 60_000;

/**
 * How the token `actual` differs from `expected`: the same access and refresh tokens, scope and
 * type, and an expiry within a minute of the expected one (none when none is expected). The ID
 * token is not compared: the fake server sends none (see `tokenResponseFor`).
 */
export function tokenDifference(expected: Token, actual: unknown): string | undefined {
  if (typeof actual !== 'object' || actual === null) return 'produced no token';
  const token = actual as Token;
  for (const field of ['access_token', 'refresh_token', 'scope', 'token_type'] as const) {
    if (token[field] !== expected[field]) return `produced a token with another ${field}`;
  }
  if (expected.expires === undefined || token.expires === undefined) {
    return expected.expires === token.expires ? undefined : 'produced a token that expires otherwise';
  }
  return Math.abs(token.expires - expected.expires) <= EXPIRY_TOLERANCE_MS
    ? undefined
    : 'produced a token that expires at another time';
}

/**
 * How the error `actual` differs from `expected`: the same class (any OAuthError with the same
 * code where the path has a plain OAuthError: the server's code is what matters), the same OAuth
 * code, the same HTTP status for a ProtocolError that names one, and the same message for errors
 * that are not the library's own (a TypeError's message is all that tells two apart).
 */
export function errorDifference(expected: unknown, actual: unknown): string | undefined {
  if (!(expected instanceof Error)) return 'was expected to reject with something that is no Error';
  if (!(actual instanceof Error)) return 'rejected with something that is no Error';
  const sameClass =
    actual.constructor === expected.constructor ||
    (expected.constructor === OAuthError && actual instanceof OAuthError);
  if (!sameClass) return `failed with a ${actual.name}, the path says ${expected.name}`;
  if (expected instanceof OAuthError && (actual as OAuthError).error !== expected.error) {
    return `failed with the OAuth error "${(actual as OAuthError).error}", the path says "${expected.error}"`;
  }
  if (
    expected instanceof ProtocolError &&
    expected.status !== undefined &&
    (actual as ProtocolError).status !== expected.status
  ) {
    return `failed with HTTP status ${(actual as ProtocolError).status}, the path says ${expected.status}`;
  }
  const own = expected instanceof OAuthError || expected instanceof AuthchartsError;
  if (!own && actual.message !== expected.message) return `failed with "${actual.message}"`;
  return undefined;
}

/**
 * Fields of emitted events that differ between the fold and a real run by design: a real login's
 * authorize URL carries fresh random secrets; the fake server sends no ID token.
 */
const NOT_COMPARED = new Set(['loginUrl', 'id_token']);

/**
 * How the data the machine emitted (`actual`) differs from what the fold emits for the path's
 * payload cases (`expected`): equal, but for errors (compared by {@link errorDifference}), expiry
 * times (the real ones are counted from when the answer arrived) and {@link NOT_COMPARED} fields.
 */
export function dataDifference(expected: unknown, actual: unknown, at = 'the event'): string | undefined {
  if (expected instanceof Error) {
    const difference = errorDifference(expected, actual);
    return difference === undefined ? undefined : `${at} ${difference}`;
  }
  if (typeof expected === 'object' && expected !== null) {
    if (typeof actual !== 'object' || actual === null) return `${at} is missing`;
    const keys = new Set([...Object.keys(expected), ...Object.keys(actual)]);
    for (const key of keys) {
      if (NOT_COMPARED.has(key)) continue;
      const e = (expected as Record<string, unknown>)[key];
      const a = (actual as Record<string, unknown>)[key];
      const difference =
        key === 'expires' && typeof e === 'number' && typeof a === 'number'
          ? Math.abs(a - e) <= EXPIRY_TOLERANCE_MS
            ? undefined
            : `${at}.${key} is another time`
          : dataDifference(e, a, `${at}.${key}`);
      if (difference !== undefined) return difference;
    }
    return undefined;
  }
  return Object.is(expected, actual) ? undefined : `${at} differs`;
}
