import { describe, expect, it } from 'vitest';
import { isTokenUsable, type Token, tokenFromResponse } from '../../src/token.js';

const RECEIVED_AT = Date.UTC(2025, 0, 1, 12, 0, 0);

describe('tokenFromResponse', () => {
  it('measures expires from the moment the response was received', () => {
    const token = tokenFromResponse(
      { access_token: 'at', token_type: 'Bearer', expires_in: 3600 },
      RECEIVED_AT,
    );
    expect(token.expires).toBe(RECEIVED_AT + 3_600_000);
    const later = tokenFromResponse({ access_token: 'at', expires_in: 3600 }, RECEIVED_AT + 5_000);
    expect(later.expires).toBe(RECEIVED_AT + 3_605_000);
  });

  it('accepts expires_in as a string, as some servers send it', () => {
    expect(tokenFromResponse({ access_token: 'at', expires_in: '3600' }, RECEIVED_AT).expires).toBe(
      RECEIVED_AT + 3_600_000,
    );
    expect(tokenFromResponse({ access_token: 'at', expires_in: '1.5' }, RECEIVED_AT).expires).toBe(
      RECEIVED_AT + 1_500,
    );
  });

  it('gives no expires when the server gives no usable expires_in', () => {
    for (const expires_in of [undefined, 'soon', '', Number.NaN, Number.POSITIVE_INFINITY, -60, '-1']) {
      const token = tokenFromResponse({ access_token: 'at', expires_in }, RECEIVED_AT);
      expect(token).not.toHaveProperty('expires');
    }
  });

  it('turns refresh_token_expires_in into an absolute refresh_token_expires', () => {
    const token = tokenFromResponse(
      {
        access_token: 'at',
        token_type: 'Bearer',
        expires_in: 1209599,
        refresh_token: 'rt',
        refresh_token_expires_in: '7775999',
      },
      RECEIVED_AT,
    );
    expect(token).toEqual({
      access_token: 'at',
      token_type: 'Bearer',
      expires: RECEIVED_AT + 1_209_599_000,
      refresh_token: 'rt',
      refresh_token_expires: RECEIVED_AT + 7_775_999_000,
    });
  });

  it('keeps scope and id_token, and defaults token_type to Bearer', () => {
    const token = tokenFromResponse({ access_token: 'at', scope: 'openid', id_token: 'idt' }, RECEIVED_AT);
    expect(token).toEqual({ access_token: 'at', token_type: 'Bearer', scope: 'openid', id_token: 'idt' });
  });

  it.each([
    ['bearer', 'Bearer'],
    ['BEARER', 'Bearer'],
    ['', 'Bearer'],
    ['DPoP', 'DPoP'],
    ['bearer-pop', 'bearer-pop'],
    ['pop-bearer', 'pop-bearer'],
  ])(
    'writes token_type %j as %j: any spelling of bearer is Bearer, other types are kept',
    (type, expected) => {
      expect(tokenFromResponse({ access_token: 'at', token_type: type }, RECEIVED_AT).token_type).toBe(
        expected,
      );
    },
  );

  it('has no optional field the server did not send, not even one set to undefined', () => {
    // Strict: `'scope' in token` and Object.keys(token) must tell the app what the server sent.
    expect(tokenFromResponse({ access_token: 'at' }, RECEIVED_AT)).toStrictEqual({
      access_token: 'at',
      token_type: 'Bearer',
    });
  });

  it('carries no refresh token fields when the server sent none', () => {
    const token = tokenFromResponse({ access_token: 'at', expires_in: 60 }, RECEIVED_AT);
    expect(token).not.toHaveProperty('refresh_token');
    expect(token).not.toHaveProperty('refresh_token_expires');
  });

  it('refuses a response without an access token, without echoing the response', () => {
    const refused = new TypeError('A token response must carry an access_token');
    expect(() => tokenFromResponse({ refresh_token: 'rt-value' } as never, RECEIVED_AT)).toThrow(refused);
    expect(() => tokenFromResponse({ access_token: '' }, RECEIVED_AT)).toThrow(refused);
    expect(() => tokenFromResponse(undefined as never, RECEIVED_AT)).toThrow(refused);
    try {
      tokenFromResponse({ refresh_token: 'rt-value' } as never, RECEIVED_AT);
    } catch (error) {
      expect(String(error)).not.toContain('rt-value');
    }
  });
});

describe('isTokenUsable', () => {
  const token = (expires?: number): Token => ({
    access_token: 'at',
    token_type: 'Bearer',
    ...(expires === undefined ? {} : { expires }),
  });

  it('is false without a token', () => {
    expect(isTokenUsable(undefined, RECEIVED_AT)).toBe(false);
  });

  it('is true until the expiry instant and false from it on', () => {
    const expires = RECEIVED_AT + 60_000;
    expect(isTokenUsable(token(expires), RECEIVED_AT)).toBe(true);
    expect(isTokenUsable(token(expires), expires - 1)).toBe(true);
    expect(isTokenUsable(token(expires), expires)).toBe(false);
    expect(isTokenUsable(token(expires), expires + 1)).toBe(false);
  });

  it('is true for a token without a known expiry', () => {
    expect(isTokenUsable(token(), RECEIVED_AT)).toBe(true);
  });

  it('judges a token made from a response by its receive time', () => {
    const fromServer = tokenFromResponse({ access_token: 'at', expires_in: 0 }, RECEIVED_AT);
    expect(isTokenUsable(fromServer, RECEIVED_AT)).toBe(false);
    const hour = tokenFromResponse({ access_token: 'at', expires_in: '3600' }, RECEIVED_AT);
    expect(isTokenUsable(hour, RECEIVED_AT + 3_599_999)).toBe(true);
    expect(isTokenUsable(hour, RECEIVED_AT + 3_600_000)).toBe(false);
  });
});
