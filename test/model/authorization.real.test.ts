/**
 * The authorization (root) machine's model-based paths (authorization.paths.ts), each run once
 * more on its REAL children (SPEC §9): `createAuthorizationLogic(runtime)` from src/logic.ts, what
 * `createAuthorization` interprets, whose redirect, login, device and session machines run their
 * own real actors over a fake page window, its storage and the held-request fake server. A child's
 * outcome is made the way a user makes it: the start-up redirect is authorized when the page's
 * callback matches the transaction in sessionStorage and the token endpoint answers, and rejected
 * when the stored CSRF token is another login's; a popup login is authorized when the popup relays
 * its callback and the code is redeemed, and blocked when `window.open` gives nothing; a full-page
 * login leaves the page; a QR login is approved (or denied) when the device code is answered, the
 * poll timer fires and the poll is answered, and cancelled by `cancelQRCodePolling`. After every
 * step the root must be where the pure fold of the path is, having emitted the same `login` and
 * `qRCodeLogin` events; whenever it announces a success, the session (the real one) must already
 * hold the new token; no URL the page visits or requests carries a token. The page the instance
 * starts on is part of that world: a callback page when the path has the start-up redirect
 * authorized or rejected, an ordinary one (or none) when it has it find nothing.
 */
import { afterEach, beforeEach, expect, vi } from 'vitest';
import type { AnyActorRef } from 'xstate';
import { type AuthorizationInput, authorizationMachine } from '../../machines/authorization.js';
import type { DeviceAuthorizationOutput } from '../../machines/deviceAuthorization.js';
import type { LoginOutput } from '../../machines/login.js';
import type { RedirectOutput } from '../../machines/redirect.js';
import type { OAuthError } from '../../src/errors.js';
import { createAuthorizationLogic } from '../../src/logic.js';
import { checkLoginOptions, type LoginOptions, wantsPopup } from '../../src/loginOptions.js';
import { createRelayMessage } from '../../src/popupRelay.js';
import { decodeState } from '../../src/stateCodec.js';
import { type Token, tokenFromResponse } from '../../src/token.js';
import { CODE_VERIFIER_KEY, CSRF_TOKEN_KEY } from '../../src/transactionStore.js';
import { json } from '../fixtures/fakeFetch.js';
import { pathCount, type RootPath, suites } from './authorization.paths.js';
import { describeRealRuns } from './realActors/describeRealRuns.js';
import {
  discoveryDocument,
  GRANT,
  isDiscovery,
  isGrant,
  isUrl,
  oauthErrorAnswer,
  tokenResponseFor,
} from './realActors/fakeServer.js';
import { RealRunReport } from './realActors/realRunReport.js';
import {
  nextOutcome,
  outcomeIdsOf,
  type RealDriver,
  type RealReplay,
  type RealRun,
  replayOnRealActors,
  type Settled,
} from './realActors/replayOnRealActors.js';
import { errorDifference, tokenDifference } from './realActors/sameOutcome.js';
import { waitFor } from './realActors/waitFor.js';
import { runtimeOf, World } from './realActors/world.js';
import {
  APP,
  CODE,
  CSRF,
  DEVICE_CODE,
  DEVICE_RESPONSE,
  ISSUER,
  REDIRECT_URI,
  SECRETS,
  VERIFIER,
} from './support.js';

/** The steps no real child can take, and why. */
const UNREALISABLE = {
  notAnError: 'the stand-in rejects with something that is no Error; the real actors reject only with Errors',
  childMachinesNeverFail:
    'the redirect, login and device machines never fail: every error ends in a final state, with an outcome',
  implicitNotConfigured:
    'the config does not opt in to the implicit grant, so the real redirect machine never ends “via implicit”',
  loginKindDecides:
    'the login’s options decide how it can end: a full-page login only leaves the page, a popup login ' +
    'never does, invalid options fail with an InvalidOptionError only',
  onlyCancelCancels: 'only cancelQRCodePolling ends a device login “canceled”',
} as const;

type StepResult = { skip: keyof typeof UNREALISABLE } | undefined;

const POLL_TIMER = 'xstate.after.pollInterval.deviceAuthorization.polling.waiting';

/** The token response an approved QR login gets: the suite's, without its opaque `id_token`. */
const { id_token: _unvalidatable, ...DEVICE_ANSWER } = DEVICE_RESPONSE;

let clients = 0;

/** The login options of a running login child, as its own context holds them. */
const optionsOf = (login: AnyActorRef): LoginOptions | undefined =>
  (login.getSnapshot() as { context: { options: LoginOptions | undefined } }).context.options;

