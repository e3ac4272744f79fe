import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { timingSafeEqual } from '../../src/constantTime.js';

// Any UTF-16 code unit, lone surrogates included: the comparison works on code units, not characters.
const codeUnit = fc.integer({ min: 0, max: 0xffff }).map((unit) => String.fromCharCode(unit));

describe('timingSafeEqual', () => {
  it('agrees with === for any pair of strings', () => {
    fc.assert(
      fc.property(
        fc.string({ unit: codeUnit, maxLength: 64 }),
        fc.string({ unit: codeUnit, maxLength: 64 }),
        (a, b) => {
          expect(timingSafeEqual(a, b)).toBe(a === b);
        },
      ),
    );
    fc.assert(
      fc.property(fc.string({ unit: codeUnit, maxLength: 64 }), (a) => {
        expect(timingSafeEqual(a, a)).toBe(true);
      }),
    );
  });

  it('tells apart strings that differ only in length', () => {
    expect(timingSafeEqual('token', 'token\u0000')).toBe(false);
    expect(timingSafeEqual('\u0000', '')).toBe(false);
    expect(timingSafeEqual('', '')).toBe(true);
    expect(timingSafeEqual('abc', 'ab')).toBe(false);
  });

  it('tells apart strings that differ in one code unit anywhere', () => {
    fc.assert(
      fc.property(
        fc.string({ minLength: 1, unit: codeUnit }),
        fc.nat(),
        fc.integer({ min: 1, max: 0xffff }),
        (a, at, flip) => {
          const index = at % a.length;
          const b = a.slice(0, index) + String.fromCharCode(a.charCodeAt(index) ^ flip) + a.slice(index + 1);
          expect(timingSafeEqual(a, b)).toBe(false);
        },
      ),
    );
  });

  it('compares UTF-16 code units, so lone surrogates are handled', () => {
    expect(timingSafeEqual('\ud83d', '\ud83d')).toBe(true);
    expect(timingSafeEqual('\ud83d\udd10', '\ud83d\udd11')).toBe(false);
  });

  it('refuses non-strings with a clear TypeError, so a missing stored token never matches', () => {
    const refusal = expect.objectContaining({
      name: 'TypeError',
      message: 'timingSafeEqual: both arguments must be strings',
    });
    for (const [a, b] of [
      [undefined, undefined],
      ['a', null],
      [1, 'a'],
      ['', 0],
    ]) {
      expect(() => timingSafeEqual(a as never, b as never)).toThrow(refusal);
    }
  });
});
