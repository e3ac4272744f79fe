/**
 * The session machine's model-based paths (session.paths.ts), each run once more on the REAL
 * actors (SPEC §9): the store read, the refresh (lock, store re-read, refresh_token grant or the
 * app's refreshCallback), revoke-and-clear, the end-session navigation and the tab sync, from
 * actors/, over a fake page window (localStorage-like shared token store, `navigator.locks`,
 * `online` events), the held-request fake server and another tab of the same origin. Each step
 * happens the way it does in a browser: "the store answered" is the token store's read resolving;
 * another tab's token or logout arrives on the session's BroadcastChannel; `WAKE` is the network
 * coming back; a refresh runs when the other tab hands over the refresh lock, and ends as the token
 * endpoint (or the app's callback) answers, or with the other tab's newer token found in the store.
 * After every step the machine must be where the pure fold of the path is, having emitted the same
 * `session` events; and what the user (and the next page load) would see is checked: the shared
 * store holds the session's token while it is authenticated and nothing once it logged out; a
 * refresh sends the refresh token it replaces; revocation is a POST; no URL carries a token.
 */
import { describe, expect, it } from 'vitest';
import { createActor } from 'xstate';
import { createSessionActors } from '../../actors/index.js';
import type { RefreshResult } from '../../actors/session.js';
import { type SessionEvent, sessionMachine } from '../../machines/session.js';
import type { ResolvedConfig } from '../../src/config.js';
import { NetworkError, OAuthError, ProtocolError } from '../../src/errors.js';
import type { Token } from '../../src/token.js';
import { json } from '../fixtures/fakeFetch.js';
import { describeRealRuns } from './realActors/describeRealRuns.js';
import {
  discoveryDocument,
  GRANT,
  isDiscovery,
  isGrant,
  isUrl,
  oauthErrorAnswer,
  tokenResponseFor,
} from './realActors/fakeServer.js';
import { OtherTab } from './realActors/otherTab.js';
import { RealRunReport } from './realActors/realRunReport.js';
import {
  nextOutcome,
  outcomeIdsOf,
  type RealDriver,
  type RealReplay,
  type RealRun,
  replayOnRealActors,
  type Settled,
} from './realActors/replayOnRealActors.js';
import { errorDifference, tokenDifference } from './realActors/sameOutcome.js';
import { deferred, waitFor } from './realActors/waitFor.js';
import { runtimeOf, World } from './realActors/world.js';
import { pathCount, type Scenario, type SessionPath, type SessionSnapshot, suites } from './session.paths.js';
import { CONFIG, ISSUER, SECRETS, SESSION_TOKENS } from './support.js';

/** The steps no real actor can take, and why. */
const UNREALISABLE = {
  notAnError: 'the stand-in rejects with something that is no Error; the real actors reject only with Errors',
} as const;

type StepResult = { skip: keyof typeof UNREALISABLE } | undefined;

const REVOKE_URL = `${ISSUER}/revoke`;

let clients = 0;
/**
 * A client id per replay: the BroadcastChannel and the refresh lock are named after it, and a
 * channel reaches every channel of that name in the process. Nothing the machine decides on changes.
 */
const ownClient = (config: ResolvedConfig): ResolvedConfig => ({
  ...config,
  clientId: `${config.clientId}-real-${++clients}`,
});

/** The states in which the shared store must hold exactly the session's token, or nothing. */
const HOLDS_TOKEN = (value: unknown) =>
  typeof value === 'object' && value !== null && 'authenticated' in value;
const HOLDS_NOTHING = new Set(['unauthenticated', 'reauthRequired']);

