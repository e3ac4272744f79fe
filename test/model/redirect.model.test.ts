/**
 * Model-based tests of the redirect machine (SPEC §9): every cycle-free path of the machine, for
 * each of several page URLs, replayed on a real actor whose actors are settleable stand-ins. After
 * every step an oracle written from the SPEC (§3 "redirect", §10) says which step of the callback
 * processing the user should see, which actors must have been asked what, and how the callback ends.
 * The legacy implicit grant (opt-in `implicitGrant`) has its own page URLs: the token comes in the
 * fragment, is checked like a code (but needs no PKCE verifier) and is never exchanged.
 */
import { describe, expect, it } from 'vitest';
import { createActor, fromPromise, toPromise } from 'xstate';
import type { CleanCallbackUrlInput } from '../../actors/cleanCallbackUrl.js';
import type { DiscoverServerInput } from '../../actors/discoverServer.js';
import type { ServerMetadata } from '../../actors/server.js';
import { type RedirectOutput, redirectMachine } from '../../machines/redirect.js';
import { CsrfMismatchError, IssuerMismatchError, TransactionMissingError } from '../../src/errors.js';
import { createCoverage, describePath, type Invocation, replayPath } from '../../src/testing/index.js';
import type { PendingTransaction } from '../../src/transactionStore.js';
import {
  type ErrorClass,
  pathCount,
  type RedirectPath,
  type RedirectSnapshot,
  SCENARIOS,
  type Scenario,
  suites,
} from './redirect.paths.js';
import {
  activeIds,
  CSRF,
  expectFullCoverage,
  expectNoSecretIn,
  REDIRECT_TOKEN,
  settled,
  VERIFIER,
} from './support.js';

const coverage = createCoverage(redirectMachine);
const inspect = coverage.inspect;
/** Paths replayed so far (the coverage test replays any that a `-t` filter skipped). */
const attempted = new Set<RedirectPath>();

// ---------------------------------------------------------------------------------------------
// The oracle: what the SPEC says the user sees, given the page URL and the actors' answers so far.

type Settled = { outcome: 'done' | 'error'; value: unknown };
type ErrorMatch = { same: unknown } | { kind: ErrorClass };

type Expected =
  | { phase: 'noCallback' | 'authorized' | 'relayingToOpener' | 'takingTransaction' }
  | { phase: 'discoveringServer' | 'cleaningUrl' }
  /** `settled`: the catalog hook answered or failed; either way the exchange goes on alone. */
  | { phase: 'exchanging'; catalog: 'collecting' | 'settled' }
  | { phase: 'cleaningUrlAfterFailure' | 'failed'; error: ErrorMatch };

const FINAL = new Set(['noCallback', 'authorized', 'failed']);

function oracle(scenario: Scenario, facts: ReadonlyMap<string, Settled>): Expected {
  const { expect: spec, input } = scenario;
  if (spec.kind === 'none') return { phase: 'noCallback' };
  const reject = (error: ErrorMatch): Expected =>
    input.source === 'location' && !facts.has('cleanCallbackUrlAfterFailure')
      ? { phase: 'cleaningUrlAfterFailure', error }
      : { phase: 'failed', error };
  if (spec.kind === 'relay') {
    const relay = facts.get('relayToOpener');
    if (!relay) return { phase: 'relayingToOpener' };
    // A failed relay is a failure like any other: "Every failure cleans the URL too" (the machine's
    // own contract), so the popup's address bar must not keep the code and the CSRF token.
    return relay.outcome === 'done' ? { phase: 'noCallback' } : reject({ same: relay.value });
  }
  // Single use: the stored transaction is taken (and so removed) whatever the callback holds.
  const taken = facts.get('takeStoredTransaction');
  if (!taken) return { phase: 'takingTransaction' };
  if (spec.kind === 'reject') return reject({ kind: spec.error });
  // Fail closed: no complete stored transaction, no exchange. The implicit grant has no PKCE
  // verifier, so there only the CSRF token is needed.
  const stored = taken.outcome === 'done' ? (taken.value as PendingTransaction) : undefined;
  if (!stored?.csrfToken || (spec.grant.via === 'code' && !stored.codeVerifier)) {
    return reject({ kind: TransactionMissingError });
  }
  if (spec.csrf !== stored.csrfToken) return reject({ kind: CsrfMismatchError });
  const discovered = facts.get('discoverServer');
  if (!discovered) return { phase: 'discoveringServer' };
  if (discovered.outcome === 'error') return reject({ same: discovered.value });
  // RFC 9207: when the issuer is known, `iss` must name it; it may be absent only if never promised.
  const server = discovered.value as ServerMetadata;
  if (
    server.issuer !== undefined &&
    (spec.iss === undefined ? server.issRequired : spec.iss !== server.issuer)
  ) {
    return reject({ kind: IssuerMismatchError });
  }
  // The address bar is cleaned before the code is redeemed (or the token taken); a relayed URL has no
  // address bar. Cleaning failing changes nothing: the code is redeemed either way, and an implicit
  // token is already in hand.
  if (input.source === 'location' && !facts.has('cleanCallbackUrl')) return { phase: 'cleaningUrl' };
  // An implicit token came with the page: nothing is exchanged, no catalog hook runs.
  if (spec.grant.via === 'implicit') return { phase: 'authorized' };
  // The preauth-catalog hook runs alongside the exchange and is never waited for: only the exchange
  // decides the outcome, and the hook failing (it is an optimisation) changes nothing.
  const exchange = facts.get('exchangeCode');
  if (exchange?.outcome === 'error') return { phase: 'failed', error: { same: exchange.value } };
  if (exchange) return { phase: 'authorized' };
  return { phase: 'exchanging', catalog: facts.has('collectPreauthCatalog') ? 'settled' : 'collecting' };
}

