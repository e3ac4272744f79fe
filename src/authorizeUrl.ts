/** Everything that may appear on an authorize URL; nothing else ever does. */
export interface AuthorizeParameters {
  clientId: string;
  redirectUri: string;
  scope: string | undefined;
  /** The encoded `state` (base64url JSON carrying the CSRF token). */
  state: string;
  /** RFC 7636 §4.2 S256 challenge; absent only for the legacy implicit grant (`response_type=token`). */
  codeChallenge: string | undefined;
  /** Webex "redirectCI" hint: SHA-256 of the email, hex. Only the webex profile sends it. */
  emailHash?: string;
  /** OIDC Core §3.1.2.1 `login_hint`. */
  loginHint?: string;
}

/**
 * Builds the authorization request URL (RFC 6749 §4.1.1 with PKCE, RFC 7636 §4.3) from an
 * allow-list of parameters, in the Webex plugin's order. UI options such as `separateWindow`
 * cannot reach the URL because there is no way to pass them in. Parameters already on the
 * endpoint URL are kept.
 */
export function buildAuthorizeUrl(endpoint: string, parameters: AuthorizeParameters): string {
  const url = new URL(endpoint);
  const query = url.searchParams;
  query.set('response_type', parameters.codeChallenge === undefined ? 'token' : 'code');
  query.set('state', parameters.state);
  if (parameters.emailHash) query.set('emailHash', parameters.emailHash);
  if (parameters.codeChallenge !== undefined) {
    query.set('code_challenge', parameters.codeChallenge);
    query.set('code_challenge_method', 'S256');
  }
  query.set('client_id', parameters.clientId);
  query.set('redirect_uri', parameters.redirectUri);
  if (parameters.scope) query.set('scope', parameters.scope);
  if (parameters.loginHint) query.set('login_hint', parameters.loginHint);
  return url.href;
}
