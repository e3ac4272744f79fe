/**
 * Request counts on scripted scenarios against the real authorization server (oidc-provider,
 * test/fixtures/authorizationServer.ts), each next to the protocol minimum (SPEC §8): one token
 * request per code login, device polls exactly as RFC 8628 allows and none after the end, one
 * refresh across N tabs. Every scenario registers a client of its own, so runs do not meet
 * through the server, the storage key or the BroadcastChannel.
 */
import { type Authorization, type AuthorizationConfig, createAuthorization } from '../../../src/index.js';
import { type AuthorizationServer, approveDevice } from '../../fixtures/authorizationServer.js';
import { FakeLockManager } from '../../fixtures/fakeLocks.js';
import { FakeWindow, MemoryStorage } from '../../fixtures/fakeWindow.js';
import { SessionWindow } from '../../fixtures/sessionWindow.js';
import { sleep, waitUntil } from '../waitUntil.js';
import { countSent, DEVICE_CODE_GRANT, type RequestRecorder, recordRequests } from './recorder.js';

export const REDIRECT_URI = 'https://app.example/callback';
const APP = 'https://app.example/';
const DISCOVERY = '/.well-known/openid-configuration';
/** Tabs sharing one origin's storage in the refresh scenarios. */
export const TABS = 5;
/** How often a waiting scenario looks again. */
const POLL_MS = 20;

/** One count next to what the protocol needs at least. */
export interface CountRow {
  scenario: string;
  measure: string;
  count: number;
  minimum: number;
}

type Row = Omit<CountRow, 'scenario'>;

function facadeFor(
  server: AuthorizationServer,
  clientId: string,
  recorder: RequestRecorder,
  config: Partial<AuthorizationConfig>,
): Authorization {
  return createAuthorization({
    clientId,
    redirectUri: REDIRECT_URI,
    issuer: server.issuer,
    scope: 'openid',
    fetch: recorder.fetch,
    ...config,
  });
}

/**
 * The user logs in on `page` (a full-page redirect), the server sends the browser back, and the
 * same tab (same sessionStorage) loads the callback: returns the facade of the callback page.
 */
async function logInOnPage(
  server: AuthorizationServer,
  clientId: string,
  recorder: RequestRecorder,
  page: FakeWindow,
  config: Partial<AuthorizationConfig>,
): Promise<Authorization> {
  const start = facadeFor(server, clientId, recorder, { ...config, window: page.asWindow() });
  await start.whenReady();
  await start.initiateLogin();
  start.stop();
  const authorizeUrl = page.navigations.at(-1);
  if (!authorizeUrl) throw new Error('the login did not navigate');
  const callbackUrl = await server.approveUrl(authorizeUrl);
  page.history.replaceState(null, '', callbackUrl);
  const callback = facadeFor(server, clientId, recorder, { ...config, window: page.asWindow() });
  const ready = await callback.whenReady();
  if (ready.outcome !== 'authorized') throw new Error(`the login ended ${ready.outcome}`);
  return callback;
}

/** Authorization Code + PKCE: the start page and the callback page each discover once; one token request. */
export async function codeLogin(server: AuthorizationServer): Promise<Row[]> {
  const clientId = await server.registerClient({ redirectUris: [REDIRECT_URI] });
  const recorder = recordRequests();
  const auth = await logInOnPage(server, clientId, recorder, new FakeWindow(APP), {
    tokenStorage: 'memory',
    refreshAhead: false,
  });
  auth.stop();
  return [
    { measure: 'token requests', count: countSent(recorder.sent, '/token'), minimum: 1 },
    { measure: 'discovery (one per page load)', count: countSent(recorder.sent, DISCOVERY), minimum: 2 },
    { measure: 'all requests', count: recorder.sent.length, minimum: 3 },
  ];
}

/** A device (no window) showing a QR code, and its `qRCodeLogin` events. */
async function showQRCode(server: AuthorizationServer, clientId: string, recorder: RequestRecorder) {
  const auth = facadeFor(server, clientId, recorder, { tokenStorage: 'memory', refreshAhead: false });
  const events: string[] = [];
  let userCode: { userCode: string; verificationUriComplete?: string } | undefined;
  auth.eventEmitter.on('qRCodeLogin', (event) => {
    events.push(event.eventType);
    if (event.eventType === 'getUserCodeSuccess') userCode = event.userData;
  });
  auth.initQRCodeLogin();
  await waitUntil(
    () => userCode !== undefined,
    'getUserCodeSuccess',
    () => sleep(POLL_MS),
  );
  return { auth, events, userCode: userCode as { userCode: string; verificationUriComplete?: string } };
}

/**
 * RFC 8628 with a 1 s interval; the server answers the second poll `slow_down` (announcing a
 * 2 s interval), the user approves after that. The minimum is one poll per answer the client had
 * to hear: every poll up to the success, none early, none after.
 */
