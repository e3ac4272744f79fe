/**
 * Fault injection: every endpoint the library calls (discovery, token exchange, device
 * authorization, device token poll, refresh, revocation) × every way a server or network fails
 * (5xx, 429, an answer that only arrives after the request timeout, a body that is not JSON, an
 * empty 400, fetch rejecting, 428, slow_down for ever). Whatever breaks, the flow ends: its
 * terminal event comes once, the error the app is handed is typed, the instance is left in the
 * state that says how it ended, a late answer changes nothing, nothing escapes as an unhandled
 * rejection, no timer outlives `stop()`, and no token, code, verifier or CSRF value appears in
 * any error message or event. Time is the fake clock's.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  AuthchartsError,
  NetworkError,
  OAuthError,
  ProtocolError,
  RequestTimeoutError,
} from '../../src/errors.js';
import { nextMacrotask, watchProcessErrors } from '../property/processErrors.js';
import { type SeenEvent, startScenario } from './faultScenarios.js';
import { createFaultyServer, type Endpoint, type Fault, LATE_MS, SECRETS } from './faultServer.js';

const FAULTS: Fault[] = [
  '5xx',
  '429',
  'slow response past the timeout',
  'non-JSON body',
  'empty 400',
  'network error',
  '428',
  'endless slow_down',
];

/** How a flow ends, as the app sees the error. */
type Ending =
  | 'ProtocolError'
  | 'RequestTimeoutError'
  | 'NetworkError'
  /** The server's `slow_down` as an OAuthError carrying the code. */
  | 'OAuthError slow_down'
  /** RFC 8628 §3.5: slow_down for ever means polling until the codes expire. */
  | 'codes expired'
  /** A logout completes whatever the revocation endpoint does. */
  | 'logged out';

const oneShot = (slowDown: Ending): Record<Fault, Ending> => ({
  '5xx': 'ProtocolError',
  '429': 'ProtocolError',
  'slow response past the timeout': 'RequestTimeoutError',
  'non-JSON body': 'ProtocolError',
  'empty 400': 'ProtocolError',
  'network error': 'NetworkError',
  '428': 'ProtocolError',
  'endless slow_down': slowDown,
});

const ENDINGS: Record<Endpoint, Record<Fault, Ending>> = {
  // Discovery answers are metadata documents: an OAuth error body is just a bad document.
  discovery: oneShot('ProtocolError'),
  tokenExchange: oneShot('OAuthError slow_down'),
  deviceAuthorization: oneShot('OAuthError slow_down'),
  // 5xx, 429 and no answer are transient (retried with backoff); the rest ends polling at once.
  devicePoll: oneShot('codes expired'),
  refresh: oneShot('OAuthError slow_down'),
  revocation: {
    '5xx': 'logged out',
    '429': 'logged out',
    'slow response past the timeout': 'logged out',
    'non-JSON body': 'logged out',
    'empty 400': 'logged out',
    'network error': 'logged out',
    '428': 'logged out',
    'endless slow_down': 'logged out',
  },
};

/** Transient poll failures in a row that end a device flow (SPEC §10). */
const MAX_TRANSIENT_POLLS = 5;

/** How often the broken endpoint must have been asked before the flow ended. */
function expectedRequests(endpoint: Endpoint, fault: Fault): number | 'several' {
  if (endpoint !== 'devicePoll') return 1;
  if (fault === 'endless slow_down') return 'several';
  return ['5xx', '429', 'slow response past the timeout', 'network error'].includes(fault)
    ? MAX_TRANSIENT_POLLS
    : 1;
}

