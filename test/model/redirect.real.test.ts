/**
 * The redirect machine's model-based paths (redirect.paths.ts), each run once more on the REAL
 * actors (SPEC §9): the ones actors/index.ts binds to a runtime, over a fake page window (its URL is
 * the scenario's page URL), its sessionStorage, and the held-request fake server. What a step says
 * an actor did is arranged in that world: the stored transaction is what sessionStorage holds when
 * the page starts; discovery and the code exchange are answered by the server (with `iss` promised
 * or not, an OAuth error, no answer at all); a failing clean-up is a `history.replaceState` that
 * throws; a failing relay is a popup page without a window. After every step the machine must be
 * where the pure fold of the path is; and what the user would see is checked too: the address bar
 * cleaned once a clean-up ran, the transaction gone from storage from the start, the exchange
 * request carrying the callback's code and the stored verifier, the popup page handing its URL to
 * its opener and closing.
 */
import { expect } from 'vitest';
import { createRedirectActors } from '../../actors/index.js';
import type { ServerMetadata } from '../../actors/server.js';
import { redirectMachine } from '../../machines/redirect.js';
import { sanitizeCallbackUrl } from '../../src/callbackUrl.js';
import type { PreauthHint } from '../../src/config.js';
import { NetworkError, type OAuthError } from '../../src/errors.js';
import type { Token } from '../../src/token.js';
import { CODE_VERIFIER_KEY, CSRF_TOKEN_KEY, type PendingTransaction } from '../../src/transactionStore.js';
import { json } from '../fixtures/fakeFetch.js';
import { describeRealRuns } from './realActors/describeRealRuns.js';
import {
  discoveryDocument,
  GRANT,
  isDiscovery,
  isGrant,
  oauthErrorAnswer,
  tokenResponseFor,
} from './realActors/fakeServer.js';
import { RealRunReport } from './realActors/realRunReport.js';
import {
  nextOutcome,
  outcomeIdsOf,
  type RealDriver,
  type RealRun,
  replayOnRealActors,
} from './realActors/replayOnRealActors.js';
import { errorDifference, tokenDifference } from './realActors/sameOutcome.js';
import { deferred } from './realActors/waitFor.js';
import { runtimeOf, World } from './realActors/world.js';
import { pathCount, type RedirectPath, type Scenario, suites } from './redirect.paths.js';
import { APP, POPUP_ID, REDIRECT_URI, VERIFIER } from './support.js';

/** The steps no real actor can take, and why. */
const UNREALISABLE = {
  notAnError: 'the stand-in rejects with something that is no Error; the real actors reject only with Errors',
  takeNeverRejects:
    'the real transaction read never rejects: a storage that throws or is missing reads as an empty transaction',
  catalogNeverRejects:
    'the real catalog actor swallows the hook failing (the catalog is an optimisation): it always completes',
  issuerIsDiscovered:
    'with an issuer configured, discovery always reports that issuer; the stand-in reports none',
  noIssuerNoDiscovery:
    'without an issuer nothing is discovered: the server has no issuer and no request can fail',
  cleanWithoutWindow:
    'the relay failed for want of a window, so there is no address bar whose cleaning could fail',
} as const;

type StepResult = { skip: keyof typeof UNREALISABLE } | undefined;

/** The states whose actor rewrites the address bar as it starts. */
const REWRITING = new Set(['relayingToOpener', 'cleaningUrl', 'cleaningUrlAfterFailure']);

