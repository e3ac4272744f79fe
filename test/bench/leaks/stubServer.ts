/**
 * An in-memory authorization server for the start → cancel cycles: discovery and device codes
 * are answered at once; token requests (code exchange, device poll, refresh) stay in flight
 * until their signal aborts, so every cancel happens with a request outstanding where a flow can
 * have one, and a request that is never aborted shows up in `inFlight()`.
 */
export const STUB_ISSUER = 'https://as.example';

const DISCOVERY = JSON.stringify({
  issuer: STUB_ISSUER,
  authorization_endpoint: `${STUB_ISSUER}/authorize`,
  token_endpoint: `${STUB_ISSUER}/token`,
  device_authorization_endpoint: `${STUB_ISSUER}/device`,
  revocation_endpoint: `${STUB_ISSUER}/revoke`,
  authorization_response_iss_parameter_supported: true,
});

const DEVICE_CODE = JSON.stringify({
  device_code: 'stub-device-code',
  user_code: 'ABCD-EFGH',
  verification_uri: `${STUB_ISSUER}/verify`,
  expires_in: 600,
  interval: 5,
});

const json = (body: string) => new Response(body, { headers: { 'content-type': 'application/json' } });

const urlOf = (input: RequestInfo | URL): string =>
  typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;

export interface StubServer {
  fetch: typeof fetch;
  /** Requests neither answered nor aborted. */
  inFlight(): number;
}

export function createStubServer(): StubServer {
  let inFlight = 0;
  const fetch: typeof globalThis.fetch = (input, init) => {
    const url = urlOf(input);
    if (url.includes('/.well-known/')) return Promise.resolve(json(DISCOVERY));
    if (url === `${STUB_ISSUER}/device`) return Promise.resolve(json(DEVICE_CODE));
    const signal = init?.signal;
    inFlight += 1;
    return new Promise<Response>((_resolve, reject) => {
      const abort = () => {
        inFlight -= 1;
        reject(signal?.reason);
      };
      if (signal?.aborted) abort();
      else signal?.addEventListener('abort', abort, { once: true });
    });
  };
  return { fetch, inFlight: () => inFlight };
}
