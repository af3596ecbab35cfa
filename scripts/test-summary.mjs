#!/usr/bin/env node
// Usage: node scripts/test-summary.mjs [REPORT_DIR] [LABEL]
// Sums the vitest JSON reports in REPORT_DIR (default .vitest-reports/, where each workspace's
// `test` script writes one) and prints one closing line: "LABEL: N passed, N failed, N skipped".
// Exits 1 if any test failed or no test ran.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";

const dir = process.argv[2] ?? new URL("../.vitest-reports/", import.meta.url).pathname;
const label = process.argv[3] ?? "Tests";
let passed = 0,
  failed = 0,
  skipped = 0;
const rows = [];
let files = [];
try {
  files = readdirSync(dir).filter((f) => f.endsWith(".json"));
} catch {
  files = [];
}
for (const file of files.sort()) {
  const report = JSON.parse(readFileSync(join(dir, file), "utf8"));
  const p = report.numPassedTests ?? 0,
    f = report.numFailedTests ?? 0;
  const s = (report.numPendingTests ?? 0) + (report.numTodoTests ?? 0);
  passed += p;
  failed += f;
  skipped += s;
  rows.push(`  ${file.replace(/\.json$/, "").padEnd(16)} ${p} passed, ${f} failed, ${s} skipped`);
}
console.log(rows.join("\n"));
console.log(`${label}: ${passed} passed, ${failed} failed, ${skipped} skipped`);
process.exit(failed > 0 || passed === 0 ? 1 : 0);
