/**
 * The device authorization request (RFC 8628 §3.1–3.2) as its caller sees it: the default code
 * lifetime is added only where the server left `expires_in` out, a malformed answer is refused
 * with the server's own status, and the app's verification-URI hook only sees real URIs.
 */
import { describe, expect, it, vi } from 'vitest';
import type { Runtime } from '../../actors/runtime.js';
import { ProtocolError } from '../../src/errors.js';
import { AS, deviceCode } from '../device/harness.js';
import { DEVICE_AUTHORIZATION_URL, requestDeviceCode } from '../fixtures/deviceCodeRequest.js';
import { createFakeFetch, json, type Route } from '../fixtures/fakeFetch.js';

/** Requests a device code from a server answering `route`; resolves with the code or the error. */
function requestDeviceCodeFrom(route: Route, runtime: Partial<Runtime> = {}) {
  return requestDeviceCode(createFakeFetch({ [DEVICE_AUTHORIZATION_URL]: route }).fetch, runtime);
}

describe('requestDeviceCode', () => {
  it("keeps the server's own expires_in instead of the 300 s default", async () => {
    const code = await requestDeviceCodeFrom(() => json(deviceCode));
    expect(code).toMatchObject({ deviceCode: 'DC-1', expiresIn: 600, interval: 5 });
  });

  it.each([
    ['null', null],
    ['a string', 'WDJB-MJHT'],
    ['a number', 42],
  ])(
    'refuses a 200 answer whose JSON body is %s with a ProtocolError that says what is wrong',
    async (_name, body) => {
      // The caller learns the body is not a JSON object (oauth4webapi's check), not that "the
      // request failed", which would come from the default-lifetime step crashing on it.
      const error = await requestDeviceCodeFrom(() => json(body));
      expect(error).toBeInstanceOf(ProtocolError);
      expect((error as ProtocolError).message).toMatch(/body must be a top level object/);
    },
  );

  it('judges an answer without expires_in on the status the server sent (a 201 is refused)', async () => {
    // Adding the default lifetime must not turn a non-conforming status into an accepted one.
    const { expires_in: _omitted, ...withoutExpiry } = deviceCode;
    const error = await requestDeviceCodeFrom(() => json(withoutExpiry, 201));
    expect(error).toBeInstanceOf(ProtocolError);
    expect((error as ProtocolError).status).toBe(201);
  });

  it('does not call the transformVerificationUri hook when the server sends no verification_uri_complete', async () => {
    const transformVerificationUri = vi.fn((uri: string) => `https://app.example/qr?target=${uri}`);
    const { verification_uri_complete: _omitted, ...withoutComplete } = deviceCode;
    const code = await requestDeviceCodeFrom(() => json(withoutComplete), { transformVerificationUri });
    expect(transformVerificationUri).not.toHaveBeenCalled();
    expect(code).toMatchObject({ verificationUri: `${AS}/verify`, verificationUriComplete: undefined });
  });
});