/** The stand-ins the machine must start when it enters the expected step. */
function startsOn(scenario: Scenario, expected: Expected, facts: ReadonlyMap<string, Settled>) {
  const { input, expect: spec } = scenario;
  const started = (id: string, src: string, actorInput: unknown) => ({ id, src, input: actorInput });
  switch (expected.phase) {
    case 'relayingToOpener':
      return [
        started('relayToOpener', 'relayToOpener', {
          href: input.href,
          popupId: spec.kind === 'relay' ? spec.popupId : '',
          fragment: input.config.implicitGrant,
        }),
      ];
    case 'takingTransaction':
      return [started('takeStoredTransaction', 'takeStoredTransaction', undefined)];
    case 'discoveringServer':
      return [started('discoverServer', 'discoverServer', { config: input.config })];
    // The fragment is cleaned too exactly when the app opted in to the implicit grant: otherwise it
    // is the app's (SPA routes), never touched.
    case 'cleaningUrl':
      return [
        started('cleanCallbackUrl', 'cleanCallbackUrl', {
          href: input.href,
          fragment: input.config.implicitGrant,
        }),
      ];
    case 'cleaningUrlAfterFailure':
      return [
        started('cleanCallbackUrlAfterFailure', 'cleanCallbackUrl', {
          href: input.href,
          fragment: input.config.implicitGrant,
        }),
      ];
    case 'exchanging': {
      if (spec.kind !== 'verify' || spec.grant.via !== 'code') {
        throw new Error('only a verified code is exchanged');
      }
      return [
        // The exchange gets the callback's code and the verifier that was stored for this login.
        started('exchangeCode', 'exchangeCode', {
          config: input.config,
          server: facts.get('discoverServer')?.value,
          code: spec.grant.code,
          codeVerifier: VERIFIER,
        }),
        started('collectPreauthCatalog', 'collectPreauthCatalog', { hint: spec.grant.hint }),
      ];
    }
    default:
      return [];
  }
}

/** The stand-ins that must be running in the expected step. */
function runningIn(expected: Expected): string[] {
  switch (expected.phase) {
    case 'relayingToOpener':
      return ['relayToOpener'];
    case 'takingTransaction':
      return ['takeStoredTransaction'];
    case 'discoveringServer':
      return ['discoverServer'];
    case 'cleaningUrl':
      return ['cleanCallbackUrl'];
    case 'cleaningUrlAfterFailure':
      return ['cleanCallbackUrlAfterFailure'];
    case 'exchanging':
      return ['exchangeCode', ...(expected.catalog === 'collecting' ? ['collectPreauthCatalog'] : [])];
    default:
      return [];
  }
}

function expectError(actual: unknown, match: ErrorMatch, where: string): void {
  if ('same' in match && match.same instanceof Error) {
    expect(actual, `${where}: the actor's own error is reported`).toBe(match.same);
  } else if ('same' in match) {
    // A rejection that is no Error still ends as one, with a generic message.
    expect(actual, `${where}: an Error stands in for a non-Error rejection`).toBeInstanceOf(Error);
  } else {
    expect(actual, `${where}: a ${match.kind.name}`).toBeInstanceOf(match.kind);
    expect((actual as Error).constructor, `${where}: exactly a ${match.kind.name}`).toBe(match.kind);
  }
  expectNoSecretIn(actual, where);
}

