import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // Every ranked list the engine produces in the run is held to the ranking's promises (issue 20).
    setupFiles: ['./test/support/ranking-guard.ts'],
    reporters: ['default', './test/support/count-reporter.ts'],
  },
});
