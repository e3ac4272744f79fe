/**
 * Model-based tests of the device authorization machine, the QR-code login (SPEC §3
 * "deviceAuthorization", §9, §10): on the rfc and webex profiles, with device codes that do or do
 * not carry `interval` and `expires_in`, every edge of the graph (a shortest path to each vertex,
 * then each event there), plus the loops the graph folds away (pending → pending, slow_down →
 * slow_down, transient failures in a row, the count reset by a real answer, cancel everywhere).
 * The actors are settleable stand-ins and a manual clock holds the poll, backoff and expiry timers.
 * After every step an oracle written from the SPEC says where the flow is, what the `qRCodeLogin`
 * channel hears, which request is in flight and with what, and which timers run with which delays.
 *
 * The graph is infinite in the context (`slow_down` raises the interval without bound), so a vertex
 * is the state value plus bounded flags: whether the device code carried an interval, whether the
 * interval was raised, and the transient failures in a row (0–4: the fifth ends the flow).
 */
import { describe, expect, it } from 'vitest';
import type { EventObject } from 'xstate';
import type { DeviceCode } from '../../actors/requestDeviceCode.js';
import {
  type DeviceAuthorizationEvent,
  type DeviceAuthorizationInput,
  type DeviceAuthorizationOutput,
  deviceAuthorizationMachine,
} from '../../machines/deviceAuthorization.js';
import type { ResolvedConfig } from '../../src/config.js';
import type { PollOutcome } from '../../src/devicePoll.js';
import { OAuthError } from '../../src/errors.js';
import type { DeviceFailureData, QRCodeLoginEmitted } from '../../src/events.js';
import { createCoverage, describePath, type Invocation, replayPath } from '../../src/testing/index.js';
import type { Token, TokenResponse } from '../../src/token.js';
import {
  BACKOFF,
  CODE_EXPIRY,
  type DevicePath,
  POLL_INTERVAL,
  pathCount,
  type Scenario,
  suites,
} from './deviceAuthorization.paths.js';
import {
  activeIds,
  DEVICE_CODE,
  expectFullCoverage,
  expectNoSecretIn,
  expectNoSecretInEvents,
  settled,
} from './support.js';

const coverage = createCoverage(deviceAuthorizationMachine);
const inspect = coverage.inspect;
const attempted = new Set<DevicePath>();

// ---------------------------------------------------------------------------------------------
// The oracle: the SPEC's device flow as (where the flow is, what happened) → what the user sees.

type ErrorMatch = { same: Error } | { message: string };

type Value =
  | 'requestingCode'
  | { polling: 'waiting' | 'requesting' | 'backingOff' }
  | 'authorized'
  | 'failed'
  | 'canceled';

interface Model {
  value: Value;
  device: DeviceCode | undefined;
  /** Seconds between polls. */
  interval: number;
  /** Transient failures in a row. */
  failures: number;
  /** How the flow ended (final states only). */
  result?:
    | { outcome: 'authorized'; token: Token; response: TokenResponse }
    | { outcome: 'failed'; error: ErrorMatch }
    | { outcome: 'canceled' };
  /**
   * The status of every request started so far, in order: a request answered is `done`/`error`; one
   * abandoned (cancel, expiry) is `stopped`, i.e. aborted, so a late answer can never be read.
   */
  requests: Invocation['status'][];
  /** The `qRCodeLogin` events of this step, exactly. */
  emits: QRCodeLoginEmitted[];
  /** The stand-ins started in this step. */
  starts: { id: string; src: string; input: unknown }[];
}

const WAITING = { polling: 'waiting' } as const;
const REQUESTING = { polling: 'requesting' } as const;
const BACKING_OFF = { polling: 'backingOff' } as const;
/** SPEC §10: the fifth transient failure in a row ends the flow. */
const MAX_FAILURES = 5;
/** SPEC §3: the codes' lifetime when the server gives no `expires_in`. */
const DEFAULT_EXPIRES_IN = 300;

const is = (model: Model, value: Value) => JSON.stringify(model.value) === JSON.stringify(value);
const polling = (model: Model) => typeof model.value === 'object';
const live = (model: Model) => is(model, 'requestingCode') || polling(model);

/** A rejection that is no Error still ends the flow with an Error. */
const childError = (value: unknown): ErrorMatch =>
  value instanceof Error ? { same: value } : { message: 'The device authorization failed' };

/** SPEC §4: failures carry `{message}`, plus the OAuth error code and description when there is one. */
function failureData(error: ErrorMatch): DeviceFailureData {
  if ('message' in error) return { message: error.message };
  const e = error.same;
  if (e instanceof OAuthError && e.error) {
    return { message: e.message, error: e.error, error_description: e.errorDescription };
  }
  return { message: e.message };
}

const qr = <T extends Omit<QRCodeLoginEmitted, 'type'>>(event: T) =>
  ({ type: 'qRCodeLogin', ...event }) as QRCodeLoginEmitted;

