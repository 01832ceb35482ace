import { defineConfig } from 'vitest/config';

// Two projects: `unit` is pure logic beside the code (fast, no engine needed);
// `integration` drives real Docker, real processes, a real terminal and real VS Code.
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: [
            'engine/src/**/*.test.ts',
            'cli/src/**/*.test.{ts,tsx}',
            'extension/src/**/*.test.ts',
            'scripts/**/*.test.ts',
          ],
          environment: 'node',
          // One module graph per worker instead of one per file: the unit tests run in ~25 s instead
          // of ~75 s on 2 cores, most of which was loading the same modules again for every file.
          // The price: a unit test restores what it changes (env vars, fake timers, globals).
          isolate: false,
          // Unit tests validate hundreds of throwaway documents: keep them out of the user's
          // cache of valid Compose files (schema-cache.test.ts points the cache at a temp file).
          env: { DEVENV_NO_CACHE: '1' },
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