function redirectDriver(world: World, scenario: Scenario): RealDriver {
  const { config, href, source } = scenario.input;
  const hints: PreauthHint[] = [];
  const catalogAnswers: ReturnType<typeof deferred<void>>[] = [];
  /** Whether the page has started rewriting its address bar (a clean-up, or the popup's relay). */
  let rewritten = false;
  let rewriteFails = false;
  world.runtime.collectPreauthCatalog = (hint) => {
    hints.push(hint);
    const answer = deferred<void>();
    catalogAnswers.push(answer);
    return answer.promise;
  };
  const onPage = source === 'location';
  return {
    prepare(events) {
      // What the page finds when it starts: the transaction this browser stored, a window or none,
      // a history that refuses to be rewritten.
      const read = nextOutcome(events, 'takeStoredTransaction');
      const taken = read?.outcome === 'done' ? (read.value as PendingTransaction) : undefined;
      if (taken?.csrfToken !== undefined)
        world.window.sessionStorage.setItem(CSRF_TOKEN_KEY, taken.csrfToken);
      if (taken?.codeVerifier !== undefined) {
        world.window.sessionStorage.setItem(CODE_VERIFIER_KEY, taken.codeVerifier);
      }
      if (nextOutcome(events, 'relayToOpener')?.outcome === 'error') world.runtime.window = undefined;
      const cleanFailure = [
        nextOutcome(events, 'cleanCallbackUrl'),
        nextOutcome(events, 'cleanCallbackUrlAfterFailure'),
      ].find((outcome) => outcome?.outcome === 'error')?.value;
      if (cleanFailure !== undefined) {
        rewriteFails = true;
        world.window.history.replaceState = () => {
          throw cleanFailure;
        };
      }
    },
    async settle(id, expected): Promise<StepResult> {
      if (expected.outcome === 'error' && !(expected.value instanceof Error)) return { skip: 'notAnError' };
      switch (id) {
        case 'takeStoredTransaction':
          return expected.outcome === 'error' ? { skip: 'takeNeverRejects' } : undefined;
        case 'collectPreauthCatalog':
          if (expected.outcome === 'error') return { skip: 'catalogNeverRejects' };
          catalogAnswers.at(-1)?.resolve();
          return undefined;
        case 'discoverServer': {
          const server = expected.value as ServerMetadata;
          if (config.issuer === undefined) {
            // Nothing to discover: the actor already answered with the profile's endpoints.
            const realisable = expected.outcome === 'done' && server.issuer === undefined;
            return realisable ? undefined : { skip: 'noIssuerNoDiscovery' };
          }
          if (expected.outcome === 'done' && server.issuer === undefined)
            return { skip: 'issuerIsDiscovered' };
          const request = await world.server.next(isDiscovery, 'discovery');
          if (expected.outcome === 'error') request.fail();
          else request.answer(json(discoveryDocument({ issRequired: server.issRequired })));
          return undefined;
        }
        case 'cleanCallbackUrl':
        case 'cleanCallbackUrlAfterFailure':
          if (expected.outcome === 'error' && world.runtime.window === undefined) {
            return { skip: 'cleanWithoutWindow' };
          }
          // The history refusing (arranged before the page started) is what makes it fail.
          return undefined;
        case 'exchangeCode': {
          const request = await world.server.next(isGrant(GRANT.code), 'the code exchange');
          if (expected.outcome === 'done') request.answer(json(tokenResponseFor(expected.value as Token)));
          else if (expected.value instanceof NetworkError) request.fail();
          else request.answer(oauthErrorAnswer(expected.value as OAuthError));
          return undefined;
        }
        default:
          // relayToOpener: the window (or its absence) was arranged before the page started.
          return undefined;
      }
    },
    async deliver(step) {
      throw new Error(`the redirect machine takes no event "${step.event.type}" from outside`);
    },
    compare(id, expected, actual) {
      if (expected.outcome === 'error') return errorDifference(expected.value, actual.value);
      if (id === 'exchangeCode') return tokenDifference(expected.value as Token, actual.value);
      if (id === 'discoverServer') {
        // Without an issuer the endpoints are the profile's own; only what the checks read must match.
        const e = expected.value as ServerMetadata;
        const a = actual.value as ServerMetadata;
        const same =
          config.issuer === undefined
            ? e.issuer === a.issuer && e.issRequired === a.issRequired
            : JSON.stringify(e) === JSON.stringify(a);
        return same ? undefined : 'discovered another server';
      }
      return JSON.stringify(actual.value) === JSON.stringify(expected.value)
        ? undefined
        : `produced ${JSON.stringify(actual.value) ?? 'nothing'}`;
    },
    check(step) {
      const where = `step ${step.index} (${step.event.type})`;
      // Single use: the transaction is gone from storage from the moment the callback is read.
      expect(world.window.sessionStorage.length, `${where}: no transaction left in storage`).toBe(0);
      // The address bar: untouched until a clean-up (or the popup's relay) starts, clean (code, state,
      // iss gone) from then on, unless the browser refused to rewrite it.
      rewritten ||= REWRITING.has(String(step.state.value));
      if (onPage && world.runtime.window) {
        expect(world.window.location.href, `${where}: the address bar`).toBe(
          rewritten && !rewriteFails
            ? sanitizeCallbackUrl(href, { fragment: config.implicitGrant })
            : href || `${APP}/`,
        );
      }
      // The code is redeemed with this login's verifier, at the configured redirect URI.
      for (const { body } of world.server.requests.filter(isGrant(GRANT.code))) {
        expect(body.get('code_verifier'), `${where}: the stored verifier`).toBe(VERIFIER);
        expect(body.get('redirect_uri'), `${where}: the redirect URI`).toBe(REDIRECT_URI);
        expect(new URL(href).searchParams.getAll('code'), `${where}: the callback's code`).toEqual([
          body.get('code'),
        ]);
      }
      // The preauth-catalog hook hears the hint of this callback, once, while the code is exchanged.
      if (scenario.expect.kind === 'verify' && scenario.expect.grant.via === 'code') {
        expect(hints.length, `${where}: the catalog hook is asked once at most`).toBeLessThanOrEqual(1);
        for (const hint of hints)
          expect(hint, `${where}: the catalog hint`).toEqual(scenario.expect.grant.hint);
      } else {
        expect(hints, `${where}: no catalog without a code to exchange`).toEqual([]);
      }
      // A popup page that relayed its callback hands it to its opener, on this origin only, and closes.
      if (step.event.type === 'xstate.done.actor.relayToOpener') {
        expect(world.window.toOpener, where).toEqual([
          { message: { type: 'authcharts:popup-callback', popupId: POPUP_ID, url: href }, origin: APP },
        ]);
        expect(world.window.closed, `${where}: the popup closes itself`).toBe(true);
      }
    },
  };
}

const report = new RealRunReport(UNREALISABLE);
const outcomeIds = outcomeIdsOf(suites.flatMap((suite) => suite.paths));

let world = new World();
const runtime = runtimeOf(() => world);
const logic = redirectMachine.provide({ actors: createRedirectActors(() => runtime) });

async function replayReal(scenario: Scenario, path: RedirectPath): Promise<RealRun> {
  const { href, source } = scenario.input;
  world = new World(source === 'location' && href !== '' ? href : undefined);
  return replayOnRealActors({
    logic,
    pure: redirectMachine,
    path,
    outcomeIds,
    server: world.server,
    input: scenario.input,
    driver: redirectDriver(world, scenario),
  });
}

describeRealRuns({
  title: 'redirect machine: the model-based paths on the real actors',
  machine: 'redirect',
  suites,
  nameOf: (suite) => suite.scenario.name,
  pathsOf: (suite) => suite.paths,
  pathCount,
  report,
  replay: (suite, path) => replayReal(suite.scenario, path),
});
