#!/usr/bin/env node
// Usage: node scripts/validate-trace.mjs TRACE_DIR
// Checks a trace folder against CodeTracer's loader rules and prints a one-line summary.
import { validateTraceFolder } from "@codetracer/trace-format";

const dir = process.argv[2] ?? "trace-out";
const report = validateTraceFolder(dir, { entryStepRule: "error" });
for (const issue of [...report.errors, ...report.warnings].slice(0, 20)) {
  console.error(`${issue.severity}: ${issue.code}: ${issue.message}`);
}
const s = report.stats;
console.log(
  `${dir}: ${report.ok ? "valid" : "INVALID"} trace — ${s.events} events, ${s.steps} steps, ${s.calls} calls, ` +
    `${s.returns} returns, ${s.functions} functions, ${s.paths} files`,
);
process.exit(report.ok ? 0 : 1);
