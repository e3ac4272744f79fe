/** The in-memory LockManager the cross-tab tests rely on behaves like `navigator.locks`. */
import { describe, expect, it, vi } from 'vitest';
import { FakeLockManager } from '../fixtures/fakeLocks.js';
import { deferred } from './harness.js';

describe('FakeLockManager', () => {
  it('grants one holder at a time, first come first served, and resolves with the callback result', async () => {
    const locks = new FakeLockManager();
    const order: string[] = [];
    const gates = [deferred<void>(), deferred<void>(), deferred<void>()];
    const results = ['a', 'b', 'c'].map((name, i) =>
      locks.request('x', { mode: 'exclusive' }, async (lock) => {
        order.push(`start ${name} ${lock?.name}`);
        await gates[i]?.promise;
        order.push(`end ${name}`);
        return name;
      }),
    );
    await Promise.resolve();
    await Promise.resolve();
    expect(order).toEqual(['start a x']);
    expect(locks.waiting('x')).toBe(2);
    gates[2]?.resolve();
    gates[1]?.resolve();
    gates[0]?.resolve();
    await expect(Promise.all(results)).resolves.toEqual(['a', 'b', 'c']);
    expect(order).toEqual(['start a x', 'end a', 'start b x', 'end b', 'start c x', 'end c']);
    expect(locks.isHeld('x')).toBe(false);
  });

  it('different names do not block each other', async () => {
    const locks = new FakeLockManager();
    const gate = deferred<void>();
    const held = locks.request('x', () => gate.promise);
    await expect(locks.request('y', () => 'y')).resolves.toBe('y');
    gate.resolve();
    await held;
  });

  it('an aborted waiting request leaves the queue and rejects with AbortError', async () => {
    const locks = new FakeLockManager();
    const gate = deferred<void>();
    const first = locks.request('x', () => gate.promise);
    const controller = new AbortController();
    let ran = false;
    const second = locks.request('x', { signal: controller.signal }, () => {
      ran = true;
    });
    controller.abort();
    await expect(second).rejects.toMatchObject({ name: 'AbortError' });
    expect(locks.waiting('x')).toBe(0);
    gate.resolve();
    await first;
    expect(ran).toBe(false);
    await expect(locks.request('x', { signal: AbortSignal.abort() }, () => 1)).rejects.toMatchObject({
      name: 'AbortError',
    });
  });

  it('releases the lock when the callback throws', async () => {
    const locks = new FakeLockManager();
    await expect(
      locks.request('x', () => {
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    expect(locks.isHeld('x')).toBe(false);
    await expect(locks.request('x', () => 'next')).resolves.toBe('next');
  });

  it('ifAvailable gives null while the lock is held', async () => {
    const locks = new FakeLockManager();
    const gate = deferred<void>();
    const held = locks.request('x', () => gate.promise);
    await expect(locks.request('x', { ifAvailable: true }, (lock) => lock)).resolves.toBeNull();
    gate.resolve();
    await held;
    await expect(query(locks)).resolves.toEqual({ held: [], pending: [] });
  });

  it('refuses a mode browsers refuse, and shared locks (not modelled), without running the callback', async () => {
    const locks = new FakeLockManager();
    const callback = vi.fn();
    await expect(locks.request('x', { mode: '' as LockMode }, callback)).rejects.toThrow(TypeError);
    await expect(locks.request('x', { mode: 'shared' }, callback)).rejects.toThrow(/shared/);
    expect(callback).not.toHaveBeenCalled();
    await expect(locks.request('x', { mode: 'exclusive' }, () => 'ok')).resolves.toBe('ok');
  });
});

const query = (locks: FakeLockManager) => locks.query();
