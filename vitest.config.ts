import { defineConfig } from 'vitest/config';

// Native modules (better-sqlite3, onnxruntime-node) are safest in forked workers, not worker threads.
// The JSON report is what .ci/run turns into CI's "N passed, N failed" line.
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    pool: 'forks',
    testTimeout: 60_000,
    hookTimeout: 120_000,
    reporters: ['default', 'json'],
    outputFile: { json: '.vitest-report.json' },
  },
});
