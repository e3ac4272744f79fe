/**
 * Error classes for authcharts.
 *
 * Two families that never overlap:
 * - {@link OAuthError} and its subclasses describe an error the authorization server reported
 *   (RFC 6749 §4.1.2.1 for authorization responses, §5.2 for token responses). They mirror the Webex
 *   core `grant-errors` module so code written against the Webex SDK keeps working.
 * - {@link AuthchartsError} and its subclasses describe a failure detected by this library (CSRF,
 *   missing transaction, popup problems, bad configuration). They are deliberately not
 *   `instanceof OAuthError`: Webex's `Credentials.refresh` wipes tokens on any `OAuthError`, and a
 *   local failure must never be mistaken for the server revoking a grant.
 *
 * Every class sets `name` to an explicit string literal rather than `constructor.name`, because
 * minifiers rename classes. No message is ever built from a token, code, verifier, CSRF token or
 * `state` value, so errors can be logged and reported without leaking credentials.
 *
 * @module
 */

/**
 * The error fields of an OAuth 2.0 error response (RFC 6749 §4.1.2.1 and §5.2), with the wire names.
 */
export interface OAuthErrorBody {
  /** The error code, e.g. `invalid_grant` or `access_denied`. */
  error?: string;
  /** Human-readable text from the server. */
  error_description?: string;
  /** A page describing the error. */
  error_uri?: string;
}

/**
 * Anything an {@link OAuthError} can be built from: an error body, an object whose `body` is one (a
 * parsed HTTP response, as in Webex), the query of a redirect callback, or an arbitrary record.
 */
export type OAuthErrorInput =
  | OAuthErrorBody
  | {
      /** The parsed body of an HTTP error response, as Webex passes it. */
      body: OAuthErrorBody;
    }
  | URLSearchParams
  | Record<string, unknown>;

/** Options accepted by every error class, forwarded to the standard `Error` constructor. */
export interface ErrorCauseOptions {
  /** The underlying error (`Error.cause`); never one that carries a secret in its message. */
  cause?: unknown;
}

/** A constructor for {@link OAuthError} or one of its subclasses, as returned by {@link grantErrors}. */
export type OAuthErrorClass = new (input?: OAuthErrorInput, options?: ErrorCauseOptions) => OAuthError;

const DEFAULT_OAUTH_MESSAGE = 'An error occurred';

function isObjectLike(value: unknown): value is object {
  return (typeof value === 'object' && value !== null) || typeof value === 'function';
}

function isSearchParams(value: object): value is URLSearchParams {
  // By tag rather than `instanceof`, so a URLSearchParams from another realm (an iframe, or jsdom
  // vs Node) is recognised too.
  return Object.prototype.toString.call(value) === '[object URLSearchParams]';
}

function readStringField(source: object, key: keyof OAuthErrorBody): string | undefined {
  // Getters or proxies may throw: an error about an error must never throw a second time.
  try {
    const value = isSearchParams(source) ? source.get(key) : (source as Record<string, unknown>)[key];
    return typeof value === 'string' ? value : undefined;
  } catch {
    return undefined;
  }
}

function selectBodySource(input: unknown): object | undefined {
  try {
    if (!isObjectLike(input)) return undefined;
    // A URLSearchParams has no `body` property, so it is its own source.
    const body = (input as Record<string, unknown>).body;
    return isObjectLike(body) ? body : input;
  } catch {
    return undefined;
  }
}

/**
 * Copies the RFC 6749 error fields out of any input, keeping only string values. Copying (rather than
 * keeping a reference, as Webex does) means a null-prototype query object, a `Response`-like wrapper
 * or a hostile proxy can neither throw here nor be stringified into the message.
 */
function readOAuthErrorBody(input: unknown): OAuthErrorBody {
  const source = selectBodySource(input);
  if (source === undefined) return {};
  const body: OAuthErrorBody = {};
  const error = readStringField(source, 'error');
  const description = readStringField(source, 'error_description');
  const uri = readStringField(source, 'error_uri');
  if (error !== undefined) body.error = error;
  if (description !== undefined) body.error_description = description;
  if (uri !== undefined) body.error_uri = uri;
  return body;
}

/**
 * An error reported by the authorization server, in the shape of RFC 6749 §4.1.2.1 (authorization
 * response) and §5.2 (token response).
 *
 * The constructor accepts the error body itself, an object whose `body` is the error body (a parsed
 * HTTP response), or the `URLSearchParams` of a redirect callback. Only string fields are read, so
 * any input is accepted without throwing. `message` is the server's `error_description`, or
 * 'An error occurred' when there is none, matching Webex.
 */
