import { assign, emit, sendTo, setup } from 'xstate';
import { createExchangeCode } from '../actors/exchangeCode.js';
import { browserRuntime } from '../actors/runtime.js';
import type { ResolvedConfig } from '../src/config.js';
import type { LoginEmitted, LoginSuccessData, QRCodeLoginEmitted } from '../src/events.js';
import type { LoginOptions } from '../src/loginOptions.js';
import type { Token } from '../src/token.js';
import { type DeviceAuthorizationOutput, deviceAuthorizationMachine } from './deviceAuthorization.js';
import { type LoginOutput, loginMachine } from './login.js';
import { type RedirectOutput, redirectMachine } from './redirect.js';
import { sessionMachine } from './session.js';

/** What the root machine is started with. */
export interface AuthorizationInput {
  /** The checked configuration (see `createAuthorization`). */
  config: ResolvedConfig;
  /** The page URL at start-up; `undefined` outside a browser (nothing to process). */
  href: string | undefined;
}

/** How start-up redirect processing ended, for `whenReady()`. */
export interface ReadyResult {
  /** `none`: an ordinary page load; `authorized`: a callback produced tokens; `failed`: it did not. */
  outcome: 'none' | 'authorized' | 'failed';
  /** Why it failed (typed: an {@link OAuthError} subclass or an {@link AuthchartsError}). */
  error?: Error;
}

/** The root machine's context: plain data, shown as is by the inspector. */
export interface AuthorizationContext {
  /** The checked configuration. */
  config: ResolvedConfig;
  /** The page URL at start-up. */
  href: string | undefined;
  /** Set once the start-up redirect has been processed. */
  ready: ReadyResult | undefined;
  /** How the last login or code exchange ended; read by the facade to settle its promise. */
  lastError: Error | undefined;
}

/** The events the facade sends the root machine, one per public method. */
export type AuthorizationEvent =
  | {
      /** `initiateLogin()` / `initiateAuthorizationCodeGrant()` */
      type: 'LOGIN';
      /** The call's options, checked by the login machine. */
      options: LoginOptions | undefined;
      /** `initiateLogin` announces itself with the `initiateLogin` event; the lower-level call does not. */
      announce: boolean;
    }
  | {
      /** `requestAuthorizationCodeGrant()` */
      type: 'EXCHANGE_CODE';
      /** The authorization code to redeem (RFC 6749 §4.1.3). */
      code: string;
      /** Its PKCE verifier (RFC 7636 §4.5), if the app has it. */
      codeVerifier: string | undefined;
    }
  | {
      /** `initQRCodeLogin()` */
      type: 'QR_START';
    }
  | {
      /** `cancelQRCodePolling(withCancelEvent)` */
      type: 'QR_CANCEL';
      /** Emit `pollingCanceled` (the default) or stop silently. */
      withCancelEvent: boolean;
    }
  | {
      /** `credentials.refresh()`, for the session machine. */
      type: 'REFRESH';
    }
  | {
      /** `logout(options)`, for the session machine. */
      type: 'LOGOUT';
      /** Revoke and clear, but stay on the page. */
      noRedirect: boolean;
      /** Where the end-session endpoint sends the user back. */
      returnTo?: string;
    };

type Outcome = RedirectOutput | LoginOutput | DeviceAuthorizationOutput;

const outcomeOf = (event: unknown): Outcome => (event as { output: Outcome }).output;

const errorOf = (event: unknown): Error => {
  const { error } = event as { error: unknown };
  return error instanceof Error ? error : new Error('The login failed');
};

/** The token a login outcome carries (`xstate.done.actor.*` of redirect, login, exchangeCode, device). */
const tokenOf = (event: unknown): Token | undefined => {
  const output = (event as { output?: unknown }).output as Record<string, unknown> | undefined;
  if (output && typeof output.access_token === 'string') return output as unknown as Token;
  return output && 'token' in output ? (output.token as Token) : undefined;
};

const successData = (via: LoginSuccessData['via'], event: unknown): LoginSuccessData => {
  const token = tokenOf(event);
  // A legacy implicit-grant redirect says so (`via: 'implicit'`).
  const implicit = (event as { output?: { via?: string } }).output?.via === 'implicit';
  return { via: implicit ? 'implicit' : via, scope: token?.scope, expires: token?.expires };
};

const failureOf = (error: Error) => ({
  type: 'login' as const,
  eventType: 'authorizationFailure' as const,
  data: { error },
});

