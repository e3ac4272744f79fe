import { fromCallback } from 'xstate';
import type { ResolvedConfig } from '../src/config.js';
import type { Token } from '../src/token.js';
import { clearToken, saveToken } from '../src/tokenStore.js';
import type { GetRuntime } from './runtime.js';

/** What the session machine tells the tab-sync actor. */
export type TabSyncCommand =
  /** Store the token and tell the other tabs. */
  | { type: 'SYNC.TOKEN'; token: Token }
  /** Clear the store and tell the other tabs. */
  | { type: 'SYNC.LOGOUT' };

/** What the tab-sync actor tells the session machine. */
export type TabSyncSignal =
  | { type: 'REMOTE.TOKEN'; token: Token }
  | { type: 'REMOTE.LOGOUT' }
  /** The page became visible or came back online: timers may have been throttled, re-check. */
  | { type: 'WAKE' };

export interface TabSyncInput {
  config: ResolvedConfig;
}

type SyncMessage = { type: 'token'; token: Token } | { type: 'logout' };

const isSyncMessage = (data: unknown): data is SyncMessage => {
  if (typeof data !== 'object' || data === null) return false;
  const message = data as Record<string, unknown>;
  if (message.type === 'logout') return true;
  const token = message.token as Record<string, unknown> | undefined;
  return message.type === 'token' && typeof token?.access_token === 'string';
};

/**
 * Keeps the tabs of one origin in step: new tokens and logouts are stored and announced on a
 * BroadcastChannel (same origin only), and what other tabs announce comes back as events. It also
 * turns `visibilitychange` (visible) and `online` into `WAKE`, because background tabs throttle
 * timers and the refresh deadline is wall-clock.
 */
export function createTabSync(getRuntime: GetRuntime) {
  return fromCallback<TabSyncCommand, TabSyncInput, TabSyncSignal>(({ input, sendBack, receive, system }) => {
    const runtime = getRuntime(system);
    const win = runtime.window;
    const channel =
      typeof BroadcastChannel === 'function'
        ? new BroadcastChannel(`authcharts:session:${input.config.clientId}`)
        : undefined;
    if (channel) {
      channel.onmessage = (event: MessageEvent) => {
        if (!isSyncMessage(event.data)) return;
        sendBack(
          event.data.type === 'token'
            ? { type: 'REMOTE.TOKEN', token: event.data.token }
            : { type: 'REMOTE.LOGOUT' },
        );
      };
    }
    const onVisibility = () => {
      if (win?.document?.visibilityState === 'visible') sendBack({ type: 'WAKE' });
    };
    const onOnline = () => sendBack({ type: 'WAKE' });
    win?.document?.addEventListener?.('visibilitychange', onVisibility);
    win?.addEventListener?.('online', onOnline);
    receive((command) => {
      if (command.type === 'SYNC.TOKEN') {
        void saveToken(runtime.tokenStore, command.token);
        channel?.postMessage({ type: 'token', token: command.token } satisfies SyncMessage);
      } else {
        // A logout or a refused refresh: nothing stored may outlive it in any tab.
        void clearToken(runtime.tokenStore);
        channel?.postMessage({ type: 'logout' } satisfies SyncMessage);
      }
    });
    return () => {
      channel?.close();
      win?.document?.removeEventListener?.('visibilitychange', onVisibility);
      win?.removeEventListener?.('online', onOnline);
    };
  });
}
