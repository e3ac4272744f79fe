/**
 * Model-based tests of the authorization (root) machine (SPEC §9). The root is parallel: the
 * `interaction` region runs the start-up redirect (ending each way), then logins (announced or not,
 * with various options) ending each way and direct code exchanges; the `deviceFlow` region runs one
 * QR-code login at a time (a second `initQRCodeLogin` is refused, `cancelQRCodePolling` is passed
 * on to the running device machine) whatever the interaction region is doing; the `credentials`
 * region runs the session machine for as long as the instance lives and passes `credentials.refresh()`
 * and `logout()` on to it. Paths are replayed on a real actor whose children (the redirect, login,
 * device and session machines, the code exchange) are settleable stand-ins. The suite checks what
 * the facade's user sees: `ready`, the last error, the token each login hands the session (stored
 * there before success is announced) and the `login` and `qRCodeLogin` channels' events, in order,
 * carrying no secret (but for the token response that QR `authorizationSuccess` hands over by
 * design, SPEC §4).
 *
 * The product of the regions (and of the bounded context flags) is too large for every simple path,
 * so the suite takes every edge of the graph once (`transitions`) plus hand-picked sequences.
 */
import { describe, expect, it } from 'vitest';
import type { EventObject } from 'xstate';
import {
  type AuthorizationEvent,
  type AuthorizationInput,
  authorizationMachine,
  type ReadyResult,
} from '../../machines/authorization.js';
import type { DeviceAuthorizationOutput } from '../../machines/deviceAuthorization.js';
import type { LoginOutput } from '../../machines/login.js';
import type { RedirectOutput } from '../../machines/redirect.js';
import type { LoginEmitted, LoginSuccessData, QRCodeLoginEmitted } from '../../src/events.js';
import { createCoverage, describePath, type Invocation, replayPath } from '../../src/testing/index.js';
import type { Token } from '../../src/token.js';
import { pathCount, type RootPath, suites } from './authorization.paths.js';
import {
  activeIds,
  CONFIG,
  expectFullCoverage,
  expectNoSecretIn,
  expectNoSecretInEvents,
  settled,
} from './support.js';

const coverage = createCoverage(authorizationMachine);
const inspect = coverage.inspect;
const attempted = new Set<RootPath>();

// ---------------------------------------------------------------------------------------------
// The oracle: what `createAuthorization`'s user sees after each event.

type ErrorMatch = { same: Error } | { generic: string };

type Interaction = 'processingRedirect' | 'idle' | 'loggingIn' | 'exchangingCode';

type Emit =
  | { type: 'login'; eventType: 'initiateLogin'; data: unknown }
  | { type: 'login'; eventType: 'authorizationSuccess'; data: LoginSuccessData }
  | { type: 'login'; eventType: 'authorizationFailure'; error: ErrorMatch }
  | QRCodeLoginEmitted;

/** What the session machine is told: a token to store, or a call passed on. */
type SessionCall =
  | { type: 'TOKEN.RECEIVED'; token: Token }
  | Extract<AuthorizationEvent, { type: 'REFRESH' | 'LOGOUT' }>;

interface Model {
  interaction: Interaction;
  deviceFlow: 'idle' | 'running';
  /** Everything the session machine has been told since it started: stored tokens, forwarded calls. */
  sessionReceived: SessionCall[];
  /** `whenReady()`'s result; its error as a matcher. */
  ready: { outcome: ReadyResult['outcome']; error?: ErrorMatch } | undefined;
  lastError: ErrorMatch | undefined;
  /** The events of this step on both channels, in order; errors as matchers. */
  emits: Emit[];
  /** The child started in this step: its invoke id and input. */
  starts: { id: string; input: unknown }[];
  /** What the running QR login (the device machine) has been told since it started. */
  deviceReceived: { type: 'CANCEL'; withCancelEvent: boolean }[];
}

const success = (via: LoginSuccessData['via'], token: Token) => ({
  type: 'login' as const,
  eventType: 'authorizationSuccess' as const,
  data: { via, scope: token.scope, expires: token.expires },
});

/** A login succeeded: the session is handed the token (to store it) before anything is announced. */
const store = (model: Model, token: Token): Model => ({
  ...model,
  lastError: undefined,
  sessionReceived: [...model.sessionReceived, { type: 'TOKEN.RECEIVED', token }],
});

