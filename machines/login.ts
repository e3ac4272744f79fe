import { assign, emit, sendTo, setup } from 'xstate';
import { createLoginActors } from '../actors/index.js';
import type { PopupWindowEvent } from '../actors/popupWindow.js';
import type { PreparedLogin } from '../actors/prepareLogin.js';
import { browserRuntime } from '../actors/runtime.js';
import type { ResolvedConfig } from '../src/config.js';
import { PopupBlockedError, PopupClosedError, PopupTimeoutError } from '../src/errors.js';
import type { LoginEmitted } from '../src/events.js';
import { checkLoginOptions, type LoginOptions, popupFeatures, wantsPopup } from '../src/loginOptions.js';
import type { Token } from '../src/token.js';
import { type RedirectOutput, redirectMachine } from './redirect.js';

/** What one login is started with. */
export interface LoginInput {
  /** The checked configuration. */
  config: ResolvedConfig;
  /** The `initiateLogin` options (checked first; bad ones end in `failed`). */
  options: LoginOptions | undefined;
}

/** The login machine's context: plain data, shown as is by the inspector. */
export interface LoginContext extends LoginInput {
  /** The authorize URL (RFC 6749 §4.1.1), once built. */
  loginUrl: string | undefined;
  /** A popup login's random id: it names the relay channel and travels in `state`. */
  popupId: string | undefined;
  /** The callback URL the popup relayed. */
  callbackUrl: string | undefined;
  /** The token a popup login produced. */
  token: Token | undefined;
  /** Why the login failed, once it did. */
  error: Error | undefined;
}

/** How a login call ended: navigation requested, tokens from a popup, or a typed error. */
export type LoginOutput =
  | {
      /** The page is navigating to the authorization server; the redirect machine takes over after. */
      outcome: 'redirected';
    }
  | {
      /** A popup login produced tokens. */
      outcome: 'authorized';
      /** The token. */
      token: Token;
    }
  | {
      /** Bad options, a blocked, closed or timed-out popup, or a rejected callback. */
      outcome: 'failed';
      /** Why. */
      error: Error;
    };

/** The redirect machine's output, from the `xstate.done.actor.processCallback` event. */
const outputOf = (event: unknown): RedirectOutput => (event as { output: RedirectOutput }).output;

/** The popup flag tells prepareLogin to put a popup id in `state` for the relay. */
const prepareLoginInput = (context: LoginContext) => ({
  config: context.config,
  options: context.options ?? {},
  popup: wantsPopup(context.options),
});

const errorOf = (event: { error: unknown }): Error =>
  event.error instanceof Error ? event.error : new Error('The login failed');

/**
 * One call of `initiateLogin`: check the options, prepare the transaction and authorize URL,
 * then either navigate the page (the redirect machine finishes the job after the reload) or run
 * the popup: opened at once inside the user's gesture, pointed at the authorize URL when it is
 * ready, and its relayed callback verified and exchanged here by the redirect machine.
 */
