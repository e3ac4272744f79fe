/**
 * The redaction helper against the real `@statelyai/inspect` inspector: every inspection event of
 * full flows (callback + code exchange, refresh, logout, popup login, device login) goes through
 * `createInspector(adapter, redactInspection())`, and what reaches the adapter must hold none of
 * the flows' secrets. The same flows without the helper do leak them, so the check can fail.
 */
import { createInspector, type StatelyInspectionEvent } from '@statelyai/inspect';
import { describe, expect, it } from 'vitest';
import {
  createAuthorization,
  type InspectionRedaction,
  REDACTED,
  redactInspection,
} from '../../src/index.js';
import { createRelayMessage } from '../../src/popupRelay.js';
import { decodeState, encodeState } from '../../src/stateCodec.js';
import { CODE_VERIFIER_KEY, CSRF_TOKEN_KEY } from '../../src/transactionStore.js';
import { createFakeFetch, json } from '../fixtures/fakeFetch.js';
import { FakeWindow } from '../fixtures/fakeWindow.js';

const AS = 'https://as.example';
const APP = 'https://app.example';
const REDIRECT_URI = `${APP}/cb`;

const CSRF = 'csrf-S3cret-7c21-abcdefghij';
const VERIFIER = 'verifier-S3cret-0b8e-0123456789-abcdefghijklmnop';
const CODE = 'code-S3cret-4f9a';
const POPUP_CODE = 'popup-code-S3cret-88';
const DEVICE_CODE = 'device-code-S3cret-5d3e';
const FIXED_SECRETS = [CSRF, VERIFIER, CODE, POPUP_CODE, DEVICE_CODE];

/** A token endpoint that hands out numbered, recognisable tokens and records them as secrets. */
function tokenServer(secrets: string[]) {
  let n = 0;
  const issue = () => {
    n += 1;
    const body = {
      access_token: `AT-S3cret-${n}`,
      refresh_token: `RT-S3cret-${n}`,
      token_type: 'Bearer',
      expires_in: 3600,
      scope: 'profile',
    };
    secrets.push(body.access_token, body.refresh_token);
    return json(body);
  };
  let polls = 0;
  return createFakeFetch({
    [`${AS}/token`]: (request) => {
      if (request.body.get('grant_type') !== 'urn:ietf:params:oauth:grant-type:device_code') return issue();
      polls += 1;
      return polls === 1 ? json({ error: 'authorization_pending' }, 400) : issue();
    },
    [`${AS}/revoke`]: () => new Response(null, { status: 200 }),
    [`${AS}/device`]: () =>
      json({
        device_code: DEVICE_CODE,
        user_code: 'WDJB-MJHT',
        verification_uri: `${AS}/verify`,
        verification_uri_complete: `${AS}/verify?user_code=WDJB-MJHT`,
        expires_in: 600,
        interval: 1,
      }),
  });
}

