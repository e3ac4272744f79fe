import { assign, emit, sendTo, setup } from 'xstate';
import { createSessionActors } from '../actors/index.js';
import { browserRuntime } from '../actors/runtime.js';
import type { RefreshResult, StoreLoaded } from '../actors/session.js';
import type { TabSyncSignal } from '../actors/tabSync.js';
import type { ResolvedConfig } from '../src/config.js';
import {
  InvalidClientError,
  InvalidGrantError,
  InvalidRequestError,
  InvalidScopeError,
  UnauthorizedClientError,
  UnsupportedGrantTypeError,
} from '../src/errors.js';
import type { SessionEmitted } from '../src/events.js';
import type { Token } from '../src/token.js';

/** What the session machine starts with. */
export interface SessionInput {
  /** The resolved configuration: token storage, endpoints, refresh settings. */
  config: ResolvedConfig;
}

/** The session machine's context: the current token and the state of its refresh schedule. */
export interface SessionContext extends SessionInput {
  /** The token set in use (`undefined` while signed out). */
  token: Token | undefined;
  /** Wall-clock time (ms epoch) of the next proactive refresh. */
  refreshAt: number | undefined;
  /** Failed refreshes in a row (network, server); reset by a success. */
  failures: number;
  /** Why the last refresh failed, until the next success. */
  error: Error | undefined;
  /** The options of the logout in progress. */
  logout:
    | {
        /** Revoke and forget without navigating to the end-session endpoint. */
        noRedirect: boolean;
        /** Where the end-session endpoint should send the browser back to. */
        returnTo: string | undefined;
      }
    | undefined;
}

export type SessionEvent =
  | { type: 'TOKEN.RECEIVED'; token: Token }
  | { type: 'REFRESH' }
  | { type: 'LOGOUT'; noRedirect: boolean; returnTo?: string }
  | TabSyncSignal
  | StoreLoaded;

/** The token endpoint refused the grant itself (RFC 6749 §5.2): only a new login helps. */
const GRANT_ERRORS = [
  InvalidRequestError,
  InvalidClientError,
  InvalidGrantError,
  UnauthorizedClientError,
  UnsupportedGrantTypeError,
  InvalidScopeError,
];

/** `setTimeout` fires at once beyond 2^31 - 1 ms. */
const MAX_DELAY_MS = 2_147_483_647;
/** Retries after failed refreshes wait 1 s, 2 s, 4 s … up to a minute. */
const MAX_BACKOFF_MS = 60_000;

const errorOf = (event: unknown): Error => {
  const { error } = event as { error: unknown };
  return error instanceof Error ? error : new Error('The refresh failed');
};

const tokenData = (token: Token | undefined) => ({ scope: token?.scope, expires: token?.expires });

/**
 * The credentials: unauthenticated ⇄ authenticated. A token with an expiry is refreshed ahead of
 * time, at 60–90 % of its remaining lifetime (spread so tabs and clients do not refresh together),
 * by wall-clock deadline: `WAKE` (page visible again, back online) re-checks it because background
 * tabs throttle timers. A refresh is single-flight here and, through the refresh actor's lock,
 * across tabs; new tokens and logouts reach the other tabs. An OAuth error from the token
 * endpoint (`invalid_grant`: the refresh token is gone) means a new login is needed; a network or
 * server failure never logs anyone out: the refresh is retried with backoff.
 */
