/**
 * `authcharts/webex`: the Webex SDK's `Webex.init()` entry, for code written against the
 * "Usage in Browsers" guide (implicit grant, confidential code flow with a backend,
 * `refreshCallback`). It reads Webex's snake_case `config.credentials` and returns an object
 * shaped like the guide's `webex`, backed by one {@link createAuthorization} facade.
 *
 * ```js
 * import Webex from 'authcharts/webex';
 * const webex = Webex.init({ config: { credentials: { authorizationString: PORTAL_URL } } });
 * webex.once('ready', () => (webex.canAuthorize ? startApp() : webex.authorization.initiateLogin()));
 * ```
 *
 * Deviations from the Webex SDK (see docs/compat.md):
 * - Both client types log in with Authorization Code + PKCE; `implicitGrant: true` opts a public
 *   client into the legacy implicit grant (`response_type=token`, CSRF-checked fragment).
 * - A client secret is refused in a browser; in Node it authenticates with HTTP Basic.
 * - `authorizationString` without a query is a `ConfigError`, not an empty authorize URL.
 *
 * @module authcharts/webex
 */
import { type Authorization, createAuthorization, type LogoutOptions } from './authorization.js';
import type { AuthorizationConfig } from './config.js';
import { ConfigError } from './errors.js';
import type { Endpoints } from './profiles.js';
import {
  normaliseSeedToken,
  seededTokenStore,
  type WebexSeedCredentials,
  type WebexSeedToken,
  WebexSupertoken,
  type WebexTokenJSON,
} from './webexToken.js';

export { type WebexSeedCredentials, type WebexSeedToken, WebexSupertoken, type WebexTokenJSON };

/** Webex's `config.credentials`, the fields authcharts reads (snake_case, as in the SDK). */
export interface WebexCredentialsConfig {
  /**
   * The authorization URL from the developer portal. `client_id`, `redirect_uri` and `scope` are
   * taken from its query and win over the explicit fields, as in Webex; the authorize endpoint is
   * the URL before `?`. `response_type` and `state` in it are ignored.
   */
  authorizationString?: string;
  /** The client id (RFC 6749 §2.2). */
  client_id?: string;
  /** The registered redirect URI (RFC 6749 §3.1.2). */
  redirect_uri?: string;
  /** Space-separated scopes. */
  scope?: string;
  /**
   * Node (backend) only: authenticates the code exchange and refresh with HTTP Basic. Refused in a
   * browser. In Node it defaults to the `WEBEX_CLIENT_SECRET` environment variable, as in Webex.
   */
  client_secret?: string;
  /** `'public'` (default) or `'confidential'`: both use Authorization Code + PKCE here. */
  clientType?: 'public' | 'confidential';
  /** Legacy opt-in for public clients: log in with the implicit grant (`response_type=token`). */
  implicitGrant?: boolean;
  /**
   * Refreshes through the app (its backend holds the secret): called with this `webex` object and
   * the current token, it must resolve to an object with `access_token`.
   */
  refreshCallback?: (webex: WebexInstance, token: WebexSupertoken) => unknown;
  /** The authorize endpoint; overwritten by `authorizationString`. Default: Webex IdBroker. */
  authorizeUrl?: string;
  /** The token endpoint. Default: derived from the authorize URL (`…/authorize` → `…/access_token`). */
  tokenUrl?: string;
  /** The revocation endpoint (derived for IdBroker). */
  revokeUrl?: string;
  /** The end-session (logout) endpoint (derived for IdBroker). */
  logoutUrl?: string;
}

/** authcharts options with no Webex equivalent (storage, inspection, test doubles …). */
export type WebexAuthchartsOptions = Omit<
  AuthorizationConfig,
  | 'clientId'
  | 'redirectUri'
  | 'scope'
  | 'clientSecret'
  | 'refreshCallback'
  | 'implicitGrant'
  | 'endpoints'
  | 'profile'
>;

