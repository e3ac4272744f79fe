/**
 * The model of the session machine that its suites replay: the configs (scenarios), the events the
 * store, the other tabs and the app send, the payload cases of every actor outcome, the bounded vertex
 * key, the loops the graph folds away, and the generated paths. The stand-in suite
 * (session.model.test.ts) checks an oracle on them; the real-actor suite (session.real.test.ts) replays
 * the same paths on the real actors.
 */
import type { EventObject, SnapshotFrom } from 'xstate';
import type { RefreshResult } from '../../actors/session.js';
import { type SessionEvent, type SessionInput, sessionMachine } from '../../machines/session.js';
import type { ResolvedConfig } from '../../src/config.js';
import {
  InvalidClientError,
  InvalidGrantError,
  InvalidRequestError,
  InvalidScopeError,
  NetworkError,
  OAuthError,
  ProtocolError,
  UnauthorizedClientError,
  UnsupportedGrantTypeError,
} from '../../src/errors.js';
import {
  afterEvent,
  createEventCases,
  doneEvent,
  errorEvent,
  generatePaths,
  type ModelPath,
} from '../../src/testing/index.js';
import type { Token } from '../../src/token.js';
import {
  APP,
  CONFIG,
  expiredAtLoad,
  REFRESH_CALLBACK_CONFIG,
  SESSION_TOKENS,
  sequencePaths,
} from './support.js';

export type SessionSnapshot = SnapshotFrom<typeof sessionMachine>;
export type SessionPath = ModelPath<typeof sessionMachine>;

export const T = SESSION_TOKENS;

export interface Scenario {
  name: string;
  config: ResolvedConfig;
}

export const SCENARIOS: readonly Scenario[] = [
  { name: 'refresh_token grant', config: CONFIG },
  { name: 'refreshCallback', config: REFRESH_CALLBACK_CONFIG },
];

// The events: what the store read, the tab-sync actor and the root (facade) send the session.
export const loaded = (token: Token | undefined): SessionEvent => ({ type: 'STORE.LOADED', token });
export const received = (token: Token): SessionEvent => ({ type: 'TOKEN.RECEIVED', token });
export const remoteToken = (token: Token): SessionEvent => ({ type: 'REMOTE.TOKEN', token });
export const REMOTE_LOGOUT: SessionEvent = { type: 'REMOTE.LOGOUT' };
export const WAKE: SessionEvent = { type: 'WAKE' };
export const REFRESH: SessionEvent = { type: 'REFRESH' };
/** `logout()`, `logout({ returnTo })`, `logout({ noRedirect: true })`. */
export const LOGOUTS: readonly SessionEvent[] = [
  { type: 'LOGOUT', noRedirect: false },
  { type: 'LOGOUT', noRedirect: false, returnTo: `${APP}/goodbye` },
  { type: 'LOGOUT', noRedirect: true },
];
const [LOGOUT, LOGOUT_RETURN_TO, LOGOUT_STAY] = LOGOUTS as [SessionEvent, SessionEvent, SessionEvent];

/** What the store may hold at start: nothing, or a token of each kind. */
export const STORED: readonly SessionEvent[] = [
  loaded(undefined),
  loaded(T.hour),
  loaded(T.expired),
  loaded(T.far),
  loaded(T.noExpiry),
  loaded(T.bare),
  loaded(T.bareNoExpiry),
];
/** The tokens a login hands over. */
export const LOGINS: readonly SessionEvent[] = [
  received(T.hour),
  received(T.expired),
  received(T.noExpiry),
  received(T.bare),
];
/** What other tabs announce. */
export const REMOTE_TOKENS: readonly SessionEvent[] = [remoteToken(T.otherTab), remoteToken(T.expired)];

export const REFRESHED: RefreshResult = { token: T.refreshed, refreshed: true };
/** Another tab refreshed first: its token, read from the shared store, no request made here. */
export const FROM_OTHER_TAB: RefreshResult = { token: T.otherTab, refreshed: false };
/** A refresh whose answer has no `expires_in`: nothing to refresh ahead of any more. */
export const REFRESHED_NO_EXPIRY: RefreshResult = { token: T.noExpiry, refreshed: true };