const loginFailure = (error: ErrorMatch) => ({
  type: 'login' as const,
  eventType: 'authorizationFailure' as const,
  error,
});

/** A child that fails (rejects) instead of reporting an outcome: its error, or a generic one for a non-Error. */
const childError = (value: unknown): ErrorMatch =>
  value instanceof Error ? { same: value } : { generic: 'The login failed' };

/** The QR-code login region; `undefined` when the event is not about it. */
function nextDevice(model: Model, event: EventObject): Model | undefined {
  const answer = settled(event);
  if (event.type === 'QR_START' && model.deviceFlow === 'idle') {
    return {
      ...model,
      deviceFlow: 'running',
      deviceReceived: [],
      starts: [{ id: 'deviceAuthorization', input: { config: CONFIG } }],
    };
  }
  if (event.type === 'QR_START') {
    // SPEC §3: a second initQRCodeLogin while one runs is refused, and changes nothing.
    const data = { message: 'There is already a polling request' };
    return { ...model, emits: [{ type: 'qRCodeLogin', eventType: 'getUserCodeFailure', data }] };
  }
  if (event.type === 'QR_CANCEL' && model.deviceFlow === 'running') {
    // The device machine cancels (and announces it, or not); the root only passes the call on.
    const { withCancelEvent } = event as Extract<AuthorizationEvent, { type: 'QR_CANCEL' }>;
    return { ...model, deviceReceived: [...model.deviceReceived, { type: 'CANCEL', withCancelEvent }] };
  }
  if (event.type === 'QR_CANCEL') return model; // nothing to cancel: no event either
  if (answer?.id !== 'deviceAuthorization') return undefined;
  const ended = { ...model, deviceFlow: 'idle' as const, deviceReceived: [] };
  if (answer.outcome === 'error') {
    // The device machine crashing ends the QR login with authorizationFailure {message}.
    const error = childError(answer.value);
    const message = 'same' in error ? error.same.message : error.generic;
    return {
      ...ended,
      emits: [{ type: 'qRCodeLogin', eventType: 'authorizationFailure', data: { message } }],
    };
  }
  const result = answer.value as DeviceAuthorizationOutput;
  if (result.outcome === 'authorized') {
    // The supertoken is set, then success is announced with the token response (SPEC §4).
    return {
      ...ended,
      sessionReceived: [...model.sessionReceived, { type: 'TOKEN.RECEIVED', token: result.token }],
      emits: [{ type: 'qRCodeLogin', eventType: 'authorizationSuccess', data: { ...result.response } }],
    };
  }
  // Failed or cancelled: the device machine already said so on the qRCodeLogin channel.
  return ended;
}