/** The requests once the one in flight (if any) ended `status`. */
const settle = (model: Model, status: Invocation['status']): Invocation['status'][] =>
  model.requests.map((s) => (s === 'active' ? status : s));

function fail(
  model: Model,
  error: ErrorMatch,
  eventType: 'getUserCodeFailure' | 'authorizationFailure',
  requests: Invocation['status'][],
): Model {
  return {
    ...model,
    value: 'failed',
    result: { outcome: 'failed', error },
    requests,
    emits: [qr({ eventType, data: failureData(error) })],
  };
}

function pollStart(config: ResolvedConfig, model: Model): Model['starts'] {
  return [
    {
      id: 'pollDeviceToken',
      src: 'pollDeviceToken',
      input: { config, deviceCode: DEVICE_CODE, tokenEndpoint: model.device?.tokenEndpoint },
    },
  ];
}

function initial(s: Scenario): Model {
  return {
    value: 'requestingCode',
    device: undefined,
    interval: s.defaultInterval,
    failures: 0,
    requests: ['active'],
    emits: [],
    starts: [{ id: 'requestDeviceCode', src: 'requestDeviceCode', input: { config: s.config } }],
  };
}

function next(s: Scenario, previous: Model, event: EventObject): Model {
  const model: Model = { ...previous, emits: [], starts: [] };
  const answer = settled(event);
  if (event.type === 'CANCEL' && live(model)) {
    // pollingCanceled only when asked for; the request in flight is aborted.
    const { withCancelEvent } = event as DeviceAuthorizationEvent;
    return {
      ...model,
      value: 'canceled',
      result: { outcome: 'canceled' },
      requests: settle(model, 'stopped'),
      emits: withCancelEvent ? [qr({ eventType: 'pollingCanceled' })] : [],
    };
  }
  if (is(model, 'requestingCode') && answer?.id === 'requestDeviceCode') {
    // A failed device-code request is not retried (SPEC §10).
    if (answer.outcome === 'error') {
      return fail(model, childError(answer.value), 'getUserCodeFailure', settle(model, 'error'));
    }
    const device = answer.value as DeviceCode;
    return {
      ...model,
      value: WAITING,
      device,
      requests: settle(model, 'done'),
      interval: device.interval ?? s.defaultInterval,
      emits: [
        qr({
          eventType: 'getUserCodeSuccess',
          userData: {
            userCode: device.userCode,
            verificationUri: device.verificationUri,
            verificationUriComplete: device.verificationUriComplete,
          },
        }),
      ],
    };
  }
  if (event.type === CODE_EXPIRY && polling(model)) {
    const timedOut = { message: 'Authorization timed out' };
    return fail(model, timedOut, 'authorizationFailure', settle(model, 'stopped'));
  }
  if (
    (event.type === POLL_INTERVAL && is(model, WAITING)) ||
    (event.type === BACKOFF && is(model, BACKING_OFF))
  ) {
    return {
      ...model,
      value: REQUESTING,
      requests: [...model.requests, 'active'],
      starts: pollStart(s.config, model),
    };
  }
  if (is(model, REQUESTING) && answer?.id === 'pollDeviceToken') {
    if (answer.outcome === 'error') {
      return fail(model, childError(answer.value), 'authorizationFailure', settle(model, 'error'));
    }
    const outcome = answer.value as PollOutcome;
    const requests = settle(model, 'done');
    switch (outcome.kind) {
      case 'pending':
        return {
          ...model,
          requests,
          value: WAITING,
          failures: 0,
          emits: [qr({ eventType: 'authorizationPending', data: outcome.body })],
        };
      case 'slowDown':
        // RFC 8628 §3.5: +5 s for this and every later poll, or the server's own interval.
        return {
          ...model,
          requests,
          value: WAITING,
          failures: 0,
          interval: outcome.interval ?? model.interval + 5,
        };
      case 'transient': {
        const failures = model.failures + 1;
        if (failures >= MAX_FAILURES) {
          return fail({ ...model, failures }, { same: outcome.error }, 'authorizationFailure', requests);
        }
        return { ...model, requests, value: BACKING_OFF, failures };
      }
      case 'success':
        // The root sets the token and announces success; this machine only hands it over.
        return {
          ...model,
          requests,
          value: 'authorized',
          result: { outcome: 'authorized', token: outcome.token, response: outcome.response },
        };
      case 'terminal':
        return fail(model, { same: outcome.error }, 'authorizationFailure', requests);
    }
  }
  throw new Error(`the oracle has no rule for ${event.type} in ${JSON.stringify(model.value)}`);
}

/** The stand-ins that must be running: at most one request, never two polls. */
function runningIn(model: Model): string[] {
  if (is(model, 'requestingCode')) return ['requestDeviceCode'];
  if (is(model, REQUESTING)) return ['pollDeviceToken'];
  return [];
}

