/**
 * Shared fixtures and checks of the model-based suites (redirect, login, device authorization,
 * session, authorization): configs,
 * the secrets a flow handles (so the suites can prove none leaks into an error or event), tokens,
 * callback URLs, and the coverage gate every suite ends with.
 */
import { expect } from 'vitest';
import {
  type AnyStateMachine,
  type EventObject,
  type InputFrom,
  initialTransition,
  transition,
} from 'xstate';
import type { ServerMetadata } from '../../actors/server.js';
import { resolveConfig } from '../../src/config.js';
import { encodeState, type StateObject } from '../../src/stateCodec.js';
import type { Coverage, Invocation, ModelPath } from '../../src/testing/index.js';
import type { Token, TokenResponse } from '../../src/token.js';

export const ISSUER = 'https://as.example';
export const APP = 'https://app.example';
export const REDIRECT_URI = `${APP}/cb`;

const RFC_CONFIG = {
  clientId: 'client-1',
  redirectUri: REDIRECT_URI,
  scope: 'openid profile',
  issuer: ISSUER,
};

/** The rfc profile with an issuer (discovery and the RFC 9207 `iss` check). */
export const CONFIG = resolveConfig(RFC_CONFIG, true);

/** {@link CONFIG} with a `refreshCallback` (PUB's "Usage in Browsers"): refreshes go through the app. */
export const REFRESH_CALLBACK_CONFIG = resolveConfig(
  { ...RFC_CONFIG, refreshCallback: () => ({ access_token: 'unused' }) },
  true,
);

/** The webex profile: IdBroker endpoints, no issuer, the org id taken from the code for the preauth hint. */
export const WEBEX_CONFIG = resolveConfig(
  { clientId: 'client-webex', redirectUri: REDIRECT_URI, scope: 'spark:all', profile: 'webex' },
  true,
);

// The secrets of a login. Each is distinctive, so a leak into any message or event is found by search.
export const CODE = 'code-S3cret-4f9a';
/** A Webex-style code whose third `_` segment is the org id. */
export const WEBEX_CODE = 'authcode_cluster7_org42_S3cret';
export const CSRF = 'csrf-S3cret-7c21';
export const VERIFIER = 'verifier-S3cret-0b8e-0123456789-abcdefghijklmnopqrstu';
export const POPUP_ID = 'popup-id-S3cret-91';
/** The device code of a QR login (RFC 8628 §3.2): only the device and the server may see it. */
export const DEVICE_CODE = 'device-code-S3cret-5d3e';

const token = (name: string, scope: string, expires: number): Token => ({
  access_token: `AT-S3cret-${name}`,
  token_type: 'Bearer',
  refresh_token: `RT-S3cret-${name}`,
  id_token: `IDT-S3cret-${name}`,
  scope,
  expires,
});

/** Tokens with distinct scopes and expiry times, so an event's data shows which token was in context. */
export const REDIRECT_TOKEN = token('redirect', 'openid profile', 1_900_000_000_000);
export const POPUP_TOKEN = token('popup', 'openid email', 1_900_000_100_000);
export const CODE_TOKEN = token('code', 'spark:all', 1_900_000_200_000);
export const DEVICE_TOKEN = token('device', 'spark:all offline', 1_900_000_300_000);
/** The token response a device poll receives, from which {@link DEVICE_TOKEN} is built. */
export const DEVICE_RESPONSE: TokenResponse = {
  access_token: DEVICE_TOKEN.access_token,
  token_type: 'bearer',
  expires_in: 3600,
  refresh_token: DEVICE_TOKEN.refresh_token!,
  id_token: DEVICE_TOKEN.id_token!,
  scope: DEVICE_TOKEN.scope!,
};

/**
 * When this module was loaded: the session tokens expire relative to it, so that "already expired"
 * and "not due for a long time" hold for the whole run whatever the wall clock says.
 */
const LOADED_AT = Date.now();
const HOUR_MS = 3_600_000;

const sessionToken = (name: string, fields: Partial<Token>): Token => ({
  access_token: `AT-S3cret-session-${name}`,
  token_type: 'Bearer',
  scope: `session:${name}`,
  ...fields,
});

