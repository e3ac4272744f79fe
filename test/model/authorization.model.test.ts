/**
 * Model-based tests of the authorization (root) machine (SPEC §9): the start-up redirect ending
 * each way, then logins (announced or not, with various options) ending each way and direct code
 * exchanges, replayed on a real actor whose children (the redirect and login machines, the code
 * exchange) are settleable stand-ins. The suite checks what the facade's user sees: `ready`, the
 * token in context, and the `login` channel's events, in order, carrying no secret.
 */
import { describe, expect, it } from 'vitest';
import type { EventObject, SnapshotFrom } from 'xstate';
import {
  type AuthorizationEvent,
  type AuthorizationInput,
  authorizationMachine,
  type ReadyResult,
} from '../../machines/authorization.js';
import type { LoginOutput } from '../../machines/login.js';
import type { RedirectOutput } from '../../machines/redirect.js';
import { CsrfMismatchError, InvalidGrantError, PopupBlockedError } from '../../src/errors.js';
import type { LoginEmitted, LoginSuccessData } from '../../src/events.js';
import {
  createCoverage,
  createEventCases,
  describePath,
  doneEvent,
  errorEvent,
  generatePaths,
  type ModelPath,
  replayPath,
} from '../../src/testing/index.js';
import type { Token } from '../../src/token.js';
import {
  activeIds,
  CODE,
  CODE_TOKEN,
  CONFIG,
  callbackUrl,
  expectFullCoverage,
  expectNoSecretIn,
  expectNoSecretInEvents,
  ISSUER,
  loginState,
  POPUP_TOKEN,
  REDIRECT_TOKEN,
  settled,
  VERIFIER,
} from './support.js';

type RootSnapshot = SnapshotFrom<typeof authorizationMachine>;
type RootPath = ModelPath<typeof authorizationMachine>;

const INPUTS: readonly { name: string; input: AuthorizationInput }[] = [
  {
    name: 'started on a callback URL',
    input: {
      config: CONFIG,
      href: callbackUrl([
        ['code', CODE],
        ['state', loginState()],
        ['iss', ISSUER],
      ]),
    },
  },
  { name: 'started outside a browser (no URL)', input: { config: CONFIG, href: undefined } },
];

const REDIRECT_RESULTS: readonly RedirectOutput[] = [
  { outcome: 'authorized', token: REDIRECT_TOKEN },
  { outcome: 'failed', error: new CsrfMismatchError() },
  { outcome: 'none' },
];

const LOGIN_RESULTS: readonly LoginOutput[] = [
  { outcome: 'authorized', token: POPUP_TOKEN },
  { outcome: 'failed', error: new PopupBlockedError() },
  { outcome: 'redirected' },
];

/** `initiateLogin` (announced) with each kind of options, and the lower-level call (not announced). */
const LOGINS: readonly AuthorizationEvent[] = [
  { type: 'LOGIN', options: undefined, announce: true },
  { type: 'LOGIN', options: { email: 'user@example.com', state: { returnTo: '/inbox' } }, announce: true },
  { type: 'LOGIN', options: { state: {} }, announce: true },
  { type: 'LOGIN', options: { separateWindow: true }, announce: false },
  { type: 'LOGIN', options: { state: 'x' } as never, announce: true },
];

const EXCHANGES: readonly AuthorizationEvent[] = [
  { type: 'EXCHANGE_CODE', code: CODE, codeVerifier: VERIFIER },
  { type: 'EXCHANGE_CODE', code: CODE, codeVerifier: undefined },
];

const events = createEventCases<RootSnapshot>({
  // One interaction at a time: in a busy state the same calls must be ignored.
  user: (snapshot) => (snapshot.matches('idle') ? [...LOGINS, ...EXCHANGES] : [LOGINS[0]!, EXCHANGES[0]!]),
  done: { redirect: REDIRECT_RESULTS, login: LOGIN_RESULTS, exchangeCode: [CODE_TOKEN] },
  errors: {
    redirect: [new TypeError('The redirect machine crashed'), 'a rejection that is no Error'],
    login: [new TypeError('The login machine crashed'), 'a rejection that is no Error'],
    exchangeCode: [
      new InvalidGrantError({ error: 'invalid_grant', error_description: 'The code was already used' }),
      'a rejection that is no Error',
    ],
  },
});

