import { describe, expect, it } from 'vitest';
import { isStoredToken, tokenStorageKey, webStorageTokenStore } from '../../src/tokenStore.js';
import { MemoryStorage } from '../fixtures/fakeWindow.js';

const KEY = tokenStorageKey('client-1');
const TOKEN = { access_token: 'AT-1', token_type: 'Bearer', expires: 1_700_000_000_000 };

describe('webStorageTokenStore', () => {
  it('saves, loads and clears the token under its key', () => {
    const storage = new MemoryStorage();
    const store = webStorageTokenStore(storage, KEY);
    store.save(TOKEN as never);
    expect(JSON.parse(storage.getItem(KEY) ?? 'null')).toEqual(TOKEN);
    expect(store.load()).toEqual(TOKEN);
    store.clear();
    expect(storage.getItem(KEY)).toBeNull();
    expect(store.load()).toBeUndefined();
  });

  // Another script, an older version or a hand edit may have left anything under the key: a value
  // that is not a token must never be used as one, and must not throw at start-up.
  it.each([
    ['not JSON', 'AT-1'],
    ['null', 'null'],
    ['a number', '42'],
    ['a string', '"AT-1"'],
    ['an empty object', '{}'],
    ['no token_type', '{"access_token":"AT-1"}'],
    ['no access_token', '{"token_type":"Bearer"}'],
    ['a numeric access_token', '{"access_token":1,"token_type":"Bearer"}'],
  ])('treats a stored value that is not a token (%s) as no token', (_name, raw) => {
    const storage = new MemoryStorage();
    storage.setItem(KEY, raw);
    expect(webStorageTokenStore(storage, KEY).load()).toBeUndefined();
  });

  it('without a storage area (storage blocked) holds nothing and does not throw', () => {
    const store = webStorageTokenStore(undefined, KEY);
    expect(() => store.save(TOKEN as never)).not.toThrow();
    expect(store.load()).toBeUndefined();
    expect(() => store.clear()).not.toThrow();
  });
});

describe('isStoredToken', () => {
  it('accepts only objects with a string access_token and token_type', () => {
    expect(isStoredToken(TOKEN)).toBe(true);
    for (const value of [
      null,
      undefined,
      'AT-1',
      1,
      {},
      { access_token: 'AT-1' },
      { token_type: 'Bearer' },
    ]) {
      expect(isStoredToken(value)).toBe(false);
    }
  });
});
