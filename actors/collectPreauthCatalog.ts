import { fromPromise } from 'xstate';
import type { PreauthHint } from '../src/config.js';
import type { GetRuntime } from './runtime.js';

export interface CollectPreauthCatalogInput {
  hint: PreauthHint;
}

/**
 * Calls the app's `collectPreauthCatalog(hint)` while the code is exchanged, as the Webex client
 * prefetches its service catalog. Without a hook it does nothing. The catalog is an optimisation:
 * a hook that throws or rejects never affects the login, so failures end here.
 */
export function createCollectPreauthCatalog(getRuntime: GetRuntime) {
  return fromPromise<void, CollectPreauthCatalogInput>(async ({ input, system }) => {
    try {
      await getRuntime(system).collectPreauthCatalog?.(input.hint);
    } catch {
      // Deliberately ignored (see above); the app's hook reports its own errors.
    }
  });
}
