import { InvalidOptionError } from './errors.js';

/** Window features for a popup login, merged key by key over `width=600,height=800`. */
export type PopupFeatures = Record<string, string | number | boolean>;

/** What `initiateLogin` accepts (Webex first-party plugin, plus `loginHint`). */
export interface LoginOptions {
  /** Hashed (SHA-256 of the trimmed, lower-cased address); the raw address never leaves the page. */
  email?: string;
  /** App data carried through the login in `state`; it comes back in the cleaned URL. */
  state?: Record<string, unknown>;
  /** Log in in a popup instead of navigating the page; an object sets window features. */
  separateWindow?: boolean | PopupFeatures;
  /** Sent as OIDC `login_hint` to prefill the account. */
  loginHint?: string;
}

const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' &&
  value !== null &&
  (Object.getPrototypeOf(value) === Object.prototype || Object.getPrototypeOf(value) === null);

/** Feature names are bare words: anything else could smuggle `,` or `=` into `window.open`. */
const FEATURE_NAME = /^[a-z]+$/i;

/**
 * Checks `initiateLogin` options before anything happens, so a bad call fails fast with an error
 * naming the option (the Webex plugin threw a TypeError halfway and left `isAuthorizing` stuck).
 * Returns the error instead of throwing: the login machine turns it into a failed state.
 */
export function checkLoginOptions(options: unknown): InvalidOptionError | undefined {
  if (options === undefined) return undefined;
  if (!isPlainObject(options)) return new InvalidOptionError('options', 'must be an object');
  const { email, state, separateWindow, loginHint } = options;
  if (email !== undefined && (typeof email !== 'string' || email.trim() === '')) {
    return new InvalidOptionError('email', 'must be a non-empty string');
  }
  if (state !== undefined && !isPlainObject(state)) {
    return new InvalidOptionError('state', 'must be an object');
  }
  if (state !== undefined) {
    let json: string | undefined;
    try {
      json = JSON.stringify(state);
    } catch {
      return new InvalidOptionError('state', 'must be JSON-serialisable');
    }
    // A `toJSON` can turn an object into anything; `state` must still travel as a JSON object.
    if (!json?.startsWith('{')) return new InvalidOptionError('state', 'must serialise to a JSON object');
  }
  if (loginHint !== undefined && typeof loginHint !== 'string') {
    return new InvalidOptionError('loginHint', 'must be a string');
  }
  if (separateWindow !== undefined && typeof separateWindow !== 'boolean') {
    if (!isPlainObject(separateWindow)) {
      return new InvalidOptionError('separateWindow', 'must be a boolean or an object of window features');
    }
    for (const [name, value] of Object.entries(separateWindow)) {
      const valueOk = typeof value === 'number' || typeof value === 'boolean' || typeof value === 'string';
      if (!FEATURE_NAME.test(name) || !valueOk || (typeof value === 'string' && /[,=]/.test(value))) {
        return new InvalidOptionError(
          `separateWindow.${name}`,
          'must be a window feature with a plain value',
        );
      }
    }
  }
  return undefined;
}

/** True when the options ask for a popup (`separateWindow: true` or an object). */
export function wantsPopup(options: LoginOptions | undefined): boolean {
  return options?.separateWindow !== undefined && options.separateWindow !== false;
}

/**
 * The `window.open` features string: the defaults first, then the caller's keys in their order
 * (`{width: 800, menubar: 'no'}` → `width=800,height=800,menubar=no`), as the Webex plugin did.
 */
export function popupFeatures(
  separateWindow: LoginOptions['separateWindow'],
  defaults: { width: number; height: number },
): string {
  const features: PopupFeatures = { width: defaults.width, height: defaults.height };
  if (typeof separateWindow === 'object') Object.assign(features, separateWindow);
  return Object.entries(features)
    .map(([name, value]) => `${name}=${value === true ? 'yes' : value === false ? 'no' : value}`)
    .join(',');
}