/** What `init` takes: Webex's `{ config: { credentials }, credentials }`. */
export interface WebexInitOptions {
  /** Webex's SDK config; only `credentials` (and authcharts' own `authcharts`) are read. */
  config?: {
    /** Webex's `config.credentials`. */
    credentials?: WebexCredentialsConfig;
    /** authcharts extras, passed to `createAuthorization` as they are. */
    authcharts?: WebexAuthchartsOptions;
  };
  /**
   * A token to start with (Webex's `credentials`): `{ access_token }`, `{ refresh_token }` (a
   * backend refreshing for its frontend), a `'Bearer …'` string or `{ supertoken }`. It is kept in
   * memory; nothing is stored.
   */
  credentials?: WebexSeedCredentials;
}

/** The credentials config as resolved (no secret, no callback): `webex.config.credentials`. */
export interface WebexResolvedCredentials {
  /** From `authorizationString`, else `client_id`. */
  readonly client_id: string;
  /** From `authorizationString`, else `redirect_uri`. */
  readonly redirect_uri: string;
  /** From `authorizationString`, else `scope`. */
  readonly scope: string | undefined;
  /** `'public'` unless configured `'confidential'`. */
  readonly clientType: 'public' | 'confidential';
  /** Whether the legacy implicit grant is on. */
  readonly implicitGrant: boolean;
  /** The authorize endpoint. */
  readonly authorizeUrl: string;
  /** The token endpoint. */
  readonly tokenUrl: string;
  /** The revocation endpoint (RFC 7009), if any. */
  readonly revokeUrl: string | undefined;
  /** The end-session endpoint, if any. */
  readonly logoutUrl: string | undefined;
  /** The authcharts profile in use: `'webex'` for IdBroker, `'rfc'` otherwise. */
  readonly profile: 'webex' | 'rfc';
}

/** `webex.credentials`: the facade's credentials, with Webex's token object. */
export interface WebexCredentials {
  /** The current token as Webex's `Token` (`toJSON()`, `toString()`, `expires_in` …), or undefined. */
  readonly supertoken: WebexSupertoken | undefined;
  /** True with a usable token, or one that can be refreshed. */
  readonly canAuthorize: boolean;
  /** True with a token and a way to refresh it (a refresh token or `refreshCallback`). */
  readonly canRefresh: boolean;
  /** Refreshes now; see the facade's `credentials.refresh()`. */
  refresh(): Promise<void>;
  /** Resolves a usable access token, refreshing first when it has expired. */
  getAccessToken(): Promise<string>;
}

/** What `requestAuthorizationCodeGrant` reads from its argument (e.g. an Express `req.query`). */
export interface WebexCodeGrantParams {
  /** The authorization code (RFC 6749 §4.1.2); required. */
  code?: unknown;
  /** The PKCE verifier (RFC 7636 §4.5), when the front end handed it over. */
  codeVerifier?: unknown;
  /** The same, snake_case. */
  code_verifier?: unknown;
}

/** The only event this object emits; login and session events are on `authorization.eventEmitter`. */
export type WebexEventName = 'ready';

/** The guide's `webex`. */
export interface WebexInstance {
  /** The authcharts facade (Webex's `webex.authorization`). */
  readonly authorization: Authorization;
  /** Webex's `webex.credentials`. */
  readonly credentials: WebexCredentials;
  /** The resolved config, without secret or callback. */
  readonly config: {
    /** `webex.config.credentials`. */
    readonly credentials: WebexResolvedCredentials;
  };
  /** True once the start-up redirect has been processed. */
  readonly ready: boolean;
  /** True with a usable token, or one that can be refreshed (Webex). */
  readonly canAuthorize: boolean;
  /** Refreshes the token now (Webex's `webex.refresh()`). */
  refresh(): Promise<void>;
  /** Exchanges `params.code` (e.g. an Express handler's `req.query`) for a token. */
  requestAuthorizationCodeGrant(params: WebexCodeGrantParams): Promise<void>;
  /** The facade's `logout()`: revoke (POST), clear, tell the other tabs, end the server session. */
  logout(options?: LogoutOptions): Promise<void>;
  /** Calls `listener` once, after the instance is ready (on a later tick if it already is). */
  once(event: WebexEventName, listener: (this: WebexInstance) => void): WebexInstance;
  /** The same as `once`: `ready` happens once per instance. */
  on(event: WebexEventName, listener: (this: WebexInstance) => void): WebexInstance;
  /** Forgets a `ready` listener that has not been called yet. */
  off(event: WebexEventName, listener: (this: WebexInstance) => void): WebexInstance;
  /** Stops the facade: no timer, listener or request survives (call it in backends when done). */
  stop(): void;
}

