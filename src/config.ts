import { ConfigError } from './errors.js';
import { type Endpoints, type Profile, profiles, rfcProfile } from './profiles.js';
import type { Token } from './token.js';
import type { TokenStorageOption } from './tokenStore.js';
import type { TransactionStorage } from './transactionStore.js';

/**
 * What `collectPreauthCatalog` receives: Webex's preauth-catalog hint, the `emailhash` carried in
 * `state`, else (webex profile) the org id taken from the code, else nothing.
 */
export type PreauthHint =
  | {
      /** SHA-256 (hex) of the trimmed, lower-cased email passed to `initiateLogin`. */
      emailhash: string;
    }
  | {
      /** The third `_`-separated segment of a Webex authorization code. */
      orgId: string;
    }
  | undefined;

/** Popup window settings; features can also be overridden per call with `separateWindow`. */
export interface PopupConfig {
  /** Popup width in CSS pixels (default 600). */
  width?: number;
  /** Popup height in CSS pixels (default 800). */
  height?: number;
  /** How long to wait for the user to finish in the popup, in ms (default 5 minutes). */
  timeout?: number;
  /**
   * How long a popup that looks closed may still deliver its result before the login fails with
   * `PopupClosedError`, in ms (default 1000). A login page sent with
   * `Cross-Origin-Opener-Policy: same-origin` cuts the opener's handle, so the popup looks closed
   * at once while the user is still signing in; its result still arrives (over the
   * BroadcastChannel). Behind such a server raise this, up to `timeout`: a popup the user really
   * closes is then reported only after this long.
   */
  closedGrace?: number;
}

/** An observer for xstate inspection events, as `createActor(..., { inspect })` takes it. */
export type InspectOption =
  | ((inspectionEvent: import('xstate').InspectionEvent) => void)
  | {
      /** Receives every inspection event of the root actor and its descendants. */
      next?: (inspectionEvent: import('xstate').InspectionEvent) => void;
    };

/** The configuration `createAuthorization` takes (camelCase). */
export interface AuthorizationConfig {
  /** The client identifier registered at the authorization server (RFC 6749 §2.2). */
  clientId: string;
  /**
   * The registered redirection endpoint (RFC 6749 §3.1.2), sent as `redirect_uri` and matched
   * exactly by the server (RFC 9700 §4.1). The page at this URL must create an instance too: that
   * is where the callback is processed (or, for a popup, relayed to the opener).
   */
  redirectUri: string;
  /** Space-separated scopes (RFC 6749 §3.3); sent as given, or left out when absent. */
  scope?: string;
  /** Issuer identifier: enables discovery (RFC 8414) and the `iss` check (RFC 9207). */
  issuer?: string;
  /** Explicit endpoints; they win over discovered ones and over the profile's. */
  endpoints?: Endpoints;
  /** Webex profile: base URL of the oauth-helper service (device endpoints). */
  oauthHelperUrl?: string;
  /**
   * The server dialect: `'rfc'` (default), `'webex'` (IdBroker endpoints and quirks), or a partial
   * {@link Profile} merged over `rfc`.
   */
  profile?: 'rfc' | 'webex' | Partial<Profile>;
  /** Confidential clients in Node only: never ship a secret to a browser. */
  clientSecret?: string;
  /**
   * Refreshes through the app (e.g. its backend, which holds the client secret): called with this
   * instance and the current token, it must resolve to an object with `access_token` (Webex SDK).
   */
  refreshCallback?: (auth: unknown, token: Token) => unknown;
  /**
   * Legacy public clients only: log in with the implicit grant (`response_type=token`, the token
   * in the fragment). Deprecated by the browser-apps BCP §7.2; off unless set.
   */
  implicitGrant?: boolean;
  /**
   * Refresh ahead of expiry on a timer (default: in a browser only). A backend that creates one
   * instance per request must not leave timers behind that rotate refresh tokens later.
   */
  refreshAhead?: boolean;
  /** Where the supertoken is kept: 'local' (default, shared by tabs), 'session', 'memory', or an adapter. */
  tokenStorage?: TokenStorageOption;
  /** Called with the Webex-style preauth hint while the code is exchanged. Errors are ignored. */
  collectPreauthCatalog?: (hint: PreauthHint) => unknown;
  /** Rewrites the device flow's verification URI before it is shown. */
  transformVerificationUri?: (uri: string) => string;
  /** Where the login transaction waits for the redirect (default `sessionStorage`). */
  storage?: TransactionStorage;
  /** The window to read and clean the URL of and to open popups from (default: the global one). */
  window?: Window;
  /** The fetch used for every request (default: the global one). */
  fetch?: typeof fetch;
  /** Passed to the root actor: watch every machine in the Stately inspector. */
  inspect?: InspectOption;
  /** Popup size and timeout for `initiateLogin({ separateWindow })`. */
  popup?: PopupConfig;
  /**
   * How long one request to the authorization server (discovery, token, device, refresh,
   * revocation) may take, answer body included, in ms (default 30 s). A server that does not
   * answer in time fails the request with a `RequestTimeoutError`, so no flow waits forever.
   */
  requestTimeout?: number;
}

