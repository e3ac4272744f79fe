import {
  type Actor,
  type AnyActorRef,
  type AnyMachineSnapshot,
  type AnyStateMachine,
  createActor,
  type EmittedFrom,
  type EventObject,
  type InputFrom,
  type InspectionEvent,
  type Observer,
  type SnapshotFrom,
} from 'xstate';
import { ManualClock, type PendingTimer } from './clock.js';
import { doneActorId, errorActorId, isAfterEventType } from './events.js';
import { describePath, type ModelPath } from './paths.js';
import { stateValuesEqual } from './serialize.js';
import { type Invocation, StandIns } from './standIns.js';

/** A step of a replay, as `onStep` sees it once the actor has reached it. */
export interface ReplayStep<TMachine extends AnyStateMachine> {
  /** The step's index in `path.steps` (0 is the initial state, reached by `xstate.init`). */
  readonly index: number;
  /** The event the step replayed. */
  readonly event: EventObject;
  /** The snapshot the pure `transition()` fold expects (the actor's value and status match it). */
  readonly state: SnapshotFrom<TMachine>;
  /** The events the machine emitted during this step. */
  readonly emitted: readonly EmittedFrom<TMachine>[];
  /** The stand-ins started during this step. */
  readonly invocations: readonly Invocation[];
}

/** A replayed path: the live actor and what it did. */
export interface Replay<TMachine extends AnyStateMachine> {
  /** The real actor, still running (at the path's last state) until {@link Replay.stop}. */
  readonly actor: Actor<TMachine>;
  /** Every event the machine emitted (`emit(...)`), in order. */
  readonly emitted: readonly EmittedFrom<TMachine>[];
  /** Every stand-in started, in order, with its input, received events and status. */
  readonly invocations: readonly Invocation[];
  /** The timers still set on the replay's clock: assert `[]` after {@link Replay.stop} (no leaks). */
  pendingTimers(): PendingTimer[];
  /** Stops the actor (and with it its children and timers). */
  stop(): void;
}

/** Options of {@link replayPath}. */
export interface ReplayOptions<TMachine extends AnyStateMachine> {
  /** The machine's input. */
  input?: InputFrom<TMachine>;
  /**
   * The actor sources (keys of `setup({ actors })`) to replace with settleable stand-ins. Default:
   * every declared source that `provide.actors` does not supply.
   */
  actors?: readonly string[];
  /** Implementations the test wants real (actions, guards, delays, actors), for `machine.provide()`. */
  provide?: Parameters<TMachine['provide']>[0];
  /** An inspection observer for the actor's system, e.g. `coverage.inspect`. */
  inspect?: Observer<InspectionEvent> | ((event: InspectionEvent) => void);
  /**
   * Called before each step is performed (not for the initial one), e.g. to make a real actor's fake
   * server answer what the step expects. Settle real actors so that they finish after this returns: a
   * synchronous callback is not awaited, so a promise it resolves is still pending when the step looks
   * for the running actor.
   */
  beforeStep?: (
    step: Pick<ReplayStep<TMachine>, 'index' | 'event' | 'state'>,
    actor: Actor<TMachine>,
    replay: Replay<TMachine>,
  ) => void | Promise<void>;
  /** Called after each step, once the actor matches it: assert what the user would see there. */
  onStep?: (
    step: ReplayStep<TMachine>,
    actor: Actor<TMachine>,
    replay: Replay<TMachine>,
  ) => void | Promise<void>;
}

/** Microtask turns to let promise chains (e.g. provided async actions) run after each step. */
const MICROTASK_TURNS = 20;
/** Macrotask turns to wait for a real (not stood-in) actor to settle. */
const REAL_ACTOR_TURNS = 500;

async function flushMicrotasks(): Promise<void> {
  for (let i = 0; i < MICROTASK_TURNS; i++) await Promise.resolve();
}

/**
 * Replays `path` on a real actor of `machine` and checks, after every step, that the actor's state
 * value and status are the ones the pure `transition()` fold computed.
 *
 * The actor runs `machine.provide(...)` with a settleable stand-in for each replaced actor source and a
 * manual clock. Steps are performed the way they happen in production:
 * - `xstate.done.actor.<id>` / `xstate.error.actor.<id>`: the running stand-in with that id completes
 *   with the event's `output` / fails with its `error` (a real, not replaced, actor is awaited instead);
 * - `xstate.after.<delay>.<stateId>`: the clock fires the very timer xstate scheduled for that event;
 * - anything else: `actor.send(event)` (including events a callback actor would `sendBack`).
 *
 * A step that cannot be performed (no such running actor, no such timer) or ends in another state
 * throws an Error naming the step, its event, and the expected and actual states; the actor is stopped.
 * On success the actor is left running at the last state so the test can look at it; call `stop()`.
 */
