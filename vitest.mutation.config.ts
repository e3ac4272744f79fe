import { defineConfig, mergeConfig } from 'vitest/config';
import base from './vitest.config.js';

/**
 * The suites Stryker runs for each mutant (`npm run mutation`): everything that exercises
 * machines/, actors/ and src/, without the checks of generated artefacts (diagrams, typedoc,
 * the packed tarball) and the bundle-size budget, which test the build rather than behaviour and
 * would only slow every mutant down.
 */
export default mergeConfig(
  base,
  defineConfig({
    test: {
      exclude: ['test/e2e/**', 'test/bench/**', 'test/docs/**'],
      reporters: ['default'],
    },
  }),
);
