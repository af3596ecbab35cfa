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
  "reader.ts": "reads traces (commands, tests); its JSON parser is also used by the repair (see the comment below)",
  "node/read-folder.ts": "reads traces, never while a program is recorded",
  "node/validate-folder.ts": "validates folders, never while a program is recorded",
  "node/summary.ts": "reads the finished folder for the summary line, after the trace is finished",
  "text.ts": "the text renderer (`codetracer-trace print`, tests): nothing the runtime, the loader or the bundler plugin runs calls it",
  // The reading and repair side of trace.bin / trace.json. Not used by the writers. A recording
  // process runs it in one case: `repairTrace` of packages/runtime's node/threads.ts finishes the
  // folder of a worker thread the program terminated, or of a recorded child process that died
  // (packages/register's loader), while the program may still run. That repair is NOT converted
  // to captured built-ins yet: a program that patched them may make it fail (it is best effort:
  // the folder is then left for `codetracer-trace repair`).
  "cbor-decode.ts": "the CBOR decoder (reader, validator, repair; see the comment above)",
  "bin-read.ts": "trace.bin reading, frame walk and repair (reader, validator, repair; see the comment above)",
  "node/bin-files.ts": "reads and repairs trace.bin files (reader, repair; see the comment above)",
  "node/event-stream.ts": "streams a trace file for the commands and the repair (see the comment above)",
  "node/unfinished.ts": "repairs a folder whose recording ended unfinished: the CLI, `--repair`, and `repairTrace` in a recording process (see the comment above)",
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
