import { fromPromise } from 'xstate';
import { sanitizeCallbackUrl } from '../src/callbackUrl.js';
import { createRelayMessage, relayChannelName } from '../src/popupRelay.js';
import type { GetRuntime } from './runtime.js';

export interface RelayToOpenerInput {
  href: string;
  popupId: string;
  /** Also clean an implicit-grant fragment (opt-in only): the popup may not close (a tab opened by hand). */
  fragment: boolean;
}

/**
 * Runs in the popup after the server redirected it back: hands the callback URL to the page
 * that opened it (which holds the transaction and does the exchange), cleans its own address
 * bar, and closes. Both channels stay inside this origin.
 */
export function createRelayToOpener(getRuntime: GetRuntime) {
  return fromPromise<void, RelayToOpenerInput>(async ({ input, system }) => {
    const win = getRuntime(system).window;
    if (!win) throw new TypeError('There is no window to relay the popup result from');
    const message = createRelayMessage(input.popupId, input.href);
    if (typeof BroadcastChannel === 'function') {
      const channel = new BroadcastChannel(relayChannelName(input.popupId));
      channel.postMessage(message);
      channel.close();
    }
    win.opener?.postMessage(message, win.location.origin);
    win.history.replaceState(
      win.history.state,
      '',
      sanitizeCallbackUrl(input.href, { fragment: input.fragment }),
    );
    win.close();
  });
}
