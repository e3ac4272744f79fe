/**
 * QR-code login (device authorization, RFC 8628) in real Chromium: the app shows a user code,
 * the user approves it on a second device through the authorization server's own verification
 * pages (§3.3), and the app, polling at the server's interval (§3.4, §3.5), is signed in.
 */
import { describe, expect, it } from 'vitest';
import { callPage, readyOf, waitForAppEvent } from './support/appPage.js';
import { useTestBed } from './support/testBed.js';

const testBed = useTestBed();

describe('QR-code login in Chromium', () => {
  it('signs the app in once the user approves the code on a second device', async () => {
    const bed = testBed();
    const context = await bed.newContext();
    const page = await bed.openApp(context);
    expect(await readyOf(page)).toEqual({ outcome: 'none', error: undefined });
    const mark = bed.mark();

    await page.click('#login-qr');
    const shown = await waitForAppEvent(page, 'qRCodeLogin', 'getUserCodeSuccess');
    const userCode = String(shown.userData?.userCode);
    const verificationUriComplete = String(shown.userData?.verificationUriComplete);
    expect(await page.textContent('#user-code')).toBe(userCode);
    expect(new URL(verificationUriComplete).origin).toBe(bed.server.issuer);

    // The phone: another browser with nothing in common with the app but the QR code's URL.
    const phone = await (await bed.newContext()).newPage();
    // The prefilled code submits itself (the server's page does that), and the server asks the
    // user to confirm the very code the app shows.
    await phone.goto(verificationUriComplete);
    await phone.waitForSelector('form#op\\.deviceConfirmForm', { state: 'attached' });
    expect(await phone.textContent('code')).toBe(userCode);
    await phone.click('button:has-text("Continue")');
    await phone.waitForSelector('[data-outcome="signed-in"]');

    await waitForAppEvent(page, 'qRCodeLogin', 'authorizationSuccess');
    expect((await callPage(page, 'status')).text).toBe('Signed in');
    expect(await callPage(page, 'userinfo')).toEqual({ status: 200, sub: 'user-1' });

    // One device authorization; every poll waited its interval; exactly one was answered with tokens.
    const deviceAuthorizations = bed
      .since(mark)
      .filter((request) => request.method === 'POST' && request.path === '/device/auth');
    expect(deviceAuthorizations).toHaveLength(1);
    const polls = bed.server.devicePolls(userCode) ?? [];
    expect(polls.filter((poll) => poll.early)).toEqual([]);
    expect(polls.filter((poll) => poll.answer === 'success')).toHaveLength(1);
    expect(polls.at(-1)?.answer).toBe('success');
  });
});
