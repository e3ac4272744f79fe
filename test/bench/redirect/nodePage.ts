/**
 * The redirect bench's page in Node: a fresh FakeWindow per callback (what a page load gives),
 * with the transaction in its sessionStorage, and the process's CPU time as the clock (user +
 * system, µs precision), so other processes on a shared machine do not count.
 */
import { CODE_VERIFIER_KEY, CSRF_TOKEN_KEY } from '../../../src/transactionStore.js';
import { FakeWindow } from '../../fixtures/fakeWindow.js';
import type { BenchPage } from './sequences.js';

export function nodePage(): BenchPage {
  return {
    redirectUri: 'https://app.example/callback',
    land(href, transaction) {
      const win = new FakeWindow(href);
      win.sessionStorage.setItem(CSRF_TOKEN_KEY, transaction.csrfToken);
      win.sessionStorage.setItem(CODE_VERIFIER_KEY, transaction.codeVerifier);
      return win.asWindow();
    },
    now() {
      const { user, system } = process.cpuUsage();
      return (user + system) / 1000;
    },
  };
}
