/**
 * The model of the device authorization machine (the QR-code login) that its suites replay: the
 * scenarios (rfc and webex profiles, device codes with and without `interval` and `expires_in`), the
 * payload cases of every actor outcome, the bounded vertex key, the loops the graph folds away, and the
 * generated paths. The stand-in suite (deviceAuthorization.model.test.ts) checks an oracle on them; the
 * real-actor suite (deviceAuthorization.real.test.ts) replays the same paths on the real actors.
 */
import type { EventObject, SnapshotFrom } from 'xstate';
import type { DeviceCode } from '../../actors/requestDeviceCode.js';
import {
  type DeviceAuthorizationEvent,
  type DeviceAuthorizationInput,
  deviceAuthorizationMachine,
} from '../../machines/deviceAuthorization.js';
import type { ResolvedConfig } from '../../src/config.js';
import type { PollBody, PollOutcome } from '../../src/devicePoll.js';
import { InvalidGrantError, NetworkError, OAuthError, ProtocolError } from '../../src/errors.js';
import {
  afterEvent,
  createEventCases,
  doneEvent,
  generatePaths,
  type ModelPath,
} from '../../src/testing/index.js';
import { CONFIG, DEVICE_CODE, DEVICE_RESPONSE, DEVICE_TOKEN, ISSUER, WEBEX_CONFIG } from './support.js';

export type DeviceSnapshot = SnapshotFrom<typeof deviceAuthorizationMachine>;
export type DevicePath = ModelPath<typeof deviceAuthorizationMachine>;

export const WEBEX_HELPER = 'https://oauth-helper.webex.example';
export const USER_CODE = 'WDJB-MJHT';

export interface Scenario {
  name: string;
  config: ResolvedConfig;
  /** SPEC §5: seconds between polls when the device code has no `interval`. */
  defaultInterval: number;
  /** The device codes the server may answer (with and without `interval` and `expires_in`). */
  devices: readonly DeviceCode[];
  /** A pending answer and a slow_down answer, in the profile's dialect. */
  pendingBody: PollBody;
  slowDownBody: PollBody;
}

export function devices(
  tokenEndpoint: string,
  verificationUri: string,
  complete: string | undefined,
): DeviceCode[] {
  const device = (interval: number | undefined, expiresIn: number | undefined): DeviceCode => ({
    deviceCode: DEVICE_CODE,
    userCode: USER_CODE,
    verificationUri,
    verificationUriComplete: complete,
    expiresIn,
    interval,
    tokenEndpoint,
  });
  return [device(7, 600), device(undefined, undefined), device(3, undefined), device(undefined, 120)];
}

export const SCENARIOS: readonly Scenario[] = [
  {
    name: 'rfc profile',
    config: CONFIG,
    defaultInterval: 5,
    devices: devices(`${ISSUER}/token`, `${ISSUER}/device`, `${ISSUER}/device?user_code=${USER_CODE}`),
    pendingBody: { error: 'authorization_pending', error_description: 'The user has not answered yet' },
    slowDownBody: { error: 'slow_down' },
  },
  {
    name: 'webex profile',
    config: WEBEX_CONFIG,
    defaultInterval: 2,
    devices: devices(
      `${WEBEX_HELPER}/actions/device/token`,
      'https://login.webex.com/verify',
      `https://web.webex.com/deviceAuth?usercode=${USER_CODE}&oauthhelper=${encodeURIComponent(WEBEX_HELPER)}`,
    ),
    // Webex answers 428 for "pending", with whatever body; `slow_down` comes in `message`.
    pendingBody: { message: 'authorization pending', errorCode: 428 },
    slowDownBody: { message: 'slow_down' },
  },
];

/** The server's own `interval` in a slow_down answer: neither a device code's nor a default. */
export const SERVER_INTERVAL = 12;

export const pending = (s: Scenario): PollOutcome => ({ kind: 'pending', body: s.pendingBody });
export const slowDown = (s: Scenario): PollOutcome => ({
  kind: 'slowDown',
  interval: undefined,
  body: s.slowDownBody,
});
export const slowDownTo = (s: Scenario): PollOutcome => ({
  kind: 'slowDown',
  interval: SERVER_INTERVAL,
  body: { ...s.slowDownBody, interval: SERVER_INTERVAL },
});
export const UNAVAILABLE: PollOutcome = {
  kind: 'transient',
  error: new ProtocolError('The device token endpoint is unavailable', 503),
};
export const OFFLINE: PollOutcome = { kind: 'transient', error: new NetworkError() };
export const SUCCESS: PollOutcome = { kind: 'success', token: DEVICE_TOKEN, response: DEVICE_RESPONSE };
export const DENIED: PollOutcome = {
  kind: 'terminal',
  error: new OAuthError({ error: 'access_denied', error_description: 'The user denied the request' }),
};
export const EXPIRED: PollOutcome = { kind: 'terminal', error: new OAuthError({ error: 'expired_token' }) };
export const BAD_GRANT: PollOutcome = {
  kind: 'terminal',
  error: new InvalidGrantError({ error: 'invalid_grant', error_description: 'Unknown device code' }),
};
export const NOT_OAUTH: PollOutcome = {
  kind: 'terminal',
  error: new ProtocolError('The device token endpoint answered without an OAuth error', 400),
};

export const outcomes = (s: Scenario): PollOutcome[] => [
  pending(s),
  slowDown(s),
  slowDownTo(s),
  UNAVAILABLE,
  OFFLINE,
  SUCCESS,
  DENIED,
  EXPIRED,
  BAD_GRANT,
  NOT_OAUTH,
];

