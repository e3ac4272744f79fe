import { calculatePKCECodeChallenge, generateRandomCodeVerifier } from 'oauth4webapi';

/** A login in flight: what goes into the authorize URL and what waits in storage for the redirect. */
export interface LoginTransaction {
  /** One-time CSRF token bound to this browser (RFC 9700 §2.1, §4.7.1). */
  csrfToken: string;
  /** RFC 7636 §4.1 verifier: 43 unreserved characters from 32 random octets. */
  codeVerifier: string;
  /** RFC 7636 §4.2 `BASE64URL(SHA256(verifier))`. */
  codeChallenge: string;
}

/** 32 random octets from `crypto.getRandomValues`, base64url without padding. */
export function randomToken(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(32));
  let binary = '';
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

/**
 * Creates the secrets of one login: a CSRF token and a PKCE pair (RFC 7636 §4.1–4.2), all from
 * the platform's CSPRNG (the Webex plugin used Math.random for its verifier).
 */
export async function createLoginTransaction(): Promise<LoginTransaction> {
  const codeVerifier = generateRandomCodeVerifier();
  return {
    csrfToken: randomToken(),
    codeVerifier,
    codeChallenge: await calculatePKCECodeChallenge(codeVerifier),
  };
}

/**
 * SHA-256 of an email address as lower-case hex: Webex's `emailhash` preauth hint. The address
 * is trimmed and lower-cased first, so `Test@x.com ` and `test@x.com` give the same hint.
 */
export async function hashEmail(email: string): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(email.trim().toLowerCase()));
  return Array.from(new Uint8Array(digest), (byte) => byte.toString(16).padStart(2, '0')).join('');
}
