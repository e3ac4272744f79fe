import type { ActorLogic, AnyActorRef, EventObject, Snapshot } from 'xstate';

/** One start of a stand-in actor during a replay. */
export interface Invocation {
  /** The child's id: the invoke `id` (or the spawn id). */
  readonly id: string;
  /** The actor source it stands in for (the key in `setup({ actors })`). */
  readonly src: string;
  /** The input the machine gave it: what the real actor would have been asked to do. */
  readonly input: unknown;
  /** The events the machine sent to it (`sendTo`, `forwardTo`), in order. */
  readonly received: readonly EventObject[];
  /** `active` until the harness settles it (`done`/`error`) or the machine stops it (`stopped`). */
  readonly status: 'active' | 'done' | 'error' | 'stopped';
}

interface MutableInvocation extends Invocation {
  received: EventObject[];
  status: Invocation['status'];
}

const SETTLE = 'authcharts.testing.settle';

type SettleEvent =
  | { type: typeof SETTLE; outcome: 'done'; output: unknown }
  | { type: typeof SETTLE; outcome: 'error'; error: unknown };

type StandInSnapshot = Snapshot<unknown> & { input: unknown };

function isSettle(event: EventObject): event is SettleEvent {
  return event.type === SETTLE;
}

/**
 * Stand-in actor logic for the sources a replay replaces. A stand-in records its input and the events
 * it receives and stays active (like a pending promise, or a callback actor that never calls back)
 * until the harness settles it: then it completes with the step's `output` or fails with its `error`,
 * and xstate sends the parent `xstate.done.actor.<id>` / `xstate.error.actor.<id>` exactly as for a
 * real actor. Settling is synchronous, so a step needs no timers to take effect.
 */
export class StandIns {
  readonly invocations: Invocation[] = [];
  readonly #byRef = new Map<AnyActorRef, MutableInvocation>();

  /** Stand-in logic for the source `src`. */
  logic(src: string): ActorLogic<StandInSnapshot, EventObject, unknown> {
    return {
      config: { standIn: src },
      getInitialSnapshot: (_scope, input) => ({
        status: 'active',
        output: undefined,
        error: undefined,
        input,
      }),
      start: (snapshot, { self }) => {
        const invocation: MutableInvocation = {
          id: self.id,
          src,
          input: snapshot.input,
          received: [],
          status: 'active',
        };
        this.invocations.push(invocation);
        this.#byRef.set(self, invocation);
      },
      transition: (snapshot, event, { self }) => {
        const invocation = this.#byRef.get(self);
        if (snapshot.status !== 'active') return snapshot;
        if (isSettle(event)) {
          if (invocation) invocation.status = event.outcome;
          return event.outcome === 'done'
            ? { status: 'done', output: event.output, error: undefined, input: snapshot.input }
            : { status: 'error', output: undefined, error: event.error, input: snapshot.input };
        }
        if (event.type === 'xstate.stop') {
          if (invocation) invocation.status = 'stopped';
          return { status: 'stopped', output: undefined, error: undefined, input: snapshot.input };
        }
        invocation?.received.push(event);
        return snapshot;
      },
      getPersistedSnapshot: (snapshot) => snapshot,
    };
  }

  /** The invocation of the stand-in `ref`, or `undefined` if `ref` is not a stand-in. */
  find(ref: AnyActorRef): Invocation | undefined {
    return this.#byRef.get(ref);
  }

  /** Completes the stand-in `ref` with `output` (its parent receives `xstate.done.actor.<id>`). */
  resolve(ref: AnyActorRef, output: unknown): void {
    ref.send({ type: SETTLE, outcome: 'done', output } satisfies SettleEvent);
  }

  /** Fails the stand-in `ref` with `error` (its parent receives `xstate.error.actor.<id>`). */
  reject(ref: AnyActorRef, error: unknown): void {
    ref.send({ type: SETTLE, outcome: 'error', error } satisfies SettleEvent);
  }
}
