/**
 * What processing a generated page URL must do, worked out from the RFCs and the product spec
 * (SPEC §3 "redirect"), from the roles the generator gave each segment, never by running the
 * library's own parser or sanitiser. Only `state` values are read with the real codec
 * (`decodeState`), whose format is the Webex one and is unit-tested on its own.
 */
import { decodeState, encodeState, type StateObject } from '../../src/stateCodec.js';
import {
  APP_ORIGIN,
  AS,
  type CallbackCase,
  type Part,
  QUERY_ROLES,
  type Role,
  type Segment,
  TOKEN_ROLES,
} from './callbackArbitraries.js';

/** Keys authcharts (or Webex) put inside `state` for themselves; removed from the URL. */
const INTERNAL_STATE_KEYS = new Set(['csrf_token', 'emailhash', 'authcharts_popup']);

/** Removed outright when the URL is cleaned; `state` is handled on its own (it may hold app keys). */
const REMOVED: Record<Part, ReadonlySet<Role>> = {
  query: new Set(QUERY_ROLES.filter((role) => role !== 'state')),
  fragment: new Set([...QUERY_ROLES, ...TOKEN_ROLES].filter((role) => role !== 'state')),
};

/** RFC 6749 §5.2: the six token-endpoint codes have their own class; any other code is an OAuthError. */
const GRANT_ERROR_CLASSES = new Map([
  ['invalid_request', 'InvalidRequestError'],
  ['invalid_client', 'InvalidClientError'],
  ['invalid_grant', 'InvalidGrantError'],
  ['unauthorized_client', 'UnauthorizedClientError'],
  ['unsupported_grant_type', 'UnsupportedGrantTypeError'],
  ['invalid_scope', 'InvalidScopeError'],
]);

export type ExpectedError =
  | 'InvalidRequestError'
  | 'StateDecodeError'
  | 'OAuthError'
  | 'TransactionMissingError'
  | 'CsrfMismatchError'
  | 'IssuerMismatchError';

export type Expected =
  | { outcome: 'none'; href: string; consumesTransaction: false }
  /** A login popup landed here: it hands the URL to its opener and closes. */
  | { outcome: 'relayed'; href: string; consumesTransaction: false }
  | {
      outcome: 'failed';
      error: ExpectedError;
      /** For an error response: the `error` code the OAuthError must carry, and its class. */
      errorCode?: string;
      errorClass?: string;
      href: string;
      consumesTransaction: true;
    }
  | {
      outcome: 'authorized';
      via: 'code' | 'implicit';
      /** The code the one token request must carry (code flow only). */
      code?: string;
      /** The access token the app ends up with. */
      accessToken: string;
      href: string;
      consumesTransaction: true;
    };

const tryDecode = (value: string): StateObject | undefined => {
  try {
    return decodeState(value);
  } catch {
    return undefined;
  }
};

const count = (segments: Segment[], role: Role) => segments.filter((s) => s.role === role).length;
const single = (segments: Segment[], role: Role) => segments.find((s) => s.role === role)?.value;

type Response =
  | { kind: 'none' }
  | { kind: 'malformed'; parameter: string }
  | { kind: 'error'; error: string; state: string | undefined; iss: string | undefined }
  | { kind: 'code' | 'implicit'; grant: string; state: string | undefined; iss: string | undefined };

/**
 * RFC 6749 §4.1.2/§4.2.2: a response carries its grant (`code`, or `access_token` in an implicit
 * fragment) or `error`; §3.1: no parameter may be repeated; an error wins over a grant.
 */
function readResponse(segments: Segment[], grant: 'code' | 'access_token'): Response {
  if (count(segments, grant) === 0 && count(segments, 'error') === 0) return { kind: 'none' };
  for (const parameter of ['error', grant, 'state', 'iss'] as const) {
    if (count(segments, parameter) > 1) return { kind: 'malformed', parameter };
  }
  const state = single(segments, 'state');
  const iss = single(segments, 'iss');
  const error = single(segments, 'error');
  if (error !== undefined) {
    return error === '' ? { kind: 'malformed', parameter: 'error' } : { kind: 'error', error, state, iss };
  }
  const value = single(segments, grant) ?? '';
  if (value === '') return { kind: 'malformed', parameter: grant };
  return { kind: grant === 'code' ? 'code' : 'implicit', grant: value, state, iss };
}

/** The response the page URL holds: the query's, else (opted-in implicit grant) the fragment's. */
function responseOf(testCase: CallbackCase): Response {
  const query = readResponse(testCase.query ?? [], 'code');
  if (query.kind !== 'none' || !testCase.implicitGrant) return query;
  return readResponse(testCase.fragment ?? [], 'access_token');
}

/** A fragment the implicit grant would read as a response (it has `access_token` or `error`). */
const isImplicitLooking = (segments: Segment[] | undefined): segments is Segment[] =>
  segments !== undefined && (count(segments, 'access_token') > 0 || count(segments, 'error') > 0);

