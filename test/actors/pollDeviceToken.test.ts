/**
 * One device-token poll (RFC 8628 §3.4) as the device machine meets it: every answer becomes an
 * outcome, even from a custom `fetch` that resolves with something that is not a Response.
 */
import { describe, expect, it } from 'vitest';
import { createActor, toPromise } from 'xstate';
import { createPollDeviceToken } from '../../actors/pollDeviceToken.js';
import { resolveConfig } from '../../src/config.js';
import { ProtocolError } from '../../src/errors.js';
import { DEVICE_AS } from '../fixtures/deviceCodeRequest.js';
import { testRuntime } from '../fixtures/testRuntime.js';

const TOKEN_URL = `${DEVICE_AS}/token`;

function pollOnce(fetch: typeof globalThis.fetch) {
  const config = resolveConfig(
    {
      clientId: 'client-1',
      redirectUri: 'https://app.example/cb',
      endpoints: { authorization: `${DEVICE_AS}/authorize`, token: TOKEN_URL },
    },
    true,
  );
  const actor = createActor(
    createPollDeviceToken(() => testRuntime({ fetch })),
    {
      input: { config, deviceCode: 'DC-1', tokenEndpoint: TOKEN_URL },
    },
  );
  const outcome = toPromise(actor);
  actor.start();
  return outcome;
}

describe('pollDeviceToken', () => {
  it('turns an answer that is not an HTTP response into a terminal ProtocolError instead of rejecting', async () => {
    for (const answer of [undefined, { ok: true }, 'token']) {
      const outcome = await pollOnce(async () => answer as unknown as Response);
      expect(outcome).toMatchObject({ kind: 'terminal', error: expect.any(ProtocolError) });
      if (outcome.kind === 'terminal') expect(outcome.error.message).not.toContain('DC-1');
    }
  });
});
