/**
 * fast-check generators of page URLs an app may be loaded at: the app's own query parameters and
 * fragments (SPA routes) mixed with authorization-response parameters (RFC 6749 §4.1.2, §4.1.2.1,
 * §4.2.2; RFC 9207 `iss`; OIDC `session_state`), in every order, repeated, percent-encoded in
 * every legal (and some illegal) way, with valid, foreign, tampered and garbage `state` values,
 * plus what this browser stored when the login started and how the server is configured.
 *
 * Every segment knows its role (the app's, or which response parameter it is), so the oracle can
 * say what must happen without parsing the URL the way the library does.
 */
import fc from 'fast-check';
import { encodeState, type StateObject } from '../../src/stateCodec.js';

export const APP_ORIGIN = 'https://app.example';
export const AS = 'https://as.example';

// The secrets of the generated logins: distinctive, so a leak into a message or event is found.
export const CSRF = 'csrf-S3cret-A7c21';
export const OTHER_CSRF = 'csrf-S3cret-B0f00';
export const VERIFIER = 'verifier-S3cret-0b8e-0123456789-abcdefghijklmn';
export const CODE_MARK = 'code-S3cret-';
export const SECRETS = [CSRF, OTHER_CSRF, VERIFIER, CODE_MARK, 'AT-S3cret', 'RT-S3cret'] as const;

/** Response parameters a query callback may carry (RFC 6749 §4.1.2, §4.1.2.1; RFC 9207; OIDC). */
export const QUERY_ROLES = [
  'code',
  'state',
  'iss',
  'session_state',
  'error',
  'error_description',
  'error_uri',
] as const;
/** What an implicit-grant fragment may carry besides those (RFC 6749 §4.2.2). */
export const TOKEN_ROLES = [
  'access_token',
  'token_type',
  'expires_in',
  'refresh_token',
  'refresh_token_expires_in',
  'scope',
  'id_token',
] as const;

export type ResponseRole = (typeof QUERY_ROLES)[number] | (typeof TOKEN_ROLES)[number];
/** `app`: a parameter of the app's own; `empty`: an empty segment (`a=1&&b=2`). */
export type Role = ResponseRole | 'app' | 'empty';
export type Part = 'query' | 'fragment';

const QUERY_SPECIAL: ReadonlySet<string> = new Set(QUERY_ROLES);
const FRAGMENT_SPECIAL: ReadonlySet<string> = new Set([...QUERY_ROLES, ...TOKEN_ROLES]);
const specialIn = (part: Part) => (part === 'query' ? QUERY_SPECIAL : FRAGMENT_SPECIAL);

/** One `&`-separated piece of a query or fragment, exactly as it stands in the (normalised) URL. */
export interface Segment {
  role: Role;
  raw: string;
  /** The value as `URLSearchParams` (RFC-conformant form decoding) reads it. */
  value: string;
}

export type ServerMode = 'endpoints' | 'issuerAdvertisingIss' | 'issuerWithoutIss';

export interface CallbackCase {
  path: string;
  /** Absent: no `?` at all. */
  query: Segment[] | undefined;
  /** Absent: no `#` at all. */
  fragment: Segment[] | undefined;
  /** What sessionStorage holds under the Webex keys (`undefined`: nothing). */
  stored: { csrf: string | undefined; verifier: string | undefined };
  server: ServerMode;
  implicitGrant: boolean;
}

const decodeSegment = (raw: string): [string, string] =>
  new URLSearchParams(`&${raw}`).entries().next().value ?? ['', ''];

/** The segment as a browser's `location.href` shows it (the URL parser percent-encodes some characters). */
function normalise(part: Part, raw: string): string {
  const url = new URL(`${APP_ORIGIN}/${part === 'query' ? '?' : '#'}${raw}`);
  return part === 'query' ? url.search.slice(1) : url.hash.slice(1);
}

function makeSegment(part: Part, role: Role, raw: string): Segment {
  const normalised = normalise(part, raw);
  const [key, value] = decodeSegment(normalised);
  if (role !== 'app' && role !== 'empty' && key !== role) {
    throw new Error(`generator bug: a ${role} segment decodes to the key ${JSON.stringify(key)}`);
  }
  return { role, raw: normalised, value };
}

