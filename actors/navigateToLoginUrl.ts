import { fromPromise } from 'xstate';
import type { GetRuntime } from './runtime.js';

export interface NavigateInput {
  url: string;
}

/** Sends the page to the authorize URL; the login continues when the server redirects back. */
export function createNavigateToLoginUrl(getRuntime: GetRuntime) {
  return fromPromise<void, NavigateInput>(async ({ input, system }) => {
    const win = getRuntime(system).window;
    if (!win) throw new TypeError('There is no window to navigate to the login page');
    win.location.assign(input.url);
  });
}