const IDBROKER_AUTHORIZE_URL = 'https://idbroker.webex.com/idb/oauth2/v1/authorize';

const FIELD_NAMES: Record<string, string> = {
  clientId: 'client_id',
  redirectUri: 'redirect_uri',
  scope: 'scope',
  clientSecret: 'client_secret',
  implicitGrant: 'implicitGrant',
  'endpoints.authorization': 'authorizeUrl',
  'endpoints.token': 'tokenUrl',
  'endpoints.revocation': 'revokeUrl',
  'endpoints.endSession': 'logoutUrl',
};

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

function optionalString(credentials: Record<string, unknown>, field: string): string | undefined {
  const value = credentials[field];
  if (value === undefined || value === null || value === '') return undefined;
  if (typeof value !== 'string') throw new ConfigError(field, 'must be a string');
  return value;
}

interface ParsedAuthorizationString {
  authorizeUrl: string;
  client_id: string | undefined;
  redirect_uri: string | undefined;
  scope: string | undefined;
}

/**
 * Reads the developer portal's URL like Webex's `Credentials.initialize`: the query gives
 * `client_id`, `redirect_uri` and `scope` (form-decoded: `%20` and `+` are spaces), the authorize
 * endpoint is everything before `?`. Tabs and line breaks are dropped, as the URL parser drops
 * them. Unlike Webex, a string without `?` is refused.
 */
