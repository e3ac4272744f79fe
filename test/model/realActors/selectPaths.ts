/**
 * Which of a machine's paths the real-actor run replays. Every one by default (SPEC §9: "the same
 * paths also run once against the real actors"). With `AUTHCHARTS_REAL_PATHS=distinct` (for a
 * slow CI machine), only the paths whose sequence of event types is new, or that carry a payload
 * case no earlier path of the suite did: every shape of path and every payload case is still in a
 * replayed path, with about a third of the paths.
 */
import type { EventObject } from 'xstate';
import { serializeEvent } from '../../../src/testing/serialize.js';

interface PathLike {
  readonly steps: readonly { readonly event: EventObject }[];
}

/** Whether every path is replayed (the default). */
export const replaysEveryPath = (): boolean => process.env.AUTHCHARTS_REAL_PATHS !== 'distinct';

export function selectRealPaths<TPath extends PathLike>(paths: readonly TPath[]): readonly TPath[] {
  if (replaysEveryPath()) return paths;
  const shapes = new Set<string>();
  const cases = new Set<string>();
  return paths.filter(({ steps }) => {
    const events = steps.slice(1).map((step) => step.event);
    const shape = events.map((event) => event.type).join('\n');
    const payloads = events.map(serializeEvent);
    const wanted = !shapes.has(shape) || payloads.some((payload) => !cases.has(payload));
    shapes.add(shape);
    for (const payload of payloads) cases.add(payload);
    return wanted;
  });
}
