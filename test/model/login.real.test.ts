/**
 * The login machine's model-based paths (login.paths.ts), each run once more on the REAL actors
 * (SPEC §9): prepareLogin, the page navigation and the popup window from actors/, and the real
 * redirect machine (with its real actors) processing the relayed callback, over a fake page window
 * that opens fake popups, its sessionStorage and the held-request fake server. A path's step is made
 * to happen the way a user would: "prepared" is the issuer's discovery answering, "the popup
 * closed" is the popup window closing (the actor's 250 ms watch, on fake interval timers), "the
 * popup relayed its callback" is the popup page posting the callback URL to its opener, and how
 * the relayed callback ends is decided by that URL (this login's state, or one with a forged CSRF
 * token, or no OAuth response at all) and the token endpoint's answer. After every step the machine
 * must be where the pure fold of the path is, having emitted the same events; and what the user
 * sees is checked: the transaction stored before the page leaves, the authorize URL the popup or
 * page is sent to, one popup at most, closed when the login ends.
 */
import { afterEach, beforeEach, expect, vi } from 'vitest';
import type { EventObject } from 'xstate';
import { createLoginActors, createRedirectActors } from '../../actors/index.js';
import { loginMachine } from '../../machines/login.js';
import { type RedirectOutput, redirectMachine } from '../../machines/redirect.js';
import { NetworkError } from '../../src/errors.js';
import type { LoginEmitted } from '../../src/events.js';
import { createRelayMessage } from '../../src/popupRelay.js';
import { decodeState, encodeState } from '../../src/stateCodec.js';
import { CODE_VERIFIER_KEY, CSRF_TOKEN_KEY } from '../../src/transactionStore.js';
import { json } from '../fixtures/fakeFetch.js';
import { type LoginPath, pathCount, type Scenario, suites } from './login.paths.js';
import { describeRealRuns } from './realActors/describeRealRuns.js';
import { discoveryDocument, GRANT, isDiscovery, isGrant, tokenResponseFor } from './realActors/fakeServer.js';
import { RealRunReport } from './realActors/realRunReport.js';
import {
  outcomeIdsOf,
  type RealDriver,
  type RealRun,
  replayOnRealActors,
  type Settled,
} from './realActors/replayOnRealActors.js';
import { errorDifference, tokenDifference } from './realActors/sameOutcome.js';
import { runtimeOf, World } from './realActors/world.js';
import { APP, CODE, CONFIG, ISSUER, REDIRECT_URI } from './support.js';

/** The steps no real actor can take, and why. */
const UNREALISABLE = {
  notAnError: 'the stand-in rejects with something that is no Error; the real actors reject only with Errors',
  popupFailsOnlyAtOpen:
    'the real popup actor can fail (window.open throwing) only while it starts, in the login’s first ' +
    'macrostep, never as a later event',
  blockedOnlyAtOpen:
    'the real popup actor reports a blocked popup only while it starts, in the login’s first macrostep, ' +
    'never as a later event',
  closedOnce: 'the real popup actor reports its window closing once, then stops watching it',
  callbackBeforeNavigate:
    'until the authorize URL exists the popup has no id, and the real actor ignores what is relayed to it',
  implicitNotConfigured:
    'the login’s config does not opt in to the implicit grant, so the real redirect machine never ends “via implicit”',
  redirectMachineNeverFails:
    'the real redirect machine never fails: every error ends in its `failed` state, with an outcome',
} as const;

type StepResult = { skip: keyof typeof UNREALISABLE } | undefined;

/** The popup actor's watch on `popup.closed` (actors/popupWindow.ts). */
const CLOSED_POLL_MS = 250;

const isProcessCallbackOutcome = (event: EventObject) =>
  event.type === 'xstate.done.actor.processCallback' || event.type === 'xstate.error.actor.processCallback';

/**
 * The callback URL the popup relays: the server's redirect for this very login (its `state`, a
 * code, the issuer), one whose CSRF token is not this browser's, or a page with no OAuth response,
 * so that the real redirect machine ends as the path's next `processCallback` outcome says.
 */
