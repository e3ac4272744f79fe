/**
 * The tab-sync actor on its own, inside a small host machine that records what the actor tells
 * its parent (as the session machine would receive it). Another tab is anything that can post on
 * the session's BroadcastChannel, so what arrives there is untrusted: only a well-formed token or
 * logout may reach the session. And the actor runs wherever authcharts runs: a page, a window
 * without some of the DOM, no window at all, no BroadcastChannel.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createActor, type EventObject, setup } from 'xstate';
import type { Runtime } from '../../actors/runtime.js';
import { createTabSync, type TabSyncCommand } from '../../actors/tabSync.js';
import { resolveConfig } from '../../src/config.js';
import type { Token } from '../../src/token.js';
import { memoryTokenStore } from '../../src/tokenStore.js';
import { FakeDocument, SessionWindow } from '../fixtures/sessionWindow.js';
import { testRuntime } from '../fixtures/testRuntime.js';

const TOKEN: Token = { access_token: 'AT-from-another-tab', token_type: 'Bearer', refresh_token: 'RT-1' };

let stops: Array<() => void> = [];
afterEach(() => {
  for (const stop of stops) stop();
  stops = [];
  vi.unstubAllGlobals();
});

/**
 * Node's BroadcastChannel, remembering the channels opened, so a test can hand the actor's
 * channel a message the way the browser does when another tab posts, synchronously: a throw in
 * the handler then fails the test instead of landing in the event loop.
 */
class RecordedChannel extends BroadcastChannel {
  static opened: RecordedChannel[] = [];
  closed = false;
  constructor(name: string) {
    super(name);
    RecordedChannel.opened.push(this);
  }
  override close() {
    this.closed = true;
    super.close();
  }
}

let clientCount = 0;

/** Starts the tab-sync actor in a host machine that records every event the actor sends it. */
function startTabSync(window: Runtime['window']) {
  const tokenStore = memoryTokenStore();
  const runtime = testRuntime({ window, tokenStore });
  // A client id per test: the channel is named after it.
  const config = resolveConfig(
    {
      clientId: `client-${++clientCount}`,
      redirectUri: 'https://app.example/cb',
      issuer: 'https://as.example',
    },
    true,
  );
  const received: EventObject[] = [];
  const machine = setup({ actors: { tabSync: createTabSync(() => runtime) } }).createMachine({
    initial: 'running',
    on: { '*': { actions: ({ event }) => received.push(event) } },
    states: {
      running: {
        invoke: { id: 'tabSync', src: 'tabSync', input: { config } },
        on: { 'HOST.STOP_SYNC': 'done' },
      },
      done: {},
    },
  });
  const host = createActor(machine).start();
  stops.push(() => host.stop());
  return {
    tokenStore,
    received,
    send: (command: TabSyncCommand) => host.getSnapshot().children.tabSync?.send(command),
    /** Stops the actor while the host runs on, so an error thrown on the way out reaches the host. */
    stopSync: () => host.send({ type: 'HOST.STOP_SYNC' }),
    errors: () => received.filter((event) => event.type.startsWith('xstate.error')),
  };
}

/** A page with the actor running and its channel in hand, to play another tab's messages. */
function pageWithChannel() {
  vi.stubGlobal('BroadcastChannel', RecordedChannel);
  RecordedChannel.opened = [];
  const win = new SessionWindow();
  const actor = startTabSync(win.asWindow());
  const [channel] = RecordedChannel.opened;
  if (!channel?.onmessage) throw new Error('the actor listens on no BroadcastChannel');
  const onmessage = channel.onmessage.bind(channel);
  /** Another tab posted `data` on the session's channel (a MessageEvent would turn undefined into null). */
  const hear = (data: unknown) => onmessage({ data } as MessageEvent);
  return { win, channel, hear, ...actor };
}

