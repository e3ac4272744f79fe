/**
 * The relay actor on its own, in the login popup after the server redirected it back: it hands
 * the callback URL to the page that opened it (BroadcastChannel and postMessage to this origin),
 * cleans its address bar and closes.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createActor, toPromise } from 'xstate';
import { createRelayToOpener } from '../../actors/relayToOpener.js';
import { createRelayMessage } from '../../src/popupRelay.js';
import { testRuntime } from '../fixtures/testRuntime.js';
import { PageWindow } from '../model/realActors/world.js';

const APP = 'https://app.example';
const CALLBACK_URL = `${APP}/cb?code=the-code&state=the-state&tab=inbox`;

afterEach(() => {
  vi.unstubAllGlobals();
});

describe('relaying the popup result to the opener', () => {
  it('without BroadcastChannel the opener still gets the callback by postMessage to this origin, and the popup closes', async () => {
    // Older browsers lack BroadcastChannel; the popup must not fail before it posts to its opener.
    vi.stubGlobal('BroadcastChannel', undefined);
    const popupWin = new PageWindow({ href: CALLBACK_URL });
    const relay = createActor(
      createRelayToOpener(() => testRuntime({ window: popupWin.asWindow() })),
      {
        input: { href: CALLBACK_URL, popupId: 'popup-1', fragment: false },
      },
    );
    relay.start();
    await expect(toPromise(relay)).resolves.toBeUndefined();
    expect(popupWin.toOpener).toEqual([
      { message: createRelayMessage('popup-1', CALLBACK_URL), origin: APP },
    ]);
    // The code leaves the address bar before the popup closes.
    expect(popupWin.location.href).toBe(`${APP}/cb?tab=inbox`);
    expect(popupWin.closed).toBe(true);
  });
});
