/** The channels of `auth.eventEmitter` (also `auth.Events`), as in the Webex plugin. */
export const Events = Object.freeze({
  /** Redirect, popup and code-grant logins: `initiateLogin`, `redirectToLoginUrl`, outcome events. */
  login: 'login',
  /** Device authorization (QR-code login, RFC 8628): codes, polling, outcome, cancel. */
  qRCodeLogin: 'qRCodeLogin',
  /** The stored token: set, refreshed, refresh failures, re-login needed, logout. */
  session: 'session',
} as const);

/** What `authorizationSuccess` on the `login` channel reports: no token, just what happened. */
export interface LoginSuccessData {
  /** How the code arrived: the page's own redirect, a popup, or `requestAuthorizationCodeGrant`. */
  via: 'redirect' | 'popup' | 'code' | 'implicit';
  /** The granted scope, when the server said (RFC 6749 §5.1). */
  scope: string | undefined;
  /** When the access token expires (ms epoch), if the server said. */
  expires: number | undefined;
}

/** Payloads of the `login` channel. */
export type LoginEvent =
  | {
      /** `initiateLogin()` was called. */
      eventType: 'initiateLogin';
      /** What the call carried, without the values. */
      data: {
        /** An `email` was given (it is hashed, never sent). */
        hasEmail: boolean;
        /** A `state` was given (`state !== undefined`, so `{}` counts). */
        hasState: boolean;
      };
    }
  | {
      /** The authorize URL is built; the page or popup is about to go there. */
      eventType: 'redirectToLoginUrl';
      /** The URL. */
      data: {
        /** The authorize URL; it carries `state` (with the CSRF token): do not log it. */
        loginUrl: string;
      };
    }
  | {
      /** A redirect, popup, implicit or code-grant login stored a token. */
      eventType: 'authorizationSuccess';
      /** How it happened; read the token from `credentials.supertoken`. */
      data: LoginSuccessData;
    }
  | {
      /** A redirect, popup or code-grant login failed. */
      eventType: 'authorizationFailure';
      /** Why. */
      data: {
        /** A typed error: an {@link OAuthError} subclass or an {@link AuthchartsError}. */
        error: Error;
      };
    };

/** `getUserCodeFailure`/`authorizationFailure` data: a message, plus the OAuth error body if any. */
export interface DeviceFailureData {
  /** A human-readable reason (`'Authorization timed out'` when the codes expired). */
  message: string;
  /** The OAuth `error` code when the server sent one (RFC 8628 §3.5), e.g. `access_denied`. */
  error?: string;
  /** The server's `error_description`, if any. */
  error_description?: string | undefined;
}

/** What `getUserCodeSuccess` carries (under `userData`, as in Webex). */
export interface UserCodeData {
  /** The code the user types (RFC 8628 §3.2 `user_code`): always show it as text too (§3.3). */
  userCode: string;
  /** Where the user types it (RFC 8628 §3.2 `verification_uri`). */
  verificationUri: string;
  /** The URI to encode in the QR code (already rewritten by the profile or the hook). */
  verificationUriComplete: string | undefined;
}

/** Payloads of the `qRCodeLogin` channel (device authorization, RFC 8628). */
export type QRCodeLoginEvent =
  | {
      /** The device code arrived (RFC 8628 §3.2): show the user code and the QR code. */
      eventType: 'getUserCodeSuccess';
      /** What to show (under `userData`, as in Webex). */
      userData: UserCodeData;
    }
  | {
      /** The device code request failed, or a flow is already running. */
      eventType: 'getUserCodeFailure';
      /** Why. */
      data: DeviceFailureData;
    }
  | {
      /** A poll answered "pending" (RFC 8628 §3.5 `authorization_pending`, or Webex's 428). */
      eventType: 'authorizationPending';
      /** The server's answer body. */
      data: Record<string, unknown>;
    }
  | {
      /** Tokens arrived and are stored (`credentials.supertoken` is set). */
      eventType: 'authorizationSuccess';
      /** The token response (RFC 6749 §5.1), as in Webex: do not log it. */
      data: Record<string, unknown>;
    }
  | {
      /** The user denied, the codes expired, or polling failed for good. */
      eventType: 'authorizationFailure';
      /** Why. */
      data: DeviceFailureData;
    }
  | {
      /** `cancelQRCodePolling()` stopped a running flow. */
      eventType: 'pollingCanceled';
    };

/** What the session events say about a token: never the token itself. */
export interface TokenData {
  /** The granted scope, when the server said. */
  scope: string | undefined;
  /** When the access token expires (ms epoch), if known. */
  expires: number | undefined;
}

/** Payloads of the `session` channel. */
export type SessionEvent =
  | {
      /** A login stored a token here, or another tab logged in while this one had none. */
      eventType: 'tokenSet';
      /** The new token's scope and expiry. */
      data: TokenData;
    }
  | {
      /** This tab refreshed the token (RFC 6749 §6). */
      eventType: 'tokenRefreshed';
      /** The new token's scope and expiry. */
      data: TokenData;
    }
  | {
      /** A refresh failed for a network or server reason: the token is kept, the refresh retried. */
      eventType: 'refreshFailure';
      /** Why. */
      data: {
        /** A `NetworkError`, `RequestTimeoutError`, `ProtocolError` or a non-grant `OAuthError`. */
        error: Error;
      };
    }
  | {
      /** The token endpoint refused the grant (`invalid_grant` …): tokens removed, log in again. */
      eventType: 'reauthRequired';
      /** Why. */
      data: {
        /** One of the six RFC 6749 §5.2 grant errors, e.g. `InvalidGrantError`. */
        error: Error;
      };
    }
  | {
      /** The session ended here or in another tab. */
      eventType: 'logout';
      /** Where it ended. */
      data: {
        /** `true` when another tab logged out. */
        remote: boolean;
      };
    };

/** The mitt event map of `auth.eventEmitter`. */
export type AuthorizationEvents = {
  /** `Events.login`: redirect, popup and code-grant logins. */
  login: LoginEvent;
  /** `Events.qRCodeLogin`: device authorization (QR-code login). */
  qRCodeLogin: QRCodeLoginEvent;
  /** `Events.session`: the stored token. */
  session: SessionEvent;
};

/** The machines emit each payload with its channel as `type`; the facade forwards it to mitt. */
export type LoginEmitted = { type: 'login' } & LoginEvent;

export type QRCodeLoginEmitted = { type: 'qRCodeLogin' } & QRCodeLoginEvent;

export type SessionEmitted = { type: 'session' } & SessionEvent;
