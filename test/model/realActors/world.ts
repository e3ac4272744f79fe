/**
 * The fake world the real actors of a replay run in, one per path: a page window (location,
 * history, sessionStorage, localStorage, `navigator.locks`, visibility and `online` events,
 * `window.open`), the held-request server, a token store shared with "other tabs", and the
 * {@link Runtime} the actors read it all through. Drivers change it between steps (a storage that
 * throws, no window at all) to make a real actor end the way a step says.
 */
import type { Runtime } from '../../../actors/runtime.js';
import type { Token } from '../../../src/token.js';
import type { TokenStorageAdapter } from '../../../src/tokenStore.js';
import { FakeLockManager } from '../../fixtures/fakeLocks.js';
import { SessionWindow } from '../../fixtures/sessionWindow.js';
import { APP } from '../support.js';
import { FakeServer } from './fakeServer.js';
import { type Deferred, deferred } from './waitFor.js';

/** A page that may be a login popup: it has an opener to hand the callback to, and can close itself. */
export class PageWindow extends SessionWindow {
  /** What the opener received through `postMessage`, with the target origin. */
  readonly toOpener: { message: unknown; origin: string }[] = [];
  readonly opener = {
    postMessage: (message: unknown, origin: string) => {
      this.toOpener.push({ message, origin });
    },
  };
  closed = false;
  close(): void {
    this.closed = true;
  }
}

/**
 * The origin's token store, which every tab reads and writes (localStorage, in effect). A read can
 * be held until a step answers it, as an asynchronous adapter answers; once a failure to clear (or
 * to save) is set, every `clear` (or `save`) throws it, synchronously, as Web Storage does.
 */
export class SharedTokenStore implements TokenStorageAdapter {
  current: Token | undefined;
  /** Thrown by every `clear` once set. */
  clearFailure: unknown;
  /** Thrown by every `save` once set (a full or disabled storage). */
  saveFailure: unknown;
  #holdNextLoad = false;
  #heldLoad: Deferred<Token | undefined> | undefined;

  /** Makes the next `load` (only that one) wait for {@link answerLoad}. */
  holdNextLoad(): void {
    this.#holdNextLoad = true;
  }

  /** The held `load` finds `token`, which the store then holds. */
  answerLoad(token: Token | undefined): void {
    const held = this.#heldLoad;
    if (!held) throw new Error('SharedTokenStore: no load is held');
    this.#heldLoad = undefined;
    this.current = token;
    held.resolve(token);
  }

  load(): Token | undefined | Promise<Token | undefined> {
    if (!this.#holdNextLoad) return this.current;
    this.#holdNextLoad = false;
    this.#heldLoad = deferred();
    return this.#heldLoad.promise;
  }

  save(token: Token): void {
    if (this.saveFailure !== undefined) throw this.saveFailure;
    this.current = token;
  }

  clear(): void {
    if (this.clearFailure !== undefined) throw this.clearFailure;
    this.current = undefined;
  }
}

export class World {
  readonly server = new FakeServer();
  readonly locks = new FakeLockManager();
  readonly window: PageWindow;
  readonly store = new SharedTokenStore();
  readonly runtime: Runtime;

  constructor(href = `${APP}/`) {
    this.window = new PageWindow({ href, locks: this.locks });
    this.runtime = {
      window: this.window.asWindow(),
      fetch: this.server.fetch,
      storage: this.window.sessionStorage,
      clientSecret: undefined,
      collectPreauthCatalog: undefined,
      transformVerificationUri: undefined,
      tokenStore: this.store,
      refreshCallback: undefined,
      locks: this.locks.asLockManager(),
      discoveryCache: new Map(),
      now: () => Date.now(),
    };
  }
}

/**
 * A runtime that is always the one of `current()`'s world. Building machines with real actors is
 * costly (xstate builds every state node again for each `provide`), so a suite builds them once
 * over this runtime and gives each replay its own world.
 */
export function runtimeOf(current: () => World): Runtime {
  return new Proxy({} as Runtime, {
    get: (_target, key) => Reflect.get(current().runtime, key),
  });
}
