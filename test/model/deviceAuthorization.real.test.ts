/**
 * The device authorization machine's model-based paths (deviceAuthorization.paths.ts), each run
 * once more on the REAL actors (SPEC §9): `requestDeviceCode` and `pollDeviceToken` from actors/,
 * over the held-request fake server. A path's step "the poll answered pending" answers the poll the
 * real actor sent with the profile's pending response (400 `authorization_pending`, Webex's 428), "the
 * server is unavailable" with a 503, "offline" by failing the request; a cancel or the codes'
 * expiry stop the actor, and the request it had in flight must be aborted. After every step the
 * machine must be where the pure fold of the path is, having emitted the same `qRCodeLogin` events.
 */
import { expect } from 'vitest';
import { createDeviceAuthorizationActors } from '../../actors/index.js';
import type { DeviceCode } from '../../actors/requestDeviceCode.js';
import { deviceAuthorizationMachine } from '../../machines/deviceAuthorization.js';
import { resolveConfig } from '../../src/config.js';
import type { PollOutcome } from '../../src/devicePoll.js';
import { NetworkError, OAuthError, type ProtocolError } from '../../src/errors.js';
import { tokenFromResponse } from '../../src/token.js';
import { json } from '../fixtures/fakeFetch.js';
import {
  type DevicePath,
  pathCount,
  type Scenario,
  suites,
  WEBEX_HELPER,
} from './deviceAuthorization.paths.js';
import { describeRealRuns } from './realActors/describeRealRuns.js';
import {
  discoveryDocument,
  GRANT,
  isDiscovery,
  isGrant,
  oauthErrorAnswer,
  type RequestMatch,
} from './realActors/fakeServer.js';
import { RealRunReport } from './realActors/realRunReport.js';
import {
  outcomeIdsOf,
  type RealDriver,
  type RealRun,
  replayOnRealActors,
  type Settled,
} from './realActors/replayOnRealActors.js';
import { errorDifference, tokenDifference } from './realActors/sameOutcome.js';
import { runtimeOf, World } from './realActors/world.js';
import { DEVICE_CODE, DEVICE_RESPONSE, ISSUER, REDIRECT_URI, WEBEX_CONFIG } from './support.js';

/** The steps no real actor can take, and why. */
const UNREALISABLE = {
  notAnError: 'the stand-in rejects with something that is no Error; the real actors reject only with Errors',
  missingEndpoint:
    'the stand-in fails with a TypeError for a missing device endpoint; the real request reports it as a ConfigError',
  pollNeverRejects:
    'the real poll turns every answer and every failure into an outcome; it rejects only when aborted',
} as const;

/**
 * The webex scenario's config plus its oauth-helper URL: the stand-ins never request anything, the
 * real device-code request needs the helper's endpoints (SPEC §5). Nothing the machine decides on
 * (the profile, its default interval) changes.
 */
const WEBEX_WITH_HELPER = resolveConfig(
  {
    clientId: WEBEX_CONFIG.clientId,
    redirectUri: REDIRECT_URI,
    scope: WEBEX_CONFIG.scope!,
    profile: 'webex',
    oauthHelperUrl: WEBEX_HELPER,
  },
  true,
);

const isDeviceCodeRequest: RequestMatch = (request) =>
  request.url === `${ISSUER}/device_authorization` ||
  request.url === `${WEBEX_HELPER}/actions/device/authorize`;
const isPoll = isGrant(GRANT.device);

/** The device authorization response (RFC 8628 §3.2) the real actor turns into `device`. */
function deviceCodeAnswer(device: DeviceCode, webex: boolean): Response {
  // Webex's server sends `userCode` in the complete URI; the actor rewrites it to the deep link.
  const complete = webex
    ? `${device.verificationUri}?userCode=${device.userCode}`
    : device.verificationUriComplete;
  return json({
    device_code: device.deviceCode,
    user_code: device.userCode,
    verification_uri: device.verificationUri,
    ...(complete === undefined ? {} : { verification_uri_complete: complete }),
    ...(device.expiresIn === undefined ? {} : { expires_in: device.expiresIn }),
    ...(device.interval === undefined ? {} : { interval: device.interval }),
  });
}

/** The token response a successful poll gets: the suite's, without its opaque `id_token`. */
const { id_token: _unvalidatable, ...DEVICE_ANSWER } = DEVICE_RESPONSE;

/** The poll answer whose classification is `outcome`; `undefined`: no answer at all (offline). */
function pollAnswer(outcome: PollOutcome, webex: boolean): Response | undefined {
  switch (outcome.kind) {
    case 'pending':
      // RFC 8628 §3.5 says 400 authorization_pending; Webex says 428.
      return json(outcome.body, webex ? 428 : 400);
    case 'slowDown':
      return json(outcome.body, 400);
    case 'success':
      return json(DEVICE_ANSWER);
    case 'transient':
      return outcome.error instanceof NetworkError
        ? undefined
        : new Response(null, { status: (outcome.error as ProtocolError).status });
    case 'terminal':
      return outcome.error instanceof OAuthError
        ? oauthErrorAnswer(outcome.error)
        : json({}, (outcome.error as ProtocolError).status);
  }
}

