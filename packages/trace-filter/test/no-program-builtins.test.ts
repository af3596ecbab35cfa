/**
 * The filter chain answers the recorder while a recorded program runs (`classify`,
 * `valueAction`, `uniformValueAction`, `skipsWholeFile`, the `pkg:` look-up of package names,
 * the counters and `metadata` at exit), so that code never depends on what the program can
 * change (see packages/trace-format/src/primordials.ts and ../src/intrinsics.ts): the lint of
 * test/utils/program-builtins-lint.ts over this package's sources. Files that only run when
 * filters are loaded and parsed (before the program runs) are listed in ALLOWED with the
 * reason. re2js, which the matchers call, is a third-party library the lint cannot check: the
 * matchers (src/match.ts) run it in the main realm only while the intrinsics are intact
 * (test/patched-builtins.test.ts).
 */
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import { describeProgramBuiltinsLint } from "../../../test/utils/program-builtins-lint.js";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");

/** Files not checked, with the reason (paths relative to src/). */
const ALLOWED: Record<string, string> = {
  "index.ts": "re-exports; installs the Node platform when the package loads",
  "browser.ts": "re-exports only",
  "types.ts": "types only",
  "parse.ts": "parses and validates a filter's TOML text and compiles its selectors, when the chain is loaded (before the program runs)",
  "selector.ts": "parses selectors and translates globs to RE2 when a filter is parsed; the matchers it returns are made by match.ts (checked)",
  "regex.ts": "translates Rust regex syntax to RE2 and compiles it when a filter is parsed; the test functions are made by match.ts (checked)",
  "node/load.ts": "finds, reads and resolves the filter files of the chain when the recorder starts (before the program runs)",
};

describeProgramBuiltinsLint("trace-filter's record-time code uses no built-in the program can change", ROOT, ALLOWED);
