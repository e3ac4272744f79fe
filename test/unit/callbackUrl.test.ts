import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  INTERNAL_STATE_KEYS,
  readCallbackUrl,
  readImplicitFragment,
  sanitizeCallbackUrl,
} from '../../src/callbackUrl.js';
import { decodeState, encodeState } from '../../src/stateCodec.js';

const RESPONSE_KEYS = ['code', 'iss', 'session_state', 'error', 'error_description', 'error_uri'];

/** The raw `&`-separated query segments of an href, fragment excluded. */
function rawSegments(href: string): string[] {
  const withoutFragment = href.split('#')[0] ?? '';
  const queryAt = withoutFragment.indexOf('?');
  return queryAt === -1 ? [] : withoutFragment.slice(queryAt + 1).split('&');
}

describe('readCallbackUrl', () => {
  it('sees no callback on an ordinary page load', () => {
    expect(readCallbackUrl('https://app.example/')).toEqual({ kind: 'none' });
    expect(readCallbackUrl('https://app.example/inbox?tab=2&state=e30')).toEqual({ kind: 'none' });
  });

  it('ignores the fragment, which belongs to the app', () => {
    expect(readCallbackUrl('https://app.example/#/cb?code=abc&state=e30')).toEqual({ kind: 'none' });
    expect(readCallbackUrl('https://app.example/#code=abc')).toEqual({ kind: 'none' });
  });

  it('reads code, state and iss from an authorization response', () => {
    const state = encodeState({ csrf_token: 't' });
    expect(
      readCallbackUrl(
        `https://app.example/cb?code=aa_bb_org1&state=${state}&iss=https%3A%2F%2Fidp.example#/x`,
      ),
    ).toEqual({ kind: 'code', code: 'aa_bb_org1', state, iss: 'https://idp.example' });
    expect(readCallbackUrl('https://app.example/cb?code=c')).toEqual({
      kind: 'code',
      code: 'c',
      state: undefined,
      iss: undefined,
    });
  });

  it('reads an RFC 6749 §4.1.2.1 error response', () => {
    expect(
      readCallbackUrl(
        'https://app.example/cb?error=access_denied&error_description=User+said+no&error_uri=https%3A%2F%2Fx&state=e30',
      ),
    ).toEqual({
      kind: 'error',
      error: { error: 'access_denied', error_description: 'User said no', error_uri: 'https://x' },
      state: 'e30',
      iss: undefined,
    });
    expect(readCallbackUrl('https://app.example/cb?error=server_error')).toEqual({
      kind: 'error',
      error: { error: 'server_error' },
      state: undefined,
      iss: undefined,
    });
  });

  it('lets an error win over a code, so a failed login is never exchanged', () => {
    const result = readCallbackUrl(
      'https://app.example/cb?code=abc&error=invalid_scope&error_description=bad',
    );
    expect(result.kind).toBe('error');
  });

  it.each([
    ['code', 'https://app.example/cb?code=a&code=b&state=e30'],
    ['state', 'https://app.example/cb?code=a&state=e30&state=e30'],
    ['iss', 'https://app.example/cb?code=a&iss=x&iss=y'],
    ['error', 'https://app.example/cb?error=a&error=b'],
    ['code', 'https://app.example/cb?code='],
    ['error', 'https://app.example/cb?error=&code=a'],
  ])('reports a malformed response (%s) instead of crashing like Webex', (parameter, href) => {
    expect(readCallbackUrl(href)).toEqual({ kind: 'malformed', parameter });
  });

  it('decodes percent-encoded parameter names like the browser does', () => {
    expect(readCallbackUrl('https://app.example/cb?%63ode=abc')).toMatchObject({ kind: 'code', code: 'abc' });
  });
});

