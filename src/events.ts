/** The channels of `auth.eventEmitter` (also `auth.Events`), as in the Webex plugin. */
export const Events = Object.freeze({
  login: 'login',
  qRCodeLogin: 'qRCodeLogin',
  session: 'session',
} as const);

/** What `authorizationSuccess` on the `login` channel reports: no token, just what happened. */
export interface LoginSuccessData {
  /** How the code arrived: the page's own redirect, a popup, or `requestAuthorizationCodeGrant`. */
  via: 'redirect' | 'popup' | 'code' | 'implicit';
  scope: string | undefined;
  /** When the access token expires (ms epoch), if the server said. */
  expires: number | undefined;
}

/** Payloads of the `login` channel. */
export type LoginEvent =
  | { eventType: 'initiateLogin'; data: { hasEmail: boolean; hasState: boolean } }
  | { eventType: 'redirectToLoginUrl'; data: { loginUrl: string } }
  | { eventType: 'authorizationSuccess'; data: LoginSuccessData }
  | { eventType: 'authorizationFailure'; data: { error: Error } };

/** `getUserCodeFailure`/`authorizationFailure` data: a message, plus the OAuth error body if any. */
export interface DeviceFailureData {
  message: string;
  error?: string;
  error_description?: string | undefined;
}

/** What `getUserCodeSuccess` carries (under `userData`, as in Webex). */
export interface UserCodeData {
  userCode: string;
  verificationUri: string;
  /** The URI to encode in the QR code (already rewritten by the profile or the hook). */
  verificationUriComplete: string | undefined;
}

/** Payloads of the `qRCodeLogin` channel (device authorization, RFC 8628). */
export type QRCodeLoginEvent =
  | { eventType: 'getUserCodeSuccess'; userData: UserCodeData }
  | { eventType: 'getUserCodeFailure'; data: DeviceFailureData }
  | { eventType: 'authorizationPending'; data: Record<string, unknown> }
  | { eventType: 'authorizationSuccess'; data: Record<string, unknown> }
  | { eventType: 'authorizationFailure'; data: DeviceFailureData }
  | { eventType: 'pollingCanceled' };

/** What the session events say about a token: never the token itself. */
export interface TokenData {
  scope: string | undefined;
  /** When the access token expires (ms epoch), if known. */
  expires: number | undefined;
}

/** Payloads of the `session` channel. */
export type SessionEvent =
  | { eventType: 'tokenSet'; data: TokenData }
  | { eventType: 'tokenRefreshed'; data: TokenData }
  | { eventType: 'refreshFailure'; data: { error: Error } }
  | { eventType: 'reauthRequired'; data: { error: Error } }
  | { eventType: 'logout'; data: { remote: boolean } };

/** The mitt event map of `auth.eventEmitter`. */
export type AuthorizationEvents = {
  login: LoginEvent;
  qRCodeLogin: QRCodeLoginEvent;
  session: SessionEvent;
};

/** The machines emit each payload with its channel as `type`; the facade forwards it to mitt. */
export type LoginEmitted = { type: 'login' } & LoginEvent;

export type QRCodeLoginEmitted = { type: 'qRCodeLogin' } & QRCodeLoginEvent;

export type SessionEmitted = { type: 'session' } & SessionEvent;
