/**
 * The token set a login produces (Webex calls it the supertoken). Times are absolute (ms since
 * the epoch, from the local clock when the response arrived), so a stored token can be judged
 * after a reload.
 */
export interface Token {
  /** The access token (RFC 6749 §5.1): what API requests carry. */
  access_token: string;
  /** `Bearer` (RFC 6750) unless the server said otherwise. */
  token_type: string;
  /** When the access token expires (ms epoch); absent when the server gave no `expires_in`. */
  expires?: number;
  /** The refresh token (RFC 6749 §6), when the server issued one. */
  refresh_token?: string;
  /** When the refresh token expires (ms epoch), for servers that say (Webex). */
  refresh_token_expires?: number;
  /** The granted scope (RFC 6749 §5.1), when the server said. */
  scope?: string;
  /** The OpenID Connect ID token, when the server issued one. */
  id_token?: string;
}

/** The fields of a token endpoint response (RFC 6749 §5.1) that the token model reads. */
export interface TokenResponse {
  /** The access token. */
  access_token: string;
  /** The token type (`bearer` …); `Bearer` when absent. */
  token_type?: string;
  /** Seconds until the access token expires (a string in implicit-grant fragments). */
  expires_in?: number | string;
  /** The refresh token, if issued. */
  refresh_token?: string;
  /** Seconds until the refresh token expires (Webex). */
  refresh_token_expires_in?: number | string;
  /** The granted scope. */
  scope?: string;
  /** The OpenID Connect ID token, if issued. */
  id_token?: string;
}

const seconds = (value: number | string | undefined): number | undefined => {
  const n = typeof value === 'string' ? Number.parseFloat(value) : value;
  return typeof n === 'number' && Number.isFinite(n) && n >= 0 ? n : undefined;
};

/**
 * Turns a token endpoint response (RFC 6749 §5.1) into a `Token`: `expires_in` becomes an
 * absolute `expires` measured from `receivedAt`, the moment the response arrived.
 */
export function tokenFromResponse(response: TokenResponse, receivedAt: number): Token {
  if (typeof response?.access_token !== 'string' || response.access_token === '') {
    throw new TypeError('A token response must carry an access_token');
  }
  const token: Token = {
    access_token: response.access_token,
    // oauth4webapi lower-cases the type; `Authorization: Bearer …` is how everyone writes it.
    token_type:
      !response.token_type || /^bearer$/i.test(response.token_type) ? 'Bearer' : response.token_type,
  };
  const expiresIn = seconds(response.expires_in);
  if (expiresIn !== undefined) token.expires = receivedAt + expiresIn * 1000;
  if (response.refresh_token) token.refresh_token = response.refresh_token;
  const refreshExpiresIn = seconds(response.refresh_token_expires_in);
  if (refreshExpiresIn !== undefined) token.refresh_token_expires = receivedAt + refreshExpiresIn * 1000;
  if (response.scope !== undefined) token.scope = response.scope;
  if (response.id_token !== undefined) token.id_token = response.id_token;
  return token;
}

/** True while the access token can be sent: it exists and has not expired at `now`. */
export function isTokenUsable(token: Token | undefined, now: number): boolean {
  return token !== undefined && (token.expires === undefined || token.expires > now);
}
