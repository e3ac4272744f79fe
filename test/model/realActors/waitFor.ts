/**
 * Waiting for real actors: they answer after real promise chains (oauth4webapi parsing a body,
 * WebCrypto hashing a verifier), which take an unknown number of turns of the event loop.
 */

/** How long a condition may take before the replay gives up: a safety net, never a timing assertion. */
const GIVE_UP_AFTER_MS = 10_000;

const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * Resolves once `condition()` holds, checking after every turn of the event loop; throws, naming
 * `what`, when it still does not hold after {@link GIVE_UP_AFTER_MS}.
 */
export async function waitFor(condition: () => boolean, what: string): Promise<void> {
  const deadline = performance.now() + GIVE_UP_AFTER_MS;
  while (!condition()) {
    if (performance.now() > deadline) throw new Error(`Gave up waiting for ${what}`);
    await nextTurn();
  }
}

/** Lets pending promise chains run: `turns` turns of the event loop. */
export async function settleTurns(turns = 3): Promise<void> {
  for (let i = 0; i < turns; i++) await nextTurn();
}

/** A promise with its resolve and reject functions, for answers the replay gives later. */
export interface Deferred<T> {
  readonly promise: Promise<T>;
  resolve(value: T): void;
  reject(reason: unknown): void;
}

export function deferred<T>(): Deferred<T> {
  let resolve!: (value: T) => void;
  let reject!: (reason: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}
