import {
  type AuthorizationServer,
  allowInsecureRequests,
  type ClientAuth,
  ClientSecretBasic,
  customFetch,
  discoveryRequest,
  None,
  processDiscoveryResponse,
} from 'oauth4webapi';
import { isLoopbackHttp, type ResolvedConfig } from '../src/config.js';
import { ConfigError, NetworkError } from '../src/errors.js';
import type { Runtime } from './runtime.js';

/**
 * The authorization server as the flows see it: endpoints after discovery and config are merged,
 * and whether it promises `iss` in authorization responses. Plain data, kept in machine context.
 */
export interface ServerMetadata {
  issuer: string | undefined;
  authorizationEndpoint: string;
  tokenEndpoint: string;
  deviceAuthorizationEndpoint: string | undefined;
  deviceTokenEndpoint: string | undefined;
  revocationEndpoint: string | undefined;
  endSessionEndpoint: string | undefined;
  /** RFC 9207 §2.4: the server advertised `authorization_response_iss_parameter_supported`. */
  issRequired: boolean;
}

/**
 * The runtime's fetch, with a failure to get any answer (offline, DNS, TLS, CORS) turned into a
 * `NetworkError` right where it happens: fetch rejects with a bare TypeError, which must not be
 * confused with a TypeError from a bug. Aborts pass through unchanged.
 */
function fetchReportingNetworkErrors(runtime: Runtime): typeof fetch {
  return async (input, init) => {
    try {
      return await runtime.fetch(input, init);
    } catch (error) {
      if (init?.signal?.aborted || (error instanceof Error && error.name === 'AbortError')) throw error;
      throw new NetworkError({ cause: error });
    }
  };
}

/** Options for every oauth4webapi request: the runtime's fetch, the abort signal, loopback http. */
export function requestOptions(runtime: Runtime, url: string, signal: AbortSignal | undefined) {
  return {
    [customFetch]: fetchReportingNetworkErrors(runtime),
    [allowInsecureRequests]: isLoopbackHttp(new URL(url)),
    signal,
  };
}

/** Public clients authenticate with nothing but PKCE; a secret (Node only) goes in HTTP Basic. */
export function clientAuthentication(runtime: Runtime): ClientAuth {
  return runtime.clientSecret ? ClientSecretBasic(runtime.clientSecret) : None();
}

/** The oauth4webapi view of the server; without a known issuer the token endpoint's origin stands in. */
export function toAuthorizationServer(server: ServerMetadata): AuthorizationServer {
  return {
    issuer: server.issuer ?? new URL(server.tokenEndpoint).origin,
    authorization_endpoint: server.authorizationEndpoint,
    token_endpoint: server.tokenEndpoint,
    device_authorization_endpoint: server.deviceAuthorizationEndpoint,
    revocation_endpoint: server.revocationEndpoint,
    end_session_endpoint: server.endSessionEndpoint,
  };
}

async function discover(issuer: string, runtime: Runtime, signal: AbortSignal | undefined) {
  const issuerUrl = new URL(issuer);
  const response = await discoveryRequest(issuerUrl, requestOptions(runtime, issuer, signal));
  return processDiscoveryResponse(issuerUrl, response);
}

/**
 * Resolves the server's endpoints: explicit config first, then discovery (RFC 8414, cached per
 * issuer so a page discovers once), then the profile's defaults. Without an issuer nothing is
 * requested.
 */
export async function resolveServer(
  config: ResolvedConfig,
  runtime: Runtime,
  signal?: AbortSignal,
): Promise<ServerMetadata> {
  let discovered: AuthorizationServer | undefined;
  if (config.issuer) {
    let pending = runtime.discoveryCache.get(config.issuer) as Promise<AuthorizationServer> | undefined;
    if (!pending) {
      pending = discover(config.issuer, runtime, signal);
      runtime.discoveryCache.set(config.issuer, pending);
      // A failed discovery must not poison the cache: the next login tries again.
      pending.catch(() => runtime.discoveryCache.delete(config.issuer as string));
    }
    discovered = await pending;
  }
  const explicit = config.endpoints;
  const fallback = config.profile.endpoints;
  const authorizationEndpoint =
    explicit.authorization ?? discovered?.authorization_endpoint ?? fallback.authorization;
  const tokenEndpoint = explicit.token ?? discovered?.token_endpoint ?? fallback.token;
  if (!authorizationEndpoint) {
    throw new ConfigError(
      'endpoints.authorization',
      'is not configured and the server does not advertise one',
    );
  }
  if (!tokenEndpoint) {
    throw new ConfigError('endpoints.token', 'is not configured and the server does not advertise one');
  }
  const deviceAuthorizationEndpoint =
    explicit.deviceAuthorization ?? discovered?.device_authorization_endpoint ?? fallback.deviceAuthorization;
  return {
    issuer: config.issuer,
    authorizationEndpoint,
    tokenEndpoint,
    deviceAuthorizationEndpoint,
    deviceTokenEndpoint: explicit.deviceToken ?? fallback.deviceToken ?? tokenEndpoint,
    revocationEndpoint: explicit.revocation ?? discovered?.revocation_endpoint ?? fallback.revocation,
    endSessionEndpoint: explicit.endSession ?? discovered?.end_session_endpoint ?? fallback.endSession,
    issRequired: discovered?.authorization_response_iss_parameter_supported === true,
  };
}
