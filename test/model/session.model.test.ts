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
import type { EventObject } from 'xstate';
import type { RefreshResult } from '../../actors/session.js';
import type { TabSyncCommand } from '../../actors/tabSync.js';
import { type SessionEvent, type SessionInput, sessionMachine } from '../../machines/session.js';
import type { ResolvedConfig } from '../../src/config.js';
import {
  InvalidClientError,
  InvalidGrantError,
  InvalidRequestError,
  InvalidScopeError,
  UnauthorizedClientError,
  UnsupportedGrantTypeError,
} from '../../src/errors.js';
import type { SessionEmitted, TokenData } from '../../src/events.js';
import { createCoverage, describePath, type Invocation, replayPath } from '../../src/testing/index.js';
import type { Token } from '../../src/token.js';
import { backoff, due, pathCount, type Scenario, type SessionPath, suites } from './session.paths.js';
import {
  activeIds,
  expectFullCoverage,
  expectNoSecretIn,
  expectNoSecretInEvents,
  expiredAtLoad,
  settled,
} from './support.js';

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
