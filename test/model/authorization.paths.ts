/**
 * The model of the authorization (root) machine that its suites replay: the start-up pages, the
 * facade's calls, the payload cases of every child's outcome, the bounded vertex key, the loops, and
 * the generated paths. The stand-in suite (authorization.model.test.ts) checks an oracle on them; the
 * real-actor suite (authorization.real.test.ts) replays the same paths on the real children.
 */
import type { EventObject, SnapshotFrom } from 'xstate';
import {
  type AuthorizationEvent,
  type AuthorizationInput,
  authorizationMachine,
} from '../../machines/authorization.js';
import type { DeviceAuthorizationOutput } from '../../machines/deviceAuthorization.js';
import type { LoginOutput } from '../../machines/login.js';
import type { RedirectOutput } from '../../machines/redirect.js';
import {
  CsrfMismatchError,
  InvalidGrantError,
  NetworkError,
  OAuthError,
  PopupBlockedError,
} from '../../src/errors.js';
import {
  createEventCases,
  doneEvent,
  errorEvent,
  generatePaths,
  type ModelPath,
} from '../../src/testing/index.js';
import {
  APP,
  CODE,
  CODE_TOKEN,
  CONFIG,
  callbackUrl,
  DEVICE_RESPONSE,
  DEVICE_TOKEN,
  ISSUER,
  loginState,
  POPUP_TOKEN,
  REDIRECT_TOKEN,
  sequencePaths,
  VERIFIER,
} from './support.js';

export type RootSnapshot = SnapshotFrom<typeof authorizationMachine>;
export type RootPath = ModelPath<typeof authorizationMachine>;

/**
 * The page the instance starts on. The URL only changes what the redirect machine is asked at start
 * (step 0), so the first input takes every edge of the graph and the second one a shortest path to
 * each vertex plus the loops: the same checks, at a fraction of the run time.
 */
export const INPUTS: readonly {
  name: string;
  input: AuthorizationInput;
  strategy: 'transitions' | 'shortest';
}[] = [
  {
    name: 'started on a callback URL',
    strategy: 'transitions',
    input: {
      config: CONFIG,
      href: callbackUrl([
        ['code', CODE],
        ['state', loginState()],
        ['iss', ISSUER],
      ]),
    },
  },
  {
    name: 'started outside a browser (no URL)',
    strategy: 'shortest',
    input: { config: CONFIG, href: undefined },
  },
];

export const REDIRECT_RESULTS: readonly RedirectOutput[] = [
  { outcome: 'authorized', token: REDIRECT_TOKEN, via: 'code' },
  { outcome: 'failed', error: new CsrfMismatchError() },
  { outcome: 'none' },
  // A legacy implicit-grant redirect (opt-in): announced as such.
  { outcome: 'authorized', token: REDIRECT_TOKEN, via: 'implicit' },
];

export const LOGIN_RESULTS: readonly LoginOutput[] = [
  { outcome: 'authorized', token: POPUP_TOKEN },
  { outcome: 'failed', error: new PopupBlockedError() },
  { outcome: 'redirected' },
];

/** `initiateLogin` (announced) with each kind of options, and the lower-level call (not announced). */
export const LOGINS: readonly AuthorizationEvent[] = [
  { type: 'LOGIN', options: undefined, announce: true },
  { type: 'LOGIN', options: { email: 'user@example.com', state: { returnTo: '/inbox' } }, announce: true },
  { type: 'LOGIN', options: { state: {} }, announce: true },
  { type: 'LOGIN', options: { separateWindow: true }, announce: false },
  { type: 'LOGIN', options: { state: 'x' } as never, announce: true },
];

export const EXCHANGES: readonly AuthorizationEvent[] = [
  { type: 'EXCHANGE_CODE', code: CODE, codeVerifier: VERIFIER },
  { type: 'EXCHANGE_CODE', code: CODE, codeVerifier: undefined },
];

/** `initQRCodeLogin()` and `cancelQRCodePolling(withCancelEvent)`. */
export const QR_START: AuthorizationEvent = { type: 'QR_START' };
export const QR_CANCEL: AuthorizationEvent = { type: 'QR_CANCEL', withCancelEvent: true };
export const QR_CANCEL_QUIETLY: AuthorizationEvent = { type: 'QR_CANCEL', withCancelEvent: false };

/** `credentials.refresh()` and `logout(options)`: the session machine's business, passed on to it. */
export const REFRESH: AuthorizationEvent = { type: 'REFRESH' };
export const LOGOUTS: readonly AuthorizationEvent[] = [
  { type: 'LOGOUT', noRedirect: false, returnTo: undefined },
  { type: 'LOGOUT', noRedirect: true, returnTo: `${APP}/goodbye` },
];

export const DEVICE_RESULTS: readonly DeviceAuthorizationOutput[] = [
  { outcome: 'authorized', token: DEVICE_TOKEN, response: DEVICE_RESPONSE },
  { outcome: 'failed', error: new OAuthError({ error: 'access_denied', error_description: 'Denied' }) },
  { outcome: 'canceled' },
];