const hex = (byte: number) => `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;

/** Controls, space and DEL (the URL parser strips or changes them) and the query's own delimiters. */
const mustEncode = (character: string) => {
  const code = character.codePointAt(0) ?? 0;
  return code <= 0x20 || code === 0x7f || '%&#+='.includes(character);
};

/** The legal ways to percent-encode one key or value; all decode to the same text. */
const ENCODINGS = {
  component: (text: string) => encodeURIComponent(text),
  plusForSpace: (text: string) => encodeURIComponent(text).replace(/%20/g, '+'),
  lowerCaseHex: (text: string) =>
    encodeURIComponent(text).replace(/%[0-9A-F]{2}/g, (sequence) => sequence.toLowerCase()),
  everyByte: (text: string) => Array.from(new TextEncoder().encode(text), hex).join(''),
  // Only what would change the meaning; the URL parser encodes the rest (non-ASCII, quotes).
  minimal: (text: string) =>
    Array.from(text, (character) => (mustEncode(character) ? encodeURIComponent(character) : character)).join(
      '',
    ),
} as const;
type Encoding = keyof typeof ENCODINGS;
const encoding = fc.constantFrom(...(Object.keys(ENCODINGS) as Encoding[]));

/** Percent-sequences a sloppy server or a crafted link may contain; decoders must survive them. */
const BROKEN_ESCAPES = ['%', '%zz', '%E0%A4', '%C3%28', '%2', '%%41', '%FF%FE', '%EF%BF%BF'];

const text = fc.oneof(
  { weight: 4, arbitrary: fc.string({ unit: 'grapheme-ascii', maxLength: 12 }) },
  { weight: 2, arbitrary: fc.string({ unit: 'grapheme', maxLength: 8 }) },
  {
    weight: 2,
    arbitrary: fc.constantFrom(
      '',
      ' ',
      '+',
      '&',
      '=',
      '#',
      '%',
      '?',
      '/',
      'a b',
      'ü',
      '日本',
      '👍🏽',
      '\u0000',
      '\t',
      `"<>\`'`,
    ),
  },
);

/** A value as it may appear in a URL: encoded one of the legal ways, or with broken escapes. */
const rawValue = fc.oneof(
  { weight: 8, arbitrary: fc.tuple(text, encoding).map(([value, how]) => ENCODINGS[how](value)) },
  { weight: 1, arbitrary: fc.constantFrom(...BROKEN_ESCAPES) },
);

/** `name` spelled so that it still decodes to `name`: plain, one character escaped, every byte escaped. */
const encodedKey = (name: string) =>
  fc.oneof(
    { weight: 6, arbitrary: fc.constant(name) },
    {
      weight: 2,
      arbitrary: fc.tuple(fc.nat({ max: name.length - 1 }), fc.boolean()).map(([index, lower]) => {
        const sequence = hex(name.charCodeAt(index));
        return name.slice(0, index) + (lower ? sequence.toLowerCase() : sequence) + name.slice(index + 1);
      }),
    },
    { weight: 1, arbitrary: fc.constant(ENCODINGS.everyByte(name)) },
  );

/** A response parameter with the given (decoded) value, its key and value encoded some legal way. */
const responseSegment = (part: Part, role: ResponseRole, value: fc.Arbitrary<string>) =>
  fc
    .tuple(encodedKey(role), value, encoding)
    .map(([key, decoded, how]) => makeSegment(part, role, `${key}=${ENCODINGS[how](decoded)}`));

/** A response parameter with any value, broken escapes included. */
const anyResponseSegment = (part: Part, role: ResponseRole) =>
  fc.tuple(encodedKey(role), rawValue).map(([key, value]) => makeSegment(part, role, `${key}=${value}`));

/** Keys an app may well use, some a typo away from a response parameter (they must survive). */
const NEAR_MISSES = [
  'codes',
  'Code',
  'CODE',
  'state_',
  'iss ',
  'code[]',
  'error-description',
  '%2563ode',
  'c%20ode',
  'sessionstate',
  'access_token',
  'scope',
  'tab',
  'returnTo',
  '',
];

/** A parameter of the app's own (never a response parameter once decoded), or a bare flag. */
const appSegment = (part: Part) =>
  fc
    .tuple(
      fc.oneof(
        { weight: 3, arbitrary: fc.tuple(text, encoding).map(([key, how]) => ENCODINGS[how](key)) },
        { weight: 2, arbitrary: fc.constantFrom(...NEAR_MISSES) },
      ),
      fc.option(rawValue, { nil: undefined }),
    )
    .map(([key, value]) => makeSegment(part, 'app', value === undefined ? key : `${key}=${value}`))
    .filter((segment) => !specialIn(part).has(decodeSegment(segment.raw)[0]) && segment.raw !== '');

