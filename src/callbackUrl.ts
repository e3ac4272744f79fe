/**
 * Detection of an OAuth redirect callback in the page URL, and removal of the callback parameters
 * from that URL once they have been read.
 *
 * Only the query is examined, as in Webex: the fragment belongs to the app (SPA routes such as
 * `#/inbox`), and the authorization code flow returns its parameters in the query (RFC 6749 §4.1.2).
 *
 * @module
 */

import type { OAuthErrorBody } from './errors.js';
import { decodeState, encodeState, type StateObject } from './stateCodec.js';

/**
 * Keys that authcharts or Webex put inside `state` for their own use. They are removed from the URL
 * after a callback: the CSRF token is a secret, and `emailhash` is an unsalted hash of the user's
 * email address.
 */
export const INTERNAL_STATE_KEYS = ['csrf_token', 'emailhash', 'authcharts_popup'] as const;

/** What {@link readCallbackUrl} found in a URL. */
export type CallbackParams =
  | { kind: 'none' }
  | { kind: 'code'; code: string; state: string | undefined; iss: string | undefined }
  | { kind: 'error'; error: OAuthErrorBody; state: string | undefined; iss: string | undefined }
  /** Legacy implicit grant (opt-in): the token came in the fragment (RFC 6749 §4.2.2). */
  | { kind: 'implicit'; token: ImplicitTokenFields; state: string | undefined; iss: string | undefined }
  | { kind: 'malformed'; parameter: string };

/** The token fields of an implicit-grant fragment (RFC 6749 §4.2.2), as strings. */
export interface ImplicitTokenFields {
  access_token: string;
  token_type?: string;
  expires_in?: string;
  refresh_token?: string;
  refresh_token_expires_in?: string;
  scope?: string;
  id_token?: string;
}

/** The optional fields of an implicit response that become part of the token. */
const IMPLICIT_TOKEN_FIELDS = [
  'token_type',
  'expires_in',
  'refresh_token',
  'refresh_token_expires_in',
  'scope',
  'id_token',
] as const;

// Authorization response parameters removed outright by sanitisation: RFC 6749 §4.1.2 and §4.1.2.1,
// RFC 9207 (`iss`) and OpenID Connect Session Management (`session_state`). `state` is handled apart
// because it may carry the app's own keys.
const RESPONSE_PARAMETERS: ReadonlySet<string> = new Set([
  'code',
  'iss',
  'session_state',
  'error',
  'error_description',
  'error_uri',
]);

const INTERNAL_KEYS: ReadonlySet<string> = new Set(INTERNAL_STATE_KEYS);

function parseAbsoluteUrl(href: string, caller: string): URL {
  if (typeof href !== 'string') throw new TypeError(`${caller}: href must be a string`);
  try {
    return new URL(href);
  } catch {
    // Neither the href nor the parser's error (which quotes it) goes into the message: it may hold a code.
    throw new TypeError(`${caller}: href must be an absolute URL`);
  }
}

/**
 * Reads an authorization response (RFC 6749 §4.1.2 and §4.1.2.1, RFC 9207 `iss`) from a page URL,
 * typically `location.href`.
 *
 * - neither `code` nor `error` in the query: `none` (an ordinary page load);
 * - `code`, `state`, `error` or `iss` repeated, or an empty `code` or `error`: `malformed`, naming the
 *   parameter (the Webex plugin crashed on repeated parameters; here the caller can fail cleanly);
 * - `error` present: `error`, even when `code` is present too, so an error is never hidden by an
 *   exchange attempt;
 * - otherwise `code`.
 *
 * `state` and `iss` are returned raw (empty strings included) for the caller to validate. Throws a
 * `TypeError` when `href` is not an absolute URL.
 */
export function readCallbackUrl(href: string): CallbackParams {
  const params = parseAbsoluteUrl(href, 'readCallbackUrl').searchParams;
  return readResponse(params, 'code', (code) => ({ kind: 'code', ...code }));
}

/**
 * The steps a query and an implicit fragment share: not a response unless `grantKey` or `error`
 * is there; repeated single-valued parameters or an empty `error` are `malformed`; an `error`
 * wins over a grant; `build` reads the grant itself (with `state` and `iss`).
 */
function readResponse(
  params: URLSearchParams,
  grantKey: 'code' | 'access_token',
  // RFC 6749 §3.1: a parameter MUST NOT be included more than once; `error` first, the most significant.
  build: (response: { code: string; state: string | undefined; iss: string | undefined }) => CallbackParams,
): CallbackParams {
  if (!params.has(grantKey) && !params.has('error')) return { kind: 'none' };
  for (const parameter of ['error', grantKey, 'state', 'iss']) {
    if (params.getAll(parameter).length > 1) return { kind: 'malformed', parameter };
  }
  const state = params.get('state') ?? undefined;
  const iss = params.get('iss') ?? undefined;
  const error = params.get('error');
  if (error !== null) {
    if (error === '') return { kind: 'malformed', parameter: 'error' };
    const body: OAuthErrorBody = { error };
    const description = params.get('error_description');
    const uri = params.get('error_uri');
    if (description !== null) body.error_description = description;
    if (uri !== null) body.error_uri = uri;
    return { kind: 'error', error: body, state, iss };
  }
  const grant = params.get(grantKey);
  if (grant === null || grant === '') return { kind: 'malformed', parameter: grantKey };
  return build({ code: grant, state, iss });
}

/**
 * Reads a legacy implicit-grant response from the fragment (RFC 6749 §4.2.2 and §4.2.2.1), for
 * apps that opted in. Only a fragment with `access_token` or `error` is a response: SPA routes such
 * as `#/inbox` are `none`, and so is a query callback (read {@link readCallbackUrl} first).
 */
