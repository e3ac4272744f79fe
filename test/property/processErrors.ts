/**
 * Collects what would otherwise escape to the process: unhandled promise rejections and uncaught
 * exceptions. A suite asserts the list stays empty, so an escaped error fails the test that caused
 * it (and names it), not some later test or the run as a whole.
 */
import { afterAll, beforeAll } from 'vitest';

export function watchProcessErrors(): unknown[] {
  const escaped: unknown[] = [];
  const record = (error: unknown) => {
    escaped.push(error);
  };
  beforeAll(() => {
    process.on('unhandledRejection', record);
    process.on('uncaughtException', record);
  });
  afterAll(() => {
    process.off('unhandledRejection', record);
    process.off('uncaughtException', record);
  });
  return escaped;
}

/** Lets Node report rejections that went unhandled during the last turn (it does so after a macrotask). */
export function nextMacrotask(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