/**
 * One segment after cleaning (RFC 9700 §4.2.4: the code must leave the address bar): response
 * parameters go; `state` keeps only the app's keys, re-encoded, or goes when none are left or it
 * cannot be decoded (then it was never the app's); everything else stays byte for byte.
 */
function cleanSegment(part: Part, segment: Segment): string | undefined {
  if (REMOVED[part].has(segment.role)) return undefined;
  if (segment.role !== 'state') return segment.raw;
  const decoded = tryDecode(segment.value);
  if (decoded === undefined) return undefined;
  const entries = Object.entries(decoded);
  const appEntries = entries.filter(([key]) => !INTERNAL_STATE_KEYS.has(key));
  if (appEntries.length === 0) return undefined;
  if (appEntries.length === entries.length) return segment.raw;
  const rawKey = segment.raw.slice(0, segment.raw.indexOf('='));
  return `${rawKey}=${encodeState(Object.fromEntries(appEntries))}`;
}

/** A cleaned query or fragment (without `?`/`#`), or `undefined` when nothing is left of it. */
function cleanPart(part: Part, segments: Segment[]): string | undefined {
  const cleaned = segments.map((segment) => cleanSegment(part, segment));
  const changed = cleaned.some((raw, index) => raw !== segments[index]?.raw);
  if (!changed) return segments.map((segment) => segment.raw).join('&');
  // Empty segments left between removed parameters would only leave stray `&`s.
  const kept = cleaned.filter((raw): raw is string => raw !== undefined && raw !== '');
  return kept.length === 0 ? undefined : kept.join('&');
}

/** The page URL once cleaned; the fragment only for an opted-in implicit grant (else it is the app's). */
function cleanedHref(testCase: CallbackCase): string {
  const query = testCase.query === undefined ? undefined : cleanPart('query', testCase.query);
  let fragment = testCase.fragment === undefined ? undefined : testCase.fragment.map((s) => s.raw).join('&');
  if (testCase.implicitGrant && isImplicitLooking(testCase.fragment)) {
    fragment = cleanPart('fragment', testCase.fragment);
  }
  return `${APP_ORIGIN}${testCase.path}${query === undefined ? '' : `?${query}`}${
    fragment === undefined ? '' : `#${fragment}`
  }`;
}

/**
 * RFC 9207 §2.4: with a known issuer, `iss` must name it exactly; a missing `iss` is acceptable
 * only when the server never promised one. Without an issuer there is nothing to compare with.
 */
function issuerMatches(testCase: CallbackCase, iss: string | undefined): boolean {
  if (testCase.server === 'endpoints') return true;
  if (iss === undefined) return testCase.server !== 'issuerAdvertisingIss';
  return iss === AS;
}

/** What must happen when the page is loaded at `testCase`'s URL (SPEC §3, redirect). */
export function expectedFor(testCase: CallbackCase, href: string): Expected {
  const response = responseOf(testCase);
  if (response.kind === 'none') return { outcome: 'none', href, consumesTransaction: false };
  const cleaned = cleanedHref(testCase);
  if (response.kind === 'malformed') {
    const error = response.parameter === 'state' ? 'StateDecodeError' : 'InvalidRequestError';
    return { outcome: 'failed', error, href: cleaned, consumesTransaction: true };
  }
  const state = response.state === undefined ? undefined : tryDecode(response.state);
  if (typeof state?.authcharts_popup === 'string') {
    // The popup only relays: its opener holds the transaction. It cleans its URL (it may fail to
    // close: a tab the user opened by hand) and closes.
    return { outcome: 'relayed', href: cleaned, consumesTransaction: false };
  }
  const failed = (error: ExpectedError, errorCode?: string): Expected => ({
    outcome: 'failed',
    error,
    ...(errorCode === undefined
      ? {}
      : { errorCode, errorClass: GRANT_ERROR_CLASSES.get(errorCode) ?? 'OAuthError' }),
    href: cleaned,
    consumesTransaction: true,
  });
  if (response.kind === 'error') return failed('OAuthError', response.error);
  if (response.state !== undefined && state === undefined) return failed('StateDecodeError');
  // Fail closed: no stored CSRF token (or, for a code, no verifier), no exchange.
  const { csrf, verifier } = testCase.stored;
  if (!csrf || (response.kind === 'code' && !verifier)) return failed('TransactionMissingError');
  if (state?.csrf_token !== csrf) return failed('CsrfMismatchError');
  if (!issuerMatches(testCase, response.iss)) return failed('IssuerMismatchError');
  if (response.kind === 'implicit') {
    return {
      outcome: 'authorized',
      via: 'implicit',
      accessToken: response.grant,
      href: cleaned,
      consumesTransaction: true,
    };
  }
  return {
    outcome: 'authorized',
    via: 'code',
    code: response.grant,
    accessToken: TOKEN_RESPONSE.access_token,
    href: cleaned,
    consumesTransaction: true,
  };
}

/** What the fake token endpoint answers to every code exchange. */
export const TOKEN_RESPONSE = {
  access_token: 'AT-S3cret-code',
  token_type: 'Bearer',
  expires_in: 3600,
  refresh_token: 'RT-S3cret-code',
} as const;
