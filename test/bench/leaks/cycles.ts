/**
 * One start → cancel cycle per machine, and one `createAuthorization` → `stop()` cycle. Each cycle
 * first brings the flow to where it holds the most (timers armed, a request in flight, window
 * listeners and BroadcastChannels open), then cancels it. The machines are the ones the facade
 * runs (`createAuthorizationLogic`), on one runtime whose window and server are shared by every
 * cycle, so anything a cycle leaves attached accumulates where it can be counted.
 */
import { type AnyActorLogic, type AnyActorRef, createActor } from 'xstate';
import { browserRuntime, type Runtime } from '../../../actors/runtime.js';
import { resolveConfig } from '../../../src/config.js';
import { createAuthorization, createAuthorizationLogic } from '../../../src/index.js';
import { encodeState } from '../../../src/stateCodec.js';
import type { Token } from '../../../src/token.js';
import { memoryTokenStore, tokenStorageKey } from '../../../src/tokenStore.js';
import { CODE_VERIFIER_KEY, CSRF_TOKEN_KEY } from '../../../src/transactionStore.js';
import { MemoryStorage } from '../../fixtures/fakeWindow.js';
import { SessionWindow } from '../../fixtures/sessionWindow.js';
import { waitUntil } from '../waitUntil.js';
import { createStubServer, STUB_ISSUER, type StubServer } from './stubServer.js';

const APP = 'https://app.example';
const CLIENT_ID = 'bench-leaks';
const CSRF = 'leak-csrf-0123456789abcdefghijklmnopqrstuv';

export interface CycleScenario {
  name: string;
  /** One start → cancel. */
  cycle(): Promise<void>;
  /** Listeners still attached to the scenario's window and document. */
  listeners(): number;
  /** Requests neither answered nor aborted. */
  inFlight(): number;
}

/** A token an hour from expiry, with a refresh token: the session arms its refresh timer. */
function storedToken(): Token {
  return {
    access_token: 'stored-access-token',
    token_type: 'Bearer',
    refresh_token: 'stored-refresh-token',
    expires: Date.now() + 3_600_000,
  };
}

function windowListeners(win: SessionWindow): number {
  return (
    win.messageListenerCount + win.listenerCount('online') + win.document.listenerCount('visibilitychange')
  );
}

const childOf = (actor: AnyActorRef, id: string): AnyActorRef | undefined =>
  (actor.getSnapshot().children as Record<string, AnyActorRef | undefined>)[id];

/** The bench's runtime: the shared window, the stub server, a stored token in memory. */
function benchRuntime(win: SessionWindow, server: StubServer): Runtime {
  const tokenStore = memoryTokenStore();
  tokenStore.save(storedToken());
  return {
    ...browserRuntime(),
    window: win.asWindow(),
    fetch: server.fetch,
    storage: new MemoryStorage(),
    tokenStore,
    locks: undefined,
    discoveryCache: new Map(),
  };
}

/** The five machines, each cancelled where it holds the most. */
export function machineScenarios(): CycleScenario[] {
  const server = createStubServer();
  const win = new SessionWindow({ href: `${APP}/` });
  const runtime = benchRuntime(win, server);
  const config = resolveConfig(
    { clientId: CLIENT_ID, redirectUri: `${APP}/callback`, issuer: STUB_ISSUER, refreshAhead: true },
    true,
  );
  const root = createAuthorizationLogic(runtime);
  const machines = root.implementations.actors as Record<
    'redirect' | 'login' | 'deviceAuthorization' | 'session',
    AnyActorLogic
  >;
  const common = { listeners: () => windowListeners(win), inFlight: server.inFlight };
  const callbackHref = `${APP}/callback?code=leak-code&state=${encodeState({ csrf_token: CSRF })}&iss=${encodeURIComponent(STUB_ISSUER)}`;

  return [
    {
      name: 'redirect: cancelled while the code exchange is in flight',
      ...common,
      async cycle() {
        runtime.storage?.setItem(CSRF_TOKEN_KEY, CSRF);
        runtime.storage?.setItem(CODE_VERIFIER_KEY, 'leak-verifier-0123456789abcdefghijklmnopqrstuvwxyz');
        const actor = createActor(machines.redirect, {
          input: { config, href: callbackHref, source: 'location' },
        }).start();
        await waitUntil(() => actor.getSnapshot().matches('exchanging'), 'exchanging');
        actor.stop();
      },
    },
    {
      name: 'login (popup): cancelled while the popup is open',
      ...common,
      async cycle() {
        const actor = createActor(machines.login, {
          input: { config, options: { separateWindow: true } },
        }).start();
        await waitUntil(
          () => actor.getSnapshot().matches({ popup: { interacting: 'awaitingCallback' } }),
          'awaitingCallback',
        );
        actor.stop();
        // The fake window keeps every popup it opened; the bench must not count those.
        win.popups.splice(0);
      },
    },
    {
      name: 'deviceAuthorization: CANCEL while waiting to poll',
      ...common,
      async cycle() {
        const actor = createActor(machines.deviceAuthorization, { input: { config } }).start();
        await waitUntil(() => actor.getSnapshot().matches({ polling: 'waiting' }), 'polling.waiting');
        actor.send({ type: 'CANCEL', withCancelEvent: true });
        if (actor.getSnapshot().status !== 'done') throw new Error('CANCEL did not end the flow');
      },
    },
    {
      name: 'session: stopped with a refresh scheduled',
      ...common,
      async cycle() {
        const actor = createActor(machines.session, { input: { config } }).start();
        await waitUntil(
          () => actor.getSnapshot().matches({ authenticated: 'waiting' }),
          'authenticated.waiting',
        );
        actor.stop();
      },
    },
    {
      name: 'authorization (root): stopped while a QR login polls',
      ...common,
      async cycle() {
        const actor = createActor(root, { input: { config, href: `${APP}/` } }).start();
        actor.send({ type: 'QR_START' });
        await waitUntil(
          () => childOf(actor, 'deviceAuthorization')?.getSnapshot().matches({ polling: 'waiting' }) === true,
          'deviceAuthorization polling.waiting',
        );
        actor.stop();
      },
    },
  ];
}

/** `createAuthorization` → `stop()`, with a stored token, an app listener and a QR login polling. */
export function facadeScenario(): CycleScenario {
  const server = createStubServer();
  const localStorage = new MemoryStorage();
  localStorage.setItem(tokenStorageKey(CLIENT_ID), JSON.stringify(storedToken()));
  const win = new SessionWindow({ href: `${APP}/`, localStorage });
  return {
    name: 'createAuthorization → stop() while a QR login polls and a refresh is scheduled',
    listeners: () => windowListeners(win),
    inFlight: server.inFlight,
    async cycle() {
      const auth = createAuthorization({
        clientId: CLIENT_ID,
        redirectUri: `${APP}/callback`,
        issuer: STUB_ISSUER,
        window: win.asWindow(),
        fetch: server.fetch,
        refreshAhead: true,
      });
      auth.eventEmitter.on('qRCodeLogin', () => {});
      auth.initQRCodeLogin();
      await waitUntil(
        () =>
          childOf(auth.actor, 'deviceAuthorization')?.getSnapshot().matches({ polling: 'waiting' }) === true,
        'deviceAuthorization polling.waiting',
      );
      auth.stop();
    },
  };
}