function rootDriver(world: World, input: AuthorizationInput): RealDriver {
  const onCallback = input.href === CALLBACK_PAGE;
  // Discovery is no step of the root's paths: the issuer answers it at once.
  world.server.autoAnswer = (request) =>
    isDiscovery(request)
      ? json(
          discoveryDocument({
            issRequired: true,
            deviceAuthorization: true,
            revocation: true,
            endSession: true,
          }),
        )
      : undefined;
  const answerCode = async (token: Token) => {
    const request = await world.server.next(isGrant(GRANT.code), 'the code exchange');
    request.answer(json(tokenResponseFor(token)));
  };

  const settleRedirect = async (expected: Settled): Promise<StepResult> => {
    const output = expected.value as RedirectOutput;
    if (output.outcome === 'authorized' && output.via === 'implicit')
      return { skip: 'implicitNotConfigured' };
    if (output.outcome === 'authorized') await answerCode(output.token);
    // A rejected callback (another login's CSRF token in storage) or an ordinary load ended at once.
    return undefined;
  };

  const settleLogin = async (expected: Settled, replay: RealReplay): Promise<StepResult> => {
    const output = expected.value as LoginOutput;
    const options = optionsOf(replay.child('login')!);
    const kind = checkLoginOptions(options) ? 'invalid' : wantsPopup(options) ? 'popup' : 'redirect';
    const possible =
      kind === 'redirect'
        ? output.outcome === 'redirected'
        : kind === 'popup' && output.outcome !== 'redirected';
    if (!possible) return { skip: 'loginKindDecides' };
    if (output.outcome === 'authorized') {
      // The user logs in inside the popup; the server sends it back to the callback with a code.
      const popup = world.window.popups.at(-1)!;
      await waitFor(() => popup.location.href !== 'about:blank', 'the popup to be sent to the authorize URL');
      const state = new URL(popup.location.href).searchParams.get('state')!;
      const callback = `${REDIRECT_URI}?${new URLSearchParams({ code: CODE, state, iss: ISSUER })}`;
      const popupId = decodeState(state).authcharts_popup as string;
      replay.call(() => world.window.receiveMessage(createRelayMessage(popupId, callback), APP, popup));
      await answerCode(output.token);
    }
    // Leaving the page, and a blocked popup, happened on their own.
    return undefined;
  };

  const settleDevice = async (expected: Settled, replay: RealReplay): Promise<StepResult> => {
    const output = expected.value as DeviceAuthorizationOutput;
    const device = replay.child('deviceAuthorization')!;
    // Cancelled a step ago (it ended at once): nothing left to do.
    if (replay.held(device)) return undefined;
    if (output.outcome === 'canceled') return { skip: 'onlyCancelCancels' };
    // The user approves (or denies) on their phone: the code is issued, the first poll is due and answered.
    const code = await world.server.next(isUrl(`${ISSUER}/device_authorization`), 'the device code');
    code.answer(
      json({
        device_code: DEVICE_CODE,
        user_code: 'WDJB-MJHT',
        verification_uri: `${ISSUER}/device`,
        expires_in: 600,
        interval: 5,
      }),
    );
    await waitFor(() => replay.clock.fire(device, POLL_TIMER), 'the first poll to be due');
    const poll = await world.server.next(isGrant(GRANT.device), 'the device token poll');
    if (output.outcome === 'authorized') poll.answer(json(DEVICE_ANSWER));
    else poll.answer(oauthErrorAnswer(output.error as OAuthError));
    return undefined;
  };

  return {
    prepare(events) {
      // The transaction this browser stored before it left for the server: the callback's own, or
      // another login's when the path has the start-up callback rejected.
      if (!onCallback) return;
      const output = nextOutcome(events, 'redirect')?.value as RedirectOutput | undefined;
      const csrf = output?.outcome === 'failed' ? 'csrf-of-another-login' : CSRF;
      world.window.sessionStorage.setItem(CSRF_TOKEN_KEY, csrf);
      world.window.sessionStorage.setItem(CODE_VERIFIER_KEY, VERIFIER);
    },
    async settle(id, expected, _step, replay): Promise<StepResult> {
      if (expected.outcome === 'error' && !(expected.value instanceof Error)) return { skip: 'notAnError' };
      if (id === 'exchangeCode') {
        const request = await world.server.next(isGrant(GRANT.code), 'the code exchange');
        if (expected.outcome === 'done') request.answer(json(tokenResponseFor(expected.value as Token)));
        else request.answer(oauthErrorAnswer(expected.value as OAuthError));
        return undefined;
      }
      if (expected.outcome === 'error') return { skip: 'childMachinesNeverFail' };
      if (id === 'redirect') return settleRedirect(expected);
      if (id === 'login') return settleLogin(expected, replay);
      return settleDevice(expected, replay);
    },
    async deliver(step, replay) {
      // The app's calls. A popup login the path has blocked finds `window.open` giving nothing.
      if (step.event.type === 'LOGIN' && replay.actor.getSnapshot().matches({ interaction: 'idle' })) {
        const output = nextOutcome(step.later, 'login')?.value as LoginOutput | undefined;
        world.window.blockPopups = output?.outcome === 'failed';
      }
      replay.send(step.event);
      return undefined;
    },
    compare(id, expected, actual) {
      if (expected.outcome === 'error') return errorDifference(expected.value, actual.value);
      if (id === 'exchangeCode') return tokenDifference(expected.value as Token, actual.value);
      const e = expected.value as RedirectOutput | LoginOutput | DeviceAuthorizationOutput;
      const a = actual.value as typeof e;
      if (a.outcome !== e.outcome) return `ended "${a.outcome}", the path says "${e.outcome}"`;
      if (e.outcome === 'failed') return errorDifference(e.error, (a as typeof e).error);
      if (e.outcome !== 'authorized') return undefined;
      const authorized = a as typeof e;
      if ('response' in e) {
        const same = (['access_token', 'refresh_token', 'scope'] as const).every(
          (field) => (authorized as typeof e).response[field] === DEVICE_ANSWER[field],
        );
        if (!same) return 'handed over another token response';
        return tokenDifference(tokenFromResponse(DEVICE_ANSWER, Date.now()), authorized.token);
      }
      return tokenDifference(e.token, authorized.token);
    },
    onEmit(event, replay) {
      // SPEC §3: a listener of a success always finds the new supertoken in the session already.
      if ((event as { eventType?: string }).eventType !== 'authorizationSuccess') return;
      const session = replay.actor.system.get('session') as AnyActorRef;
      const held = (session.getSnapshot() as { context: { token?: Token } }).context.token;
      const data = (event as unknown as { data: { scope?: string; access_token?: string } }).data;
      const where = `the session when ${event.type} success is announced`;
      if (event.type === 'qRCodeLogin') expect(held?.access_token, where).toBe(data.access_token);
      else expect(held?.scope, where).toBe(data.scope);
    },
    check(step) {
      const where = `step ${step.index} (${step.event.type})`;
      const urls = [
        ...world.window.navigations,
        ...world.window.popups.map((p) => p.location.href),
        ...world.server.requests.map((r) => r.url),
      ].join('\n');
      expect(
        SECRETS.filter((secret) => urls.includes(secret)),
        `${where}: tokens in URLs`,
      ).toEqual([]);
      for (const { body } of world.server.requests.filter(isGrant(GRANT.code))) {
        expect(body.get('redirect_uri'), `${where}: the redirect URI`).toBe(REDIRECT_URI);
      }
    },
    afterStop() {
      for (const popup of world.window.popups) expect(popup.closed, 'stopping closes the popup').toBe(true);
    },
  };
}

