import { deviceAuthorizationRequest, processDeviceAuthorizationResponse } from 'oauth4webapi';
import { fromPromise } from 'xstate';
import type { ResolvedConfig } from '../src/config.js';
import { ConfigError } from '../src/errors.js';
import { webexVerificationUri } from '../src/verificationUri.js';
import { toFlowError } from './flowErrors.js';
import type { GetRuntime } from './runtime.js';
import { clientAuthentication, requestOptions, resolveServer, toAuthorizationServer } from './server.js';

export interface RequestDeviceCodeInput {
  config: ResolvedConfig;
}

/** A device authorization (RFC 8628 §3.2), with the verification URI as the user should see it. */
export interface DeviceCode {
  deviceCode: string;
  userCode: string;
  verificationUri: string;
  /** For the QR code; the rewritten deep link on the webex profile, or the hook's result. */
  verificationUriComplete: string | undefined;
  /** Seconds until the codes expire (absent: 300, as the Webex client assumes). */
  expiresIn: number | undefined;
  /** Seconds between polls, when the server said. */
  interval: number | undefined;
  /** The token endpoint to poll (the webex oauth-helper one, or the server's). */
  tokenEndpoint: string;
}

/** The Webex client's lifetime for codes whose answer has no `expires_in`. */
const DEFAULT_EXPIRES_IN_S = 300;

/**
 * RFC 8628 §3.2 requires `expires_in` and oauth4webapi enforces it; Webex's oauth-helper may leave
 * it out, and its client assumed 300 s. The answer is completed before it is processed.
 */
async function withDefaultExpiry(response: Response): Promise<Response> {
  if (!response.ok) return response;
  let body: unknown;
  try {
    body = await response.clone().json();
  } catch {
    return response;
  }
  if (typeof body !== 'object' || body === null || 'expires_in' in body) return response;
  return new Response(JSON.stringify({ ...body, expires_in: DEFAULT_EXPIRES_IN_S }), {
    status: response.status,
    headers: response.headers,
  });
}

/**
 * Requests a device code and user code (RFC 8628 §3.1) from the device authorization endpoint:
 * discovered, configured, or under the webex profile's oauth-helper. A failure is not retried;
 * the user starts again (SPEC §10).
 */
export function createRequestDeviceCode(getRuntime: GetRuntime) {
  return fromPromise<DeviceCode, RequestDeviceCodeInput>(async ({ input, signal, system }) => {
    const runtime = getRuntime(system);
    const { config } = input;
    let server: Awaited<ReturnType<typeof resolveServer>>;
    let answer: Awaited<ReturnType<typeof processDeviceAuthorizationResponse>>;
    try {
      server = await resolveServer(config, runtime, signal);
      const endpoint = server.deviceAuthorizationEndpoint;
      if (!endpoint) {
        throw new ConfigError(
          'endpoints.deviceAuthorization',
          'is not configured and the server does not advertise one',
        );
      }
      const as = toAuthorizationServer(server);
      const client = { client_id: config.clientId };
      const response = await deviceAuthorizationRequest(
        as,
        client,
        clientAuthentication(runtime),
        config.scope ? { scope: config.scope } : {},
        requestOptions(runtime, endpoint, signal, config.requestTimeoutMs),
      );
      answer = await processDeviceAuthorizationResponse(as, client, await withDefaultExpiry(response));
    } catch (error) {
      throw toFlowError(error);
    }
    // The app's hook runs outside the mapping above: its own error reaches getUserCodeFailure as is.
    let complete = answer.verification_uri_complete;
    if (complete !== undefined) {
      const deepLink = config.profile.device.verificationDeepLink;
      if (runtime.transformVerificationUri) complete = runtime.transformVerificationUri(complete);
      else if (deepLink) complete = webexVerificationUri(complete, deepLink, config.oauthHelperUrl);
    }
    return {
      deviceCode: answer.device_code,
      userCode: answer.user_code,
      verificationUri: answer.verification_uri,
      verificationUriComplete: complete,
      expiresIn: answer.expires_in,
      interval: typeof answer.interval === 'number' ? answer.interval : undefined,
      tokenEndpoint: server.deviceTokenEndpoint ?? server.tokenEndpoint,
    };
  });
}
