import { assign, emit, setup } from 'xstate';
import { createDeviceAuthorizationActors } from '../actors/index.js';
import type { DeviceCode } from '../actors/requestDeviceCode.js';
import { browserRuntime } from '../actors/runtime.js';
import type { ResolvedConfig } from '../src/config.js';
import type { PollBody, PollOutcome } from '../src/devicePoll.js';
import { OAuthError } from '../src/errors.js';
import type { DeviceFailureData, QRCodeLoginEmitted } from '../src/events.js';
import type { Token, TokenResponse } from '../src/token.js';

/** What a device authorization is started with. */
export interface DeviceAuthorizationInput {
  /** The checked configuration (endpoints, profile, `clientId`, `scope`). */
  config: ResolvedConfig;
}

/** The device machine's context: plain data, shown as is by the inspector. */
export interface DeviceAuthorizationContext extends DeviceAuthorizationInput {
  /** The device authorization response (RFC 8628 §3.2), once it arrived. */
  device: DeviceCode | undefined;
  /** Seconds between polls: the server's, the profile's default, raised by `slow_down`. */
  interval: number;
  /** Transient failures in a row (5xx, 429, no answer); reset by any real answer. */
  failures: number;
  /** The body of the last pending answer, for `authorizationPending`. */
  pendingBody: PollBody | undefined;
  /** The token, once a poll succeeded. */
  token: Token | undefined;
  /** The token response it was built from (RFC 6749 §5.1), for `authorizationSuccess`. */
  response: TokenResponse | undefined;
  /** Why the flow failed, once it did. */
  error: Error | undefined;
}

/** The one event the device machine takes from outside: cancel. */
export type DeviceAuthorizationEvent = {
  /** `cancelQRCodePolling()` */
  type: 'CANCEL';
  /** `false`: stop without `pollingCanceled` (Webex's `cancelQRCodePolling(false)`). */
  withCancelEvent: boolean;
};

/** How a device authorization ended. */
export type DeviceAuthorizationOutput =
  | {
      /** The user approved: tokens. */
      outcome: 'authorized';
      /** The token built from the response. */
      token: Token;
      /** The token response (RFC 6749 §5.1). */
      response: TokenResponse;
    }
  | {
      /** Denied, expired, refused or failed for good. */
      outcome: 'failed';
      /** Why. */
      error: Error;
    }
  | {
      /** `CANCEL` stopped it. */
      outcome: 'canceled';
    };

/** RFC 8628 §3.5: "the interval MUST be increased by 5 seconds for this and all subsequent requests". */
const SLOW_DOWN_STEP_S = 5;
/** Transient failures in a row that end the flow (SPEC §10). */
const MAX_TRANSIENT_FAILURES = 5;
/** The Webex client's lifetime for codes whose answer has no `expires_in`. */
const DEFAULT_EXPIRES_IN_S = 300;

/** `setTimeout` fires at once beyond 2^31 - 1 ms (about 24.8 days): a huge server value is capped. */
const MAX_DELAY_MS = 2_147_483_647;
const delayMs = (seconds: number): number => Math.min(seconds * 1000, MAX_DELAY_MS);

const outcomeOf = (event: unknown): PollOutcome => (event as { output: PollOutcome }).output;

const errorOf = (event: unknown): Error => {
  const { error } = event as { error: unknown };
  return error instanceof Error ? error : new Error('The device authorization failed');
};

/** `authorizationFailure`/`getUserCodeFailure` data: the message, plus the OAuth error body if any. */
function failureData(error: Error): DeviceFailureData {
  if (error instanceof OAuthError && error.error) {
    return { message: error.message, error: error.error, error_description: error.errorDescription };
  }
  return { message: error.message };
}

/**
 * Device authorization (RFC 8628), the QR-code login: request a device code, show it, then poll
 * the token endpoint one `interval` apart, never two polls at once. `slow_down` raises the
 * interval by 5 s for good (or to the server's `interval`); server and network failures back off
 * (doubling) and give up after five in a row; the codes' lifetime bounds everything. `CANCEL`
 * from any live state stops at once: the in-flight request is aborted with the actor, so a late
 * answer can never log anyone in.
 */