function expectEnding(error: unknown, ending: Ending) {
  if (ending === 'logged out') {
    expect(error).toBeUndefined();
    return;
  }
  expect(error).toBeInstanceOf(Error);
  if (ending === 'codes expired') {
    expect((error as Error).message).toBe('Authorization timed out');
    return;
  }
  // Typed: a library error or a server-reported OAuth error, never a bare TypeError or the like.
  expect(error instanceof AuthchartsError || error instanceof OAuthError).toBe(true);
  if (ending === 'OAuthError slow_down') {
    expect(error).toBeInstanceOf(OAuthError);
    expect((error as OAuthError).error).toBe('slow_down');
  } else if (ending === 'NetworkError') {
    expect(error).toBeInstanceOf(NetworkError);
    expect(error).not.toBeInstanceOf(RequestTimeoutError);
  } else {
    const type = ending === 'ProtocolError' ? ProtocolError : RequestTimeoutError;
    expect(error).toBeInstanceOf(type);
  }
}

/** Every message a user or a log could see: errors' names and messages, and the events as JSON. */
function visibleText(events: SeenEvent[], error: unknown): string {
  const messages: string[] = [];
  const collect = (value: unknown, depth: number) => {
    if (value instanceof Error) messages.push(`${value.name}: ${value.message}`);
    if (typeof value === 'object' && value !== null && depth < 4) {
      for (const nested of Object.values(value)) collect(nested, depth + 1);
    }
  };
  collect(events, 0);
  collect(error, 0);
  return `${messages.join('\n')}\n${JSON.stringify(events)}`;
}

/**
 * Lets the flow run, moving the fake clock from one timer to the next, until it ends (safety
 * net: an hour of fake time, or no timer left that could end it).
 */
async function runUntil(ended: () => boolean): Promise<void> {
  const deadline = Date.now() + 3_600_000;
  for (;;) {
    await vi.advanceTimersByTimeAsync(0);
    await nextMacrotask();
    if (ended()) return;
    if (Date.now() > deadline || vi.getTimerCount() === 0) throw new Error('the flow never ended');
    await vi.advanceTimersToNextTimerAsync();
  }
}

const escaped = watchProcessErrors();

beforeEach(() => {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'Date'] });
});

afterEach(() => {
  vi.useRealTimers();
});

for (const [endpoint, endings] of Object.entries(ENDINGS) as Array<[Endpoint, Record<Fault, Ending>]>) {
  describe(`${endpoint} endpoint`, () => {
    for (const fault of FAULTS) {
      it(`${endpoint} × ${fault}: ends typed (${endings[fault]}), with its event, leaving nothing behind`, async () => {
        const server = createFaultyServer(endpoint, fault);
        const scenario = startScenario(endpoint, server.fetch);
        try {
          await runUntil(scenario.ended);

          const { channel, eventType } = scenario.terminalEvent;
          const terminal = scenario.events.filter((e) => e.channel === channel && e.eventType === eventType);
          expect(terminal).toHaveLength(1);
          expect(scenario.inTerminalState()).toBe(true);
          expectEnding(scenario.error(), endings[fault]);

          const requests = server.brokenRequests();
          const expected = expectedRequests(endpoint, fault);
          if (expected === 'several') expect(requests.length).toBeGreaterThan(1);
          else expect(requests).toHaveLength(expected);
          // A request that got no answer in time was aborted, not just abandoned.
          if (fault === 'slow response past the timeout') {
            expect(requests.every((request) => request.aborted)).toBe(true);
          }

          // The slow server's answers arrive late, healthy as they are: nothing may come of them.
          const eventsAtEnd = scenario.events.length;
          await vi.advanceTimersByTimeAsync(LATE_MS);
          expect(scenario.succeeded()).toBe(false);
          const later = scenario.events.slice(eventsAtEnd).map((e) => e.eventType);
          expect(later).not.toContain('authorizationSuccess');
          expect(later).not.toContain('tokenSet');
          expect(later).not.toContain('tokenRefreshed');

          const text = visibleText(scenario.events, scenario.error());
          for (const secret of SECRETS) expect(text).not.toContain(secret);
        } finally {
          scenario.auth.stop();
          server.stop();
        }
        expect(vi.getTimerCount()).toBe(0);
        await nextMacrotask();
        expect(escaped).toEqual([]);
      });
    }
  });
}
