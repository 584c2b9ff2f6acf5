#!/usr/bin/env node
// Prints the plain "N passed, N failed" line CI reads, counted from Vitest's JSON report.
import { readFileSync } from "node:fs";

const path = process.argv[2];
let report;
try {
  report = JSON.parse(readFileSync(path, "utf8"));
} catch (error) {
  console.error(`no Vitest JSON report at ${path}: ${error.message}`);
  console.log("0 passed, 1 failed");
  process.exit(1);
}
const passed = report.numPassedTests ?? 0;
// A file that failed with no failed test (a hook that threw or timed out, an import error)
// counts once; a lane that wrote no report counts once (numRuntimeErrorTestSuites).
const filesFailedOutsideTests = (report.testResults ?? []).filter(
  (file) =>
    file.status === "failed" && !(file.assertionResults ?? []).some((t) => t.status === "failed"),
).length;
const failed =
  (report.numFailedTests ?? 0) + filesFailedOutsideTests + (report.numRuntimeErrorTestSuites ?? 0);
const skipped = (report.numPendingTests ?? 0) + (report.numTodoTests ?? 0);
console.log(`${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ""}`);
process.exit(failed > 0 || passed === 0 ? 1 : 0);
