import { defineConfig } from 'vitest/config';

// Native modules (better-sqlite3, onnxruntime-node) are safest in forked workers, not worker threads.
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    pool: 'forks',
    testTimeout: 60_000,
    hookTimeout: 120_000,
  },
});
