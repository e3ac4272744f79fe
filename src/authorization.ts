import mittImport, { type Emitter, type EventType } from 'mitt';
import {
  type Actor,
  type ActorRefFrom,
  type AnyActorRef,
  createActor,
  type InspectionEvent,
  type SnapshotFrom,
} from 'xstate';
import { attachRuntime, type Runtime } from '../actors/runtime.js';
import type { AuthorizationEvent, ReadyResult } from '../machines/authorization.js';
import type { sessionMachine } from '../machines/session.js';
import { type AuthorizationConfig, type InspectOption, resolveConfig } from './config.js';
import { InteractionInProgressError, InvalidOptionError } from './errors.js';
import { type AuthorizationEvents, Events } from './events.js';
import { sharedAuthorizationLogic } from './logic.js';
import type { LoginOptions } from './loginOptions.js';
import { isTokenUsable, type Token } from './token.js';
import {
  memoryTokenStore,
  type TokenStorageAdapter,
  tokenStorageKey,
  webStorageTokenStore,
} from './tokenStore.js';

/** The logged-in user's credentials, as Webex's `webex.credentials` exposes them. */
export interface Credentials {
  /** The token set from the last login (or loaded from storage), or `undefined`. */
  readonly supertoken: Token | undefined;
  /** True while there is an unexpired access token, or an expired one that can be refreshed. */
  readonly canAuthorize: boolean;
  /** True when there is a token and a way to refresh it (a refresh token or `refreshCallback`). */
  readonly canRefresh: boolean;
  /**
   * Refreshes now (one request for all concurrent callers and tabs). Rejects at the first network
   * error, while the session keeps its token and retries by itself; rejects with the OAuth error
   * when a new login is needed (`reauthRequired`).
   */
  refresh(): Promise<void>;
  /** Resolves a usable access token, refreshing first when it has expired. */
  getAccessToken(): Promise<string>;
}

/** `logout()` options. */
export interface LogoutOptions {
  /** Stay on the page: revoke and clear, but do not go to the end-session endpoint. */
  noRedirect?: boolean;
  /** Where the end-session endpoint sends the user back (default: `redirectUri`). */
  returnTo?: string;
}

/** What `requestAuthorizationCodeGrant` takes: a code (and its PKCE verifier, if any). */
export interface CodeGrantOptions {
  /** The authorization code (RFC 6749 §4.1.2). */
  code: string;
  /** The PKCE verifier the login was started with (RFC 7636 §4.5), when the server needs it. */
  codeVerifier?: string;
}

// mitt's typings are CommonJS-shaped, so under NodeNext its default import types as the module;
// at run time the ESM default export is the factory itself.
const mitt = mittImport as unknown as <Events extends Record<EventType, unknown>>() => Emitter<Events>;

type SessionSnapshot = SnapshotFrom<typeof sessionMachine>;

type AuthorizationActor = Actor<ReturnType<typeof sharedAuthorizationLogic>>;