export class OAuthError extends Error {
  /**
   * The class name as a string literal (`'OAuthError'`, `'InvalidGrantError'` …), safe to compare
   * after minification, which renames classes.
   */
  override readonly name: string = 'OAuthError';
  /** The RFC 6749 `error` code, e.g. `invalid_grant` or `access_denied`. */
  readonly error: string | undefined;
  /** The RFC 6749 `error_description`: human-readable text from the server. */
  readonly errorDescription: string | undefined;
  /** The RFC 6749 `error_uri`: a page describing the error. */
  readonly errorUri: string | undefined;

  constructor(input?: OAuthErrorInput, options?: ErrorCauseOptions) {
    const body = readOAuthErrorBody(input);
    super(body.error_description || DEFAULT_OAUTH_MESSAGE, options);
    this.error = body.error;
    this.errorDescription = body.error_description;
    this.errorUri = body.error_uri;
  }
}

/** RFC 6749 `invalid_request`: the request is missing a parameter, repeats one, or is malformed. */
export class InvalidRequestError extends OAuthError {
  override readonly name = 'InvalidRequestError';
}

/** RFC 6749 `invalid_client`: client authentication failed (unknown client, wrong secret). */
export class InvalidClientError extends OAuthError {
  override readonly name = 'InvalidClientError';
}

/**
 * RFC 6749 `invalid_grant`: the code or refresh token is invalid, expired, revoked, or was issued to
 * another client or redirect URI. For a refresh this means the user has to log in again.
 */
export class InvalidGrantError extends OAuthError {
  override readonly name = 'InvalidGrantError';
}

/** RFC 6749 `unauthorized_client`: the client may not use this grant type. */
export class UnauthorizedClientError extends OAuthError {
  override readonly name = 'UnauthorizedClientError';
}

/** RFC 6749 `unsupported_grant_type`: the server does not support this grant type. */
export class UnsupportedGrantTypeError extends OAuthError {
  override readonly name = 'UnsupportedGrantTypeError';
}

/**
 * Webex's spelling of {@link UnsupportedGrantTypeError} (without "ed"), kept so code that imports the
 * Webex name keeps compiling. It is the same class, so `instanceof` works with either name.
 */
export const UnsupportGrantTypeError = UnsupportedGrantTypeError;

/** RFC 6749 `invalid_scope`: the requested scope is invalid, unknown or exceeds what was granted. */
export class InvalidScopeError extends OAuthError {
  override readonly name = 'InvalidScopeError';
}

// A Map rather than an object literal: lookups can never reach Object.prototype ('toString',
// 'constructor', '__proto__'), which is how Webex's `select` returned non-constructors.
const classByCode: ReadonlyMap<string, OAuthErrorClass> = new Map<string, OAuthErrorClass>([
  ['invalid_request', InvalidRequestError],
  ['invalid_client', InvalidClientError],
  ['invalid_grant', InvalidGrantError],
  ['unauthorized_client', UnauthorizedClientError],
  ['unsupported_grant_type', UnsupportedGrantTypeError],
  ['invalid_scope', InvalidScopeError],
]);

/**
 * Picks the error class for an RFC 6749 §5.2 `error` code.
 *
 * Only the six token-endpoint codes have their own class; every other value (other registered codes
 * such as `access_denied`, class names, inherited property names such as `toString`, non-strings)
 * gives {@link OAuthError}, so the result is always a constructor.
 */
function select(code: unknown): OAuthErrorClass {
  // A lookup by identity: a non-string finds nothing.
  return classByCode.get(code as string) ?? OAuthError;
}

/**
 * The Webex-compatible `grantErrors` namespace: the classes under their names, the six RFC 6749 §5.2
 * codes mapped to their classes, and `select`.
 */
