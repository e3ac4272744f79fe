/**
 * Instances share their machines (built once per page) but never their runtime: each one's
 * actors use that instance's own window, fetch and storage, even while both work at once.
 */
import { describe, expect, it } from 'vitest';
import { createAuthorization } from '../../src/index.js';
import { encodeState } from '../../src/stateCodec.js';
import { CODE_VERIFIER_KEY, CSRF_TOKEN_KEY } from '../../src/transactionStore.js';
import { createFakeFetch, json } from '../fixtures/fakeFetch.js';
import { FakeWindow } from '../fixtures/fakeWindow.js';

const AS = 'https://as.example';

function callbackPage(name: string) {
  const csrf = `csrf-${name}-0123456789`;
  const page = new FakeWindow(
    `https://${name}.example/cb?code=code-${name}&state=${encodeState({ csrf_token: csrf })}`,
  );
  page.sessionStorage.setItem(CSRF_TOKEN_KEY, csrf);
  page.sessionStorage.setItem(CODE_VERIFIER_KEY, `${name}-verifier-${'v'.repeat(43)}`);
  const server = createFakeFetch({
    [`${AS}/token`]: () => json({ access_token: `AT-${name}`, token_type: 'Bearer', expires_in: 60 }),
  });
  const auth = createAuthorization({
    clientId: `client-${name}`,
    redirectUri: `https://${name}.example/cb`,
    endpoints: { authorization: `${AS}/authorize`, token: `${AS}/token` },
    window: page.asWindow(),
    fetch: server.fetch,
    tokenStorage: 'memory',
  });
  return { page, server, auth };
}

describe('two instances at once', () => {
  it('each exchanges its own code through its own fetch and cleans its own page', async () => {
    const a = callbackPage('alpha');
    const b = callbackPage('beta');
    await Promise.all([a.auth.whenReady(), b.auth.whenReady()]);

    expect(a.server.requests.map((r) => r.body.get('code'))).toEqual(['code-alpha']);
    expect(b.server.requests.map((r) => r.body.get('code'))).toEqual(['code-beta']);
    expect(a.server.requests[0]?.body.get('code_verifier')).toMatch(/^alpha-verifier/);
    expect(a.auth.credentials.supertoken?.access_token).toBe('AT-alpha');
    expect(b.auth.credentials.supertoken?.access_token).toBe('AT-beta');
    expect(a.page.location.href).toBe('https://alpha.example/cb');
    expect(b.page.location.href).toBe('https://beta.example/cb');
    a.auth.stop();
    b.auth.stop();
  });
});