/** Which token is stored: bounded (one per way of getting one), never the token itself. */
const tokenKind = (token: Token | undefined): string => {
  if (token === undefined) return '-';
  return ['redirect', 'popup', 'code'][[REDIRECT_TOKEN, POPUP_TOKEN, CODE_TOKEN].indexOf(token)] ?? 'other';
};

const serializeState = (snapshot: RootSnapshot) =>
  `${JSON.stringify(snapshot.value)} ${snapshot.status} ready=${snapshot.context.ready?.outcome ?? '-'} ` +
  `token=${tokenKind(snapshot.context.token)} lastError=${snapshot.context.lastError?.name ?? '-'}`;

/** Loops over `idle`: a failed login then a successful one, a failed exchange then a good one, and so on. */
const LOOPS: readonly EventObject[][] = [
  [
    doneEvent('redirect', REDIRECT_RESULTS[2]),
    LOGINS[0]!,
    doneEvent('login', LOGIN_RESULTS[1]),
    LOGINS[3]!,
    doneEvent('login', LOGIN_RESULTS[0]),
    EXCHANGES[0]!,
    errorEvent('exchangeCode', new InvalidGrantError({ error: 'invalid_grant' })),
    EXCHANGES[1]!,
    doneEvent('exchangeCode', CODE_TOKEN),
    LOGINS[1]!,
    doneEvent('login', LOGIN_RESULTS[2]),
  ],
  [
    doneEvent('redirect', REDIRECT_RESULTS[1]),
    EXCHANGES[0]!,
    doneEvent('exchangeCode', CODE_TOKEN),
    LOGINS[0]!,
    doneEvent('login', LOGIN_RESULTS[0]),
    LOGINS[0]!,
    doneEvent('login', LOGIN_RESULTS[1]),
  ],
];

const suites = INPUTS.map(({ name, input }) => ({
  name,
  input,
  paths: generatePaths(authorizationMachine, {
    events,
    serializeState,
    input,
    strategy: 'transitions',
    sequences: LOOPS,
  }),
}));
const pathCount = suites.reduce((sum, suite) => sum + suite.paths.length, 0);
const coverage = createCoverage(authorizationMachine);
const inspect = coverage.inspect;
const attempted = new Set<RootPath>();

// ---------------------------------------------------------------------------------------------
// The oracle: what `createAuthorization`'s user sees after each event.

type ErrorMatch = { same: Error } | { generic: string };

interface Model {
  value: 'processingRedirect' | 'idle' | 'loggingIn' | 'exchangingCode';
  token: Token | undefined;
  /** `whenReady()`'s result; its error as a matcher. */
  ready: { outcome: ReadyResult['outcome']; error?: ErrorMatch } | undefined;
  lastError: ErrorMatch | undefined;
  /** The `login` channel's events of this step; errors as matchers. */
  emits: (
    | { eventType: 'initiateLogin'; data: unknown }
    | { eventType: 'authorizationSuccess'; data: LoginSuccessData }
    | { eventType: 'authorizationFailure'; error: ErrorMatch }
  )[];
  /** The child started in this step: its invoke id and input. */
  starts: { id: string; input: unknown }[];
}

const success = (via: LoginSuccessData['via'], token: Token) => ({
  eventType: 'authorizationSuccess' as const,
  data: { via, scope: token.scope, expires: token.expires },
});

/** A child that fails (rejects) instead of reporting an outcome: its error, or a generic one for a non-Error. */
const childError = (value: unknown): ErrorMatch =>
  value instanceof Error ? { same: value } : { generic: 'The login failed' };

