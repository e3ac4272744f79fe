/**
 * One scenario per endpoint: how an app gets the library to call it, and how that flow ends, as
 * the app sees it: the terminal event, the typed error (where the app is handed one), and the
 * state the instance is left in. Each scenario runs a facade on a fake window against
 * `createFaultyServer`, under fake timers.
 */
import type { AnyActorRef, InspectionEvent } from 'xstate';
import type { Authorization } from '../../src/index.js';
import { createAuthorization } from '../../src/index.js';
import { encodeState } from '../../src/stateCodec.js';
import type { Token } from '../../src/token.js';
import { tokenStorageKey } from '../../src/tokenStore.js';
import { CODE_VERIFIER_KEY, CSRF_TOKEN_KEY } from '../../src/transactionStore.js';
import { MemoryStorage } from '../fixtures/fakeWindow.js';
import { SessionWindow } from '../fixtures/sessionWindow.js';
import {
  AS,
  CODE,
  CSRF,
  type Endpoint,
  REQUEST_TIMEOUT_MS,
  STORED_ACCESS_TOKEN,
  STORED_REFRESH_TOKEN,
  VERIFIER,
} from './faultServer.js';

const APP = 'https://app.example';

/** Every event of every channel, in order. */
export interface SeenEvent {
  channel: string;
  eventType: string;
  data?: unknown;
}

export interface Scenario {
  auth: Authorization;
  events: SeenEvent[];
  /** The flow has ended (its promise settled, or its terminal event came). */
  ended(): boolean;
  /** The event that must end the flow, once. */
  terminalEvent: { channel: string; eventType: string };
  /** The error the flow ended with, where the app is handed one (`undefined` for a logout). */
  error(): unknown;
  /** The state the instance is left in says the flow ended (and how). */
  inTerminalState(): boolean;
  /** Something a healthy answer would have brought: a token, a success. */
  succeeded(): boolean;
}

let instances = 0;
/** A client id per instance: the BroadcastChannel and the storage key are per client id. */
const nextClientId = () => {
  instances += 1;
  return `client-faults-${instances}`;
};

/** A facade on `win` with the fault server's fetch; `inspect` sees every actor of the tree. */
function facade(
  win: SessionWindow,
  fetch: typeof globalThis.fetch,
  inspect: (event: InspectionEvent) => void,
  clientId = nextClientId(),
): { auth: Authorization; events: SeenEvent[] } {
  const auth = createAuthorization({
    clientId,
    redirectUri: `${APP}/cb`,
    scope: 'openid profile',
    issuer: AS,
    window: win.asWindow(),
    fetch,
    refreshAhead: false,
    requestTimeout: REQUEST_TIMEOUT_MS,
    inspect,
  });
  const events: SeenEvent[] = [];
  auth.eventEmitter.on('*', (channel, event) => {
    events.push({ channel, ...(event as { eventType: string; data?: unknown }) });
  });
  return { auth, events };
}

const has = (events: SeenEvent[], channel: string, eventType: string) =>
  events.some((event) => event.channel === channel && event.eventType === eventType);

/** A page the server has just redirected back to with a code, the transaction in sessionStorage. */
function redirectScenario(fetch: typeof globalThis.fetch): Scenario {
  const state = encodeState({ csrf_token: CSRF });
  const win = new SessionWindow({
    href: `${APP}/cb?code=${CODE}&state=${state}&iss=${encodeURIComponent(AS)}`,
  });
  win.sessionStorage.setItem(CSRF_TOKEN_KEY, CSRF);
  win.sessionStorage.setItem(CODE_VERIFIER_KEY, VERIFIER);
  const { auth, events } = facade(win, fetch, () => {});
  let ready: Awaited<ReturnType<Authorization['whenReady']>> | undefined;
  auth.whenReady().then((result) => {
    ready = result;
  });
  return {
    auth,
    events,
    ended: () => ready !== undefined,
    terminalEvent: { channel: 'login', eventType: 'authorizationFailure' },
    error: () => ready?.error,
    inTerminalState: () => {
      const snapshot = auth.actor.getSnapshot();
      return snapshot.context.ready?.outcome === 'failed' && snapshot.matches({ interaction: 'idle' });
    },
    succeeded: () =>
      auth.credentials.supertoken !== undefined || has(events, 'login', 'authorizationSuccess'),
  };
}

