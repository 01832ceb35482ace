import { defineConfig } from 'vitest/config';

// Two projects: `unit` is pure logic beside the code (fast, no engine needed);
// `integration` drives real Docker, real processes, a real terminal and real VS Code.
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['engine/src/**/*.test.ts', 'cli/src/**/*.test.{ts,tsx}', 'extension/src/**/*.test.ts'],
          environment: 'node',
        },
      },
      {
        test: {
          name: 'integration',
          include: ['test/**/*.test.{ts,tsx}'],
          environment: 'node',
          testTimeout: 600_000,
          hookTimeout: 900_000,
          fileParallelism: false,
        },
      },
    ],
  },
});
