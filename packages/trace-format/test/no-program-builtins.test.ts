/**
 * The trace writers run while a recorded program runs (each event goes through them, and they
 * finish the folder at exit), so they never depend on what the program can change (see
 * src/primordials.ts): the lint of test/utils/program-builtins-lint.ts over this package's
 * sources. Files that only run outside a recording (reader, validator, commands) are
 * listed in ALLOWED with the reason.
 */
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import { describeProgramBuiltinsLint } from "../../../test/utils/program-builtins-lint.js";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");

/** Files not checked, with the reason (paths relative to src/). */
const ALLOWED: Record<string, string> = {
  "index.ts": "re-exports only",
  "types.ts": "types and constants only",
  "primordials.ts": "captures the built-ins at load; its helpers use only captured ones (checked by primordials.test.ts)",
  "validate.ts": "the validator: run by `codetracer-trace validate` and tests, never while a program is recorded",
  "reader.ts": "reads traces (commands, tests, `readUnfinishedTrace`), never while a program is recorded",
  "node/read-folder.ts": "reads traces, never while a program is recorded",
  "node/validate-folder.ts": "validates folders, never while a program is recorded",
  "node/summary.ts": "reads the finished folder for the summary line, after the trace is finished",
  "text.ts": "the text renderer (`codetracer-trace print`, tests): nothing the runtime, the loader or the bundler plugin runs calls it",
  // Reading traces. The repair of an unfinished folder is checked (node/unfinished.ts,
  // node/bin-repair.ts, node/json-scanner.ts, bin-scan.ts, cbor-item.ts): a recording process
  // runs it too, in `repairTrace` of packages/runtime's node/threads.ts, for the folder of a
  // worker thread the program terminated or of a recorded child process that died.
  "cbor-decode.ts": "decodeEvents, for the reader and the validator (the item decoder the repair uses is cbor-item.ts, checked)",
  "bin-read.ts":
    "trace.bin reading (parse, decompress, repair in memory) for the reader and the validator; the repair's frame and event walk is bin-scan.ts, checked",
  "node/bin-files.ts": "reads trace.bin files (reader, commands); the repair is node/bin-repair.ts, checked",
  "node/event-stream.ts": "streams a trace file for the commands (`readTraceEvents`); the scanner the repair shares is node/json-scanner.ts, checked",
};

describeProgramBuiltinsLint("trace writers use no built-in the program can change", ROOT, ALLOWED);
