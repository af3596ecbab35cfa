/**
 * The JSON report Jest writes (`--json`) and vitest's `json` reporter imitates: the parts the
 * test-runner e2e tests compare between a plain and a recorded run.
 */
import * as path from "node:path";

/** The fields of a Jest-style JSON report read here. */
export interface TestRunResults {
  numPassedTests: number;
  numFailedTests: number;
  numPendingTests?: number;
  testResults: Array<{ name: string; status: string; assertionResults: Array<{ fullName: string; status: string }> }>;
}

/** What must not change with recording: the counts, each file's status and each test's. */
export function resultSummary(r: TestRunResults): unknown {
  return {
    passed: r.numPassedTests,
    failed: r.numFailedTests,
    pending: r.numPendingTests ?? 0,
    files: r.testResults.map((f) => [path.basename(f.name), f.status, f.assertionResults.map((t) => [t.fullName, t.status]).sort()]).sort(),
  };
}

/** The base names of the files the runner reports failed, sorted. */
export function failedFiles(r: TestRunResults): string[] {
  return r.testResults
    .filter((f) => f.status === "failed")
    .map((f) => path.basename(f.name))
    .sort();
}
