import { fromCallback } from 'xstate';
import { isRelayMessage, relayChannelName } from '../src/popupRelay.js';
import type { GetRuntime } from './runtime.js';

/** Events the popup window actor sends its machine. */
export type PopupWindowEvent =
  | { type: 'POPUP.BLOCKED' }
  | { type: 'POPUP.CLOSED' }
  | { type: 'POPUP.CALLBACK'; url: string };

/** What the machine tells the popup once the authorize URL is ready. */
export interface NavigatePopupEvent {
  type: 'POPUP.NAVIGATE';
  url: string;
  popupId: string;
}

export interface PopupWindowInput {
  /** `window.open` features, e.g. `width=600,height=800`. */
  features: string;
}

/** How often the popup's `closed` flag is read (there is no event for it). */
const CLOSED_POLL_MS = 250;

/**
 * Owns the login popup. It opens `about:blank` at once, inside the user's click, because the
 * authorize URL needs async crypto first and a later `window.open` would be blocked. When the
 * machine sends `POPUP.NAVIGATE`, it points the popup at the authorize URL and listens for the
 * callback on the popup's BroadcastChannel and through `postMessage` from that very window and
 * this exact origin (RFC 9700 §4.17). Stopping the actor closes the popup and every listener.
 */
export function createPopupWindow(getRuntime: GetRuntime) {
  return fromCallback<NavigatePopupEvent, PopupWindowInput, PopupWindowEvent>(
    ({ input, sendBack, receive, system }) => {
      const win = getRuntime(system).window;
      const popup = win?.open('about:blank', '_blank', input.features) ?? null;
      if (!win || !popup || popup.closed) {
        sendBack({ type: 'POPUP.BLOCKED' });
        return;
      }
      let popupId: string | undefined;
      let channel: BroadcastChannel | undefined;
      const deliver = (data: unknown) => {
        if (popupId !== undefined && isRelayMessage(data) && data.popupId === popupId) {
          sendBack({ type: 'POPUP.CALLBACK', url: data.url });
        }
      };
      const onMessage = (event: MessageEvent) => {
        if (event.origin === win.location.origin && event.source === popup) deliver(event.data);
      };
      win.addEventListener('message', onMessage);
      receive((event) => {
        popupId = event.popupId;
        if (typeof BroadcastChannel === 'function') {
          channel = new BroadcastChannel(relayChannelName(event.popupId));
          channel.onmessage = (message) => deliver(message.data);
        }
        popup.location.href = event.url;
      });
      const closedWatch = setInterval(() => {
        if (popup.closed) {
          clearInterval(closedWatch);
          sendBack({ type: 'POPUP.CLOSED' });
        }
      }, CLOSED_POLL_MS);
      return () => {
        clearInterval(closedWatch);
        win.removeEventListener('message', onMessage);
        channel?.close();
        if (!popup.closed) popup.close();
      };
    },
  );
}
