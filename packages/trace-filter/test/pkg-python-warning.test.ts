/**
 * A `pkg:` selector in Python's dotted module form (`pkg:my_app.services.*`, as in the Python
 * recorder's README) parses but matches no npm package name: parsing warns once per file and
 * selector, naming the file and line. npm-shaped names (`lodash.merge`) and the Python
 * recorder's real filter files do not warn.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { loadTraceFilter } from "../src/node/load.js";
import { parseTraceFilter, setTraceFilterWarningHandler, type TraceFilterWarning } from "../src/parse.js";
import { isPythonModuleLikePkg, parseSelector } from "../src/selector.js";
import { FIXTURES } from "./helpers.js";

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ct-pkg-warn-"));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
afterEach(() => setTraceFilterWarningHandler(undefined));

/** The Python recorder README's example filter (its `[[scope.rules]]` selector is `pkg:my_app.services.*`). */
const README_EXAMPLE = `[meta]
name = "local-redaction"
version = 1

[scope]
default_exec = "trace"
default_value_action = "allow"

[[scope.rules]]
selector = "pkg:my_app.services.*"
value_default = "redact"
[[scope.rules.value_patterns]]
selector = "local:glob:public_*"
action = "allow"
[[scope.rules.value_patterns]]
selector = 'local:regex:^(metric|masked)_\\w+$'
action = "allow"
[[scope.rules.value_patterns]]
selector = "arg:literal:debug_payload"
action = "drop"

[[scope.rules]]
selector = "pkg:lodash.merge"
exec = "skip"

[[scope.rules]]
selector = "pkg:my_app.services.*"
exec = "skip"
`;

function collect(): TraceFilterWarning[] {
  const warnings: TraceFilterWarning[] = [];
  setTraceFilterWarningHandler((w) => warnings.push(w));
  return warnings;
}

describe("pkg: selectors in Python module form", () => {
  it("the README example warns once, naming the file and line; it still parses", () => {
    const file = path.join(dir, "readme.toml");
    fs.writeFileSync(file, README_EXAMPLE);
    const warnings = collect();
    const f = loadTraceFilter(file);
    expect(f.rules).toHaveLength(3);
    expect(warnings).toEqual([
      {
        code: "pkg-python-module",
        file,
        line: 10,
        selector: "pkg:my_app.services.*",
        entry: "scope.rules[0]",
        message: expect.stringContaining(`${file}:10: selector 'pkg:my_app.services.*'`),
      },
    ]);
    expect(warnings[0]!.message).toMatch(/npm package names/);
    // Parsed again in the same process: not again.
    loadTraceFilter(file);
    expect(warnings).toHaveLength(1);
  });

  it("onWarning receives them instead of the handler", () => {
    const fromHandler = collect();
    const own: TraceFilterWarning[] = [];
    parseTraceFilter(README_EXAMPLE, { path: path.join(dir, "other.toml"), onWarning: (w) => own.push(w) });
    expect(own.map((w) => w.line)).toEqual([10]);
    expect(fromHandler).toEqual([]);
  });

  it("the Python recorder's real filter files parse without a warning", () => {
    const warnings = collect();
    for (const name of ["builtin_default.toml", "examples_click_test.toml", "web_demo.toml"]) loadTraceFilter(path.join(FIXTURES, name));
    expect(warnings).toEqual([]);
  });

  it.each([
    ["pkg:my_app.services.*", true],
    ["pkg:glob:app.models.user", true],
    ["pkg:literal:my_app.core", true],
    ["pkg:my_app.*", true],
    ["pkg:MyApp.models", true],
    ["pkg:lodash.merge", false],
    ["pkg:lodash.*", false],
    ["pkg:highlight.js", false],
    ["pkg:socket.io-client", false],
    ["pkg:@scope/a.b.c", false],
    ["pkg:regex:^my_app\\.services\\.", false],
    ["pkg:*", false],
    ["obj:my_app.services.*", false],
  ])("%s → %s", (raw, expected) => {
    expect(isPythonModuleLikePkg(parseSelector(raw, "scope", [""]))).toBe(expected);
  });
});