const byId = (invocations: readonly Invocation[], id: string) => invocations.filter((i) => i.id === id);

/** Replays one path with the oracle checked after every step. */
async function replayRedirect(scenario: Scenario, path: RedirectPath) {
  attempted.add(path);
  const facts = new Map<string, Settled>();
  let previous: Expected | undefined;
  let previousContext: RedirectSnapshot['context'] | undefined;
  /** When the current step began: an implicit token is received (and its expiry set) during it. */
  let stepStartedAt = Date.now();
  const grant = scenario.expect.kind === 'verify' ? scenario.expect.grant : undefined;
  const replay = await replayPath(redirectMachine, path, {
    input: scenario.input,
    inspect,
    beforeStep: () => {
      stepStartedAt = Date.now();
    },
    onStep: (step, actor, { invocations, emitted, pendingTimers }) => {
      const where = `${scenario.name}, step ${step.index} (${describePath({ steps: path.steps.slice(0, step.index + 1) })})`;
      const answer = settled(step.event);
      if (answer) facts.set(answer.id, answer);
      const expected = oracle(scenario, facts);
      const snapshot = actor.getSnapshot();

      // The step of the callback processing the user is in.
      expect(snapshot.value, where).toEqual(expected.phase);
      expect(snapshot.status, where).toBe(FINAL.has(expected.phase) ? 'done' : 'active');

      // What each actor was asked, exactly when its step is entered. (Step 0's own lists are empty:
      // the actors started by `actor.start()` are in the replay's lists.)
      const entered = previous?.phase !== expected.phase;
      const startedNow = step.index === 0 ? invocations : step.invocations;
      const expectedStarts = entered ? startsOn(scenario, expected, facts) : [];
      expect(
        startedNow.map(({ id, src, input }) => ({ id, src, input })),
        where,
      ).toEqual(expectedStarts);
      expect(activeIds(invocations).sort(), where).toEqual(runningIn(expected).sort());

      // The catalog hook settling, with an answer or an error, changes nothing: same step, same
      // context, and the same exchange still running.
      if (answer?.id === 'collectPreauthCatalog') {
        expect(previous?.phase, where).toBe('exchanging');
        expect(snapshot.context, `${where}: the catalog hook's outcome is ignored`).toEqual(previousContext);
        expect(
          byId(invocations, 'exchangeCode').map((i) => i.status),
          where,
        ).toEqual(['active']);
      }

      // The redirect machine emits nothing itself and never waits on a timer.
      expect(step.index === 0 ? emitted : step.emitted, where).toEqual([]);
      expect(pendingTimers(), where).toEqual([]);

      // The outcome, once the machine is done; the error in context from the moment it is known.
      if ('error' in expected) expectError(snapshot.context.error, expected.error, where);
      else expect(snapshot.context.error, where).toBeUndefined();
      if (FINAL.has(expected.phase)) {
        const output = snapshot.output as RedirectOutput;
        if (expected.phase === 'failed') {
          expect(output.outcome, where).toBe('failed');
          if (output.outcome === 'failed') expectError(output.error, expected.error, where);
        } else if (expected.phase === 'authorized' && grant?.via === 'implicit') {
          // The token of the fragment, taken during this step: `expires_in` counts from then.
          const expires = output.outcome === 'authorized' ? output.token.expires : undefined;
          const lifetime = grant.expiresIn * 1000;
          expect(expires, `${where}: expires_in counts from when the token was taken`).toBeGreaterThanOrEqual(
            stepStartedAt + lifetime,
          );
          expect(expires, `${where}: expires_in counts from when the token was taken`).toBeLessThanOrEqual(
            Date.now() + lifetime,
          );
          expect(output, where).toEqual({
            outcome: 'authorized',
            token: { ...grant.token, expires },
            via: 'implicit',
          });
          expect(snapshot.context.token, where).toEqual({ ...grant.token, expires });
        } else if (expected.phase === 'authorized') {
          expect(output, where).toEqual({ outcome: 'authorized', token: REDIRECT_TOKEN, via: 'code' });
        } else {
          expect(output, where).toEqual({ outcome: 'none' });
        }
      }

      // No token before the callback is authorized.
      if (expected.phase !== 'authorized') expect(snapshot.context.token, where).toBeUndefined();

      // Invariants over everything that happened so far.
      const exchanges = byId(invocations, 'exchangeCode');
      if (grant?.via === 'implicit') {
        // The implicit grant's token came with the page: no code to redeem, no catalog to collect.
        expect(
          invocations.filter((i) => i.src === 'exchangeCode' || i.src === 'collectPreauthCatalog'),
          `${where}: an implicit response is never exchanged`,
        ).toEqual([]);
        if (expected.phase === 'authorized' && scenario.input.source === 'location') {
          const cleaning = byId(invocations, 'cleanCallbackUrl');
          expect(cleaning, `${where}: the token leaves the address bar first`).toHaveLength(1);
          expect(cleaning[0]!.status, `${where}: cleaning finished first`).not.toBe('active');
        }
      }
      const cleanings = invocations.filter((i) => i.src === 'cleanCallbackUrl');
      const takes = byId(invocations, 'takeStoredTransaction');
      expect(takes.length, `${where}: the transaction is taken at most once`).toBeLessThanOrEqual(1);
      if (scenario.input.source === 'popup') {
        expect(cleanings, `${where}: a relayed URL has no address bar to clean`).toEqual([]);
      }
      if (exchanges.length > 0) {
        expect(exchanges, `${where}: one exchange`).toHaveLength(1);
        if (scenario.input.source === 'location') {
          const cleaning = byId(invocations, 'cleanCallbackUrl')[0];
          expect(cleaning, `${where}: the URL is cleaned before the exchange`).toBeDefined();
          expect(invocations.indexOf(cleaning!)).toBeLessThan(invocations.indexOf(exchanges[0]!));
          expect(cleaning!.status, `${where}: cleaning finished before the exchange`).not.toBe('active');
        }
      }
      if (previous?.phase === 'exchanging' && expected.phase !== 'exchanging') {
        const catalog = byId(invocations, 'collectPreauthCatalog');
        expect(catalog, `${where}: the catalog hook ran alongside the exchange`).toHaveLength(1);
        expect(catalog[0]!.status, `${where}: the catalog hook is never waited for`).not.toBe('active');
      }
      if (expected.phase === 'cleaningUrlAfterFailure' || expected.phase === 'failed') {
        const exchangeFailed = facts.get('exchangeCode')?.outcome === 'error';
        if (!exchangeFailed)
          expect(exchanges, `${where}: a rejected callback is never exchanged`).toEqual([]);
      }
      previous = expected;
      previousContext = snapshot.context;
    },
  });
  replay.stop();
  expect(replay.pendingTimers()).toEqual([]);
  expect(activeIds(replay.invocations), 'stopping stops every actor').toEqual([]);
}