function next(previous: Model, event: EventObject): Model {
  const model: Model = { ...previous, emits: [], starts: [] };
  if (event.type === 'REFRESH' || event.type === 'LOGOUT') {
    // The session's business, whatever the other regions do: passed on exactly as the facade sent it.
    return { ...model, sessionReceived: [...model.sessionReceived, event as SessionCall] };
  }
  const device = nextDevice(model, event);
  if (device) return device;
  const answer = settled(event);
  if (model.interaction === 'processingRedirect' && answer?.id === 'redirect' && answer.outcome === 'error') {
    // The redirect machine failing is a failed start-up like a rejected callback (SPEC §3 "every
    // error lands in a state"): `ready` still becomes true, reporting the error, which is announced.
    const error = childError(answer.value);
    return {
      ...model,
      interaction: 'idle',
      ready: { outcome: 'failed', error },
      lastError: error,
      emits: [loginFailure(error)],
    };
  }
  if (model.interaction === 'processingRedirect' && answer?.id === 'redirect') {
    const result = answer.value as RedirectOutput;
    // `ready` whatever the outcome; success is announced only once the token is stored, saying
    // whether the token came from a code or (opted in) straight from an implicit-grant fragment.
    if (result.outcome === 'authorized') {
      return {
        ...store(model, result.token),
        interaction: 'idle',
        ready: { outcome: 'authorized' },
        emits: [success(result.via === 'implicit' ? 'implicit' : 'redirect', result.token)],
      };
    }
    if (result.outcome === 'failed') {
      const error = { same: result.error };
      return {
        ...model,
        interaction: 'idle',
        ready: { outcome: 'failed', error },
        lastError: error,
        emits: [loginFailure(error)],
      };
    }
    // How the start-up redirect ended, whatever a QR login in the other region did meanwhile.
    return { ...model, interaction: 'idle', ready: { outcome: 'none' } };
  }
  if (model.interaction === 'idle' && event.type === 'LOGIN') {
    const { options, announce } = event as Extract<AuthorizationEvent, { type: 'LOGIN' }>;
    return {
      ...model,
      interaction: 'loggingIn',
      lastError: undefined,
      emits: announce
        ? [
            {
              type: 'login',
              eventType: 'initiateLogin',
              data: { hasEmail: options?.email !== undefined, hasState: options?.state !== undefined },
            },
          ]
        : [],
      starts: [{ id: 'login', input: { config: CONFIG, options } }],
    };
  }
  if (model.interaction === 'loggingIn' && answer?.id === 'login' && answer.outcome === 'error') {
    // The login machine failing is a failed login: the error is kept for the facade and announced.
    const error = childError(answer.value);
    return { ...model, interaction: 'idle', lastError: error, emits: [loginFailure(error)] };
  }
  if (model.interaction === 'loggingIn' && answer?.id === 'login') {
    const result = answer.value as LoginOutput;
    if (result.outcome === 'authorized') {
      return { ...store(model, result.token), interaction: 'idle', emits: [success('popup', result.token)] };
    }
    if (result.outcome === 'failed') {
      const error = { same: result.error };
      return { ...model, interaction: 'idle', lastError: error, emits: [loginFailure(error)] };
    }
    return { ...model, interaction: 'idle' };
  }
  if (model.interaction === 'idle' && event.type === 'EXCHANGE_CODE') {
    const { code, codeVerifier } = event as Extract<AuthorizationEvent, { type: 'EXCHANGE_CODE' }>;
    return {
      ...model,
      interaction: 'exchangingCode',
      lastError: undefined,
      starts: [{ id: 'exchangeCode', input: { config: CONFIG, server: undefined, code, codeVerifier } }],
    };
  }
  if (model.interaction === 'exchangingCode' && answer?.id === 'exchangeCode') {
    if (answer.outcome === 'done') {
      const token = answer.value as Token;
      return { ...store(model, token), interaction: 'idle', emits: [success('code', token)] };
    }
    const error = childError(answer.value);
    return { ...model, interaction: 'idle', lastError: error, emits: [loginFailure(error)] };
  }
  // Anything else (a second call while one interaction runs) changes nothing.
  if (event.type === 'LOGIN' || event.type === 'EXCHANGE_CODE') return model;
  throw new Error(`the oracle has no rule for ${event.type} in ${model.interaction}`);
}

