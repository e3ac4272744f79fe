/**
 * Storage of the pending login transaction (CSRF token and PKCE verifier) between the redirect to
 * the authorization server and the callback.
 *
 * The keys are Webex's, so a login started with the Webex plugin can finish with authcharts. Values
 * are single use (SPEC §10): reading them always removes them.
 *
 * @module
 */

/** Key under which the CSRF token is stored (Webex-compatible). */
export const CSRF_TOKEN_KEY = 'oauth2-csrf-token';

/** Key under which the PKCE code verifier (RFC 7636 §4.1) is stored (Webex-compatible). */
export const CODE_VERIFIER_KEY = 'oauth2-code-verifier';

/** The part of the Web Storage API the store needs; `sessionStorage` in a browser. */
export type TransactionStorage = Pick<Storage, 'getItem' | 'setItem' | 'removeItem'>;

/** What {@link takeTransaction} found. A value is `undefined` when absent, empty or unreadable. */
export interface PendingTransaction {
  csrfToken: string | undefined;
  codeVerifier: string | undefined;
}

function removeQuietly(storage: TransactionStorage, key: string): void {
  try {
    storage.removeItem(key);
  } catch {
    // Nothing left to do: a storage that cannot remove could not have returned the value either.
  }
}

function readQuietly(storage: TransactionStorage, key: string): string | undefined {
  try {
    const value = storage.getItem(key);
    return typeof value === 'string' && value !== '' ? value : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Stores the CSRF token and PKCE verifier of a login that is about to leave the page.
 *
 * Throws when the storage refuses to write (quota exceeded, Safari private mode, storage disabled):
 * redirecting anyway would produce a callback that can only fail the CSRF check. After a failed write
 * both keys are removed, so a half-written transaction from this attempt cannot survive. The error
 * message never contains the values.
 */
export function saveTransaction(
  storage: TransactionStorage,
  transaction: { csrfToken: string; codeVerifier: string | undefined },
): void {
  if (typeof storage !== 'object' || storage === null) {
    throw new TypeError('saveTransaction: storage must be a Storage-like object');
  }
  const { csrfToken, codeVerifier } = transaction ?? {};
  if (typeof csrfToken !== 'string' || csrfToken === '') {
    throw new TypeError('saveTransaction: csrfToken must be a non-empty string');
  }
  // Only the legacy implicit grant (opt-in) has no verifier: no PKCE without a code.
  if (codeVerifier !== undefined && (typeof codeVerifier !== 'string' || codeVerifier === '')) {
    throw new TypeError('saveTransaction: codeVerifier must be a non-empty string');
  }
  try {
    storage.setItem(CSRF_TOKEN_KEY, csrfToken);
    if (codeVerifier === undefined) storage.removeItem(CODE_VERIFIER_KEY);
    else storage.setItem(CODE_VERIFIER_KEY, codeVerifier);
  } catch (cause) {
    removeQuietly(storage, CSRF_TOKEN_KEY);
    removeQuietly(storage, CODE_VERIFIER_KEY);
    throw new Error(
      'Could not save the login transaction: browser storage is unavailable or full (e.g. private browsing)',
      { cause },
    );
  }
}

/**
 * Reads and removes the pending login transaction, whatever it contains (SPEC §10: single use).
 *
 * Both keys are removed even when one is missing or the callback later fails validation, so a
 * captured callback URL cannot be replayed against the same transaction. A missing storage, or one
 * that throws (storage disabled, sandboxed iframe), reads as an empty transaction instead of
 * throwing: the caller then fails closed with a missing-transaction error. The verifier is read
 * first, as in Webex, whose test doubles depend on that order.
 */
export function takeTransaction(storage: TransactionStorage | undefined): PendingTransaction {
  if (typeof storage !== 'object' || storage === null) {
    return { csrfToken: undefined, codeVerifier: undefined };
  }
  const codeVerifier = readQuietly(storage, CODE_VERIFIER_KEY);
  removeQuietly(storage, CODE_VERIFIER_KEY);
  const csrfToken = readQuietly(storage, CSRF_TOKEN_KEY);
  removeQuietly(storage, CSRF_TOKEN_KEY);
  return { csrfToken, codeVerifier };
}
