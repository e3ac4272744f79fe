import { assign, setup } from 'xstate';
import { createRedirectActors } from '../actors/index.js';
import { browserRuntime } from '../actors/runtime.js';
import type { ServerMetadata } from '../actors/server.js';
import { type CallbackParams, readCallbackUrl, readImplicitFragment } from '../src/callbackUrl.js';
import type { ResolvedConfig } from '../src/config.js';
import { timingSafeEqual } from '../src/constantTime.js';
import {
  CsrfMismatchError,
  grantErrors,
  InvalidRequestError,
  IssuerMismatchError,
  StateDecodeError,
  TransactionMissingError,
} from '../src/errors.js';
import { preauthHint } from '../src/preauthHint.js';
import { decodeState, type StateObject } from '../src/stateCodec.js';
import { type Token, tokenFromResponse } from '../src/token.js';
import type { PendingTransaction } from '../src/transactionStore.js';

/** What the redirect machine processes. */
export interface RedirectInput {
  /** The checked configuration. */
  config: ResolvedConfig;
  /** The URL to process: the page's `location.href`, or the URL a login popup relayed. */
  href: string;
  /** `location`: the page itself landed on the callback; `popup`: a popup handed it over. */
  source: 'location' | 'popup';
}

/** The redirect machine's context: plain data, shown as is by the inspector. */
export interface RedirectContext extends RedirectInput {
  /** What the URL holds: nothing, a code, an error, an implicit token, or a malformed response. */
  callback: CallbackParams;
  /** The decoded `state`, when it decodes. */
  state: StateObject | undefined;
  /** The stored CSRF token and PKCE verifier, read and removed (single use). */
  transaction: PendingTransaction | undefined;
  /** The resolved endpoints and whether the server promises `iss` (RFC 9207). */
  server: ServerMetadata | undefined;
  /** The token, once received. */
  token: Token | undefined;
  /** Why the callback was rejected or the exchange failed. */
  error: Error | undefined;
}

/** How the callback ended: the root machine turns it into events and credentials. */
export type RedirectOutput =
  | {
      /** No callback in the URL (or a popup handed its callback to its opener). */
      outcome: 'none';
    }
  | {
      /** The callback produced tokens. */
      outcome: 'authorized';
      /** The token. */
      token: Token;
      /** `code`: a redeemed code; `implicit`: a token from an opted-in implicit-grant fragment. */
      via: 'code' | 'implicit';
    }
  | {
      /** The callback was rejected or the exchange failed. */
      outcome: 'failed';
      /** A typed error (see `docs/errors.md`). */
      error: Error;
    };

/** The id a popup login puts in `state` (see the login machine). */
const popupIdOf = (state: StateObject | undefined): string | undefined =>
  typeof state?.authcharts_popup === 'string' ? state.authcharts_popup : undefined;

function tryDecodeState(callback: CallbackParams): StateObject | undefined {
  if (!isResponse(callback) || callback.state === undefined) return undefined;
  try {
    return decodeState(callback.state);
  } catch {
    return undefined;
  }
}

function stateError(callback: CallbackParams): StateDecodeError | undefined {
  if (!isResponse(callback) || callback.state === undefined) return undefined;
  try {
    decodeState(callback.state);
    return undefined;
  } catch (error) {
    return error instanceof StateDecodeError ? error : new StateDecodeError();
  }
}

/**
 * The callback in the query, else (legacy implicit grant, opt-in only) in the fragment. A URL that
 * cannot be parsed (or none, outside a browser) is no callback.
 */
function readCallback(href: string, implicitGrant: boolean): CallbackParams {
  try {
    const query = readCallbackUrl(href);
    return query.kind === 'none' && implicitGrant ? readImplicitFragment(href) : query;
  } catch {
    return { kind: 'none' };
  }
}

/** Whether the callback carries `state`/`iss` to check (code, error or implicit response). */
function isResponse(
  callback: CallbackParams,
): callback is Extract<CallbackParams, { state: string | undefined }> {
  return callback.kind === 'code' || callback.kind === 'error' || callback.kind === 'implicit';
}

/** The output of the invoked actor whose `xstate.done.actor.*` event this is. */
const outputOf = <T>(event: unknown): T => (event as { output: T }).output;

const codeOf = (context: RedirectContext): string =>
  context.callback.kind === 'code' ? context.callback.code : '';

/**
 * Processes the page URL once, when the app starts: an ordinary load is left alone; an OAuth
 * callback is verified step by step (state, CSRF token, issuer), the URL is cleaned before the
 * code is redeemed, and the outcome is reported. Every failure cleans the URL too and ends in
 * `failed` with a typed error; nothing is thrown. Fail closed: without the transaction this
 * browser stored when the login started, no code is exchanged.
 */
