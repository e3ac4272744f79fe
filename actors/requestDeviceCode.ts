import { deviceAuthorizationRequest, processDeviceAuthorizationResponse } from 'oauth4webapi';
import { fromPromise } from 'xstate';
import type { ResolvedConfig } from '../src/config.js';
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

/**
 * Requests a device code and user code (RFC 8628 §3.1) from the device authorization endpoint:
 * discovered, configured, or under the webex profile's oauth-helper. A failure is not retried;
 * the user starts again (SPEC §10).
 */
export function createRequestDeviceCode(getRuntime: GetRuntime) {
  return fromPromise<DeviceCode, RequestDeviceCodeInput>(async ({ input, signal }) => {
    const runtime = getRuntime();
    const { config } = input;
    try {
      const server = await resolveServer(config, runtime, signal);
      const endpoint = server.deviceAuthorizationEndpoint;
      if (!endpoint) throw new TypeError('The authorization server has no device authorization endpoint');
      const as = toAuthorizationServer(server);
      const client = { client_id: config.clientId };
      const response = await deviceAuthorizationRequest(
        as,
        client,
        clientAuthentication(runtime),
        config.scope ? { scope: config.scope } : {},
        requestOptions(runtime, endpoint, signal),
      );
      const answer = await processDeviceAuthorizationResponse(as, client, response);
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
    } catch (error) {
      throw toFlowError(error);
    }
  });
}