/** The timers that must be set, oldest first, with their delays in ms. */
function timersIn(model: Model, target: string) {
  if (!polling(model)) return [];
  const timers = [
    { eventType: CODE_EXPIRY, delay: (model.device?.expiresIn ?? DEFAULT_EXPIRES_IN) * 1000, target },
  ];
  if (is(model, WAITING)) timers.push({ eventType: POLL_INTERVAL, delay: model.interval * 1000, target });
  if (is(model, BACKING_OFF)) {
    // Double the wait per failure in a row: 2, 4, 8, 16 intervals.
    timers.push({ eventType: BACKOFF, delay: model.interval * 1000 * 2 ** model.failures, target });
  }
  return timers;
}

function expectError(actual: unknown, match: ErrorMatch, where: string): void {
  if ('same' in match) expect(actual, `${where}: the actor's own error is kept`).toBe(match.same);
  else {
    expect(actual, where).toBeInstanceOf(Error);
    expect((actual as Error).message, where).toBe(match.message);
  }
  expectNoSecretIn(actual, where);
}

const started = (invocations: readonly Invocation[]) =>
  invocations.map(({ id, src, input }) => ({ id, src, input }));

async function replayDevice(s: Scenario, input: DeviceAuthorizationInput, path: DevicePath) {
  attempted.add(path);
  /** The path, for messages: a failing step names its index in it. */
  const described = describePath(path);
  let model: Model | undefined;
  const replay = await replayPath(deviceAuthorizationMachine, path, {
    input,
    inspect,
    onStep: (step, actor, { invocations, emitted, pendingTimers }) => {
      const where = `${s.name}, step ${step.index} of ${described}`;
      model = model === undefined ? initial(s) : next(s, model, step.event);
      const snapshot = actor.getSnapshot();
      expect(snapshot.value, where).toEqual(model.value);
      expect(snapshot.status, where).toBe(live(model) ? 'active' : 'done');

      // What the flow remembers: the device code, the interval (raised for good), the failure count.
      expect(snapshot.context.device, where).toBe(model.device);
      if (live(model)) {
        expect(snapshot.context.interval, `${where}: seconds between polls`).toBe(model.interval);
        expect(snapshot.context.failures, `${where}: transient failures in a row`).toBe(model.failures);
      }

      // The qRCodeLogin channel, exactly; never authorizationSuccess (the root announces it once the
      // token is stored), pollingCanceled only on an explicit cancel; no secret in any event.
      const emittedNow = step.index === 0 ? emitted : step.emitted;
      expect(emittedNow, where).toEqual(model.emits);
      expect(
        emittedNow.map((e) => e.eventType),
        where,
      ).not.toContain('authorizationSuccess');
      expectNoSecretInEvents(emittedNow, where);

      // The requests: started when the SPEC says, with the device code and the token endpoint of
      // the device authorization; one at a time, none once the flow is over.
      const startedNow = step.index === 0 ? invocations : step.invocations;
      expect(started(startedNow), where).toEqual(model.starts);
      expect(activeIds(invocations), `${where}: one request at a time`).toEqual(runningIn(model));
      expect(
        invocations.map((i) => i.status),
        `${where}: answered, or aborted when abandoned`,
      ).toEqual(model.requests);
      const polls = invocations.filter((i) => i.src === 'pollDeviceToken');
      expect(
        polls.map(({ input: pollInput, received }) => ({ input: pollInput, received })),
        `${where}: every poll asks with the device code, nothing is sent to it`,
      ).toEqual(polls.map(() => ({ input: pollStart(s.config, model!)[0]!.input, received: [] })));

      // The timers: the codes' deadline for as long as the flow polls; the next poll one interval
      // ahead; the back-off after a failure; nothing once it is over.
      expect(pendingTimers(), where).toEqual(timersIn(model, actor.id));

      if (!live(model)) {
        const output = snapshot.output as DeviceAuthorizationOutput;
        const result = model.result!;
        if (result.outcome === 'failed') {
          expect(output.outcome, where).toBe('failed');
          if (output.outcome === 'failed') expectError(output.error, result.error, where);
          expectError(snapshot.context.error, result.error, where);
        } else if (result.outcome === 'authorized') {
          expect(output, where).toEqual(result);
          if (output.outcome === 'authorized') {
            expect(output.token, where).toBe(result.token);
            expect(output.response, where).toBe(result.response);
          }
        } else {
          expect(output, where).toEqual({ outcome: 'canceled' });
        }
      }
    },
  });
  replay.stop();
  expect(replay.pendingTimers(), 'stopping clears every timer').toEqual([]);
  expect(activeIds(replay.invocations), 'stopping stops every request').toEqual([]);
}

describe('deviceAuthorization machine: model-based paths', () => {
  for (const { scenario, input, paths } of suites) {
    describe(scenario.name, () => {
      it.each(paths.map((path) => [describePath(path), path] as const))('%s', async (_name, path) => {
        await replayDevice(scenario, input, path);
      });
    });
  }

  it('reaches every state and transition of the machine', async () => {
    for (const { scenario, input, paths } of suites) {
      for (const path of paths) if (!attempted.has(path)) await replayDevice(scenario, input, path);
    }
    expectFullCoverage(coverage, 'deviceAuthorization', pathCount);
  });
});
