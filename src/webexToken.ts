/**
 * Webex's `Token` over an authcharts {@link Token}: the same snake_case fields, `expires_in`
 * counted down from `expires`, `toJSON()` for `querystring.stringify` and `res.send`, and
 * `toString()` for an `Authorization` header. Also the `credentials` a Webex app may start with.
 *
 * @module
 */
import { ConfigError } from './errors.js';
import type { Token } from './token.js';
import { memoryTokenStore, type TokenStorageAdapter } from './tokenStore.js';

/** What `supertoken.toJSON()` returns: the plain token fields, absent ones left out. */
// A type, not an interface: `querystring.stringify` wants an object type with an index signature.
export type WebexTokenJSON = {
  /** The access token (RFC 6749 §5.1). */
  access_token?: string;
  /** `Bearer` unless the server said otherwise. */
  token_type?: string;
  /** ms epoch. */
  expires?: number;
  /** Seconds left (rounded, never negative), as Webex sends it to a frontend. */
  expires_in?: number;
  /** The refresh token (RFC 6749 §6). */
  refresh_token?: string;
  /** When the refresh token expires (ms epoch), for servers that say (Webex). */
  refresh_token_expires?: number;
  /** Seconds the refresh token has left (rounded, never negative). */
  refresh_token_expires_in?: number;
  /** The granted scope. */
  scope?: string;
  /** The OpenID Connect ID token, when there is one. */
  id_token?: string;
};

const secondsLeft = (expires: number | undefined, now: number): number | undefined =>
  expires === undefined ? undefined : Math.max(0, Math.round((expires - now) / 1000));

const views = new WeakMap<Token, WebexSupertoken>();

/** Webex's supertoken: read-only, one per token (so `supertoken === supertoken` holds). */
export class WebexSupertoken {
  /** The access token (empty for a backend that starts with a refresh token only). */
  declare readonly access_token: string;
  /** `Bearer` unless the server said otherwise. */
  declare readonly token_type: string;
  /** When the access token expires (ms epoch), if known. */
  declare readonly expires?: number;
  /** The refresh token (RFC 6749 §6). */
  declare readonly refresh_token?: string;
  /** When the refresh token expires (ms epoch), for servers that say (Webex). */
  declare readonly refresh_token_expires?: number;
  /** The granted scope. */
  declare readonly scope?: string;
  /** The OpenID Connect ID token, when there is one. */
  declare readonly id_token?: string;

  /** The view of `token`, created once. */
  static of(token: Token): WebexSupertoken {
    let view = views.get(token);
    if (!view) {
      view = new WebexSupertoken(token);
      views.set(token, view);
    }
    return view;
  }

  private constructor(token: Token) {
    const fields: Array<keyof Token> = [
      'access_token',
      'token_type',
      'expires',
      'refresh_token',
      'refresh_token_expires',
      'scope',
      'id_token',
    ];
    for (const field of fields) {
      if (token[field] !== undefined)
        Object.defineProperty(this, field, { value: token[field], enumerable: true });
    }
    Object.freeze(this);
  }

  /** Seconds until the access token expires (rounded), or undefined when unknown. */
  get expires_in(): number | undefined {
    return this.access_token ? secondsLeft(this.expires, Date.now()) : undefined;
  }

  /** Seconds until the refresh token expires (rounded), or undefined when unknown. */
  get refresh_token_expires_in(): number | undefined {
    return secondsLeft(this.refresh_token_expires, Date.now());
  }

  /** True once the access token's expiry has passed. */
  get isExpired(): boolean {
    return this.expires !== undefined && this.expires <= Date.now();
  }

  /** True while there is an access token that has not expired. */
  get canAuthorize(): boolean {
    return Boolean(this.access_token) && !this.isExpired;
  }

  /**
   * The plain fields, e.g. for `querystring.stringify(supertoken.toJSON())`. A token that only
   * has a refresh token (a backend's starting point) has no access token fields.
   */
  toJSON(): WebexTokenJSON {
    const json: WebexTokenJSON = {};
    if (this.access_token) {
      json.access_token = this.access_token;
      json.token_type = this.token_type;
      if (this.expires !== undefined) {
        json.expires = this.expires;
        json.expires_in = this.expires_in;
      }
    }
    if (this.refresh_token !== undefined) json.refresh_token = this.refresh_token;
    if (this.refresh_token_expires !== undefined) {
      json.refresh_token_expires = this.refresh_token_expires;
      json.refresh_token_expires_in = this.refresh_token_expires_in;
    }
    if (this.scope !== undefined) json.scope = this.scope;
    if (this.id_token !== undefined) json.id_token = this.id_token;
    return json;
  }

