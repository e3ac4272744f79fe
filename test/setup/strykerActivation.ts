/**
 * Used only by `npm run mutation` (vitest.mutation.config.ts). Stryker's vitest runner activates a
 * "runtime" mutant in a `beforeAll`, after the test file has imported the code under test. The
 * machines are built when their modules load (`setup(...).createMachine(...)` at module level),
 * so a mutant in a machine's config or in an action chosen at load time would never be active and
 * would be reported as surviving although the tests kill it (stryker-js#6144, #6209). Every test
 * file gets a fresh module graph in a mutant run, so the mutant is activated here, before anything
 * is imported.
 */
import { inject } from 'vitest';

const read = inject as (key: string) => unknown;
const namespace = read('globalNamespace');
if (read('mode') === 'mutant' && typeof namespace === 'string') {
  const globals = globalThis as unknown as Record<string, { activeMutant?: unknown } | undefined>;
  const ns = globals[namespace] ?? {};
  globals[namespace] = ns;
  ns.activeMutant = read('activeMutant');
}
