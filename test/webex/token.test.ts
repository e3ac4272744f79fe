/**
 * `authcharts/webex`'s token (src/webexToken.ts): the supertoken's fields, `expires_in` and
 * `refresh_token_expires_in`, `isExpired`/`canAuthorize` at the expiry, what `toJSON()` and
 * `toString()` give, and how `Webex.init({ credentials })` reads the token it starts with, with
 * the `ConfigError` that names the field it refuses.
 */
import querystring from 'node:querystring';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { ConfigError } from '../../src/errors.js';
import type { Token } from '../../src/token.js';
import { normaliseSeedToken, WebexSupertoken } from '../../src/webexToken.js';
import { configError } from './support.js';

const NOW = Date.UTC(2025, 0, 1);

afterEach(() => {
  vi.useRealTimers();
});

/** A token with every field a token can have. */
const EVERY_FIELD: Token = {
  access_token: 'AT',
  token_type: 'Bearer',
  expires: NOW + 60_000,
  refresh_token: 'RT',
  refresh_token_expires: NOW + 3_600_000,
  scope: 'spark:all',
  id_token: 'ID',
};

/** The supertoken of a fresh token (one view per token object). */
const supertokenOf = (token: Token) => WebexSupertoken.of({ ...token });

const refusalOf = (credentials: unknown): ConfigError =>
  configError(() => normaliseSeedToken(credentials, NOW));

describe('the supertoken', () => {
  it('has every field of the token, as own enumerable properties, and no others', () => {
    const supertoken = supertokenOf(EVERY_FIELD);
    expect({ ...supertoken }).toStrictEqual(EVERY_FIELD);
    expect(Object.keys(supertokenOf({ access_token: 'AT', token_type: 'Bearer' }))).toStrictEqual([
      'access_token',
      'token_type',
    ]);
  });

  it('without an expiry has no expires_in and never expires', () => {
    vi.useFakeTimers({ now: NOW });
    const supertoken = supertokenOf({ access_token: 'AT', token_type: 'Bearer' });
    expect(supertoken.expires_in).toBeUndefined();
    expect(supertoken.refresh_token_expires_in).toBeUndefined();
    expect(supertoken.isExpired).toBe(false);
    expect(supertoken.canAuthorize).toBe(true);
  });

  it('refresh_token_expires_in counts down the refresh token’s seconds', () => {
    vi.useFakeTimers({ now: NOW });
    const supertoken = supertokenOf({
      access_token: 'AT',
      token_type: 'Bearer',
      refresh_token: 'RT',
      refresh_token_expires: NOW + 3_600_000,
    });
    expect(supertoken.refresh_token_expires_in).toBe(3600);
    vi.setSystemTime(NOW + 1_000_400);
    expect(supertoken.refresh_token_expires_in).toBe(2600);
  });

  it('is expired, and can no longer authorize, at the very millisecond it expires', () => {
    vi.useFakeTimers({ now: NOW });
    const supertoken = supertokenOf({ access_token: 'AT', token_type: 'Bearer', expires: NOW + 10_000 });
    vi.setSystemTime(NOW + 9_999);
    expect(supertoken.isExpired).toBe(false);
    expect(supertoken.canAuthorize).toBe(true);
    vi.setSystemTime(NOW + 10_000);
    expect(supertoken.isExpired).toBe(true);
    expect(supertoken.canAuthorize).toBe(false);
  });

  it('cannot authorize without an access token, even when nothing says it expired', () => {
    const supertoken = supertokenOf({ access_token: '', token_type: 'Bearer', refresh_token: 'RT' });
    expect(supertoken.isExpired).toBe(false);
    expect(supertoken.canAuthorize).toBe(false);
  });
});

describe('toJSON()', () => {
  it('gives every field with the seconds left, for a token that has them all', () => {
    vi.useFakeTimers({ now: NOW });
    const supertoken = supertokenOf(EVERY_FIELD);
    expect(supertoken.toJSON()).toStrictEqual({
      access_token: 'AT',
      token_type: 'Bearer',
      expires: NOW + 60_000,
      expires_in: 60,
      refresh_token: 'RT',
      refresh_token_expires: NOW + 3_600_000,
      refresh_token_expires_in: 3600,
      scope: 'spark:all',
      id_token: 'ID',
    });
  });

  it('leaves out the fields the token lacks, so querystring.stringify writes no empty ones', () => {
    const json = supertokenOf({ access_token: 'AT', token_type: 'Bearer' }).toJSON();
    expect(json).toStrictEqual({ access_token: 'AT', token_type: 'Bearer' });
    expect(querystring.stringify(json)).toBe('access_token=AT&token_type=Bearer');
  });
});

