import { defineConfig, mergeConfig } from 'vitest/config';
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
      reporters: ['default'],
      sequence: { sequencer: MutationSequencer },
    },
  }),
);
