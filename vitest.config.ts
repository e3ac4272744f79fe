import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    // Node unless a file needs a DOM (`// @vitest-environment jsdom` on its first line): a jsdom
    // per file costs about a second, which every mutation run would pay again.
    environment: 'node',
    setupFiles: ['./test/setup/realm.ts'],
    // The integration tests' servers, started once per run (see the file).
    globalSetup: ['./test/setup/globalSetup.ts'],
    include: ['test/**/*.test.ts'],
    exclude: ['test/e2e/**'],
    restoreMocks: true,
    reporters: ['default', './test/setup/summaryReporter.ts'],
    testTimeout: 20_000,
  },
});