/**
 * The root of one `createAuthorization` instance. At start it runs the redirect machine on the
 * page URL (once); afterwards it runs one interaction at a time: a login (redirect or popup) or a
 * direct code exchange. It owns the credentials and emits the `login` channel's outcome events
 * after the token is stored, so a listener always finds the new supertoken in place.
 */
export const authorizationMachine = setup({
  types: {
    input: {} as AuthorizationInput,
    context: {} as AuthorizationContext,
    events: {} as AuthorizationEvent,
    emitted: {} as LoginEmitted | QRCodeLoginEmitted,
  },
  actors: {
    redirect: redirectMachine,
    login: loginMachine,
    deviceAuthorization: deviceAuthorizationMachine,
    session: sessionMachine,
    exchangeCode: createExchangeCode(browserRuntime),
  },
  guards: {
    isAuthorized: ({ event }) => outcomeOf(event).outcome === 'authorized',
    isFailed: ({ event }) => outcomeOf(event).outcome === 'failed',
    isAnnounced: ({ event }) => event.type === 'LOGIN' && event.announce,
  },
  actions: {
    /** The session machine owns the token; it has it before the success event goes out. */
    storeToken: sendTo('session', ({ event }) => ({
      type: 'TOKEN.RECEIVED' as const,
      token: tokenOf(event) as Token,
    })),
    rememberFailure: assign(({ event }) => {
      const outcome = outcomeOf(event);
      return { lastError: outcome.outcome === 'failed' ? outcome.error : undefined };
    }),
    /**
     * Run as each interaction starts (and one runs at a time), so an error is always this
     * interaction's own: a success has nothing to clear.
     */
    clearLastError: assign({ lastError: undefined }),
    emitQRCodeSuccess: emit(({ event }) => {
      const outcome = outcomeOf(event);
      const response = outcome.outcome === 'authorized' && 'response' in outcome ? outcome.response : {};
      return {
        type: 'qRCodeLogin' as const,
        eventType: 'authorizationSuccess' as const,
        data: { ...response } as Record<string, unknown>,
      };
    }),
    emitAlreadyPolling: emit({
      type: 'qRCodeLogin' as const,
      eventType: 'getUserCodeFailure' as const,
      data: { message: 'There is already a polling request' },
    }),
    emitQRCodeCrash: emit(({ event }) => ({
      type: 'qRCodeLogin' as const,
      eventType: 'authorizationFailure' as const,
      data: { message: errorOf(event).message },
    })),
    cancelDeviceAuthorization: sendTo('deviceAuthorization', ({ event }) => ({
      type: 'CANCEL' as const,
      withCancelEvent: event.type === 'QR_CANCEL' ? event.withCancelEvent : true,
    })),
    /** How the start-up redirect ended, from its own outcome (a QR login may have run meanwhile). */
    markReady: assign({
      ready: ({ context, event }): ReadyResult => {
        // rememberChildError ran first: the same error object as `lastError` and the event.
        if (event.type.startsWith('xstate.error.actor.')) {
          return { outcome: 'failed', error: context.lastError ?? errorOf(event) };
        }
        const outcome = outcomeOf(event);
        if (outcome.outcome === 'authorized') return { outcome: 'authorized' };
        if (outcome.outcome === 'failed') return { outcome: 'failed', error: outcome.error };
        return { outcome: 'none' };
      },
    }),
    emitInitiateLogin: emit(({ event }) => {
      const options = event.type === 'LOGIN' ? event.options : undefined;
      return {
        type: 'login' as const,
        eventType: 'initiateLogin' as const,
        data: { hasEmail: options?.email !== undefined, hasState: options?.state !== undefined },
      };
    }),
    emitRedirectSuccess: emit(({ event }) => ({
      type: 'login' as const,
      eventType: 'authorizationSuccess' as const,
      data: successData('redirect', event),
    })),
    emitPopupSuccess: emit(({ event }) => ({
      type: 'login' as const,
      eventType: 'authorizationSuccess' as const,
      data: successData('popup', event),
    })),
    emitCodeGrantSuccess: emit(({ event }) => ({
      type: 'login' as const,
      eventType: 'authorizationSuccess' as const,
      data: successData('code', event),
    })),
    emitFailure: emit(({ context }) => failureOf(context.lastError ?? new Error('The login failed'))),
    forwardToSession: sendTo('session', ({ event }) => event),
    rememberChildError: assign({ lastError: ({ event }) => errorOf(event) }),
  },
}).createMachine({
  id: 'authorization',
  description: 'One authcharts instance: start-up redirect processing, then one interaction at a time.',
  context: ({ input }) => ({
    config: input.config,
    href: input.href,
    ready: undefined,
    lastError: undefined,
  }),
  type: 'parallel',
  states: {
    interaction: {
      description: 'Start-up redirect processing, then one login or code exchange at a time.',
      initial: 'processingRedirect',
      states: {
        processingRedirect: {
          description: 'Process the page URL once; `ready` becomes true when this ends, success or not.',
          invoke: {
            id: 'redirect',
            src: 'redirect',
            input: ({ context }) => ({
              config: context.config,
              href: context.href ?? '',
              source: 'location' as const,
            }),
            onDone: [
              {
                guard: 'isAuthorized',
                target: 'idle',
                actions: ['storeToken', 'markReady', 'emitRedirectSuccess'],
              },
              { guard: 'isFailed', target: 'idle', actions: ['rememberFailure', 'markReady', 'emitFailure'] },
              { target: 'idle', actions: 'markReady', description: 'An ordinary page load' },
            ],
            onError: { target: 'idle', actions: ['rememberChildError', 'markReady', 'emitFailure'] },
          },
        },
        idle: {
          description: 'Ready; no interaction running.',
          on: {
            LOGIN: [
              { guard: 'isAnnounced', target: 'loggingIn', actions: ['clearLastError', 'emitInitiateLogin'] },
              { target: 'loggingIn', actions: 'clearLastError' },
            ],
            EXCHANGE_CODE: { target: 'exchangingCode', actions: 'clearLastError' },
          },
        },
        loggingIn: {
          description: 'A login runs: the page navigates away, or a popup comes back with a code.',
          invoke: {
            id: 'login',
            src: 'login',
            input: ({ context, event }) => ({
              config: context.config,
              options: event.type === 'LOGIN' ? event.options : undefined,
            }),
            onDone: [
              {
                guard: 'isAuthorized',
                target: 'idle',
                actions: ['storeToken', 'emitPopupSuccess'],
              },
              { guard: 'isFailed', target: 'idle', actions: ['rememberFailure', 'emitFailure'] },
              { target: 'idle', description: 'Navigation to the login page was requested' },
            ],
            onError: { target: 'idle', actions: ['rememberChildError', 'emitFailure'] },
          },
        },
        exchangingCode: {
          description: 'requestAuthorizationCodeGrant: redeem a code the app handed over.',
          invoke: {
            id: 'exchangeCode',
            src: 'exchangeCode',
            input: ({ context, event }) => ({
              config: context.config,
              server: undefined,
              code: event.type === 'EXCHANGE_CODE' ? event.code : '',
              codeVerifier: event.type === 'EXCHANGE_CODE' ? event.codeVerifier : undefined,
            }),
            onDone: {
              target: 'idle',
              actions: ['storeToken', 'emitCodeGrantSuccess'],
            },
            onError: { target: 'idle', actions: ['rememberChildError', 'emitFailure'] },
          },
        },
      },
    },
    deviceFlow: {
      description: 'QR-code login, independent of redirect and popup logins.',
      initial: 'idle',
      states: {
        idle: {
          description: 'No device authorization running.',
          on: { QR_START: { target: 'running' } },
        },
        running: {
          description: 'A device authorization runs; a second one is refused.',
          invoke: {
            id: 'deviceAuthorization',
            src: 'deviceAuthorization',
            input: ({ context }) => ({ config: context.config }),
            onDone: [
              { guard: 'isAuthorized', target: 'idle', actions: ['storeToken', 'emitQRCodeSuccess'] },
              { target: 'idle', description: 'Failed or cancelled: the child already said so' },
            ],
            onError: { target: 'idle', actions: 'emitQRCodeCrash' },
          },
          on: {
            QR_START: { actions: 'emitAlreadyPolling', description: 'There is already a polling request' },
            QR_CANCEL: { actions: 'cancelDeviceAuthorization' },
          },
        },
      },
    },
    credentials: {
      description: 'The session machine owns the supertoken for as long as the instance lives.',
      initial: 'active',
      states: {
        active: {
          description: 'Always: login paths hand tokens to it; refresh and logout are forwarded.',
          invoke: {
            id: 'session',
            systemId: 'session',
            src: 'session',
            input: ({ context }) => ({ config: context.config }),
          },
          on: {
            REFRESH: { actions: 'forwardToSession' },
            LOGOUT: { actions: 'forwardToSession' },
          },
        },
      },
    },
  },
});