const report = new RealRunReport(UNREALISABLE);
const outcomeIds = outcomeIdsOf(suites.flatMap((suite) => suite.paths));

/** The callback page of the first suite: a code, this login's state, the issuer. */
const CALLBACK_PAGE = suites.find((suite) => suite.input.href !== undefined)!.input.href;

/**
 * The page the instance starts on, part of the fake world: the root itself only hands it to the
 * redirect machine. How the path says the start-up redirect ends decides it: a callback page for an
 * authorized or rejected callback, an ordinary page (or none, outside a browser) for "none".
 */
function startPage(input: AuthorizationInput, path: RootPath): string | undefined {
  const events = path.steps.map((step) => step.event);
  const output = nextOutcome(events, 'redirect')?.value as RedirectOutput | undefined;
  if (output === undefined) return input.href;
  if (output.outcome !== 'none') return CALLBACK_PAGE;
  return input.href === undefined ? undefined : `${APP}/home?tab=inbox`;
}

let world = new World();
const logic = createAuthorizationLogic(runtimeOf(() => world));

async function replayReal(input: AuthorizationInput, path: RootPath): Promise<RealRun> {
  // A client id per replay: the session's BroadcastChannel is named after it.
  const config = { ...input.config, clientId: `${input.config.clientId}-root-${++clients}` };
  const page = { config, href: startPage(input, path) };
  world = new World(page.href);
  return replayOnRealActors({
    logic,
    pure: authorizationMachine,
    path,
    outcomeIds,
    server: world.server,
    input: page,
    pathInput: input,
    driver: rootDriver(world, page),
  });
}

describeRealRuns({
  title: 'authorization machine: the model-based paths on the real children',
  machine: 'authorization',
  suites,
  nameOf: (suite) => suite.name,
  pathsOf: (suite) => suite.paths,
  pathCount,
  report,
  replay: (suite, path) => replayReal(suite.input, path),
  hooks: () => {
    // The popup actor watches `popup.closed` on an interval: fake, so no real timer outlives a path.
    beforeEach(() => {
      vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
    });
    afterEach(() => {
      vi.useRealTimers();
    });
  },
});
