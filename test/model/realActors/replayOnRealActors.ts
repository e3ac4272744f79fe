/**
 * The second run of the model-based suites (SPEC §9): a path generated for a machine, replayed on
 * the machine with its REAL actors (actors/, bound to a runtime over a fake window, a fake fetch
 * that honours `AbortSignal`, fake storage and locks) instead of settleable stand-ins. Each step
 * happens the way it happens in production, arranged by a per-machine driver:
 * - `xstate.done.actor.<id>` / `xstate.error.actor.<id>`: the driver arranges the fake world (the
 *   server's answer, storage, the popup) so the running real actor ends that way; the replay waits
 *   for it, checks that its output or error is the path's payload case (as far as the machine and
 *   its user can tell them apart), then lets the event through (see {@link OutcomeGate});
 * - `xstate.after.<delay>.<stateId>`: the manual clock fires that very timer;
 * - anything else: the driver makes it happen through the fake world (a popup closing, another tab
 *   announcing a token) or sends it, when it is the app's own call.
 * After every step the machine must be in the state the pure `transition()` fold of the path
 * reaches, and must have emitted the same events, with the same data (see `emittedDifference`). A
 * step the real actors cannot take (a stand-in error no real actor ever throws) ends the replay
 * there: the driver names why, and the suite counts the steps it skipped.
 */
import {
  type Actor,
  type AnyActorRef,
  type AnyMachineSnapshot,
  type AnyStateMachine,
  createActor,
  type EventObject,
  type InspectionEvent,
} from 'xstate';
import { ManualClock } from '../../../src/testing/clock.js';
import { doneActorId, errorActorId, isAfterEventType } from '../../../src/testing/events.js';
import { describePath, type ModelPath } from '../../../src/testing/index.js';
import { stateValuesEqual } from '../../../src/testing/serialize.js';
import type { FakeServer } from './fakeServer.js';
import { emittedDifference, foldEmits } from './foldEmits.js';
import { OutcomeGate } from './outcomeGate.js';
import { settleTurns, waitFor } from './waitFor.js';

/** A step the real actors cannot take: the key of the driver's named list of reasons. */
export interface Skip {
  readonly skip: string;
}

/** What a driver's step does: nothing to report, or why the real actors cannot take it. */
export type StepResult = Skip | undefined;

/** An actor's outcome: the path's payload case, or what the real actor produced. */
export interface Settled {
  readonly outcome: 'done' | 'error';
  readonly value: unknown;
}

export interface RealStep {
  /** The step's index in the path (0 is the initial state). */
  readonly index: number;
  readonly event: EventObject;
  /** The snapshot the pure fold reaches with this step. */
  readonly state: AnyMachineSnapshot;
  /** The path's events after this one, for arrangements that must be made before an actor starts. */
  readonly later: readonly EventObject[];
}

export interface RealReplay {
  readonly actor: Actor<AnyStateMachine>;
  /** Sends `event` to the machine (the app's call): use it rather than `actor.send`, see {@link OutcomeGate}. */
  send(event: EventObject): void;
  /** Runs a synchronous call into the fake world that makes an actor report something (a popup relay). */
  call(fn: () => void): void;
  readonly clock: ManualClock;
  /** Every event the machine emitted, in order. */
  readonly emitted: readonly EventObject[];
  /** The running child with invoke id `id`. */
  child(id: string): AnyActorRef | undefined;
  /** The `done`/`error` event `child` sent, if it finished and the path has not reached it yet. */
  held(child: AnyActorRef): EventObject | undefined;
  /** How many events of `type` the machine received so far. */
  received(type: string): number;
}

export interface RealDriver {
  /** Before the machine starts: what its first actors read at once (storage, the window), from all events. */
  prepare?(events: readonly EventObject[]): void;
  /** Makes the running child `id` end as `expected` says: answers its request, arranges what it reads. */
  settle(id: string, expected: Settled, step: RealStep, replay: RealReplay): Promise<StepResult>;
  /** Makes any other event happen: through the fake world, or by sending it (the app's own calls). */
  deliver(step: RealStep, replay: RealReplay): Promise<StepResult>;
  /**
   * How the real outcome of `id` differs from the path's payload case, in what the machine and its
   * user can tell apart; `undefined` when it does not.
   */
  compare(id: string, expected: Settled, actual: Settled): string | undefined;
  /** Whenever the machine emits `event`, at that very moment (e.g. to see what is stored then). */
  onEmit?(event: EventObject, replay: RealReplay): void;
  /** After every step that matched the fold: user-visible effects (requests, URL, storage, events). */
  check?(step: RealStep, replay: RealReplay): void;
  /** After the machine was stopped at the end of the path (and its actors' aborts went through). */
  afterStop?(replay: RealReplay): void;
}

