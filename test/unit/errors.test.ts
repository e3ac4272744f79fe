import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  AuthchartsError,
  ConfigError,
  CsrfMismatchError,
  grantErrors,
  InteractionInProgressError,
  InvalidClientError,
  InvalidGrantError,
  InvalidOptionError,
  InvalidRequestError,
  InvalidScopeError,
  IssuerMismatchError,
  NetworkError,
  OAuthError,
  type OAuthErrorClass,
  PopupBlockedError,
  PopupClosedError,
  PopupTimeoutError,
  ProtocolError,
  RequestTimeoutError,
  StateDecodeError,
  TransactionMissingError,
  UnauthorizedClientError,
  UnsupportedGrantTypeError,
  UnsupportGrantTypeError,
} from '../../src/errors.js';

const grantClasses: ReadonlyArray<[code: string, cls: OAuthErrorClass, name: string]> = [
  ['invalid_request', InvalidRequestError, 'InvalidRequestError'],
  ['invalid_client', InvalidClientError, 'InvalidClientError'],
  ['invalid_grant', InvalidGrantError, 'InvalidGrantError'],
  ['unauthorized_client', UnauthorizedClientError, 'UnauthorizedClientError'],
  ['unsupported_grant_type', UnsupportedGrantTypeError, 'UnsupportedGrantTypeError'],
  ['invalid_scope', InvalidScopeError, 'InvalidScopeError'],
];

describe('OAuthError', () => {
  it('takes error, description and uri from an RFC 6749 error body', () => {
    const err = new InvalidScopeError({
      error: 'invalid_scope',
      error_description: 'bad',
      error_uri: 'https://idp.example/errors/scope',
    });
    expect(err.message).toBe('bad');
    expect(err.name).toBe('InvalidScopeError');
    expect(err.error).toBe('invalid_scope');
    expect(err.errorDescription).toBe('bad');
    expect(err.errorUri).toBe('https://idp.example/errors/scope');
    expect(String(err)).toBe('InvalidScopeError: bad');
    expect(err).toBeInstanceOf(InvalidScopeError);
    expect(err).toBeInstanceOf(OAuthError);
    expect(err).toBeInstanceOf(Error);
  });

  it('reads the body of a response-like object, as Webex does for HTTP errors', () => {
    const err = new InvalidGrantError({
      statusCode: 400,
      body: { error: 'invalid_grant', error_description: 'expired' },
    });
    expect(err.error).toBe('invalid_grant');
    expect(err.message).toBe('expired');
  });

  it('reads the query of a redirect callback given as URLSearchParams', () => {
    const query = new URL('https://app.example/cb?error=access_denied&error_description=User+said+no')
      .searchParams;
    const err = new OAuthError(query);
    expect(err.error).toBe('access_denied');
    expect(err.message).toBe('User said no');
    expect(err.errorUri).toBeUndefined();
  });

  it('reads a URLSearchParams from another realm (an iframe, jsdom) by its tag', () => {
    const foreign = {
      [Symbol.toStringTag]: 'URLSearchParams',
      get: (name: string) => ({ error: 'access_denied', error_description: 'No' })[name] ?? null,
    };
    const err = new OAuthError(foreign as never);
    expect(err.error).toBe('access_denied');
    expect(err.message).toBe('No');
  });

  it('reads the other fields when one of them throws as it is read', () => {
    const body = {
      get error(): string {
        throw new Error('getter trap');
      },
      error_description: 'expired',
    };
    const err = new OAuthError(body as never);
    expect(err.error).toBeUndefined();
    expect(err.message).toBe('expired');
  });

  it('accepts a null-prototype object (what Node url.parse returns) without throwing', () => {
    const query = Object.assign(Object.create(null) as Record<string, unknown>, {
      error: 'invalid_scope',
      error_description: 'scope is bad',
    });
    const err = new InvalidScopeError(query);
    expect(err.message).toBe('scope is bad');
    expect(err.error).toBe('invalid_scope');
  });

  it("falls back to 'An error occurred' when there is no description", () => {
    expect(new OAuthError().message).toBe('An error occurred');
    expect(new OAuthError({ error: 'access_denied' }).message).toBe('An error occurred');
    expect(new OAuthError({ error: 'x', error_description: '' }).message).toBe('An error occurred');
  });

  it('ignores non-string fields instead of stringifying them', () => {
    const err = new OAuthError({ error: 42, error_description: { toString: () => 'boom' }, error_uri: null });
    expect(err.error).toBeUndefined();
    expect(err.errorDescription).toBeUndefined();
    expect(err.errorUri).toBeUndefined();
    expect(err.message).toBe('An error occurred');
  });

  it('never throws, whatever it is given', () => {
    const hostile = new Proxy(
      {},
      {
        get() {
          throw new Error('trap');
        },
        getPrototypeOf() {
          throw new Error('trap');
        },
      },
    );
    expect(() => new OAuthError(hostile)).not.toThrow();
    expect(() => new OAuthError(null as never)).not.toThrow();
    expect(() => new OAuthError('invalid_grant' as never)).not.toThrow();
    fc.assert(
      fc.property(fc.anything(), (input) => {
        const err = new OAuthError(input as never);
        expect(typeof err.message).toBe('string');
      }),
    );
  });

  it('keeps a cause when given one', () => {
    const cause = new TypeError('network');
    expect(new InvalidGrantError({ error: 'invalid_grant' }, { cause }).cause).toBe(cause);
  });

  it.each(grantClasses)('%s: %s has an explicit name and is an OAuthError', (code, cls, name) => {
    const err = new cls({ error: code });
    expect(err.name).toBe(name);
    expect(err).toBeInstanceOf(OAuthError);
    expect(err.error).toBe(code);
  });

  it('exports the Webex spelling UnsupportGrantTypeError as the same class', () => {
    expect(UnsupportGrantTypeError).toBe(UnsupportedGrantTypeError);
    expect(new UnsupportGrantTypeError()).toBeInstanceOf(UnsupportedGrantTypeError);
    expect(new UnsupportGrantTypeError().name).toBe('UnsupportedGrantTypeError');
  });
});