export function parseAuthorizationString(value: unknown): ParsedAuthorizationString {
  if (typeof value !== 'string' || value.trim() === '') {
    throw new ConfigError('authorizationString', 'must be the authorization URL from the developer portal');
  }
  // A URL pasted across lines: the URL parser drops tabs and line breaks anywhere, so do the same.
  const text = value.trim().replace(/[\t\n\r]/g, '');
  const mark = text.indexOf('?');
  if (mark < 0) {
    throw new ConfigError(
      'authorizationString',
      'has no query: expected the full URL from the developer portal (…/authorize?client_id=…&redirect_uri=…&scope=…)',
    );
  }
  const authorizeUrl = text.slice(0, mark);
  if (!URL.canParse(authorizeUrl)) {
    throw new ConfigError('authorizationString', 'must be an absolute URL');
  }
  const query = new URLSearchParams(text.slice(mark + 1).replace(/#.*$/, ''));
  const read = (key: string) => query.get(key) || undefined;
  return {
    authorizeUrl,
    client_id: read('client_id'),
    redirect_uri: read('redirect_uri'),
    scope: read('scope'),
  };
}

/** Webex IdBroker (`idbroker.webex.com`, `idbrokerbts.webex.com`, `idbroker-eu.webex.com` …). */
function isIdBrokerUrl(url: URL): boolean {
  const [first] = url.hostname.toLowerCase().split('.');
  return (
    url.protocol === 'https:' && (first ?? '').startsWith('idbroker') && /\.webex\.com$/i.test(url.hostname)
  );
}

/** `…/authorize` → `…/<name>` (same origin and path), or undefined when the path ends otherwise. */
function sibling(authorizeUrl: URL, name: string): string | undefined {
  if (!/\/authorize\/?$/.test(authorizeUrl.pathname)) return undefined;
  const url = new URL(authorizeUrl.href);
  url.pathname = url.pathname.replace(/\/authorize\/?$/, `/${name}`);
  url.search = '';
  url.hash = '';
  return url.href;
}

function inBrowser(options: WebexAuthchartsOptions | undefined): boolean {
  return options?.window !== undefined || typeof window !== 'undefined';
}

/** Webex reads the secret from the environment in Node; only its current variable name here. */
function secretFromEnvironment(): string | undefined {
  const env = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env;
  return env?.WEBEX_CLIENT_SECRET || undefined;
}

/** Resolves Webex's credentials config into the facade's config (minus callbacks and storage). */
function resolveWebexCredentials(
  value: unknown,
  browser: boolean,
): WebexResolvedCredentials & { clientSecret: string | undefined } {
  if (value !== undefined && !isRecord(value)) throw new ConfigError('credentials', 'must be an object');
  const credentials = (value ?? {}) as Record<string, unknown>;

  const parsed =
    credentials.authorizationString === undefined
      ? undefined
      : parseAuthorizationString(credentials.authorizationString);
  // The string wins over the explicit fields, as in Webex; they fill in what it lacks.
  const client_id = parsed?.client_id ?? optionalString(credentials, 'client_id');
  const redirect_uri = parsed?.redirect_uri ?? optionalString(credentials, 'redirect_uri');
  const scope = parsed?.scope ?? optionalString(credentials, 'scope');
  const from = parsed ? ' (or an authorizationString that carries it)' : '';
  if (!client_id) throw new ConfigError('client_id', `is required: set credentials.client_id${from}`);
  if (!redirect_uri)
    throw new ConfigError('redirect_uri', `is required: set credentials.redirect_uri${from}`);
  if (!URL.canParse(redirect_uri)) throw new ConfigError('redirect_uri', 'must be an absolute URL');

  const clientType = credentials.clientType ?? 'public';
  if (clientType !== 'public' && clientType !== 'confidential') {
    throw new ConfigError('clientType', `must be 'public' or 'confidential'`);
  }
  const implicitGrant = credentials.implicitGrant ?? false;
  if (typeof implicitGrant !== 'boolean') throw new ConfigError('implicitGrant', 'must be a boolean');
  if (implicitGrant && clientType === 'confidential') {
    throw new ConfigError(
      'implicitGrant',
      'only applies to public clients (a confidential client uses the code flow)',
    );
  }
  if (credentials.refreshCallback !== undefined && typeof credentials.refreshCallback !== 'function') {
    throw new ConfigError('refreshCallback', 'must be a function');
  }

  let clientSecret = optionalString(credentials, 'client_secret');
  if (clientSecret && browser) {
    throw new ConfigError(
      'client_secret',
      'must not be used in a browser, where every user can read it; keep it on your backend',
    );
  }
  if (!browser) clientSecret ??= secretFromEnvironment();

  const authorizeUrl =
    parsed?.authorizeUrl ?? optionalString(credentials, 'authorizeUrl') ?? IDBROKER_AUTHORIZE_URL;
  if (!URL.canParse(authorizeUrl)) throw new ConfigError('authorizeUrl', 'must be an absolute URL');
  const authorize = new URL(authorizeUrl);
  const idBroker = isIdBrokerUrl(authorize);
  const tokenUrl = optionalString(credentials, 'tokenUrl') ?? sibling(authorize, 'access_token');
  if (!tokenUrl) {
    throw new ConfigError(
      'tokenUrl',
      'is required: it cannot be derived from an authorize URL whose path does not end in /authorize',
    );
  }
  const revokeUrl =
    optionalString(credentials, 'revokeUrl') ?? (idBroker ? sibling(authorize, 'revoke') : undefined);
  const logoutUrl =
    optionalString(credentials, 'logoutUrl') ?? (idBroker ? sibling(authorize, 'logout') : undefined);

  return {
    client_id,
    redirect_uri,
    scope,
    clientType,
    implicitGrant,
    authorizeUrl,
    tokenUrl,
    revokeUrl,
    logoutUrl,
    profile: idBroker ? 'webex' : 'rfc',
    clientSecret,
  };
}

/** The facade's errors name its camelCase fields; here they name Webex's. */
function renameConfigError(error: unknown): unknown {
  if (!(error instanceof ConfigError)) return error;
  const field = FIELD_NAMES[error.field];
  if (!field || field === error.field) return error;
  const reason = error.message.replace(/^Invalid config "[^"]*": /, '');
  return new ConfigError(field, reason, { cause: error });
}

/**
 * Creates the guide's `webex` object: reads `config.credentials` (snake_case, `authorizationString`,
 * `clientType`, `implicitGrant`, `refreshCallback`, `client_secret`), starts one authcharts facade
 * (which processes the page's redirect at once) and seeds it with `credentials` when given. Bad
 * config throws a `ConfigError` naming the Webex field.
 */
export function init(options: WebexInitOptions = {}): WebexInstance {
  if (!isRecord(options)) throw new ConfigError('options', 'must be an object');
  const config: NonNullable<WebexInitOptions['config']> = options.config ?? {};
  if (!isRecord(config)) throw new ConfigError('config', 'must be an object');
  const extras = config.authcharts;
  if (extras !== undefined && !isRecord(extras)) throw new ConfigError('authcharts', 'must be an object');
  const browser = inBrowser(extras);
  const resolved = resolveWebexCredentials(config.credentials, browser);
  const userRefreshCallback = config.credentials?.refreshCallback;

  const seed = options.credentials === undefined ? undefined : normaliseSeedToken(options.credentials);
  if (seed && extras?.tokenStorage !== undefined) {
    throw new ConfigError('credentials', 'cannot be combined with authcharts.tokenStorage');
  }

  const endpoints: Endpoints = { authorization: resolved.authorizeUrl, token: resolved.tokenUrl };
  if (resolved.revokeUrl) endpoints.revocation = resolved.revokeUrl;
  if (resolved.logoutUrl) endpoints.endSession = resolved.logoutUrl;

  let webex: WebexInstance | undefined;
  const facadeConfig: AuthorizationConfig = {
    ...extras,
    clientId: resolved.client_id,
    redirectUri: resolved.redirect_uri,
    scope: resolved.scope,
    profile: resolved.profile,
    endpoints,
    clientSecret: resolved.clientSecret,
    ...(resolved.implicitGrant ? { implicitGrant: true } : {}),
    ...(userRefreshCallback
      ? {
          // Webex passes the SDK instance, not the authorization plugin: here the `webex` object.
          refreshCallback: (_auth: unknown, token) =>
            userRefreshCallback(webex as WebexInstance, WebexSupertoken.of(token)),
        }
      : {}),
    ...(seed ? { tokenStorage: seededTokenStore(seed) } : {}),
  };

  let authorization: Authorization;
  try {
    authorization = createAuthorization(facadeConfig);
  } catch (error) {
    throw renameConfigError(error);
  }

  const { clientSecret: _secret, ...publicConfig } = resolved;
  const listeners = new Set<(this: WebexInstance) => void>();
  let stopped = false;
  const readiness = authorization.whenReady();

  const credentials: WebexCredentials = {
    get supertoken() {
      const token = authorization.credentials.supertoken;
      return token ? WebexSupertoken.of(token) : undefined;
    },
    get canAuthorize() {
      return authorization.credentials.canAuthorize;
    },
    get canRefresh() {
      return authorization.credentials.canRefresh;
    },
    refresh: () => authorization.credentials.refresh(),
    getAccessToken: () => authorization.credentials.getAccessToken(),
  };

  const whenReady = (event: unknown, listener: unknown) => {
    if (event !== 'ready') {
      throw new TypeError(
        `authcharts/webex only emits 'ready'; listen to webex.authorization.eventEmitter for login and session events`,
      );
    }
    if (typeof listener !== 'function') throw new TypeError('The listener must be a function');
    const fn = listener as (this: WebexInstance) => void;
    listeners.add(fn);
    // Always on a later tick, even when already ready, as Webex's `once('ready')` after `ready`.
    readiness.then(() =>
      queueMicrotask(() => {
        if (stopped || !listeners.delete(fn)) return;
        fn.call(instance);
      }),
    );
    return instance;
  };

  const instance: WebexInstance = {
    authorization,
    credentials,
    config: Object.freeze({ credentials: Object.freeze(publicConfig) }),
    get ready() {
      return authorization.ready;
    },
    get canAuthorize() {
      return authorization.credentials.canAuthorize;
    },
    refresh: () => authorization.credentials.refresh(),
    requestAuthorizationCodeGrant(params) {
      const source = isRecord(params) ? params : {};
      const verifier = source.codeVerifier ?? source.code_verifier;
      return authorization.requestAuthorizationCodeGrant({
        code: source.code as string,
        ...(verifier === undefined ? {} : { codeVerifier: verifier as string }),
      });
    },
    logout: (logoutOptions) => authorization.logout(logoutOptions),
    once: whenReady,
    on: whenReady,
    off(event, listener) {
      if (event === 'ready') listeners.delete(listener);
      return instance;
    },
    stop() {
      stopped = true;
      listeners.clear();
      authorization.stop();
    },
  };
  webex = instance;
  return instance;
}

/** `import Webex from 'authcharts/webex'; Webex.init(…)`, as with `require('webex')`. */
const Webex = {
  /** {@link init} */
  init,
};

export default Webex;
