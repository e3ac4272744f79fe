import type { AnyMachineSnapshot, AnyStateNode, EventObject } from 'xstate';
import { serializeEvent } from './serialize.js';

const DONE_PREFIX = 'xstate.done.actor.';
const ERROR_PREFIX = 'xstate.error.actor.';
const AFTER_PREFIX = 'xstate.after.';

/** The event xstate sends a machine when the actor it invoked with `id` completes with `output`. */
export interface DoneActorEvent<TId extends string = string, TOutput = unknown> {
  /** `xstate.done.actor.<id>` */
  type: `xstate.done.actor.${TId}`;
  /** What the actor resolved with. */
  output: TOutput;
  /** The invoke id. */
  actorId: TId;
}

/** The event xstate sends a machine when the actor it invoked with `id` fails with `error`. */
export interface ErrorActorEvent<TId extends string = string, TError = unknown> {
  /** `xstate.error.actor.<id>` */
  type: `xstate.error.actor.${TId}`;
  /** What the actor failed with. */
  error: TError;
  /** The invoke id. */
  actorId: TId;
}

/** The event xstate raises when an `after` delay of the state node `stateNodeId` elapses. */
export interface AfterEvent<
  TDelay extends string | number = string | number,
  TStateId extends string = string,
> {
  /** `xstate.after.<delay>.<state node id>` */
  type: `xstate.after.${TDelay}.${TStateId}`;
}

/** `xstate.done.actor.<id>` with `output`, exactly as xstate builds it (`createDoneActorEvent`). */
export function doneEvent<const TId extends string, TOutput>(
  id: TId,
  output: TOutput,
): DoneActorEvent<TId, TOutput> {
  return { type: `${DONE_PREFIX}${id}`, output, actorId: id };
}

/** `xstate.error.actor.<id>` with `error`, exactly as xstate builds it (`createErrorActorEvent`). */
export function errorEvent<const TId extends string, TError>(
  id: TId,
  error: TError,
): ErrorActorEvent<TId, TError> {
  return { type: `${ERROR_PREFIX}${id}`, error, actorId: id };
}

/**
 * `xstate.after.<delay>.<stateNodeId>`, exactly as xstate builds it (`createAfterEvent`): a named
 * delay keeps its name (`after: { retryDelay: ... }` gives `xstate.after.retryDelay.<id>`), a numeric
 * one is its number of milliseconds.
 */
export function afterEvent<const TDelay extends string | number, const TStateId extends string>(
  delay: TDelay,
  stateNodeId: TStateId,
): AfterEvent<TDelay, TStateId> {
  return { type: `${AFTER_PREFIX}${delay}.${stateNodeId}` };
}

/** The invoke id of an `xstate.done.actor.<id>` event type, else `undefined`. */
export function doneActorId(eventType: string): string | undefined {
  return eventType.startsWith(DONE_PREFIX) ? eventType.slice(DONE_PREFIX.length) : undefined;
}

/** The invoke id of an `xstate.error.actor.<id>` event type, else `undefined`. */
export function errorActorId(eventType: string): string | undefined {
  return eventType.startsWith(ERROR_PREFIX) ? eventType.slice(ERROR_PREFIX.length) : undefined;
}

/** Whether `eventType` is an `xstate.after.<delay>.<stateNodeId>` event. */
export function isAfterEventType(eventType: string): boolean {
  return eventType.startsWith(AFTER_PREFIX);
}

/** Options of {@link createEventCases}. */
export interface EventCasesOptions<TSnapshot> {
  /**
   * The user (external) events to try in `snapshot`, with their payload cases. An event type returned
   * here replaces the discovered payload-less event of the same type.
   */
  user?: (snapshot: TSnapshot) => readonly EventObject[];
  /**
   * Output cases per invoke id: one `xstate.done.actor.<id>` event per output. An invoke without an
   * entry gets one `done` event with `output: undefined`, but only when an active state handles it
   * (`onDone`); an empty array disables it.
   */
  done?: Readonly<Record<string, readonly unknown[]>>;
  /** Error cases per invoke id: one `xstate.error.actor.<id>` event per error (none by default). */
  errors?: Readonly<Record<string, readonly unknown[]>>;
  /**
   * Also try every event type that an active state handles (`on`), without payload, unless `user`
   * gives cases for it. Default `true`. Internal `xstate.*` types and wildcards are never discovered.
   */
  discover?: boolean;
}

/**
 * Builds the `events` function for {@link generatePaths}: for a snapshot, the events that can happen
 * next. It returns the `user` cases, the discovered user events (see `discover`), and for each ACTIVE
 * state node: the `done`/`error` cases of each of its invokes and the `after` event of each of its
 * delays, so paths exercise settled actors and elapsed timers like any other event.
 *
 * @example
 * ```ts
 * const events = createEventCases<SnapshotFrom<typeof machine>>({
 *   user: (s) => (s.matches('idle') ? [{ type: 'SEARCH', query: 'a' }, { type: 'SEARCH', query: '' }] : []),
 *   done: { fetch: [{ found: true }, { found: false }] },
 *   errors: { fetch: [new TypeError('offline')] },
 * });
 * ```
 */
export function createEventCases<TSnapshot extends AnyMachineSnapshot>(
  options: EventCasesOptions<TSnapshot> = {},
): (snapshot: TSnapshot) => EventObject[] {
  const { user, done = {}, errors = {}, discover = true } = options;
  return (snapshot) => {
    const nodes: readonly AnyStateNode[] = snapshot._nodes;
    const handled = new Set<string>(nodes.flatMap((node) => node.ownEvents as string[]));
    const events: EventObject[] = [...(user?.(snapshot) ?? [])];
    const userTypes = new Set(events.map((event) => event.type));
    if (discover) {
      for (const type of handled) {
        if (!type.startsWith('xstate.') && !type.includes('*') && !userTypes.has(type)) {
          events.push({ type });
        }
      }
    }
    for (const node of nodes) {
      for (const invoke of node.invoke) {
        const id = invoke.id;
        const outputs = done[id] ?? (handled.has(`${DONE_PREFIX}${id}`) ? [undefined] : []);
        for (const output of outputs) events.push(doneEvent(id, output));
        for (const error of errors[id] ?? []) events.push(errorEvent(id, error));
      }
      for (const type of new Set(node.after.map((transition) => transition.eventType as string))) {
        events.push({ type });
      }
    }
    return dedupeEvents(events);
  };
}

function dedupeEvents(events: EventObject[]): EventObject[] {
  const seen = new Set<string>();
  return events.filter((event) => {
    const key = serializeEvent(event);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