export const CANCEL: DeviceAuthorizationEvent = { type: 'CANCEL', withCancelEvent: true };
/** `cancelQRCodePolling(false)`. */
export const CANCEL_QUIETLY: DeviceAuthorizationEvent = { type: 'CANCEL', withCancelEvent: false };

export const POLL_INTERVAL = 'xstate.after.pollInterval.deviceAuthorization.polling.waiting';
export const BACKOFF = 'xstate.after.transientBackoff.deviceAuthorization.polling.backingOff';
export const CODE_EXPIRY = 'xstate.after.codeExpiry.deviceAuthorization.polling';
export const wait = afterEvent('pollInterval', 'deviceAuthorization.polling.waiting');
export const backoff = afterEvent('transientBackoff', 'deviceAuthorization.polling.backingOff');
export const expiry = afterEvent('codeExpiry', 'deviceAuthorization.polling');

export const eventsFor = (s: Scenario) =>
  createEventCases<DeviceSnapshot>({
    // The app may cancel, with or without the event, from every live state (never once it is over).
    user: (snapshot) => (snapshot.status === 'active' ? [CANCEL, CANCEL_QUIETLY] : []),
    discover: false,
    done: { requestDeviceCode: s.devices, pollDeviceToken: outcomes(s) },
    errors: {
      requestDeviceCode: [
        new OAuthError({ error: 'invalid_client', error_description: 'Unknown client' }),
        new TypeError('The authorization server has no device authorization endpoint'),
        'a rejection that is no Error',
      ],
      pollDeviceToken: [new TypeError('The poll crashed'), 'a rejection that is no Error'],
    },
  });

/**
 * The state value plus bounded flags; a finished flow is just its final state. Device codes differ
 * in delays only, so one with and one without `interval` are explored in depth; the others are
 * checked on their first step (getUserCodeSuccess, the first poll's delay, the deadline) and in the
 * sequences.
 */
export const serializerFor = (s: Scenario) => (snapshot: DeviceSnapshot) => {
  const head = `${JSON.stringify(snapshot.value)} ${snapshot.status}`;
  if (snapshot.status !== 'active') return head;
  const { device, interval, failures } = snapshot.context;
  const base = device?.interval ?? s.defaultInterval;
  const code = device === undefined ? '-' : device.interval !== undefined;
  return `${head} serverInterval=${code} raised=${interval !== base} failures=${failures}`;
};

/** The loops and runs the graph folds into one vertex, each from the start. */
export function loops(s: Scenario): EventObject[][] {
  const [withInterval, bare, shortInterval, expiring] = s.devices as [
    DeviceCode,
    DeviceCode,
    DeviceCode,
    DeviceCode,
  ];
  const code = doneEvent('requestDeviceCode', bare);
  const poll = (outcome: PollOutcome) => doneEvent('pollDeviceToken', outcome);
  const transient = [poll(UNAVAILABLE), backoff];
  return [
    // pending → pending → pending, then approval.
    [code, wait, poll(pending(s)), wait, poll(pending(s)), wait, poll(pending(s)), wait, poll(SUCCESS)],
    // slow_down → slow_down → slow_down: +5 s each time, for good; the server's interval when it
    // sends one, and +5 s from there; a pending answer keeps the raised interval.
    [
      doneEvent('requestDeviceCode', withInterval),
      wait,
      poll(slowDown(s)),
      wait,
      poll(slowDown(s)),
      wait,
      poll(slowDown(s)),
      wait,
      poll(slowDownTo(s)),
      wait,
      poll(slowDown(s)),
      wait,
      poll(pending(s)),
      wait,
      poll(slowDownTo(s)),
      wait,
      poll(pending(s)),
      wait,
      poll(DENIED),
    ],
    // Five transient failures in a row: four back-offs (2, 4, 8, 16 intervals), then the flow fails.
    [
      doneEvent('requestDeviceCode', shortInterval),
      wait,
      ...transient,
      ...transient,
      poll(OFFLINE),
      backoff,
      ...transient,
      poll(UNAVAILABLE),
    ],
    // A real answer resets the count: transient, pending, transient backs off one interval × 2 again;
    // a slow_down resets it too, and the back-off is then measured on the raised interval.
    [
      code,
      wait,
      ...transient,
      ...transient,
      poll(pending(s)),
      wait,
      ...transient,
      poll(slowDown(s)),
      wait,
      ...transient,
      ...transient,
      ...transient,
      ...transient,
      poll(OFFLINE),
    ],
    // Cancel while requesting the code, waiting, polling, backing off; with and without the event.
    [CANCEL],
    [CANCEL_QUIETLY],
    [code, CANCEL],
    [code, wait, CANCEL],
    [code, wait, poll(pending(s)), wait, CANCEL_QUIETLY],
    [code, wait, ...transient, poll(UNAVAILABLE), CANCEL],
    [doneEvent('requestDeviceCode', expiring), wait, poll(slowDown(s)), wait, ...transient, CANCEL],
    // The codes expire while a poll is in flight, and while backing off after a slow_down.
    [doneEvent('requestDeviceCode', expiring), wait, poll(pending(s)), wait, expiry],
    [doneEvent('requestDeviceCode', withInterval), wait, poll(slowDown(s)), wait, poll(OFFLINE), expiry],
  ];
}

export const suites = SCENARIOS.map((scenario) => {
  const input: DeviceAuthorizationInput = { config: scenario.config };
  return {
    scenario,
    input,
    paths: generatePaths(deviceAuthorizationMachine, {
      events: eventsFor(scenario),
      serializeState: serializerFor(scenario),
      input,
      strategy: 'transitions',
      sequences: loops(scenario),
    }),
  };
});
export const pathCount = suites.reduce((sum, suite) => sum + suite.paths.length, 0);