function next(model: Model, event: EventObject): Model {
  const base = { ...model, emits: [], starts: [] };
  const answer = settled(event);
  if (model.value === 'processingRedirect' && answer?.id === 'redirect' && answer.outcome === 'error') {
    // The redirect machine failing is a failed start-up like a rejected callback (SPEC §3 "every
    // error lands in a state"): `ready` still becomes true, reporting the error, which is announced.
    const error = childError(answer.value);
    return {
      ...base,
      value: 'idle',
      ready: { outcome: 'failed', error },
      lastError: error,
      emits: [{ eventType: 'authorizationFailure', error }],
    };
  }
  if (model.value === 'processingRedirect' && answer?.id === 'redirect') {
    const result = answer.value as RedirectOutput;
    // `ready` whatever the outcome; success is announced only once the token is stored.
    if (result.outcome === 'authorized') {
      return {
        ...base,
        value: 'idle',
        token: result.token,
        ready: { outcome: 'authorized' },
        emits: [success('redirect', result.token)],
      };
    }
    if (result.outcome === 'failed') {
      const error = { same: result.error };
      return {
        ...base,
        value: 'idle',
        ready: { outcome: 'failed', error },
        lastError: error,
        emits: [{ eventType: 'authorizationFailure', error }],
      };
    }
    return { ...base, value: 'idle', ready: { outcome: 'none' } };
  }
  if (model.value === 'idle' && event.type === 'LOGIN') {
    const { options, announce } = event as Extract<AuthorizationEvent, { type: 'LOGIN' }>;
    return {
      ...base,
      value: 'loggingIn',
      lastError: undefined,
      emits: announce
        ? [
            {
              eventType: 'initiateLogin',
              data: { hasEmail: options?.email !== undefined, hasState: options?.state !== undefined },
            },
          ]
        : [],
      starts: [{ id: 'login', input: { config: CONFIG, options } }],
    };
  }
  if (model.value === 'loggingIn' && answer?.id === 'login' && answer.outcome === 'error') {
    // The login machine failing is a failed login: the error is kept for the facade and announced.
    const error = childError(answer.value);
    return {
      ...base,
      value: 'idle',
      lastError: error,
      emits: [{ eventType: 'authorizationFailure', error }],
    };
  }
  if (model.value === 'loggingIn' && answer?.id === 'login') {
    const result = answer.value as LoginOutput;
    if (result.outcome === 'authorized') {
      return { ...base, value: 'idle', token: result.token, emits: [success('popup', result.token)] };
    }
    if (result.outcome === 'failed') {
      const error = { same: result.error };
      return {
        ...base,
        value: 'idle',
        lastError: error,
        emits: [{ eventType: 'authorizationFailure', error }],
      };
    }
    return { ...base, value: 'idle' };
  }
  if (model.value === 'idle' && event.type === 'EXCHANGE_CODE') {
    const { code, codeVerifier } = event as Extract<AuthorizationEvent, { type: 'EXCHANGE_CODE' }>;
    return {
      ...base,
      value: 'exchangingCode',
      lastError: undefined,
      starts: [{ id: 'exchangeCode', input: { config: CONFIG, server: undefined, code, codeVerifier } }],
    };
  }
  if (model.value === 'exchangingCode' && answer?.id === 'exchangeCode') {
    if (answer.outcome === 'done') {
      const token = answer.value as Token;
      return { ...base, value: 'idle', token, emits: [success('code', token)] };
    }
    const error = childError(answer.value);
    return {
      ...base,
      value: 'idle',
      lastError: error,
      emits: [{ eventType: 'authorizationFailure', error }],
    };
  }
  // Anything else (a second call while one interaction runs) changes nothing.
  if (event.type === 'LOGIN' || event.type === 'EXCHANGE_CODE') return base;
  throw new Error(`the oracle has no rule for ${event.type} in ${model.value}`);
}

const RUNNING: Record<Model['value'], string[]> = {
  processingRedirect: ['redirect'],
  idle: [],
  loggingIn: ['login'],
  exchangingCode: ['exchangeCode'],
};

function expectError(actual: unknown, match: ErrorMatch, where: string): void {
  if ('same' in match) expect(actual, where).toBe(match.same);
  else {
    expect(actual, where).toBeInstanceOf(Error);
    expect((actual as Error).message, where).toBe(match.generic);
  }
  expectNoSecretIn(actual, where);
}