describe('redirect machine: model-based paths', () => {
  for (const { scenario, paths } of suites) {
    describe(scenario.name, () => {
      it.each(paths.map((path) => [describePath(path), path] as const))('%s', async (_name, path) => {
        await replayRedirect(scenario, path);
      });
    });
  }

  it('reaches every state and transition of the machine', async () => {
    for (const { scenario, paths } of suites) {
      for (const path of paths) if (!attempted.has(path)) await replayRedirect(scenario, path);
    }
    expectFullCoverage(coverage, 'redirect', pathCount);
  });
});

describe('redirect machine with actors the app provides', () => {
  it('turns a rejection that is not an Error into a plain Error, so the app always gets a message', async () => {
    const scenario = SCENARIOS.find((candidate) => candidate.name === 'code callback with state and iss');
    if (!scenario) throw new Error('scenario renamed');
    const machine = redirectMachine.provide({
      actors: {
        takeStoredTransaction: fromPromise<PendingTransaction>(async () => ({
          csrfToken: CSRF,
          codeVerifier: VERIFIER,
        })),
        // A custom actor may reject with anything; a string would reach the app without a message.
        discoverServer: fromPromise<ServerMetadata, DiscoverServerInput>(() => Promise.reject('offline')),
        cleanCallbackUrl: fromPromise<void, CleanCallbackUrlInput>(async () => {}),
      },
    });
    const output = await toPromise(createActor(machine, { input: scenario.input }).start());
    expect(output.outcome).toBe('failed');
    const error = output.outcome === 'failed' ? output.error : undefined;
    expect(error).toBeInstanceOf(Error);
    expect(error?.message).toBe('The callback could not be processed');
  });
});
