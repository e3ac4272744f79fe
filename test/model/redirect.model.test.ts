/**
 * Model-based tests of the redirect machine (SPEC §9): every cycle-free path of the machine, for
 * each of several page URLs, replayed on a real actor whose actors are settleable stand-ins. After
 * every step an oracle written from the SPEC (§3 "redirect", §10) says which step of the callback
 * processing the user should see, which actors must have been asked what, and how the callback ends.
 * The legacy implicit grant (opt-in `implicitGrant`) has its own page URLs: the token comes in the
 * fragment, is checked like a code (but needs no PKCE verifier) and is never exchanged.
 */
import { describe, expect, it } from 'vitest';
import type { EventObject, SnapshotFrom } from 'xstate';
import type { ServerMetadata } from '../../actors/server.js';
import { type RedirectInput, type RedirectOutput, redirectMachine } from '../../machines/redirect.js';
import { type PreauthHint, resolveConfig } from '../../src/config.js';
import {
  CsrfMismatchError,
  InvalidGrantError,
  InvalidRequestError,
  InvalidScopeError,
  IssuerMismatchError,
  NetworkError,
  OAuthError,
  StateDecodeError,
  TransactionMissingError,
} from '../../src/errors.js';
import {
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
import type { PendingTransaction } from '../../src/transactionStore.js';
import {
  APP,
  activeIds,
  CODE,
  CONFIG,
  CSRF,
  callbackUrl,
  expectFullCoverage,
  expectNoSecretIn,
  ISSUER,
  loginState,
  POPUP_ID,
  REDIRECT_TOKEN,
  REDIRECT_URI,
  serverMetadata,
  settled,
  VERIFIER,
  WEBEX_CODE,
  WEBEX_CONFIG,
} from './support.js';

type RedirectSnapshot = SnapshotFrom<typeof redirectMachine>;
type RedirectPath = ModelPath<typeof redirectMachine>;
type ErrorClass = abstract new (...args: never[]) => Error;

/** What the SPEC says a page URL is, before any actor has answered. */
type Expectation =
  /** No OAuth parameters (or no URL at all): nothing is read, stored, requested or cleaned. */
  | { kind: 'none' }
  /** A login popup landed on the callback: hand the URL to the opener, which holds the transaction. */
  | { kind: 'relay'; popupId: string }
  /** A callback that is rejected whatever is stored (error response, repeated parameter, bad state). */
  | { kind: 'reject'; error: ErrorClass }
  /**
   * A code or (opted-in) implicit callback: verified against the stored transaction and the server,
   * then the code is exchanged or the token that came with the page is taken.
   */
  | { kind: 'verify'; csrf: unknown; iss: string | undefined; grant: Grant };

/** How a verified callback yields tokens. */
type Grant =
  /** The code is redeemed with the stored verifier; the preauth-catalog hook runs alongside. */
  | { via: 'code'; code: string; hint: PreauthHint }
  /**
   * Legacy implicit grant (RFC 6749 §4.2.2): the token is in the fragment, received when the page
   * loaded: `token` as the token model builds it, expiring `expiresIn` seconds after it was read.
   */
  | { via: 'implicit'; token: Omit<Token, 'expires'>; expiresIn: number };

interface Scenario {
  name: string;
  input: RedirectInput;
  expect: Expectation;
}

/** {@link CONFIG} with the app's opt-in to the legacy implicit grant. */
const IMPLICIT_CONFIG = resolveConfig(
  {
    clientId: CONFIG.clientId,
    redirectUri: REDIRECT_URI,
    scope: CONFIG.scope!,
    issuer: ISSUER,
    implicitGrant: true,
  },
  true,
);

const page = (href: string, config = CONFIG): RedirectInput => ({ config, href, source: 'location' });
const relayed = (href: string, config = CONFIG): RedirectInput => ({ config, href, source: 'popup' });

const codeGrant = (code: string, hint: PreauthHint = undefined): Grant => ({ via: 'code', code, hint });

/** An implicit-grant response's token fields, as the server puts them in the fragment. */
const IMPLICIT_FIELDS: readonly (readonly [string, string])[] = [
  ['access_token', REDIRECT_TOKEN.access_token],
  ['token_type', 'bearer'],
  ['expires_in', '3600'],
  ['scope', REDIRECT_TOKEN.scope!],
];
/** The token built from {@link IMPLICIT_FIELDS}: `Bearer` spelled as everyone sends it, no refresh token. */
const IMPLICIT_GRANT: Grant = {
  via: 'implicit',
  token: { access_token: REDIRECT_TOKEN.access_token, token_type: 'Bearer', scope: REDIRECT_TOKEN.scope! },
  expiresIn: 3600,
};

/** An implicit-grant callback: the response in the fragment, the app's own query parameter kept. */
const fragmentUrl = (params: ReadonlyArray<readonly [string, string]>): string =>
  `${REDIRECT_URI}?tab=inbox#${new URLSearchParams(params.map(([k, v]) => [k, v] as [string, string]))}`;

const SCENARIOS: readonly Scenario[] = [
  { name: 'ordinary page load', input: page(`${APP}/home?tab=inbox#/home`), expect: { kind: 'none' } },
  { name: 'no URL (outside a browser)', input: page(''), expect: { kind: 'none' } },
  {
    name: 'code callback with state and iss',
    input: page(
      callbackUrl([
        ['code', CODE],
        ['state', loginState()],
        ['iss', ISSUER],
      ]),
    ),
    expect: { kind: 'verify', csrf: CSRF, iss: ISSUER, grant: codeGrant(CODE) },
  },
  {
    name: 'code callback without iss, with emailhash in state',
    input: page(
      callbackUrl([
        ['code', CODE],
        ['state', loginState({ emailhash: 'ab12', returnTo: '/x' })],
      ]),
    ),
    expect: { kind: 'verify', csrf: CSRF, iss: undefined, grant: codeGrant(CODE, { emailhash: 'ab12' }) },
  },
  {
    name: 'code callback from a foreign issuer',
    input: page(
      callbackUrl([
        ['code', CODE],
        ['state', loginState()],
        ['iss', 'https://evil.example'],
      ]),
    ),
    expect: { kind: 'verify', csrf: CSRF, iss: 'https://evil.example', grant: codeGrant(CODE) },
  },
  {
    name: 'code callback without state',
    input: page(
      callbackUrl([
        ['code', CODE],
        ['iss', ISSUER],
      ]),
    ),
    expect: { kind: 'verify', csrf: undefined, iss: ISSUER, grant: codeGrant(CODE) },
  },
  {
    name: 'code callback whose csrf_token is not a string',
    input: page(
      callbackUrl([
        ['code', CODE],
        ['state', loginState({ csrf_token: 42 })],
        ['iss', ISSUER],
      ]),
    ),
    expect: { kind: 'verify', csrf: 42, iss: ISSUER, grant: codeGrant(CODE) },
  },
  {
    name: 'webex code callback (org id hint)',
    input: {
      config: WEBEX_CONFIG,
      href: callbackUrl([
        ['code', WEBEX_CODE],
        ['state', loginState()],
      ]),
      source: 'location',
    },
    expect: { kind: 'verify', csrf: CSRF, iss: undefined, grant: codeGrant(WEBEX_CODE, { orgId: 'org42' }) },
  },
  {
    name: 'popup landing (the popup page itself)',
    input: page(
      callbackUrl([
        ['code', CODE],
        ['state', loginState({ authcharts_popup: POPUP_ID })],
        ['iss', ISSUER],
      ]),
    ),
    expect: { kind: 'relay', popupId: POPUP_ID },
  },
  {
    name: 'popup landing with an error response',
    input: page(
      callbackUrl([
        ['error', 'access_denied'],
        ['state', loginState({ authcharts_popup: POPUP_ID })],
      ]),
    ),
    expect: { kind: 'relay', popupId: POPUP_ID },
  },
  {
    name: 'code callback relayed by a popup',
    input: relayed(
      callbackUrl([
        ['code', CODE],
        ['state', loginState({ authcharts_popup: POPUP_ID })],
        ['iss', ISSUER],
      ]),
    ),
    expect: { kind: 'verify', csrf: CSRF, iss: ISSUER, grant: codeGrant(CODE) },
  },
  {
    name: 'error response',
    input: page(
      callbackUrl([
        ['error', 'access_denied'],
        ['error_description', 'The user said no'],
        ['state', loginState()],
      ]),
    ),
    expect: { kind: 'reject', error: OAuthError },
  },
  {
    name: 'error response relayed by a popup',
    input: relayed(
      callbackUrl([
        ['error', 'invalid_scope'],
        ['state', loginState({ authcharts_popup: POPUP_ID })],
      ]),
    ),
    expect: { kind: 'reject', error: InvalidScopeError },
  },
  {
    name: 'repeated code (malformed)',
    input: page(
      callbackUrl([
        ['code', CODE],
        ['code', 'another'],
        ['state', loginState()],
      ]),
    ),
    expect: { kind: 'reject', error: InvalidRequestError },
  },
  {
    name: 'repeated state (malformed)',
    input: page(
      callbackUrl([
        ['code', CODE],
        ['state', loginState()],
        ['state', loginState()],
      ]),
    ),
    expect: { kind: 'reject', error: StateDecodeError },
  },
  {
    name: 'undecodable state',
    input: page(
      callbackUrl([
        ['code', CODE],
        ['state', `${CSRF}!*`],
      ]),
    ),
    expect: { kind: 'reject', error: StateDecodeError },
  },
  {
    name: 'undecodable state relayed by a popup',
    input: relayed(
      callbackUrl([
        ['code', CODE],
        ['state', 'e30x'],
      ]),
    ),
    expect: { kind: 'reject', error: StateDecodeError },
  },
  // The legacy implicit grant: the fragment is read only when the query holds no callback and the
  // app opted in (SPEC §3, §10).
  {
    name: 'implicit callback (opted in)',
    input: page(
      fragmentUrl([...IMPLICIT_FIELDS, ['state', loginState({ returnTo: '/x' })], ['iss', ISSUER]]),
      IMPLICIT_CONFIG,
    ),
    expect: { kind: 'verify', csrf: CSRF, iss: ISSUER, grant: IMPLICIT_GRANT },
  },
  {
    name: 'implicit callback with another CSRF token',
    input: page(
      fragmentUrl([...IMPLICIT_FIELDS, ['state', loginState({ csrf_token: 'csrf-forged' })]]),
      IMPLICIT_CONFIG,
    ),
    expect: { kind: 'verify', csrf: 'csrf-forged', iss: undefined, grant: IMPLICIT_GRANT },
  },
  {
    name: 'implicit callback without state (no CSRF token)',
    input: page(fragmentUrl([...IMPLICIT_FIELDS, ['iss', ISSUER]]), IMPLICIT_CONFIG),
    expect: { kind: 'verify', csrf: undefined, iss: ISSUER, grant: IMPLICIT_GRANT },
  },
  {
    name: 'implicit callback from a foreign issuer',
    input: page(
      fragmentUrl([...IMPLICIT_FIELDS, ['state', loginState()], ['iss', 'https://evil.example']]),
      IMPLICIT_CONFIG,
    ),
    expect: { kind: 'verify', csrf: CSRF, iss: 'https://evil.example', grant: IMPLICIT_GRANT },
  },
  {
    name: 'implicit callback relayed by a popup',
    input: relayed(
      fragmentUrl([
        ...IMPLICIT_FIELDS,
        ['state', loginState({ authcharts_popup: POPUP_ID })],
        ['iss', ISSUER],
      ]),
      IMPLICIT_CONFIG,
    ),
    expect: { kind: 'verify', csrf: CSRF, iss: ISSUER, grant: IMPLICIT_GRANT },
  },
  {
    name: 'implicit popup landing (the popup page itself)',
    input: page(
      fragmentUrl([...IMPLICIT_FIELDS, ['state', loginState({ authcharts_popup: POPUP_ID })]]),
      IMPLICIT_CONFIG,
    ),
    expect: { kind: 'relay', popupId: POPUP_ID },
  },
  {
    name: 'implicit error response in the fragment',
    input: page(
      fragmentUrl([
        ['error', 'access_denied'],
        ['error_description', 'The user said no'],
        ['state', loginState()],
      ]),
      IMPLICIT_CONFIG,
    ),
    expect: { kind: 'reject', error: OAuthError },
  },
  {
    name: 'repeated access_token in the fragment (malformed)',
    input: page(
      fragmentUrl([...IMPLICIT_FIELDS, ['access_token', 'another'], ['state', loginState()]]),
      IMPLICIT_CONFIG,
    ),
    expect: { kind: 'reject', error: InvalidRequestError },
  },
  {
    name: 'SPA route in the fragment, opted in (ordinary load)',
    input: page(`${APP}/home?tab=inbox#/inbox`, IMPLICIT_CONFIG),
    expect: { kind: 'none' },
  },
  {
    name: 'implicit fragment without the opt-in (not ours)',
    input: page(fragmentUrl([...IMPLICIT_FIELDS, ['state', loginState()]])),
    expect: { kind: 'none' },
  },
  {
    name: 'code callback with the implicit opt-in',
    input: page(
      callbackUrl([
        ['code', CODE],
        ['state', loginState()],
        ['iss', ISSUER],
      ]),
      IMPLICIT_CONFIG,
    ),
    expect: { kind: 'verify', csrf: CSRF, iss: ISSUER, grant: codeGrant(CODE) },
  },
];

// Payload cases: every output and error that drives a different guard branch.
const STORED: Record<string, PendingTransaction> = {
  matching: { csrfToken: CSRF, codeVerifier: VERIFIER },
  mismatching: { csrfToken: 'csrf-of-another-login', codeVerifier: VERIFIER },
  prefix: { csrfToken: CSRF.slice(0, -1), codeVerifier: VERIFIER },
  missing: { csrfToken: undefined, codeVerifier: undefined },
  noVerifier: { csrfToken: CSRF, codeVerifier: undefined },
  noCsrf: { csrfToken: undefined, codeVerifier: VERIFIER },
};

const events = createEventCases<RedirectSnapshot>({
  done: {
    relayToOpener: [undefined],
    takeStoredTransaction: Object.values(STORED),
    discoverServer: [
      serverMetadata(ISSUER, true),
      serverMetadata(ISSUER, false),
      serverMetadata(undefined, false),
    ],
    cleanCallbackUrl: [undefined],
    cleanCallbackUrlAfterFailure: [undefined],
    exchangeCode: [REDIRECT_TOKEN],
  },
  errors: {
    relayToOpener: [new TypeError('There is no window to relay the popup result from'), 'no Error'],
    takeStoredTransaction: [new Error('Storage is disabled')],
    collectPreauthCatalog: [new Error('The catalog service is down')],
    discoverServer: [new NetworkError()],
    cleanCallbackUrl: [new Error('history.replaceState is not allowed')],
    cleanCallbackUrlAfterFailure: [new Error('history.replaceState is not allowed')],
    exchangeCode: [
      new InvalidGrantError({ error: 'invalid_grant', error_description: 'The code has expired' }),
      new NetworkError(),
      'a rejection that is no Error',
    ],
  },
});

/** The state value plus the bounded context that tells outcomes apart (never the secrets themselves). */
const serializeState = (snapshot: RedirectSnapshot) =>
  `${JSON.stringify(snapshot.value)} ${snapshot.status} error=${snapshot.context.error?.name ?? '-'} ` +
  `token=${snapshot.context.token ? 'yes' : 'no'}`;

/**
 * The catalog hook settling first (answering or failing) changes no state, so the simple paths
 * (cycle-free in the graph of serialised states) leave it out: these sequences add both, each followed
 * by either end of the exchange, for every callback whose CSRF token matches.
 */
function catalogFirst(scenario: Scenario): EventObject[][] {
  const { expect: spec } = scenario;
  if (spec.kind !== 'verify' || spec.grant.via !== 'code' || spec.csrf !== CSRF) return [];
  const upToExchange: EventObject[] = [
    doneEvent('takeStoredTransaction', STORED.matching),
    doneEvent('discoverServer', serverMetadata(undefined, false)),
    ...(scenario.input.source === 'location' ? [doneEvent('cleanCallbackUrl', undefined)] : []),
  ];
  const catalogAnswers: EventObject[] = [
    doneEvent('collectPreauthCatalog', undefined),
    errorEvent('collectPreauthCatalog', new Error('The catalog service is down')),
  ];
  return catalogAnswers.flatMap((catalog) => [
    [...upToExchange, catalog, doneEvent('exchangeCode', REDIRECT_TOKEN)],
    [...upToExchange, catalog, errorEvent('exchangeCode', new NetworkError())],
  ]);
}

const suites = SCENARIOS.map((scenario) => ({
  scenario,
  paths: generatePaths(redirectMachine, {
    events,
    serializeState,
    input: scenario.input,
    sequences: catalogFirst(scenario),
  }),
}));
const pathCount = suites.reduce((sum, suite) => sum + suite.paths.length, 0);
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
