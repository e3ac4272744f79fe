// Node's environment, as in a browser: a DOMException is an Error (jsdom's comes from another realm).
/**
 * The errors a flow hands the app (`toFlowError`): an abort stays an abort, an OAuth error body
 * keeps every RFC 6749 §5.2 field, and anything unexpected becomes a ProtocolError whose message
 * quotes nothing the server sent.
 */
import { describe, expect, it } from 'vitest';
import { toFlowError } from '../../actors/flowErrors.js';
import { InvalidClientError, ProtocolError } from '../../src/errors.js';
import { DEVICE_AUTHORIZATION_URL, requestDeviceCode } from '../fixtures/deviceCodeRequest.js';
import { createFakeFetch, json } from '../fixtures/fakeFetch.js';

describe('toFlowError', () => {
  it('returns an AbortError as is, so a cancelled flow is not reported as a server failure', () => {
    const abort = new DOMException('The operation was aborted.', 'AbortError');
    expect(toFlowError(abort)).toBe(abort);
  });

  it('turns an unexpected error into a ProtocolError that does not repeat its message', () => {
    // V8's JSON errors quote the text they choked on, which may be a token.
    const unexpected = new SyntaxError(
      'Unexpected token \'}\', "{"access_token":"AT-s3cret"}}" is not valid JSON',
    );
    const error = toFlowError(unexpected);
    expect(error).toBeInstanceOf(ProtocolError);
    expect(error.message).toBe('The request to the authorization server failed');
    expect(error.message).not.toContain('AT-s3cret');
    expect((error as ProtocolError).status).toBeUndefined();
  });
});

describe('an OAuth error from the device authorization endpoint', () => {
  it('reaches the caller with its error_uri', async () => {
    const server = createFakeFetch({
      [DEVICE_AUTHORIZATION_URL]: () =>
        json(
          {
            error: 'invalid_client',
            error_description: 'Unknown client',
            error_uri: 'https://as.example/errors/invalid_client',
          },
          400,
        ),
    });
    const error = await requestDeviceCode(server.fetch);
    expect(error).toBeInstanceOf(InvalidClientError);
    expect(error).toMatchObject({
      error: 'invalid_client',
      errorDescription: 'Unknown client',
      errorUri: 'https://as.example/errors/invalid_client',
      message: 'Unknown client',
    });
  });
});
