import { fromPromise } from 'xstate';
import type { PreauthHint } from '../src/config.js';
import type { GetRuntime } from './runtime.js';

export interface CollectPreauthCatalogInput {
  hint: PreauthHint;
}

/**
 * Calls the app's `collectPreauthCatalog(hint)` while the code is exchanged, as the Webex client
 * prefetches its service catalog. Without a hook it does nothing; the machine ignores failures.
 */
export function createCollectPreauthCatalog(getRuntime: GetRuntime) {
  return fromPromise<void, CollectPreauthCatalogInput>(async ({ input }) => {
    await getRuntime().collectPreauthCatalog?.(input.hint);
  });
}
