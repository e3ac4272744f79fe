/**
 * The events a machine emits, as the pure fold of a path says and as the real run did: the
 * replay compares them step by step.
 */
import {
  type AnyMachineSnapshot,
  type AnyStateMachine,
  type EventObject,
  initialTransition,
  transition,
} from 'xstate';
import type { ModelPath } from '../../../src/testing/index.js';
import { dataDifference } from './sameOutcome.js';

/** `type` and, for the library's channels, `eventType`: what a listener switches on. */
const emitKey = (event: EventObject) => {
  const { eventType } = event as { eventType?: string };
  return eventType === undefined ? event.type : `${event.type}.${eventType}`;
};

const keysOf = (events: readonly EventObject[]) => JSON.stringify(events.map(emitKey));

/** The events the pure fold emits at each step of `path` (its `xstate.emit` actions). */
export function foldEmits(
  pure: AnyStateMachine,
  path: ModelPath<AnyStateMachine>,
  input: unknown,
): EventObject[][] {
  const emits = (actions: readonly { type: string; params?: unknown }[]) =>
    actions
      .filter((action) => action.type === 'xstate.emit')
      .map((action) => (action.params as { event: EventObject }).event);
  return path.steps.map((step, index) =>
    index === 0
      ? emits(initialTransition(pure, input)[1])
      : emits(transition(pure, path.steps[index - 1]!.state as AnyMachineSnapshot, step.event)[1]),
  );
}

/**
 * How the events a step emitted differ from the fold's: other events or another order, or other
 * data (see `dataDifference`); `undefined` when they do not.
 */
export function emittedDifference(
  expected: readonly EventObject[],
  actual: readonly EventObject[],
): string | undefined {
  if (keysOf(expected) !== keysOf(actual)) {
    return `the fold emits ${keysOf(expected)} but the machine emitted ${keysOf(actual)}`;
  }
  return expected.map((event, i) => dataDifference(event, actual[i], emitKey(event))).find(Boolean);
}