function deviceCodeDifference(expected: DeviceCode, actual: DeviceCode): string | undefined {
  // Without `expires_in` the actor assumes Webex's 300 s, which is what the machine assumes too.
  const same = (d: DeviceCode) => ({ ...d, expiresIn: d.expiresIn ?? 300 });
  return JSON.stringify(same(actual)) === JSON.stringify(same(expected))
    ? undefined
    : 'produced another device code, user code, URI, interval or expiry';
}

function pollDifference(expected: PollOutcome, actual: PollOutcome): string | undefined {
  if (actual.kind !== expected.kind)
    return `classified the answer "${actual.kind}", the path says "${expected.kind}"`;
  if (expected.kind === 'pending' || expected.kind === 'slowDown') {
    const read = actual as typeof expected;
    const sameBody = JSON.stringify(read.body) === JSON.stringify(expected.body);
    const sameInterval =
      expected.kind !== 'slowDown' || (read as typeof expected).interval === expected.interval;
    return sameBody && sameInterval ? undefined : 'read another body or interval from the answer';
  }
  if (expected.kind === 'transient' || expected.kind === 'terminal') {
    return errorDifference(expected.error, (actual as typeof expected).error);
  }
  if (expected.kind === 'success' && actual.kind === 'success') {
    const { response } = actual;
    const fields = ['access_token', 'refresh_token', 'scope', 'expires_in'] as const;
    if (fields.some((field) => response[field] !== DEVICE_ANSWER[field]))
      return 'handed over another token response';
    return tokenDifference(tokenFromResponse(DEVICE_ANSWER, Date.now()), actual.token);
  }
  return undefined;
}

const STATES_WITH_A_REQUEST = new Set(['requestingCode', JSON.stringify({ polling: 'requesting' })]);
const stateKey = (value: unknown) => (typeof value === 'string' ? value : JSON.stringify(value));

function deviceDriver(world: World, scenario: Scenario): RealDriver {
  const webex = scenario.config.profile.name === 'webex';
  const config = webex ? WEBEX_WITH_HELPER : scenario.config;
  // Discovery is no step of this machine's paths: the issuer answers it at once.
  world.server.autoAnswer = (request) =>
    isDiscovery(request) ? json(discoveryDocument({ deviceAuthorization: true })) : undefined;
  return {
    async settle(id, expected: Settled) {
      if (expected.outcome === 'error' && !(expected.value instanceof Error)) return { skip: 'notAnError' };
      if (id === 'requestDeviceCode') {
        if (expected.value instanceof TypeError) return { skip: 'missingEndpoint' };
        const request = await world.server.next(isDeviceCodeRequest, 'a device code');
        request.answer(
          expected.outcome === 'done'
            ? deviceCodeAnswer(expected.value as DeviceCode, webex)
            : oauthErrorAnswer(expected.value as OAuthError, 401),
        );
        return undefined;
      }
      if (expected.outcome === 'error') return { skip: 'pollNeverRejects' };
      const poll = await world.server.next(isPoll, 'a device token poll');
      const answer = pollAnswer(expected.value as PollOutcome, webex);
      if (answer) poll.answer(answer);
      else poll.fail();
      return undefined;
    },
    // CANCEL is the app's call (`cancelQRCodePolling`).
    async deliver(step, replay) {
      replay.send(step.event);
      return undefined;
    },
    compare(id, expected, actual) {
      if (expected.outcome === 'error') return errorDifference(expected.value, actual.value);
      return id === 'requestDeviceCode'
        ? deviceCodeDifference(expected.value as DeviceCode, actual.value as DeviceCode)
        : pollDifference(expected.value as PollOutcome, actual.value as PollOutcome);
    },
    check(step) {
      const where = `step ${step.index} (${step.event.type})`;
      const inFlight = world.server.inFlight();
      // One request at a time; none once the flow waits or is over: an abandoned one was aborted.
      expect(inFlight.length, `${where}: requests in flight`).toBeLessThanOrEqual(
        STATES_WITH_A_REQUEST.has(stateKey(step.state.value)) ? 1 : 0,
      );
      for (const { body } of world.server.requests.filter(isPoll)) {
        expect(body.get('device_code'), `${where}: every poll sends the device code`).toBe(DEVICE_CODE);
        expect(body.get('client_id'), `${where}: and the client id`).toBe(config.clientId);
      }
    },
  };
}

const report = new RealRunReport(UNREALISABLE);
const outcomeIds = outcomeIdsOf(suites.flatMap((suite) => suite.paths));

let world = new World();
const runtime = runtimeOf(() => world);
const logic = deviceAuthorizationMachine.provide({ actors: createDeviceAuthorizationActors(() => runtime) });

async function replayReal(scenario: Scenario, path: DevicePath): Promise<RealRun> {
  world = new World();
  const webex = scenario.config.profile.name === 'webex';
  return replayOnRealActors({
    logic,
    pure: deviceAuthorizationMachine,
    path,
    outcomeIds,
    server: world.server,
    input: { config: webex ? WEBEX_WITH_HELPER : scenario.config },
    pathInput: { config: scenario.config },
    driver: deviceDriver(world, scenario),
  });
}

describeRealRuns({
  title: 'deviceAuthorization machine: the model-based paths on the real actors',
  machine: 'deviceAuthorization',
  suites,
  nameOf: (suite) => suite.scenario.name,
  pathsOf: (suite) => suite.paths,
  pathCount,
  report,
  replay: (suite, path) => replayReal(suite.scenario, path),
});