export const INVALID_GRANT = new InvalidGrantError({
  error: 'invalid_grant',
  error_description: 'The refresh token was revoked',
});
export const INVALID_CLIENT = new InvalidClientError({ error: 'invalid_client' });
/** The other four RFC 6749 §5.2 refusals, each tried once (in {@link LOOPS}). */
export const INVALID_REQUEST = new InvalidRequestError({ error: 'invalid_request' });
export const UNAUTHORIZED_CLIENT = new UnauthorizedClientError({ error: 'unauthorized_client' });
export const UNSUPPORTED_GRANT_TYPE = new UnsupportedGrantTypeError({ error: 'unsupported_grant_type' });
export const INVALID_SCOPE = new InvalidScopeError({
  error: 'invalid_scope',
  error_description: 'Scope gone',
});
/** An OAuth error body with no §5.2 code (a 429 or 5xx with a JSON body): transient, not a refusal. */
export const TEMPORARILY_UNAVAILABLE = new OAuthError({ error: 'temporarily_unavailable' });
export const RATE_LIMITED = new OAuthError({ error: 'rate_limited', error_description: 'Slow down' });
export const OFFLINE = new NetworkError();
export const UNAVAILABLE = new ProtocolError('The token endpoint is unavailable', 503);
export const BAD_CALLBACK = new ProtocolError(
  'refreshCallback() must resolve to an object with an access_token',
);
export const NOT_AN_ERROR = 'a rejection that is no Error';

export const events = createEventCases<SessionSnapshot>({
  // Every event may arrive in every state (a callback actor or the app sends it whenever); the
  // store answers once, while it is being read.
  discover: false,
  user: (snapshot) => [
    ...(snapshot.matches('loading') ? STORED : []),
    ...LOGINS,
    ...REMOTE_TOKENS,
    REMOTE_LOGOUT,
    WAKE,
    REFRESH,
    ...LOGOUTS,
  ],
  done: {
    refreshToken: [REFRESHED, FROM_OTHER_TAB, REFRESHED_NO_EXPIRY],
    revokeAndClear: [undefined],
    navigateToEndSession: [undefined],
  },
  errors: {
    refreshToken: [
      INVALID_GRANT,
      INVALID_CLIENT,
      TEMPORARILY_UNAVAILABLE,
      OFFLINE,
      UNAVAILABLE,
      BAD_CALLBACK,
      NOT_AN_ERROR,
    ],
    revokeAndClear: [new TypeError('The token store could not be cleared'), NOT_AN_ERROR],
    navigateToEndSession: [new TypeError('The discovery document could not be read')],
  },
});

/** The kind of token, as the machine tells them apart: expiry ahead / past / none, refresh token or not. */
export const tokenKind = (token: Token | undefined): string => {
  if (token === undefined) return '-';
  const expiry = token.expires === undefined ? 'none' : expiredAtLoad(token) ? 'past' : 'ahead';
  return `${expiry}${token.refresh_token ? '+rt' : ''}`;
};

export const serializeState = (snapshot: SessionSnapshot): string => {
  const head = `${JSON.stringify(snapshot.value)} ${snapshot.status}`;
  const { token, failures, logout } = snapshot.context;
  if (snapshot.matches('authenticated')) {
    return `${head} token=${tokenKind(token)} failures=${Math.min(failures, 2)}`;
  }
  if (snapshot.matches('loggingOut')) {
    // With a token to revoke (from authenticated) or none (from unauthenticated, reauthRequired).
    return `${head} noRedirect=${logout?.noRedirect} returnTo=${logout?.returnTo !== undefined} token=${token !== undefined}`;
  }
  if (snapshot.matches('leaving')) {
    return `${head} noRedirect=${logout?.noRedirect} returnTo=${logout?.returnTo !== undefined}`;
  }
  return head;
};

export const due = afterEvent('refreshDue', 'session.authenticated.waiting');
export const backoff = afterEvent('refreshBackoff', 'session.authenticated.retrying');
export const refreshDone = (result: RefreshResult): EventObject => doneEvent('refreshToken', result);
export const refreshError = (error: unknown): EventObject => errorEvent('refreshToken', error);
export const revoked = doneEvent('revokeAndClear', undefined);
export const navigated = doneEvent('navigateToEndSession', undefined);