export const redirectMachine = setup({
  types: {
    input: {} as RedirectInput,
    context: {} as RedirectContext,
    output: {} as RedirectOutput,
  },
  actors: createRedirectActors(browserRuntime),
  guards: {
    isOrdinaryLoad: ({ context }) => context.callback.kind === 'none',
    isPopupLanding: ({ context }) => context.source === 'location' && popupIdOf(context.state) !== undefined,
    isMalformed: ({ context }) => context.callback.kind === 'malformed',
    isErrorResponse: ({ context }) => context.callback.kind === 'error',
    isStateUndecodable: ({ context }) => stateError(context.callback) !== undefined,
    // The implicit grant has no PKCE verifier; a code always needs one.
    isTransactionMissing: ({ context }) =>
      !context.transaction?.csrfToken ||
      (context.callback.kind === 'code' && !context.transaction.codeVerifier),
    isCsrfMismatch: ({ context }) => {
      const received = context.state?.csrf_token;
      const stored = context.transaction?.csrfToken;
      return typeof received !== 'string' || stored === undefined || !timingSafeEqual(received, stored);
    },
    isIssuerMismatch: ({ context }) => {
      const expected = context.server?.issuer;
      if (
        expected === undefined ||
        (context.callback.kind !== 'code' && context.callback.kind !== 'implicit')
      ) {
        return false;
      }
      const received = context.callback.iss;
      // RFC 9207 §2.4: compare by simple string comparison; a missing `iss` is only acceptable
      // when the server never promised one.
      return received === undefined ? context.server?.issRequired === true : received !== expected;
    },
    isPageLocation: ({ context }) => context.source === 'location',
    isImplicit: ({ context }) => context.callback.kind === 'implicit',
  },
  actions: {
    rememberTransaction: assign({ transaction: ({ event }) => outputOf<PendingTransaction>(event) }),
    rememberServer: assign({ server: ({ event }) => outputOf<ServerMetadata>(event) }),
    rememberToken: assign({ token: ({ event }) => outputOf<Token>(event) }),
    /** The implicit grant's token came with the page: received now (RFC 6749 §4.2.2). */
    rememberImplicitToken: assign({
      token: ({ context }) =>
        context.callback.kind === 'implicit'
          ? tokenFromResponse(context.callback.token, Date.now())
          : undefined,
    }),
    rememberError: assign({
      error: ({ event }) => {
        const { error } = event as unknown as { error: unknown };
        return error instanceof Error ? error : new Error('The callback could not be processed');
      },
    }),
    rememberState: assign({ state: ({ context }) => tryDecodeState(context.callback) }),
    rejectMalformed: assign({
      error: ({ context }) =>
        context.callback.kind === 'malformed' && context.callback.parameter === 'state'
          ? new StateDecodeError()
          : new InvalidRequestError({
              error: 'invalid_request',
              error_description: 'The authorization response repeats a parameter',
            }),
    }),
    rejectErrorResponse: assign({
      error: ({ context }) => {
        const body = context.callback.kind === 'error' ? context.callback.error : {};
        return new (grantErrors.select(body.error))(body);
      },
    }),
    rejectUndecodableState: assign({ error: ({ context }) => stateError(context.callback) }),
    rejectMissingTransaction: assign({ error: () => new TransactionMissingError() }),
    rejectCsrfMismatch: assign({ error: () => new CsrfMismatchError() }),
    rejectIssuerMismatch: assign({ error: () => new IssuerMismatchError() }),
  },
}).createMachine({
  id: 'redirect',
  description: 'Processes an OAuth redirect callback once, when the app starts.',
  context: ({ input }) => ({
    ...input,
    callback: readCallback(input.href, input.config.implicitGrant),
    state: undefined,
    transaction: undefined,
    server: undefined,
    token: undefined,
    error: undefined,
  }),
  initial: 'inspectingUrl',
  states: {
    inspectingUrl: {
      description: 'Read the URL: is this an authorization response?',
      always: [
        { guard: 'isOrdinaryLoad', target: 'noCallback', description: 'No OAuth parameters' },
        { target: 'decodingState', actions: 'rememberState' },
      ],
    },
    decodingState: {
      description: 'Decode `state` (base64url JSON) to find the CSRF token and the app’s keys.',
      always: [
        {
          guard: 'isPopupLanding',
          target: 'relayingToOpener',
          description: 'This page is a login popup: its opener holds the transaction',
        },
        { target: 'takingTransaction' },
      ],
    },
    relayingToOpener: {
      description: 'Hand the callback URL to the page that opened this popup, then close.',
      invoke: {
        id: 'relayToOpener',
        src: 'relayToOpener',
        input: ({ context }) => ({
          href: context.href,
          popupId: popupIdOf(context.state) ?? '',
          fragment: context.config.implicitGrant,
        }),
        onDone: { target: 'noCallback' },
        onError: { target: 'rejecting', actions: 'rememberError' },
      },
    },
    takingTransaction: {
      description: 'Read and remove the stored CSRF token and PKCE verifier (single use).',
      invoke: {
        id: 'takeStoredTransaction',
        src: 'takeStoredTransaction',
        onDone: { target: 'checkingResponse', actions: 'rememberTransaction' },
        onError: { target: 'checkingResponse' },
      },
    },
    checkingResponse: {
      description: 'Reject error responses, repeated parameters and undecodable state.',
      always: [
        { guard: 'isMalformed', target: 'rejecting', actions: 'rejectMalformed' },
        { guard: 'isErrorResponse', target: 'rejecting', actions: 'rejectErrorResponse' },
        { guard: 'isStateUndecodable', target: 'rejecting', actions: 'rejectUndecodableState' },
        { target: 'verifyingCsrf' },
      ],
    },
    verifyingCsrf: {
      description: 'Compare the CSRF token in state with the stored one, in constant time. Fail closed.',
      always: [
        { guard: 'isTransactionMissing', target: 'rejecting', actions: 'rejectMissingTransaction' },
        { guard: 'isCsrfMismatch', target: 'rejecting', actions: 'rejectCsrfMismatch' },
        { target: 'discoveringServer' },
      ],
    },
    discoveringServer: {
      description: 'Resolve the endpoints and whether the server promises `iss` (cached discovery).',
      invoke: {
        id: 'discoverServer',
        src: 'discoverServer',
        input: ({ context }) => ({ config: context.config }),
        onDone: { target: 'checkingIssuer', actions: 'rememberServer' },
        onError: { target: 'rejecting', actions: 'rememberError' },
      },
    },
    checkingIssuer: {
      description: 'RFC 9207: the `iss` parameter must name the configured issuer.',
      always: [
        { guard: 'isIssuerMismatch', target: 'rejecting', actions: 'rejectIssuerMismatch' },
        { guard: 'isPageLocation', target: 'cleaningUrl' },
        { guard: 'isImplicit', target: 'authorized', actions: 'rememberImplicitToken' },
        { target: 'exchanging', description: 'A relayed popup URL has no address bar to clean' },
      ],
    },
    cleaningUrl: {
      description: 'Remove the code and CSRF token from the address bar before redeeming the code.',
      invoke: {
        id: 'cleanCallbackUrl',
        src: 'cleanCallbackUrl',
        input: ({ context }) => ({ href: context.href, fragment: context.config.implicitGrant }),
        onDone: [
          { guard: 'isImplicit', target: 'authorized', actions: 'rememberImplicitToken' },
          { target: 'exchanging' },
        ],
        onError: [
          { guard: 'isImplicit', target: 'authorized', actions: 'rememberImplicitToken' },
          { target: 'exchanging', description: 'The code is redeemed (and so useless) either way' },
        ],
      },
    },
    exchanging: {
      description: 'Redeem the code; the preauth-catalog hook runs alongside and is never waited for.',
      invoke: [
        {
          id: 'exchangeCode',
          src: 'exchangeCode',
          input: ({ context }) => ({
            config: context.config,
            server: context.server,
            code: codeOf(context),
            codeVerifier: context.transaction?.codeVerifier,
          }),
          onDone: { target: 'authorized', actions: 'rememberToken' },
          onError: { target: 'failed', actions: 'rememberError' },
        },
        {
          id: 'collectPreauthCatalog',
          src: 'collectPreauthCatalog',
          input: ({ context }) => ({
            hint: preauthHint(context.state, codeOf(context), context.config.profile.orgIdFromCode),
          }),
          onError: { description: 'Ignored: the catalog is an optimisation' },
        },
      ],
    },
    rejecting: {
      description: 'A rejected callback still leaves the address bar clean.',
      always: [{ guard: 'isPageLocation', target: 'cleaningUrlAfterFailure' }, { target: 'failed' }],
    },
    cleaningUrlAfterFailure: {
      description: 'Remove the OAuth parameters from the address bar.',
      invoke: {
        id: 'cleanCallbackUrlAfterFailure',
        src: 'cleanCallbackUrl',
        input: ({ context }) => ({ href: context.href, fragment: context.config.implicitGrant }),
        onDone: { target: 'failed' },
        onError: { target: 'failed' },
      },
    },
    noCallback: { type: 'final', description: 'Nothing to do (or the popup handed its result over).' },
    authorized: { type: 'final', description: 'Tokens received.' },
    failed: { type: 'final', description: 'The callback was rejected or the exchange failed.' },
  },
  output: ({ context }): RedirectOutput => {
    if (context.error) return { outcome: 'failed', error: context.error };
    if (context.token) {
      return {
        outcome: 'authorized',
        token: context.token,
        via: context.callback.kind === 'implicit' ? 'implicit' : 'code',
      };
    }
    return { outcome: 'none' };
  },
});
