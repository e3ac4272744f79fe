import { fromPromise } from 'xstate';
import { type PendingTransaction, takeTransaction } from '../src/transactionStore.js';
import type { GetRuntime } from './runtime.js';

/**
 * Reads and removes the stored CSRF token and PKCE verifier in one step: a callback consumes
 * them whatever its outcome, so a transaction can never be used twice.
 */
export function createTakeStoredTransaction(getRuntime: GetRuntime) {
  return fromPromise<PendingTransaction>(async ({ system }) => takeTransaction(getRuntime(system).storage));
}
