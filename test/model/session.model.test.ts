/**
 * Model-based tests of the session machine, the supertoken's life (SPEC §3 "session", §9, §10): with
 * the refresh_token grant and with an app's `refreshCallback`, every edge of the graph (a shortest
 * path to each vertex, then each event there) plus the loops the graph folds away (failed refreshes
 * in a row up to the back-off cap, refresh after refresh, a new login or another tab's token while
 * a refresh runs, logging in again after reauthRequired or a logout). The actors (tab sync, the
 * store read, the refresh, revoke-and-clear, the end-session navigation) are settleable stand-ins:
 * `STORE.LOADED` is what the store read calls back with, `REMOTE.*` and `WAKE` what the tab-sync
 * actor calls back with. A manual clock holds the refresh and back-off timers.
 *
 * After every step an oracle written from the SPEC says where the session is, which token it holds,
 * what the `session` channel hears (exactly, and never a token), what the tab-sync actor has been
 * told, which actor runs with what input (and that an abandoned refresh is aborted), and which timer
 * is set: the proactive refresh at 60–90 % of the remaining lifetime (bounds, never the random
 * value itself), the retry back-off doubling from 1 s up to a minute.
 *
 * `failures` is a counter, so a vertex of the graph is the state value plus bounded flags: the kind
 * of token (expiry ahead, past or none; refresh token or not) and failures in a row capped at 2.
 */
import { describe, expect, it } from 'vitest';
import type { EventObject, SnapshotFrom } from 'xstate';
import type { RefreshResult } from '../../actors/session.js';
import type { TabSyncCommand } from '../../actors/tabSync.js';
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
import type { SessionEmitted, TokenData } from '../../src/events.js';
import {
  afterEvent,
  createCoverage,
  createEventCases,
  describePath,
  doneEvent,
  errorEvent,
  generatePaths,
  type Invocation,
  type ModelPath,
  replayPath,
} from '../../src/testing/index.js';
import type { Token } from '../../src/token.js';
import {
  APP,
  activeIds,
  CONFIG,
  expectFullCoverage,
  expectNoSecretIn,
  expectNoSecretInEvents,
  expiredAtLoad,
  REFRESH_CALLBACK_CONFIG,
  SESSION_TOKENS,
  sequencePaths,
  settled,
} from './support.js';

type SessionSnapshot = SnapshotFrom<typeof sessionMachine>;
type SessionPath = ModelPath<typeof sessionMachine>;

const T = SESSION_TOKENS;

interface Scenario {
  name: string;
  config: ResolvedConfig;
}

const SCENARIOS: readonly Scenario[] = [
  { name: 'refresh_token grant', config: CONFIG },
  { name: 'refreshCallback', config: REFRESH_CALLBACK_CONFIG },
];

// The events: what the store read, the tab-sync actor and the root (facade) send the session.
const loaded = (token: Token | undefined): SessionEvent => ({ type: 'STORE.LOADED', token });
const received = (token: Token): SessionEvent => ({ type: 'TOKEN.RECEIVED', token });
const remoteToken = (token: Token): SessionEvent => ({ type: 'REMOTE.TOKEN', token });
const REMOTE_LOGOUT: SessionEvent = { type: 'REMOTE.LOGOUT' };
const WAKE: SessionEvent = { type: 'WAKE' };
const REFRESH: SessionEvent = { type: 'REFRESH' };
/** `logout()`, `logout({ returnTo })`, `logout({ noRedirect: true })`. */
const LOGOUTS: readonly SessionEvent[] = [
  { type: 'LOGOUT', noRedirect: false },
  { type: 'LOGOUT', noRedirect: false, returnTo: `${APP}/goodbye` },
  { type: 'LOGOUT', noRedirect: true },
];
const [LOGOUT, LOGOUT_RETURN_TO, LOGOUT_STAY] = LOGOUTS as [SessionEvent, SessionEvent, SessionEvent];