async function replayRoot(name: string, input: AuthorizationInput, path: RootPath) {
  attempted.add(path);
  let model: Model | undefined;
  let readyBefore: ReadyResult | undefined;
  const replay = await replayPath(authorizationMachine, path, {
    input,
    inspect,
    onStep: (step, actor, { invocations, emitted, pendingTimers }) => {
      const where = `${name}, step ${step.index} (${describePath({ steps: path.steps.slice(0, step.index + 1) })})`;
      model =
        model === undefined
          ? {
              value: 'processingRedirect',
              token: undefined,
              ready: undefined,
              lastError: undefined,
              emits: [],
              // The page URL is processed once, at start, as the page's own location.
              starts: [
                { id: 'redirect', input: { config: CONFIG, href: input.href ?? '', source: 'location' } },
              ],
            }
          : next(model, step.event);
      const snapshot = actor.getSnapshot();
      expect(snapshot.value, where).toBe(model.value);
      expect(snapshot.status, where).toBe('active');

      // What the facade reads: the token, `ready`, the last error.
      expect(snapshot.context.token, where).toBe(model.token);
      const { ready } = snapshot.context;
      expect(ready?.outcome, where).toBe(model.ready?.outcome);
      if (model.ready?.error) expectError(ready?.error, model.ready.error, where);
      else expect(ready?.error, where).toBeUndefined();
      if (model.lastError) expectError(snapshot.context.lastError, model.lastError, where);
      else expect(snapshot.context.lastError, where).toBeUndefined();
      // `ready` is settled once: a failed start-up reports the error the facade reads, and nothing
      // that happens afterwards changes what `whenReady()` says.
      if (readyBefore === undefined && ready?.outcome === 'failed') {
        expect(ready.error, `${where}: whenReady() reports the start-up error`).toBe(
          snapshot.context.lastError,
        );
      }
      if (readyBefore !== undefined) {
        expect(ready?.outcome, `${where}: ready is settled once`).toBe(readyBefore.outcome);
        expect(ready?.error, `${where}: ready is settled once`).toBe(readyBefore.error);
      }
      readyBefore = ready;

      // The `login` channel: exactly these events, in order. `authorizationSuccess` reports the
      // scope and expiry of the token that is in context (each way of logging in has its own).
      const emittedNow = (step.index === 0 ? emitted : step.emitted) as readonly LoginEmitted[];
      expect(
        emittedNow.map((e) => e.eventType),
        where,
      ).toEqual(model.emits.map((e) => e.eventType));
      model.emits.forEach((expected, i) => {
        const actual = emittedNow[i]!;
        expect(actual.type, where).toBe('login');
        if (expected.eventType === 'authorizationFailure') {
          const { error } = actual.data as { error: unknown };
          expectError(error, expected.error, where);
          expect(error, `${where}: the announced error is the one the facade reads`).toBe(
            actor.getSnapshot().context.lastError,
          );
        } else {
          expect(actual.data, where).toEqual(expected.data);
        }
        if (expected.eventType === 'authorizationSuccess') {
          const { token } = actor.getSnapshot().context;
          expect(actual.data, `${where}: the token is stored before success is announced`).toEqual({
            via: (expected.data as LoginSuccessData).via,
            scope: token?.scope,
            expires: token?.expires,
          });
        }
      });
      expectNoSecretInEvents(emittedNow, where);

      // The children started in this step and still running; no timer in the root machine.
      const startedNow = step.index === 0 ? invocations : step.invocations;
      expect(
        startedNow.map(({ id, input: childInput }) => ({ id, input: childInput })),
        where,
      ).toEqual(model.starts);
      expect(activeIds(invocations), where).toEqual(RUNNING[model.value]);
      expect(pendingTimers(), where).toEqual([]);
    },
  });
  replay.stop();
  expect(replay.pendingTimers(), 'stopping clears every timer').toEqual([]);
  expect(activeIds(replay.invocations), 'stopping stops every child').toEqual([]);
}

describe('authorization machine: model-based paths', () => {
  for (const { name, input, paths } of suites) {
    describe(name, () => {
      it.each(paths.map((path) => [describePath(path), path] as const))('%s', async (_name, path) => {
        await replayRoot(name, input, path);
      });
    });
  }

  it('reaches every state and transition of the machine', async () => {
    for (const { name, input, paths } of suites) {
      for (const path of paths) if (!attempted.has(path)) await replayRoot(name, input, path);
    }
    expectFullCoverage(coverage, 'authorization', pathCount);
  });
});
