/**
 * The demo page: one `createAuthorization` on this page, three ways to log in, and a live view of
 * every machine and every event. Runs in the browser; `demo/server.ts` bundles it.
 */
import { createBrowserInspector } from '@statelyai/inspect';
import QRCode from 'qrcode';
import type { InspectionEvent } from 'xstate';
import { type Authorization, createAuthorization, redactInspection } from '../src/index.js';
import type { DemoConfig } from './server.js';

const INSPECT_FLAG = 'authcharts-demo:inspect';

function element<T extends HTMLElement = HTMLElement>(id: string): T {
  const found = document.getElementById(id);
  if (!found) throw new Error(`the demo page has no #${id}`);
  return found as T;
}

/** One row per running machine: the root's regions and each child statechart. */
const machines = new Map<string, { status: string; value: string }>();

function renderMachines(): void {
  const rows = [...machines].map(([name, { status, value }]) => {
    const row = document.createElement('tr');
    row.dataset.machine = name;
    for (const text of [name, status, value]) {
      const cell = document.createElement('td');
      cell.textContent = text;
      row.append(cell);
    }
    return row;
  });
  element('machines').replaceChildren(...rows);
}

/** Follows snapshots of statecharts (actors whose snapshot has a `value`); promise actors are skipped. */
function watchMachines(event: InspectionEvent): void {
  if (event.type !== '@xstate.snapshot') return;
  const snapshot = event.snapshot as { status?: string; value?: unknown };
  if (snapshot.value === undefined) return;
  const ref = event.actorRef as { id?: string; sessionId?: string };
  const name = ref.sessionId === event.rootId ? 'authorization (root)' : (ref.id ?? '?');
  machines.set(name, { status: snapshot.status ?? '', value: JSON.stringify(snapshot.value) });
  renderMachines();
}

function logEvent(channel: string, event: unknown): void {
  const { eventType, ...rest } = event as { eventType?: string };
  const item = document.createElement('li');
  item.dataset.channel = channel;
  item.dataset.eventType = eventType ?? '';
  // Event payloads carry no secrets (a library rule); the login URL's state is shortened anyway.
  item.textContent = `${channel} · ${eventType ?? '?'} ${JSON.stringify(rest).slice(0, 200)}`;
  element('log').prepend(item);
}

function renderSession(auth: Authorization): void {
  const { supertoken, canAuthorize, canRefresh } = auth.credentials;
  const status = element('status');
  status.dataset.status = canAuthorize ? 'signed-in' : 'signed-out';
  status.textContent = canAuthorize ? 'signed in' : 'signed out';
  const token = element('token');
  if (!supertoken) {
    token.textContent = 'No token.';
    return;
  }
  const left =
    supertoken.expires === undefined ? undefined : Math.round((supertoken.expires - Date.now()) / 1000);
  token.textContent = [
    `Access token present (scope: ${supertoken.scope ?? 'n/a'})`,
    left === undefined ? 'no expiry given' : `expires in ${left} s`,
    canRefresh ? 'refresh token present' : 'no refresh token',
  ].join(' · ');
}

async function showQrCode(verificationUriComplete: string, userCode: string): Promise<void> {
  element<HTMLImageElement>('qr-image').src = await QRCode.toDataURL(verificationUriComplete, { margin: 1 });
  element('user-code').textContent = userCode;
  element<HTMLAnchorElement>('verification-link').href = verificationUriComplete;
  element('qr').hidden = false;
}

async function main(): Promise<void> {
  const config = (await (await fetch('/config.json')).json()) as DemoConfig;
  const inspectSwitch = element<HTMLInputElement>('inspect-switch');
  inspectSwitch.checked = sessionStorage.getItem(INSPECT_FLAG) === 'on';
  inspectSwitch.addEventListener('change', () => {
    sessionStorage.setItem(INSPECT_FLAG, inspectSwitch.checked ? 'on' : 'off');
    location.reload();
  });
  // The inspector window opens on a click (popup blockers), and sees only redacted events.
  const inspector = inspectSwitch.checked
    ? createBrowserInspector({ ...redactInspection(), autoStart: false })
    : undefined;
  if (inspector) {
    const open = element('open-inspector');
    open.hidden = false;
    open.addEventListener('click', () => inspector.start());
  }

  const auth = createAuthorization({
    clientId: config.clientId,
    redirectUri: config.redirectUri,
    issuer: config.issuer,
    scope: 'openid',
    inspect: (event) => {
      watchMachines(event);
      inspector?.inspect.next?.(event);
    },
  });
  Object.assign(window, { auth });
  auth.eventEmitter.on('*', (channel, event) => {
    logEvent(String(channel), event);
    renderSession(auth);
  });
  auth.eventEmitter.on('qRCodeLogin', (event) => {
    if (event.eventType === 'getUserCodeSuccess') {
      void showQrCode(
        event.userData.verificationUriComplete ?? event.userData.verificationUri,
        event.userData.userCode,
      );
    }
    if (['authorizationSuccess', 'authorizationFailure', 'pollingCanceled'].includes(event.eventType)) {
      element('qr').hidden = true;
    }
  });

  const report = (error: unknown) => logEvent('demo', { eventType: 'error', message: String(error) });
  element('login-redirect').addEventListener('click', () => auth.initiateLogin().catch(report));
  element('login-popup').addEventListener('click', () =>
    auth.initiateLogin({ separateWindow: true }).catch(report),
  );
  element('login-qr').addEventListener('click', () => auth.initQRCodeLogin());
  element('cancel-qr').addEventListener('click', () => auth.cancelQRCodePolling());
  element('refresh').addEventListener('click', () => auth.refresh().catch(report));
  // The demo server registers no logout return URL, so the demo revokes and forgets locally.
  element('logout').addEventListener('click', () => auth.logout({ noRedirect: true }).catch(report));

  await auth.whenReady();
  renderSession(auth);
  setInterval(() => renderSession(auth), 1000);
}

main().catch((error: unknown) => {
  const status = element('status');
  status.dataset.status = 'error';
  status.textContent = `the demo failed to start: ${String(error)}`;
});
