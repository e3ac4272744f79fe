/**
 * The default runtime in Node (server-side rendering, the Webex backend snippets): no window, no
 * storage, no locks; creating it must not touch browser globals.
 */
import { describe, expect, it } from 'vitest';
import { browserRuntime } from '../../actors/runtime.js';

describe('browserRuntime() in Node', () => {
  it('has no window, no transaction storage and no locks, and does not throw', () => {
    expect(typeof window).toBe('undefined');
    const runtime = browserRuntime();
    expect(runtime.window).toBeUndefined();
    expect(runtime.storage).toBeUndefined();
    expect(runtime.locks).toBe(typeof navigator === 'undefined' ? undefined : navigator.locks);
  });
});
