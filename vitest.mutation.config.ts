import { defineConfig, mergeConfig } from 'vitest/config';
import LoadFailureAsFailedTest from './test/setup/loadFailureReporter.js';
import MutationSequencer from './test/setup/mutationSequencer.js';
import base from './vitest.config.js';

/**
 * The suites Stryker runs for each mutant (`npm run mutation`): everything that exercises
 * machines/, actors/ and src/, including the diagram and event-table checks (a changed state
 * description or emitted event must show), but not the slow checks of the build itself (typedoc,
 * the packed tarball, compiled doc samples, bundle size), which would only slow every mutant down.
 */
export default mergeConfig(
  base,
  defineConfig({
    test: {
      exclude: [
        'test/e2e/**',
        'test/bench/**',
        'test/docs/api.test.ts',
        'test/docs/package.test.ts',
        'test/docs/samples.test.ts',
        'test/docs/links.test.ts',
      ],
      // Last, so the other reporters see the run as it was: then a test file that cannot load (a
      // mutant broke a module) counts as a failed test for Stryker.
      reporters: ['default', new LoadFailureAsFailedTest()],
      sequence: { sequencer: MutationSequencer },
    },
  }),
);
