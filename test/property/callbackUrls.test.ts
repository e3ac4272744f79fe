/**
 * Property: whatever URL the app is loaded at (≥ 10,000 generated: the app's own parameters and
 * fragments mixed with authorization-response parameters, repeated, percent-encoded every way,
 * with valid, foreign, tampered and garbage `state`, with and without a stored transaction), the
 * redirect machine with its real actors ends in a typed outcome; exchanges a code only for a
 * valid transaction (stored CSRF token matching `state`, a verifier, `iss` matching when
 * present); leaves no response parameter in the address bar and the app's parameters and
 * fragment byte for byte; consumes the transaction; and lets nothing escape as an unhandled
 * rejection. The facade runs the same property on fewer URLs (callbackUrlsFacade.test.ts).
 */
import { describe, expect, it } from 'vitest';
import { throughMachine } from './callbackDrivers.js';
import { checkCallbackUrls } from './callbackProperty.js';
import { nextMacrotask, watchProcessErrors } from './processErrors.js';

const RUNS = 10_000;
const escaped = watchProcessErrors();

describe('every callback URL, through the redirect machine', () => {
  it(`is processed safely (${RUNS} generated URLs)`, async () => {
    const tally = await checkCallbackUrls(throughMachine, RUNS);
    await nextMacrotask();
    expect(escaped).toEqual([]);
    const checked = Object.values(tally).reduce((sum, n) => sum + n, 0);
    console.info(`callback URLs checked through the redirect machine: ${checked}`, tally);
    expect(checked).toBe(RUNS);
    // The generator must reach every outcome, or the property proves less than it claims.
    expect(Object.keys(tally).sort()).toEqual([
      'authorized via code',
      'authorized via implicit',
      'failed: CsrfMismatchError',
      'failed: InvalidRequestError',
      'failed: IssuerMismatchError',
      'failed: OAuthError',
      'failed: StateDecodeError',
      'failed: TransactionMissingError',
      'none',
      'relayed',
    ]);
  }, 120_000);
});
