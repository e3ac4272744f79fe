/**
 * Constant-time string comparison.
 *
 * @module
 */

/**
 * Compares two strings in time that does not depend on where they first differ.
 *
 * Used for the CSRF token carried in `state` (RFC 9700 §2.1, RFC 6749 §10.12): an early-exit `===`
 * would let an attacker who can time many attempts learn the stored token one character at a time.
 * Every UTF-16 code unit up to the longer length is XOR-ed and the length difference is folded in, so
 * only the lengths (not the contents) can influence the running time. Throws a `TypeError` when either
 * argument is not a string, so a missing token can never compare equal by accident.
 */
export function timingSafeEqual(a: string, b: string): boolean {
  if (typeof a !== 'string' || typeof b !== 'string') {
    throw new TypeError('timingSafeEqual: both arguments must be strings');
  }
  const length = Math.max(a.length, b.length);
  let difference = a.length ^ b.length;
  for (let index = 0; index < length; index++) {
    // Past the end charCodeAt gives NaN, and `NaN | 0` is 0: the loop never branches on length.
    difference |= (a.charCodeAt(index) | 0) ^ (b.charCodeAt(index) | 0);
  }
  return difference === 0;
}