describe('grantErrors', () => {
  it.each(grantClasses)('select(%s) gives its class', (code, cls) => {
    expect(grantErrors.select(code)).toBe(cls);
  });

  it('has the classes under their names and codes, like the Webex namespace', () => {
    expect(grantErrors.OAuthError).toBe(OAuthError);
    expect(grantErrors.UnsupportGrantTypeError).toBe(UnsupportedGrantTypeError);
    for (const [code, cls, name] of grantClasses) {
      expect(grantErrors[code as keyof typeof grantErrors]).toBe(cls);
      expect(grantErrors[name as keyof typeof grantErrors]).toBe(cls);
    }
  });

  it.each([
    'access_denied',
    'server_error',
    'temporarily_unavailable',
    'authorization_pending',
    'InvalidGrantError',
    'OAuthError',
    'select',
    'toString',
    'constructor',
    '__proto__',
    'hasOwnProperty',
    '',
  ])('select(%j) gives OAuthError', (code) => {
    expect(grantErrors.select(code)).toBe(OAuthError);
  });

  it('gives OAuthError for non-string codes', () => {
    for (const code of [undefined, null, 1, {}, ['invalid_grant'], Symbol('invalid_grant')]) {
      expect(grantErrors.select(code)).toBe(OAuthError);
    }
  });

  it('always returns a constructor that builds an OAuthError', () => {
    fc.assert(
      fc.property(
        fc.oneof(fc.string(), fc.constantFrom('toString', 'valueOf', '__proto__'), fc.anything()),
        (code) => {
          const cls = grantErrors.select(code);
          expect(new cls({ error: 'x' })).toBeInstanceOf(OAuthError);
        },
      ),
    );
  });

  it('maps access_denied to a plain OAuthError with the code kept', () => {
    const cls = grantErrors.select('access_denied');
    const err = new cls({ error: 'access_denied' });
    expect(err.name).toBe('OAuthError');
    expect(err.error).toBe('access_denied');
    expect(err.message).toBe('An error occurred');
  });

  it('cannot be modified', () => {
    expect(Object.isFrozen(grantErrors)).toBe(true);
  });
});