const emptySegment = (part: Part) => fc.constant(makeSegment(part, 'empty', ''));

/** The app's keys inside `state` (returnTo and the like); any JSON-safe key but the internal ones. */
const appState: fc.Arbitrary<StateObject> = fc.dictionary(
  fc
    .oneof(
      fc.string({ unit: 'grapheme', maxLength: 6 }),
      fc.constantFrom('returnTo', 'page', '__proto__', 'constructor', 'csrf', 'CSRF_TOKEN'),
    )
    .filter((key) => !['csrf_token', 'emailhash', 'authcharts_popup'].includes(key)),
  fc.oneof(fc.string({ unit: 'grapheme', maxLength: 6 }), fc.integer(), fc.boolean(), fc.constant(null)),
  { maxKeys: 3 },
);

const base64url = (binary: string) => btoa(binary).replace(/=+$/, '').replace(/\+/g, '-').replace(/\//g, '_');

/** A real state, changed the way an attacker or a broken proxy might change it. */
const tampered = fc
  .tuple(
    appState,
    fc.nat(),
    fc.constantFrom('replace', 'delete', 'append', 'truncate'),
    fc.constantFrom(...'AZaz09-_+/=.~'),
  )
  .map(([app, at, how, character]) => {
    const encoded = encodeState({ csrf_token: CSRF, ...app });
    const index = at % encoded.length;
    if (how === 'replace') return encoded.slice(0, index) + character + encoded.slice(index + 1);
    if (how === 'delete') return encoded.slice(0, index) + encoded.slice(index + 1);
    if (how === 'append') return encoded + character;
    return encoded.slice(0, index);
  });

/** Decoded `state` values: real ones (the codec's own output), foreign, tampered and garbage. */
const stateValue: fc.Arbitrary<string> = fc.oneof(
  { weight: 8, arbitrary: appState.map((app) => encodeState({ csrf_token: CSRF, ...app })) },
  {
    weight: 1,
    arbitrary: appState.map((app) => encodeState({ csrf_token: CSRF, emailhash: 'ab12', ...app })),
  },
  {
    weight: 2,
    arbitrary: fc
      .tuple(fc.oneof(fc.constant(OTHER_CSRF), text), appState)
      .map(([csrf, app]) => encodeState({ ...app, csrf_token: csrf })),
  },
  {
    weight: 1,
    arbitrary: fc
      .constantFrom<unknown>(123, null, {}, [CSRF], true)
      .map((csrf) => encodeState({ csrf_token: csrf })),
  },
  { weight: 1, arbitrary: appState.map((app) => encodeState(app)) },
  {
    weight: 1,
    arbitrary: fc
      .tuple(fc.oneof(fc.string({ minLength: 1, maxLength: 8 }), fc.constant(5)), appState)
      .map(([popupId, app]) => encodeState({ csrf_token: CSRF, authcharts_popup: popupId, ...app })),
  },
  { weight: 2, arbitrary: tampered },
  {
    // RFC 4648 §4 alphabet with padding: Webex decoded it, so the codec still accepts it.
    weight: 1,
    arbitrary: appState.map((app) => {
      const encoded = encodeState({ csrf_token: CSRF, ...app })
        .replace(/-/g, '+')
        .replace(/_/g, '/');
      return encoded + '='.repeat((4 - (encoded.length % 4)) % 4);
    }),
  },
  {
    weight: 2,
    arbitrary: fc.oneof(
      text,
      fc.constantFrom(
        '%%%',
        base64url('\xff\xfe{'),
        base64url('[1,2]'),
        base64url('"csrf"'),
        base64url('null'),
        base64url('{"csrf_token":'),
      ),
    ),
  },
);

const codeValue = fc.oneof(
  { weight: 8, arbitrary: fc.string({ unit: 'grapheme-ascii', maxLength: 10 }).map((s) => CODE_MARK + s) },
  { weight: 1, arbitrary: text.filter((s) => s !== '') },
  { weight: 1, arbitrary: fc.constant('') },
);

const issValue = fc.oneof(
  { weight: 4, arbitrary: fc.constant(AS) },
  {
    weight: 3,
    arbitrary: fc.constantFrom(
      `${AS}/`,
      'https://evil.example',
      '',
      'HTTPS://AS.EXAMPLE',
      AS.replace('s.', 'S.'),
    ),
  },
);

const errorValue = fc.oneof(
  fc.constantFrom(
    'access_denied',
    'invalid_request',
    'invalid_scope',
    'invalid_grant',
    'server_error',
    'toString',
    '__proto__',
    'constructor',
    '',
  ),
  text,
);

/** Zero or one `arbitrary`, present `present` times for every `absent` times it is not. */
const optional = <T>(arbitrary: fc.Arbitrary<T>, present = 1, absent = 1) =>
  fc.oneof(
    { weight: present, arbitrary: arbitrary.map((value) => [value]) },
    { weight: absent, arbitrary: fc.constant([]) },
  );

/** One of `segments`, sometimes repeated (RFC 6749 §3.1: a repeated parameter is an invalid request). */
const maybeRepeat = (segments: Segment[]) =>
  fc
    .oneof({ weight: 9, arbitrary: fc.constant(-1) }, { weight: 1, arbitrary: fc.nat({ max: 5 }) })
    .map((which) => {
      const repeated =
        which < 0 || segments.length === 0 ? [] : [segments[which % segments.length] as Segment];
      return [...segments, ...repeated];
    });

const codeResponse = fc
  .tuple(
    responseSegment('query', 'code', codeValue),
    optional(responseSegment('query', 'state', stateValue), 12),
    optional(responseSegment('query', 'iss', issValue), 1, 2),
    optional(responseSegment('query', 'session_state', text)),
  )
  .chain(([code, state, iss, session]) => maybeRepeat([code, ...state, ...iss, ...session]));

const errorResponse = fc
  .tuple(
    responseSegment('query', 'error', errorValue),
    optional(responseSegment('query', 'error_description', text)),
    optional(responseSegment('query', 'error_uri', text)),
    optional(responseSegment('query', 'state', stateValue), 4),
    optional(responseSegment('query', 'iss', issValue)),
    optional(responseSegment('query', 'code', codeValue), 1),
  )
  .chain(([error, ...rest]) => maybeRepeat([error, ...rest.flat()]));

/** Any mix of response parameters with any values, repeats included. */
const chaos = (part: Part, roles: readonly ResponseRole[]) =>
  fc.array(
    fc.constantFrom(...roles).chain((role) => anyResponseSegment(part, role)),
    { maxLength: 6 },
  );

/** Puts segments in a random order (stable sort on random priorities). */
const shuffled = (segments: fc.Arbitrary<Segment[]>) =>
  fc
    .tuple(segments, fc.array(fc.nat({ max: 20 }), { minLength: 16, maxLength: 16 }))
    .map(([list, priorities]) =>
      list
        .map((segment, index) => ({ segment, priority: priorities[index % 16] ?? 0, index }))
        .sort((a, b) => a.priority - b.priority || a.index - b.index)
        .map(({ segment }) => segment),
    );

const querySegments = shuffled(
  fc
    .tuple(
      fc.array(
        fc.oneof(
          { weight: 6, arbitrary: appSegment('query') },
          { weight: 1, arbitrary: emptySegment('query') },
        ),
        {
          maxLength: 5,
        },
      ),
      fc.oneof(
        { weight: 8, arbitrary: codeResponse },
        { weight: 2, arbitrary: errorResponse },
        { weight: 1, arbitrary: chaos('query', QUERY_ROLES) },
        { weight: 3, arbitrary: fc.constant([]) },
      ),
    )
    .map(([app, response]) => [...app, ...response]),
);

/** SPA routes and anchors: what apps keep in the fragment. */
const SPA_ROUTES = ['/inbox', '/thread/7?tab=2', 'section-2', '!/hashbang', '/a/b?x=1=2', '/ü/日本', '/', ''];

const implicitResponse = fc
  .tuple(
    responseSegment(
      'fragment',
      'access_token',
      fc.oneof(
        { weight: 6, arbitrary: fc.constant('AT-S3cret-implicit') },
        { weight: 1, arbitrary: fc.constant('') },
      ),
    ),
    optional(responseSegment('fragment', 'state', stateValue), 12),
    optional(responseSegment('fragment', 'token_type', fc.constantFrom('Bearer', 'bearer', 'mac'))),
    optional(responseSegment('fragment', 'expires_in', fc.constantFrom('3600', '0', '-5', 'soon', '1e3'))),
    optional(responseSegment('fragment', 'scope', text)),
    optional(responseSegment('fragment', 'refresh_token', fc.constant('RT-S3cret-implicit')), 1),
    optional(responseSegment('fragment', 'iss', issValue), 1, 3),
  )
  .chain(([token, ...rest]) => maybeRepeat([token, ...rest.flat()]));

const implicitError = fc
  .tuple(
    responseSegment('fragment', 'error', errorValue),
    optional(responseSegment('fragment', 'error_description', text)),
    optional(responseSegment('fragment', 'state', stateValue), 3),
  )
  .map(([error, ...rest]) => [error, ...rest.flat()]);

const fragmentSegments = fc.oneof(
  { weight: 3, arbitrary: fc.constant(undefined) },
  { weight: 1, arbitrary: fc.constant<Segment[]>([]) },
  {
    weight: 3,
    arbitrary: fc
      .tuple(
        fc.constantFrom(...SPA_ROUTES).map((route) => makeSegment('fragment', 'app', route)),
        fc.array(appSegment('fragment'), { maxLength: 2 }),
      )
      .map(([route, more]) => [route, ...more]),
  },
  {
    weight: 3,
    arbitrary: shuffled(
      fc
        .tuple(fc.array(appSegment('fragment'), { maxLength: 2 }), implicitResponse)
        .map(([app, response]) => [...app, ...response]),
    ),
  },
  { weight: 1, arbitrary: implicitError },
  { weight: 1, arbitrary: chaos('fragment', [...QUERY_ROLES, ...TOKEN_ROLES]) },
);

const PATHS = ['/', '/cb', '/app/inbox/', '/a%20b', '/%C3%BCml%C3%A4ut', '/deep/er/page.html', '/cb;v=1'];

const storedTransaction = fc.record({
  csrf: fc.oneof(
    { weight: 10, arbitrary: fc.constant(CSRF) },
    { weight: 1, arbitrary: fc.constant(OTHER_CSRF) },
    { weight: 1, arbitrary: fc.constant('') },
    { weight: 1, arbitrary: fc.constant(undefined) },
  ),
  verifier: fc.oneof(
    { weight: 10, arbitrary: fc.constant(VERIFIER) },
    { weight: 1, arbitrary: fc.constant('') },
    { weight: 1, arbitrary: fc.constant(undefined) },
  ),
});

const serverMode = fc.constantFrom<ServerMode>('endpoints', 'issuerAdvertisingIss', 'issuerWithoutIss');

/** Any page URL: a code or error callback, an ordinary load, a mess of both. */
const anyCase: fc.Arbitrary<CallbackCase> = fc.record({
  path: fc.constantFrom(...PATHS),
  query: querySegments.map((segments) => (segments.length === 0 ? undefined : segments)),
  fragment: fragmentSegments,
  stored: storedTransaction,
  server: serverMode,
  implicitGrant: fc.oneof(
    { weight: 3, arbitrary: fc.constant(false) },
    { weight: 2, arbitrary: fc.constant(true) },
  ),
});

/** An opted-in implicit-grant callback: the response in the fragment, only the app's parameters in the query. */
const implicitCase: fc.Arbitrary<CallbackCase> = fc.record({
  path: fc.constantFrom(...PATHS),
  query: fc
    .array(appSegment('query'), { maxLength: 3 })
    .map((segments) => (segments.length === 0 ? undefined : segments)),
  fragment: fc.oneof(
    {
      weight: 4,
      arbitrary: shuffled(
        fc
          .tuple(fc.array(appSegment('fragment'), { maxLength: 2 }), implicitResponse)
          .map(([app, response]) => [...app, ...response]),
      ),
    },
    { weight: 1, arbitrary: implicitError },
  ),
  stored: storedTransaction,
  server: serverMode,
  implicitGrant: fc.constant(true),
});

export const callbackCase: fc.Arbitrary<CallbackCase> = fc.oneof(
  { weight: 6, arbitrary: anyCase },
  { weight: 1, arbitrary: implicitCase },
);

const join = (segments: Segment[]) => segments.map((segment) => segment.raw).join('&');

/** The page URL of a case, as `location.href` would show it. */
export function hrefOf(testCase: Pick<CallbackCase, 'path' | 'query' | 'fragment'>): string {
  const query = testCase.query === undefined ? '' : `?${join(testCase.query)}`;
  const fragment = testCase.fragment === undefined ? '' : `#${join(testCase.fragment)}`;
  return `${APP_ORIGIN}${testCase.path}${query}${fragment}`;
}
