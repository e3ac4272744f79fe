import { describe, expect, it } from 'vitest';
import { createActor, createMachine } from 'xstate';
import { REDACTED, redactInspection } from '../../src/inspection.js';

const { sanitizeContext, sanitizeEvent, serialize } = redactInspection();

describe('redactInspection', () => {
  it('redacts secret-bearing keys at any depth and keeps the rest', () => {
    const context = {
      token: { access_token: 'AT', refresh_token: 'RT', id_token: 'IDT', expires: 5, scope: 'openid' },
      transaction: { csrfToken: 'CSRF', codeVerifier: 'V' },
      callback: { kind: 'code', code: 'C', state: 'S', iss: 'https://as.example' },
      device: { deviceCode: 'DC', userCode: 'WDJB-MJHT' },
      config: {
        clientId: 'client-1',
        clientSecret: 'shh',
        endpoints: { authorization: 'https://as/authorize' },
      },
      list: [{ device_code: 'DC2' }],
      missing: { code: undefined },
    };
    expect(sanitizeContext(context)).toEqual({
      token: {
        access_token: REDACTED,
        refresh_token: REDACTED,
        id_token: REDACTED,
        expires: 5,
        scope: 'openid',
      },
      transaction: { csrfToken: REDACTED, codeVerifier: REDACTED },
      callback: { kind: 'code', code: REDACTED, state: REDACTED, iss: 'https://as.example' },
      device: { deviceCode: REDACTED, userCode: 'WDJB-MJHT' },
      config: {
        clientId: 'client-1',
        clientSecret: REDACTED,
        endpoints: { authorization: 'https://as/authorize' },
      },
      list: [{ device_code: REDACTED }],
      missing: { code: undefined },
    });
    // The original is left as it was: the machines keep running on it.
    expect(context.token.access_token).toBe('AT');
  });

  it('redacts secret parameters inside URLs, query and fragment, keeping every other byte', () => {
    const event = {
      type: 'LOGIN.URL',
      href: 'https://app.example/cb?tab=2&code=C1&state=S1&iss=https%3A%2F%2Fas#/route?x=1',
      implicit: 'https://app.example/cb#access_token=AT&token_type=Bearer&state=S&expires_in=60',
      encodedName: 'https://app.example/cb?co%64e=C2',
    };
    expect(sanitizeEvent(event)).toEqual({
      type: 'LOGIN.URL',
      href: `https://app.example/cb?tab=2&code=${REDACTED}&state=${REDACTED}&iss=https%3A%2F%2Fas#/route?x=1`,
      implicit: `https://app.example/cb#access_token=${REDACTED}&token_type=Bearer&state=${REDACTED}&expires_in=60`,
      encodedName: `https://app.example/cb?co%64e=${REDACTED}`,
    });
  });

  it('redacts Bearer credentials and turns errors into name and message', () => {
    const error = new TypeError('refused Bearer abcdefgh123456');
    expect(
      serialize({ header: 'Bearer abcdefgh123456', basic: 'Basic Y2xpZW50OnNlY3JldA==', error }),
    ).toEqual({
      header: `Bearer ${REDACTED}`,
      basic: `Basic ${REDACTED}`,
      error: { name: 'TypeError', message: `refused Bearer ${REDACTED}` },
    });
  });

  it('returns plain JSON: functions and actors named, cycles cut, depth bounded', () => {
    const actor = createActor(createMachine({ id: 'child' })).start();
    const cyclic: Record<string, unknown> = { name: 'loop' };
    cyclic.self = cyclic;
    const deep = { a: { b: { c: { d: 'end' } } } };
    const result = redactInspection({ maxDepth: 3 }).serialize({
      fn: function refreshCallback() {},
      child: actor,
      cyclic,
      deep,
      when: new Date(0),
      tags: new Set(['x']),
      map: new Map([['k', { code: 'C' }]]),
    });
    expect(result).toEqual({
      fn: '[function refreshCallback]',
      child: `[actor ${actor.id}]`,
      cyclic: { name: 'loop', self: '[circular]' },
      deep: { a: { b: '[too deep]' } },
      when: '1970-01-01T00:00:00.000Z',
      tags: ['x'],
      map: { k: { code: REDACTED } },
    });
    expect(() => structuredClone(result)).not.toThrow();
    actor.stop();
  });

  it('takes extra keys and refuses a bad depth', () => {
    expect(redactInspection({ keys: ['apiKey'] }).sanitizeContext({ apiKey: 'k', other: 'o' })).toEqual({
      apiKey: REDACTED,
      other: 'o',
    });
    expect(() => redactInspection({ maxDepth: 0 })).toThrow(/maxDepth/);
  });
  it('shows the literal [redacted] marker in the JSON the inspector receives', () => {
    expect(JSON.stringify(serialize({ type: 'CALLBACK', code: 'C' }))).toBe(
      '{"type":"CALLBACK","code":"[redacted]"}',
    );
  });

  it('redacts the snake_case fields of token requests and the popup relay id in URLs', () => {
    const request = {
      grant_type: 'authorization_code',
      code_verifier: 'V',
      client_secret: 'shh',
      assertion: 'eyJhbGciOiJSUzI1NiJ9.e30.sig',
      password: 'hunter2',
      csrf_token: 'CSRF',
      username: 'ada',
    };
    expect(sanitizeEvent({ type: 'TOKEN.REQUEST', request })).toEqual({
      type: 'TOKEN.REQUEST',
      request: {
        grant_type: 'authorization_code',
        code_verifier: REDACTED,
        client_secret: REDACTED,
        assertion: REDACTED,
        password: REDACTED,
        csrf_token: REDACTED,
        username: 'ada',
      },
    });
    expect(sanitizeEvent({ type: 'POPUP', url: 'https://app.example/cb?authcharts_popup=P1&x=1' })).toEqual({
      type: 'POPUP',
      url: `https://app.example/cb?authcharts_popup=${REDACTED}&x=1`,
    });
  });

  it('keeps a secret key whose value is null, so the inspector shows it is absent', () => {
    expect(sanitizeContext({ token: { access_token: null, refresh_token: null, expires_in: 60 } })).toEqual({
      token: { access_token: null, refresh_token: null, expires_in: 60 },
    });
  });

  it('copies an object that appears twice (not a cycle) in full both times', () => {
    const token = { access_token: 'AT', expires_in: 60 };
    expect(serialize({ event: { type: 'TOKEN', token }, snapshot: { context: { token } } })).toEqual({
      event: { type: 'TOKEN', token: { access_token: REDACTED, expires_in: 60 } },
      snapshot: { context: { token: { access_token: REDACTED, expires_in: 60 } } },
    });
  });

  it('turns anonymous functions, bigints and symbols into JSON-safe text', () => {
    const makeCallback = () => () => undefined;
    const result = serialize({
      onRefresh: makeCallback(),
      issuedAt: 1700000000000n,
      marker: Symbol('pending'),
    });
    expect(result).toEqual({
      onRefresh: '[function anonymous]',
      issuedAt: '1700000000000',
      marker: 'Symbol(pending)',
    });
    expect(() => JSON.stringify(result)).not.toThrow();
  });

  it('names only objects with an id, send and getSnapshot as actors', () => {
    const store = { id: 'prefs', subscribe: () => undefined, getSnapshot: () => ({ theme: 'dark' }) };
    const channel = { id: 'popup-relay', send: () => undefined };
    const client = { send: () => undefined, getSnapshot: () => 'idle' };
    expect(serialize({ store, channel, client })).toEqual({
      store: { id: 'prefs', subscribe: '[function subscribe]', getSnapshot: '[function getSnapshot]' },
      channel: { id: 'popup-relay', send: '[function send]' },
      client: { send: '[function send]', getSnapshot: '[function getSnapshot]' },
    });
  });

  it('redacts Bearer credentials separated by several spaces or a tab', () => {
    expect(
      serialize({ a: 'Bearer  abcdefgh123456', b: 'Authorization: Basic\tY2xpZW50OnNlY3JldA==' }),
    ).toEqual({
      a: `Bearer ${REDACTED}`,
      b: `Authorization: Basic ${REDACTED}`,
    });
  });

  it('decodes + as a space in parameter names, as form encoding does', () => {
    const { sanitizeEvent: withKey } = redactInspection({ keys: ['session id'] });
    expect(
      withKey({ type: 'URL', href: 'https://app.example/?session+id=S1&session%20id=S2&sessionid=S3' }),
    ).toEqual({
      type: 'URL',
      href: `https://app.example/?session+id=${REDACTED}&session%20id=${REDACTED}&sessionid=S3`,
    });
  });

  it('redacts secret parameters of a form-encoded string, such as a token request body', () => {
    const { serialize } = redactInspection();
    expect(
      serialize({
        body: 'grant_type=authorization_code&code=C1&code_verifier=V1&redirect_uri=https%3A%2F%2Fapp.example%2Fcb',
        refresh: 'refresh_token=R1&grant_type=refresh_token',
        prose: 'Retry with a = 2, b=3 later',
      }),
    ).toEqual({
      body: `grant_type=authorization_code&code=${REDACTED}&code_verifier=${REDACTED}&redirect_uri=https%3A%2F%2Fapp.example%2Fcb`,
      refresh: `refresh_token=${REDACTED}&grant_type=refresh_token`,
      prose: 'Retry with a = 2, b=3 later',
    });
  });

  it('accepts a maxDepth of 1 and refuses one that is not a positive integer', () => {
    expect(redactInspection({ maxDepth: 1 }).serialize({ kind: 'code', nested: { code: 'C' } })).toEqual({
      kind: 'code',
      nested: '[too deep]',
    });
    for (const maxDepth of [0, -1, 1.5, Number.NaN]) {
      expect(() => redactInspection({ maxDepth })).toThrow(/maxDepth must be a positive integer/);
    }
  });
});