export const grantErrors = Object.freeze({
  /** {@link OAuthError} */
  OAuthError,
  /** {@link InvalidRequestError} */
  InvalidRequestError,
  /** {@link InvalidClientError} */
  InvalidClientError,
  /** {@link InvalidGrantError} */
  InvalidGrantError,
  /** {@link UnauthorizedClientError} */
  UnauthorizedClientError,
  /** {@link UnsupportedGrantTypeError} */
  UnsupportedGrantTypeError,
  /** {@link UnsupportGrantTypeError}: Webex's spelling of the same class. */
  UnsupportGrantTypeError,
  /** {@link InvalidScopeError} */
  InvalidScopeError,
  /** RFC 6749 §5.2 `invalid_request` → {@link InvalidRequestError}. */
  invalid_request: InvalidRequestError,
  /** RFC 6749 §5.2 `invalid_client` → {@link InvalidClientError}. */
  invalid_client: InvalidClientError,
  /** RFC 6749 §5.2 `invalid_grant` → {@link InvalidGrantError}. */
  invalid_grant: InvalidGrantError,
  /** RFC 6749 §5.2 `unauthorized_client` → {@link UnauthorizedClientError}. */
  unauthorized_client: UnauthorizedClientError,
  /** RFC 6749 §5.2 `unsupported_grant_type` → {@link UnsupportedGrantTypeError}. */
  unsupported_grant_type: UnsupportedGrantTypeError,
  /** RFC 6749 §5.2 `invalid_scope` → {@link InvalidScopeError}. */
  invalid_scope: InvalidScopeError,
  /**
   * The class for an `error` code: one of the six above, else {@link OAuthError} (also for
   * class names, `toString` and non-strings), so the result is always a constructor.
   */
  select,
});

/**
 * Base class of every failure detected by authcharts itself (as opposed to one reported by the
 * authorization server). `code` is a stable, machine-readable identifier to branch on; messages are
 * for humans and may change.
 */
export abstract class AuthchartsError extends Error {
  /**
   * The class name as a string literal (`'CsrfMismatchError'` …), safe to compare after
   * minification, which renames classes.
   */
  override readonly name: string = 'AuthchartsError';
  /** A stable identifier for the failure, e.g. `csrf_mismatch`. */
  abstract readonly code: string;
}

/**
 * The CSRF token carried in the callback's `state` does not match the one stored when the login
 * started (RFC 6749 §10.12, RFC 9700 §2.1). The code is not exchanged: this may be a login-CSRF or
 * code-injection attempt.
 */
export class CsrfMismatchError extends AuthchartsError {
  override readonly name = 'CsrfMismatchError';
  readonly code = 'csrf_mismatch';

  constructor(options?: ErrorCauseOptions) {
    super(
      'The state returned by the authorization server does not match this login (CSRF check failed)',
      options,
    );
  }
}

/**
 * A callback arrived but no login transaction (CSRF token and PKCE verifier) was stored in this tab,
 * e.g. a link opened in a new tab or a crafted URL. authcharts fails closed here, unlike Webex, which
 * skipped the CSRF check and exchanged the code anyway.
 */
export class TransactionMissingError extends AuthchartsError {
  override readonly name = 'TransactionMissingError';
  readonly code = 'transaction_missing';

  constructor(options?: ErrorCauseOptions) {
    super('No login is pending in this browser tab, so the authorization response was not accepted', options);
  }
}

/** Why a `state` value could not be decoded; see {@link StateDecodeError}. */
export type StateDecodeReason = 'not_base64url' | 'not_utf8' | 'not_json' | 'not_object';

const STATE_DECODE_MESSAGES: Readonly<Record<StateDecodeReason, string>> = {
  not_base64url: 'The OAuth state parameter is not valid base64url',
  not_utf8: 'The OAuth state parameter is not valid UTF-8',
  not_json: 'The OAuth state parameter is not valid JSON',
  not_object: 'The OAuth state parameter is not a JSON object',
};

/**
 * The callback's `state` is not base64url-encoded UTF-8 JSON describing an object. The message names
 * the failing step but never includes the value, which carries the CSRF token.
 */
export class StateDecodeError extends AuthchartsError {
  override readonly name = 'StateDecodeError';
  readonly code = 'state_decode';
  /** Which decoding step failed, when known. */
  readonly reason: StateDecodeReason | undefined;

  constructor(options?: ErrorCauseOptions & { reason?: StateDecodeReason }) {
    const reason = options?.reason;
    super(
      reason === undefined ? 'The OAuth state parameter could not be decoded' : STATE_DECODE_MESSAGES[reason],
      options?.cause === undefined ? undefined : { cause: options.cause },
    );
    this.reason = reason;
  }
}

/**
 * The callback's `iss` parameter is missing or names a different issuer than the one the login was
 * started with (RFC 9207 §2.4). This is the defence against authorization-server mix-up attacks.
 */
export class IssuerMismatchError extends AuthchartsError {
  override readonly name = 'IssuerMismatchError';
  readonly code = 'issuer_mismatch';

