/**
 * The authorization server of the real-actor replays: the fake fetch of test/fixtures (it records
 * every request and honours `AbortSignal`), with every request held in flight until the replay
 * answers it. A step that says "the token request succeeded" answers the request the real actor is
 * waiting on; a step that leaves the state first makes the machine stop the actor, whose signal
 * aborts the request, which the fake fetch records.
 */
import type { OAuthError } from '../../../src/errors.js';
import type { Token } from '../../../src/token.js';
import { createFakeFetch, json, type RecordedRequest, type Route } from '../../fixtures/fakeFetch.js';
import { ISSUER } from '../support.js';
import { type Deferred, deferred, waitFor } from './waitFor.js';

/** A request in flight and how to end it. */
export interface Exchange {
  readonly request: RecordedRequest;
  /** Whether the replay answered or failed it. */
  readonly settled: boolean;
  /** The server answers. */
  answer(response: Response): void;
  /** No answer at all (offline, DNS, reset): the fake fetch rejects with a TypeError, as fetch does. */
  fail(): void;
}

/** Which requests a lookup means. */
export type RequestMatch = (request: RecordedRequest) => boolean;

export const DISCOVERY_URL = `${ISSUER}/.well-known/openid-configuration`;

export const isDiscovery: RequestMatch = (request) => request.url === DISCOVERY_URL;
/** A token endpoint request of `grantType` (RFC 6749 §4.1.3, §6; RFC 8628 §3.4). */
export const isGrant =
  (grantType: string): RequestMatch =>
  (request) =>
    request.body.get('grant_type') === grantType;
export const isUrl =
  (url: string): RequestMatch =>
  (request) =>
    request.url === url;

export const GRANT = {
  code: 'authorization_code',
  refresh: 'refresh_token',
  device: 'urn:ietf:params:oauth:grant-type:device_code',
} as const;

/** What the issuer advertises (RFC 8414; `iss` support per RFC 9207 §3). */
export interface DiscoveryOptions {
  issRequired?: boolean;
  deviceAuthorization?: boolean;
  revocation?: boolean;
  endSession?: boolean;
}

export function discoveryDocument(options: DiscoveryOptions = {}): Record<string, unknown> {
  return {
    issuer: ISSUER,
    authorization_endpoint: `${ISSUER}/authorize`,
    token_endpoint: `${ISSUER}/token`,
    ...(options.deviceAuthorization
      ? { device_authorization_endpoint: `${ISSUER}/device_authorization` }
      : {}),
    ...(options.revocation ? { revocation_endpoint: `${ISSUER}/revoke` } : {}),
    ...(options.endSession ? { end_session_endpoint: `${ISSUER}/logout` } : {}),
    authorization_response_iss_parameter_supported: options.issRequired ?? false,
  };
}

/**
 * The token endpoint's answer (RFC 6749 §5.1) from which the token model builds `token`: the same
 * access and refresh tokens and scope, and an `expires_in` that lands on `token.expires` (to the
 * second). No `id_token`: oauth4webapi validates one as a signed JWT, which the suites' opaque test
 * tokens are not; no machine reads it.
 */
export function tokenResponseFor(token: Token): Record<string, unknown> {
  return {
    access_token: token.access_token,
    token_type: token.token_type,
    ...(token.refresh_token === undefined ? {} : { refresh_token: token.refresh_token }),
    ...(token.scope === undefined ? {} : { scope: token.scope }),
    ...(token.expires === undefined
      ? {}
      : { expires_in: Math.max(1, Math.round((token.expires - Date.now()) / 1000)) }),
  };
}

/** The token endpoint's error response (RFC 6749 §5.2) from which the real actor builds `error`. */
export const oauthErrorAnswer = (error: OAuthError, status = 400): Response =>
  json(
    {
      error: error.error,
      ...(error.errorDescription === undefined ? {} : { error_description: error.errorDescription }),
    },
    status,
  );

export class FakeServer {
  readonly fetch: typeof fetch;
  /** Every request, in order; `aborted` once its signal aborted it. */
  readonly requests: RecordedRequest[];
  /** Requests answered as soon as they arrive (e.g. discovery where no step is about it). */
  autoAnswer: ((request: RecordedRequest) => Response | undefined) | undefined;
  readonly #exchanges: { exchange: Exchange; answer: Deferred<Response> }[] = [];

  constructor() {
    const route: Route = (request) => {
      const auto = this.autoAnswer?.(request);
      if (auto) return auto;
      const answer = deferred<Response>();
      const exchange = {
        request,
        settled: false,
        answer: (response: Response) => {
          exchange.settled = true;
          answer.resolve(response);
        },
        fail: () => {
          exchange.settled = true;
          answer.reject(new TypeError('Failed to fetch'));
        },
      };
      this.#exchanges.push({ exchange, answer });
      return answer.promise;
    };
    // Every URL routes to the server: what the actors ask for decides the answer, not a table.
    const routes = new Proxy({} as Record<string, Route>, { get: () => route });
    const { fetch, requests } = createFakeFetch(routes);
    this.fetch = fetch;
    this.requests = requests;
  }

  /** The requests in flight (neither answered nor aborted) that `match` selects, oldest first. */
  inFlight(match: RequestMatch = () => true): Exchange[] {
    return this.#exchanges
      .map(({ exchange }) => exchange)
      .filter((e) => !e.settled && !e.request.aborted && match(e.request));
  }

  /** Waits for a request that `match` selects to be in flight, and returns the oldest. */
  async next(match: RequestMatch, what: string): Promise<Exchange> {
    await waitFor(() => this.inFlight(match).length > 0, `the request for ${what}`);
    return this.inFlight(match)[0]!;
  }
}
