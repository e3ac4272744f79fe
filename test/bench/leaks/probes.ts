/**
 * Counters for what a stopped flow must not leave behind: timers (setTimeout/setInterval, which
 * xstate's clock and the request deadline read from the global at call time) and
 * BroadcastChannels (tab sync, popup relay). Installed around one measurement, then removed.
 */

type TimerHandle = ReturnType<typeof setTimeout>;

export interface Probes {
  /** Timers set and neither cleared nor fired. */
  liveTimers(): number;
  /** BroadcastChannels opened and not closed. */
  openChannels(): number;
  /** Puts the original globals back. */
  restore(): void;
}

export function installProbes(): Probes {
  const original = {
    setTimeout: globalThis.setTimeout,
    clearTimeout: globalThis.clearTimeout,
    setInterval: globalThis.setInterval,
    clearInterval: globalThis.clearInterval,
    BroadcastChannel: globalThis.BroadcastChannel,
  };
  const timers = new Set<TimerHandle>();
  const channels = new Set<BroadcastChannel>();

  const setTimeoutProbe = (callback: (...args: unknown[]) => void, ms?: number, ...args: unknown[]) => {
    const handle: TimerHandle = original.setTimeout(() => {
      timers.delete(handle);
      callback(...args);
    }, ms);
    timers.add(handle);
    return handle;
  };
  const setIntervalProbe = (callback: (...args: unknown[]) => void, ms?: number, ...args: unknown[]) => {
    const handle: TimerHandle = original.setInterval(() => callback(...args), ms);
    timers.add(handle);
    return handle;
  };
  const clearProbe = (handle: TimerHandle | undefined) => {
    if (handle !== undefined) timers.delete(handle);
    original.clearTimeout(handle);
  };
  class CountedBroadcastChannel extends original.BroadcastChannel {
    constructor(name: string) {
      super(name);
      channels.add(this);
    }
    override close() {
      channels.delete(this);
      super.close();
    }
  }

  Object.assign(globalThis, {
    setTimeout: setTimeoutProbe,
    clearTimeout: clearProbe,
    setInterval: setIntervalProbe,
    clearInterval: clearProbe,
    BroadcastChannel: CountedBroadcastChannel,
  });
  return {
    liveTimers: () => timers.size,
    openChannels: () => channels.size,
    restore() {
      Object.assign(globalThis, original);
      // Whatever leaked must not keep the bench process alive.
      for (const handle of timers) original.clearTimeout(handle);
      for (const channel of channels) channel.close();
    },
  };
}
