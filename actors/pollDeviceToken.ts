import { deviceCodeGrantRequest, processDeviceCodeResponse } from 'oauth4webapi';
import { fromPromise } from 'xstate';
import type { ResolvedConfig } from '../src/config.js';
import { classifyPollError, networkFailure, type PollOutcome } from '../src/devicePoll.js';
import { ProtocolError } from '../src/errors.js';
import { type TokenResponse, tokenFromResponse } from '../src/token.js';
import { toFlowError } from './flowErrors.js';
import type { GetRuntime } from './runtime.js';
import { clientAuthentication, requestOptions } from './server.js';

export interface PollDeviceTokenInput {
  config: ResolvedConfig;
  deviceCode: string;
  tokenEndpoint: string;
}

async function readBody(response: Response): Promise<unknown> {
  try {
    return await response.clone().json();
  } catch {
    return undefined;
  }
}

/**
 * Polls the token endpoint once with the device code (RFC 8628 §3.4) and says what the answer
 * means (see `PollOutcome`); the machine decides what happens next. It never rejects for an
 * answer: every status and body shape (RFC errors, Webex's 428 and `message: "slow_down"`, an
 * empty 400, a 5xx, no answer at all) becomes an outcome. The abort signal cancels the request
 * when the flow is cancelled, so a late answer is never read.
 */
export function createPollDeviceToken(getRuntime: GetRuntime) {
  return fromPromise<PollOutcome, PollDeviceTokenInput>(async ({ input, signal, system }) => {
    const runtime = getRuntime(system);
    const as = { issuer: new URL(input.tokenEndpoint).origin, token_endpoint: input.tokenEndpoint };
    const client = { client_id: input.config.clientId };
    let response: Response;
    try {
      response = await deviceCodeGrantRequest(
        as,
        client,
        clientAuthentication(runtime),
        input.deviceCode,
        requestOptions(runtime, input.tokenEndpoint, signal, input.config.requestTimeoutMs),
      );
    } catch (error) {
      if (signal.aborted) throw error;
      return networkFailure(error);
    }
    // A custom `fetch` may resolve with anything; it is an answer we cannot read, not a rejection.
    if (typeof response?.status !== 'number') {
      return {
        kind: 'terminal',
        error: new ProtocolError('The token endpoint’s answer is not an HTTP response'),
      };
    }
    if (response.status !== 200)
      return classifyPollError(response.status, await readBody(response), input.config.profile);
    try {
      const body = (await processDeviceCodeResponse(as, client, response)) as TokenResponse;
      return { kind: 'success', token: tokenFromResponse(body, runtime.now()), response: body };
    } catch (error) {
      return { kind: 'terminal', error: toFlowError(error) };
    }
  });
}
