import type { Token } from './token.js';

/**
 * Where the supertoken lives between page loads. `load` may be called by several tabs; `save`
 * and `clear` must be visible to the others for cross-tab refresh to work ('local' is).
 */
export interface TokenStorageAdapter {
  /**
   * The stored token, or `undefined`. Answer synchronously when you can: a page is then
   * authenticated as soon as `createAuthorization` returns. A throw or rejection counts as none.
   */
  load(): Token | undefined | Promise<Token | undefined>;
  /** Stores `token`, replacing the previous one (a refresh inside the cross-tab lock waits for it). */
  save(token: Token): void | Promise<void>;
  /** Removes the token (logout, or a refresh the server refused). */
  clear(): void | Promise<void>;
}

/** `tokenStorage` in the config: a built-in place or an adapter. */
export type TokenStorageOption = 'local' | 'session' | 'memory' | TokenStorageAdapter;

/** The storage key of the supertoken, per client so two apps on one origin do not collide. */
export function tokenStorageKey(clientId: string): string {
  return `authcharts.supertoken.${clientId}`;
}

/** Whether a stored value has the shape of a token (anything else counts as none). */
export const isStoredToken = (value: unknown): value is Token =>
  typeof value === 'object' &&
  value !== null &&
  typeof (value as Token).access_token === 'string' &&
  typeof (value as Token).token_type === 'string';

/** A Web Storage area as a token store; anything unreadable counts as no token. */
export function webStorageTokenStore(storage: Storage | undefined, key: string): TokenStorageAdapter {
  return {
    load() {
      try {
        const value: unknown = JSON.parse(storage?.getItem(key) ?? 'null');
        return isStoredToken(value) ? value : undefined;
      } catch {
        return undefined;
      }
    },
    save(token) {
      storage?.setItem(key, JSON.stringify(token));
    },
    clear() {
      storage?.removeItem(key);
    },
  };
}

/** Tokens kept only in this page's memory (browser-apps BCP §8.4: the least exposed option). */
export function memoryTokenStore(): TokenStorageAdapter {
  let current: Token | undefined;
  return {
    load: () => current,
    save: (token) => {
      current = token;
    },
    clear: () => {
      current = undefined;
    },
  };
}

/**
 * Writes a token to any adapter, never throwing: Web Storage throws when it is full or disabled
 * (`QuotaExceededError`, `SecurityError`) and an adapter may reject. A failed write must not end
 * a session or lose a rotated refresh token: the session keeps the token in memory, and only a
 * reload (or another tab) misses it.
 */
export async function saveToken(store: TokenStorageAdapter, token: Token): Promise<void> {
  try {
    await store.save(token);
  } catch {
    // Kept in memory; see above.
  }
}

/** Removes the token from any adapter, never throwing (see {@link saveToken}). */
export async function clearToken(store: TokenStorageAdapter): Promise<void> {
  try {
    await store.clear();
  } catch {
    // The session forgets the token anyway.
  }
}

/** Reads a token from any adapter, never throwing: a broken store means "no token". */
export async function loadToken(store: TokenStorageAdapter): Promise<Token | undefined> {
  try {
    const token = await store.load();
    return isStoredToken(token) ? token : undefined;
  } catch {
    return undefined;
  }
}
