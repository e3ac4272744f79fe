import type { PreauthHint } from '../src/config.js';
import type { Token } from '../src/token.js';
import { memoryTokenStore, type TokenStorageAdapter } from '../src/tokenStore.js';
import type { TransactionStorage } from '../src/transactionStore.js';

/**
 * Everything the actors touch outside the machines: the window, the network, storage and the
 * app's hooks and secret. Machines never see it; actors get it from a closure, so the inspector
 * and the machines' context stay free of functions and secrets.
 */
export interface Runtime {
  /** The page's window (URL, history, popups, events); `undefined` outside a browser. */
  window: Window | undefined;
  /** Every request goes through it, with an abort signal and the `requestTimeout` deadline. */
  fetch: typeof fetch;
  /** Where the login transaction (CSRF token, PKCE verifier) waits for the redirect. */
  storage: TransactionStorage | undefined;
  /** Node/confidential clients only; `resolveConfig` refuses it in a browser. */
  clientSecret: string | undefined;
  /** The app's preauth-catalog hook, called while a code is exchanged. */
  collectPreauthCatalog: ((hint: PreauthHint) => unknown) | undefined;
  /** Rewrites the device flow's `verification_uri_complete` (replaces the profile's deep link). */
  transformVerificationUri: ((uri: string) => string) | undefined;
  /** Where the supertoken is kept between page loads. */
  tokenStore: TokenStorageAdapter;
  /** The app's `refreshCallback`, already bound to the facade (Webex passes the SDK instance). */
  refreshCallback: ((token: Token) => unknown) | undefined;
  /** `navigator.locks`, to refresh one tab at a time; absent: refresh without a lock. */
  locks: LockManager | undefined;
  /** Discovery results by issuer, so a page discovers its server at most once. */
  discoveryCache: Map<string, Promise<unknown>>;
  /** The clock tokens are timed with (ms epoch): `expires` = receive time + `expires_in`. */
  now: () => number;
}

/** Reads a global lazily: importing authcharts in Node must not touch `window`. */
function safeSessionStorage(win: Window | undefined): TransactionStorage | undefined {
  try {
    return win?.sessionStorage;
  } catch {
    // Storage access throws in sandboxed iframes and with cookies blocked.
    return undefined;
  }
}

const browserDiscoveryCache = new Map<string, Promise<unknown>>();
// The bare machines keep tokens in memory; createAuthorization picks the configured storage.
const browserTokenStore = memoryTokenStore();

/**
 * The runtime of a plain browser page: the global window, fetch and sessionStorage. It is the
 * default behind every machine's actors, so `createActor(redirectMachine, …)` works as is.
 */
export function browserRuntime(): Runtime {
  const win = typeof window === 'undefined' ? undefined : window;
  return {
    window: win,
    fetch: (input, init) => globalThis.fetch(input, init),
    storage: safeSessionStorage(win),
    clientSecret: undefined,
    collectPreauthCatalog: undefined,
    transformVerificationUri: undefined,
    tokenStore: browserTokenStore,
    refreshCallback: undefined,
    locks: typeof navigator === 'undefined' ? undefined : navigator.locks,
    discoveryCache: browserDiscoveryCache,
    now: () => Date.now(),
  };
}

/**
 * How actor factories receive their runtime: read at use time, never at import time, from the
 * actor system the actor runs in (so one set of machines can serve many instances, each with its
 * own runtime: see {@link runtimeOfSystem}).
 */
export type GetRuntime = (system?: object) => Runtime;

const systemRuntimes = new WeakMap<object, Runtime>();

/**
 * Gives every actor of `system` (a root actor and all its descendants) `runtime`. Call it after
 * `createActor` and before `start()`: actors may read their runtime as they start.
 */
export function attachRuntime(system: object, runtime: Runtime): void {
  systemRuntimes.set(system, runtime);
}

/** The runtime attached to `system` with {@link attachRuntime}, else the browser's. */
export const runtimeOfSystem: GetRuntime = (system) =>
  (system && systemRuntimes.get(system)) || browserRuntime();