  constructor(options?: ErrorCauseOptions) {
    super('The authorization response does not come from the expected issuer (RFC 9207)', options);
  }
}

/** `window.open` returned `null`: the browser blocked the login popup. */
export class PopupBlockedError extends AuthchartsError {
  override readonly name = 'PopupBlockedError';
  readonly code = 'popup_blocked';

  constructor(options?: ErrorCauseOptions) {
    super('The login popup was blocked by the browser', options);
  }
}

/** The user closed the login popup before it delivered an authorization response. */
export class PopupClosedError extends AuthchartsError {
  override readonly name = 'PopupClosedError';
  readonly code = 'popup_closed';

  constructor(options?: ErrorCauseOptions) {
    super('The login popup was closed before the login completed', options);
  }
}

/** The login popup did not deliver an authorization response within the configured timeout. */
export class PopupTimeoutError extends AuthchartsError {
  override readonly name = 'PopupTimeoutError';
  readonly code = 'popup_timeout';

  constructor(options?: ErrorCauseOptions) {
    super('The login popup did not complete in time', options);
  }
}

/**
 * An interactive login (redirect, popup or device flow) is already running. Refusing a second one
 * avoids two transactions overwriting each other's CSRF token and PKCE verifier.
 */
export class InteractionInProgressError extends AuthchartsError {
  override readonly name = 'InteractionInProgressError';
  readonly code = 'interaction_in_progress';

  constructor(options?: ErrorCauseOptions) {
    super('Another login is already in progress', options);
  }
}

/**
 * A configuration value is missing or invalid. Thrown when the library is set up, so mistakes surface
 * before any user interaction. `reason` must describe the problem, never echo a secret value.
 */
export class ConfigError extends AuthchartsError {
  override readonly name = 'ConfigError';
  readonly code = 'invalid_config';
  /** The configuration field at fault, e.g. `client_id`. */
  readonly field: string;

  constructor(field: string, reason: string, options?: ErrorCauseOptions) {
    super(`Invalid config "${field}": ${reason}`, options);
    this.field = field;
  }
}

/**
 * An option passed to a method call is invalid (e.g. a non-object `state` for `initiateLogin`).
 * `reason` must describe the problem, never echo a secret value.
 */
export class InvalidOptionError extends AuthchartsError {
  override readonly name = 'InvalidOptionError';
  readonly code = 'invalid_option';
  /** The option at fault, e.g. `state`. */
  readonly option: string;

  constructor(option: string, reason: string, options?: ErrorCauseOptions) {
    super(`Invalid option "${option}": ${reason}`, options);
    this.option = option;
  }
}

/**
 * The authorization server answered in a way the protocol does not allow (no `access_token`,
 * a body that is not JSON, an unexpected status without an OAuth error body). The message comes
 * from the protocol check, never from the body, which may hold tokens.
 */
export class ProtocolError extends AuthchartsError {
  override readonly name = 'ProtocolError';
  readonly code = 'protocol_error';
  /** The HTTP status of the offending response, when there was one. */
  readonly status: number | undefined;

  constructor(message: string, status?: number, options?: ErrorCauseOptions) {
    super(message, options);
    this.status = status;
  }
}

/**
 * The request never got an answer: offline, DNS, TLS, CORS or a reset connection. Transient by
 * nature: callers retry, and a session never logs the user out because of one.
 */
export class NetworkError extends AuthchartsError {
  // Widened to `string` so that RequestTimeoutError can name itself (as OAuthError does for its subclasses).
  override readonly name: string = 'NetworkError';
  readonly code: string = 'network_error';

  constructor(options?: ErrorCauseOptions) {
    super('The authorization server could not be reached', options);
  }
}

/**
 * The authorization server did not answer (status, headers and body) within `requestTimeout`
 * milliseconds, so the request was aborted. A {@link NetworkError}: transient, so device polling
 * backs off and retries and a session keeps its token and retries later. The message names only
 * the limit, never the URL, whose query or body may carry a code or token.
 */
export class RequestTimeoutError extends NetworkError {
  override readonly name = 'RequestTimeoutError';
  override readonly code = 'request_timeout';
  /** The limit that was exceeded, in milliseconds. */
  readonly timeoutMs: number;

  constructor(timeoutMs: number, options?: ErrorCauseOptions) {
    super(options);
    this.message = `The authorization server did not answer within ${timeoutMs} ms`;
    this.timeoutMs = timeoutMs;
  }
}