export const deviceAuthorizationMachine = setup({
  types: {
    input: {} as DeviceAuthorizationInput,
    context: {} as DeviceAuthorizationContext,
    events: {} as DeviceAuthorizationEvent,
    output: {} as DeviceAuthorizationOutput,
    emitted: {} as QRCodeLoginEmitted,
  },
  actors: createDeviceAuthorizationActors(browserRuntime),
  delays: {
    pollInterval: ({ context }) => delayMs(context.interval),
    /** §3.5: on connection problems, reduce the polling frequency: double the wait per failure. */
    transientBackoff: ({ context }) => delayMs(context.interval * 2 ** context.failures),
    codeExpiry: ({ context }) => delayMs(context.device?.expiresIn ?? DEFAULT_EXPIRES_IN_S),
  },
  guards: {
    isPending: ({ event }) => outcomeOf(event).kind === 'pending',
    isSlowDown: ({ event }) => outcomeOf(event).kind === 'slowDown',
    isRetryable: ({ context, event }) =>
      outcomeOf(event).kind === 'transient' && context.failures + 1 < MAX_TRANSIENT_FAILURES,
    isSuccess: ({ event }) => outcomeOf(event).kind === 'success',
    announcesCancel: ({ event }) => event.withCancelEvent,
  },
  actions: {
    rememberDeviceCode: assign(({ context, event }) => {
      const device = (event as unknown as { output: DeviceCode }).output;
      return { device, interval: device.interval ?? context.config.profile.device.defaultInterval };
    }),
    rememberPending: assign(({ event }) => {
      const outcome = outcomeOf(event);
      return { failures: 0, pendingBody: outcome.kind === 'pending' ? outcome.body : {} };
    }),
    slowDown: assign(({ context, event }) => {
      const outcome = outcomeOf(event);
      const serverInterval = outcome.kind === 'slowDown' ? outcome.interval : undefined;
      return { failures: 0, interval: serverInterval ?? context.interval + SLOW_DOWN_STEP_S };
    }),
    countFailure: assign({ failures: ({ context }) => context.failures + 1 }),
    rememberToken: assign(({ event }) => {
      const outcome = outcomeOf(event);
      return outcome.kind === 'success' ? { token: outcome.token, response: outcome.response } : {};
    }),
    rememberPollError: assign({
      error: ({ event }) => {
        const outcome = outcomeOf(event);
        return outcome.kind === 'terminal' || outcome.kind === 'transient'
          ? outcome.error
          : new Error('The device authorization failed');
      },
    }),
    rememberError: assign({ error: ({ event }) => errorOf(event) }),
    rememberTimeout: assign({ error: () => new Error('Authorization timed out') }),
    emitGetUserCodeSuccess: emit(({ context }) => ({
      type: 'qRCodeLogin' as const,
      eventType: 'getUserCodeSuccess' as const,
      userData: {
        userCode: context.device?.userCode ?? '',
        verificationUri: context.device?.verificationUri ?? '',
        verificationUriComplete: context.device?.verificationUriComplete,
      },
    })),
    emitGetUserCodeFailure: emit(({ context }) => ({
      type: 'qRCodeLogin' as const,
      eventType: 'getUserCodeFailure' as const,
      data: failureData(context.error ?? new Error('The device code request failed')),
    })),
    emitAuthorizationPending: emit(({ context }) => ({
      type: 'qRCodeLogin' as const,
      eventType: 'authorizationPending' as const,
      data: context.pendingBody ?? {},
    })),
    emitAuthorizationFailure: emit(({ context }) => ({
      type: 'qRCodeLogin' as const,
      eventType: 'authorizationFailure' as const,
      data: failureData(context.error ?? new Error('The device authorization failed')),
    })),
    emitPollingCanceled: emit({ type: 'qRCodeLogin' as const, eventType: 'pollingCanceled' as const }),
  },
}).createMachine({
  id: 'deviceAuthorization',
  description: 'QR-code login (RFC 8628): a device code, then polling until the user approves.',
  context: ({ input }) => ({
    config: input.config,
    device: undefined,
    interval: input.config.profile.device.defaultInterval,
    failures: 0,
    pendingBody: undefined,
    token: undefined,
    response: undefined,
    error: undefined,
  }),
  on: {
    CANCEL: [
      { guard: 'announcesCancel', target: '.canceled', actions: 'emitPollingCanceled' },
      { target: '.canceled', description: 'cancelQRCodePolling(false)' },
    ],
  },
  initial: 'requestingCode',
  states: {
    requestingCode: {
      description: 'Ask for a device code and user code (RFC 8628 §3.1).',
      invoke: {
        id: 'requestDeviceCode',
        src: 'requestDeviceCode',
        input: ({ context }) => ({ config: context.config }),
        onDone: { target: 'polling', actions: ['rememberDeviceCode', 'emitGetUserCodeSuccess'] },
        onError: { target: 'failed', actions: ['rememberError', 'emitGetUserCodeFailure'] },
      },
    },
    polling: {
      description: 'Show the code and poll until approval, denial or the codes expire.',
      after: {
        codeExpiry: { target: 'failed', actions: ['rememberTimeout', 'emitAuthorizationFailure'] },
      },
      initial: 'waiting',
      states: {
        waiting: {
          description: 'Wait one interval before the next poll (RFC 8628 §3.5).',
          after: { pollInterval: { target: 'requesting' } },
        },
        requesting: {
          description: 'Poll the token endpoint once.',
          invoke: {
            id: 'pollDeviceToken',
            src: 'pollDeviceToken',
            input: ({ context }) => ({
              config: context.config,
              deviceCode: context.device?.deviceCode ?? '',
              tokenEndpoint: context.device?.tokenEndpoint ?? '',
            }),
            onDone: [
              {
                guard: 'isPending',
                target: 'waiting',
                actions: ['rememberPending', 'emitAuthorizationPending'],
              },
              { guard: 'isSlowDown', target: 'waiting', actions: 'slowDown', description: 'interval += 5 s' },
              { guard: 'isRetryable', target: 'backingOff', actions: 'countFailure' },
              { guard: 'isSuccess', target: '#deviceAuthorization.authorized', actions: 'rememberToken' },
              {
                target: '#deviceAuthorization.failed',
                actions: ['rememberPollError', 'emitAuthorizationFailure'],
                description: 'Denied, expired, or too many failures in a row',
              },
            ],
            onError: {
              target: '#deviceAuthorization.failed',
              actions: ['rememberError', 'emitAuthorizationFailure'],
            },
          },
        },
        backingOff: {
          description: 'The server or network failed: wait twice as long per failure in a row.',
          after: { transientBackoff: { target: 'requesting' } },
        },
      },
    },
    authorized: { type: 'final', description: 'Tokens received.' },
    failed: { type: 'final', description: 'The code request failed, the user denied, or the codes expired.' },
    canceled: { type: 'final', description: 'Cancelled by the app.' },
  },
  output: ({ context }): DeviceAuthorizationOutput => {
    if (context.token && context.response) {
      return { outcome: 'authorized', token: context.token, response: context.response };
    }
    if (context.error) return { outcome: 'failed', error: context.error };
    return { outcome: 'canceled' };
  },
});
