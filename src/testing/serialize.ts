import type { EventObject } from 'xstate';

/** JSON with `Error`s kept apart by name and message (plain `JSON.stringify` turns every error into `{}`). */
function replacer(_key: string, value: unknown): unknown {
  return value instanceof Error ? { error: value.name, message: value.message } : value;
}

/** A stable key for an event: two events with the same key are the same case. */
export function serializeEvent(event: EventObject): string {
  return JSON.stringify(event, replacer);
}

/** Whether two state values (strings or nested objects of them) are the same. */
export function stateValuesEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  const aKeys = Object.keys(a);
  const bKeys = Object.keys(b);
  return (
    aKeys.length === bKeys.length &&
    aKeys.every((key) =>
      stateValuesEqual((a as Record<string, unknown>)[key], (b as Record<string, unknown>)[key]),
    )
  );
}