/**
 * The part of the configuration that machines carry in their context: plain, serialisable data
 * without secrets or functions, so the inspector and model-based tests can show it.
 */
export interface ResolvedConfig {
  /** `clientId` as configured. */
  clientId: string;
  /** `redirectUri` as configured. */
  redirectUri: string;
  /** `scope` as configured. */
  scope: string | undefined;
  /** `issuer` as configured: discovery (RFC 8414) and the `iss` check (RFC 9207) use it. */
  issuer: string | undefined;
  /** Endpoints named in the config (explicit, or derived from `oauthHelperUrl`); they win over discovery. */
  endpoints: Endpoints;
  /** The resolved dialect (`rfc`, `webex`, or a custom profile merged over `rfc`). */
  profile: Profile;
  /** Webex oauth-helper base URL (device endpoints and the QR deep link's `oauthhelper`). */
  oauthHelperUrl: string | undefined;
  /** The legacy implicit grant is on (opt-in). */
  implicitGrant: boolean;
  /** Refresh ahead of expiry on a timer (browsers by default). */
  refreshAhead: boolean;
  /** Whether a `refreshCallback` is configured (the function itself stays out of context). */
  hasRefreshCallback: boolean;
  /** Whether a client secret is configured (the secret itself never enters context). */
  confidential: boolean;
  /** Popup settings with defaults applied. */
  popup: {
    /** Width in CSS pixels (default 600). */
    width: number;
    /** Height in CSS pixels (default 800). */
    height: number;
    /** How long the user has to finish in the popup, in ms (default 5 minutes). */
    timeoutMs: number;
    /** How long a closed popup's result may still take to arrive before `PopupClosedError`, in ms. */
    closedGraceMs: number;
  };
  /** The per-request limit (`requestTimeout`), in ms. */
  requestTimeoutMs: number;
}

const DEFAULT_POPUP_TIMEOUT_MS = 5 * 60_000;
/** A popup that closes right after relaying its result must not be reported as closed by the user. */
const POPUP_CLOSED_GRACE_MS = 1_000;
const DEFAULT_REQUEST_TIMEOUT_MS = 30_000;
/** `setTimeout` fires at once beyond 2^31 - 1 ms: a longer limit would be no limit at all. */
const MAX_TIMER_MS = 2_147_483_647;

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** `http:` is only acceptable on loopback (RFC 8252 §8.3); everything else must be `https:`. */
export function isLoopbackHttp(url: URL): boolean {
  return (
    url.protocol === 'http:' &&
    (url.hostname === 'localhost' || url.hostname === '[::1]' || /^127(\.\d{1,3}){3}$/.test(url.hostname))
  );
}

function checkEndpointUrl(field: string, value: unknown): string {
  if (typeof value !== 'string' || value === '')
    throw new ConfigError(field, 'must be an absolute URL string');
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new ConfigError(field, 'must be an absolute URL');
  }
  if (url.protocol !== 'https:' && !isLoopbackHttp(url)) {
    throw new ConfigError(field, 'must use https: (http: is only allowed on loopback addresses)');
  }
  return value;
}

function checkFunction(config: Record<string, unknown>, field: string): void {
  if (config[field] !== undefined && typeof config[field] !== 'function') {
    throw new ConfigError(field, 'must be a function');
  }
}

function resolveProfile(value: unknown): Profile {
  if (value === undefined) return rfcProfile;
  if (value === 'rfc' || value === 'webex') return profiles[value];
  if (!isRecord(value)) throw new ConfigError('profile', `must be 'rfc', 'webex' or an object`);
  const custom = value as Partial<Profile>;
  return {
    ...rfcProfile,
    ...custom,
    name: typeof custom.name === 'string' ? custom.name : 'custom',
    device: { ...rfcProfile.device, ...custom.device },
  };
}

function resolveEndpoints(config: Record<string, unknown>, profile: Profile): Endpoints {
  const explicit = config.endpoints;
  if (explicit !== undefined && !isRecord(explicit)) throw new ConfigError('endpoints', 'must be an object');
  const endpoints: Endpoints = {};
  if (config.oauthHelperUrl !== undefined) {
    const base = checkEndpointUrl('oauthHelperUrl', config.oauthHelperUrl).replace(/\/+$/, '');
    if (!profile.deviceEndpointPaths) {
      throw new ConfigError(
        'oauthHelperUrl',
        `has no meaning for the '${profile.name}' profile (use 'webex')`,
      );
    }
    endpoints.deviceAuthorization = base + profile.deviceEndpointPaths.deviceAuthorization;
    endpoints.deviceToken = base + profile.deviceEndpointPaths.deviceToken;
  }
  const names: Array<keyof Endpoints> = [
    'authorization',
    'token',
    'deviceAuthorization',
    'deviceToken',
    'revocation',
    'endSession',
  ];
  for (const [key, value] of Object.entries(explicit ?? {})) {
    if (!names.includes(key as keyof Endpoints)) {
      throw new ConfigError(`endpoints.${key}`, `is not a known endpoint (${names.join(', ')})`);
    }
    if (value !== undefined) endpoints[key as keyof Endpoints] = checkEndpointUrl(`endpoints.${key}`, value);
  }
  return endpoints;
}

