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
import { ConfigError, NetworkError, RequestTimeoutError } from '../src/errors.js';
import type { Runtime } from './runtime.js';

/**
 * The authorization server as the flows see it: endpoints after discovery and config are merged,
 * and whether it promises `iss` in authorization responses. Plain data, kept in machine context.
 */
export interface ServerMetadata {
  /** The configured issuer (RFC 8414 §2), the value `iss` must equal (RFC 9207 §2.4). */
  issuer: string | undefined;
  /** Authorization endpoint (RFC 6749 §3.1). */
  authorizationEndpoint: string;
  /** Token endpoint (RFC 6749 §3.2). */
  tokenEndpoint: string;
  /** Device authorization endpoint (RFC 8628 §3.1). */
  deviceAuthorizationEndpoint: string | undefined;
  /** Where device polls go (RFC 8628 §3.4): the token endpoint unless the profile says otherwise. */
  deviceTokenEndpoint: string | undefined;
  /** Revocation endpoint (RFC 7009 §2). */
  revocationEndpoint: string | undefined;
  /** End-session endpoint (OpenID Connect RP-Initiated Logout §2). */
  endSessionEndpoint: string | undefined;
  /** RFC 9207 §2.4: the server advertised `authorization_response_iss_parameter_supported`. */
  issRequired: boolean;
}

const abortReason = (signal: AbortSignal): unknown =>
  signal.reason ?? new DOMException('The operation was aborted.', 'AbortError');

/**
 * Reads the body of `response` and resolves, once it has fully arrived, with an unread response
 * holding the same status, headers and bytes: a server that sends its headers and then stalls
 * must hit the deadline too. Token, device and discovery answers are small JSON documents.
 * (Not `response.clone()`: teeing the stream costs a millisecond or two per request in Chromium.)
 */
async function bodyArrived(response: Response): Promise<Response> {
  // Opaque or odd answers (status 0) cannot be rebuilt; oauth4webapi refuses them anyway.
  if (typeof response?.arrayBuffer !== 'function' || response.status < 200 || response.status > 599) {
    return response;
  }
  const body = await response.arrayBuffer();
  const { status, statusText, headers } = response;
  // 204/205/304 answers must not be given a body, not even an empty one.
  return new Response(body.byteLength === 0 ? null : body, { status, statusText, headers });
}

/**
 * `send` (the runtime's fetch), bounded and with its failures typed where they happen:
 * - no complete answer (status, headers, body) within `timeoutMs`: the request is aborted and
 *   fails with a `RequestTimeoutError`, so a server that never answers cannot leave a flow
 *   waiting forever;
 * - no answer at all (offline, DNS, TLS, CORS): fetch rejects with a bare TypeError, which becomes
 *   a `NetworkError`, so it is not confused with a TypeError from a bug;
 * - the caller's signal aborts (the actor was stopped): its abort passes through unchanged.
 * The deadline and the caller's signal both abort the request (one combined signal), and each
 * settles the call itself even when a fetch ignores its signal. The timer is the global
 * `setTimeout` read at call time (fake timers replace it) and is cleared however the call ends.
 */
export function fetchWithDeadline(send: typeof fetch, timeoutMs: number): typeof fetch {
  return (input, init) => {
    const outer = init?.signal ?? undefined;
    const controller = new AbortController();
    return new Promise<Response>((resolve, reject) => {
      let done = false;
      const settle = (finish: () => void) => {
        if (done) return;
        done = true;
        globalThis.clearTimeout(timer);
        outer?.removeEventListener('abort', onOuterAbort);
        finish();
      };
      const onOuterAbort = () => {
        const reason = abortReason(outer as AbortSignal);
        controller.abort(reason);
        settle(() => reject(reason));
      };
      const timer = globalThis.setTimeout(() => {
        const error = new RequestTimeoutError(timeoutMs);
        controller.abort(error);
        settle(() => reject(error));
      }, timeoutMs);
      if (outer?.aborted) return onOuterAbort();
      outer?.addEventListener('abort', onOuterAbort, { once: true });
      let answer: Promise<Response>;
      try {
        answer = Promise.resolve(send(input, { ...init, signal: controller.signal }));
      } catch (error) {
        answer = Promise.reject(error);
      }
      answer.then(bodyArrived).then(
        (response) => settle(() => resolve(response)),
        (error: unknown) => {
          const aborted = error instanceof Error && error.name === 'AbortError';
          settle(() => reject(aborted ? error : new NetworkError({ cause: error })));
        },
      );
    });
  };
}

/**
 * Options for every oauth4webapi request: the runtime's fetch bounded by `timeoutMs` (see
 * `fetchWithDeadline`), the caller's abort signal, and http only on loopback.
 */
export function requestOptions(
  runtime: Runtime,
  url: string,
  signal: AbortSignal | undefined,
  timeoutMs: number,
) {
  return {
    [customFetch]: fetchWithDeadline((input, init) => runtime.fetch(input, init), timeoutMs),
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

async function discover(
  issuer: string,
  runtime: Runtime,
  signal: AbortSignal | undefined,
  timeoutMs: number,
) {
  const issuerUrl = new URL(issuer);
  const response = await discoveryRequest(issuerUrl, requestOptions(runtime, issuer, signal, timeoutMs));
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
      pending = discover(config.issuer, runtime, signal, config.requestTimeoutMs);
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
