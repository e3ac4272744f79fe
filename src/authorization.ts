import mittImport, { type Emitter, type EventType } from 'mitt';
import { type Actor, type AnyActorRef, createActor, type InspectionEvent } from 'xstate';
import type { Runtime } from '../actors/runtime.js';
import type { AuthorizationEvent, ReadyResult } from '../machines/authorization.js';
import { type AuthorizationConfig, type InspectOption, resolveConfig } from './config.js';
import { InteractionInProgressError, InvalidOptionError } from './errors.js';
import { type AuthorizationEvents, Events } from './events.js';
import { createAuthorizationLogic } from './logic.js';
import type { LoginOptions } from './loginOptions.js';
import { isTokenUsable, type Token } from './token.js';

/** The logged-in user's credentials, as Webex's `webex.credentials` exposes them. */
export interface Credentials {
  /** The token set from the last login, or `undefined`. */
  readonly supertoken: Token | undefined;
  /** True while there is an access token that has not expired. */
  readonly canAuthorize: boolean;
  /** Whether the credentials can be refreshed. Refresh arrives with the session machine. */
  readonly canRefresh: boolean;
  /** Resolves the current access token; rejects when there is none or it has expired. */
  getAccessToken(): Promise<string>;
}

/** What `requestAuthorizationCodeGrant` takes: a code (and its PKCE verifier, if any). */
export interface CodeGrantOptions {
  code: string;
  codeVerifier?: string;
}

// mitt's typings are CommonJS-shaped, so under NodeNext its default import types as the module;
// at run time the ESM default export is the factory itself.
const mitt = mittImport as unknown as <Events extends Record<EventType, unknown>>() => Emitter<Events>;

type AuthorizationActor = Actor<ReturnType<typeof createAuthorizationLogic>>;

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
  readonly Events: typeof Events;
  readonly credentials: Credentials;
  /** The root XState actor: subscribe, read snapshots, inspect. */
  readonly actor: AuthorizationActor;
  /** Resolves when the start-up redirect has been processed; never rejects. */
  whenReady(): Promise<ReadyResult>;
  /** Starts an Authorization Code + PKCE login, full-page or (with `separateWindow`) in a popup. */
  initiateLogin(options?: LoginOptions): Promise<void>;
  /** The same login without the `initiateLogin` announcement (Webex's lower-level entry point). */
  initiateAuthorizationCodeGrant(options?: LoginOptions): Promise<void>;
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

  const actor = createActor(createAuthorizationLogic(runtime), {
    input: { config: resolved, href: win?.location.href },
    inspect,
  });
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

  const credentials: Credentials = {
    get supertoken() {
      return actor.getSnapshot().context.token;
    },
    get canAuthorize() {
      return isTokenUsable(actor.getSnapshot().context.token, runtime.now());
    },
    get canRefresh() {
      return false;
    },
    getAccessToken() {
      const token = actor.getSnapshot().context.token;
      return isTokenUsable(token, runtime.now())
        ? Promise.resolve((token as Token).access_token)
        : Promise.reject(new Error('There is no usable access token: log in first'));
    },
  };

  return {
    get ready() {
      return actor.getSnapshot().context.ready !== undefined;
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
          const ready = snapshot.context.ready;
          if (ready) resolve(ready);
          else if (snapshot.status !== 'active') resolve({ outcome: 'none' });
          else return false;
          return true;
        };
        if (check()) return;
        const subscription = actor.subscribe({
          next: () => check() && subscription.unsubscribe(),
          complete: check,
        });
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
    stop() {
      actor.stop();
      pending = undefined;
      eventEmitter.all.clear();
    },
  };
}
