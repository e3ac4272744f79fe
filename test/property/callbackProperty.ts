/**
 * The properties every processed page URL must have, whichever way it was loaded (see
 * `callbackDrivers.ts`), checked against what the oracle expects for it. Each run is one
 * comparison of what happened with what should have, so a failure shows every difference at once.
 */
import fc from 'fast-check';
import { expect } from 'vitest';
import { AuthchartsError, OAuthError } from '../../src/errors.js';
import { decodeState } from '../../src/stateCodec.js';
import {
  type CallbackCase,
  callbackCase,
  hrefOf,
  QUERY_ROLES,
  SECRETS,
  TOKEN_ROLES,
} from './callbackArbitraries.js';
import { type Observed, ROUTER_STATE } from './callbackDrivers.js';
import { type Expected, expectedFor } from './callbackOracle.js';

const INTERNAL_STATE_KEYS = ['csrf_token', 'emailhash', 'authcharts_popup'];

function tallyKey(expected: Expected): string {
  if (expected.outcome === 'failed') return `failed: ${expected.error}`;
  if (expected.outcome === 'authorized') return `authorized via ${expected.via}`;
  return expected.outcome;
}

/** Authorization-response parameters and internal `state` keys still in `params`. */
function responseParametersIn(params: URLSearchParams, removed: readonly string[]): string[] {
  const left = removed.filter((key) => key !== 'state' && params.has(key));
  for (const state of params.getAll('state')) {
    let decoded: Record<string, unknown>;
    try {
      decoded = decodeState(state);
    } catch {
      left.push('state (undecodable)');
      continue;
    }
    left.push(
      ...INTERNAL_STATE_KEYS.filter((key) => Object.hasOwn(decoded, key)).map((key) => `state.${key}`),
    );
  }
  return left;
}

/** What is left of the response in the address bar (RFC 9700 §4.2.4: nothing may be). */
function leftovers(testCase: CallbackCase, expected: Expected, href: string): string[] {
  if (expected.outcome === 'none') return [];
  const url = new URL(href);
  const left = responseParametersIn(url.searchParams, QUERY_ROLES);
  const fragmentWasResponse = testCase.fragment?.some(
    (segment) => segment.role === 'access_token' || segment.role === 'error',
  );
  // An opted-in implicit fragment is cleaned too (by the page, or by a popup before it closes).
  if (testCase.implicitGrant && fragmentWasResponse) {
    const fragment = new URLSearchParams(url.hash.slice(1));
    left.push(...responseParametersIn(fragment, [...QUERY_ROLES, ...TOKEN_ROLES]).map((key) => `#${key}`));
  }
  return left;
}

function leakedSecrets(observed: Observed): string[] {
  const text = [
    observed.error ? `${observed.error.name} ${observed.error.message}` : '',
    JSON.stringify(observed.events ?? []),
  ].join(' ');
  return SECRETS.filter((secret) => text.includes(secret));
}

function errorOf(observed: Observed, expected: Expected): unknown {
  const error = observed.error;
  if (error === undefined) return undefined;
  return {
    typed: error instanceof AuthchartsError || error instanceof OAuthError,
    name: error.name,
    // An error response's code; a malformed response is an invalid_request of the library's own.
    code:
      error instanceof OAuthError && expected.outcome === 'failed' && expected.error === 'OAuthError'
        ? error.error
        : undefined,
  };
}

function expectedError(expected: Expected): unknown {
  if (expected.outcome !== 'failed') return undefined;
  return { typed: true, name: expected.errorClass ?? expected.error, code: expected.errorCode };
}

function expectedEvents(expected: Expected, observed: Observed): unknown {
  if (observed.events === undefined) return undefined;
  if (expected.outcome === 'failed') {
    return [{ eventType: 'authorizationFailure', data: { error: observed.error } }];
  }
  if (expected.outcome === 'authorized') {
    const via = expected.via === 'code' ? 'redirect' : 'implicit';
    return [{ eventType: 'authorizationSuccess', data: expect.objectContaining({ via }) }];
  }
  return [];
}

function tokenRequestsOf(observed: Observed) {
  return observed.tokenRequests.map(({ body }) => ({
    grant_type: body.get('grant_type'),
    code: body.get('code'),
    code_verifier: body.get('code_verifier'),
  }));
}

/** Checks one run: outcome, requests, address bar, storage, window, events, secrets. */
export function expectProcessed(testCase: CallbackCase, expected: Expected, observed: Observed): void {
  const authorized = expected.outcome === 'authorized' ? expected : undefined;
  expect({
    outcome: observed.outcome,
    error: errorOf(observed, expected),
    via: observed.via,
    accessToken: observed.accessToken,
    tokenRequests: tokenRequestsOf(observed),
    href: observed.href,
    historyStateKept: observed.historyState === ROUTER_STATE,
    leftovers: leftovers(testCase, expected, observed.href),
    stored: observed.stored,
    closed: observed.closed,
    events: observed.events,
    leakedSecrets: leakedSecrets(observed),
  }).toEqual({
    // A typed outcome, never a throw; a popup landing relays and reports nothing itself.
    outcome: expected.outcome === 'relayed' ? 'none' : expected.outcome,
    error: expectedError(expected),
    via: authorized?.via,
    accessToken: authorized?.accessToken,
    // A token request only for a valid transaction, and then exactly one.
    tokenRequests:
      authorized?.via === 'code'
        ? [
            {
              grant_type: 'authorization_code',
              code: authorized.code,
              code_verifier: testCase.stored.verifier,
            },
          ]
        : [],
    // The app's parameters and fragment byte for byte, in order; no response parameter left.
    href: expected.href,
    historyStateKept: true,
    leftovers: [],
    // The transaction is single use: a callback consumes it, whatever its outcome.
    stored: expected.consumesTransaction
      ? { csrf: null, verifier: null }
      : { csrf: testCase.stored.csrf ?? null, verifier: testCase.stored.verifier ?? null },
    closed: expected.outcome === 'relayed',
    events: expectedEvents(expected, observed),
    leakedSecrets: [],
  });
}

/**
 * Loads the page at `runs` generated URLs through `drive` and checks each run; returns how many
 * runs came to each outcome, so a suite can prove its generator reaches every one.
 */
export async function checkCallbackUrls(
  drive: (testCase: CallbackCase, href: string) => Promise<Observed>,
  runs: number,
): Promise<Record<string, number>> {
  const tally = new Map<string, number>();
  await fc.assert(
    fc.asyncProperty(callbackCase, async (testCase) => {
      const href = hrefOf(testCase);
      // The generator builds URLs as a browser shows them; anything else would test the generator.
      expect(new URL(href).href).toBe(href);
      const expected = expectedFor(testCase, href);
      expectProcessed(testCase, expected, await drive(testCase, href));
      tally.set(tallyKey(expected), (tally.get(tallyKey(expected)) ?? 0) + 1);
    }),
    { numRuns: runs },
  );
  return Object.fromEntries(tally);
}