function resolvePopup(value: unknown): ResolvedConfig['popup'] {
  if (value !== undefined && !isRecord(value)) throw new ConfigError('popup', 'must be an object');
  const popup = (value ?? {}) as Record<string, unknown>;
  const positive = (field: string, fallback: number): number => {
    const v = popup[field];
    if (v === undefined) return fallback;
    if (typeof v !== 'number' || !Number.isFinite(v) || v <= 0) {
      throw new ConfigError(`popup.${field}`, 'must be a positive number');
    }
    return v;
  };
  return {
    width: positive('width', 600),
    height: positive('height', 800),
    timeoutMs: positive('timeout', DEFAULT_POPUP_TIMEOUT_MS),
    closedGraceMs: positive('closedGrace', POPUP_CLOSED_GRACE_MS),
  };
}

function resolveRequestTimeout(value: unknown): number {
  if (value === undefined) return DEFAULT_REQUEST_TIMEOUT_MS;
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
    throw new ConfigError('requestTimeout', 'must be a positive number of milliseconds');
  }
  if (value > MAX_TIMER_MS) {
    throw new ConfigError('requestTimeout', `must be at most ${MAX_TIMER_MS} ms (the timer limit)`);
  }
  return value;
}

/**
 * Checks the configuration and resolves what the machines need. Every problem throws a
 * `ConfigError` naming the field, so a typo fails at `createAuthorization` and not halfway
 * through a login. `inBrowser` refuses a client secret where any user could read it
 * (OAuth 2.0 for Browser-Based Apps §6.3.3.1).
 */
export function resolveConfig(config: AuthorizationConfig, inBrowser: boolean): ResolvedConfig {
  if (!isRecord(config)) throw new ConfigError('config', 'must be an object');
  const raw = config as unknown as Record<string, unknown>;
  if (typeof raw.clientId !== 'string' || raw.clientId === '') {
    throw new ConfigError('clientId', 'is required and must be a non-empty string');
  }
  if (typeof raw.redirectUri !== 'string' || !URL.canParse(raw.redirectUri)) {
    throw new ConfigError('redirectUri', 'is required and must be an absolute URL');
  }
  if (raw.scope !== undefined && typeof raw.scope !== 'string') {
    throw new ConfigError('scope', 'must be a space-separated string');
  }
  const issuer = raw.issuer === undefined ? undefined : checkEndpointUrl('issuer', raw.issuer);
  if (raw.clientSecret !== undefined) {
    if (typeof raw.clientSecret !== 'string' || raw.clientSecret === '') {
      throw new ConfigError('clientSecret', 'must be a non-empty string');
    }
    if (inBrowser) {
      throw new ConfigError(
        'clientSecret',
        'must not be used in a browser, where every user can read it; browser clients are public and use PKCE',
      );
    }
  }
  for (const field of ['collectPreauthCatalog', 'transformVerificationUri', 'fetch'])
    checkFunction(raw, field);
  if (raw.storage !== undefined) {
    const storage = raw.storage;
    if (!isRecord(storage)) throw new ConfigError('storage', 'must be a Storage');
    for (const method of ['getItem', 'setItem', 'removeItem']) {
      if (typeof storage[method] !== 'function') {
        throw new ConfigError('storage', `must implement ${method}() like sessionStorage`);
      }
    }
  }
  if (raw.inspect !== undefined && typeof raw.inspect !== 'function' && !isRecord(raw.inspect)) {
    throw new ConfigError('inspect', 'must be an inspection observer or function');
  }
  const profile = resolveProfile(raw.profile);
  const endpoints = resolveEndpoints(raw, profile);
  for (const name of ['authorization', 'token'] as const) {
    if (!issuer && !endpoints[name] && !profile.endpoints[name]) {
      throw new ConfigError(`endpoints.${name}`, 'is required when no issuer is given to discover it from');
    }
  }
  return {
    clientId: raw.clientId,
    redirectUri: raw.redirectUri,
    scope: raw.scope as string | undefined,
    issuer,
    endpoints,
    profile,
    oauthHelperUrl:
      typeof raw.oauthHelperUrl === 'string' ? raw.oauthHelperUrl.replace(/\/+$/, '') : undefined,
    implicitGrant: raw.implicitGrant === true,
    refreshAhead: typeof raw.refreshAhead === 'boolean' ? raw.refreshAhead : inBrowser,
    hasRefreshCallback: raw.refreshCallback !== undefined,
    confidential: raw.clientSecret !== undefined,
    popup: resolvePopup(raw.popup),
    requestTimeoutMs: resolveRequestTimeout(raw.requestTimeout),
  };
}
