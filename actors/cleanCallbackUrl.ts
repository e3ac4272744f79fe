import { fromPromise } from 'xstate';
import { sanitizeCallbackUrl } from '../src/callbackUrl.js';
import type { GetRuntime } from './runtime.js';

export interface CleanCallbackUrlInput {
  href: string;
  /** Also clean an implicit-grant fragment (opt-in only). */
  fragment: boolean;
}

/**
 * Replaces the address bar's callback URL with its sanitised form (browser-apps BCP §7.2.1), so
 * the code and CSRF token leave history and Referer. `history.state` is passed through untouched:
 * SPA routers keep theirs (the Webex plugin replaced it with `{}`).
 */
export function createCleanCallbackUrl(getRuntime: GetRuntime) {
  return fromPromise<void, CleanCallbackUrlInput>(async ({ input, system }) => {
    const history = getRuntime(system).window?.history;
    if (!history) return;
    history.replaceState(history.state, '', sanitizeCallbackUrl(input.href, { fragment: input.fragment }));
  });
}
