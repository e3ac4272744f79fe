/**
 * The QR-code login (device authorization, RFC 8628) through the facade against real servers
 * over real HTTP with real timers: oidc-provider (the user approves on its own verification
 * pages) and the Webex-dialect server (428 while pending, `message: "slow_down"`, the QR deep
 * link to the Webex web app). Each test has a client of its own on the shared servers, with a
 * 1 s interval, so the tests run side by side.
 */
import { describe, it, vi } from 'vitest';
import type { Authorization } from '../../src/index.js';
import { oidcProviderDeviceServer, webexDeviceServer } from './deviceServers.js';
import {
  acceptsAccessToken,
  recordQRCodeLogin,
  SAFETY_NET_MS,
  tryRefreshToken,
  watchFor,
} from './support.js';

/** Longer than one poll interval: long enough for a poll that should not happen to happen. */
const ONE_INTERVAL_AND_MORE_MS = 1_300;

/** Starts a QR login and returns its user code data (what the device shows). */
async function showCode(auth: Authorization) {
  const qr = recordQRCodeLogin(auth);
  auth.initQRCodeLogin();
  const { userData } = await qr.first('getUserCodeSuccess');
  return { qr, userData };
}

const servers = [oidcProviderDeviceServer(), webexDeviceServer()];

// The longest tests come first: at most five run at once (vitest's maxConcurrency).
describe.concurrent('QR-code login', () => {
  it.for(servers)(
    'polls while pending, keeps the interval a slow_down raised, signs in once the user approves, and is revoked at logout ($name)',
    async (server, { expect, onTestFinished }) => {
      const auth = await server.start(
        // The second poll is told to slow down (1 s → 2 s, announced in the answer).
        { device: { interval: 1, slowDownStep: 1, announceInterval: true, slowDownOnPolls: [2] } },
        onTestFinished,
      );
      const { qr, userData } = await showCode(auth);
      expect(userData.verificationUriComplete).toBe(server.qrLink(userData.userCode));

      // The user approves only after the server has answered slow_down.
      await vi.waitFor(
        async () => {
          const answers = (await server.polls(userData.userCode)).map((poll) => poll.answer);
          if (!answers.includes('slow_down')) throw new Error(`no slow_down yet: ${answers.join(', ')}`);
        },
        { timeout: SAFETY_NET_MS, interval: 25 },
      );
      await server.approve(userData);
      await qr.first('authorizationSuccess');

      const polls = await server.polls(userData.userCode);
      // Pending, slow_down, then (pending while the user was still approving) success.
      expect(polls.map((poll) => poll.answer).join(' ')).toMatch(
        /^authorization_pending slow_down (authorization_pending )*success$/,
      );
      // No poll came before the interval the server required, so none was slowed down again.
      expect(polls.filter((poll) => poll.early)).toEqual([]);
      expect(polls.slice(2).map((poll) => poll.required)).toEqual(polls.slice(2).map(() => 2));
      // Each pending answer was announced; slow_down is not an event.
      const pendingCount = polls.filter((poll) => poll.answer === 'authorization_pending').length;
      expect(qr.types()).toEqual([
        'getUserCodeSuccess',
        ...Array.from({ length: pendingCount }, () => 'authorizationPending'),
        'authorizationSuccess',
      ]);

      const token = auth.credentials.supertoken;
      if (!token?.refresh_token) throw new Error('the device login gave no refresh token');
      expect(await acceptsAccessToken(server.apiUrl, token.access_token)).toBe(true);

      // Signing out of the device revokes its grant at the server (RFC 7009).
      await auth.logout({ noRedirect: true });
      expect(auth.credentials.supertoken).toBeUndefined();
      expect(await acceptsAccessToken(server.apiUrl, token.access_token)).toBe(false);
      const reuse = await tryRefreshToken(server.tokenUrl, server.clientIdOf(auth), token.refresh_token);
      expect(reuse).toMatchObject({ status: 400, body: { error: 'invalid_grant' } });
    },
  );

  it.for(servers)(
    'gives up when the code expires ("Authorization timed out") and polls no more ($name)',
    async (server, { expect, onTestFinished }) => {
      const auth = await server.start({ device: { interval: 1 }, codeTtl: 2 }, onTestFinished);
      const { qr, userData } = await showCode(auth);

      const failure = await qr.first('authorizationFailure');
      expect(failure.data).toEqual({ message: 'Authorization timed out' });
      const polls = await server.polls(userData.userCode);
      expect(polls.filter((poll) => poll.answer !== 'authorization_pending')).toEqual([]);

      await watchFor(ONE_INTERVAL_AND_MORE_MS);
      expect(await server.polls(userData.userCode)).toHaveLength(polls.length);
      expect(qr.types().at(-1)).toBe('authorizationFailure');
      expect(auth.credentials.supertoken).toBeUndefined();
    },
  );

  it.for(servers)(
    'reports a denial as authorizationFailure (access_denied) and polls no more ($name)',
    async (server, { expect, onTestFinished }) => {
      const auth = await server.start({ device: { interval: 1 } }, onTestFinished);
      const { qr, userData } = await showCode(auth);
      await server.deny(userData);

      const failure = await qr.first('authorizationFailure');
      expect(failure.data).toMatchObject({ error: 'access_denied' });
      expect(auth.credentials.supertoken).toBeUndefined();
      const polls = await server.polls(userData.userCode);
      expect(polls.at(-1)?.answer).toBe('access_denied');

      await watchFor(ONE_INTERVAL_AND_MORE_MS);
      expect(await server.polls(userData.userCode)).toHaveLength(polls.length);
      expect(qr.types().at(-1)).toBe('authorizationFailure');
    },
  );

  it('reports a code the Webex server expired as authorizationFailure (expired_token) and polls no more', async ({
    expect,
    onTestFinished,
  }) => {
    const server = webexDeviceServer();
    const auth = await server.start({ device: { interval: 1 } }, onTestFinished);
    const { qr, userData } = await showCode(auth);
    await server.expire(userData);

    const failure = await qr.first('authorizationFailure');
    expect(failure.data).toMatchObject({ error: 'expired_token' });
    const polls = await server.polls(userData.userCode);
    expect(polls.at(-1)?.answer).toBe('expired_token');

    await watchFor(ONE_INTERVAL_AND_MORE_MS);
    expect(await server.polls(userData.userCode)).toHaveLength(polls.length);
    expect(qr.types().at(-1)).toBe('authorizationFailure');
  });
});