export const events = createEventCases<RootSnapshot>({
  user: (snapshot) => [
    // One interaction at a time: in a busy state the same calls must be ignored.
    ...(snapshot.matches({ interaction: 'idle' }) ? [...LOGINS, ...EXCHANGES] : [LOGINS[0]!, EXCHANGES[0]!]),
    // One QR login at a time; cancelling when none runs does nothing.
    ...(snapshot.matches({ deviceFlow: 'running' })
      ? [QR_START, QR_CANCEL, QR_CANCEL_QUIETLY]
      : [QR_START, QR_CANCEL]),
    // The session's calls, whatever the other regions do (each payload where no QR login runs).
    ...(snapshot.matches({ deviceFlow: 'idle' }) ? [REFRESH, ...LOGOUTS] : [LOGOUTS[0]!]),
  ],
  done: {
    redirect: REDIRECT_RESULTS,
    login: LOGIN_RESULTS,
    exchangeCode: [CODE_TOKEN],
    deviceAuthorization: DEVICE_RESULTS,
  },
  errors: {
    redirect: [new TypeError('The redirect machine crashed'), 'a rejection that is no Error'],
    login: [new TypeError('The login machine crashed'), 'a rejection that is no Error'],
    exchangeCode: [
      new InvalidGrantError({ error: 'invalid_grant', error_description: 'The code was already used' }),
      'a rejection that is no Error',
    ],
    deviceAuthorization: [new NetworkError(), 'a rejection that is no Error'],
  },
});

/** The token is the session's (a stand-in here): the root's own context is all a vertex needs. */
export const serializeState = (snapshot: RootSnapshot) =>
  `${JSON.stringify(snapshot.value)} ${snapshot.status} ready=${snapshot.context.ready?.outcome ?? '-'} ` +
  `lastError=${snapshot.context.lastError?.name ?? '-'}`;

export const deviceDone = (output: DeviceAuthorizationOutput): EventObject =>
  doneEvent('deviceAuthorization', output);
export const DEVICE_AUTHORIZED = deviceDone(DEVICE_RESULTS[0]!);
export const DEVICE_FAILED = deviceDone(DEVICE_RESULTS[1]!);
export const DEVICE_CANCELED = deviceDone(DEVICE_RESULTS[2]!);

/**
 * Loops over `idle`: a failed login then a successful one, a failed exchange then a good one, and so
 * on; QR logins one after the other (refused while one runs, cancelled, crashed), QR logins
 * interleaved with the start-up redirect and with logins in the other region, and the session's
 * calls passed on whatever runs. Each is folded as it stands ({@link sequencePaths}).
 */
export const LOOPS: readonly EventObject[][] = [
  [
    doneEvent('redirect', REDIRECT_RESULTS[2]),
    LOGINS[0]!,
    doneEvent('login', LOGIN_RESULTS[1]),
    LOGINS[3]!,
    doneEvent('login', LOGIN_RESULTS[0]),
    REFRESH,
    EXCHANGES[0]!,
    errorEvent('exchangeCode', new InvalidGrantError({ error: 'invalid_grant' })),
    EXCHANGES[1]!,
    doneEvent('exchangeCode', CODE_TOKEN),
    LOGINS[1]!,
    doneEvent('login', LOGIN_RESULTS[2]),
  ],
  [
    doneEvent('redirect', REDIRECT_RESULTS[1]),
    EXCHANGES[0]!,
    doneEvent('exchangeCode', CODE_TOKEN),
    LOGINS[0]!,
    doneEvent('login', LOGIN_RESULTS[0]),
    LOGINS[0]!,
    doneEvent('login', LOGIN_RESULTS[1]),
  ],
  [
    doneEvent('redirect', REDIRECT_RESULTS[2]),
    QR_START,
    QR_START,
    QR_CANCEL_QUIETLY,
    QR_CANCEL,
    DEVICE_CANCELED,
    QR_CANCEL,
    QR_START,
    QR_START,
    DEVICE_AUTHORIZED,
    QR_CANCEL,
    QR_START,
    errorEvent('deviceAuthorization', new NetworkError()),
    QR_START,
    DEVICE_FAILED,
    QR_START,
    DEVICE_AUTHORIZED,
  ],
  // The regions are independent: a QR login runs through the start-up redirect and a popup login.
  [
    QR_START,
    doneEvent('redirect', REDIRECT_RESULTS[0]),
    LOGINS[3]!,
    QR_CANCEL,
    doneEvent('login', LOGIN_RESULTS[0]),
    DEVICE_CANCELED,
  ],
  [
    QR_START,
    doneEvent('redirect', REDIRECT_RESULTS[1]),
    EXCHANGES[0]!,
    DEVICE_AUTHORIZED,
    doneEvent('exchangeCode', CODE_TOKEN),
    QR_START,
    LOGINS[0]!,
    DEVICE_AUTHORIZED,
  ],
  // A QR login that ends while the start-up redirect still runs: `whenReady()` still reports how the
  // redirect ended, not the QR login.
  [QR_START, DEVICE_AUTHORIZED, doneEvent('redirect', REDIRECT_RESULTS[2])],
  [QR_START, DEVICE_AUTHORIZED, doneEvent('redirect', REDIRECT_RESULTS[0])],
  // The session's calls go through while the redirect, a login, an exchange and a QR login run.
  [
    REFRESH,
    LOGOUTS[1]!,
    doneEvent('redirect', REDIRECT_RESULTS[0]),
    LOGINS[0]!,
    REFRESH,
    LOGOUTS[0]!,
    doneEvent('login', LOGIN_RESULTS[0]),
    QR_START,
    EXCHANGES[1]!,
    REFRESH,
    LOGOUTS[1]!,
    doneEvent('exchangeCode', CODE_TOKEN),
    DEVICE_AUTHORIZED,
    LOGOUTS[0]!,
  ],
];

export const suites = INPUTS.map(({ name, input, strategy }) => ({
  name,
  input,
  paths: [
    ...generatePaths(authorizationMachine, { events, serializeState, input, strategy }),
    ...sequencePaths(authorizationMachine, input, LOOPS),
  ],
}));
export const pathCount = suites.reduce((sum, suite) => sum + suite.paths.length, 0);