/** Runs every flow once with `inspect` wired through `redaction` (or raw) and returns what the adapter got. */
async function runFlows(redaction: InspectionRedaction | undefined) {
  const received: StatelyInspectionEvent[] = [];
  const inspector = createInspector({ send: (event) => received.push(event) }, redaction);
  const secrets = [...FIXED_SECRETS];
  const server = tokenServer(secrets);
  const config = {
    clientId: 'client-1',
    redirectUri: REDIRECT_URI,
    scope: 'profile',
    endpoints: {
      authorization: `${AS}/authorize`,
      token: `${AS}/token`,
      revocation: `${AS}/revoke`,
      deviceAuthorization: `${AS}/device`,
    },
    fetch: server.fetch,
    tokenStorage: 'memory' as const,
    refreshAhead: false,
    inspect: inspector.inspect,
  };

  // 1. The page lands on the callback: state check, code exchange, then refresh and logout.
  const state = encodeState({ csrf_token: CSRF });
  const callbackPage = new FakeWindow(`${REDIRECT_URI}?code=${CODE}&state=${state}&keep=1`);
  callbackPage.sessionStorage.setItem(CSRF_TOKEN_KEY, CSRF);
  callbackPage.sessionStorage.setItem(CODE_VERIFIER_KEY, VERIFIER);
  const auth = createAuthorization({ ...config, window: callbackPage.asWindow() });
  await expect(auth.whenReady()).resolves.toMatchObject({ outcome: 'authorized' });
  await auth.refresh();
  await auth.logout({ noRedirect: true });
  auth.stop();

  // 2. A popup login from an ordinary page: login URL with state, relayed callback, exchange.
  const page = new FakeWindow(`${APP}/start`);
  const popupAuth = createAuthorization({ ...config, window: page.asWindow() });
  await popupAuth.whenReady();
  const login = popupAuth.initiateLogin({ separateWindow: true });
  const popup = page.popups[0];
  if (!popup) throw new Error('no popup was opened');
  await expect.poll(() => popup.location.href).toContain(`${AS}/authorize`);
  const loginState = new URL(popup.location.href).searchParams.get('state') ?? '';
  const popupId = String(decodeState(loginState).authcharts_popup);
  secrets.push(
    popupId,
    page.sessionStorage.getItem(CSRF_TOKEN_KEY) ?? 'missing-csrf',
    page.sessionStorage.getItem(CODE_VERIFIER_KEY) ?? 'missing-verifier',
  );
  page.receiveMessage(
    createRelayMessage(popupId, `${REDIRECT_URI}?code=${POPUP_CODE}&state=${loginState}`),
    APP,
    popup,
  );
  await login;
  expect(popupAuth.credentials.canAuthorize).toBe(true);

  // 3. A device (QR) login: device code, one pending poll, then the token.
  await popupAuth.logout({ noRedirect: true });
  await new Promise<void>((resolve) => {
    popupAuth.eventEmitter.on('qRCodeLogin', (event) => {
      if (event.eventType === 'authorizationSuccess') resolve();
    });
    popupAuth.initQRCodeLogin();
  });
  popupAuth.stop();

  return { received, secrets, requests: server.requests };
}

describe('redactInspection with the Stately inspector', () => {
  it('lets no token, code, verifier, CSRF value, device code or popup id reach the inspector', async () => {
    const { received, secrets, requests } = await runFlows(redactInspection());
    // The flows really ran: exchange, refresh, revoke ×2, popup exchange, device code, two polls.
    expect(requests.map((r) => new URL(r.url).pathname)).toEqual([
      '/token',
      '/token',
      '/revoke',
      '/token',
      '/revoke',
      '/device',
      '/token',
      '/token',
    ]);
    expect(received.length).toBeGreaterThan(100);
    const text = JSON.stringify(received);
    const leaked = secrets.filter((secret) => text.includes(secret));
    expect(leaked, 'secrets that reached the inspector').toEqual([]);
    // What the inspector shows is still useful: states, event types and which fields were there.
    expect(text).toContain(REDACTED);
    expect(text).toContain('exchanging');
    expect(text).toContain('xstate.done.actor');
    expect(text).toContain('WDJB-MJHT');
    expect(text).toContain(`"authorization":"${AS}/authorize"`);
    // The browser inspector posts what `serialize` returns: it must survive structured cloning.
    expect(() => structuredClone(received)).not.toThrow();
  }, 30_000);

  it('is needed: the same flows without it leak every kind of secret', async () => {
    const { received, secrets } = await runFlows(undefined);
    const text = JSON.stringify(received, (_key, value) =>
      typeof value === 'object' && value !== null && 'send' in value ? undefined : value,
    );
    for (const secret of [CSRF, VERIFIER, CODE, DEVICE_CODE, 'AT-S3cret-1', 'RT-S3cret-1']) {
      expect(secrets).toContain(secret);
      expect(text).toContain(secret);
    }
  }, 30_000);
});