function sessionDriver(world: World, otherTab: OtherTab, callback: boolean): RealDriver {
  const refreshCalls: ReturnType<typeof deferred<unknown>>[] = [];
  if (callback) {
    world.runtime.refreshCallback = () => {
      const answer = deferred<unknown>();
      refreshCalls.push(answer);
      return answer.promise;
    };
  }
  // Discovery is no step of this machine's paths: the issuer answers it at once.
  world.server.autoAnswer = (request) =>
    isDiscovery(request) ? json(discoveryDocument({ revocation: true, endSession: true })) : undefined;
  world.store.holdNextLoad();
  /** The token the real session holds (which may differ from the fold's in its expiry). */
  const realToken = (replay: RealReplay) => (replay.actor.getSnapshot() as SessionSnapshot).context.token;
  let assignFailure: unknown;
  const assign = world.window.location.assign;
  world.window.location.assign = (url: string) => {
    const failure = assignFailure;
    assignFailure = undefined;
    if (failure !== undefined) throw failure;
    assign(url);
  };

  const refresh = async (expected: Settled, held: Token | undefined): Promise<StepResult> => {
    const result = expected.value as RefreshResult;
    if (expected.outcome === 'done' && !result.refreshed) {
      // Another tab refreshed first: its token is in the store when this tab gets the lock.
      world.store.current = result.token;
      otherTab.passRefreshLock();
      return undefined;
    }
    otherTab.passRefreshLock();
    if (callback) {
      await waitFor(() => refreshCalls.length > 0, 'the refreshCallback call');
      const call = refreshCalls.shift()!;
      if (expected.outcome === 'done') call.resolve(tokenResponseFor(result.token));
      // The app's callback resolving to no token is what makes the real actor say so.
      else if (expected.value instanceof ProtocolError && expected.value.status === undefined)
        call.resolve({});
      else call.reject(expected.value);
      return undefined;
    }
    const request = await world.server.next(isGrant(GRANT.refresh), 'the refresh');
    expect(request.request.body.get('refresh_token'), 'the refresh sends the refresh token it replaces').toBe(
      held?.refresh_token,
    );
    if (expected.outcome === 'done') request.answer(json(tokenResponseFor(result.token)));
    else if (expected.value instanceof NetworkError) request.fail();
    else if (expected.value instanceof OAuthError) {
      const { error } = expected.value;
      const status = error === 'invalid_client' ? 401 : error === 'rate_limited' ? 429 : 400;
      request.answer(oauthErrorAnswer(expected.value, status));
    } else {
      // A ProtocolError: an unexpected status, or a 200 without an access token.
      const { status } = expected.value as ProtocolError;
      request.answer(status === undefined ? json({ token_type: 'Bearer' }) : new Response(null, { status }));
    }
    return undefined;
  };

  return {
    async settle(id, expected, _step, replay): Promise<StepResult> {
      if (expected.outcome === 'error' && !(expected.value instanceof Error)) return { skip: 'notAnError' };
      const held = realToken(replay);
      if (id === 'refreshToken') return refresh(expected, held);
      if (id === 'revokeAndClear' && (held?.refresh_token ?? held?.access_token)) {
        // RFC 7009 §2.1: a POST to the revocation endpoint, the token in the body, never in the URL.
        const request = await world.server.next(isUrl(REVOKE_URL), 'the revocation');
        expect(request.request.method, 'revocation is a POST').toBe('POST');
        expect(request.request.body.get('token'), 'the token revoked').toBe(
          held?.refresh_token ?? held?.access_token,
        );
        request.answer(new Response(null, { status: 200 }));
      }
      // revokeAndClear without a token, navigateToEndSession: done (or failed) as they started.
      return undefined;
    },
    async deliver(step, replay): Promise<StepResult> {
      const event = step.event as SessionEvent;
      const before = replay.received(event.type);
      switch (event.type) {
        case 'STORE.LOADED':
          world.store.answerLoad(event.token);
          break;
        case 'REMOTE.TOKEN':
          otherTab.announceToken(event.token);
          break;
        case 'REMOTE.LOGOUT':
          otherTab.announceLogout();
          break;
        case 'WAKE':
          replay.call(() => world.window.goOnline());
          break;
        default: {
          // The app's (the facade's) calls. A logout's clear-up and navigation fail as the path says
          // they will: the store refuses to be cleared (until a logout the path lets succeed); the
          // page refuses to leave, once.
          if (event.type === 'LOGOUT') {
            const cleared = nextOutcome(step.later, 'revokeAndClear');
            if (cleared) world.store.clearFailure = cleared.outcome === 'error' ? cleared.value : undefined;
            const left = nextOutcome(step.later, 'navigateToEndSession');
            assignFailure = left?.outcome === 'error' ? left.value : undefined;
          }
          replay.send(event);
          return undefined;
        }
      }
      await waitFor(() => replay.received(event.type) > before, `the session to hear ${event.type}`);
      return undefined;
    },
    compare(id, expected, actual) {
      if (expected.outcome === 'error') return errorDifference(expected.value, actual.value);
      if (id !== 'refreshToken') return actual.value === undefined ? undefined : 'produced an output';
      const e = expected.value as RefreshResult;
      const a = actual.value as RefreshResult;
      if (a.refreshed !== e.refreshed) return a.refreshed ? 'refreshed itself' : 'took another tab’s token';
      return tokenDifference(e.token, a.token);
    },
    check(step, replay) {
      const where = `step ${step.index} (${step.event.type})`;
      const token = realToken(replay);
      // What the next page load (or another tab) finds in the shared store.
      if (world.store.clearFailure === undefined) {
        if (HOLDS_TOKEN(step.state.value)) {
          expect(world.store.current?.access_token, `${where}: the store holds the session's token`).toBe(
            token?.access_token,
          );
        } else if (
          HOLDS_NOTHING.has(String(step.state.value)) &&
          step.index > 0 &&
          world.server.requests.length > 0
        ) {
          expect(world.store.current, `${where}: nothing left in the store`).toBeUndefined();
        }
      }
      // No token in any URL the page was sent to, or any request went to.
      const urls = [...world.window.navigations, ...world.server.requests.map((r) => r.url)].join('\n');
      expect(
        SECRETS.filter((secret) => urls.includes(secret)),
        `${where}: tokens in URLs`,
      ).toEqual([]);
    },
  };
}