/**
 * The tokens of the session suite, one per kind the session machine tells apart: whether it
 * expires (and whether that is past: a refresh is due at once, or far ahead: not due for the whole
 * run), and whether it has a refresh token. Each has its own scope, so an event's data shows which.
 */
export const SESSION_TOKENS = {
  /** Expires in an hour, refreshable: the usual login. */
  hour: sessionToken('hour', { expires: LOADED_AT + HOUR_MS, refresh_token: 'RT-S3cret-session-hour' }),
  /** Expired an hour ago, refreshable: the refresh is due at once. */
  expired: sessionToken('expired', {
    expires: LOADED_AT - HOUR_MS,
    refresh_token: 'RT-S3cret-session-expired',
  }),
  /** Expires in ten years: 60 % of that is beyond what `setTimeout` can wait. */
  far: sessionToken('far', {
    expires: LOADED_AT + 10 * 365 * 24 * HOUR_MS,
    refresh_token: 'RT-S3cret-session-far',
  }),
  /** Refreshable, but the server gave no `expires_in`: nothing to refresh ahead of. */
  noExpiry: sessionToken('no-expiry', { refresh_token: 'RT-S3cret-session-no-expiry' }),
  /** Expires in an hour, no refresh token: only a `refreshCallback` can refresh it. */
  bare: sessionToken('bare', { expires: LOADED_AT + HOUR_MS }),
  /** Neither an expiry nor a refresh token. */
  bareNoExpiry: sessionToken('bare-no-expiry', {}),
  /** What a refresh returns: a rotated refresh token (RFC 9700 §4.14). */
  refreshed: sessionToken('refreshed', {
    expires: LOADED_AT + 2 * HOUR_MS,
    refresh_token: 'RT-S3cret-session-refreshed',
  }),
  /** What another tab stored or announced. */
  otherTab: sessionToken('other-tab', {
    expires: LOADED_AT + 3 * HOUR_MS,
    refresh_token: 'RT-S3cret-session-other-tab',
  }),
} as const satisfies Record<string, Token>;

/** Whether `token` had expired when this module was loaded (its refresh is due at once). */
export const expiredAtLoad = (token: Token): boolean =>
  token.expires !== undefined && token.expires <= LOADED_AT;

export const SECRETS: readonly string[] = [
  CODE,
  WEBEX_CODE,
  CSRF,
  VERIFIER,
  POPUP_ID,
  DEVICE_CODE,
  ...[REDIRECT_TOKEN, POPUP_TOKEN, CODE_TOKEN, DEVICE_TOKEN].flatMap((t) => [
    t.access_token,
    t.refresh_token!,
    t.id_token!,
  ]),
  ...Object.values(SESSION_TOKENS).flatMap((t: Token) => [
    t.access_token,
    ...(t.refresh_token ? [t.refresh_token] : []),
  ]),
];

/** Server metadata as `discoverServer` resolves it. */
export function serverMetadata(issuer: string | undefined, issRequired: boolean): ServerMetadata {
  return {
    issuer,
    authorizationEndpoint: `${ISSUER}/authorize`,
    tokenEndpoint: `${ISSUER}/token`,
    deviceAuthorizationEndpoint: undefined,
    deviceTokenEndpoint: `${ISSUER}/token`,
    revocationEndpoint: undefined,
    endSessionEndpoint: undefined,
    issRequired,
  };
}

/** A `state` as a login puts it in the authorize URL: the CSRF token plus the given keys. */
export function loginState(extra: StateObject = {}): string {
  return encodeState({ csrf_token: CSRF, ...extra });
}

/**
 * A callback URL on the app's redirect URI, with the app's own query parameter and fragment kept
 * around the OAuth parameters; `params` may repeat a name.
 */
export function callbackUrl(params: ReadonlyArray<readonly [string, string]>): string {
  const query = new URLSearchParams([
    ['tab', 'inbox'],
    ...params.map(([k, v]) => [k, v] as [string, string]),
  ]);
  return `${REDIRECT_URI}?${query.toString()}#/home`;
}

/** Every string an error exposes: name, message, `String()`, its own fields, and the same for its causes. */
function errorTexts(error: unknown, depth = 0): string[] {
  if (!(error instanceof Error) || depth > 5) return [String(error)];
  const own = Object.fromEntries(Object.entries(error));
  return [
    error.name,
    error.message,
    String(error),
    JSON.stringify(own),
    ...(error.cause === undefined ? [] : errorTexts(error.cause, depth + 1)),
  ];
}

