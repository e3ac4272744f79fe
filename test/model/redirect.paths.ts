/**
 * The model of the redirect machine that its suites replay: the page URLs (scenarios), the payload
 * cases of every actor outcome, the bounded vertex key, the sequences the simple paths leave out, and
 * the generated paths. The stand-in suite (redirect.model.test.ts) checks an oracle on them; the
 * real-actor suite (redirect.real.test.ts) replays the same paths on the real actors.
 */
import type { EventObject, SnapshotFrom } from 'xstate';
import { type RedirectInput, redirectMachine } from '../../machines/redirect.js';
import { type PreauthHint, resolveConfig } from '../../src/config.js';
import {
  InvalidGrantError,
  InvalidRequestError,
  InvalidScopeError,
  NetworkError,
  OAuthError,
  StateDecodeError,
} from '../../src/errors.js';
import {
  createEventCases,
  doneEvent,
  errorEvent,
  generatePaths,
  type ModelPath,
} from '../../src/testing/index.js';
import type { Token } from '../../src/token.js';
import type { PendingTransaction } from '../../src/transactionStore.js';
import {
  APP,
  CODE,
  CONFIG,
  CSRF,
  callbackUrl,
  ISSUER,
  loginState,
  POPUP_ID,
  REDIRECT_TOKEN,
  REDIRECT_URI,
  serverMetadata,
  VERIFIER,
  WEBEX_CODE,
  WEBEX_CONFIG,
} from './support.js';

export type RedirectSnapshot = SnapshotFrom<typeof redirectMachine>;
export type RedirectPath = ModelPath<typeof redirectMachine>;
export type ErrorClass = abstract new (...args: never[]) => Error;

/** What the SPEC says a page URL is, before any actor has answered. */
export type Expectation =
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
export type Grant =
  /** The code is redeemed with the stored verifier; the preauth-catalog hook runs alongside. */
  | { via: 'code'; code: string; hint: PreauthHint }
  /**
   * Legacy implicit grant (RFC 6749 §4.2.2): the token is in the fragment, received when the page
   * loaded: `token` as the token model builds it, expiring `expiresIn` seconds after it was read.
   */
  | { via: 'implicit'; token: Omit<Token, 'expires'>; expiresIn: number };

export interface Scenario {
  name: string;
  input: RedirectInput;
  expect: Expectation;
}

/** {@link CONFIG} with the app's opt-in to the legacy implicit grant. */
export const IMPLICIT_CONFIG = resolveConfig(
  {
    clientId: CONFIG.clientId,
    redirectUri: REDIRECT_URI,
    scope: CONFIG.scope!,
    issuer: ISSUER,
    implicitGrant: true,
  },
  true,
);

export const page = (href: string, config = CONFIG): RedirectInput => ({ config, href, source: 'location' });
export const relayed = (href: string, config = CONFIG): RedirectInput => ({ config, href, source: 'popup' });

export const codeGrant = (code: string, hint: PreauthHint = undefined): Grant => ({
  via: 'code',
  code,
  hint,
});

/** An implicit-grant response's token fields, as the server puts them in the fragment. */
export const IMPLICIT_FIELDS: readonly (readonly [string, string])[] = [
  ['access_token', REDIRECT_TOKEN.access_token],
  ['token_type', 'bearer'],
  ['expires_in', '3600'],
  ['scope', REDIRECT_TOKEN.scope!],
];
/** The token built from {@link IMPLICIT_FIELDS}: `Bearer` spelled as everyone sends it, no refresh token. */
export const IMPLICIT_GRANT: Grant = {
  via: 'implicit',
  token: { access_token: REDIRECT_TOKEN.access_token, token_type: 'Bearer', scope: REDIRECT_TOKEN.scope! },
  expiresIn: 3600,
};

/** An implicit-grant callback: the response in the fragment, the app's own query parameter kept. */
export const fragmentUrl = (params: ReadonlyArray<readonly [string, string]>): string =>
  `${REDIRECT_URI}?tab=inbox#${new URLSearchParams(params.map(([k, v]) => [k, v] as [string, string]))}`;

export const SCENARIOS: readonly Scenario[] = [
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
export const STORED: Record<string, PendingTransaction> = {
  matching: { csrfToken: CSRF, codeVerifier: VERIFIER },
  mismatching: { csrfToken: 'csrf-of-another-login', codeVerifier: VERIFIER },
  prefix: { csrfToken: CSRF.slice(0, -1), codeVerifier: VERIFIER },
  missing: { csrfToken: undefined, codeVerifier: undefined },
  noVerifier: { csrfToken: CSRF, codeVerifier: undefined },
  noCsrf: { csrfToken: undefined, codeVerifier: VERIFIER },
};

export const events = createEventCases<RedirectSnapshot>({
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
export const serializeState = (snapshot: RedirectSnapshot) =>
  `${JSON.stringify(snapshot.value)} ${snapshot.status} error=${snapshot.context.error?.name ?? '-'} ` +
  `token=${snapshot.context.token ? 'yes' : 'no'}`;

/**
 * The catalog hook settling first (answering or failing) changes no state, so the simple paths
 * (cycle-free in the graph of serialised states) leave it out: these sequences add both, each followed
 * by either end of the exchange, for every callback whose CSRF token matches.
 */
export function catalogFirst(scenario: Scenario): EventObject[][] {
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

export const suites = SCENARIOS.map((scenario) => ({
  scenario,
  paths: generatePaths(redirectMachine, {
    events,
    serializeState,
    input: scenario.input,
    sequences: catalogFirst(scenario),
  }),
}));
export const pathCount = suites.reduce((sum, suite) => sum + suite.paths.length, 0);
