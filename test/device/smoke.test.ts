import { afterEach, expect, it, vi } from 'vitest';
import { createAuthorization, Events, type QRCodeLoginEvent } from '../../src/index.js';
import { createFakeFetch, json } from '../fixtures/fakeFetch.js';
import { FakeWindow } from '../fixtures/fakeWindow.js';

afterEach(() => vi.useRealTimers());

it('smoke: pending, slow_down, success', async () => {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'Date'] });
  const answers = [
    () => json({ error: 'authorization_pending' }, 400),
    () => json({ error: 'slow_down' }, 400),
    () => json({ access_token: 'AT', token_type: 'Bearer', expires_in: 60 }),
  ];
  const times: number[] = [];
  const server = createFakeFetch({
    'https://as.example/device': () =>
      json({
        device_code: 'DC',
        user_code: 'WDJB-MJHT',
        verification_uri: 'https://as.example/verify',
        expires_in: 600,
        interval: 5,
      }),
    'https://as.example/token': () => {
      times.push(Date.now());
      return (answers.shift() ?? answers[0])!();
    },
  });
  const auth = createAuthorization({
    clientId: 'c',
    redirectUri: 'https://app.example/cb',
    endpoints: {
      authorization: 'https://as.example/authorize',
      token: 'https://as.example/token',
      deviceAuthorization: 'https://as.example/device',
    },
    window: new FakeWindow().asWindow(),
    fetch: server.fetch,
  });
  const events: QRCodeLoginEvent[] = [];
  auth.eventEmitter.on(Events.qRCodeLogin, (e) => events.push(e));
  const start = Date.now();
  auth.initQRCodeLogin();
  await vi.advanceTimersByTimeAsync(60_000);
  expect(events.map((e) => e.eventType)).toEqual([
    'getUserCodeSuccess',
    'authorizationPending',
    'authorizationSuccess',
  ]);
  expect(times.map((t) => (t - start) / 1000)).toEqual([5, 10, 20]);
  expect(auth.credentials.supertoken?.access_token).toBe('AT');
  auth.stop();
});
