import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import type { TraceLowLevelEvent } from "../src/types.js";

/** The shared fixtures of real runtime_tracing traces (see SOURCES.md there). */
export const FIXTURES = "/work/shared/fixtures/runtime_tracing";

/** A hand-made complete trace of the runtime_tracing format (2026 encoding): every event kind, in the order docs/trace-format.md describes. */
export const SPEC_EXAMPLE_JSON = `[{"Path":"/home/u/p/main.js"},
 {"Function":{"path_id":0,"line":1,"name":"<top-level>"}},
 {"Call":{"function_id":0,"args":[]}},
 {"Type":{"kind":30,"lang_type":"undefined","specific_info":{"kind":"None"}}},
 {"Type":{"kind":7,"lang_type":"number","specific_info":{"kind":"None"}}},
 {"Type":{"kind":8,"lang_type":"number(float)","specific_info":{"kind":"None"}}},
 {"Step":{"path_id":0,"line":4}},
 {"VariableName":"x"},
 {"Value":{"variable_id":0,"value":{"kind":"None","type_id":0}}},
 {"VariableName":"a"},{"VariableName":"b"},
 {"Function":{"path_id":0,"line":1,"name":"add"}},
 {"Step":{"path_id":0,"line":1}},
 {"Call":{"function_id":1,"args":[{"variable_id":1,"value":{"kind":"Int","i":1,"type_id":1}},
                                  {"variable_id":2,"value":{"kind":"Float","f":"2.5","type_id":2}}]}},
 {"Step":{"path_id":0,"line":2}},
 {"Value":{"variable_id":1,"value":{"kind":"Int","i":1,"type_id":1}}},
 {"Value":{"variable_id":2,"value":{"kind":"Float","f":"2.5","type_id":2}}},
 {"Return":{"return_value":{"kind":"Float","f":"3.5","type_id":2}}},
 {"Step":{"path_id":0,"line":5}},
 {"Value":{"variable_id":0,"value":{"kind":"Float","f":"3.5","type_id":2}}},
 {"Event":{"kind":0,"metadata":"","content":"3.5\\n"}},
 {"Return":{"return_value":{"kind":"None","type_id":0}}}]`;

/** Parsed reference example (a fresh copy on each call). */
export function specExample(): TraceLowLevelEvent[] {
  return JSON.parse(SPEC_EXAMPLE_JSON) as TraceLowLevelEvent[];
}

export const SPEC_EXAMPLE_PATHS = ["/home/u/p/main.js"];
export const SPEC_EXAMPLE_METADATA = {
  workdir: "/home/u/p",
  program: "/home/u/p/main.js",
  args: [] as string[],
};

/** A fresh temporary directory. */
export function tempDir(prefix = "trace-format-"): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

/** Reads a fixture file as text. */
export function fixtureText(rel: string): string {
  return fs.readFileSync(path.join(FIXTURES, rel), "utf8");
}