function relayedUrl(loginUrl: string, next: EventObject | undefined): string {
  const state = new URL(loginUrl).searchParams.get('state')!;
  const output = (next as { output?: RedirectOutput } | undefined)?.output;
  if (output?.outcome === 'none') return `${REDIRECT_URI}?tab=inbox`;
  const sent =
    output?.outcome === 'failed' ? encodeState({ ...decodeState(state), csrf_token: 'forged' }) : state;
  const query = new URLSearchParams({ code: CODE, state: sent, iss: ISSUER });
  return `${REDIRECT_URI}?${query}`;
}

function loginDriver(world: World, scenario: Scenario): RealDriver {
  let closeReported = false;
  let navigating = false;
  const popup = () => world.window.popups.at(-1);
  return {
    prepare(events) {
      if (events.some((e) => e.type === 'xstate.error.actor.navigateToLoginUrl'))
        world.runtime.window = undefined;
    },
    async settle(id, expected: Settled): Promise<StepResult> {
      if (expected.outcome === 'error' && !(expected.value instanceof Error)) return { skip: 'notAnError' };
      switch (id) {
        case 'prepareLogin': {
          // What prepareLogin waits on is the issuer's discovery.
          const request = await world.server.next(isDiscovery, 'discovery');
          if (expected.outcome === 'done') request.answer(json(discoveryDocument({ issRequired: true })));
          else if (expected.value instanceof NetworkError) request.fail();
          return undefined;
        }
        case 'popupWindow':
          return { skip: 'popupFailsOnlyAtOpen' };
        case 'processCallback': {
          if (expected.outcome === 'error') return { skip: 'redirectMachineNeverFails' };
          const output = expected.value as RedirectOutput;
          if (output.outcome === 'authorized' && output.via === 'implicit')
            return { skip: 'implicitNotConfigured' };
          if (output.outcome === 'authorized') {
            const request = await world.server.next(isGrant(GRANT.code), 'the code exchange');
            request.answer(json(tokenResponseFor(output.token)));
          }
          // A rejected or empty callback ended the redirect machine as soon as it was relayed.
          return undefined;
        }
        default:
          // navigateToLoginUrl: it navigated (or found no window) as it started.
          return undefined;
      }
    },
    async deliver(step, replay): Promise<StepResult> {
      const before = replay.received(step.event.type);
      switch (step.event.type) {
        case 'POPUP.BLOCKED':
          return { skip: 'blockedOnlyAtOpen' };
        case 'POPUP.CLOSED': {
          if (closeReported) return { skip: 'closedOnce' };
          closeReported = true;
          popup()!.closed = true;
          replay.call(() => vi.advanceTimersByTime(CLOSED_POLL_MS));
          break;
        }
        case 'POPUP.CALLBACK': {
          const window = popup()!;
          if (window.location.href === 'about:blank') return { skip: 'callbackBeforeNavigate' };
          const loginUrl = window.location.href;
          const popupId = decodeState(new URL(loginUrl).searchParams.get('state')!)
            .authcharts_popup as string;
          const url = relayedUrl(loginUrl, step.later.find(isProcessCallbackOutcome));
          replay.call(() => world.window.receiveMessage(createRelayMessage(popupId, url), APP, window));
          break;
        }
        default:
          throw new Error(`the login machine takes no event "${step.event.type}" from outside`);
      }
      expect(replay.received(step.event.type), `the popup actor reports ${step.event.type}`).toBe(before + 1);
      return undefined;
    },
    compare(id, expected, actual) {
      if (expected.outcome === 'error') return errorDifference(expected.value, actual.value);
      if (id === 'prepareLogin') {
        const prepared = actual.value as { loginUrl: string; popupId: string | undefined };
        const popupExpected = (expected.value as { popupId: string | undefined }).popupId !== undefined;
        if (!prepared.loginUrl.startsWith(`${ISSUER}/authorize?`)) return 'built no authorize URL';
        return (prepared.popupId !== undefined) === popupExpected ? undefined : 'gave the popup id otherwise';
      }
      if (id === 'processCallback') {
        const e = expected.value as RedirectOutput;
        const a = actual.value as RedirectOutput;
        if (a.outcome !== e.outcome) return `ended "${a.outcome}", the path says "${e.outcome}"`;
        if (e.outcome === 'failed') return errorDifference(e.error, (a as typeof e).error);
        if (e.outcome === 'authorized') {
          const via = (a as typeof e).via === e.via ? undefined : 'authorized another way';
          return via ?? tokenDifference(e.token, (a as typeof e).token);
        }
      }
      return undefined;
    },
    check(step, replay) {
      const where = `step ${step.index} (${step.event.type})`;
      const options = scenario.expect;
      const announced = replay.emitted.filter(
        (e) => (e as LoginEmitted).eventType === 'redirectToLoginUrl',
      ) as Extract<LoginEmitted, { eventType: 'redirectToLoginUrl' }>[];
      const loginUrl = announced[0]?.data.loginUrl;
      if (loginUrl !== undefined) {
        // The authorize URL: PKCE S256, and a state carrying the CSRF token stored for the callback
        // (until the relayed callback consumes it).
        const url = new URL(loginUrl);
        expect(url.searchParams.get('code_challenge_method'), `${where}: PKCE`).toBe('S256');
        expect(url.searchParams.get('client_id'), where).toBe(CONFIG.clientId);
        const stored = world.window.sessionStorage.getItem(CSRF_TOKEN_KEY);
        if (stored !== null) {
          expect(
            decodeState(url.searchParams.get('state')!).csrf_token,
            `${where}: the stored CSRF token`,
          ).toBe(stored);
          expect(
            world.window.sessionStorage.getItem(CODE_VERIFIER_KEY),
            `${where}: the stored verifier`,
          ).not.toBeNull();
        }
      }
      // A full-page login leaves for the authorize URL, once, as soon as it is built (when there is a
      // page to leave); a popup login never moves the page.
      navigating ||= step.state.matches({ redirect: 'navigating' }) || step.state.matches('redirected');
      expect(world.window.navigations, `${where}: page navigations`).toEqual(
        navigating && world.runtime.window ? [loginUrl] : [],
      );
      // One popup for a popup login, opened with the asked features, pointed at the authorize URL once it
      // exists, and closed when the login is over.
      expect(world.window.popups.length, `${where}: popups opened`).toBe(options.kind === 'popup' ? 1 : 0);
      const window = popup();
      if (window && options.kind === 'popup') {
        expect(window.features, where).toBe(options.features);
        expect(window.location.href, `${where}: where the popup is`).toBe(loginUrl ?? 'about:blank');
        if (step.state.status === 'done') expect(window.closed, `${where}: the popup closes`).toBe(true);
      }
    },
    afterStop() {
      for (const window of world.window.popups) expect(window.closed, 'stopping closes the popup').toBe(true);
    },
  };
}

const report = new RealRunReport(UNREALISABLE);
const outcomeIds = outcomeIdsOf(suites.flatMap((suite) => suite.paths));

let world = new World();
const runtime = runtimeOf(() => world);
const processCallback = redirectMachine.provide({ actors: createRedirectActors(() => runtime) });
const logic = loginMachine.provide({ actors: { ...createLoginActors(() => runtime), processCallback } });

async function replayReal(scenario: Scenario, path: LoginPath): Promise<RealRun> {
  world = new World();
  return replayOnRealActors({
    logic,
    pure: loginMachine,
    path,
    outcomeIds,
    server: world.server,
    input: { config: CONFIG, options: scenario.options },
    driver: loginDriver(world, scenario),
  });
}

describeRealRuns({
  title: 'login machine: the model-based paths on the real actors',
  machine: 'login',
  suites,
  nameOf: (suite) => suite.scenario.name,
  pathsOf: (suite) => suite.paths,
  pathCount,
  report,
  replay: (suite, path) => replayReal(suite.scenario, path),
  hooks: () => {
    // The popup actor watches `popup.closed` on an interval: fake, so a step can close the popup at once.
    beforeEach(() => {
      vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
    });
    afterEach(() => {
      vi.useRealTimers();
    });
  },
});
