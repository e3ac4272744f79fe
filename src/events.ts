/** The channels of `auth.eventEmitter` (also `auth.Events`), as in the Webex plugin. */
export const Events = Object.freeze({
  login: 'login',
  qRCodeLogin: 'qRCodeLogin',
  session: 'session',
} as const);

/** What `authorizationSuccess` on the `login` channel reports: no token, just what happened. */
export interface LoginSuccessData {
  /** How the code arrived: the page's own redirect, a popup, or `requestAuthorizationCodeGrant`. */
  via: 'redirect' | 'popup' | 'code';
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

/** The mitt event map of `auth.eventEmitter`. */
export type AuthorizationEvents = {
  login: LoginEvent;
};

/** The machines emit each payload with its channel as `type`; the facade forwards it to mitt. */
export type LoginEmitted = { type: 'login' } & LoginEvent;
