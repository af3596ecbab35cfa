/**
 * The runtime never depends on what the recorded program can change (see
 * packages/trace-format/src/primordials.ts): the lint of test/utils/program-builtins-lint.ts over
 * the runtime's sources. Files that only run at load or in the CLI are listed in ALLOWED with the
 * reason.
 */
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import { describeProgramBuiltinsLint } from "../../../test/utils/program-builtins-lint.js";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");

/** Files not checked, with the reason (paths relative to src/). */
const ALLOWED: Record<string, string> = {
  "abi.ts": "constants and types only",
  "index.ts": "re-exports only",
  "primordials.ts": "re-exports trace-format's primordials",
  "node/limits.ts": "reads CODETRACER_* limit variables when a session starts, before recording",
  "node/log-spec.ts": "parses CODETRACER_LOG when the process starts (levelFor, asked at every log call, uses captured built-ins only)",
  "node/policy.ts": "reads the policy variables when a session starts",
  "node/workspace-diff.ts": "runs git once when the trace is finished, through child_process (Node's own primordials)",
};

describeProgramBuiltinsLint("runtime code uses no built-in the program can change", ROOT, ALLOWED);
