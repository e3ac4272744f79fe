import { defineConfig } from 'vitest/config';

/**
 * The browser suites (test/e2e): real Chromium against a real authorization server. One file at
 * a time, because each starts its own Chromium and the machine is shared; the timeouts are safety
 * nets only (every wait in these tests ends on an event).
 */
export default defineConfig({
  test: {
    environment: 'node',
    include: ['test/e2e/**/*.test.ts'],
    fileParallelism: false,
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