/**
 * The reason, common to every machine, why a replay stops: a child finished synchronously, inside
 * the call of one step, and the path has another event before its outcome.
 */
export const ENDS_AT_ONCE = 'endsAtOnce';
export const ENDS_AT_ONCE_REASON =
  'the real child ends synchronously, inside the call that started or told it, so its outcome reaches ' +
  'the machine before any other event can';

/** How much of a path ran on the real actors. */
export interface RealRun {
  /** Steps replayed and matched, the initial one included. */
  readonly steps: number;
  /** The first step the real actors cannot take, why, and how many steps (it included) were left. */
  readonly skipped: { readonly reason: string; readonly steps: number } | undefined;
}

export interface RealReplayOptions {
  /** The machine with its real actors (`machine.provide({ actors })`). */
  logic: AnyStateMachine;
  /** The machine the path was folded with: its pure `transition()` gives each step's emitted events. */
  pure: AnyStateMachine;
  path: ModelPath<AnyStateMachine>;
  /** The real run's input. */
  input: unknown;
  /** The input the path was generated with, when the real run needs another (default: `input`). */
  pathInput?: unknown;
  /** The invoke ids whose outcomes are steps of the machine's paths (see {@link outcomeIdsOf}). */
  outcomeIds: ReadonlySet<string>;
  /** The fake server of the replay's world: stopping the machine must abort whatever it still awaits. */
  server: FakeServer;
  driver: RealDriver;
}

/**
 * The invoke ids whose `done`/`error` events are steps of any of `paths`: the children whose
 * outcomes the model decides, so the replay holds them until their step (see {@link OutcomeGate}).
 */
export function outcomeIdsOf(paths: readonly ModelPath<AnyStateMachine>[]): ReadonlySet<string> {
  const ids = new Set<string>();
  for (const { steps } of paths) {
    for (const { event } of steps) {
      const id = doneActorId(event.type) ?? errorActorId(event.type);
      if (id !== undefined) ids.add(id);
    }
  }
  return ids;
}

/**
 * The first of `events` that settles the child `id`, as a {@link Settled}: how the path says the
 * child will end, for arrangements that must be made before it starts (it reads what it needs at once).
 */
export function nextOutcome(events: readonly EventObject[], id: string): Settled | undefined {
  const event = events.find((e) => (doneActorId(e.type) ?? errorActorId(e.type)) === id);
  return event && settledOf(event);
}

const settledOf = (event: EventObject): Settled => {
  const { output, error } = event as { output?: unknown; error?: unknown };
  return doneActorId(event.type) !== undefined
    ? { outcome: 'done', value: output }
    : { outcome: 'error', value: error };
};

