// @vitest-environment jsdom
/**
 * The runtime behind the bare machines (`createActor(redirectMachine, …)` with no runtime
 * attached): the page's own window, storage, fetch, locks and clock, read so that an app (or a
 * test) that replaces a global later is still heard, and so that a page whose storage is blocked
 * still loads.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { attachRuntime, browserRuntime, runtimeOfSystem } from '../../actors/runtime.js';

afterEach(() => {
  vi.unstubAllGlobals();
  vi.useRealTimers();
});

describe('browserRuntime() on a page', () => {
  it('uses the page’s window and its sessionStorage for the login transaction', () => {
    const runtime = browserRuntime();
    expect(runtime.window).toBe(window);
    expect(runtime.storage).toBe(window.sessionStorage);
  });

  it('sends requests through the global fetch of the moment, not the one at creation', async () => {
    const runtime = browserRuntime();
    const fetch = vi.fn(async () => new Response('{}'));
    vi.stubGlobal('fetch', fetch);
    await runtime.fetch('https://as.example/token', { method: 'POST' });
    expect(fetch).toHaveBeenCalledWith('https://as.example/token', { method: 'POST' });
  });

  it('refreshes one tab at a time through navigator.locks when the browser has it', () => {
    const locks = { request: vi.fn(), query: vi.fn() } as unknown as LockManager;
    vi.stubGlobal('navigator', { locks });
    expect(browserRuntime().locks).toBe(locks);
  });

  it('times tokens with the wall clock', () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(1_700_000_000_000);
    expect(browserRuntime().now()).toBe(1_700_000_000_000);
  });

  it('a page whose storage is blocked (sandboxed iframe, cookies off) still gets a runtime, without storage', () => {
    const descriptor = Object.getOwnPropertyDescriptor(window, 'sessionStorage');
    Object.defineProperty(window, 'sessionStorage', {
      configurable: true,
      get() {
        throw new DOMException('The document is sandboxed', 'SecurityError');
      },
    });
    try {
      const runtime = browserRuntime();
      expect(runtime.window).toBe(window);
      expect(runtime.storage).toBeUndefined();
    } finally {
      if (descriptor) Object.defineProperty(window, 'sessionStorage', descriptor);
    }
  });
});

describe('runtimeOfSystem', () => {
  it('gives an actor system the runtime attached to it, and any other system the page’s', () => {
    const system = {};
    const runtime = { ...browserRuntime(), clientSecret: undefined, now: () => 42 };
    attachRuntime(system, runtime);
    expect(runtimeOfSystem(system)).toBe(runtime);
    expect(runtimeOfSystem({}).window).toBe(window);
    expect(runtimeOfSystem(undefined).window).toBe(window);
  });
});