/** The secrets that occur in `text` (one assertion per check: `expect` calls dominate a replay's cost). */
const secretsIn = (text: string): string[] => SECRETS.filter((secret) => text.includes(secret));

/** Asserts that no secret (code, CSRF token, verifier, token) appears in `error`'s texts. */
export function expectNoSecretIn(error: unknown, where: string): void {
  const leaked = secretsIn(errorTexts(error).join('\n'));
  expect(leaked, `${where}: the error "${String(error)}" reveals a secret`).toEqual([]);
}

/** Asserts that no secret appears in emitted events, errors serialised by name and message. */
export function expectNoSecretInEvents(events: readonly EventObject[], where: string): void {
  if (events.length === 0) return;
  const json = JSON.stringify(events, (_key, value: unknown) =>
    value instanceof Error ? errorTexts(value) : value,
  );
  expect(secretsIn(json), `${where}: an emitted event reveals a secret`).toEqual([]);
}

/** The stand-ins still running. */
export const activeIds = (invocations: readonly Invocation[]): string[] =>
  invocations.filter((i) => i.status === 'active').map((i) => i.id);

/** The `done`/`error` event of an invoke id, if `event` is one. */
export function settled(
  event: EventObject,
): { id: string; outcome: 'done' | 'error'; value: unknown } | undefined {
  const done = /^xstate\.done\.actor\.(.+)$/.exec(event.type);
  if (done) return { id: done[1]!, outcome: 'done', value: (event as { output?: unknown }).output };
  const error = /^xstate\.error\.actor\.(.+)$/.exec(event.type);
  if (error) return { id: error[1]!, outcome: 'error', value: (event as { error?: unknown }).error };
  return undefined;
}

/**
 * Hand-picked event sequences as replayable paths: each folded with the pure `transition()` from the
 * initial snapshot, exactly as `generatePaths` folds the paths it returns.
 *
 * Not `generatePaths({ sequences })`: that goes through xstate/graph's `getPathsFromEvents`, which
 * first builds the adjacency map of every event of the sequence tried in every reachable state. An
 * `xstate.error.actor.<id>` tried where nothing handles it puts the machine in `status: 'error'` with
 * its children stopped, and a `sendTo` a child in a later transition from there throws ("Unable to
 * send event to actor"), so any sequence with an error event aborts the suite.
 */
export function sequencePaths<TMachine extends AnyStateMachine>(
  machine: TMachine,
  input: InputFrom<TMachine>,
  sequences: readonly (readonly EventObject[])[],
): ModelPath<TMachine>[] {
  const logic: AnyStateMachine = machine;
  const [initial] = initialTransition(logic, input);
  return sequences.map((events) => {
    const steps = [{ event: { type: 'xstate.init' } as EventObject, state: initial }];
    for (const event of events) {
      const [state] = transition(logic, steps[steps.length - 1]!.state, event);
      steps.push({ event, state });
      // A machine that no longer handles a step of the sequence stops here (an unhandled error
      // event leaves it in `status: 'error'`, from where the next `sendTo` would throw while the
      // suite is collected): the replay then fails at this step, naming it, instead.
      if (state.status !== 'active') break;
    }
    return { state: steps[steps.length - 1]!.state, steps, weight: steps.length - 1 } as ModelPath<TMachine>;
  });
}

/**
 * The end of every suite: print `<name>: states a/b, transitions c/d` and the number of paths run,
 * then fail below 100 %.
 */
export function expectFullCoverage(coverage: Coverage, name: string, pathCount: number): void {
  const { states, transitions } = coverage.report();
  console.log(
    `${name}: states ${states.covered}/${states.total}, transitions ${transitions.covered}/${transitions.total}`,
  );
  console.log(`${name}: ${pathCount} paths replayed`);
  expect(states.missing, `${name}: states never reached`).toEqual([]);
  expect(transitions.missing, `${name}: transitions never taken`).toEqual([]);
  expect(states.covered).toBe(states.total);
  expect(transitions.covered).toBe(transitions.total);
}