export async function replayPath<TMachine extends AnyStateMachine>(
  machine: TMachine,
  path: ModelPath<TMachine>,
  options: ReplayOptions<TMachine> = {},
): Promise<Replay<TMachine>> {
  const base: AnyStateMachine = machine;
  const provided: { actors?: Record<string, unknown> } = options.provide ?? {};
  const declared = Object.keys(base.implementations.actors);
  const realSources = Object.keys(provided.actors ?? {});
  const replaced = options.actors ?? declared.filter((src) => !realSources.includes(src));
  for (const src of replaced) {
    if (!declared.includes(src)) {
      throw new Error(
        `replayPath: "${src}" is not an actor source of the machine (it has: ${declared.join(', ')})`,
      );
    }
    if (realSources.includes(src)) {
      throw new Error(`replayPath: actor source "${src}" is both provided and replaced by a stand-in`);
    }
  }

  const standIns = new StandIns();
  const logic = base.provide({
    ...provided,
    actors: { ...provided.actors, ...Object.fromEntries(replaced.map((src) => [src, standIns.logic(src)])) },
  });
  const clock = new ManualClock();
  const actor: Actor<AnyStateMachine> = createActor(logic, {
    input: options.input,
    clock,
    ...(options.inspect ? { inspect: options.inspect } : {}),
  });
  clock.attach(actor.system);
  const emitted: EventObject[] = [];
  actor.on('*', (event: EventObject) => {
    emitted.push(event);
  });
  // Set only when the actor itself fails (an action or guard threw); its status is then 'error'.
  let failure: { error: unknown } | undefined;
  actor.subscribe({
    error: (error) => {
      failure = { error };
    },
  });
  const replay: Replay<TMachine> = {
    actor: actor as Actor<TMachine>,
    emitted: emitted as EmittedFrom<TMachine>[],
    invocations: standIns.invocations,
    pendingTimers: () => clock.pending(),
    stop: () => {
      actor.stop();
    },
  };

  const where = (index: number, event: EventObject) =>
    `replayPath: step ${index} (${event.type}) of "${describePath(path)}"`;

  const perform = async (index: number, event: EventObject): Promise<void> => {
    const doneId = doneActorId(event.type);
    const invokeId = doneId ?? errorActorId(event.type);
    if (invokeId !== undefined) {
      const children = (actor.getSnapshot() as AnyMachineSnapshot).children as Record<
        string,
        AnyActorRef | undefined
      >;
      const child = children[invokeId];
      if (!child) {
        const running = Object.keys(children);
        throw new Error(
          `${where(index, event)}: no actor with invoke id "${invokeId}" is running ` +
            `(running: ${running.length ? running.join(', ') : 'none'})`,
        );
      }
      const invocation = standIns.find(child);
      if (!invocation) {
        await waitForRealActor(child, doneId !== undefined ? 'done' : 'error', where(index, event));
      } else if (doneId !== undefined) {
        standIns.resolve(child, (event as { output?: unknown }).output);
      } else {
        standIns.reject(child, (event as { error?: unknown }).error);
      }
      return;
    }
    if (isAfterEventType(event.type)) {
      if (!clock.fire(actor, event.type)) {
        const pending = clock.pending().map((timer) => timer.eventType ?? `(${timer.delay} ms)`);
        throw new Error(
          `${where(index, event)}: no timer is scheduled for this event ` +
            `(pending: ${pending.length ? pending.join(', ') : 'none'})`,
        );
      }
      return;
    }
    actor.send(event);
  };

  try {
    actor.start();
    for (const [index, step] of path.steps.entries()) {
      const initial = index === 0 && step.event.type === 'xstate.init';
      // The initial step owns what `actor.start()` emitted and invoked.
      const emittedBefore = initial ? 0 : emitted.length;
      const invokedBefore = initial ? 0 : standIns.invocations.length;
      if (!initial) {
        const before = options.beforeStep?.(
          { index, event: step.event, state: step.state },
          replay.actor,
          replay,
        );
        if (before) await before;
        await perform(index, step.event);
      }
      await flushMicrotasks();

      const expected = step.state as AnyMachineSnapshot;
      const actual = actor.getSnapshot() as AnyMachineSnapshot;
      if (!stateValuesEqual(expected.value, actual.value) || expected.status !== actual.status) {
        const cause = failure ? ` (actor error: ${String(failure.error)})` : '';
        throw new Error(
          `${where(index, step.event)}: expected ${JSON.stringify(expected.value)} (${expected.status}) ` +
            `but the actor is in ${JSON.stringify(actual.value)} (${actual.status})${cause}`,
          failure ? { cause: failure.error } : undefined,
        );
      }
      await options.onStep?.(
        {
          index,
          event: step.event,
          state: step.state,
          emitted: emitted.slice(emittedBefore) as EmittedFrom<TMachine>[],
          invocations: standIns.invocations.slice(invokedBefore),
        },
        replay.actor,
        replay,
      );
    }
  } catch (error) {
    actor.stop();
    throw error;
  }
  return replay;
}

/** Waits (macrotask by macrotask) for a real actor to finish, and checks it finished as the path says. */
async function waitForRealActor(child: AnyActorRef, outcome: 'done' | 'error', where: string): Promise<void> {
  for (let turn = 0; turn < REAL_ACTOR_TURNS && child.getSnapshot().status === 'active'; turn++) {
    await new Promise((resolve) => globalThis.setTimeout(resolve, 0));
  }
  const status: string = child.getSnapshot().status;
  if (status === 'active') {
    throw new Error(`${where}: actor "${child.id}" is a real actor (not a stand-in) and did not settle`);
  }
  if (status !== outcome) {
    throw new Error(`${where}: real actor "${child.id}" ended "${status}", the path expects "${outcome}"`);
  }
}
