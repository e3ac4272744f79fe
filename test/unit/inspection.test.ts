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
});
