/**
 * One browser test bed: the test page server, a real authorization server (oidc-provider on
 * 127.0.0.1) whose only redirect URI is the page's callback, and a real Chromium. Started in that
 * order (the server needs the callback URL, the page needs the issuer) and stopped together.
 */
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll } from 'vitest';
import {
  type AuthorizationServer,
  type AuthorizationServerOptions,
  type RecordedServerRequest,
  startAuthorizationServer,
} from '../../fixtures/authorizationServer.js';
import { waitForApp } from './appPage.js';
import { launchChromium } from './chromium.js';
import { startTestPageServer, type TestPageServer } from './pageServer.js';

/** How long a page waits for anything (a safety net: every wait ends on an event well before). */
const PAGE_TIMEOUT_MS = 20_000;

export interface TestBed {
  readonly pages: TestPageServer;
  readonly server: AuthorizationServer;
  /** A fresh browser profile's worth of state (storage, cookies), closed by `stop`. */
  newContext(): Promise<BrowserContext>;
  /** Opens the app at `path` in a new tab of `context` and waits until it has processed its URL. */
  openApp(context: BrowserContext, path?: string): Promise<Page>;
  /** How many requests the authorization server has received so far: a mark for {@link since}. */
  mark(): number;
  /** The requests received since `mark`, e.g. to count token requests. */
  since(mark: number): RecordedServerRequest[];
  stop(): Promise<void>;
}

export type TestBedOptions = Omit<AuthorizationServerOptions, 'redirectUris'>;

export async function startTestBed(options: TestBedOptions = {}): Promise<TestBed> {
  const pages = await startTestPageServer();
  const contexts: BrowserContext[] = [];
  let server: AuthorizationServer | undefined;
  let browser: Browser | undefined;
  const stop = async () => {
    for (const context of contexts.splice(0)) await context.close().catch(() => {});
    await browser?.close();
    await server?.stop();
    await pages.stop();
  };
  try {
    server = await startAuthorizationServer({ ...options, redirectUris: [pages.callbackUrl] });
    pages.configure({ issuer: server.issuer, clientId: server.clientId });
    browser = await launchChromium();
  } catch (error) {
    await stop();
    throw error;
  }
  const started = { server, browser };

  return {
    pages,
    server: started.server,
    async newContext() {
      const context = await started.browser.newContext();
      context.setDefaultTimeout(PAGE_TIMEOUT_MS);
      contexts.push(context);
      return context;
    },
    async openApp(context, path = '/') {
      const page = await context.newPage();
      await page.goto(new URL(path, pages.origin).href);
      await waitForApp(page);
      return page;
    },
    mark: () => started.server.requests.length,
    since: (mark) => started.server.requests.slice(mark),
    stop,
  };
}

/**
 * Starts a test bed before the calling file's tests and stops it after them; the returned
 * function gives the running bed.
 */
export function useTestBed(options: TestBedOptions = {}): () => TestBed {
  let bed: TestBed | undefined;
  beforeAll(async () => {
    bed = await startTestBed(options);
  });
  afterAll(async () => {
    await bed?.stop();
  });
  return () => {
    if (!bed) throw new Error('The test bed has not started');
    return bed;
  };
}

/** The token requests (RFC 6749 §3.2) among `requests`. */
export const tokenRequests = (requests: RecordedServerRequest[]) =>
  requests.filter((request) => request.method === 'POST' && request.path === '/token');

/** The authorization requests (RFC 6749 §3.1) among `requests`: each is a login that reached the server. */
export const authorizationRequests = (requests: RecordedServerRequest[]) =>
  requests.filter((request) => request.method === 'GET' && request.path.startsWith('/auth?'));