/** A QR login; the device machine's own final snapshot says how it ended. */
function deviceScenario(
  fetch: typeof globalThis.fetch,
  endsWith: 'getUserCodeFailure' | 'authorizationFailure',
) {
  const win = new SessionWindow({ href: `${APP}/` });
  let deviceSnapshot: { status: string; value: unknown; context: { error?: unknown } } | undefined;
  const { auth, events } = facade(win, fetch, (event) => {
    if (event.type === '@xstate.snapshot' && (event.actorRef as AnyActorRef).id === 'deviceAuthorization') {
      deviceSnapshot = event.snapshot as unknown as typeof deviceSnapshot;
    }
  });
  auth.initQRCodeLogin();
  const scenario: Scenario = {
    auth,
    events,
    ended: () => has(events, 'qRCodeLogin', endsWith),
    terminalEvent: { channel: 'qRCodeLogin', eventType: endsWith },
    error: () => deviceSnapshot?.context.error,
    inTerminalState: () =>
      deviceSnapshot?.status === 'done' &&
      deviceSnapshot.value === 'failed' &&
      auth.actor.getSnapshot().matches({ deviceFlow: 'idle' }),
    succeeded: () =>
      auth.credentials.supertoken !== undefined || has(events, 'qRCodeLogin', 'authorizationSuccess'),
  };
  return scenario;
}

/** A reloaded page whose stored token the app refreshes (`credentials.refresh()`) or logs out. */
function loggedInPage(fetch: typeof globalThis.fetch) {
  const localStorage = new MemoryStorage();
  const win = new SessionWindow({ href: `${APP}/`, localStorage });
  const token: Token = {
    access_token: STORED_ACCESS_TOKEN,
    token_type: 'Bearer',
    expires: Date.now() + 3_600_000,
    refresh_token: STORED_REFRESH_TOKEN,
  };
  const clientId = nextClientId();
  localStorage.setItem(tokenStorageKey(clientId), JSON.stringify(token));
  const { auth, events } = facade(win, fetch, () => {}, clientId);
  if (auth.credentials.supertoken?.access_token !== STORED_ACCESS_TOKEN) {
    throw new Error('the stored token was not loaded');
  }
  const session = () => auth.actor.system.get('session') as AnyActorRef;
  return { auth, events, localStorage, session };
}

function refreshScenario(fetch: typeof globalThis.fetch): Scenario {
  const { auth, events, session } = loggedInPage(fetch);
  let settled: { error: unknown } | undefined;
  auth.credentials.refresh().then(
    () => {
      settled = { error: undefined };
    },
    (error: unknown) => {
      settled = { error };
    },
  );
  return {
    auth,
    events,
    ended: () => settled !== undefined,
    terminalEvent: { channel: 'session', eventType: 'refreshFailure' },
    error: () => settled?.error,
    // A server or network failure never logs anyone out: the token stays, the refresh is retried.
    inTerminalState: () =>
      session().getSnapshot().matches({ authenticated: 'retrying' }) &&
      auth.credentials.supertoken?.access_token === STORED_ACCESS_TOKEN,
    succeeded: () => auth.credentials.supertoken?.access_token !== STORED_ACCESS_TOKEN,
  };
}

function revocationScenario(fetch: typeof globalThis.fetch): Scenario {
  const { auth, events, localStorage, session } = loggedInPage(fetch);
  let done = false;
  auth.logout({ noRedirect: true }).then(() => {
    done = true;
  });
  return {
    auth,
    events,
    ended: () => done,
    terminalEvent: { channel: 'session', eventType: 'logout' },
    error: () => undefined,
    // A failed revocation does not stop the logout: the token is forgotten here all the same.
    inTerminalState: () =>
      session().getSnapshot().matches('unauthenticated') &&
      auth.credentials.supertoken === undefined &&
      localStorage.length === 0,
    succeeded: () => false,
  };
}

/** Starts the flow that calls `endpoint`. */
export function startScenario(endpoint: Endpoint, fetch: typeof globalThis.fetch): Scenario {
  switch (endpoint) {
    case 'discovery':
    case 'tokenExchange':
      return redirectScenario(fetch);
    case 'deviceAuthorization':
      return deviceScenario(fetch, 'getUserCodeFailure');
    case 'devicePoll':
      return deviceScenario(fetch, 'authorizationFailure');
    case 'refresh':
      return refreshScenario(fetch);
    case 'revocation':
      return revocationScenario(fetch);
  }
}