describe.each([
  ['readCallbackUrl', readCallbackUrl],
  ['readImplicitFragment', readImplicitFragment],
  ['sanitizeCallbackUrl', (href: string) => sanitizeCallbackUrl(href)],
] as const)('%s input checks', (name, read) => {
  it('refuses a relative href with a TypeError that names the function and does not quote the href', () => {
    const error = captureError(() => read('/cb?code=SECRET#access_token=SECRET'));
    expect(error).toBeInstanceOf(TypeError);
    expect(error.message).toBe(`${name}: href must be an absolute URL`);
  });

  it('refuses an href that is not a string, saying so', () => {
    for (const href of [undefined, 42, { toString: () => 'https://app.example/?code=c' }]) {
      const error = captureError(() => read(href as never));
      expect(error).toBeInstanceOf(TypeError);
      expect(error.message).toBe(`${name}: href must be a string`);
    }
  });
});

function captureError(run: () => unknown): Error {
  try {
    run();
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected a throw');
}

describe('sanitizeCallbackUrl', () => {
  it('matches the Webex examples, also removing emailhash', () => {
    const state = encodeState({ csrf_token: 't', emailhash: 'eh', page: 'x?y' });
    expect(
      sanitizeCallbackUrl(`http://example.com/app/?foo=1&code=aa_bb_org1&state=${state}&bar=2#frag=1`),
    ).toBe(`http://example.com/app/?foo=1&state=${encodeState({ page: 'x?y' })}&bar=2#frag=1`);
    expect(sanitizeCallbackUrl(`http://example.com/?code=5&state=${encodeState({ csrf_token: 't' })}`)).toBe(
      'http://example.com/',
    );
    expect(sanitizeCallbackUrl(`http://example.com/p?code=5&state=${encodeState({})}`)).toBe(
      'http://example.com/p',
    );
    expect(sanitizeCallbackUrl(`http://example.com/p?code=5&state=${encodeState({})}#h`)).toBe(
      'http://example.com/p#h',
    );
  });

  it('removes iss, session_state and the error parameters', () => {
    expect(
      sanitizeCallbackUrl(
        'https://app.example/cb?a=1&iss=https%3A%2F%2Fidp&session_state=xyz&error=access_denied&error_description=no&error_uri=u&b=2',
      ),
    ).toBe('https://app.example/cb?a=1&b=2');
  });

  it('removes the authcharts popup marker from state', () => {
    const state = encodeState({ csrf_token: 't', authcharts_popup: '1', returnTo: '/inbox' });
    const result = sanitizeCallbackUrl(`https://app.example/cb?code=c&state=${state}`);
    expect(result).toBe(`https://app.example/cb?state=${encodeState({ returnTo: '/inbox' })}`);
  });

  it('keeps other parameters byte-identical instead of re-encoding them', () => {
    expect(sanitizeCallbackUrl('https://app.example/cb?q=a+b&r=a%20b&s=%2B&t&u=&code=c&v=caf%C3%A9')).toBe(
      'https://app.example/cb?q=a+b&r=a%20b&s=%2B&t&u=&v=caf%C3%A9',
    );
  });

  it('leaves the fragment untouched, even when it looks like OAuth parameters', () => {
    expect(sanitizeCallbackUrl('https://app.example/?code=c#/inbox?code=1&state=x')).toBe(
      'https://app.example/#/inbox?code=1&state=x',
    );
  });

  it('returns a URL without OAuth parameters string-equal', () => {
    for (const href of [
      'https://app.example/',
      'https://app.example/?',
      'https://app.example/a?&&x=1&#',
      'https://app.example/a?x=%7e&y=a+b#code=1',
      `https://app.example/a?state=${encodeState({ page: 'home' })}`,
    ]) {
      expect(sanitizeCallbackUrl(href)).toBe(href);
    }
  });

  it('keeps a state that holds only app keys exactly as it was, padding and alphabet included', () => {
    const padded = `${encodeState({ page: '>>>' })}==`;
    const href = `https://app.example/?code=c&state=${padded}`;
    expect(sanitizeCallbackUrl(href)).toBe(`https://app.example/?state=${padded}`);
  });

  it('drops a state it cannot decode, since it may hold a CSRF token in some other form', () => {
    expect(sanitizeCallbackUrl('https://app.example/?code=c&state=not-base64!&x=1')).toBe(
      'https://app.example/?x=1',
    );
    expect(
      sanitizeCallbackUrl(`https://app.example/?state=${encodeState({ csrf_token: 't' }).slice(1)}`),
    ).toBe('https://app.example/');
  });

  it('removes every copy of a repeated parameter and percent-encoded names', () => {
    expect(sanitizeCallbackUrl('https://app.example/?code=a&x=1&code=b&%63ode=c&co%64e=d')).toBe(
      'https://app.example/?x=1',
    );
  });

  it('keeps a key that starts with ?, like the URL parser does', () => {
    expect(sanitizeCallbackUrl('https://app.example/??x=1&code=c')).toBe('https://app.example/??x=1');
  });

  it('does not leave stray separators behind', () => {
    expect(sanitizeCallbackUrl('https://app.example/?&code=c&&x=1&')).toBe('https://app.example/?x=1');
    expect(sanitizeCallbackUrl('https://app.example/?&code=c&&')).toBe('https://app.example/');
  });
});

describe('sanitizeCallbackUrl properties', () => {
  const oauthKeys = new Set([...RESPONSE_KEYS, 'state']);

  // A raw, already-encoded query component: tricky literals, or random text encoded the way
  // browsers and servers do (spaces as %20 or as +).
  const rawComponent = fc.oneof(
    fc.constantFrom('', '+', '%20', 'a+b%2Bc', '%E2%9C%93', '%25', '='),
    fc
      .tuple(fc.string({ unit: 'grapheme', maxLength: 12 }), fc.boolean())
      .map(([text, plus]) =>
        plus ? encodeURIComponent(text).replace(/%20/g, '+') : encodeURIComponent(text),
      ),
  );
  const decode = (raw: string): string => decodeURIComponent(raw.replace(/\+/g, ' '));

  const appSegment = fc
    .tuple(rawComponent, fc.option(rawComponent, { nil: undefined }))
    .filter(([key]) => !oauthKeys.has(decode(key)))
    .map(([key, value]) => (value === undefined ? (key === '' ? '=' : key) : `${key}=${value}`));

  // App segments drawn with repetition from a small pool, so duplicate app keys occur.
  const appSegments = fc
    .array(appSegment, { minLength: 1, maxLength: 5 })
    .chain((pool) => fc.array(fc.constantFrom(...pool), { maxLength: 8 }));

  const appState = fc.option(
    fc.dictionary(
      fc
        .string({ unit: 'grapheme', maxLength: 8 })
        .filter((key) => !(INTERNAL_STATE_KEYS as readonly string[]).includes(key)),
      fc.jsonValue({ maxDepth: 1 }),
      { minKeys: 1, maxKeys: 3 },
    ),
    { nil: undefined },
  );

  const oauthSegments = fc.record({
    base: fc.subarray([
      'code=aa_bb_org1',
      'iss=https%3A%2F%2Fidp.example',
      'session_state=abc.def',
      'error=access_denied',
      'error_description=User+said+no',
      'error_uri=https%3A%2F%2Fidp.example%2Ferr',
    ]),
    internal: fc.subarray([...INTERNAL_STATE_KEYS]),
    app: appState,
  });

  const fragment = fc.oneof(
    fc.constant(''),
    fc.constantFrom('#', '#/inbox?code=1&state=x', '#access_token=t&state=e30', '#a#b'),
    fc.string({ unit: 'grapheme', maxLength: 10 }).map((text) => `#${encodeURI(text)}`),
  );

  const base = fc.constantFrom('http://example.com/', 'https://app.example/a/b', 'http://localhost:8080/cb/');

  const scenario = fc
    .record({
      base,
      app: appSegments,
      oauth: oauthSegments,
      fragment,
      seed: fc.array(fc.nat(), { maxLength: 10 }),
    })
    .map(({ base, app, oauth, fragment, seed }) => {
      const stateObject: Record<string, unknown> = { ...oauth.app };
      for (const key of oauth.internal) stateObject[key] = key === 'csrf_token' ? 'SECRET' : 'x';
      const oauthParams = [...oauth.base];
      if (oauth.internal.length > 0 || oauth.app !== undefined)
        oauthParams.push(`state=${encodeState(stateObject)}`);
      // Insert each OAuth segment at a seed-chosen position among the app segments.
      const all = [...app];
      oauthParams.forEach((segment, index) => {
        const position = (seed[index] ?? 0) % (all.length + 1);
        all.splice(position, 0, segment);
      });
      const href = `${base}${all.length > 0 ? `?${all.join('&')}` : ''}${fragment}`;
      return { href, base, app, fragment, appState: oauth.app };
    });

  it('removes every OAuth parameter and keeps the app’s parameters, in order and byte-identical', () => {
    fc.assert(
      fc.property(scenario, ({ href, base, app, fragment, appState: expectedAppState }) => {
        const result = sanitizeCallbackUrl(href);

        const params = new URL(result).searchParams;
        for (const key of RESPONSE_KEYS) expect(params.has(key)).toBe(false);
        const segments = rawSegments(result);
        const stateSegments = segments.filter((segment) => segment.startsWith('state='));
        expect(segments.filter((segment) => !segment.startsWith('state='))).toEqual(app);

        if (expectedAppState === undefined) {
          expect(stateSegments).toEqual([]);
        } else {
          expect(stateSegments).toHaveLength(1);
          const decoded = decodeState(stateSegments[0]!.slice('state='.length));
          for (const key of INTERNAL_STATE_KEYS) expect(Object.hasOwn(decoded, key)).toBe(false);
          expect(decoded).toEqual(JSON.parse(JSON.stringify(expectedAppState)));
        }

        expect(result.startsWith(base)).toBe(true);
        expect(result.endsWith(fragment)).toBe(true);
        expect(result.slice(base.length, result.length - fragment.length)).toBe(
          segments.length > 0 ? `?${segments.join('&')}` : '',
        );
        expect(result).not.toContain('SECRET');
        expect(readCallbackUrl(result).kind).toBe('none');
      }),
    );
  });

  it('is idempotent', () => {
    fc.assert(
      fc.property(scenario, ({ href }) => {
        const once = sanitizeCallbackUrl(href);
        expect(sanitizeCallbackUrl(once)).toBe(once);
      }),
    );
  });

  it('returns a URL with only app parameters string-equal', () => {
    fc.assert(
      fc.property(base, appSegments, fragment, (prefix, app, hash) => {
        const href = `${prefix}${app.length > 0 ? `?${app.join('&')}` : ''}${hash}`;
        expect(sanitizeCallbackUrl(href)).toBe(href);
      }),
    );
  });
});

describe('readImplicitFragment and fragment sanitisation (legacy implicit grant, opt-in)', () => {
  const state = encodeState({ csrf_token: 'csrf', tab: 'a' });
  const href = `https://app.example/p?q=1#access_token=AT&token_type=Bearer&expires_in=60&scope=a%20b&id_token=IDT&keep=1&state=${state}`;

  it('reads the token fields, id_token included, with state', () => {
    expect(readImplicitFragment(href)).toEqual({
      kind: 'implicit',
      token: { access_token: 'AT', token_type: 'Bearer', expires_in: '60', scope: 'a b', id_token: 'IDT' },
      state,
      iss: undefined,
    });
  });

  it('treats SPA routes and a fragment without access_token or error as no response', () => {
    expect(readImplicitFragment('https://app.example/#/inbox?x=1').kind).toBe('none');
    expect(readImplicitFragment(`https://app.example/#state=${state}`).kind).toBe('none');
  });

  it('reports repeated or empty response parameters as malformed', () => {
    expect(readImplicitFragment('https://app.example/#access_token=a&access_token=b')).toEqual({
      kind: 'malformed',
      parameter: 'access_token',
    });
    expect(readImplicitFragment('https://app.example/#access_token=')).toEqual({
      kind: 'malformed',
      parameter: 'access_token',
    });
  });

  it('removes every token field and the internal state keys from the fragment only when asked', () => {
    expect(sanitizeCallbackUrl(href)).toBe(href);
    expect(sanitizeCallbackUrl(href, { fragment: true })).toBe(
      `https://app.example/p?q=1#keep=1&state=${encodeState({ tab: 'a' })}`,
    );
    expect(sanitizeCallbackUrl('https://app.example/#/inbox', { fragment: true })).toBe(
      'https://app.example/#/inbox',
    );
  });
});
