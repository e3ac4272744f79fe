/**
 * Model-based tests of the login machine (SPEC §9): every cycle-free path for each kind of
 * `initiateLogin` call (full-page redirect, popup, popup with window features, invalid options),
 * plus the loops that simple paths leave out, replayed on a real actor with stand-ins for every
 * actor (the popup window, prepareLogin, navigation, and the redirect machine that processes the
 * relayed callback) and a manual clock for the popup timeout and the closed-popup grace period.
 */
import { describe, expect, it } from 'vitest';
import type { EventObject } from 'xstate';
import type { PopupWindowEvent } from '../../actors/popupWindow.js';
import type { PreparedLogin } from '../../actors/prepareLogin.js';
import { type LoginInput, type LoginOutput, loginMachine } from '../../machines/login.js';
import type { RedirectOutput } from '../../machines/redirect.js';
import {
  InvalidOptionError,
  PopupBlockedError,
  PopupClosedError,
  PopupTimeoutError,
} from '../../src/errors.js';
import { createCoverage, describePath, type Invocation, replayPath } from '../../src/testing/index.js';
import type { Token } from '../../src/token.js';
import { type LoginPath, pathCount, type Scenario, suites } from './login.paths.js';
import {
  activeIds,
  CONFIG,
  expectFullCoverage,
  expectNoSecretIn,
  expectNoSecretInEvents,
  settled,
} from './support.js';

const coverage = createCoverage(loginMachine);
const inspect = coverage.inspect;
const attempted = new Set<LoginPath>();

// ---------------------------------------------------------------------------------------------
// The oracle: the SPEC's login flow as a table of (where the user is, what happened) → what next.

type ErrorMatch = { same: unknown } | { kind: abstract new (...args: never[]) => Error };

interface Model {
  value: string | Record<string, unknown>;
  loginUrl?: string;
  callbackUrl?: string;
  token?: Token;
  error?: ErrorMatch;
  /** The popup window's own actor failed (so it ended by itself instead of being stopped). */
  popupFailed?: boolean;
}

const PREPARING_POPUP = { popup: { interacting: 'preparing' } };
const AWAITING = { popup: { interacting: 'awaitingCallback' } };
const CLOSED = { popup: { interacting: 'closedWithoutResult' } };
const PROCESSING = { popup: 'processingCallback' };
const POPUP_TIMEOUT = 'xstate.after.popupTimeout.login.popup.interacting';
const CLOSED_GRACE = 'xstate.after.popupClosedGrace.login.popup.interacting.closedWithoutResult';

const isIn = (model: Model, value: unknown) => JSON.stringify(model.value) === JSON.stringify(value);
const inPopup = (model: Model) => typeof model.value === 'object' && 'popup' in model.value;
const interacting = (model: Model) => [PREPARING_POPUP, AWAITING, CLOSED].some((value) => isIn(model, value));
const fail = (model: Model, error: ErrorMatch): Model => ({ ...model, value: 'failed', error });

function initial(scenario: Scenario): Model {
  // Bad options fail before anything is stored or opened; a popup opens inside the user's click.
  if (scenario.expect.kind === 'invalid') return { value: 'failed', error: { kind: InvalidOptionError } };
  return { value: scenario.expect.kind === 'popup' ? PREPARING_POPUP : { redirect: 'preparing' } };
}