  /** `'<token_type> <access_token>'`, the `Authorization` header value (throws without a token). */
  toString(): string {
    if (!this.access_token || !this.token_type) throw new Error('cannot stringify Token');
    return `${this.token_type} ${this.access_token}`;
  }
}

/** The token fields a Webex app may start with (`Webex.init({ credentials })`). */
export interface WebexSeedToken {
  /** An access token; `'Bearer AT'` is split into type and token, as in Webex. */
  access_token?: string;
  /** Default `Bearer`. */
  token_type?: string;
  /** ms epoch. */
  expires?: number;
  /** Seconds from now. */
  expires_in?: number | string;
  /** A refresh token; alone, the first use refreshes (a backend refreshing for its frontend). */
  refresh_token?: string;
  /** When the refresh token expires (ms epoch). */
  refresh_token_expires?: number;
  /** Seconds from now until the refresh token expires. */
  refresh_token_expires_in?: number | string;
  /** The granted scope. */
  scope?: string;
}

/** `Webex.init({ credentials })`: token fields, `{ supertoken }`, or an `'[type ]token'` string. */
export type WebexSeedCredentials =
  | string
  | WebexSeedToken
  | {
      /** The token, as Webex nests it. */
      supertoken: WebexSeedToken | string;
    };

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

function seconds(value: unknown, field: string): number | undefined {
  if (value === undefined) return undefined;
  const n = typeof value === 'string' ? Number(value) : value;
  if (typeof n !== 'number' || !Number.isFinite(n) || n < 0) {
    throw new ConfigError(`credentials.${field}`, 'must be a number of seconds');
  }
  return n;
}

function optional(source: Record<string, unknown>, field: string): string | undefined {
  const value = source[field];
  if (value === undefined || value === null || value === '') return undefined;
  if (typeof value !== 'string') throw new ConfigError(`credentials.${field}`, 'must be a string');
  return value;
}

/**
 * Turns Webex's starting `credentials` into a {@link Token}. A `'Bearer AT'` access token is
 * split into type and token, as in Webex. A refresh token alone gives a token whose access token
 * is empty and already expired, so the first use refreshes it.
 */
export function normaliseSeedToken(value: unknown, now = Date.now()): Token {
  let source: unknown = value;
  if (isRecord(source) && source.supertoken !== undefined) source = source.supertoken;
  if (typeof source === 'string') source = { access_token: source };
  if (!isRecord(source))
    throw new ConfigError('credentials', 'must be an object with an access_token or a refresh_token');

  let access_token = optional(source, 'access_token');
  let token_type = optional(source, 'token_type');
  if (access_token && !token_type && access_token.includes(' ')) {
    const [type, ...rest] = access_token.split(' ');
    token_type = type;
    access_token = rest.join(' ');
  }
  const refresh_token = optional(source, 'refresh_token');
  if (!access_token && !refresh_token) {
    throw new ConfigError('credentials', 'needs an access_token or a refresh_token');
  }
  const token: Token = { access_token: access_token ?? '', token_type: token_type ?? 'Bearer' };
  if (!access_token) {
    token.expires = 0;
  } else if (typeof source.expires === 'number') {
    token.expires = source.expires;
  } else {
    const expiresIn = seconds(source.expires_in, 'expires_in');
    if (expiresIn !== undefined) token.expires = now + expiresIn * 1000;
  }
  if (refresh_token) token.refresh_token = refresh_token;
  if (typeof source.refresh_token_expires === 'number') {
    token.refresh_token_expires = source.refresh_token_expires;
  } else {
    const refreshExpiresIn = seconds(source.refresh_token_expires_in, 'refresh_token_expires_in');
    if (refreshExpiresIn !== undefined) token.refresh_token_expires = now + refreshExpiresIn * 1000;
  }
  const scope = optional(source, 'scope');
  if (scope !== undefined) token.scope = scope;
  return token;
}

/** A memory token store that starts with `seed`: the session loads it as a stored token. */
export function seededTokenStore(seed: Token): TokenStorageAdapter {
  const store = memoryTokenStore();
  store.save(seed);
  return store;
}
