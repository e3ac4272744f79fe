import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { StateDecodeError } from '../../src/errors.js';
import { decodeState, encodeState } from '../../src/stateCodec.js';

/** Standard base64 with padding, built independently of the code under test (Node is fine in tests). */
function standardBase64(json: string): string {
  return Buffer.from(json, 'utf8').toString('base64');
}

function expectDecodeError(encoded: string, reason: string): void {
  let caught: unknown;
  try {
    decodeState(encoded);
  } catch (error) {
    caught = error;
  }
  expect(caught).toBeInstanceOf(StateDecodeError);
  expect((caught as StateDecodeError).reason).toBe(reason);
  if (encoded !== '') expect((caught as StateDecodeError).message).not.toContain(encoded);
}

describe('encodeState', () => {
  it('produces the Webex encoding (base64url JSON, no padding)', () => {
    expect(encodeState({ page: 'front' })).toBe('eyJwYWdlIjoiZnJvbnQifQ');
    expect(encodeState({})).toBe('e30');
  });

  it('uses only URL-safe characters', () => {
    fc.assert(
      fc.property(fc.dictionary(fc.string(), fc.jsonValue()), (state) => {
        expect(encodeState(state)).toMatch(/^[A-Za-z0-9_-]*$/);
      }),
    );
  });

  it('encodes non-ASCII text as UTF-8', () => {
    const state = { returnTo: '/café?x=ü', emoji: '🔐' };
    expect(encodeState(state)).toBe(
      standardBase64(JSON.stringify(state)).replace(/=+$/, '').replace(/\+/g, '-').replace(/\//g, '_'),
    );
  });

  it('rejects values that would not decode back to an object', () => {
    const notAnObject = expect.objectContaining({
      name: 'TypeError',
      message: 'encodeState: state must be a plain object',
    });
    expect(() => encodeState([] as never)).toThrow(notAnObject);
    expect(() => encodeState(null as never)).toThrow(notAnObject);
    expect(() => encodeState('x' as never)).toThrow(notAnObject);
    const notAJsonObject = expect.objectContaining({
      name: 'TypeError',
      message: 'encodeState: state must serialise to a JSON object',
    });
    expect(() => encodeState(new Date() as never)).toThrow(notAJsonObject);
    expect(() => encodeState({ toJSON: () => undefined })).toThrow(notAJsonObject);
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    // The cause says what JSON.stringify disliked (here: a cycle) without the message echoing values.
    expect(() => encodeState(cyclic)).toThrow(
      expect.objectContaining({
        message: 'encodeState: state must be JSON-serialisable',
        cause: expect.any(TypeError),
      }),
    );
    expect(() => encodeState({ n: 1n })).toThrow(TypeError);
  });
});

describe('decodeState', () => {
  it('decodes the Webex encoding', () => {
    expect(decodeState('eyJwYWdlIjoiZnJvbnQifQ')).toEqual({ page: 'front' });
    expect(decodeState('e30')).toEqual({});
  });

  it('accepts padding and the standard +/ alphabet, like Webex', () => {
    const state = { returnTo: '/café?x=ü', q: '>>>???' };
    const standard = standardBase64(JSON.stringify(state));
    expect(standard).toMatch(/[+/]/);
    expect(decodeState(standard)).toEqual(state);
    expect(decodeState(standard.replace(/=+$/, ''))).toEqual(state);
    expect(decodeState('e30=')).toEqual({});
    expect(decodeState(`${encodeState(state)}==`)).toEqual(state);
  });

  it('accepts a standard-alphabet state whose + was form-decoded to a space', () => {
    const state = { q: '>>>' };
    const standard = standardBase64(JSON.stringify(state));
    expect(standard).toContain('+');
    expect(decodeState(standard.replace(/\+/g, ' '))).toEqual(state);
  });

  it('round-trips any JSON object, including non-ASCII and __proto__ keys', () => {
    fc.assert(
      fc.property(fc.dictionary(fc.string({ unit: 'grapheme' }), fc.jsonValue()), (state) => {
        const normalised = JSON.parse(JSON.stringify(state)) as unknown;
        expect(decodeState(encodeState(state))).toEqual(normalised);
      }),
    );
    expect(
      Object.keys(decodeState(encodeState(JSON.parse('{"__proto__":1}') as Record<string, unknown>))),
    ).toEqual(['__proto__']);
  });

  it('rejects invalid base64 without echoing the input', () => {
    expectDecodeError('not base64!', 'not_base64url');
    expectDecodeError('e30=e30', 'not_base64url');
    expectDecodeError('abcde', 'not_base64url');
    expectDecodeError('%7B%7D', 'not_base64url');
    // atob would skip whitespace and read these as `{}`: a state is one unbroken token.
    expectDecodeError('e30\n', 'not_base64url');
    expectDecodeError('\te30', 'not_base64url');
  });

  it('rejects invalid UTF-8', () => {
    // 0xC3 0x28 is an invalid two-byte sequence.
    expectDecodeError(Buffer.from([0x7b, 0xc3, 0x28, 0x7d]).toString('base64url'), 'not_utf8');
  });

  it('rejects invalid JSON without leaking it through the message or cause', () => {
    const encoded = Buffer.from('{"csrf_token":"SECRET-TOKEN"', 'utf8').toString('base64url');
    expectDecodeError(encoded, 'not_json');
    try {
      decodeState(encoded);
    } catch (error) {
      expect((error as Error).message).not.toContain('SECRET');
      expect((error as Error).cause).toBeUndefined();
    }
    expectDecodeError('', 'not_json');
  });

  it.each([
    ['an array', '[1]'],
    ['null', 'null'],
    ['a string', '"csrf"'],
    ['a number', '42'],
    ['a boolean', 'true'],
  ])('rejects JSON that is %s', (_label, json) => {
    expectDecodeError(Buffer.from(json, 'utf8').toString('base64url'), 'not_object');
  });

  it('throws only StateDecodeError for any string input', () => {
    fc.assert(
      fc.property(fc.string(), (input) => {
        try {
          decodeState(input);
        } catch (error) {
          expect(error).toBeInstanceOf(StateDecodeError);
        }
      }),
    );
  });

  it('rejects a non-string argument with a TypeError', () => {
    expect(() => decodeState(undefined as never)).toThrow(
      expect.objectContaining({ name: 'TypeError', message: 'decodeState: encoded state must be a string' }),
    );
  });
});
