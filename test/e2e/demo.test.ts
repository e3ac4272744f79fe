/**
 * The demo (`npm start`) in real Chromium: the page `startDemo` serves logs in through all three
 * modes against its embedded authorization server — full-page redirect, popup, and QR code
 * approved from a second browser through the server's own verification pages — and logs out
 * between them. What is checked is what a visitor sees: the session line, the event log, the
 * machines table, the QR image and the clean address bar.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Demo, startDemo } from '../../demo/server.js';
import { launchChromium } from './support/chromium.js';

let demo: Demo;
let browser: Browser;

beforeAll(async () => {
  demo = await startDemo({ deviceInterval: 1 });
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
  await demo?.stop();
});

const status = (page: Page) => page.getAttribute('#status', 'data-status');
const logged = (page: Page, channel: string, eventType: string) =>
  page.locator(`#log li[data-channel="${channel}"][data-event-type="${eventType}"]`);
const tokenRequests = () =>
  demo.authorizationServer.requests.filter((r) => r.method === 'POST' && r.path === '/token');

async function logOut(page: Page): Promise<void> {
  await page.click('#logout');
  await page.waitForSelector('#status[data-status="signed-out"]');
  await expect(logged(page, 'session', 'logout').count()).resolves.toBeGreaterThan(0);
}

describe('the demo page', () => {
  it('logs in by redirect, by popup and by QR code, and shows the machines and events', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(demo.url);
    await page.waitForSelector('#status[data-status="signed-out"]');
    // The root's regions and its session machine are on show from the start.
    await page.waitForSelector('#machines tr[data-machine="session"]');
    await page.waitForSelector('#machines tr[data-machine="authorization (root)"]');
    expect(await page.textContent('#machines')).toContain('unauthenticated');

    // 1. Redirect: the page leaves for the server and comes back signed in, its URL clean.
    let before = tokenRequests().length;
    await page.click('#login-redirect');
    await page.waitForURL((url) => url.href.startsWith(demo.url) && !url.search.includes('code='));
    await page.waitForSelector('#status[data-status="signed-in"]');
    expect(page.url()).toBe(demo.url);
    await expect(logged(page, 'login', 'authorizationSuccess').count()).resolves.toBe(1);
    expect(await page.textContent('#token')).toMatch(/expires in \d+ s/);
    expect(tokenRequests().length - before).toBe(1);
    await logOut(page);

    // 2. Popup: the server's pages open in a popup, which closes itself; the page never leaves.
    before = tokenRequests().length;
    const popupOpened = page.waitForEvent('popup');
    await page.click('#login-popup');
    const popup = await popupOpened;
    await popup.waitForEvent('close');
    await page.waitForSelector('#status[data-status="signed-in"]');
    expect(page.url()).toBe(demo.url);
    expect(await logged(page, 'login', 'authorizationSuccess').first().textContent()).toContain('popup');
    expect(tokenRequests().length - before).toBe(1);
    await logOut(page);

    // 3. QR code: the page shows a QR image, the user code and the verification link; a second
    //    browser (the phone) approves the code on the server's own pages.
    await page.click('#login-qr');
    await page.waitForSelector('#qr:not([hidden])');
    const userCode = (await page.textContent('#user-code')) ?? '';
    expect(userCode).not.toBe('');
    expect(await page.getAttribute('#qr-image', 'src')).toMatch(/^data:image\/png;base64,/);
    const verificationUrl = (await page.getAttribute('#verification-link', 'href')) ?? '';
    expect(new URL(verificationUrl).origin).toBe(demo.authorizationServer.issuer);
    const phone = await (await browser.newContext()).newPage();
    await phone.goto(verificationUrl);
    await phone.waitForSelector('form#op\\.deviceConfirmForm', { state: 'attached' });
    expect(await phone.textContent('code')).toBe(userCode);
    await phone.click('button:has-text("Continue")');
    await phone.waitForSelector('[data-outcome="signed-in"]');
    await page.waitForSelector('#status[data-status="signed-in"]');
    await page.waitForSelector('#qr[hidden]', { state: 'attached' });
    await expect(logged(page, 'qRCodeLogin', 'authorizationSuccess').count()).resolves.toBe(1);

    // Refresh gets a new token through the session machine.
    before = tokenRequests().length;
    await page.click('#refresh');
    await expect.poll(() => logged(page, 'session', 'tokenRefreshed').count()).toBe(1);
    expect(tokenRequests().length - before).toBe(1);
    expect(await status(page)).toBe('signed-in');
  });
});
