/**
 * The secrets of a login (`createLoginTransaction`): the CSRF token travels in the authorize URL's
 * `state` and back in the callback, so it must be base64url without padding ('+', '/' and '='
 * would be altered or need escaping on the way). The random source is pinned to octets whose
 * plain base64 is full of exactly those characters.
 */
import { describe, expect, it, vi } from 'vitest';
import { createLoginTransaction } from '../../actors/transaction.js';

/** 0xfb 0xef 0xff is "++//" in base64; 32 octets end in "++8=" (one padding character). */
const OCTETS = Uint8Array.from({ length: 32 }, (_, i) => [0xfb, 0xef, 0xff][i % 3] as number);

function pinRandomSource() {
  vi.spyOn(crypto, 'getRandomValues').mockImplementation(<T extends ArrayBufferView | null>(array: T): T => {
    if (array)
      new Uint8Array(array.buffer, array.byteOffset, array.byteLength).set(OCTETS.slice(0, array.byteLength));
    return array;
  });
}

describe('createLoginTransaction', () => {
  it('encodes the CSRF token as unpadded base64url of its 32 random octets', async () => {
    pinRandomSource();
    const { csrfToken } = await createLoginTransaction();
    // Node's own encoder, independent of the code under test.
    expect(csrfToken).toBe(Buffer.from(OCTETS).toString('base64url'));
    expect(csrfToken).toBe(`${'--__'.repeat(10)}--8`);
    expect(csrfToken).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });
});
