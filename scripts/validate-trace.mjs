#!/usr/bin/env node
// Usage: node scripts/validate-trace.mjs [TRACE_DIR] [--json]   (TRACE_DIR defaults to trace-out)
// The repository's shortcut for `codetracer-trace validate`: the same code, shipped in the
// codetracer-js-recorder package (packages/cli/src/trace/validate.ts, docs/commands.md).
// Exit status: 0 valid, 1 invalid or unfinished, 2 not a trace folder. Needs packages/cli built.
import * as fs from "node:fs";
import { fileURLToPath } from "node:url";

const command = new URL("../packages/cli/dist/trace/command.js", import.meta.url);
if (!fs.existsSync(fileURLToPath(command))) {
  console.error(`validate-trace: ${fileURLToPath(command)} is missing: build the CLI first (npm run build)`);
  process.exit(2);
}
const { main } = await import(command.href);
const args = process.argv.slice(2);
if (!args.some((a) => !a.startsWith("-"))) args.unshift("trace-out");
process.exitCode = await main(["validate", ...args]);