describe('what another tab announces', () => {
  it('a token and a logout from another tab reach the session', () => {
    const { hear, received } = pageWithChannel();
    hear({ type: 'token', token: TOKEN });
    hear({ type: 'logout' });
    expect(received).toEqual([{ type: 'REMOTE.TOKEN', token: TOKEN }, { type: 'REMOTE.LOGOUT' }]);
  });

  // Anything can post on a same-origin channel (an old version of the app, a bug, a script).
  // A malformed message must not log this tab out, hand it a token, or throw.
  it.each([
    ['null', null],
    ['undefined', undefined],
    ['the string "logout"', 'logout'],
    ['a number', 42],
    ['an object with an unknown type', { type: 'refresh' }],
    ['an object with no type but a token', { token: TOKEN }],
    ['an unknown type carrying a valid token', { type: 'login', token: TOKEN }],
    ['a token message without a token', { type: 'token' }],
    ['a token message whose token has no access token', { type: 'token', token: { token_type: 'Bearer' } }],
    ['a token message whose access token is not a string', { type: 'token', token: { access_token: 42 } }],
  ])('ignores %s: no logout, no token, no crash', (_name, data) => {
    const { hear, received } = pageWithChannel();
    expect(() => hear(data)).not.toThrow();
    expect(received).toEqual([]);
  });

  it('stopping closes the channel and removes the visibility and online listeners', () => {
    const { win, channel, stopSync, errors } = pageWithChannel();
    expect(win.document.listenerCount('visibilitychange')).toBe(1);
    expect(win.listenerCount('online')).toBe(1);
    stopSync();
    expect(channel.closed).toBe(true);
    expect(win.document.listenerCount('visibilitychange')).toBe(0);
    expect(win.listenerCount('online')).toBe(0);
    expect(errors()).toEqual([]);
  });
});

describe('runtimes without a full browser', () => {
  it('without BroadcastChannel, storing a token and logging out still work, and stopping leaves no listener', () => {
    vi.stubGlobal('BroadcastChannel', undefined);
    const win = new SessionWindow();
    const { send, tokenStore, stopSync, errors } = startTabSync(win.asWindow());
    send({ type: 'SYNC.TOKEN', token: TOKEN });
    expect(tokenStore.load()).toEqual(TOKEN);
    send({ type: 'SYNC.LOGOUT' });
    // Nothing stored may outlive a logout.
    expect(tokenStore.load()).toBeUndefined();
    stopSync();
    expect(win.document.listenerCount('visibilitychange')).toBe(0);
    expect(win.listenerCount('online')).toBe(0);
    expect(errors()).toEqual([]);
  });

  it.each([
    ['a document without addEventListener', { visibilityState: 'visible' }],
    ['a window without a document', undefined],
  ])('%s: online still wakes the actor, and stopping removes the online listener', (_name, document) => {
    const win = new SessionWindow();
    Object.defineProperty(win, 'document', { value: document });
    const { received, stopSync, errors } = startTabSync(win.asWindow());
    win.goOnline();
    expect(received).toEqual([{ type: 'WAKE' }]);
    stopSync();
    expect(win.listenerCount('online')).toBe(0);
    expect(errors()).toEqual([]);
  });

  it('a window without addEventListener: the actor starts, wakes when the tab is shown, and stops cleanly', () => {
    const document = new FakeDocument();
    const { received, stopSync, errors } = startTabSync({ document } as unknown as Window);
    document.setVisibility('hidden');
    document.setVisibility('visible');
    expect(received).toEqual([{ type: 'WAKE' }]);
    stopSync();
    expect(document.listenerCount('visibilitychange')).toBe(0);
    expect(errors()).toEqual([]);
  });

  it('no window at all (Node): stores and clears tokens, and stops without an error', () => {
    const { send, tokenStore, stopSync, errors } = startTabSync(undefined);
    send({ type: 'SYNC.TOKEN', token: TOKEN });
    expect(tokenStore.load()).toEqual(TOKEN);
    send({ type: 'SYNC.LOGOUT' });
    expect(tokenStore.load()).toBeUndefined();
    stopSync();
    expect(errors()).toEqual([]);
  });
});