/** Replays `path` on the real actors; throws, naming the step, when the real run departs from the fold. */
export async function replayOnRealActors(options: RealReplayOptions): Promise<RealRun> {
  const { logic, pure, path, input, driver } = options;
  const events = path.steps.slice(1).map((step) => step.event);
  const expectedEmits = foldEmits(pure, path, options.pathInput ?? input);
  const clock = new ManualClock();
  const receivedCounts = new Map<string, number>();
  const actor: Actor<AnyStateMachine> = createActor(logic, {
    input,
    clock,
    inspect: (inspection: InspectionEvent) => {
      if (inspection.type === '@xstate.event' && inspection.actorRef === actor) {
        const type = inspection.event.type;
        receivedCounts.set(type, (receivedCounts.get(type) ?? 0) + 1);
      }
    },
  });
  clock.attach(actor.system);
  const gate = new OutcomeGate(actor, options.outcomeIds);
  const emitted: EventObject[] = [];
  actor.on('*', (event: EventObject) => {
    emitted.push(event);
    driver.onEmit?.(event, replay);
  });
  let failure: unknown;
  actor.subscribe({
    error: (error) => {
      failure = error;
    },
  });
  const children = () =>
    (actor.getSnapshot() as AnyMachineSnapshot).children as Record<string, AnyActorRef | undefined>;
  let current = 0;
  const replay: RealReplay = {
    actor,
    send: (event) => gate.during(current, () => actor.send(event)),
    call: (fn) => gate.during(current, fn),
    clock,
    emitted,
    child: (id) => children()[id],
    held: (child) => gate.held(child),
    received: (type) => receivedCounts.get(type) ?? 0,
  };
  const described = describePath(path);
  const where = (index: number, event: EventObject) =>
    `real actors, step ${index} (${event.type}) of "${described}"`;

  const settle = async (step: RealStep, id: string): Promise<StepResult> => {
    const child = replay.child(id);
    if (!child) {
      throw new Error(`${where(step.index, step.event)}: no actor "${id}" is running`);
    }
    const expected = settledOf(step.event);
    const skip = await driver.settle(id, expected, step, replay);
    if (skip) return skip;
    await waitFor(() => gate.held(child) !== undefined, `the real actor "${id}" to finish`);
    const actual = settledOf(gate.held(child)!);
    const difference =
      actual.outcome === expected.outcome
        ? driver.compare(id, expected, actual)
        : `it ended "${actual.outcome}" (${String(actual.value)}), the path says "${expected.outcome}"`;
    if (difference !== undefined) {
      throw new Error(`${where(step.index, step.event)}: the real actor "${id}" ${difference}`);
    }
    gate.during(step.index, () => gate.release(child));
    return undefined;
  };

  const perform = async (step: RealStep): Promise<StepResult> => {
    const id = doneActorId(step.event.type) ?? errorActorId(step.event.type);
    if (id !== undefined) return settle(step, id);
    if (isAfterEventType(step.event.type)) {
      if (!gate.during(step.index, () => clock.fire(actor, step.event.type))) {
        throw new Error(`${where(step.index, step.event)}: no timer is set for it`);
      }
      return undefined;
    }
    return driver.deliver(step, replay);
  };

  let emittedBefore = 0;
  let steps = 0;
  let skipped: RealRun['skipped'];
  try {
    driver.prepare?.(events);
    gate.during(0, () => actor.start());
    for (const [index, { event, state }] of path.steps.entries()) {
      const step: RealStep = { index, event, state: state as AnyMachineSnapshot, later: events.slice(index) };
      current = index;
      if (index > 0) {
        // A child that ended inside the previous step's call must be this step's outcome.
        const settledId = doneActorId(event.type) ?? errorActorId(event.type);
        const overtaken = gate.endedAtOnceIn(index - 1).some((child) => child.id !== settledId);
        const result = overtaken ? { skip: ENDS_AT_ONCE } : await perform(step);
        if (result) {
          skipped = { reason: result.skip, steps: path.steps.length - index };
          break;
        }
      }
      await settleTurns(1);
      const actual = actor.getSnapshot() as AnyMachineSnapshot;
      if (!stateValuesEqual(step.state.value, actual.value) || step.state.status !== actual.status) {
        const cause = failure === undefined ? '' : ` (actor error: ${String(failure)})`;
        throw new Error(
          `${where(index, event)}: the fold reaches ${JSON.stringify(step.state.value)} (${step.state.status}) ` +
            `but the real actors left the machine in ${JSON.stringify(actual.value)} (${actual.status})${cause}`,
        );
      }
      const difference = emittedDifference(expectedEmits[index] ?? [], emitted.slice(emittedBefore));
      emittedBefore = emitted.length;
      if (difference !== undefined) throw new Error(`${where(index, event)}: ${difference}`);
      driver.check?.(step, replay);
      steps += 1;
    }
  } finally {
    actor.stop();
  }
  await settleTurns(2);
  const left = options.server.inFlight().map(({ request }) => request.url);
  if (left.length > 0) {
    throw new Error(
      `real actors, "${described}": stopping the machine left requests in flight: ${left.join(', ')}`,
    );
  }
  driver.afterStop?.(replay);
  return { steps, skipped };
}
