/**
 * Holds back, until the replay's step says so, the news that a child of the replayed machine has
 * finished. A real actor that needs nothing from the fake world (reading sessionStorage, cleaning
 * the address bar, a redirect machine rejecting a callback) finishes a few promise turns after it
 * started, while the path reaches its `xstate.done.actor.<id>` only at a later step. The actor
 * still runs at once, with all its effects; only its `done`/`error` event waits. That is one of the
 * schedules the real system can take: the event comes whenever the promise settles, and nothing
 * else the path does in between depends on how soon.
 *
 * Not so for a child that finishes synchronously, inside the very call that started or told it (a
 * device login cancelled, a login with invalid options, a redirect machine on an ordinary page):
 * xstate hands its event to the machine before that call returns. The gate records those, and the
 * replay lets such an outcome wait for the next step only (the machine really is in between, for
 * one macrostep), never past another event.
 *
 * Only the children whose outcomes are steps of the machine's paths are held: any other child that
 * ends (a tab-sync actor crashing, say) reaches the machine at once, as it would in production, so
 * the replay sees what that does.
 *
 * xstate hands every event between actors to `system._relay(source, target, event)` (xstate 5,
 * `createSystem`): the gate wraps it for the one actor under replay.
 */
import type { AnyActorRef, EventObject } from 'xstate';

interface Relaying {
  _relay(source: AnyActorRef | undefined, target: AnyActorRef, event: EventObject): void;
}

const isOutcome = (event: EventObject) =>
  event.type.startsWith('xstate.done.actor.') || event.type.startsWith('xstate.error.actor.');

interface Held {
  readonly event: EventObject;
  /** The step during which the child finished synchronously, inside a call the replay made. */
  readonly atOnceIn: number | undefined;
}

export class OutcomeGate {
  readonly #held = new Map<AnyActorRef, Held>();
  readonly #relay: Relaying['_relay'];
  /** The step whose synchronous call is running, if one is. */
  #callOf: number | undefined;

  /** `ids`: the invoke ids whose `done`/`error` events are steps of the machine's paths. */
  constructor(
    readonly root: AnyActorRef,
    ids: ReadonlySet<string>,
  ) {
    const system = root.system as unknown as Relaying;
    const relay = system._relay;
    this.#relay = relay;
    system._relay = (source, target, event) => {
      if (target === root && source !== undefined && ids.has(source.id) && isOutcome(event)) {
        this.#held.set(source, { event, atOnceIn: this.#callOf });
        return;
      }
      relay(source, target, event);
    };
  }

  /** Runs `call` (a synchronous call into the system made for step `index`), noting who finishes in it. */
  during<T>(index: number, call: () => T): T {
    const outer = this.#callOf;
    this.#callOf = index;
    try {
      return call();
    } finally {
      this.#callOf = outer;
    }
  }

  /** The `done`/`error` event `child` sent, if it finished and was not let through yet. */
  held(child: AnyActorRef): EventObject | undefined {
    return this.#held.get(child)?.event;
  }

  /** The children still held that finished synchronously in a call of step `index`. */
  endedAtOnceIn(index: number): AnyActorRef[] {
    return [...this.#held].filter(([, held]) => held.atOnceIn === index).map(([child]) => child);
  }

  /** Delivers `child`'s held event to the machine, as xstate would have done when it finished. */
  release(child: AnyActorRef): void {
    const held = this.#held.get(child);
    if (!held) throw new Error(`OutcomeGate: "${child.id}" has not finished`);
    this.#held.delete(child);
    this.#relay(child, this.root, held.event);
  }
}
