import type { AnyActorRef, EventObject } from 'xstate';

/** What xstate's scheduler records for a delayed event (`system.getSnapshot()._scheduledEvents`). */
interface ScheduledEvent {
  readonly event: EventObject;
  readonly delay: number;
  readonly source: AnyActorRef;
  readonly target: AnyActorRef;
}

/** The part of xstate's `ActorSystem` the clock reads. */
interface SchedulerView {
  getSnapshot(): { _scheduledEvents: Record<string, ScheduledEvent> };
}

interface Timer {
  readonly handle: number;
  readonly fn: () => void;
  readonly delay: number;
  /** The scheduler entry this timer delivers; `undefined` for a timeout xstate's scheduler did not make. */
  readonly scheduled: ScheduledEvent | undefined;
}

/** A timer that is set and has neither fired nor been cleared. */
export interface PendingTimer {
  /** The event the timer delivers (`xstate.after.<delay>.<stateId>` for `after`), if xstate scheduled it. */
  readonly eventType: string | undefined;
  /** The delay in milliseconds. */
  readonly delay: number;
  /** The id of the actor that receives the event. */
  readonly target: string | undefined;
}

/**
 * A clock for `createActor(logic, { clock })` whose timeouts fire only when told to, one at a time.
 *
 * xstate's scheduler writes a delayed event into `system.getSnapshot()._scheduledEvents` and then, in
 * the same synchronous call, asks the clock for a timeout. So when `setTimeout` runs, the one scheduler
 * entry not yet owned by a live timer is the one this timeout delivers: the clock binds them then, and
 * {@link fire} can later fire exactly the timer of a given event, never another that happens to be due.
 */
export class ManualClock {
  readonly #timers = new Map<number, Timer>();
  #nextHandle = 1;
  #system: SchedulerView | undefined;

  /** Binds the clock to the actor system whose scheduler uses it (before the actor starts). */
  attach(system: SchedulerView): void {
    this.#system = system;
  }

  setTimeout(fn: () => void, delay: number): number {
    const handle = this.#nextHandle++;
    this.#timers.set(handle, { handle, fn, delay, scheduled: this.#unclaimedEntry() });
    return handle;
  }

  clearTimeout(handle: number): void {
    this.#timers.delete(handle);
  }

  /** The timers that are set and have neither fired nor been cleared. */
  pending(): PendingTimer[] {
    return [...this.#timers.values()].map(({ delay, scheduled }) => ({
      eventType: scheduled?.event.type,
      delay,
      target: scheduled?.target.id,
    }));
  }

  /**
   * Fires the timer that delivers `eventType` to `target`, as if its delay had elapsed.
   * Returns `false` (and fires nothing) when no such timer is pending.
   */
  fire(target: AnyActorRef, eventType: string): boolean {
    const live = new Set(this.#entries());
    const timer = [...this.#timers.values()].find(
      ({ scheduled }) =>
        scheduled !== undefined &&
        live.has(scheduled) &&
        scheduled.target === target &&
        scheduled.event.type === eventType,
    );
    if (!timer) return false;
    this.#timers.delete(timer.handle);
    timer.fn();
    return true;
  }

  #entries(): ScheduledEvent[] {
    return this.#system ? Object.values(this.#system.getSnapshot()._scheduledEvents) : [];
  }

  #unclaimedEntry(): ScheduledEvent | undefined {
    const claimed = new Set([...this.#timers.values()].map((timer) => timer.scheduled));
    return this.#entries()
      .filter((entry) => !claimed.has(entry))
      .at(-1);
  }
}
