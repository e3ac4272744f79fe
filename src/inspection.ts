/**
 * Redaction for the Stately inspector. Inspection events carry everything the machines hold:
 * access, refresh and ID tokens, the authorization code, the PKCE verifier, the CSRF token (also
 * inside `state` and inside login URLs), device codes. `redactInspection()` gives the three hooks
 * `@statelyai/inspect` takes (`createBrowserInspector({ ...redactInspection() })`), so the flows can
 * be watched without those values ever leaving the page.
 *
 * What is redacted, at any depth:
 * - the values of secret-bearing keys ({@link SECRET_KEYS}): token fields (RFC 6749 §5.1), `code`
 *   (§4.1.2), the verifier (RFC 7636 §4.1), `state` and CSRF tokens, device codes (RFC 8628 §3.2),
 *   client secrets, popup relay ids;
 * - inside any string that is a URL, the values of those parameters in its query and fragment
 *   (a callback URL, a login URL with `state`, an implicit-grant fragment), and in a form-encoded
 *   string (a token request body);
 * - `Bearer …` and `Basic …` credentials inside strings (RFC 6750 §2.1, RFC 7617), as in an
 *   `Authorization` header value.
 * Errors become `{ name, message }` (messages never carry secrets), functions and actor
 * references become their names, and cycles are cut, so `serialize` also yields plain JSON that
 * `postMessage` and WebSockets accept.
 */
import type { AnyEventObject, MachineContext } from 'xstate';

/** What a redacted value is replaced with. */
export const REDACTED = '[redacted]';

/** Keys whose values are never shown, in whichever object they appear. */
export const SECRET_KEYS: ReadonlySet<string> = new Set([
  'access_token',
  'refresh_token',
  'id_token',
  'code',
  'code_verifier',
  'codeVerifier',
  'state',
  'csrf_token',
  'csrfToken',
  'device_code',
  'deviceCode',
  'client_secret',
  'clientSecret',
  'popupId',
  'authcharts_popup',
  'assertion',
  'password',
]);

/** The hooks `createBrowserInspector` / `createInspector` take, secrets removed by each. */
export interface InspectionRedaction {
  /** Redacts a snapshot's context (`@xstate.actor`, `@xstate.snapshot`). */
  sanitizeContext: (context: MachineContext) => MachineContext;
  /** Redacts an event sent to an actor (`@xstate.event`, `@xstate.snapshot`). */
  sanitizeEvent: (event: AnyEventObject) => AnyEventObject;
  /**
   * Redacts the whole inspection event, including what the two hooks above do not reach (a
   * snapshot's `output` and `error`, e.g. the redirect machine's token), and returns plain JSON.
   */
  serialize: <T>(inspectionEvent: T) => T;
}

/** Options of {@link redactInspection}. */
export interface RedactionOptions {
  /** Extra keys to redact, e.g. an app's own secret-bearing fields in a custom token store. */
  keys?: Iterable<string>;
  /** How deep to copy before cutting (default 12: the deepest context is about 6 levels). */
  maxDepth?: number;
}

const DEFAULT_MAX_DEPTH = 12;

/**
 * Returns `sanitizeContext`, `sanitizeEvent` and `serialize` for `@statelyai/inspect`, so that no
 * token, code, verifier or CSRF value reaches the inspector:
 *
 * ```ts
 * const inspector = createBrowserInspector({ ...redactInspection() });
 * const auth = createAuthorization({ ...config, inspect: inspector.inspect });
 * ```
 */
export function redactInspection(options: RedactionOptions = {}): InspectionRedaction {
  const keys = new Set([...SECRET_KEYS, ...(options.keys ?? [])]);
  const maxDepth = options.maxDepth ?? DEFAULT_MAX_DEPTH;
  if (!Number.isInteger(maxDepth) || maxDepth < 1) {
    throw new TypeError('redactInspection: maxDepth must be a positive integer');
  }
  const redact = (value: unknown): unknown => redactValue(value, keys, maxDepth, 0, new WeakSet());
  return {
    sanitizeContext: (context) => redact(context) as MachineContext,
    sanitizeEvent: (event) => redact(event) as AnyEventObject,
    serialize: <T>(inspectionEvent: T) => redact(inspectionEvent) as T,
  };
}

function redactValue(
  value: unknown,
  keys: ReadonlySet<string>,
  maxDepth: number,
  depth: number,
  seen: WeakSet<object>,
): unknown {
  if (typeof value === 'string') return redactString(value, keys);
  if (typeof value === 'function') return `[function ${value.name || 'anonymous'}]`;
  if (typeof value === 'bigint') return value.toString();
  if (typeof value === 'symbol') return value.toString();
  if (value === null || typeof value !== 'object') return value;
  if (value instanceof Error) return { name: value.name, message: redactString(value.message, keys) };
  if (isActorRef(value)) return `[actor ${value.id}]`;
  if (depth >= maxDepth) return '[too deep]';
  if (seen.has(value)) return '[circular]';
  seen.add(value);
  try {
    const child = (item: unknown) => redactValue(item, keys, maxDepth, depth + 1, seen);
    if (Array.isArray(value)) return value.map(child);
    if (value instanceof Map) return Object.fromEntries([...value].map(([k, v]) => [String(k), child(v)]));
    if (value instanceof Set) return [...value].map(child);
    if (value instanceof Date) return value.toISOString();
    const copy: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) {
      copy[key] = keys.has(key) && item !== undefined && item !== null ? REDACTED : child(item);
    }
    return copy;
  } finally {
    seen.delete(value);
  }
}

/** An xstate actor reference (children in snapshots, refs in context). */
function isActorRef(value: object): value is { id: string } {
  const candidate = value as { id?: unknown; send?: unknown; getSnapshot?: unknown };
  return (
    typeof candidate.id === 'string' &&
    typeof candidate.send === 'function' &&
    typeof candidate.getSnapshot === 'function'
  );
}

const CREDENTIALS = /\b(Bearer|Basic)\s+[A-Za-z0-9\-._~+/]{8,}=*/g;

/** Redacts secret parameters of a URL-shaped or form-encoded string and `Bearer`/`Basic` credentials. */
function redactString(value: string, keys: ReadonlySet<string>): string {
  const withoutCredentials = value.replace(CREDENTIALS, (_match, scheme: string) => `${scheme} ${REDACTED}`);
  return redactParameters(withoutCredentials, keys);
}

/**
 * Replaces the values of secret parameters in the query and the fragment of a URL, or in a
 * form-encoded string such as a token request body (`grant_type=…&code=…`), keeping every other
 * byte as it was, so the inspector still shows which parameters were there.
 */
function redactParameters(value: string, keys: ReadonlySet<string>): string {
  return value.replace(/(^|[?#&])([^=&#?\s]+)=([^&#\s]*)/g, (match, separator: string, name: string) => {
    let decoded = name;
    try {
      decoded = decodeURIComponent(name.replace(/\+/g, ' '));
    } catch {
      // An undecodable name is compared as it was written.
    }
    return keys.has(decoded) ? `${separator}${name}=${REDACTED}` : match;
  });
}
