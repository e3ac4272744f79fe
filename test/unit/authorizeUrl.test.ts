import { describe, expect, it } from 'vitest';
import { type AuthorizeParameters, buildAuthorizeUrl } from '../../src/authorizeUrl.js';

const ENDPOINT = 'https://as.example/oauth/authorize';
const CHALLENGE = 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM';
const STATE = 'eyJjc3JmX3Rva2VuIjoiYWJjIn0';
const HASH = '73062d872926c2a556f17b36f50e328ddf9bff9d403939bd14b6c3b7f5a33fc2';

const parameters: AuthorizeParameters = {
  clientId: 'client-1',
  redirectUri: 'https://app.example/cb?from=login&x=a b',
  scope: 'openid email spark:all',
  state: STATE,
  codeChallenge: CHALLENGE,
};

const query = (url: string) => new URL(url).searchParams;
const entries = (url: string) => [...query(url).entries()];

describe('buildAuthorizeUrl', () => {
  it("sends exactly the allowed parameters, in the Webex plugin's order", () => {
    const url = buildAuthorizeUrl(ENDPOINT, {
      ...parameters,
      emailHash: HASH,
      loginHint: 'user@example.com',
    });
    expect(entries(url)).toEqual([
      ['response_type', 'code'],
      ['state', STATE],
      ['emailHash', HASH],
      ['code_challenge', CHALLENGE],
      ['code_challenge_method', 'S256'],
      ['client_id', 'client-1'],
      ['redirect_uri', 'https://app.example/cb?from=login&x=a b'],
      ['scope', 'openid email spark:all'],
      ['login_hint', 'user@example.com'],
    ]);
    const { origin, pathname, hash } = new URL(url);
    expect(`${origin}${pathname}`).toBe(ENDPOINT);
    expect(hash).toBe('');
  });

  it('leaves out emailHash and login_hint when not given', () => {
    expect([...query(buildAuthorizeUrl(ENDPOINT, parameters)).keys()]).toEqual([
      'response_type',
      'state',
      'code_challenge',
      'code_challenge_method',
      'client_id',
      'redirect_uri',
      'scope',
    ]);
  });

  it('omits scope when it is undefined (or empty)', () => {
    expect(query(buildAuthorizeUrl(ENDPOINT, { ...parameters, scope: undefined })).has('scope')).toBe(false);
    expect(query(buildAuthorizeUrl(ENDPOINT, { ...parameters, scope: '' })).has('scope')).toBe(false);
  });

  it("keeps the endpoint's own query parameters first", () => {
    const url = buildAuthorizeUrl(`${ENDPOINT}?tenant=acme&prompt=select_account`, parameters);
    expect(entries(url).slice(0, 3)).toEqual([
      ['tenant', 'acme'],
      ['prompt', 'select_account'],
      ['response_type', 'code'],
    ]);
    expect(query(url).get('client_id')).toBe('client-1');
  });

  it('does not let the endpoint URL smuggle in a second value for a protocol parameter', () => {
    const url = buildAuthorizeUrl(`${ENDPOINT}?client_id=other&response_type=token`, parameters);
    expect(query(url).getAll('client_id')).toEqual(['client-1']);
    expect(query(url).getAll('response_type')).toEqual(['code']);
  });

  it('encodes values so they cannot break out of their parameter', () => {
    const url = buildAuthorizeUrl(ENDPOINT, {
      ...parameters,
      clientId: 'a&scope=admin',
      loginHint: 'x#y&prompt=none',
    });
    expect(query(url).getAll('scope')).toEqual(['openid email spark:all']);
    expect(query(url).get('client_id')).toBe('a&scope=admin');
    expect(query(url).get('login_hint')).toBe('x#y&prompt=none');
    expect(query(url).has('prompt')).toBe(false);
    expect(new URL(url).hash).toBe('');
  });

  it('ignores anything that is not an authorize parameter (UI options never reach the URL)', () => {
    const withExtras = {
      ...parameters,
      separateWindow: { width: 800 },
      email: 'test@email.com',
      codeVerifier: 'v'.repeat(43),
    } as AuthorizeParameters;
    const url = buildAuthorizeUrl(ENDPOINT, withExtras);
    expect(url).not.toContain('separateWindow');
    expect(url).not.toContain('email.com');
    expect(url).not.toContain('vvvvvvvv');
    expect(query(url).has('email')).toBe(false);
  });
});