describe('library errors', () => {
  const secret = 'SECRET-csrf-or-code-4f9a';
  const cases: ReadonlyArray<[AuthchartsError, string, string]> = [
    [new CsrfMismatchError({ cause: new Error(secret) }), 'CsrfMismatchError', 'csrf_mismatch'],
    [new TransactionMissingError(), 'TransactionMissingError', 'transaction_missing'],
    [new StateDecodeError(), 'StateDecodeError', 'state_decode'],
    [new IssuerMismatchError(), 'IssuerMismatchError', 'issuer_mismatch'],
    [new PopupBlockedError(), 'PopupBlockedError', 'popup_blocked'],
    [new PopupClosedError(), 'PopupClosedError', 'popup_closed'],
    [new PopupTimeoutError(), 'PopupTimeoutError', 'popup_timeout'],
    [new InteractionInProgressError(), 'InteractionInProgressError', 'interaction_in_progress'],
    [new ConfigError('client_id', 'must be a non-empty string'), 'ConfigError', 'invalid_config'],
    [new InvalidOptionError('state', 'must be an object'), 'InvalidOptionError', 'invalid_option'],
    [new NetworkError({ cause: new TypeError(secret) }), 'NetworkError', 'network_error'],
    [new RequestTimeoutError(30_000, { cause: new Error(secret) }), 'RequestTimeoutError', 'request_timeout'],
    [new ProtocolError('The token response has no access_token', 200), 'ProtocolError', 'protocol_error'],
  ];

  it.each(cases)('%s has an explicit name, a code and a message', (err, name, code) => {
    expect(err.name).toBe(name);
    expect(err.code).toBe(code);
    expect(err.message.length).toBeGreaterThan(10);
    expect(err.message).not.toContain(secret);
    expect(err).toBeInstanceOf(AuthchartsError);
    expect(err).toBeInstanceOf(Error);
  });

  it.each(cases)('%s is not an OAuthError, so a refresh never wipes tokens because of it', (err) => {
    expect(err).not.toBeInstanceOf(OAuthError);
  });

  it('keeps a cause without putting it in the message', () => {
    const cause = new Error(secret);
    const err = new CsrfMismatchError({ cause });
    expect(err.cause).toBe(cause);
    expect(String(err)).not.toContain(secret);
  });

  it('ConfigError and InvalidOptionError name the field at fault', () => {
    const config = new ConfigError('redirect_uri', 'must be an absolute URL');
    expect(config.field).toBe('redirect_uri');
    expect(config.message).toBe('Invalid config "redirect_uri": must be an absolute URL');
    const option = new InvalidOptionError('state', 'must be an object');
    expect(option.option).toBe('state');
    expect(option.message).toBe('Invalid option "state": must be an object');
  });

  it('RequestTimeoutError is a NetworkError (transient) that names only the limit', () => {
    const err = new RequestTimeoutError(1_500);
    expect(err).toBeInstanceOf(NetworkError);
    expect(err.timeoutMs).toBe(1_500);
    expect(err.message).toBe('The authorization server did not answer within 1500 ms');
  });

  it('StateDecodeError says which step failed', () => {
    const messages = {
      not_base64url: 'The OAuth state parameter is not valid base64url',
      not_utf8: 'The OAuth state parameter is not valid UTF-8',
      not_json: 'The OAuth state parameter is not valid JSON',
      not_object: 'The OAuth state parameter is not a JSON object',
    } as const;
    for (const [reason, message] of Object.entries(messages)) {
      const err = new StateDecodeError({ reason: reason as keyof typeof messages });
      expect(err.reason).toBe(reason);
      expect(err.message).toBe(message);
    }
    expect(new StateDecodeError().reason).toBeUndefined();
    expect(new StateDecodeError().message).toBe('The OAuth state parameter could not be decoded');
  });

  it('StateDecodeError keeps a cause only when given one', () => {
    const cause = new RangeError('bad byte');
    expect(new StateDecodeError({ reason: 'not_utf8', cause }).cause).toBe(cause);
    expect('cause' in new StateDecodeError({ reason: 'not_utf8' })).toBe(false);
  });
});