/** What the store may hold at start: nothing, or a token of each kind. */
const STORED: readonly SessionEvent[] = [
  loaded(undefined),
  loaded(T.hour),
  loaded(T.expired),
  loaded(T.far),
  loaded(T.noExpiry),
  loaded(T.bare),
  loaded(T.bareNoExpiry),
];
/** The tokens a login hands over. */
const LOGINS: readonly SessionEvent[] = [
  received(T.hour),
  received(T.expired),
  received(T.noExpiry),
  received(T.bare),
];
/** What other tabs announce. */
const REMOTE_TOKENS: readonly SessionEvent[] = [remoteToken(T.otherTab), remoteToken(T.expired)];

const REFRESHED: RefreshResult = { token: T.refreshed, refreshed: true };
/** Another tab refreshed first: its token, read from the shared store, no request made here. */
const FROM_OTHER_TAB: RefreshResult = { token: T.otherTab, refreshed: false };
/** A refresh whose answer has no `expires_in`: nothing to refresh ahead of any more. */
const REFRESHED_NO_EXPIRY: RefreshResult = { token: T.noExpiry, refreshed: true };

const INVALID_GRANT = new InvalidGrantError({
  error: 'invalid_grant',
  error_description: 'The refresh token was revoked',
});
const INVALID_CLIENT = new InvalidClientError({ error: 'invalid_client' });
/** The other four RFC 6749 §5.2 refusals, each tried once (in {@link LOOPS}). */
const INVALID_REQUEST = new InvalidRequestError({ error: 'invalid_request' });
const UNAUTHORIZED_CLIENT = new UnauthorizedClientError({ error: 'unauthorized_client' });
const UNSUPPORTED_GRANT_TYPE = new UnsupportedGrantTypeError({ error: 'unsupported_grant_type' });
const INVALID_SCOPE = new InvalidScopeError({ error: 'invalid_scope', error_description: 'Scope gone' });
/** An OAuth error body with no §5.2 code (a 429 or 5xx with a JSON body): transient, not a refusal. */
const TEMPORARILY_UNAVAILABLE = new OAuthError({ error: 'temporarily_unavailable' });
const RATE_LIMITED = new OAuthError({ error: 'rate_limited', error_description: 'Slow down' });
const OFFLINE = new NetworkError();
const UNAVAILABLE = new ProtocolError('The token endpoint is unavailable', 503);
const BAD_CALLBACK = new ProtocolError('refreshCallback() must resolve to an object with an access_token');
const NOT_AN_ERROR = 'a rejection that is no Error';

