// @vitest-environment jsdom
import { beforeEach, describe, expect, it, vi } from 'vitest';
import {
  CODE_VERIFIER_KEY,
  CSRF_TOKEN_KEY,
  saveTransaction,
  type TransactionStorage,
  takeTransaction,
} from '../../src/transactionStore.js';

const CSRF = 'csrf-SECRET-0b7e';
const VERIFIER = 'verifier-SECRET-9c1d';

function throwingStorage(): TransactionStorage {
  const fail = (): never => {
    throw new DOMException('The quota has been exceeded.', 'QuotaExceededError');
  };
  return { getItem: vi.fn(fail), setItem: vi.fn(fail), removeItem: vi.fn(fail) };
}

beforeEach(() => {
  sessionStorage.clear();
});

describe('saveTransaction', () => {
  it('stores under the Webex keys, so a login started by the Webex plugin can finish here', () => {
    expect(CSRF_TOKEN_KEY).toBe('oauth2-csrf-token');
    expect(CODE_VERIFIER_KEY).toBe('oauth2-code-verifier');
    saveTransaction(sessionStorage, { csrfToken: CSRF, codeVerifier: VERIFIER });
    expect(sessionStorage.getItem('oauth2-csrf-token')).toBe(CSRF);
    expect(sessionStorage.getItem('oauth2-code-verifier')).toBe(VERIFIER);
  });

  it('throws a clear error without the values when the storage refuses to write', () => {
    let caught: unknown;
    try {
      saveTransaction(throwingStorage(), { csrfToken: CSRF, codeVerifier: VERIFIER });
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(Error);
    const message = (caught as Error).message;
    expect(message).toMatch(/storage/i);
    expect(message).not.toContain(CSRF);
    expect(message).not.toContain(VERIFIER);
    expect((caught as Error).cause).toBeInstanceOf(DOMException);
  });

  it('leaves no half-written transaction when the second write fails', () => {
    const storage: TransactionStorage = {
      getItem: (key) => sessionStorage.getItem(key),
      removeItem: (key) => sessionStorage.removeItem(key),
      setItem: (key, value) => {
        if (key === CODE_VERIFIER_KEY) throw new DOMException('full', 'QuotaExceededError');
        sessionStorage.setItem(key, value);
      },
    };
    expect(() => saveTransaction(storage, { csrfToken: CSRF, codeVerifier: VERIFIER })).toThrow();
    expect(sessionStorage.getItem(CSRF_TOKEN_KEY)).toBeNull();
  });

  it.each([
    [
      'an empty CSRF token',
      { csrfToken: '', codeVerifier: VERIFIER },
      'csrfToken must be a non-empty string',
    ],
    [
      'a CSRF token that is not a string',
      { csrfToken: 42, codeVerifier: VERIFIER },
      'csrfToken must be a non-empty string',
    ],
    ['no transaction at all', undefined, 'csrfToken must be a non-empty string'],
    ['an empty verifier', { csrfToken: CSRF, codeVerifier: '' }, 'codeVerifier must be a non-empty string'],
    [
      'a verifier that is not a string',
      { csrfToken: CSRF, codeVerifier: 42 },
      'codeVerifier must be a non-empty string',
    ],
  ])('rejects %s with a TypeError before touching the storage', (_, transaction, message) => {
    expect(() => saveTransaction(sessionStorage, transaction as never)).toThrow(
      new TypeError(`saveTransaction: ${message}`),
    );
    expect(sessionStorage.length).toBe(0);
  });

  it.each([null, undefined, 'sessionStorage'])(
    'rejects a storage that is not an object (%s) with a TypeError',
    (storage) => {
      expect(() => saveTransaction(storage as never, { csrfToken: CSRF, codeVerifier: VERIFIER })).toThrow(
        new TypeError('saveTransaction: storage must be a Storage-like object'),
      );
    },
  );

  it('stores only the CSRF token for the legacy implicit grant (no verifier) and drops a stale verifier', () => {
    sessionStorage.setItem(CODE_VERIFIER_KEY, 'stale-verifier');
    saveTransaction(sessionStorage, { csrfToken: CSRF, codeVerifier: undefined });
    expect(sessionStorage.getItem(CSRF_TOKEN_KEY)).toBe(CSRF);
    expect(sessionStorage.getItem(CODE_VERIFIER_KEY)).toBeNull();
  });
});

describe('takeTransaction', () => {
  it('returns the stored transaction and removes it (single use)', () => {
    saveTransaction(sessionStorage, { csrfToken: CSRF, codeVerifier: VERIFIER });
    expect(takeTransaction(sessionStorage)).toEqual({ csrfToken: CSRF, codeVerifier: VERIFIER });
    expect(sessionStorage.getItem(CSRF_TOKEN_KEY)).toBeNull();
    expect(sessionStorage.getItem(CODE_VERIFIER_KEY)).toBeNull();
    expect(takeTransaction(sessionStorage)).toEqual({ csrfToken: undefined, codeVerifier: undefined });
  });

  it('removes both keys even when only one is present', () => {
    sessionStorage.setItem(CODE_VERIFIER_KEY, VERIFIER);
    expect(takeTransaction(sessionStorage)).toEqual({ csrfToken: undefined, codeVerifier: VERIFIER });
    expect(sessionStorage.getItem(CODE_VERIFIER_KEY)).toBeNull();

    sessionStorage.setItem(CSRF_TOKEN_KEY, CSRF);
    expect(takeTransaction(sessionStorage)).toEqual({ csrfToken: CSRF, codeVerifier: undefined });
    expect(sessionStorage.getItem(CSRF_TOKEN_KEY)).toBeNull();
  });

  it('leaves the app’s other session data alone', () => {
    sessionStorage.setItem('app-key', 'keep');
    saveTransaction(sessionStorage, { csrfToken: CSRF, codeVerifier: VERIFIER });
    takeTransaction(sessionStorage);
    expect(sessionStorage.getItem('app-key')).toBe('keep');
  });

  it('treats empty strings as absent, and still removes them', () => {
    sessionStorage.setItem(CSRF_TOKEN_KEY, '');
    sessionStorage.setItem(CODE_VERIFIER_KEY, '');
    expect(takeTransaction(sessionStorage)).toEqual({ csrfToken: undefined, codeVerifier: undefined });
    expect(sessionStorage.length).toBe(0);
  });

  it('treats a missing or throwing storage as empty and never throws', () => {
    // Strict: the app may check `'csrfToken' in transaction`, so both fields are always there.
    expect(takeTransaction(undefined)).toStrictEqual({ csrfToken: undefined, codeVerifier: undefined });
    const storage = throwingStorage();
    expect(takeTransaction(storage)).toEqual({ csrfToken: undefined, codeVerifier: undefined });
    // It still tried to remove both keys.
    expect(storage.removeItem).toHaveBeenCalledWith(CSRF_TOKEN_KEY);
    expect(storage.removeItem).toHaveBeenCalledWith(CODE_VERIFIER_KEY);
  });

  it('removes a value it could read even when removing the other key throws', () => {
    const removed: string[] = [];
    const storage: TransactionStorage = {
      getItem: (key) => (key === CSRF_TOKEN_KEY ? CSRF : VERIFIER),
      setItem: () => {},
      removeItem: (key) => {
        if (key === CODE_VERIFIER_KEY) throw new Error('nope');
        removed.push(key);
      },
    };
    expect(takeTransaction(storage)).toEqual({ csrfToken: CSRF, codeVerifier: VERIFIER });
    expect(removed).toEqual([CSRF_TOKEN_KEY]);
  });

  it('reads the verifier before the CSRF token, as Webex does', () => {
    const reads: string[] = [];
    const storage: TransactionStorage = {
      getItem: (key) => {
        reads.push(key);
        return null;
      },
      setItem: () => {},
      removeItem: () => {},
    };
    takeTransaction(storage);
    expect(reads).toEqual([CODE_VERIFIER_KEY, CSRF_TOKEN_KEY]);
  });
});
