import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['test/**/*.test.{ts,tsx}'],
          environment: 'happy-dom',
        },
      },
      {
        // Real Chromium against the demo and the API on DynamoDB Local (browser/stack.ts).
        test: {
          name: 'browser',
          include: ['browser/**/*.test.ts'],
          environment: 'node',
          globalSetup: ['browser/globalSetup.ts'],
          fileParallelism: false,
          testTimeout: 60_000,
          hookTimeout: 300_000,
        },
      },
      {
        // The person-typing benchmark (scripts/bench.sh): not a test, and not in `vitest run`'s default.
        test: {
          name: 'typing',
          include: ['bench/**/*.run.ts'],
          environment: 'node',
          globalSetup: ['bench/globalSetup.ts'],
          testTimeout: 1_800_000,
          hookTimeout: 1_800_000,
        },
      },
    ],
  },
});
