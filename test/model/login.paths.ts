/**
 * The model of the login machine that its suites replay: the kinds of `initiateLogin` call
 * (scenarios), the payload cases of every actor outcome, the bounded vertex key, the loops the simple
 * paths leave out, and the generated paths. The stand-in suite (login.model.test.ts) checks an oracle
 * on them; the real-actor suite (login.real.test.ts) replays the same paths on the real actors.
 */
import type { EventObject, SnapshotFrom } from 'xstate';
import type { PopupWindowEvent } from '../../actors/popupWindow.js';
import type { PreparedLogin } from '../../actors/prepareLogin.js';
import { type LoginInput, loginMachine } from '../../machines/login.js';
import type { RedirectOutput } from '../../machines/redirect.js';
import { CsrfMismatchError, NetworkError } from '../../src/errors.js';
import type { LoginOptions } from '../../src/loginOptions.js';
import {
  afterEvent,
  createEventCases,
  doneEvent,
  generatePaths,
  type ModelPath,
} from '../../src/testing/index.js';
import { CODE, CONFIG, callbackUrl, ISSUER, loginState, POPUP_ID, POPUP_TOKEN } from './support.js';

export type LoginSnapshot = SnapshotFrom<typeof loginMachine>;
export type LoginPath = ModelPath<typeof loginMachine>;

export const LOGIN_URL = `${ISSUER}/authorize?response_type=code&client_id=client-1&state=${loginState()}`;
export const POPUP_LOGIN_URL = `${LOGIN_URL}x&authcharts=popup`;
/** The URL a popup relays after the server redirected it back. */
export const RELAYED_URL = callbackUrl([
  ['code', CODE],
  ['state', loginState({ authcharts_popup: POPUP_ID })],
  ['iss', ISSUER],
]);

export interface Scenario {
  name: string;
  options: LoginOptions | undefined;
  /** What the SPEC expects of these options. */
  expect:
    | { kind: 'redirect'; prepared: PreparedLogin }
    | { kind: 'popup'; prepared: PreparedLogin; features: string }
    | { kind: 'invalid'; option: string };
}

export const redirectPrepared: PreparedLogin = { loginUrl: LOGIN_URL, popupId: undefined };
export const popupPrepared: PreparedLogin = { loginUrl: POPUP_LOGIN_URL, popupId: POPUP_ID };

export const SCENARIOS: readonly Scenario[] = [
  {
    name: 'redirect, no options',
    options: undefined,
    expect: { kind: 'redirect', prepared: redirectPrepared },
  },
  {
    name: 'redirect with email, app state and login hint',
    options: {
      email: 'user@example.com',
      state: { returnTo: '/inbox' },
      loginHint: 'user@example.com',
      separateWindow: false,
    },
    expect: { kind: 'redirect', prepared: redirectPrepared },
  },
  {
    name: 'popup (separateWindow: true)',
    options: { separateWindow: true },
    expect: { kind: 'popup', prepared: popupPrepared, features: 'width=600,height=800' },
  },
  {
    name: 'popup with window features and empty app state',
    options: { separateWindow: { width: 400, menubar: 'no' }, state: {} },
    expect: { kind: 'popup', prepared: popupPrepared, features: 'width=400,height=800,menubar=no' },
  },
  {
    name: 'invalid options (state is a string)',
    options: { state: 'x' } as unknown as LoginOptions,
    expect: { kind: 'invalid', option: 'state' },
  },
  {
    name: 'invalid options (separateWindow is a string)',
    options: { separateWindow: 'yes' } as unknown as LoginOptions,
    expect: { kind: 'invalid', option: 'separateWindow' },
  },
];

export const CALLBACK_RESULTS: readonly RedirectOutput[] = [
  { outcome: 'authorized', token: POPUP_TOKEN, via: 'code' },
  // A popup login with the implicit grant (opt-in): the login ends with the token all the same.
  { outcome: 'authorized', token: POPUP_TOKEN, via: 'implicit' },
  { outcome: 'failed', error: new CsrfMismatchError() },
  { outcome: 'none' },
];

export const eventsFor = (scenario: Scenario) =>
  createEventCases<LoginSnapshot>({
    user: (snapshot) =>
      snapshot.matches({ popup: 'interacting' }) ? [{ type: 'POPUP.CALLBACK', url: RELAYED_URL }] : [],
    done: {
      prepareLogin: scenario.expect.kind === 'invalid' ? [] : [scenario.expect.prepared],
      navigateToLoginUrl: [undefined],
      processCallback: CALLBACK_RESULTS,
    },
    errors: {
      prepareLogin: [new NetworkError(), 'a rejection that is no Error'],
      navigateToLoginUrl: [new TypeError('There is no window to navigate to the login page')],
      popupWindow: [new TypeError('window.open threw'), 'a rejection that is no Error'],
      processCallback: [new TypeError('The redirect machine crashed'), 'a rejection that is no Error'],
    },
  });

/** The state value plus bounded flags: prepared or not, the error's class, a token or not. */
export const serializeState = (snapshot: LoginSnapshot) =>
  `${JSON.stringify(snapshot.value)} ${snapshot.status} prepared=${snapshot.context.loginUrl !== undefined} ` +
  `error=${snapshot.context.error?.name ?? '-'} token=${snapshot.context.token ? 'yes' : 'no'}`;

/** Loops the simple paths leave out: a second POPUP.CLOSED while the grace period runs. */
export function loops(scenario: Scenario): EventObject[][] {
  if (scenario.expect.kind !== 'popup') return [];
  const prepared = doneEvent('prepareLogin', scenario.expect.prepared);
  const closed: EventObject = { type: 'POPUP.CLOSED' };
  const callback: PopupWindowEvent = { type: 'POPUP.CALLBACK', url: RELAYED_URL };
  return [
    [prepared, closed, closed, afterEvent('popupClosedGrace', 'login.popup.interacting.closedWithoutResult')],
    [prepared, closed, closed, callback, doneEvent('processCallback', CALLBACK_RESULTS[0])],
    [closed, closed, afterEvent('popupTimeout', 'login.popup.interacting')],
  ];
}

export const suites = SCENARIOS.map((scenario) => ({
  scenario,
  paths: generatePaths(loginMachine, {
    events: eventsFor(scenario),
    serializeState,
    input: { config: CONFIG, options: scenario.options } satisfies LoginInput,
    sequences: loops(scenario),
  }),
}));
export const pathCount = suites.reduce((sum, suite) => sum + suite.paths.length, 0);