/** One authcharts instance: the Webex first-party plugin's API over the authorization statechart. */
export interface Authorization {
  /** True once the start-up redirect has been processed, success or not. */
  readonly ready: boolean;
  /** True while a login, a code exchange or the start-up redirect processing runs. */
  readonly isAuthorizing: boolean;
  /** Alias of `isAuthorizing`, as in Webex. */
  readonly isAuthenticating: boolean;
  /** Per-instance event emitter (mitt); channels are `Events.login`, … */
  readonly eventEmitter: Emitter<AuthorizationEvents>;
  /** The channel names ({@link Events}), also on the instance as the Webex README uses them. */
  readonly Events: typeof Events;
  /** The supertoken and what can be done with it (Webex's `webex.credentials`). */
  readonly credentials: Credentials;
  /** The root XState actor: subscribe, read snapshots, inspect. */
  readonly actor: AuthorizationActor;
  /** Resolves when the start-up redirect has been processed; never rejects. */
  whenReady(): Promise<ReadyResult>;
  /** Starts an Authorization Code + PKCE login, full-page or (with `separateWindow`) in a popup. */
  initiateLogin(options?: LoginOptions): Promise<void>;
  /** The same login without the `initiateLogin` announcement (Webex's lower-level entry point). */
  initiateAuthorizationCodeGrant(options?: LoginOptions): Promise<void>;
  /** Refreshes the supertoken now: `credentials.refresh()` (Webex's `webex.refresh()`). */
  refresh(): Promise<void>;
  /**
   * Logs out: revokes the token with a POST when there is a revocation endpoint, clears the
   * stored token, tells the other tabs, then goes to the end-session endpoint unless
   * `noRedirect`. No token ever appears in a URL.
   */
  logout(options?: LogoutOptions): Promise<void>;
  /** Exchanges a code the app obtained itself (RFC 6749 §4.1.3). */
  requestAuthorizationCodeGrant(options: CodeGrantOptions): Promise<void>;
  /**
   * Starts a device authorization (QR-code login, RFC 8628). Progress comes as `qRCodeLogin`
   * events; a second call while one runs emits `getUserCodeFailure` and changes nothing.
   */
  initQRCodeLogin(): void;
  /**
   * Cancels a running device authorization and aborts its request in flight; emits
   * `pollingCanceled` unless `withCancelEvent` is false. Nothing happens when none runs.
   */
  cancelQRCodePolling(withCancelEvent?: boolean): void;
  /** Stops every machine: no timer, listener or request survives. */
  stop(): void;
}

const STOPPED = 'The authorization instance was stopped';

const INTERACTION_STATES = ['processingRedirect', 'loggingIn', 'exchangingCode'] as const;

function globalWindow(): Window | undefined {
  return typeof window === 'undefined' ? undefined : window;
}

function sessionStorageOf(win: Window | undefined) {
  try {
    return win?.sessionStorage;
  } catch {
    return undefined;
  }
}

function tokenStoreFor(config: AuthorizationConfig, win: Window | undefined): TokenStorageAdapter {
  const option = config.tokenStorage ?? 'local';
  if (typeof option === 'object') return option;
  if (option === 'memory' || !win) return memoryTokenStore();
  const key = tokenStorageKey(config.clientId);
  try {
    const storage = option === 'session' ? win.sessionStorage : win.localStorage;
    return storage ? webStorageTokenStore(storage, key) : memoryTokenStore();
  } catch {
    // Storage can be blocked (sandboxed iframes, privacy settings): keep tokens in memory then.
    return memoryTokenStore();
  }
}

function toInspector(inspect: InspectOption | undefined): ((event: InspectionEvent) => void) | undefined {
  if (inspect === undefined) return undefined;
  if (typeof inspect === 'function') return inspect;
  return (event) => inspect.next?.(event);
}

/**
 * Creates an authorization instance and processes the page URL at once: a callback is verified
 * and exchanged, anything else leaves the page alone. It never throws for what the URL holds
 * (only for bad config, with a `ConfigError` naming the field); the outcome comes through
 * `whenReady()` and the `login` events, which are delivered after this function returns so
 * listeners attached right after creation receive them.
 */