export async function deviceFlow(server: AuthorizationServer): Promise<Row[]> {
  const clientId = await server.registerClient({
    device: { interval: 1, slowDownStep: 1, announceInterval: true, slowDownOnPolls: [2] },
  });
  const recorder = recordRequests();
  const { auth, events, userCode } = await showQRCode(server, clientId, recorder);
  const polls = () => server.devicePolls(userCode.userCode) ?? [];
  await waitUntil(
    () => polls().some((p) => p.answer === 'slow_down'),
    'slow_down',
    () => sleep(POLL_MS),
  );
  await approveDevice(userCode.verificationUriComplete ?? '');
  await waitUntil(
    () => events.includes('authorizationSuccess'),
    'authorizationSuccess',
    () => sleep(POLL_MS),
  );
  const pollsAtSuccess = countSent(recorder.sent, '/token', DEVICE_CODE_GRANT);
  // Longer than the grown interval: a poll that should not happen has time to happen.
  await sleep(2_500);
  auth.stop();
  const seen = polls();
  const successAt = seen.findIndex((p) => p.answer === 'success') + 1;
  const early = seen.filter((p) => p.early).length;
  const answers = (answer: string) => seen.filter((p) => p.answer === answer).length;
  return [
    { measure: 'device authorization requests', count: countSent(recorder.sent, '/device/auth'), minimum: 1 },
    {
      measure: `token polls (pending ${answers('authorization_pending')}, slow_down ${answers('slow_down')}, success ${answers('success')})`,
      count: pollsAtSuccess,
      minimum: successAt - early,
    },
    { measure: 'polls earlier than the interval', count: early, minimum: 0 },
    {
      measure: 'polls after success',
      count: countSent(recorder.sent, '/token', DEVICE_CODE_GRANT) - pollsAtSuccess,
      minimum: 0,
    },
  ];
}

/** The QR login is cancelled while its first poll is in flight: that poll is aborted, no other follows. */
export async function cancelMidPoll(server: AuthorizationServer): Promise<Row[]> {
  const clientId = await server.registerClient({ device: { interval: 1 } });
  const recorder = recordRequests();
  let cancelledAfter: number | undefined;
  let auth: Authorization | undefined;
  recorder.onSend = (request) => {
    if (request.grantType !== DEVICE_CODE_GRANT || cancelledAfter !== undefined) return;
    cancelledAfter = recorder.sent.length;
    // The request has left and its answer has not come: cancel now.
    queueMicrotask(() => auth?.cancelQRCodePolling());
  };
  const shown = await showQRCode(server, clientId, recorder);
  auth = shown.auth;
  await waitUntil(
    () => cancelledAfter !== undefined,
    'the first poll',
    () => sleep(POLL_MS),
  );
  // Two intervals and more: time for polls that must not come.
  await sleep(2_500);
  auth.stop();
  const afterCancel = recorder.sent.slice(cancelledAfter);
  const inFlight = recorder.sent[(cancelledAfter ?? 0) - 1];
  return [
    { measure: 'requests after cancel', count: afterCancel.length, minimum: 0 },
    { measure: 'poll in flight at cancel left unaborted', count: inFlight?.aborted ? 0 : 1, minimum: 0 },
    {
      measure: 'pollingCanceled events',
      count: shown.events.filter((type) => type === 'pollingCanceled').length,
      minimum: 1,
    },
  ];
}

/** Tab 1 logs in; then every tab opens on the shared localStorage and `navigator.locks`. */
async function openTabs(server: AuthorizationServer, clientId: string, refreshAhead: boolean) {
  const recorder = recordRequests();
  const localStorage = new MemoryStorage();
  const locks = new FakeLockManager();
  const config = { refreshAhead };
  const first = await logInOnPage(
    server,
    clientId,
    recorder,
    new SessionWindow({ href: APP, localStorage, locks }),
    config,
  );
  const tabs = [first];
  for (let i = 1; i < TABS; i++) {
    const win = new SessionWindow({ href: APP, localStorage, locks });
    tabs.push(facadeFor(server, clientId, recorder, { ...config, window: win.asWindow() }));
  }
  await Promise.all(tabs.map((tab) => tab.whenReady()));
  const initial = first.credentials.supertoken?.access_token;
  if (!initial || tabs.some((tab) => tab.credentials.supertoken?.access_token !== initial)) {
    throw new Error('the tabs do not share the login');
  }
  return { tabs, recorder, initial, refreshed: () => countSent(recorder.sent, '/token', 'refresh_token') };
}

const allMoved = (tabs: Authorization[], initial: string) =>
  tabs.every((tab) => {
    const token = tab.credentials.supertoken?.access_token;
    return token !== undefined && token !== initial;
  });

/** Every tab calls `credentials.refresh()` at the same moment. */
export async function refreshAcrossTabs(server: AuthorizationServer): Promise<Row[]> {
  const clientId = await server.registerClient({ redirectUris: [REDIRECT_URI] });
  const { tabs, initial, refreshed } = await openTabs(server, clientId, false);
  await Promise.all(tabs.map((tab) => tab.credentials.refresh()));
  const moved = allMoved(tabs, initial);
  for (const tab of tabs) tab.stop();
  if (!moved) throw new Error('not every tab holds the refreshed token');
  return [
    { measure: `refresh requests, ${TABS} tabs calling refresh() at once`, count: refreshed(), minimum: 1 },
  ];
}

/** Access tokens live 2 s: every tab's own timer comes due (60–90 % of the lifetime). */
export async function refreshAheadAcrossTabs(server: AuthorizationServer): Promise<Row[]> {
  const clientId = await server.registerClient({ redirectUris: [REDIRECT_URI], ttl: { AccessToken: 2 } });
  const { tabs, initial, refreshed } = await openTabs(server, clientId, true);
  await waitUntil(
    () => allMoved(tabs, initial),
    'every tab holding a new token',
    () => sleep(POLL_MS),
  );
  const count = refreshed();
  for (const tab of tabs) tab.stop();
  return [{ measure: `refresh requests, ${TABS} tabs' timers due within 1.2–1.8 s`, count, minimum: 1 }];
}

export const SCENARIOS = [
  { name: 'code login', run: codeLogin },
  { name: 'device flow (pending, slow_down)', run: deviceFlow },
  { name: 'cancel mid-poll', run: cancelMidPoll },
  { name: `refresh, N = ${TABS} tabs`, run: refreshAcrossTabs },
  { name: `refresh ahead, N = ${TABS} tabs`, run: refreshAheadAcrossTabs },
] as const;
