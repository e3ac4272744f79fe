/**
 * Waits for a flow to get somewhere. The limit is a safety net against a stuck flow, never a
 * measurement: the bench reports counts and medians, not how long this took.
 */

/** One turn of the event loop: promises, crypto and response bodies get to run. */
export const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

/** Real time, for flows paced by a server's interval. */
export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

const STUCK_AFTER_MS = 15_000;

/** Resolves once `reached()` holds, checking after every `pause()`; throws if it never does. */
export async function waitUntil(
  reached: () => boolean | Promise<boolean>,
  what: string,
  pause: () => Promise<void> = nextTurn,
): Promise<void> {
  const startedAt = performance.now();
  while (!(await reached())) {
    if (performance.now() - startedAt > STUCK_AFTER_MS) throw new Error(`never reached: ${what}`);
    await pause();
  }
}