function next(model: Model, event: EventObject): Model {
  const answer = settled(event);
  if (answer?.id === 'prepareLogin') {
    if (answer.outcome === 'error') return fail(model, { same: answer.value });
    const { loginUrl } = answer.value as PreparedLogin;
    return { ...model, loginUrl, value: inPopup(model) ? AWAITING : { redirect: 'navigating' } };
  }
  if (answer?.id === 'navigateToLoginUrl') {
    return answer.outcome === 'done'
      ? { ...model, value: 'redirected' }
      : fail(model, { same: answer.value });
  }
  // The popup window's actor failing (window.open throwing, say) ends the popup login wherever it
  // is, with that error: SPEC §3 "every error lands in a state".
  if (answer?.id === 'popupWindow' && answer.outcome === 'error' && inPopup(model)) {
    return { ...fail(model, { same: answer.value }), popupFailed: true };
  }
  if (answer?.id === 'processCallback' && answer.outcome === 'error') {
    // The redirect machine itself failing (not a callback it rejected) fails the login with its error.
    return fail(model, { same: answer.value });
  }
  if (answer?.id === 'processCallback') {
    const result = answer.value as RedirectOutput;
    if (result.outcome === 'authorized') return { ...model, value: 'authorized', token: result.token };
    // A relayed URL that is no callback cannot finish the login: as if the popup had closed.
    return fail(model, result.outcome === 'failed' ? { same: result.error } : { kind: PopupClosedError });
  }
  if (event.type === 'POPUP.BLOCKED' && inPopup(model)) return fail(model, { kind: PopupBlockedError });
  if (event.type === 'POPUP.CLOSED' && interacting(model)) return { ...model, value: CLOSED };
  if (event.type === 'POPUP.CALLBACK' && interacting(model)) {
    return {
      ...model,
      value: PROCESSING,
      callbackUrl: (event as PopupWindowEvent & { type: 'POPUP.CALLBACK' }).url,
    };
  }
  if (event.type === POPUP_TIMEOUT && interacting(model)) return fail(model, { kind: PopupTimeoutError });
  if (event.type === CLOSED_GRACE && isIn(model, CLOSED)) return fail(model, { kind: PopupClosedError });
  throw new Error(`the oracle has no rule for ${event.type} in ${JSON.stringify(model.value)}`);
}

const FINAL = new Set(['redirected', 'authorized', 'failed']);

/** The stand-ins running in `model`'s state, by invoke id. */
function runningIn(model: Model): string[] {
  if (isIn(model, { redirect: 'preparing' })) return ['prepareLogin'];
  if (isIn(model, { redirect: 'navigating' })) return ['navigateToLoginUrl'];
  if (!inPopup(model)) return [];
  return [
    'popupWindow',
    ...(isIn(model, PREPARING_POPUP) ? ['prepareLogin'] : []),
    ...(isIn(model, PROCESSING) ? ['processCallback'] : []),
  ];
}

function expectError(actual: unknown, match: ErrorMatch, where: string): void {
  if ('same' in match && match.same instanceof Error) {
    expect(actual, `${where}: the actor's own error is reported`).toBe(match.same);
  } else if ('same' in match) {
    expect(actual, `${where}: a non-Error rejection still ends as an Error`).toBeInstanceOf(Error);
    expect((actual as Error).message).toBe('The login failed');
  } else {
    expect((actual as Error).constructor, `${where}: exactly a ${match.kind.name}`).toBe(match.kind);
  }
  expectNoSecretIn(actual, where);
}

const started = (invocations: readonly Invocation[]) =>
  invocations.map(({ id, src, input }) => ({ id, src, input }));

