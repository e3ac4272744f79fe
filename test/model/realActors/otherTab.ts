/**
 * Another tab of the same origin, as the session's real tab-sync and refresh actors meet it: it
 * announces tokens and logouts on the session's BroadcastChannel (after storing or clearing the
 * shared token store, as a tab does), hears what this tab announces, and holds the refresh lock
 * until a step lets this tab's refresh through, so the refresh runs exactly when its step comes.
 */
import type { Token } from '../../../src/token.js';
import type { FakeLockManager } from '../../fixtures/fakeLocks.js';
import { deferred } from './waitFor.js';
import type { SharedTokenStore } from './world.js';

export class OtherTab {
  /** What this tab announced on the channel, in order. */
  readonly heard: unknown[] = [];
  readonly #channel: BroadcastChannel;
  readonly #lockName: string;
  #releaseLock: (() => void) | undefined;

  constructor(
    clientId: string,
    readonly store: SharedTokenStore,
    readonly locks: FakeLockManager,
  ) {
    this.#channel = new BroadcastChannel(`authcharts:session:${clientId}`);
    this.#channel.onmessage = (event: MessageEvent) => {
      this.heard.push(event.data);
    };
    this.#lockName = `authcharts:refresh:${clientId}`;
    this.#holdLock();
  }

  /** Another tab logged in or refreshed: it stored the token, then told the others. */
  announceToken(token: Token): void {
    this.store.current = token;
    this.#channel.postMessage({ type: 'token', token });
  }

  /** Another tab logged out: it cleared the store, then told the others. */
  announceLogout(): void {
    this.store.current = undefined;
    this.#channel.postMessage({ type: 'logout' });
  }

  /** Lets the refresh waiting for the lock run (first in line), then queues for the lock again. */
  passRefreshLock(): void {
    this.#releaseLock?.();
    this.#holdLock();
  }

  close(): void {
    this.#channel.close();
  }

  #holdLock(): void {
    const held = deferred<void>();
    this.#releaseLock = () => held.resolve();
    void this.locks.request(this.#lockName, { mode: 'exclusive' }, () => held.promise);
  }
}
