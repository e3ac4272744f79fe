/**
 * The Webex `state` format: a JSON object, UTF-8 encoded, then base64url without padding
 * (RFC 4648 §5). Keeping the exact format lets a login started by the Webex plugin finish in
 * authcharts and the other way round.
 *
 * @module
 */

import { StateDecodeError } from './errors.js';

/** The decoded `state`: the app's own keys plus the ones authcharts adds (e.g. `csrf_token`). */
export type StateObject = Record<string, unknown>;

// Above this size `String.fromCharCode(...bytes)` could exceed the engine's argument limit.
const CHUNK_SIZE = 0x8000;

function bytesToBinaryString(bytes: Uint8Array): string {
  let binary = '';
  for (let offset = 0; offset < bytes.length; offset += CHUNK_SIZE) {
    binary += String.fromCharCode(...bytes.subarray(offset, offset + CHUNK_SIZE));
  }
  return binary;
}

/**
 * Encodes a state object as base64url JSON without padding (RFC 4648 §5), the format Webex puts in
 * the OAuth `state` parameter: `{"page":"front"}` becomes `eyJwYWdlIjoiZnJvbnQifQ`.
 *
 * The output uses only `A-Z a-z 0-9 - _`, so it needs no escaping in a URL. Throws a `TypeError` when
 * `state` is not an object or does not serialise to a JSON object, because the other side could not
 * decode it.
 */
export function encodeState(state: StateObject): string {
  if (typeof state !== 'object' || state === null || Array.isArray(state)) {
    throw new TypeError('encodeState: state must be a plain object');
  }
  let json: unknown;
  try {
    json = JSON.stringify(state);
  } catch (cause) {
    // Cycles and BigInts land here; the cause names the problem without echoing the values.
    throw new TypeError('encodeState: state must be JSON-serialisable', { cause });
  }
  // A `toJSON` method (Date, custom classes) can turn the object into something that is not one.
  if (typeof json !== 'string' || !json.startsWith('{')) {
    throw new TypeError('encodeState: state must serialise to a JSON object');
  }
  const base64 = btoa(bytesToBinaryString(new TextEncoder().encode(json)));
  return base64.replace(/=+$/, '').replace(/\+/g, '-').replace(/\//g, '_');
}

// Either alphabet (RFC 4648 §4 or §5), each optionally padded. Anything else is not base64.
const LENIENT_BASE64 = /^[A-Za-z0-9+/_-]*=*$/;

function base64ToBytes(encoded: string): Uint8Array {
  // A `+` from the standard alphabet arrives as a space once a query string has been form-decoded.
  const normalised = encoded.replace(/ /g, '+');
  if (!LENIENT_BASE64.test(normalised)) throw new StateDecodeError({ reason: 'not_base64url' });
  const unpadded = normalised.replace(/=+$/, '').replace(/-/g, '+').replace(/_/g, '/');
  let binary: string;
  try {
    // atob takes unpadded input (HTML's forgiving-base64 decode) and refuses a length of 4n + 1,
    // whose last character would carry only 6 bits. Wrong padding was stripped above.
    binary = atob(unpadded);
  } catch {
    throw new StateDecodeError({ reason: 'not_base64url' });
  }
  const bytes = new Uint8Array(binary.length);
  for (let index = 0; index < binary.length; index++) bytes[index] = binary.charCodeAt(index);
  return bytes;
}

/**
 * Decodes an OAuth `state` parameter produced by {@link encodeState} or by the Webex plugin.
 *
 * Lenient about the encoding, like Webex's `base64.decode`: padded or unpadded, URL-safe (`-_`,
 * RFC 4648 §5) or standard (`+/`, §4) alphabet. Strict about the content: the bytes must be valid
 * UTF-8 and the JSON must be an object, because the caller reads keys such as `csrf_token` from it.
 * Every failure is a {@link StateDecodeError} whose message never contains the input, since the state
 * carries the CSRF token. Throws a `TypeError` when `encoded` is not a string.
 */
export function decodeState(encoded: string): StateObject {
  if (typeof encoded !== 'string') throw new TypeError('decodeState: encoded state must be a string');
  const bytes = base64ToBytes(encoded);
  let json: string;
  try {
    json = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new StateDecodeError({ reason: 'not_utf8' });
  }
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch {
    // The SyntaxError is not kept as `cause`: engines quote the offending JSON in its message.
    throw new StateDecodeError({ reason: 'not_json' });
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new StateDecodeError({ reason: 'not_object' });
  }
  return value as StateObject;
}