const events = createEventCases<SessionSnapshot>({
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
const tokenKind = (token: Token | undefined): string => {
  if (token === undefined) return '-';
  const expiry = token.expires === undefined ? 'none' : expiredAtLoad(token) ? 'past' : 'ahead';
  return `${expiry}${token.refresh_token ? '+rt' : ''}`;
};

const serializeState = (snapshot: SessionSnapshot): string => {
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

const due = afterEvent('refreshDue', 'session.authenticated.waiting');
const backoff = afterEvent('refreshBackoff', 'session.authenticated.retrying');
const refreshDone = (result: RefreshResult): EventObject => doneEvent('refreshToken', result);
const refreshError = (error: unknown): EventObject => errorEvent('refreshToken', error);
const revoked = doneEvent('revokeAndClear', undefined);
const navigated = doneEvent('navigateToEndSession', undefined);

/** The loops and runs the graph folds into one vertex, each from the start. */
const LOOPS: readonly (readonly EventObject[])[] = [
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

const suites = SCENARIOS.map((scenario) => {
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
const pathCount = suites.reduce((sum, suite) => sum + suite.paths.length, 0);
const coverage = createCoverage(sessionMachine);
const inspect = coverage.inspect;
const attempted = new Set<SessionPath>();

// ---------------------------------------------------------------------------------------------
// The oracle: the SPEC's session as (where it is, what happened) → what the app and other tabs see.

type ErrorMatch = { same: Error } | { generic: string };

type Sub = 'lasting' | 'waiting' | 'refreshing' | 'retrying';
type Value =
  | 'loading'
  | 'unauthenticated'
  | 'reauthRequired'
  | 'loggingOut'
  | 'leaving'
  | { authenticated: Sub };

interface Child {
  id: string;
  src: string;
  input: unknown;
  status: Invocation['status'];
}

type Emit =
  | { eventType: 'tokenSet' | 'tokenRefreshed'; data: TokenData }
  | { eventType: 'refreshFailure' | 'reauthRequired'; error: ErrorMatch }
  | { eventType: 'logout'; data: { remote: boolean } };

interface Model {
  value: Value;
  token: Token | undefined;
  /** Failed refreshes in a row. */
  failures: number;
  /** Why the last refresh failed (retrying) or the session ended (reauthRequired). */
  error: ErrorMatch | undefined;
  /** The options of the logout in progress. */
  logout: { noRedirect: boolean; returnTo: string | undefined } | undefined;
  /** Every actor started so far, in order, with its input and how it ended. */
  children: Child[];
  /** Everything the tab-sync actor has been told, in order. */
  synced: TabSyncCommand[];
  /** This step's `session` events, exactly; errors as matchers. */
  emits: Emit[];
  /** The token a proactive refresh was scheduled for in this step. */
  scheduled: Token | undefined;
}

/** SPEC §3: refreshed ahead of time only with an expiry and something to refresh with. */
const refreshesAhead = (config: ResolvedConfig, token: Token) =>
  token.expires !== undefined && (config.hasRefreshCallback || Boolean(token.refresh_token));
const canRefresh = (config: ResolvedConfig, token: Token | undefined) =>
  config.hasRefreshCallback || Boolean(token?.refresh_token);

/** A rejection that is no Error still surfaces as an Error. */
const childError = (value: unknown): ErrorMatch =>
  value instanceof Error ? { same: value } : { generic: 'The refresh failed' };

const tokenData = (token: Token): TokenData => ({ scope: token.scope, expires: token.expires });

/** SPEC §3, §6: the six RFC 6749 §5.2 refusals of the token endpoint; nothing else (not even a plain
 * OAuthError with an unknown code, as a 429 or 5xx with a JSON body gives) asks for a new login. */
const GRANT_REFUSALS = [
  InvalidRequestError,
  InvalidClientError,
  InvalidGrantError,
  UnauthorizedClientError,
  UnsupportedGrantTypeError,
  InvalidScopeError,
] as const;
const refusesGrant = (error: ErrorMatch): boolean =>
  'same' in error && GRANT_REFUSALS.some((refusal) => error.same instanceof refusal);

const authenticated = (model: Model): Sub | undefined =>
  typeof model.value === 'object' ? model.value.authenticated : undefined;

/** The state is left: whatever it ran (but the tab-sync actor, which runs for good) is stopped. */
const leave = (model: Model): Model => ({
  ...model,
  children: model.children.map((c) =>
    c.status === 'active' && c.id !== 'tabSync' ? { ...c, status: 'stopped' } : c,
  ),
});

/** The running actor `id` answered. */
const answered = (model: Model, id: string, status: 'done' | 'error'): Model => ({
  ...model,
  children: model.children.map((c) => (c.status === 'active' && c.id === id ? { ...c, status } : c)),
});

const start = (model: Model, id: string, input: unknown): Model => ({
  ...model,
  children: [...model.children, { id, src: id, input, status: 'active' }],
});

/** Holding `token`: wait for the refresh deadline, or last as it is. */
function authenticate(config: ResolvedConfig, model: Model, token: Token): Model {
  const ahead = refreshesAhead(config, token);
  return {
    ...model,
    token,
    value: { authenticated: ahead ? 'waiting' : 'lasting' },
    scheduled: ahead ? token : undefined,
  };
}

const refresh = (config: ResolvedConfig, model: Model): Model =>
  start({ ...model, value: { authenticated: 'refreshing' } }, 'refreshToken', { config, token: model.token });

/** The session is over here: the token forgotten, the failure count reset. */
const forget = (model: Model, value: Value): Model => ({ ...model, value, token: undefined, failures: 0 });

function initial(config: ResolvedConfig): Model {
  return {
    value: 'loading',
    token: undefined,
    failures: 0,
    error: undefined,
    logout: undefined,
    children: [
      { id: 'tabSync', src: 'tabSync', input: { config }, status: 'active' },
      { id: 'loadStoredToken', src: 'loadStoredToken', input: undefined, status: 'active' },
    ],
    synced: [],
    emits: [],
    scheduled: undefined,
  };
}

function next(config: ResolvedConfig, previous: Model, event: EventObject): Model {
  const model: Model = { ...previous, emits: [], scheduled: undefined };
  const sub = authenticated(model);
  const answer = settled(event);
  const e = event as SessionEvent;

  if (model.value === 'loading' && e.type === 'STORE.LOADED') {
    // A stored token is taken silently: it is no news to the app or to the other tabs.
    const left = leave(model);
    return e.token ? authenticate(config, left, e.token) : { ...left, value: 'unauthenticated' };
  }
  if (
    e.type === 'TOKEN.RECEIVED' &&
    (sub || ['loading', 'unauthenticated', 'reauthRequired'].includes(model.value as string))
  ) {
    // A login: the new token wins (over a store still being read, over a refresh in flight), is
    // stored and broadcast, then announced without the token itself.
    const stored = leave({
      ...model,
      failures: 0,
      synced: [...model.synced, { type: 'SYNC.TOKEN', token: e.token }],
    });
    return authenticate(
      config,
      { ...stored, emits: [{ eventType: 'tokenSet', data: tokenData(e.token) }] },
      e.token,
    );
  }
  if (
    e.type === 'REMOTE.TOKEN' &&
    (sub || model.value === 'unauthenticated' || model.value === 'reauthRequired')
  ) {
    // Another tab logged in or refreshed: take its token, tell no other tab (it already did). A
    // login there is news to this tab's app; a refresh there (this tab holds a token) is not.
    const taken = leave({ ...model, failures: 0 });
    return authenticate(
      config,
      sub ? taken : { ...taken, emits: [{ eventType: 'tokenSet', data: tokenData(e.token) }] },
      e.token,
    );
  }
  if (sub && e.type === 'REMOTE.LOGOUT') {
    return {
      ...forget(leave(model), 'unauthenticated'),
      emits: [{ eventType: 'logout', data: { remote: true } }],
    };
  }
  if (e.type === 'LOGOUT' && (sub || model.value === 'unauthenticated' || model.value === 'reauthRequired')) {
    // Revoke (POST) and clear first; the refresh in flight, if any, is abandoned. With no token
    // here (it was forgotten) there is nothing to revoke, but the store is still cleared and the
    // identity provider's session still ended.
    const logout = { noRedirect: e.noRedirect, returnTo: e.returnTo };
    return start({ ...leave(model), value: 'loggingOut', logout }, 'revokeAndClear', {
      config,
      token: sub ? model.token : undefined,
    });
  }
  if (
    (sub === 'lasting' && e.type === 'REFRESH' && canRefresh(config, model.token)) ||
    (sub === 'waiting' && (e.type === 'REFRESH' || event.type === due.type)) ||
    (sub === 'waiting' && e.type === 'WAKE' && expiredAtLoad(model.token!)) ||
    (sub === 'retrying' && (e.type === 'REFRESH' || e.type === 'WAKE' || event.type === backoff.type))
  ) {
    return refresh(config, model);
  }
  if (sub === 'refreshing' && answer?.id === 'refreshToken') {
    if (answer.outcome === 'done') {
      const { token, refreshed } = answer.value as RefreshResult;
      const ok = { ...answered(model, 'refreshToken', 'done'), failures: 0, error: undefined };
      // Refreshed here: broadcast and announce; taken from another tab: it already did both.
      const told = refreshed
        ? {
            ...ok,
            synced: [...ok.synced, { type: 'SYNC.TOKEN' as const, token }],
            emits: [{ eventType: 'tokenRefreshed' as const, data: tokenData(token) }],
          }
        : ok;
      return authenticate(config, told, token);
    }
    const error = childError(answer.value);
    const failed = { ...answered(model, 'refreshToken', 'error'), error };
    if (refusesGrant(error)) {
      // The server refused the grant (invalid_grant …): a new login is needed, everywhere.
      return {
        ...forget(failed, 'reauthRequired'),
        synced: [...model.synced, { type: 'SYNC.LOGOUT' }],
        emits: [{ eventType: 'reauthRequired', error }],
      };
    }
    // Network or server trouble (an unknown OAuth code included) never logs anyone out: keep the
    // token, retry later.
    return {
      ...failed,
      value: { authenticated: 'retrying' },
      failures: model.failures + 1,
      emits: [{ eventType: 'refreshFailure', error }],
    };
  }
  if (model.value === 'loggingOut' && answer?.id === 'revokeAndClear') {
    // Revoked (or not: the token is forgotten here all the same), cleared, broadcast, announced;
    // then off to the end-session endpoint unless the app stays on the page.
    const over = {
      ...forget(answered(model, 'revokeAndClear', answer.outcome), 'unauthenticated'),
      synced: [...model.synced, { type: 'SYNC.LOGOUT' as const }],
      emits: [{ eventType: 'logout' as const, data: { remote: false } }],
    };
    if (answer.outcome === 'error' || model.logout?.noRedirect) return over;
    return start({ ...over, value: 'leaving' }, 'navigateToEndSession', {
      config,
      returnTo: model.logout?.returnTo,
    });
  }
  if (model.value === 'leaving' && answer?.id === 'navigateToEndSession') {
    return { ...answered(model, 'navigateToEndSession', answer.outcome), value: 'unauthenticated' };
  }
  if (answer || event.type.startsWith('xstate.after.')) {
    throw new Error(`the oracle has no rule for ${event.type} in ${JSON.stringify(model.value)}`);
  }
  // Anything else (another tab's logout with no session here, a refresh with nothing to refresh
  // with, a second refresh while one runs, a page waking up long before the deadline, a logout
  // while logging out) changes nothing.
  return model;
}

/** setTimeout fires at once beyond 2^31 - 1 ms, so no delay may exceed it. */
const MAX_DELAY_MS = 2 ** 31 - 1;
/** SPEC §3: retries back off 1 s, 2 s, 4 s … up to a minute. */
const backoffDelay = (failures: number) => Math.min(1000 * 2 ** (failures - 1), 60_000);

/** Where the proactive refresh may land for a token scheduled between `t0` and `t1` (wall clock). */
function dueBounds(token: Token, t0: number, t1: number) {
  const expires = token.expires!;
  // The lifetime left when the refresh was scheduled, somewhere between t0 and t1.
  const leastLeft = Math.max(0, expires - t1);
  const mostLeft = Math.max(0, expires - t0);
  const clamp = (ms: number) => Math.min(Math.max(0, ms), MAX_DELAY_MS);
  return {
    refreshAt: { min: t0 + Math.floor(0.6 * leastLeft), max: t1 + Math.ceil(0.9 * mostLeft) },
    delay: { min: clamp(Math.floor(0.6 * leastLeft) - (t1 - t0)), max: clamp(Math.ceil(0.9 * mostLeft)) },
  };
}

function expectError(actual: unknown, match: ErrorMatch, where: string): void {
  if ('same' in match) expect(actual, `${where}: the actor's own error is kept`).toBe(match.same);
  else {
    expect(actual, where).toBeInstanceOf(Error);
    expect((actual as Error).message, where).toBe(match.generic);
  }
  expectNoSecretIn(actual, where);
}

async function replaySession(s: Scenario, input: SessionInput, path: SessionPath) {
  attempted.add(path);
  /** The path, for messages: a failing step names its index in it. */
  const described = describePath(path);
  let model: Model | undefined;
  /** The wall clock just before the step ran: the refresh deadline is measured from it. */
  let before = Date.now();
  /** Where the pending proactive refresh may land: set when it is scheduled, kept while it waits. */
  let bounds: ReturnType<typeof dueBounds> | undefined;
  const replay = await replayPath(sessionMachine, path, {
    input,
    inspect,
    beforeStep: () => {
      before = Date.now();
    },
    onStep: (step, actor, { invocations, emitted, pendingTimers }) => {
      const after = Date.now();
      const where = `${s.name}, step ${step.index} of ${described}`;
      model = model === undefined ? initial(s.config) : next(s.config, model, step.event);
      const snapshot = actor.getSnapshot();
      expect(snapshot.value, where).toEqual(model.value);
      expect(snapshot.status, where).toBe('active');

      // What the session holds: the token, the failures in a row, why it failed, the logout asked for.
      const { context } = snapshot;
      expect(context.token, where).toBe(model.token);
      expect(context.failures, `${where}: failed refreshes in a row`).toBe(model.failures);
      if (model.error && (authenticated(model) === 'retrying' || model.value === 'reauthRequired')) {
        expectError(context.error, model.error, where);
      }
      if (model.value === 'loggingOut' || model.value === 'leaving') {
        expect(context.logout, where).toEqual(model.logout);
      }

      // The session channel, exactly; no token in any event or error.
      const emittedNow = (step.index === 0 ? emitted : step.emitted) as readonly SessionEmitted[];
      expect(
        emittedNow.map((e) => `${e.type}.${e.eventType}`),
        where,
      ).toEqual(model.emits.map((e) => `session.${e.eventType}`));
      model.emits.forEach((expected, i) => {
        const actual = emittedNow[i] as SessionEmitted & { data: Record<string, unknown> };
        if ('error' in expected) {
          expect(Object.keys(actual.data), where).toEqual(['error']);
          expectError(actual.data.error, expected.error, where);
          expect(actual.data.error, `${where}: the announced error is the one the session keeps`).toBe(
            context.error,
          );
        } else {
          expect(actual.data, where).toEqual(expected.data);
        }
      });
      expectNoSecretInEvents(emittedNow, where);

      // The actors: started when the SPEC says, with what they need; abandoned ones aborted; the
      // tab-sync actor told exactly about new tokens and logouts, nothing sent to any other.
      expect(
        invocations.map(({ id, src, input: childInput, status }) => ({ id, src, input: childInput, status })),
        where,
      ).toEqual(model.children);
      for (const child of invocations) {
        expect(child.received, `${where}: what ${child.id} was told`).toEqual(
          child.id === 'tabSync' ? model.synced : [],
        );
      }

      // The timers: the proactive refresh at 60–90 % of the lifetime left (capped to what
      // setTimeout can wait), or the back-off after a failure; nothing else.
      if (model.scheduled) {
        bounds = dueBounds(model.scheduled, before, after);
        const { refreshAt } = context;
        expect(refreshAt, `${where}: the deadline is wall-clock`).toBeGreaterThanOrEqual(
          bounds.refreshAt.min,
        );
        expect(refreshAt, `${where}: the deadline is wall-clock`).toBeLessThanOrEqual(bounds.refreshAt.max);
      }
      const timers = pendingTimers();
      const sub = authenticated(model);
      if (sub === 'waiting') {
        expect(
          timers.map(({ eventType, target }) => ({ eventType, target })),
          where,
        ).toEqual([{ eventType: due.type, target: actor.id }]);
        const { delay } = timers[0]!;
        expect(delay, `${where}: refresh at 60–90 % of the lifetime left`).toBeGreaterThanOrEqual(
          bounds!.delay.min,
        );
        expect(delay, `${where}: refresh at 60–90 % of the lifetime left`).toBeLessThanOrEqual(
          bounds!.delay.max,
        );
      } else if (sub === 'retrying') {
        expect(timers, where).toEqual([
          { eventType: backoff.type, delay: backoffDelay(model.failures), target: actor.id },
        ]);
      } else {
        expect(timers, where).toEqual([]);
      }
    },
  });
  replay.stop();
  expect(replay.pendingTimers(), 'stopping clears every timer').toEqual([]);
  expect(activeIds(replay.invocations), 'stopping stops every actor').toEqual([]);
}

describe('session machine: model-based paths', () => {
  for (const { scenario, input, paths } of suites) {
    describe(scenario.name, () => {
      it.each(paths.map((path) => [describePath(path), path] as const))('%s', async (_name, path) => {
        await replaySession(scenario, input, path);
      });
    });
  }

  it('reaches every state and transition of the machine', async () => {
    for (const { scenario, input, paths } of suites) {
      for (const path of paths) if (!attempted.has(path)) await replaySession(scenario, input, path);
    }
    expectFullCoverage(coverage, 'session', pathCount);
  });
});
