/**
 * The callback-URL property of callbackUrls.test.ts, through the whole facade as an app uses it:
 * `createAuthorization` on a fake window at the generated URL, with a fake server. Besides what
 * the redirect machine must do, the app hears exactly one `login` event for a callback (none for
 * an ordinary load), `whenReady()` reports the same outcome, and the supertoken is the one the
 * server (or the implicit fragment) gave. Fewer runs: a facade is about five times slower to
 * start than the machine alone.
 */
import { describe, expect, it } from 'vitest';
import { throughFacade } from './callbackDrivers.js';
import { checkCallbackUrls } from './callbackProperty.js';
import { nextMacrotask, watchProcessErrors } from './processErrors.js';

const RUNS = 2_000;
const escaped = watchProcessErrors();

describe('every callback URL, through createAuthorization', () => {
  it(`is processed safely and reported once (${RUNS} generated URLs)`, async () => {
    const tally = await checkCallbackUrls(throughFacade, RUNS);
    await nextMacrotask();
    expect(escaped).toEqual([]);
    const checked = Object.values(tally).reduce((sum, n) => sum + n, 0);
    console.info(`callback URLs checked through createAuthorization: ${checked}`, tally);
    expect(checked).toBe(RUNS);
    expect(tally['authorized via code']).toBeGreaterThan(0);
    expect(tally['authorized via implicit']).toBeGreaterThan(0);
  }, 120_000);
});
