/**
 * Loads a page at a generated URL and reports what a user (or the app) could notice: the outcome,
 * the requests sent, the address bar, `history.state`, what is left in sessionStorage, whether
 * the window closed itself, and (through the facade) the `login` events. Two ways in: the whole
 * facade (`createAuthorization` on a fake window), and the redirect machine alone with the real
 * actors, which is about three times faster and so carries the bulk of the runs.
 */
import { createActor, toPromise } from 'xstate';
import { createRedirectActors } from '../../actors/index.js';
import type { Runtime } from '../../actors/runtime.js';
import { redirectMachine } from '../../machines/redirect.js';
import { type AuthorizationConfig, resolveConfig } from '../../src/config.js';
import { createAuthorization, Events, type LoginEvent } from '../../src/index.js';
import { CODE_VERIFIER_KEY, CSRF_TOKEN_KEY } from '../../src/transactionStore.js';
import { createFakeFetch, json, type RecordedRequest } from '../fixtures/fakeFetch.js';
import { FakeWindow } from '../fixtures/fakeWindow.js';
import { testRuntime } from '../fixtures/testRuntime.js';
import { AS, type CallbackCase, type ServerMode } from './callbackArbitraries.js';
import { TOKEN_RESPONSE } from './callbackOracle.js';

export const TOKEN_URL = `${AS}/token`;
const DISCOVERY_URL = `${AS}/.well-known/openid-configuration`;

/** A page the app router keeps state in; processing must hand it back untouched. */
export const ROUTER_STATE = Object.freeze({ router: 'keep-me' });

export interface Observed {
  outcome: 'none' | 'authorized' | 'failed';
  error: Error | undefined;
  via: 'code' | 'implicit' | undefined;
  accessToken: string | undefined;
  tokenRequests: RecordedRequest[];
  href: string;
  historyState: unknown;
  stored: { csrf: string | null; verifier: string | null };
  closed: boolean;
  /** The `login` channel (facade only). */
  events: LoginEvent[] | undefined;
}

/** A fake window that can close itself, as a login popup does after relaying its result. */
class ClosableWindow extends FakeWindow {
  closed = false;
  close() {
    this.closed = true;
  }
}

function serverConfig(mode: ServerMode): Partial<AuthorizationConfig> {
  return mode === 'endpoints'
    ? { endpoints: { authorization: `${AS}/authorize`, token: TOKEN_URL } }
    : { issuer: AS };
}

function configOf(testCase: CallbackCase): AuthorizationConfig {
  return {
    clientId: 'client-1',
    redirectUri: `https://app.example/cb`,
    implicitGrant: testCase.implicitGrant,
    ...serverConfig(testCase.server),
  };
}

/** The page as the browser shows it after the authorization server redirected back. */
function landOn(href: string, testCase: CallbackCase): ClosableWindow {
  const win = new ClosableWindow(href);
  win.history.state = ROUTER_STATE;
  const { csrf, verifier } = testCase.stored;
  if (csrf !== undefined) win.sessionStorage.setItem(CSRF_TOKEN_KEY, csrf);
  if (verifier !== undefined) win.sessionStorage.setItem(CODE_VERIFIER_KEY, verifier);
  return win;
}

function fakeServer(mode: ServerMode) {
  return createFakeFetch({
    [DISCOVERY_URL]: () =>
      json({
        issuer: AS,
        authorization_endpoint: `${AS}/authorize`,
        token_endpoint: TOKEN_URL,
        authorization_response_iss_parameter_supported: mode === 'issuerAdvertisingIss',
      }),
    [TOKEN_URL]: () => json(TOKEN_RESPONSE),
  });
}

function observeWindow(win: ClosableWindow, requests: RecordedRequest[]) {
  return {
    tokenRequests: requests.filter((request) => request.url === TOKEN_URL),
    href: win.location.href,
    historyState: win.history.state,
    stored: {
      csrf: win.sessionStorage.getItem(CSRF_TOKEN_KEY),
      verifier: win.sessionStorage.getItem(CODE_VERIFIER_KEY),
    },
    closed: win.closed,
  };
}

/** A safety net only: a run that never settles fails with its case instead of hanging the suite. */
async function settled<T>(promise: Promise<T>): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const hang = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error('the callback was never settled')), 10_000);
  });
  try {
    return await Promise.race([promise, hang]);
  } finally {
    clearTimeout(timer);
  }
}

const resolvedConfigs = new Map<string, ReturnType<typeof resolveConfig>>();

/** The runtime of the run in progress: runs are sequential, and providing once is much cheaper. */
let currentRuntime: Runtime | undefined;
const machineWithRealActors = redirectMachine.provide({
  actors: createRedirectActors(() => {
    if (!currentRuntime) throw new Error('no run in progress');
    return currentRuntime;
  }),
});

/** The redirect machine with the real actors, on a runtime around the fake window and server. */
export async function throughMachine(testCase: CallbackCase, href: string): Promise<Observed> {
  const win = landOn(href, testCase);
  const server = fakeServer(testCase.server);
  const runtime = testRuntime({ window: win.asWindow(), fetch: server.fetch, storage: win.sessionStorage });
  const key = `${testCase.server}:${testCase.implicitGrant}`;
  const config = resolvedConfigs.get(key) ?? resolveConfig(configOf(testCase), true);
  resolvedConfigs.set(key, config);
  currentRuntime = runtime;
  const actor = createActor(machineWithRealActors, { input: { config, href, source: 'location' } });
  actor.start();
  const output = await settled(toPromise(actor)).finally(() => {
    currentRuntime = undefined;
  });
  return {
    outcome: output.outcome,
    error: output.outcome === 'failed' ? output.error : undefined,
    via: output.outcome === 'authorized' ? output.via : undefined,
    accessToken: output.outcome === 'authorized' ? output.token.access_token : undefined,
    ...observeWindow(win, server.requests),
    events: undefined,
  };
}

/** The whole facade, as an app creates it on page load. */
export async function throughFacade(testCase: CallbackCase, href: string): Promise<Observed> {
  const win = landOn(href, testCase);
  const server = fakeServer(testCase.server);
  const auth = createAuthorization({
    ...configOf(testCase),
    window: win.asWindow(),
    fetch: server.fetch,
    tokenStorage: 'memory',
  });
  const events: LoginEvent[] = [];
  auth.eventEmitter.on(Events.login, (event) => events.push(event));
  try {
    const ready = await settled(auth.whenReady());
    const token = auth.credentials.supertoken;
    const success = events.find((event) => event.eventType === 'authorizationSuccess');
    const via = success?.eventType === 'authorizationSuccess' ? success.data.via : undefined;
    return {
      outcome: ready.outcome,
      error: ready.error,
      via: via === 'implicit' ? 'implicit' : via === undefined ? undefined : 'code',
      accessToken: token?.access_token,
      ...observeWindow(win, server.requests),
      events,
    };
  } finally {
    auth.stop();
  }
}
