/**
 * What the browser test page and the tests agree on: the config the page server hands the page,
 * and the hooks the page puts on `window.e2e` for the tests to drive and read it. Types only, so
 * the tests can import this file without pulling browser code into Node.
 */

/** Served by the page server as `/config.js` once the authorization server is running. */
export interface TestPageConfig {
  issuer: string;
  clientId: string;
  redirectUri: string;
}

/** The global `/config.js` assigns. */
export const CONFIG_GLOBAL = '__AUTHCHARTS_E2E_CONFIG__';

/** The query parameter that makes the page start a popup login as soon as it is ready. */
export const AUTOSTART_PARAM = 'autostart';

/** The query parameter that sets the page's `popup.closedGrace` (ms). */
export const POPUP_CLOSED_GRACE_PARAM = 'popupClosedGrace';

/** An error as the page records it: enough to tell which typed error it was, nothing more. */
export interface RecordedError {
  name: string;
  code: string | undefined;
  message: string;
}

/**
 * One event from `auth.eventEmitter`, made serialisable: errors become {@link RecordedError},
 * URLs lose their query (the authorize URL's `state` holds the CSRF token) and token fields are
 * replaced by `[redacted]`, so a failing test can print the list without leaking a secret.
 */
export interface RecordedEvent {
  channel: string;
  eventType: string;
  data: Record<string, unknown> | undefined;
  userData: Record<string, unknown> | undefined;
}

/** How the last login started from the page ended. */
export type LoginResult = { settled: 'resolved' } | { settled: 'rejected'; error: RecordedError };

/** What the user sees on the page, and what the facade says about it. */
export interface PageStatus {
  /** The page's status line: `Signed in` or `Signed out`. */
  text: string;
  canAuthorize: boolean;
  isAuthorizing: boolean;
  href: string;
}

/** How `auth.whenReady()` ended. */
export interface ReadySummary {
  outcome: 'none' | 'authorized' | 'failed';
  error: RecordedError | undefined;
}

/** The page's hooks on `window.e2e`. */
export interface TestPageHooks {
  /** `auth.whenReady()`, summarised. */
  ready: Promise<ReadySummary>;
  /** Every event the instance emitted, in order. */
  events: RecordedEvent[];
  /** How the last popup or redirect login call settled; `undefined` while none has. */
  lastLogin: LoginResult | undefined;
  status(): PageStatus;
  /**
   * A short SHA-256 fingerprint of the current access and refresh tokens: tests compare tokens
   * across tabs and reloads without the tokens themselves ever leaving the page.
   */
  tokenFingerprint(): Promise<string | undefined>;
  /** Calls the server's userinfo endpoint with `credentials.getAccessToken()`, as an app would. */
  userinfo(): Promise<{ status: number; sub: string | undefined }>;
  /** `auth.refresh()`, settled into a result. */
  refresh(): Promise<LoginResult>;
  /** Whether the page's handle on the last window it opened reports `closed` (undefined: none). */
  openedWindowClosed(): boolean | undefined;
}
