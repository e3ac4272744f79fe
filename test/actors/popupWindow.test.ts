/**
 * The popup window actor on its own, inside a small host machine that records what the actor
 * tells its parent (as the login machine would receive it). What it must get right is who may
 * hand it a login result: only this login's popup, from this origin, naming this popup's id
 * (RFC 9700 §4.17), over postMessage or the popup's BroadcastChannel, whichever exists.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createActor, type EventObject, setup } from 'xstate';
import { createPopupWindow, type NavigatePopupEvent } from '../../actors/popupWindow.js';
import type { Runtime } from '../../actors/runtime.js';
import { createRelayMessage, relayChannelName } from '../../src/popupRelay.js';
import { FakePopup, FakeWindow } from '../fixtures/fakeWindow.js';
import { testRuntime } from '../fixtures/testRuntime.js';

const APP = 'https://app.example';
const AUTHORIZE_URL = 'https://as.example/authorize?client_id=client-1';
const CALLBACK_URL = `${APP}/cb?code=the-code&state=the-state`;

let stops: Array<() => void> = [];
afterEach(() => {
  for (const stop of stops) stop();
  stops = [];
  vi.unstubAllGlobals();
});

let popupCount = 0;
/** A popup id no other test uses: BroadcastChannels reach every channel of that name in the process. */
const uniquePopupId = () => `popup-${++popupCount}-${process.pid}`;

/** Starts the popup actor in a host machine that records every event the actor sends it. */
function startPopupActor(runtime: Runtime) {
  const received: EventObject[] = [];
  const machine = setup({ actors: { popupWindow: createPopupWindow(() => runtime) } }).createMachine({
    on: { '*': { actions: ({ event }) => received.push(event) } },
    invoke: { id: 'popupWindow', src: 'popupWindow', input: { features: 'width=600,height=800' } },
  });
  const host = createActor(machine).start();
  stops.push(() => host.stop());
  return {
    received,
    navigate: (event: NavigatePopupEvent) => host.getSnapshot().children.popupWindow?.send(event),
    /** The login results the login machine would have received. */
    callbacks: () => received.filter((event) => event.type === 'POPUP.CALLBACK'),
    errors: () => received.filter((event) => event.type.startsWith('xstate.error')),
  };
}

/** A page on APP that opened the login popup, which was then pointed at the authorize URL. */
function navigatedPopup() {
  const win = new FakeWindow(`${APP}/`);
  const actor = startPopupActor(testRuntime({ window: win.asWindow() }));
  const popupId = uniquePopupId();
  actor.navigate({ type: 'POPUP.NAVIGATE', url: AUTHORIZE_URL, popupId });
  const popup = win.popups[0]!;
  return { win, popup, popupId, ...actor };
}

describe('opening the popup', () => {
  it('with no window at all (not a browser), reports the popup as blocked instead of failing', () => {
    // The login machine turns POPUP.BLOCKED into a clear error; a TypeError would skip that.
    const actor = startPopupActor(testRuntime({ window: undefined }));
    expect(actor.received.map((event) => event.type)).toEqual(['POPUP.BLOCKED']);
  });
});

describe('who may hand the popup login its result (postMessage)', () => {
  it('takes the callback the popup posts from this origin for this popup id', () => {
    const { win, popup, popupId, callbacks } = navigatedPopup();
    expect(popup.location.href).toBe(AUTHORIZE_URL);
    win.receiveMessage(createRelayMessage(popupId, CALLBACK_URL), APP, popup);
    expect(callbacks()).toEqual([{ type: 'POPUP.CALLBACK', url: CALLBACK_URL }]);
  });

  it('ignores a relay message naming another popup id (another login, or a replay)', () => {
    const { win, popup, popupId, callbacks } = navigatedPopup();
    win.receiveMessage(createRelayMessage(`${popupId}-other`, `${APP}/cb?code=other-code`), APP, popup);
    expect(callbacks()).toEqual([]);
    // The genuine result still gets through afterwards: the actor was listening all along.
    win.receiveMessage(createRelayMessage(popupId, CALLBACK_URL), APP, popup);
    expect(callbacks()).toEqual([{ type: 'POPUP.CALLBACK', url: CALLBACK_URL }]);
  });

  it('ignores a message that is not a relay message, even if it carries this popup id and a URL', () => {
    const { win, popup, popupId, callbacks } = navigatedPopup();
    win.receiveMessage({ type: 'someone-else:callback', popupId, url: `${APP}/cb?code=forged` }, APP, popup);
    win.receiveMessage({ popupId, url: `${APP}/cb?code=forged` }, APP, popup);
    expect(callbacks()).toEqual([]);
  });

  it('ignores a well-formed result posted from another origin, even through the popup window', () => {
    // Once the popup shows the authorization server (or an attacker's page), it is another origin.
    const { win, popup, popupId, callbacks } = navigatedPopup();
    win.receiveMessage(createRelayMessage(popupId, `${APP}/cb?code=forged`), 'https://evil.example', popup);
    expect(callbacks()).toEqual([]);
  });

  it('ignores a well-formed result from this origin that another window posted', () => {
    // Another tab or frame of this origin is not the window this login opened.
    const { win, popupId, callbacks } = navigatedPopup();
    const otherWindow = new FakePopup(win, '');
    win.receiveMessage(createRelayMessage(popupId, `${APP}/cb?code=forged`), APP, otherWindow);
    expect(callbacks()).toEqual([]);
  });
});

describe('the BroadcastChannel relay', () => {
  it('takes the result that arrives only over the popup’s BroadcastChannel (opener cut by COOP)', async () => {
    const { popupId, callbacks } = navigatedPopup();
    // The popup page, as actors/relayToOpener.ts does it: post on the channel, close it.
    const relay = new BroadcastChannel(relayChannelName(popupId));
    relay.postMessage(createRelayMessage(popupId, CALLBACK_URL));
    relay.close();
    await vi.waitFor(() => expect(callbacks()).toEqual([{ type: 'POPUP.CALLBACK', url: CALLBACK_URL }]));
  });

  it('without BroadcastChannel still navigates the popup and takes the result by postMessage', () => {
    vi.stubGlobal('BroadcastChannel', undefined);
    const { win, popup, popupId, callbacks, errors } = navigatedPopup();
    expect(popup.location.href).toBe(AUTHORIZE_URL);
    win.receiveMessage(createRelayMessage(popupId, CALLBACK_URL), APP, popup);
    expect(callbacks()).toEqual([{ type: 'POPUP.CALLBACK', url: CALLBACK_URL }]);
    expect(errors()).toEqual([]);
  });
});
