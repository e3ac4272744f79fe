import { describe, expect, it } from 'vitest';
import { webexProfile } from '../../src/profiles.js';
import { webexVerificationUri } from '../../src/verificationUri.js';

const DEEP_LINK = 'https://web.webex.com/deviceAuth';
const HELPER = 'https://oauth-helper-a.wbx2.com/helperservice/v1';

describe('webexVerificationUri', () => {
  it('is the deep link of the webex profile', () => {
    expect(webexProfile.device.verificationDeepLink).toBe(DEEP_LINK);
  });

  it("rewrites a URI with userCode to the Webex web app (the plugin's example)", () => {
    expect(webexVerificationUri('https://example.com/verify?userCode=123456', DEEP_LINK, HELPER)).toBe(
      'https://web.webex.com/deviceAuth?usercode=123456&oauthhelper=https%3A%2F%2Foauth-helper-a.wbx2.com%2Fhelperservice%2Fv1',
    );
  });

  it('takes userCode among other parameters and ignores the fragment', () => {
    const link = webexVerificationUri(
      'https://example.com/verify?a=1&userCode=XY-12&b=2#frag',
      DEEP_LINK,
      HELPER,
    );
    const url = new URL(link);
    expect(`${url.origin}${url.pathname}`).toBe(DEEP_LINK);
    expect([...url.searchParams]).toEqual([
      ['usercode', 'XY-12'],
      ['oauthhelper', HELPER],
    ]);
    expect(url.hash).toBe('');
  });

  it.each([
    ['no query', 'https://example.com/verify'],
    ['the RFC user_code', 'https://example.com/verify?user_code=123456'],
    ['a differently cased usercode', 'https://example.com/verify?usercode=123456'],
    ['an empty userCode', 'https://example.com/verify?userCode='],
    ['userCode only in the fragment', 'https://example.com/verify#userCode=123456'],
  ])('returns the URI unchanged with %s', (_name, uri) => {
    expect(webexVerificationUri(uri, DEEP_LINK, HELPER)).toBe(uri);
  });

  it.each(['not a url', '', '/verify?userCode=123456', 'https://exa mple.com/?userCode=1', 'http://[::1'])(
    'returns an invalid URI %j unchanged',
    (uri) => {
      expect(webexVerificationUri(uri, DEEP_LINK, HELPER)).toBe(uri);
    },
  );

  it.each([undefined, ''])('writes no oauthhelper parameter without an oauth-helper URL (%j)', (helper) => {
    expect(webexVerificationUri('https://example.com/verify?userCode=123456', DEEP_LINK, helper)).toBe(
      'https://web.webex.com/deviceAuth?usercode=123456',
    );
  });

  it('encodes what it copies, so nothing can inject a parameter', () => {
    const userCode = 'AB CD&oauthhelper=https://evil.example/#x';
    const helper = 'https://helper.example/v1?region=eu&x=1';
    const source = `https://example.com/verify?userCode=${encodeURIComponent(userCode)}`;
    const link = webexVerificationUri(source, DEEP_LINK, helper);
    const url = new URL(link);
    expect([...url.searchParams]).toEqual([
      ['usercode', userCode],
      ['oauthhelper', helper],
    ]);
    expect(url.hash).toBe('');
    expect(link).not.toContain('evil.example/#');
  });

  it('decodes a percent-encoded userCode once', () => {
    const link = webexVerificationUri('https://example.com/verify?userCode=%C3%A9t%C3%A9', DEEP_LINK, HELPER);
    expect(new URL(link).searchParams.get('usercode')).toBe('été');
  });

  it("keeps the deep link's own query", () => {
    const link = webexVerificationUri('https://example.com/?userCode=1', `${DEEP_LINK}?env=int`, undefined);
    expect(link).toBe('https://web.webex.com/deviceAuth?env=int&usercode=1');
  });

  it('uses the first userCode when the parameter repeats', () => {
    const link = webexVerificationUri(
      'https://example.com/?userCode=first&userCode=second',
      DEEP_LINK,
      undefined,
    );
    expect(new URL(link).searchParams.getAll('usercode')).toEqual(['first']);
  });
});