export function createAuthorization(config: AuthorizationConfig): Authorization {
  const win = config?.window ?? globalWindow();
  const resolved = resolveConfig(config, win !== undefined);
  const runtime: Runtime = {
    window: win,
    fetch: config.fetch ?? ((input, init) => globalThis.fetch(input, init)),
    storage: config.storage ?? sessionStorageOf(win),
    clientSecret: config.clientSecret,
    collectPreauthCatalog: config.collectPreauthCatalog,
    transformVerificationUri: config.transformVerificationUri,
    tokenStore: tokenStoreFor(config, win),
    // Webex passes the SDK instance first; here it is this facade (bound once it exists).
    refreshCallback: config.refreshCallback ? (token) => config.refreshCallback?.(facade, token) : undefined,
    locks: win?.navigator?.locks,
    discoveryCache: new Map(),
    now: () => Date.now(),
  };

  const eventEmitter = mitt<AuthorizationEvents>();
  let pending:
    | Array<[keyof AuthorizationEvents, AuthorizationEvents[keyof AuthorizationEvents]]>
    | undefined = [];
  const deliver = (emitted: { type: string }) => {
    const { type, ...payload } = emitted;
    const channel = type as keyof AuthorizationEvents;
    const event = payload as AuthorizationEvents[typeof channel];
    if (pending) pending.push([channel, event]);
    else eventEmitter.emit(channel, event);
  };

  // Every machine in the tree emits its own events; each actor is hooked up as it is created,
  // before it starts, so not even an entry action's event is missed.
  const appInspector = toInspector(config.inspect);
  const inspect = (inspectionEvent: InspectionEvent) => {
    if (inspectionEvent.type === '@xstate.actor') {
      (inspectionEvent.actorRef as AnyActorRef).on('*', deliver);
    }
    appInspector?.(inspectionEvent);
  };

  const actor = createActor(sharedAuthorizationLogic(), {
    input: { config: resolved, href: win?.location.href },
    inspect,
  });
  attachRuntime(actor.system, runtime);
  // A machine bug must not surface as an uncaught exception in the app: the snapshot's `error`
  // status settles every pending call instead (see `interact`).
  actor.subscribe({ error: () => {} });
  actor.start();
  queueMicrotask(() => {
    const queued = pending ?? [];
    pending = undefined;
    for (const [channel, event] of queued) eventEmitter.emit(channel, event);
  });

  const isInteracting = () => {
    const snapshot = actor.getSnapshot();
    return INTERACTION_STATES.some((state) => snapshot.matches({ interaction: state }));
  };

  /** Sends an interaction event and settles when the root machine is back in `idle`. */
  const interact = (event: AuthorizationEvent): Promise<void> => {
    const snapshot = actor.getSnapshot();
    if (snapshot.status !== 'active') return Promise.reject(new Error(STOPPED));
    if (!snapshot.can(event)) return Promise.reject(new InteractionInProgressError());
    actor.send(event);
    return new Promise<void>((resolve, reject) => {
      const settle = (): boolean => {
        const current = actor.getSnapshot();
        if (current.status === 'active' && !current.matches({ interaction: 'idle' })) return false;
        const error =
          current.status === 'error'
            ? (current.error as Error)
            : current.status === 'stopped'
              ? new Error(STOPPED)
              : current.context.lastError;
        if (error) reject(error);
        else resolve();
        return true;
      };
      if (settle()) return;
      const subscription = actor.subscribe({
        next: () => settle() && subscription.unsubscribe(),
        error: () => settle(),
        complete: () => settle(),
      });
    });
  };

  const session = () => actor.system.get('session') as ActorRefFrom<typeof sessionMachine> | undefined;
  const sessionSnapshot = () => session()?.getSnapshot();
  const currentToken = () => sessionSnapshot()?.context.token;
  const canRefresh = () => {
    const token = currentToken();
    return token !== undefined && (resolved.hasRefreshCallback || Boolean(token.refresh_token));
  };

  /** Settles when the session has finished what `event` started (a refresh or a logout). */
  const untilSessionSettles = (busy: (snapshot: SessionSnapshot) => boolean): Promise<SessionSnapshot> =>
    new Promise((resolve, reject) => {
      const ref = session();
      if (!ref) return reject(new Error(STOPPED));
      const check = (snapshot: SessionSnapshot): boolean => {
        if (snapshot.status !== 'active') reject(new Error(STOPPED));
        else if (busy(snapshot)) return false;
        else resolve(snapshot);
        return true;
      };
      if (check(ref.getSnapshot())) return;
      const subscription = ref.subscribe({
        next: (snapshot) => check(snapshot) && subscription.unsubscribe(),
        complete: () => reject(new Error(STOPPED)),
      });
    });

  /** The redirect has been processed and the stored token read. */
  const isReady = () =>
    actor.getSnapshot().context.ready !== undefined && sessionSnapshot()?.matches('loading') !== true;

  const refresh = async (): Promise<void> => {
    if (actor.getSnapshot().status !== 'active') throw new Error(STOPPED);
    if (!canRefresh()) throw new Error('Not enough information available to refresh this access token');
    actor.send({ type: 'REFRESH' });
    const settled = await untilSessionSettles((snapshot) =>
      snapshot.matches({ authenticated: 'refreshing' }),
    );
    if (settled.matches({ authenticated: 'retrying' }) || settled.matches('reauthRequired')) {
      throw settled.context.error ?? new Error('The refresh failed');
    }
  };

  const credentials: Credentials = {
    get supertoken() {
      return currentToken();
    },
    get canAuthorize() {
      return isTokenUsable(currentToken(), runtime.now()) || canRefresh();
    },
    get canRefresh() {
      return canRefresh();
    },
    refresh,
    async getAccessToken() {
      if (!isTokenUsable(currentToken(), runtime.now())) {
        if (!canRefresh()) throw new Error('There is no usable access token: log in first');
        await refresh();
      }
      const token = currentToken();
      if (!token) throw new Error('There is no usable access token: log in first');
      return token.access_token;
    },
  };

  const facade: Authorization = {
    get ready() {
      return isReady();
    },
    get isAuthorizing() {
      return isInteracting();
    },
    get isAuthenticating() {
      return isInteracting();
    },
    eventEmitter,
    Events,
    credentials,
    actor,
    whenReady() {
      return new Promise<ReadyResult>((resolve) => {
        const check = (): boolean => {
          const snapshot = actor.getSnapshot();
          if (snapshot.status !== 'active') resolve(snapshot.context.ready ?? { outcome: 'none' });
          else if (!isReady()) return false;
          else resolve(snapshot.context.ready ?? { outcome: 'none' });
          return true;
        };
        if (check()) return;
        // The redirect (root) and the stored token (session) each finish on their own.
        const refs: Array<Pick<AnyActorRef, 'subscribe'> | undefined> = [actor, session()];
        const subscriptions = refs.map((ref) =>
          ref?.subscribe({
            next: () => {
              if (!check()) return;
              for (const subscription of subscriptions) subscription?.unsubscribe();
            },
            complete: check,
          }),
        );
      });
    },
    initiateLogin(options) {
      return interact({ type: 'LOGIN', options, announce: true });
    },
    initiateAuthorizationCodeGrant(options) {
      return interact({ type: 'LOGIN', options, announce: false });
    },
    requestAuthorizationCodeGrant(options) {
      const code = options?.code;
      if (typeof code !== 'string' || code === '') {
        return Promise.reject(new InvalidOptionError('code', 'is required'));
      }
      const codeVerifier = options.codeVerifier;
      if (codeVerifier !== undefined && typeof codeVerifier !== 'string') {
        return Promise.reject(new InvalidOptionError('codeVerifier', 'must be a string'));
      }
      return interact({ type: 'EXCHANGE_CODE', code, codeVerifier });
    },
    initQRCodeLogin() {
      if (actor.getSnapshot().status === 'active') actor.send({ type: 'QR_START' });
    },
    cancelQRCodePolling(withCancelEvent = true) {
      if (actor.getSnapshot().status === 'active') {
        actor.send({ type: 'QR_CANCEL', withCancelEvent: withCancelEvent !== false });
      }
    },
    refresh,
    async logout(options) {
      if (actor.getSnapshot().status !== 'active') throw new Error(STOPPED);
      actor.send({ type: 'LOGOUT', noRedirect: options?.noRedirect === true, returnTo: options?.returnTo });
      await untilSessionSettles((snapshot) => snapshot.matches('loggingOut') || snapshot.matches('leaving'));
    },
    stop() {
      actor.stop();
      pending = undefined;
      eventEmitter.all.clear();
    },
  };
  return facade;
}