const RUNNING: Record<Interaction, string[]> = {
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
  /** The path, for messages: a failing step names its index in it. */
  const described = describePath(path);
  let model: Model | undefined;
  let readyBefore: ReadyResult | undefined;
  /** For each event emitted, in order: how many events the session had received at that moment. */
  const sessionReceivedAtEmit: number[] = [];
  const replay = await replayPath(authorizationMachine, path, {
    input,
    inspect,
    onStep: (step, actor, { invocations, emitted, pendingTimers }) => {
      const where = `${name}, step ${step.index} of ${described}`;
      const sessionOf = (all: readonly Invocation[]) => all.find((i) => i.id === 'session');
      if (model === undefined) {
        actor.on('*', () => {
          sessionReceivedAtEmit.push(sessionOf(invocations)?.received.length ?? 0);
        });
      }
      model =
        model === undefined
          ? {
              interaction: 'processingRedirect',
              deviceFlow: 'idle',
              sessionReceived: [],
              ready: undefined,
              lastError: undefined,
              emits: [],
              // The page URL is processed once, at start, as the page's own location; the session
              // (the stored token) lives as long as the instance.
              starts: [
                { id: 'redirect', input: { config: CONFIG, href: input.href ?? '', source: 'location' } },
                { id: 'session', input: { config: CONFIG } },
              ],
              deviceReceived: [],
            }
          : next(model, step.event);
      const snapshot = actor.getSnapshot();
      expect(snapshot.value, where).toEqual({
        interaction: model.interaction,
        deviceFlow: model.deviceFlow,
        credentials: 'active',
      });
      expect(snapshot.status, where).toBe('active');

      // What the facade reads: `ready`, the last error; the token is the session's, not the root's.
      expect(snapshot.context, `${where}: the root keeps no token`).not.toHaveProperty('token');
      const { ready } = snapshot.context;
      expect(ready?.outcome, `${where}: whenReady() reports how the start-up redirect ended`).toBe(
        model.ready?.outcome,
      );
      if (model.ready?.error) expectError(ready?.error, model.ready.error, where);
      else expect(ready?.error, where).toBeUndefined();
      if (model.lastError) expectError(snapshot.context.lastError, model.lastError, where);
      else expect(snapshot.context.lastError, `${where}: no error left over after a success`).toBeUndefined();
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

      // Both channels: exactly these events, in order. Login `authorizationSuccess` reports the
      // scope and expiry of the token handed to the session (each way of logging in has its own).
      const emittedNow = (step.index === 0 ? emitted : step.emitted) as readonly (
        | LoginEmitted
        | QRCodeLoginEmitted
      )[];
      const firstNow = emitted.length - emittedNow.length;
      expect(
        emittedNow.map((e) => `${e.type}.${e.eventType}`),
        where,
      ).toEqual(model.emits.map((e) => `${e.type}.${e.eventType}`));
      model.emits.forEach((expected, i) => {
        const actual = emittedNow[i]!;
        if (expected.eventType === 'authorizationSuccess') {
          // The session holds the token before success is announced (SPEC §3: a listener always
          // finds the new supertoken in place): it had received this step's TOKEN.RECEIVED, the
          // last thing it was told, when the event went out.
          expect(
            sessionReceivedAtEmit[firstNow + i],
            `${where}: the token is stored before success is announced`,
          ).toBe(model!.sessionReceived.length);
          expect(model!.sessionReceived.at(-1)?.type, where).toBe('TOKEN.RECEIVED');
        }
        if (expected.type === 'qRCodeLogin') {
          expect(actual, where).toEqual(expected);
          return;
        }
        if (expected.eventType === 'authorizationFailure') {
          const { error } = (actual as LoginEmitted).data as { error: unknown };
          expectError(error, expected.error, where);
          expect(error, `${where}: the announced error is the one the facade reads`).toBe(
            actor.getSnapshot().context.lastError,
          );
        } else {
          expect(actual, where).toEqual({
            type: expected.type,
            eventType: expected.eventType,
            data: expected.data,
          });
        }
        if (expected.eventType === 'authorizationSuccess') {
          const stored = (model!.sessionReceived.at(-1) as { token?: Token }).token;
          expect(
            (actual as LoginEmitted).data,
            `${where}: success reports the token the session was handed`,
          ).toEqual({
            via: expected.data.via,
            scope: stored?.scope,
            expires: stored?.expires,
          });
        }
      });
      // QR `authorizationSuccess` hands the app the token response (SPEC §4, as Webex does); every
      // other event carries no secret.
      expectNoSecretInEvents(
        emittedNow.filter((e) => !(e.type === 'qRCodeLogin' && e.eventType === 'authorizationSuccess')),
        where,
      );

      // The children started in this step and still running; no timer in the root machine.
      const startedNow = step.index === 0 ? invocations : step.invocations;
      expect(
        startedNow.map(({ id, input: childInput }) => ({ id, input: childInput })),
        where,
      ).toEqual(model.starts);
      const running = [
        ...RUNNING[model.interaction],
        ...(model.deviceFlow === 'running' ? ['deviceAuthorization'] : []),
        'session',
      ];
      expect(activeIds(invocations).sort(), where).toEqual(running.sort());
      // The QR login is told to cancel, exactly as asked; the session is handed every new token and
      // the calls meant for it, in order; nothing is sent to any other child.
      const devices = invocations.filter((i) => i.id === 'deviceAuthorization');
      if (model.deviceFlow === 'running')
        expect(devices.at(-1)?.received, where).toEqual(model.deviceReceived);
      expect(sessionOf(invocations)?.received, `${where}: what the session was told`).toEqual(
        model.sessionReceived,
      );
      for (const child of invocations) {
        if (child.id !== 'deviceAuthorization' && child.id !== 'session')
          expect(child.received, where).toEqual([]);
      }
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
