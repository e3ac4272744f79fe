/**
 * The browser test page's script: a minimal app on the built library. It creates one
 * authorization instance from the served config, wires the page's buttons to the login calls
 * (so a real click gives Chromium's popup blocker the user gesture it wants), shows a status
 * line, records every event, and exposes hooks on `window.e2e` for the tests.
 *
 * The library arrives as a parameter: the bundle's entry imports `dist/src/index.js` (what the
 * package publishes) and hands it over, so this file only borrows the types from the sources.
 */
import type * as Authcharts from '../../../src/index.js';
import {
  AUTOSTART_PARAM,
  CONFIG_GLOBAL,
  type LoginResult,
  type PageStatus,
  POPUP_CLOSED_GRACE_PARAM,
  type RecordedError,
  type RecordedEvent,
  type TestPageConfig,
  type TestPageHooks,
} from './contract.js';

/** Keys whose values are secrets (tokens, codes, verifiers): recorded as `[redacted]`. */
const SECRET_KEY = /token|code_verifier|device_code|^code$/i;

const recordError = (error: unknown): RecordedError => {
  const value = error instanceof Error ? error : new Error(String(error));
  const code = (value as { code?: unknown }).code;
  return { name: value.name, code: typeof code === 'string' ? code : undefined, message: value.message };
};

/** A URL without its query and fragment: the authorize URL's `state` carries the CSRF token. */
const withoutQuery = (href: string): string => {
  try {
    const url = new URL(href);
    return `${url.origin}${url.pathname}`;
  } catch {
    return '[not a URL]';
  }
};

function recordData(data: unknown): Record<string, unknown> | undefined {
  if (typeof data !== 'object' || data === null) return undefined;
  const recorded: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(data)) {
    if (value instanceof Error) recorded[key] = recordError(value);
    else if (SECRET_KEY.test(key)) recorded[key] = '[redacted]';
    else if (key === 'loginUrl' && typeof value === 'string') recorded[key] = withoutQuery(value);
    else recorded[key] = value;
  }
  return recorded;
}

async function fingerprint(token: Authcharts.Token | undefined): Promise<string | undefined> {
  if (!token) return undefined;
  const bytes = new TextEncoder().encode(`${token.access_token} ${token.refresh_token ?? ''}`);
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', bytes));
  return Array.from(digest.slice(0, 8), (byte) => byte.toString(16).padStart(2, '0')).join('');
}

const settle = (call: Promise<void>): Promise<LoginResult> =>
  call.then(
    (): LoginResult => ({ settled: 'resolved' }),
    (error: unknown): LoginResult => ({ settled: 'rejected', error: recordError(error) }),
  );

/** Starts the test app with the built library. */
export function startTestApp(lib: typeof Authcharts): void {
  const config = (globalThis as Record<string, unknown>)[CONFIG_GLOBAL] as TestPageConfig | undefined;
  if (!config) throw new Error('The page config did not load (/config.js)');

  // The page's handle on whatever it opens, so a test can see what the opener sees (COOP).
  let openedWindow: Window | null = null;
  const open = window.open.bind(window);
  window.open = (...args: Parameters<typeof window.open>) => {
    openedWindow = open(...args);
    return openedWindow;
  };

  const closedGrace = new URLSearchParams(location.search).get(POPUP_CLOSED_GRACE_PARAM);
  const auth = lib.createAuthorization({
    clientId: config.clientId,
    redirectUri: config.redirectUri,
    issuer: config.issuer,
    scope: 'openid',
    ...(closedGrace ? { popup: { closedGrace: Number(closedGrace) } } : {}),
  });

  const statusLine = document.getElementById('status');
  const userCodeLine = document.getElementById('user-code');
  const render = () => {
    if (statusLine) statusLine.textContent = auth.credentials.canAuthorize ? 'Signed in' : 'Signed out';
  };

  const events: RecordedEvent[] = [];
  for (const channel of Object.values(lib.Events)) {
    auth.eventEmitter.on(channel, (event) => {
      const { eventType } = event;
      events.push({
        channel,
        eventType,
        data: 'data' in event ? recordData(event.data) : undefined,
        userData: 'userData' in event ? recordData(event.userData) : undefined,
      });
      render();
    });
  }
  // A QR login shows the code the user will see again on their phone.
  auth.eventEmitter.on(lib.Events.qRCodeLogin, (event) => {
    if (event.eventType === 'getUserCodeSuccess' && userCodeLine) {
      userCodeLine.textContent = event.userData.userCode;
    }
  });

  const hooks: TestPageHooks = {
    ready: auth.whenReady().then((result) => {
      render();
      return { outcome: result.outcome, error: result.error ? recordError(result.error) : undefined };
    }),
    events,
    lastLogin: undefined,
    status(): PageStatus {
      return {
        text: statusLine?.textContent ?? '',
        canAuthorize: auth.credentials.canAuthorize,
        isAuthorizing: auth.isAuthorizing,
        href: location.href,
      };
    },
    tokenFingerprint: () => fingerprint(auth.credentials.supertoken),
    async userinfo() {
      const accessToken = await auth.credentials.getAccessToken();
      const response = await fetch(`${config.issuer}/me`, {
        headers: { authorization: `Bearer ${accessToken}` },
      });
      const body = response.ok ? ((await response.json()) as { sub?: unknown }) : {};
      return { status: response.status, sub: typeof body.sub === 'string' ? body.sub : undefined };
    },
    refresh: () => settle(auth.refresh()),
    openedWindowClosed: () => openedWindow?.closed,
  };
  (window as unknown as { e2e: TestPageHooks }).e2e = hooks;

  const login = async (options?: Authcharts.LoginOptions) => {
    hooks.lastLogin = await settle(auth.initiateLogin(options));
  };
  document.getElementById('login-redirect')?.addEventListener('click', () => void login());
  document
    .getElementById('login-popup')
    ?.addEventListener('click', () => void login({ separateWindow: true }));
  document.getElementById('login-qr')?.addEventListener('click', () => auth.initQRCodeLogin());

  // A popup login nobody clicked for: Chromium's popup blocker sees no user gesture.
  if (new URLSearchParams(location.search).get(AUTOSTART_PARAM) === 'popup') {
    void auth.whenReady().then(() => login({ separateWindow: true }));
  }
}
