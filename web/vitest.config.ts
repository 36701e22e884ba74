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
    ],
  },
});