/** The loops and runs the graph folds into one vertex, each from the start. */
export const LOOPS: readonly (readonly EventObject[])[] = [
  // Failures in a row: 1 s, 2 s, 4 s … then a minute at most; a success resets the count.
  [
    loaded(T.hour),
    due,
    ...[
      OFFLINE,
      UNAVAILABLE,
      NOT_AN_ERROR,
      TEMPORARILY_UNAVAILABLE,
      BAD_CALLBACK,
      RATE_LIMITED,
      UNAVAILABLE,
      OFFLINE,
    ].flatMap((error) => [refreshError(error), backoff]),
    refreshDone(REFRESHED),
    due,
    refreshError(OFFLINE),
    backoff,
    refreshDone(FROM_OTHER_TAB),
  ],
  // Retries brought forward by the app (REFRESH) and by the page waking up; then invalid_grant.
  [
    received(T.hour),
    REFRESH,
    refreshError(OFFLINE),
    WAKE,
    refreshError(NOT_AN_ERROR),
    REFRESH,
    refreshError(UNAVAILABLE),
    backoff,
    refreshDone(REFRESHED),
    WAKE,
    REFRESH,
    REFRESH,
    refreshError(INVALID_GRANT),
    WAKE,
    REFRESH,
    received(T.expired),
    WAKE,
    refreshDone(FROM_OTHER_TAB),
    WAKE,
    due,
    refreshDone(REFRESHED),
  ],
  // A stored token that expired while the page was closed: due at once, then refresh after refresh.
  [
    loaded(T.expired),
    WAKE,
    refreshDone(REFRESHED),
    due,
    refreshDone(REFRESHED),
    due,
    refreshDone(FROM_OTHER_TAB),
    LOGOUT_RETURN_TO,
    revoked,
    navigated,
    received(T.hour),
  ],
  // A refresh abandoned (and aborted) for a new login, another tab's token, a logout.
  [
    loaded(T.hour),
    REFRESH,
    remoteToken(T.otherTab),
    due,
    received(T.hour),
    REFRESH,
    REMOTE_LOGOUT,
    remoteToken(T.expired),
    due,
    LOGOUT_STAY,
    errorEvent('revokeAndClear', new TypeError('The token store could not be cleared')),
    received(T.noExpiry),
    REFRESH,
    refreshError(OFFLINE),
    LOGOUT,
    revoked,
    errorEvent('navigateToEndSession', new TypeError('The discovery document could not be read')),
  ],
  // A token that lasts beyond what setTimeout can wait, stored, logged in and announced.
  [loaded(T.far), WAKE, REFRESH, refreshDone(REFRESHED)],
  [
    loaded(undefined),
    received(T.far),
    remoteToken(T.far),
    REFRESH,
    refreshDone(REFRESHED_NO_EXPIRY),
    REFRESH,
  ],
  // reauthRequired ignores another tab's logout, then a login or another tab's token starts again;
  // each of the six RFC 6749 §5.2 refusals ends the session, an unknown OAuth code does not.
  [
    loaded(T.hour),
    due,
    refreshError(INVALID_GRANT),
    REMOTE_LOGOUT,
    WAKE,
    REFRESH,
    remoteToken(T.otherTab),
    due,
    refreshError(INVALID_CLIENT),
    received(T.hour),
    due,
    refreshError(RATE_LIMITED),
    backoff,
    refreshError(INVALID_REQUEST),
    received(T.hour),
    REFRESH,
    refreshError(UNAUTHORIZED_CLIENT),
    remoteToken(T.expired),
    WAKE,
    refreshError(UNSUPPORTED_GRANT_TYPE),
    received(T.expired),
    WAKE,
    refreshError(INVALID_SCOPE),
    received(T.hour),
    due,
    refreshDone(REFRESHED),
  ],
  // A logout with no token here (after a refused refresh, after a logout): the store is still
  // cleared and the identity provider's session still ended.
  [
    loaded(T.hour),
    due,
    refreshError(INVALID_GRANT),
    LOGOUT_RETURN_TO,
    revoked,
    navigated,
    LOGOUT_STAY,
    revoked,
    LOGOUT,
    errorEvent('revokeAndClear', NOT_AN_ERROR),
    remoteToken(T.otherTab),
    REMOTE_LOGOUT,
    LOGOUT,
    revoked,
    errorEvent('navigateToEndSession', new TypeError('The discovery document could not be read')),
    received(T.hour),
  ],
  // Events that arrive while logging out or leaving change nothing.
  [
    received(T.hour),
    LOGOUT_RETURN_TO,
    received(T.expired),
    remoteToken(T.otherTab),
    REMOTE_LOGOUT,
    REFRESH,
    WAKE,
    LOGOUT,
    revoked,
    received(T.bare),
    REMOTE_LOGOUT,
    LOGOUT_STAY,
    navigated,
    received(T.expired),
    WAKE,
  ],
];

export const suites = SCENARIOS.map((scenario) => {
  const input: SessionInput = { config: scenario.config };
  return {
    scenario,
    input,
    paths: [
      ...generatePaths(sessionMachine, { events, serializeState, input, strategy: 'transitions' }),
      ...sequencePaths(sessionMachine, input, LOOPS),
    ],
  };
});
export const pathCount = suites.reduce((sum, suite) => sum + suite.paths.length, 0);