const report = new RealRunReport(UNREALISABLE);
const outcomeIds = outcomeIdsOf(suites.flatMap((suite) => suite.paths));

let world = new World();
const runtime = runtimeOf(() => world);
const logic = sessionMachine.provide({ actors: createSessionActors(() => runtime) });

async function replayReal(scenario: Scenario, path: SessionPath): Promise<RealRun> {
  const config = ownClient(scenario.config);
  world = new World();
  const otherTab = new OtherTab(config.clientId, world.store, world.locks);
  try {
    return await replayOnRealActors({
      logic,
      pure: sessionMachine,
      path,
      outcomeIds,
      server: world.server,
      input: { config },
      pathInput: { config: scenario.config },
      driver: sessionDriver(world, otherTab, scenario.config.hasRefreshCallback),
    });
  } finally {
    otherTab.close();
  }
}

describeRealRuns({
  title: 'session machine: the model-based paths on the real actors',
  machine: 'session',
  suites,
  nameOf: (suite) => suite.scenario.name,
  pathsOf: (suite) => suite.paths,
  pathCount,
  report,
  replay: (suite, path) => replayReal(suite.scenario, path),
});

/**
 * Found by the real-actor run (the paths whose revoke-and-clear fails): a token store that throws
 * synchronously, as Web Storage does when it is full or disabled, crashes the tab-sync actor
 * (actors/tabSync.ts wraps the call in `Promise.resolve(...).catch()`, which cannot catch a throw
 * that happens while its argument is evaluated), and the session machine, which does not expect
 * that actor to fail, stops with an error: no more tokens, refreshes or logouts for the page.
 */
describe('session machine on the real actors: a token store that throws', () => {
  async function startSession(arrange: () => void) {
    const config = ownClient(CONFIG);
    world = new World();
    world.server.autoAnswer = (request) => (isDiscovery(request) ? json(discoveryDocument()) : undefined);
    world.store.current = SESSION_TOKENS.hour;
    const otherTab = new OtherTab(config.clientId, world.store, world.locks);
    const actor = createActor(logic, { input: { config } });
    actor.subscribe({ error: () => {} });
    actor.start();
    arrange();
    return { actor, close: () => [actor.stop(), otherTab.close()] };
  }

  it('a store that cannot be cleared: the logout still ends, and the session lives on', async () => {
    const { actor, close } = await startSession(() => {
      world.store.clearFailure = new TypeError('The token store could not be cleared');
    });
    try {
      actor.send({ type: 'LOGOUT', noRedirect: true });
      await waitFor(() => !actor.getSnapshot().matches('loggingOut'), 'the logout to end');
      expect(actor.getSnapshot().status, 'the session is still running').toBe('active');
      expect(actor.getSnapshot().value).toBe('unauthenticated');
      actor.send({ type: 'TOKEN.RECEIVED', token: SESSION_TOKENS.refreshed });
      expect(actor.getSnapshot().matches('authenticated'), 'a new login is taken').toBe(true);
    } finally {
      close();
    }
  });

  it('a store that cannot save (full, or disabled): a login still authenticates the session', async () => {
    const { actor, close } = await startSession(() => {
      world.store.saveFailure = new DOMException('The quota has been exceeded.', 'QuotaExceededError');
    });
    try {
      actor.send({ type: 'TOKEN.RECEIVED', token: SESSION_TOKENS.refreshed });
      expect(actor.getSnapshot().status, 'the session is still running').toBe('active');
      expect(actor.getSnapshot().matches('authenticated')).toBe(true);
      actor.send({ type: 'LOGOUT', noRedirect: true });
      await waitFor(() => !actor.getSnapshot().matches('loggingOut'), 'the logout to end');
      expect(actor.getSnapshot().value, 'and a logout still works').toBe('unauthenticated');
    } finally {
      close();
    }
  });
});
