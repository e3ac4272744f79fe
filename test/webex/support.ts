/**
 * Shared bits of the `authcharts/webex` tests: the developer portal's URL (the guide's
 * `<your URL from the portal>`), unique client ids (the session's BroadcastChannel and storage
 * key are per client) and a recorder of the facade's `login` events.
 */
import { afterEach, beforeEach, expect, vi } from 'vitest';
import { ConfigError } from '../../src/errors.js';
import type { LoginEvent } from '../../src/index.js';
import Webex, { type WebexInstance } from '../../src/webex.js';

export const IDBROKER_AUTHORIZE = 'https://idbroker.webex.com/idb/oauth2/v1/authorize';
/** jsdom's page, the app the portal redirects back to. */
export const APP_URL = 'http://localhost:3000/';
export const SCOPE = 'spark:all spark:kms';

let counter = 0;
export function uniqueClientId(): string {
  counter += 1;
  return `C-webex-${counter}-${Math.floor(performance.now() * 1000)}`;
}

/** The URL the portal shows for an integration, `response_type` and `state` included. */
export function portalUrl(
  clientId: string,
  { authorize = IDBROKER_AUTHORIZE, redirectUri = APP_URL, scope = SCOPE } = {},
): string {
  return (
    `${authorize}?client_id=${clientId}&response_type=code` +
    `&redirect_uri=${encodeURIComponent(redirectUri)}&scope=${encodeURIComponent(scope)}&state=set_state_here`
  );
}

/** Records the `login` events of a webex object's facade. */
export function recordLogin(webex: WebexInstance): LoginEvent[] {
  const events: LoginEvent[] = [];
  webex.authorization.eventEmitter.on('login', (event) => events.push(event));
  return events;
}

/** The authorize URL of the first `redirectToLoginUrl` event. */
export function loginUrlOf(events: LoginEvent[]): URL | undefined {
  for (const event of events) {
    if (event.eventType === 'redirectToLoginUrl') return new URL(event.data.loginUrl);
  }
  return undefined;
}

/**
 * Registers hooks that record every instance the guide's snippets create through `Webex.init`
 * (they call it themselves) and stop them after each test, refresh timers and channels included.
 * Returns the list, newest last.
 */
export function stopEveryInstanceAfterEachTest(): WebexInstance[] {
  const instances: WebexInstance[] = [];
  beforeEach(() => {
    const init = Webex.init;
    vi.spyOn(Webex, 'init').mockImplementation((options) => {
      const webex = init(options);
      instances.push(webex);
      return webex;
    });
  });
  afterEach(() => {
    for (const webex of instances.splice(0)) webex.stop();
  });
  return instances;
}

/** The `ConfigError` that `run` throws (the test fails when it throws nothing, or something else). */
export function configError(run: () => unknown): ConfigError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return error as ConfigError;
  }
  throw new Error('expected a ConfigError');
}

/** Expects `run` to throw a `ConfigError` naming `field`, with exactly `reason`. */
export function expectConfigError(run: () => unknown, field: string, reason: string): ConfigError {
  const error = configError(run);
  expect(error.field).toBe(field);
  expect(error.message).toBe(`Invalid config "${field}": ${reason}`);
  return error;
}