export const sessionMachine = setup({
  types: {
    input: {} as SessionInput,
    context: {} as SessionContext,
    events: {} as SessionEvent,
    emitted: {} as SessionEmitted,
  },
  actors: createSessionActors(browserRuntime),
  delays: {
    refreshDue: ({ context }) => Math.min(Math.max(0, (context.refreshAt ?? 0) - Date.now()), MAX_DELAY_MS),
    refreshBackoff: ({ context }) => Math.min(1000 * 2 ** (context.failures - 1), MAX_BACKOFF_MS),
  },
  guards: {
    hasStoredToken: ({ event }) => event.type === 'STORE.LOADED' && event.token !== undefined,
    canRefresh: ({ context }) => context.config.hasRefreshCallback || Boolean(context.token?.refresh_token),
    canRefreshAhead: ({ context }) =>
      context.config.refreshAhead &&
      context.token?.expires !== undefined &&
      (context.config.hasRefreshCallback || Boolean(context.token.refresh_token)),
    isRefreshDue: ({ context }) => context.refreshAt !== undefined && Date.now() >= context.refreshAt,
    wasRefreshedHere: ({ event }) => (event as unknown as { output: RefreshResult }).output.refreshed,
    /**
     * The token endpoint refused the grant itself (`invalid_grant`, `invalid_client` …: one of the
     * six RFC 6749 §5.2 codes). Anything else (429, 5xx, an unknown code, no answer) is transient.
     */
    needsNewLogin: ({ event }) => {
      const error = errorOf(event);
      return GRANT_ERRORS.some((ErrorClass) => error instanceof ErrorClass);
    },
    staysOnPage: ({ context }) => context.logout?.noRedirect === true,
  },
  actions: {
    rememberStoredToken: assign({
      token: ({ event }) => (event.type === 'STORE.LOADED' ? event.token : undefined),
    }),
    rememberToken: assign(({ event }) =>
      event.type === 'TOKEN.RECEIVED' || event.type === 'REMOTE.TOKEN'
        ? { token: event.token, failures: 0 }
        : {},
    ),
    rememberRefreshedToken: assign({
      token: ({ event }) => (event as unknown as { output: RefreshResult }).output.token,
      failures: 0,
      error: undefined,
    }),
    /** 60–90 % of the remaining lifetime, like the Webex SDK, so clients spread their refreshes. */
    scheduleRefresh: assign({
      refreshAt: ({ context }) => {
        const now = Date.now();
        const remaining = Math.max(0, (context.token?.expires ?? now) - now);
        return now + Math.floor(remaining * (0.6 + Math.random() * 0.3));
      },
    }),
    countFailure: assign({
      failures: ({ context }) => context.failures + 1,
      error: ({ event }) => errorOf(event),
    }),
    forgetToken: assign({ token: undefined, refreshAt: undefined, failures: 0 }),
    rememberReauthError: assign({ error: ({ event }) => errorOf(event) }),
    rememberLogoutOptions: assign({
      logout: ({ event }) =>
        event.type === 'LOGOUT' ? { noRedirect: event.noRedirect, returnTo: event.returnTo } : undefined,
    }),
    syncToken: sendTo('tabSync', ({ context }) => ({
      type: 'SYNC.TOKEN' as const,
      token: context.token as Token,
    })),
    syncLogout: sendTo('tabSync', { type: 'SYNC.LOGOUT' as const }),
    emitTokenSet: emit(({ context }) => ({
      type: 'session' as const,
      eventType: 'tokenSet' as const,
      data: tokenData(context.token),
    })),
    emitTokenRefreshed: emit(({ context }) => ({
      type: 'session' as const,
      eventType: 'tokenRefreshed' as const,
      data: tokenData(context.token),
    })),
    emitRefreshFailure: emit(({ context }) => ({
      type: 'session' as const,
      eventType: 'refreshFailure' as const,
      data: { error: context.error ?? new Error('The refresh failed') },
    })),
    emitReauthRequired: emit(({ context }) => ({
      type: 'session' as const,
      eventType: 'reauthRequired' as const,
      data: { error: context.error ?? new Error('A new login is needed') },
    })),
    emitLogout: emit(({ event }) => ({
      type: 'session' as const,
      eventType: 'logout' as const,
      data: { remote: event.type === 'REMOTE.LOGOUT' },
    })),
  },
}).createMachine({
  id: 'session',
  description: 'The supertoken: stored, refreshed ahead of expiry, shared with the other tabs.',
  context: ({ input }) => ({
    config: input.config,
    token: undefined,
    refreshAt: undefined,
    failures: 0,
    error: undefined,
    logout: undefined,
  }),
  invoke: { id: 'tabSync', src: 'tabSync', input: ({ context }) => ({ config: context.config }) },
  initial: 'loading',
  states: {
    loading: {
      description:
        'Read the token a previous page or another tab stored (at once when the store is synchronous).',
      invoke: { id: 'loadStoredToken', src: 'loadStoredToken' },
      on: {
        'STORE.LOADED': [
          { guard: 'hasStoredToken', target: 'authenticated', actions: 'rememberStoredToken' },
          { target: 'unauthenticated' },
        ],
        'TOKEN.RECEIVED': {
          target: 'authenticated',
          actions: ['rememberToken', 'syncToken', 'emitTokenSet'],
          description: 'A login finished first: the new token wins',
        },
      },
    },
    unauthenticated: {
      description: 'No token.',
      on: {
        'TOKEN.RECEIVED': {
          target: 'authenticated',
          actions: ['rememberToken', 'syncToken', 'emitTokenSet'],
        },
        'REMOTE.TOKEN': {
          target: 'authenticated',
          actions: ['rememberToken', 'emitTokenSet'],
          description: 'Another tab logged in',
        },
        LOGOUT: {
          target: 'loggingOut',
          actions: 'rememberLogoutOptions',
          description: 'Still clear the store and end the server session',
        },
      },
    },
    authenticated: {
      description: 'A token; refreshed ahead of its expiry when it can be.',
      on: {
        'TOKEN.RECEIVED': {
          target: '.scheduling',
          reenter: true,
          actions: ['rememberToken', 'syncToken', 'emitTokenSet'],
        },
        'REMOTE.TOKEN': {
          target: '.scheduling',
          reenter: true,
          actions: 'rememberToken',
          description: 'Another tab refreshed or logged in',
        },
        'REMOTE.LOGOUT': { target: 'unauthenticated', actions: ['forgetToken', 'emitLogout'] },
        LOGOUT: { target: 'loggingOut', actions: 'rememberLogoutOptions' },
      },
      initial: 'scheduling',
      states: {
        scheduling: {
          description: 'Work out when to refresh.',
          always: [
            { guard: 'canRefreshAhead', target: 'waiting', actions: 'scheduleRefresh' },
            { target: 'lasting' },
          ],
        },
        lasting: {
          description: 'No expiry to refresh ahead of, or nothing to refresh with.',
          on: { REFRESH: { guard: 'canRefresh', target: 'refreshing' } },
        },
        waiting: {
          description: 'Until 60–90 % of the lifetime has passed (wall clock).',
          after: { refreshDue: { target: 'refreshing' } },
          on: {
            REFRESH: { target: 'refreshing' },
            WAKE: {
              guard: 'isRefreshDue',
              target: 'refreshing',
              description: 'The deadline passed while asleep',
            },
          },
        },
        refreshing: {
          description: 'One refresh for all tabs: lock, re-read the store, refresh if still needed.',
          invoke: {
            id: 'refreshToken',
            src: 'refreshToken',
            input: ({ context }) => ({ config: context.config, token: context.token as Token }),
            onDone: [
              {
                guard: 'wasRefreshedHere',
                target: 'scheduling',
                actions: ['rememberRefreshedToken', 'syncToken', 'emitTokenRefreshed'],
              },
              {
                target: 'scheduling',
                actions: 'rememberRefreshedToken',
                description: 'Another tab had already refreshed',
              },
            ],
            onError: [
              {
                guard: 'needsNewLogin',
                target: '#session.reauthRequired',
                actions: ['rememberReauthError', 'forgetToken', 'syncLogout', 'emitReauthRequired'],
              },
              { target: 'retrying', actions: ['countFailure', 'emitRefreshFailure'] },
            ],
          },
        },
        retrying: {
          description: 'The network or server failed: keep the token, try again later.',
          after: { refreshBackoff: { target: 'refreshing' } },
          on: { REFRESH: { target: 'refreshing' }, WAKE: { target: 'refreshing' } },
        },
      },
    },
    reauthRequired: {
      description: 'The refresh token is no longer accepted: the user must log in again.',
      on: {
        'TOKEN.RECEIVED': {
          target: 'authenticated',
          actions: ['rememberToken', 'syncToken', 'emitTokenSet'],
        },
        'REMOTE.TOKEN': { target: 'authenticated', actions: ['rememberToken', 'emitTokenSet'] },
        LOGOUT: { target: 'loggingOut', actions: 'rememberLogoutOptions' },
      },
    },
    loggingOut: {
      description: 'Revoke the token (POST, never in a URL) and clear the store.',
      invoke: {
        id: 'revokeAndClear',
        src: 'revokeAndClear',
        input: ({ context }) => ({ config: context.config, token: context.token }),
        onDone: [
          {
            guard: 'staysOnPage',
            target: 'unauthenticated',
            actions: ['forgetToken', 'syncLogout', 'emitLogout'],
          },
          { target: 'leaving', actions: ['forgetToken', 'syncLogout', 'emitLogout'] },
        ],
        onError: {
          target: 'unauthenticated',
          actions: ['forgetToken', 'syncLogout', 'emitLogout'],
          description: 'The store could not be cleared: forget the token here all the same',
        },
      },
    },
    leaving: {
      description: 'Go to the end-session endpoint, when the server has one.',
      invoke: {
        id: 'navigateToEndSession',
        src: 'navigateToEndSession',
        input: ({ context }) => ({ config: context.config, returnTo: context.logout?.returnTo }),
        onDone: { target: 'unauthenticated' },
        onError: { target: 'unauthenticated' },
      },
    },
  },
});
