import { fromPromise } from 'xstate';
import { buildAuthorizeUrl } from '../src/authorizeUrl.js';
import type { ResolvedConfig } from '../src/config.js';
import type { LoginOptions } from '../src/loginOptions.js';
import { encodeState } from '../src/stateCodec.js';
import { saveTransaction } from '../src/transactionStore.js';
import { toFlowError } from './flowErrors.js';
import type { GetRuntime } from './runtime.js';
import { resolveServer } from './server.js';
import { createLoginTransaction, hashEmail, randomToken } from './transaction.js';

export interface PrepareLoginInput {
  config: ResolvedConfig;
  options: LoginOptions;
  /** A popup login gets an id in `state`, so its callback page knows to hand the result back. */
  popup: boolean;
}

export interface PreparedLogin {
  loginUrl: string;
  popupId: string | undefined;
}

/**
 * Starts a login: resolves the server, creates the CSRF token and PKCE pair, stores them under
 * the Webex keys for the redirect to find, and builds the authorize URL. The app's `state` keys
 * travel in `state` next to `csrf_token` and, with an email, Webex's `emailhash`.
 */
export function createPrepareLogin(getRuntime: GetRuntime) {
  return fromPromise<PreparedLogin, PrepareLoginInput>(async ({ input, signal, system }) => {
    const runtime = getRuntime(system);
    const { config, options } = input;
    let server: Awaited<ReturnType<typeof resolveServer>>;
    try {
      server = await resolveServer(config, runtime, signal);
    } catch (error) {
      throw toFlowError(error);
    }
    if (!runtime.storage) throw new TypeError('There is no storage to keep the login transaction in');
    const transaction = await createLoginTransaction();
    const emailHash = options.email === undefined ? undefined : await hashEmail(options.email);
    const popupId = input.popup ? randomToken() : undefined;
    const state = encodeState({
      ...options.state,
      csrf_token: transaction.csrfToken,
      ...(emailHash === undefined ? {} : { emailhash: emailHash }),
      ...(popupId === undefined ? {} : { authcharts_popup: popupId }),
    });
    // The legacy implicit grant has no code, so no PKCE: only the CSRF token is kept.
    const implicit = config.implicitGrant;
    saveTransaction(runtime.storage, {
      csrfToken: transaction.csrfToken,
      codeVerifier: implicit ? undefined : transaction.codeVerifier,
    });
    const loginUrl = buildAuthorizeUrl(server.authorizationEndpoint, {
      clientId: config.clientId,
      redirectUri: config.redirectUri,
      scope: config.scope,
      state,
      codeChallenge: implicit ? undefined : transaction.codeChallenge,
      ...(config.profile.sendEmailHash && emailHash ? { emailHash } : {}),
      ...(options.loginHint ? { loginHint: options.loginHint } : {}),
    });
    return { loginUrl, popupId };
  });
}