export function readImplicitFragment(href: string): CallbackParams {
  const params = new URLSearchParams(parseAbsoluteUrl(href, 'readImplicitFragment').hash.slice(1));
  return readResponse(params, 'access_token', ({ code: accessToken, state, iss }) => {
    const token: ImplicitTokenFields = { access_token: accessToken };
    for (const field of IMPLICIT_TOKEN_FIELDS) {
      const value = params.get(field);
      if (value !== null) token[field] = value;
    }
    return { kind: 'implicit', token, state, iss };
  });
}

/**
 * Decodes one raw `key=value` segment of a query exactly as `URL.searchParams` would, so that
 * sanitisation removes precisely what {@link readCallbackUrl} reads (including `%63ode` or `+`).
 * The leading `&` stops URLSearchParams from stripping a `?` that is part of the first key.
 */
function decodeSegment(segment: string): [key: string, value: string] | undefined {
  return new URLSearchParams(`&${segment}`).entries().next().value;
}

/**
 * Returns the replacement for a raw `state` segment: the segment itself when it holds no internal
 * keys, a re-encoded segment holding only the app's keys, or `undefined` to drop it (nothing left for
 * the app, or not a decodable state, which then cannot be the app's either).
 */
function sanitizeStateSegment(segment: string, value: string): string | undefined {
  let decoded: StateObject;
  try {
    decoded = decodeState(value);
  } catch {
    return undefined;
  }
  const entries = Object.entries(decoded);
  // fromEntries defines own properties, so an app key named `__proto__` survives as a key.
  const appState = Object.fromEntries(entries.filter(([key]) => !INTERNAL_KEYS.has(key)));
  const appKeyCount = Object.keys(appState).length;
  if (appKeyCount === 0) return undefined;
  if (appKeyCount === entries.length) return segment;
  const rawKey = segment.slice(0, segment.indexOf('='));
  return `${rawKey}=${encodeState(appState)}`;
}

function sanitizeSegment(segment: string, removed: ReadonlySet<string>): string | undefined {
  const pair = decodeSegment(segment);
  if (pair === undefined) return segment;
  const [key, value] = pair;
  if (removed.has(key)) return undefined;
  if (key === 'state') return sanitizeStateSegment(segment, value);
  return segment;
}

const FRAGMENT_RESPONSE_PARAMETERS: ReadonlySet<string> = new Set([
  ...RESPONSE_PARAMETERS,
  // What an implicit fragment carries besides `state`: removed from the fragment once read.
  'access_token',
  ...IMPLICIT_TOKEN_FIELDS,
]);

/** Removes `removed` (and the internal `state` keys) from `&`-separated raw segments; `undefined` if unchanged. */
function sanitizeSegments(raw: string, removed: ReadonlySet<string>): string | undefined {
  let changed = false;
  const kept: string[] = [];
  for (const segment of raw.split('&')) {
    const replacement = sanitizeSegment(segment, removed);
    if (replacement !== segment) changed = true;
    if (replacement !== undefined) kept.push(replacement);
  }
  // Empty segments left between removed parameters (`?a=1&&b=2`) would otherwise leave stray `&`s.
  return changed ? kept.filter((segment) => segment !== '').join('&') : undefined;
}

/**
 * Returns `href` without the authorization response parameters, for `history.replaceState` once a
 * callback has been read: the code must not linger in the address bar, history, bookmarks or the
 * `Referer` of the next request (RFC 9700 §4.2.4).
 *
 * Removed: `code`, `iss`, `session_state`, `error`, `error_description`, `error_uri`, and inside
 * `state` the {@link INTERNAL_STATE_KEYS}. A `state` that still holds app keys is re-encoded with only
 * those; one with nothing left, or that cannot be decoded, is dropped. Everything else is kept
 * byte-for-byte: scheme, host, path, the fragment, and every other query parameter in its original
 * order and encoding (the raw segments are copied, never re-serialised, so `%20` stays `%20` and `+`
 * stays `+`). An emptied query loses its `?`.
 *
 * With `fragment: true` (legacy implicit grant, opt-in), a fragment that is an implicit response
 * loses its token fields, `error*` and the internal `state` keys the same way; its other keys stay.
 *
 * A URL with nothing to remove is returned unchanged, so the function is idempotent. Throws a
 * `TypeError` when `href` is not an absolute URL.
 */
export function sanitizeCallbackUrl(href: string, options: { fragment?: boolean } = {}): string {
  parseAbsoluteUrl(href, 'sanitizeCallbackUrl');
  const hashAt = href.indexOf('#');
  const withoutFragment = hashAt === -1 ? href : href.slice(0, hashAt);
  let fragment = hashAt === -1 ? '' : href.slice(hashAt);
  // Opted-in implicit grant only: the fragment is otherwise the app's (SPA routes), never touched.
  if (options.fragment && fragment !== '' && readImplicitFragment(href).kind !== 'none') {
    const cleaned = sanitizeSegments(fragment.slice(1), FRAGMENT_RESPONSE_PARAMETERS);
    if (cleaned !== undefined) fragment = cleaned === '' ? '' : `#${cleaned}`;
  }
  const queryAt = withoutFragment.indexOf('?');
  const cleanedQuery =
    queryAt === -1 ? undefined : sanitizeSegments(withoutFragment.slice(queryAt + 1), RESPONSE_PARAMETERS);
  const base =
    cleanedQuery === undefined
      ? withoutFragment
      : `${withoutFragment.slice(0, queryAt)}${cleanedQuery === '' ? '' : `?${cleanedQuery}`}`;
  return `${base}${fragment}`;
}