export const loginMachine = setup({
  types: {
    input: {} as LoginInput,
    context: {} as LoginContext,
    output: {} as LoginOutput,
    events: {} as PopupWindowEvent,
    emitted: {} as LoginEmitted,
  },
  actors: { ...createLoginActors(browserRuntime), processCallback: redirectMachine },
  guards: {
    hasInvalidOptions: ({ context }) => checkLoginOptions(context.options) !== undefined,
    wantsPopup: ({ context }) => wantsPopup(context.options),
    isCallbackAuthorized: ({ event }) => outputOf(event).outcome === 'authorized',
  },
  delays: {
    popupTimeout: ({ context }) => context.config.popup.timeoutMs,
    popupClosedGrace: ({ context }) => context.config.popup.closedGraceMs,
  },
  actions: {
    emitRedirectToLoginUrl: emit(({ context }) => ({
      type: 'login' as const,
      eventType: 'redirectToLoginUrl' as const,
      data: { loginUrl: context.loginUrl ?? '' },
    })),
    rememberError: assign({ error: ({ event }) => errorOf(event as unknown as { error: unknown }) }),
    rejectOptions: assign({ error: ({ context }) => checkLoginOptions(context.options) }),
    rememberPreparedLogin: assign(({ event }) => {
      const prepared = (event as unknown as { output: PreparedLogin }).output;
      return { loginUrl: prepared.loginUrl, popupId: prepared.popupId };
    }),
    navigatePopup: sendTo('popupWindow', ({ context }) => ({
      type: 'POPUP.NAVIGATE' as const,
      url: context.loginUrl ?? '',
      popupId: context.popupId ?? '',
    })),
    rememberCallbackUrl: assign({
      callbackUrl: ({ event }) => (event.type === 'POPUP.CALLBACK' ? event.url : undefined),
    }),
    rememberCallbackResult: assign(({ event }) => {
      const output = outputOf(event);
      if (output.outcome === 'authorized') return { token: output.token };
      // A relayed URL that is no callback at all cannot finish the login.
      return { error: output.outcome === 'failed' ? output.error : new PopupClosedError() };
    }),
    rejectBlockedPopup: assign({ error: () => new PopupBlockedError() }),
    rejectClosedPopup: assign({ error: () => new PopupClosedError() }),
    rejectPopupTimeout: assign({ error: () => new PopupTimeoutError() }),
  },
}).createMachine({
  id: 'login',
  description: 'One interactive login: a full-page redirect or a popup.',
  context: ({ input }) => ({
    ...input,
    loginUrl: undefined,
    popupId: undefined,
    callbackUrl: undefined,
    token: undefined,
    error: undefined,
  }),
  initial: 'checkingOptions',
  states: {
    checkingOptions: {
      description: 'Reject bad options before anything is stored or opened.',
      always: [
        { guard: 'hasInvalidOptions', target: 'failed', actions: 'rejectOptions' },
        { guard: 'wantsPopup', target: 'popup' },
        { target: 'redirect' },
      ],
    },
    redirect: {
      description: 'Full-page login: the page leaves for the authorization server.',
      initial: 'preparing',
      states: {
        preparing: {
          description: 'Create the CSRF token and PKCE pair, store them, build the authorize URL.',
          invoke: {
            id: 'prepareLogin',
            src: 'prepareLogin',
            input: ({ context }) => prepareLoginInput(context),
            onDone: { target: 'navigating', actions: ['rememberPreparedLogin', 'emitRedirectToLoginUrl'] },
            onError: { target: '#login.failed', actions: 'rememberError' },
          },
        },
        navigating: {
          description: 'Navigate the page to the authorize URL.',
          invoke: {
            id: 'navigateToLoginUrl',
            src: 'navigateToLoginUrl',
            input: ({ context }) => ({ url: context.loginUrl ?? '' }),
            onDone: { target: '#login.redirected' },
            onError: { target: '#login.failed', actions: 'rememberError' },
          },
        },
      },
    },
    popup: {
      description: 'Popup login: the window opens at once, inside the user’s click.',
      invoke: {
        id: 'popupWindow',
        src: 'popupWindow',
        input: ({ context }) => ({
          features: popupFeatures(context.options?.separateWindow, context.config.popup),
        }),
        onError: { target: 'failed', actions: 'rememberError' },
      },
      on: {
        'POPUP.BLOCKED': {
          target: 'failed',
          actions: 'rejectBlockedPopup',
          description: 'window.open gave null',
        },
      },
      initial: 'interacting',
      states: {
        interacting: {
          description: 'Until the popup hands back a callback, bounded by the popup timeout.',
          after: { popupTimeout: { target: '#login.failed', actions: 'rejectPopupTimeout' } },
          on: {
            'POPUP.CALLBACK': { target: 'processingCallback', actions: 'rememberCallbackUrl' },
            'POPUP.CLOSED': { target: '.closedWithoutResult' },
          },
          initial: 'preparing',
          states: {
            preparing: {
              description: 'Create the transaction and authorize URL while the popup shows a blank page.',
              invoke: {
                id: 'prepareLogin',
                src: 'prepareLogin',
                input: ({ context }) => prepareLoginInput(context),
                onDone: {
                  target: 'awaitingCallback',
                  actions: ['rememberPreparedLogin', 'emitRedirectToLoginUrl', 'navigatePopup'],
                },
                onError: { target: '#login.failed', actions: 'rememberError' },
              },
            },
            awaitingCallback: {
              description: 'The user logs in inside the popup.',
            },
            closedWithoutResult: {
              description: 'The popup closed; its result may still be on its way.',
              after: { popupClosedGrace: { target: '#login.failed', actions: 'rejectClosedPopup' } },
            },
          },
        },
        processingCallback: {
          description: 'Verify and exchange the relayed callback exactly as a redirect would be.',
          invoke: {
            id: 'processCallback',
            src: 'processCallback',
            input: ({ context }) => ({
              config: context.config,
              href: context.callbackUrl ?? '',
              source: 'popup',
            }),
            onDone: [
              {
                guard: 'isCallbackAuthorized',
                target: '#login.authorized',
                actions: 'rememberCallbackResult',
              },
              { target: '#login.failed', actions: 'rememberCallbackResult' },
            ],
            onError: { target: '#login.failed', actions: 'rememberError' },
          },
        },
      },
    },
    redirected: { type: 'final', description: 'The page is navigating to the authorization server.' },
    authorized: { type: 'final', description: 'The popup login produced tokens.' },
    failed: {
      type: 'final',
      description: 'Bad options, a blocked, closed or timed-out popup, or a failed exchange.',
    },
  },
  output: ({ context }): LoginOutput => {
    if (context.error) return { outcome: 'failed', error: context.error };
    if (context.token) return { outcome: 'authorized', token: context.token };
    return { outcome: 'redirected' };
  },
});
