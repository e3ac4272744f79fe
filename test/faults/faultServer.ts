/**
 * A fake authorization server (discovery, token, device authorization, revocation) that answers
 * every request like a healthy server, except on the one endpoint a test breaks, which answers
 * with the fault every time. Time is the fake clock's.
 */
import { createFakeFetch, json, type RecordedRequest } from '../fixtures/fakeFetch.js';

export const AS = 'https://as.example';
export const DISCOVERY_URL = `${AS}/.well-known/openid-configuration`;
export const TOKEN_URL = `${AS}/token`;
export const DEVICE_URL = `${AS}/device`;
export const REVOCATION_URL = `${AS}/revoke`;
export const DEVICE_GRANT = 'urn:ietf:params:oauth:grant-type:device_code';

/** The request timeout the tests configure (the default, 30 s). */
export const REQUEST_TIMEOUT_MS = 30_000;
/** When a slow server's answer finally arrives: well past the timeout. */
export const LATE_MS = REQUEST_TIMEOUT_MS + 30_000;

// The secrets the flows handle: distinctive, so a leak into a message or event is found.
export const CODE = 'code-S3cret-4f9a';
export const CSRF = 'csrf-S3cret-7c21';
export const VERIFIER = 'verifier-S3cret-0b8e-0123456789-abcdefghijklmnopqrstu';
export const DEVICE_CODE = 'device-code-S3cret-5d3e';
export const STORED_ACCESS_TOKEN = 'AT-S3cret-stored';
export const STORED_REFRESH_TOKEN = 'RT-S3cret-stored';
const ISSUED_ACCESS_TOKEN = 'AT-S3cret-issued';
const ISSUED_REFRESH_TOKEN = 'RT-S3cret-issued';
export const SECRETS = [
  CODE,
  CSRF,
  VERIFIER,
  DEVICE_CODE,
  STORED_ACCESS_TOKEN,
  STORED_REFRESH_TOKEN,
  ISSUED_ACCESS_TOKEN,
  ISSUED_REFRESH_TOKEN,
];

export type Endpoint =
  | 'discovery'
  | 'tokenExchange'
  | 'deviceAuthorization'
  | 'devicePoll'
  | 'refresh'
  | 'revocation';

type Answer = () => Response | Promise<Response>;

const healthy: Record<Endpoint, Answer> = {
  discovery: () =>
    json({
      issuer: AS,
      authorization_endpoint: `${AS}/authorize`,
      token_endpoint: TOKEN_URL,
      device_authorization_endpoint: DEVICE_URL,
      revocation_endpoint: REVOCATION_URL,
      authorization_response_iss_parameter_supported: true,
    }),
  tokenExchange: () => json(issuedTokens()),
  deviceAuthorization: () =>
    json({
      device_code: DEVICE_CODE,
      user_code: 'WDJB-MJHT',
      verification_uri: `${AS}/verify`,
      expires_in: 600,
      interval: 5,
    }),
  devicePoll: () => json(issuedTokens()),
  refresh: () => json(issuedTokens()),
  revocation: () => new Response(null, { status: 200 }),
};

function issuedTokens() {
  return {
    access_token: ISSUED_ACCESS_TOKEN,
    token_type: 'Bearer',
    expires_in: 3600,
    refresh_token: ISSUED_REFRESH_TOKEN,
  };
}

export type Fault =
  | '5xx'
  | '429'
  | 'slow response past the timeout'
  | 'non-JSON body'
  | 'empty 400'
  | 'network error'
  | '428'
  | 'endless slow_down';

/** How each fault answers; `late` is the endpoint's healthy answer, arriving after the timeout. */
function faultAnswer(fault: Fault, late: Answer, timers: Set<ReturnType<typeof setTimeout>>): Answer {
  switch (fault) {
    case '5xx':
      return () =>
        new Response('<h1>503 Service Unavailable</h1>', {
          status: 503,
          headers: { 'content-type': 'text/html' },
        });
    case '429':
      return () => new Response(null, { status: 429, headers: { 'retry-after': '10' } });
    case 'slow response past the timeout':
      return () =>
        new Promise<Response>((resolve) => {
          const timer = setTimeout(() => {
            timers.delete(timer);
            Promise.resolve(late()).then(resolve);
          }, LATE_MS);
          timers.add(timer);
        });
    case 'non-JSON body':
      return () =>
        new Response('<html>Gateway says hi</html>', {
          status: 200,
          headers: { 'content-type': 'text/html' },
        });
    case 'empty 400':
      return () => new Response(null, { status: 400 });
    case 'network error':
      return () => Promise.reject(new TypeError('Failed to fetch'));
    case '428':
      return () => json({ message: 'Precondition Required' }, 428);
    case 'endless slow_down':
      return () => json({ error: 'slow_down', error_description: 'Polling too fast' }, 400);
  }
}

/** Which endpoint a request is for: the token endpoint serves three, told apart by grant type. */
function endpointOf(request: RecordedRequest): Endpoint | undefined {
  const url = request.url.split('?')[0];
  if (url === DISCOVERY_URL) return 'discovery';
  if (url === DEVICE_URL) return 'deviceAuthorization';
  if (url === REVOCATION_URL) return 'revocation';
  if (url !== TOKEN_URL) return undefined;
  const grant = request.body.get('grant_type');
  if (grant === 'authorization_code') return 'tokenExchange';
  if (grant === DEVICE_GRANT) return 'devicePoll';
  if (grant === 'refresh_token') return 'refresh';
  return undefined;
}

/** The server with `broken` answering `fault` to every request; everything else is healthy. */
export function createFaultyServer(broken: Endpoint, fault: Fault) {
  const lateTimers = new Set<ReturnType<typeof setTimeout>>();
  const broke = faultAnswer(fault, healthy[broken], lateTimers);
  const route = (request: RecordedRequest) => {
    const endpoint = endpointOf(request);
    if (endpoint === undefined) return json({ error: 'not_found' }, 404);
    return (endpoint === broken ? broke : healthy[endpoint])();
  };
  const server = createFakeFetch({
    [DISCOVERY_URL]: route,
    [TOKEN_URL]: route,
    [DEVICE_URL]: route,
    [REVOCATION_URL]: route,
  });
  return {
    fetch: server.fetch,
    /** Requests that reached the broken endpoint. */
    brokenRequests: () => server.requests.filter((request) => endpointOf(request) === broken),
    /** Drops the slow answers still on their way (the server's timers, not the library's). */
    stop: () => {
      for (const timer of lateTimers) clearTimeout(timer);
      lateTimers.clear();
    },
  };
}
