/**
 * The message a popup sends its opener after the authorization server redirected it back.
 * It travels on a BroadcastChannel named after the popup (it survives Cross-Origin-Opener-Policy
 * cutting `window.opener`) and by `postMessage` to the exact origin (RFC 9700 §4.17).
 */
export interface PopupRelayMessage {
  type: 'authcharts:popup-callback';
  popupId: string;
  /** The callback URL the popup landed on; only the opener that started the login can use it. */
  url: string;
}

/** The BroadcastChannel a popup login's result travels on. */
export function relayChannelName(popupId: string): string {
  return `authcharts:popup:${popupId}`;
}

export function createRelayMessage(popupId: string, url: string): PopupRelayMessage {
  return { type: 'authcharts:popup-callback', popupId, url };
}

/** Checks the shape of anything that arrives on the channel or through `postMessage`. */
export function isRelayMessage(data: unknown): data is PopupRelayMessage {
  if (typeof data !== 'object' || data === null) return false;
  const message = data as Record<string, unknown>;
  return (
    message.type === 'authcharts:popup-callback' &&
    typeof message.popupId === 'string' &&
    typeof message.url === 'string'
  );
}
