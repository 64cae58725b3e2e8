#!/usr/bin/env node
// Prints the plain "N passed, N failed, N skipped" line CI reads, from vitest's JSON report,
// and exits non-zero when anything failed or the report is missing.
import fs from 'node:fs';

const file = process.argv[2] ?? '.vitest-report.json';
let report;
try {
  report = JSON.parse(fs.readFileSync(file, 'utf8'));
} catch (err) {
  console.log(`0 passed, 1 failed (no test report at ${file}: ${err.message})`);
  process.exit(1);
}
const passed = report.numPassedTests ?? 0;
const failed = (report.numFailedTests ?? 0) + (report.numRuntimeErrorTests ?? 0);
const skipped = (report.numPendingTests ?? 0) + (report.numTodoTests ?? 0);
const suitesFailed = (report.testResults ?? []).filter((s) => s.status === 'failed' && !(s.assertionResults ?? []).length).length;
console.log(`${passed} passed, ${failed + suitesFailed} failed, ${skipped} skipped`);
process.exit(failed + suitesFailed > 0 || report.success === false ? 1 : 0);