async function replayLogin(scenario: Scenario, path: LoginPath) {
  attempted.add(path);
  const input: LoginInput = { config: CONFIG, options: scenario.options };
  let model: Model | undefined;
  const replay = await replayPath(loginMachine, path, {
    input,
    inspect,
    onStep: (step, actor, { invocations, emitted, pendingTimers }) => {
      const where = `${scenario.name}, step ${step.index} (${describePath({ steps: path.steps.slice(0, step.index + 1) })})`;
      const previous = model;
      model = previous === undefined ? initial(scenario) : next(previous, step.event);
      const snapshot = actor.getSnapshot();
      expect(snapshot.value, where).toEqual(model.value);
      const final = typeof model.value === 'string' && FINAL.has(model.value);
      expect(snapshot.status, where).toBe(final ? 'done' : 'active');

      // What was started, and asked, in this step (step 0's come from `actor.start()`).
      const startedNow = step.index === 0 ? invocations : step.invocations;
      const options = scenario.options ?? {};
      let expectedStarts: ReturnType<typeof started> = [];
      if (step.index === 0 && scenario.expect.kind === 'popup') {
        expectedStarts = [
          { id: 'popupWindow', src: 'popupWindow', input: { features: scenario.expect.features } },
          { id: 'prepareLogin', src: 'prepareLogin', input: { config: CONFIG, options, popup: true } },
        ];
      } else if (step.index === 0 && scenario.expect.kind === 'redirect') {
        expectedStarts = [
          { id: 'prepareLogin', src: 'prepareLogin', input: { config: CONFIG, options, popup: false } },
        ];
      } else if (isIn(model, { redirect: 'navigating' }) && !isIn(previous!, model.value)) {
        expectedStarts = [
          { id: 'navigateToLoginUrl', src: 'navigateToLoginUrl', input: { url: model.loginUrl } },
        ];
      } else if (isIn(model, PROCESSING) && !isIn(previous!, PROCESSING)) {
        // The relayed URL is verified and exchanged by the redirect machine, as a relayed popup URL.
        expectedStarts = [
          {
            id: 'processCallback',
            src: 'processCallback',
            input: { config: CONFIG, href: model.callbackUrl, source: 'popup' },
          },
        ];
      }
      expect(started(startedNow), where).toEqual(expectedStarts);
      expect(activeIds(invocations).sort(), where).toEqual(runningIn(model).sort());

      // `redirectToLoginUrl` once the URL is built, before navigating or pointing the popup at it.
      const justPrepared = settled(step.event)?.id === 'prepareLogin' && model.loginUrl !== undefined;
      const emittedNow = step.index === 0 ? emitted : step.emitted;
      expect(emittedNow, where).toEqual(
        justPrepared
          ? [{ type: 'login', eventType: 'redirectToLoginUrl', data: { loginUrl: model.loginUrl } }]
          : [],
      );
      expectNoSecretInEvents(emittedNow, where);

      // The popup is pointed at the prepared URL exactly once, as soon as it is known.
      const popupWindow = invocations.find((i) => i.id === 'popupWindow');
      if (scenario.expect.kind === 'popup') {
        expect(popupWindow?.received, where).toEqual(
          model.loginUrl === undefined
            ? []
            : [{ type: 'POPUP.NAVIGATE', url: model.loginUrl, popupId: scenario.expect.prepared.popupId }],
        );
      } else {
        expect(popupWindow, `${where}: no popup for a full-page login`).toBeUndefined();
      }

      // While the user interacts with the popup the timeout runs; once it closed, the grace period too.
      const timers = [
        ...(interacting(model)
          ? [{ eventType: POPUP_TIMEOUT, delay: CONFIG.popup.timeoutMs, target: actor.id }]
          : []),
        ...(isIn(model, CLOSED)
          ? [{ eventType: CLOSED_GRACE, delay: CONFIG.popup.closedGraceMs, target: actor.id }]
          : []),
      ];
      expect(pendingTimers(), where).toEqual(timers);

      // The error from the moment it is known; the output once the login is over.
      if (model.error) expectError(snapshot.context.error, model.error, where);
      else expect(snapshot.context.error, where).toBeUndefined();
      if (scenario.expect.kind === 'invalid') {
        expect((snapshot.context.error as InvalidOptionError).option, where).toBe(scenario.expect.option);
      }
      if (final) {
        const output = snapshot.output as LoginOutput;
        if (model.value === 'failed') {
          expect(output.outcome, where).toBe('failed');
          if (output.outcome === 'failed') expectError(output.error, model.error!, where);
        } else if (model.value === 'authorized') {
          expect(output, where).toEqual({ outcome: 'authorized', token: model.token });
        } else {
          expect(output, where).toEqual({ outcome: 'redirected' });
        }
        // The popup window closes (its actor stops) whatever the outcome, unless it failed by itself.
        if (popupWindow) expect(popupWindow.status, where).toBe(model.popupFailed ? 'error' : 'stopped');
      }
    },
  });
  replay.stop();
  expect(replay.pendingTimers(), 'stopping clears every timer').toEqual([]);
  expect(activeIds(replay.invocations), 'stopping stops every actor').toEqual([]);
}

describe('login machine: model-based paths', () => {
  for (const { scenario, paths } of suites) {
    describe(scenario.name, () => {
      it.each(paths.map((path) => [describePath(path), path] as const))('%s', async (_name, path) => {
        await replayLogin(scenario, path);
      });
    });
  }

  it('reaches every state and transition of the machine', async () => {
    for (const { scenario, paths } of suites) {
      for (const path of paths) if (!attempted.has(path)) await replayLogin(scenario, path);
    }
    expectFullCoverage(coverage, 'login', pathCount);
  });
});
