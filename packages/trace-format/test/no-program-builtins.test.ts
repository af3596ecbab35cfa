/**
 * The trace writers run while a recorded program runs (each event goes through them, and they
 * finish the folder at exit), so they never depend on what the program can change (see
 * src/primordials.ts): the lint of test/utils/program-builtins-lint.ts over this package's
 * sources. Files that only run outside a recording (reader, validator, repair, commands) are
 * listed in ALLOWED with the reason.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { lintProgramBuiltins } from "../../../test/utils/program-builtins-lint.js";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");

/** Files not checked, with the reason (paths relative to src/). */
const ALLOWED: Record<string, string> = {
  "index.ts": "re-exports only",
  "types.ts": "types and constants only",
  "primordials.ts": "captures the built-ins at load; its helpers use only captured ones (checked by primordials.test.ts)",
  "validate.ts": "the validator: run by `codetracer-trace validate` and tests, never while a program is recorded",
  "reader.ts": "reads traces (commands, tests), never while a program is recorded",
  "node/read-folder.ts": "reads traces, never while a program is recorded",
  "node/validate-folder.ts": "validates folders, never while a program is recorded",
  "node/event-stream.ts": "streams a trace file for the commands and the repair, never while a program is recorded",
  "node/unfinished.ts": "repairs a folder after its recording ended (CLI, `--repair`), never inside the recorded program",
  "node/summary.ts": "reads the finished folder for the summary line, after the trace is finished",
};

describe("trace writers use no built-in the program can change", () => {
  it("finds no spread, for…of, array destructuring, run-time built-in call or unowned index store", () => {
    const findings = lintProgramBuiltins(ROOT, ALLOWED);
    expect(findings.map((f) => `src/${f.file}:${f.line}: ${f.what}`)).toEqual([]);
  }, 120_000);

  it("every allowed file exists", () => {
    for (const file of Object.keys(ALLOWED)) expect(fs.existsSync(path.join(ROOT, "src", file)), file).toBe(true);
  });
});
