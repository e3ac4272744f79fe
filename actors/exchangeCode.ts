import {
  authorizationCodeGrantRequest,
  nopkce,
  processAuthorizationCodeResponse,
  skipStateCheck,
  validateAuthResponse,
} from 'oauth4webapi';
import { fromPromise } from 'xstate';
import type { ResolvedConfig } from '../src/config.js';
import { type Token, tokenFromResponse } from '../src/token.js';
import { toFlowError } from './flowErrors.js';
import type { GetRuntime } from './runtime.js';
import {
  clientAuthentication,
  requestOptions,
  resolveServer,
  type ServerMetadata,
  toAuthorizationServer,
} from './server.js';

export interface ExchangeCodeInput {
  config: ResolvedConfig;
  /** Resolved already by the redirect machine; resolved here when absent (a direct code grant). */
  server: ServerMetadata | undefined;
  code: string;
  /** Absent only for `requestAuthorizationCodeGrant({ code })` without a verifier. */
  codeVerifier: string | undefined;
}

/**
 * Redeems an authorization code at the token endpoint (RFC 6749 §4.1.3) with the PKCE verifier
 * (RFC 7636 §4.5) and the profile's extra parameters, and turns the answer into a `Token`.
 * The state and `iss` checks happened in the redirect machine already, in states you can see, so
 * only the code is handed to oauth4webapi here. The abort signal cancels the request when the
 * machine stops.
 */
export function createExchangeCode(getRuntime: GetRuntime) {
  return fromPromise<Token, ExchangeCodeInput>(async ({ input, signal, system }) => {
    const runtime = getRuntime(system);
    try {
      const server = input.server ?? (await resolveServer(input.config, runtime, signal));
      const as = toAuthorizationServer(server);
      const client = { client_id: input.config.clientId };
      const callbackParameters = validateAuthResponse(
        as,
        client,
        new URLSearchParams({ code: input.code }),
        skipStateCheck,
      );
      const response = await authorizationCodeGrantRequest(
        as,
        client,
        clientAuthentication(runtime),
        callbackParameters,
        input.config.redirectUri,
        input.codeVerifier ?? nopkce,
        {
          ...requestOptions(runtime, server.tokenEndpoint, signal, input.config.requestTimeoutMs),
          additionalParameters: input.config.profile.codeExchangeParameters,
        },
      );
      const result = await processAuthorizationCodeResponse(as, client, response);
      return tokenFromResponse(result, runtime.now());
    } catch (error) {
      throw toFlowError(error);
    }
  });
}