describe('toString()', () => {
  it('refuses a token without an access token (a refresh token alone is no Authorization header)', () => {
    const supertoken = supertokenOf({
      access_token: '',
      token_type: 'Bearer',
      expires: 0,
      refresh_token: 'RT',
    });
    expect(() => supertoken.toString()).toThrow(new Error('cannot stringify Token'));
  });
});

describe('credentials given to Webex.init', () => {
  it.each<[string, unknown]>([
    ['null', null],
    ['a number', 5],
    ['an array', ['Bearer AT']],
  ])('%s is refused as not an object with a token', (_name, credentials) => {
    const error = refusalOf(credentials);
    expect(error.field).toBe('credentials');
    expect(error.message).toBe(
      'Invalid config "credentials": must be an object with an access_token or a refresh_token',
    );
  });

  it('an object with neither an access token nor a refresh token is refused saying so', () => {
    const error = refusalOf({ access_token: '', refresh_token: null, scope: 'spark:all' });
    expect(error.field).toBe('credentials');
    expect(error.message).toBe('Invalid config "credentials": needs an access_token or a refresh_token');
  });

  it('absent, null and empty optional fields are left out; an empty token_type means Bearer', () => {
    expect(
      normaliseSeedToken({ access_token: 'AT', token_type: '', refresh_token: null, scope: '' }, NOW),
    ).toStrictEqual({ access_token: 'AT', token_type: 'Bearer' });
  });

  it('keeps a given token_type, and splits only at the first space of an access token with a type', () => {
    expect(normaliseSeedToken({ access_token: 'AT', token_type: 'DPoP' }, NOW)).toStrictEqual({
      access_token: 'AT',
      token_type: 'DPoP',
    });
    expect(normaliseSeedToken('Bearer AT with spaces', NOW)).toStrictEqual({
      access_token: 'AT with spaces',
      token_type: 'Bearer',
    });
  });

  it('a field that is not a string is refused, naming it', () => {
    const error = refusalOf({ access_token: 'AT', scope: ['spark:all'] });
    expect(error.field).toBe('credentials.scope');
    expect(error.message).toBe('Invalid config "credentials.scope": must be a string');
  });

  it('expires_in may be a string of seconds, or 0 for a token that has already expired', () => {
    expect(normaliseSeedToken({ access_token: 'AT', expires_in: '600' }, NOW).expires).toBe(NOW + 600_000);
    expect(normaliseSeedToken({ access_token: 'AT', expires_in: 0 }, NOW).expires).toBe(NOW);
  });

  it.each<[string, unknown]>([
    ['not a number', 'soon'],
    ['infinite', Number.POSITIVE_INFINITY],
    ['negative', -1],
    ['a boolean', true],
    ['an array', [60]],
    ['null', null],
  ])('an expires_in that is %s is refused, naming it', (_name, expires_in) => {
    const error = refusalOf({ access_token: 'AT', expires_in });
    expect(error.field).toBe('credentials.expires_in');
    expect(error.message).toBe('Invalid config "credentials.expires_in": must be a number of seconds');
  });

  it('refresh_token_expires is kept as given', () => {
    expect(
      normaliseSeedToken({ refresh_token: 'RT', refresh_token_expires: NOW + 5_000 }, NOW),
    ).toStrictEqual({
      access_token: '',
      token_type: 'Bearer',
      expires: 0,
      refresh_token: 'RT',
      refresh_token_expires: NOW + 5_000,
    });
  });

  it('refresh_token_expires_in is counted from now', () => {
    expect(normaliseSeedToken({ refresh_token: 'RT', refresh_token_expires_in: '7200' }, NOW)).toStrictEqual({
      access_token: '',
      token_type: 'Bearer',
      expires: 0,
      refresh_token: 'RT',
      refresh_token_expires: NOW + 7_200_000,
    });
  });

  it('a bad refresh_token_expires_in is refused, naming it', () => {
    const error = refusalOf({ refresh_token: 'RT', refresh_token_expires_in: 'later' });
    expect(error.field).toBe('credentials.refresh_token_expires_in');
    expect(error.message).toBe(
      'Invalid config "credentials.refresh_token_expires_in": must be a number of seconds',
    );
  });
});
