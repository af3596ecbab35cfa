import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { filterRootOf, isInlinePath, parseTraceFilter } from "../src/parse.js";
import { expectFilterError, filter, toml } from "./helpers.js";

const F = "/proj/.codetracer/trace-filter.toml";
const INVALID = "ERR_INVALID_POLICY_VALUE";

describe("parseTraceFilter: a full file", () => {
  const text = `[meta]
name = "full"
version = 1
description = "every key"
labels = ["a", "b", "a"]

[io]
capture = true
streams = ["stdout", "stderr", "stdout"]
modes = []

[scope]
default_exec = "skip"
default_value_action = "deny"

[[scope.rules]]
selector = "pkg:my_app.*"
exec = "trace"
value_default = "redact"
reason = "mine"

[[scope.rules.value_patterns]]
selector = "local:literal:x"
action = "allow"
reason = "x is fine"

[[scope.rules.value_patterns]]
selector = "arg:regex:^p"
action = "deny"

[[scope.rules]]
selector = "obj:literal:main"
exec = "inherit"
value_default = "inherit"
`;
  const f = filter(text);

  it("reads [meta], dropping duplicate labels", () => {
    expect(f.name).toBe("full");
    expect(f.version).toBe(1);
    expect(f.description).toBe("every key");
    expect(f.labels).toEqual(["a", "b"]);
  });

  it("records path, root and the SHA-256 of the exact text", () => {
    expect(f.path).toBe(F);
    expect(f.root).toBe("/proj");
    expect(f.sha256).toBe(createHash("sha256").update(text, "utf8").digest("hex"));
    expect(filter(`${text}\n`).sha256).not.toBe(f.sha256);
  });

  it("reads [scope] defaults, mapping the legacy 'deny' to redact", () => {
    expect(f.scope).toEqual({ defaultExec: "skip", defaultValueAction: "redact" });
  });

  it("keeps rules and value patterns in order, with entries", () => {
    expect(f.rules.map((r) => [r.index, r.entry, r.selector.raw, r.exec, r.valueDefault, r.reason])).toEqual([
      [0, "scope.rules[0]", "pkg:my_app.*", "trace", "redact", "mine"],
      [1, "scope.rules[1]", "obj:literal:main", undefined, undefined, undefined],
    ]);
    expect(f.rules[0]!.valuePatterns.map((p) => [p.entry, p.selector.raw, p.action, p.reason])).toEqual([
      ["scope.rules[0].value_patterns[0]", "local:literal:x", "allow", "x is fine"],
      ["scope.rules[0].value_patterns[1]", "arg:regex:^p", "redact", undefined],
    ]);
    expect(f.rules[1]!.valuePatterns).toEqual([]);
  });

  it("exposes [io] (streams de-duplicated)", () => {
    expect(f.io).toEqual({ capture: true, streams: ["stdout", "stderr"] });
    expect(filter(toml()).io).toBeUndefined();
    expect(filter(`[io]\n${toml()}`).io).toEqual({ capture: false, streams: [] });
  });

  it("is frozen", () => {
    expect(Object.isFrozen(f)).toBe(true);
    expect(Object.isFrozen(f.rules)).toBe(true);
    expect(Object.isFrozen(f.rules[0])).toBe(true);
  });
});

describe("project root", () => {
  it("is the parent of the nearest .codetracer folder, else the file's folder", () => {
    expect(filterRootOf("/a/b/.codetracer/trace-filter.toml")).toBe("/a/b");
    expect(filterRootOf("/a/.codetracer/sub/x.toml")).toBe("/a");
    expect(filterRootOf("/a/b/filters/x.toml")).toBe("/a/b/filters");
    expect(parseTraceFilter(toml(), { path: "/a/b/x.toml" }).root).toBe("/a/b");
    expect(parseTraceFilter(toml(), { path: "/a/b/x.toml", root: "/z" }).root).toBe("/z");
  });

  it("is empty for <inline:...> filters, whose path is kept as is", () => {
    expect(isInlinePath("<inline:builtin-default>")).toBe(true);
    expect(isInlinePath("/x/<inline:a>")).toBe(false);
    const f = parseTraceFilter(toml(), { path: "<inline:mine>" });
    expect([f.path, f.root]).toEqual(["<inline:mine>", ""]);
  });
});

describe("parseTraceFilter: errors name the file and the entry", () => {
  const cases: [string, string, string, Record<string, string>?][] = [
    // [title, text, message]
    ["TOML syntax, with line and column", "[meta]\nname = \n", `${F}: TOML syntax error at line 2, column 8: invalid value`],
    ["a duplicated table", "[meta]\nname='a'\n[meta]\n", `${F}: TOML syntax error at line 3, column 2: trying to redefine an already defined table or value`],
    ["a missing [meta]", `[scope]\ndefault_exec="trace"\ndefault_value_action="allow"\n`, `${F}: missing required table [meta]`],
    ["a missing [scope]", `[meta]\nname="a"\nversion=1\n`, `${F}: missing required table [scope]`],
    ["an unknown top-level key", `${toml()}\n[extra]\n`, `${F}: unknown key 'extra' (allowed: meta, scope, io)`],
    ["meta not a table", `meta = 1\n[scope]\n`, `${F}: 'meta' must be a table, not an integer`],
    [
      "an unknown key in [meta]",
      toml().replace("version = 1", "version = 1\nauthor = 'me'"),
      `${F}: meta: unknown key 'author' (allowed: name, version, description, labels)`,
    ],
    ["a blank name", toml().replace('name = "t"', 'name = "  "'), `${F}: meta: 'name' must not be blank`],
    ["a missing name", toml().replace('name = "t"', ""), `${F}: meta: missing required key 'name'`],
    ["a non-string name", toml().replace('name = "t"', "name = 3"), `${F}: meta: 'name' must be a string, not an integer`],
    ["a missing version", toml().replace("version = 1", ""), `${F}: meta: missing required key 'version'`],
    ["a float version", toml().replace("version = 1", "version = 1.0"), `${F}: meta: 'version' must be an integer, not a float`],
    ["a string version", toml().replace("version = 1", 'version = "1"'), `${F}: meta: 'version' must be an integer, not a string`],
    ["version 0", toml().replace("version = 1", "version = 0"), `${F}: meta: 'version' must be >= 1 (got 0)`],
    [
      "version 2 (unsupported schema)",
      toml().replace("version = 1", "version = 2"),
      `${F}: meta: unsupported schema version 2: this recorder supports trace-filter schema version 1 only`,
      { version: "2", entry: "meta" },
    ],
    ["labels not strings", toml().replace("version = 1", "version = 1\nlabels = [1]"), `${F}: meta: 'labels' must be an array of strings`],
    [
      "a description that is not a string",
      toml().replace("version = 1", "version = 1\ndescription = true"),
      `${F}: meta: 'description' must be a string, not a boolean`,
    ],
    [
      "an unknown key in [scope]",
      toml("", {}).replace('default_value_action = "allow"', 'default_value_action = "allow"\nrule = 1'),
      `${F}: scope: unknown key 'rule' (allowed: default_exec, default_value_action, rules)`,
    ],
    ["a missing default_exec", toml().replace('default_exec = "trace"', ""), `${F}: scope: missing required key 'default_exec'`],
    ["a missing default_value_action", toml().replace('default_value_action = "allow"', ""), `${F}: scope: missing required key 'default_value_action'`],
    ["a bad default_exec", toml("", { exec: "run" }), `${F}: scope: unsupported value 'run' for 'default_exec' (expected trace, skip or inherit)`],
    [
      "a bad default_value_action",
      toml("", { value: "keep" }),
      `${F}: scope: unsupported value 'keep' for 'default_value_action' (expected allow, redact, drop or inherit)`,
    ],
    ["rules not tables", toml("rules = [1]"), `${F}: scope: 'rules' must be an array of tables`],
    ["a rule without selector", toml(`[[scope.rules]]\nexec = "skip"\n`), `${F}: scope.rules[0]: missing required key 'selector'`],
    [
      "an unknown key in a rule",
      toml(`[[scope.rules]]\nselector = "pkg:a"\n[[scope.rules]]\nselector = "pkg:b"\naction = "skip"\n`),
      `${F}: scope.rules[1]: unknown key 'action' (allowed: selector, exec, value_default, reason, value_patterns)`,
    ],
    [
      "a bad exec",
      toml(`[[scope.rules]]\nselector = "pkg:a"\nexec = "maybe"\n`),
      `${F}: scope.rules[0]: unsupported value 'maybe' for 'exec' (expected trace, skip or inherit)`,
    ],
    [
      "a bad value_default",
      toml(`[[scope.rules]]\nselector = "pkg:a"\nvalue_default = "hide"\n`),
      `${F}: scope.rules[0]: unsupported value 'hide' for 'value_default' (expected allow, redact, drop or inherit)`,
    ],
    ["a non-string reason", toml(`[[scope.rules]]\nselector = "pkg:a"\nreason = 1\n`), `${F}: scope.rules[0]: 'reason' must be a string, not an integer`],
    [
      "a value kind in a scope rule",
      toml(`[[scope.rules]]\nselector = "local:a"\n`),
      `${F}: scope.rules[0]: selector kind 'local' is not allowed in scope.rules (use pkg, file or obj) in selector 'local:a'`,
      { selector: "local:a", entry: "scope.rules[0]" },
    ],
    [
      "a bad regex in a rule",
      toml(`[[scope.rules]]\nselector = "obj:regex:(?=x)"\n`),
      `${F}: scope.rules[0]: invalid regex pattern '(?=x)': look-around, including look-ahead and look-behind, is not supported at offset 0 in selector 'obj:regex:(?=x)'`,
    ],
    [
      "a bad glob in a rule",
      toml(`[[scope.rules]]\nselector = "file:src/{a,b"\n`),
      `${F}: scope.rules[0]: invalid glob pattern 'src/{a,b': unclosed alternate group; missing '}' in selector 'file:src/{a,b'`,
    ],
    [
      "a file pattern outside the root",
      toml(`[[scope.rules]]\nselector = "file:/elsewhere/x.ts"\n`),
      `${F}: scope.rules[0]: file pattern '/elsewhere/x.ts' lies outside the project root '/proj' in selector 'file:/elsewhere/x.ts'`,
    ],
    [
      "a file pattern above the root",
      toml(`[[scope.rules]]\nselector = "file:literal:../x.ts"\n`),
      `${F}: scope.rules[0]: file pattern '../x.ts' escapes the project root in selector 'file:literal:../x.ts'`,
    ],
    [
      "an unsupported match type in a value pattern",
      toml(
        `[[scope.rules]]\nselector = "pkg:a"\n[[scope.rules]]\nselector = "pkg:b"\n[[scope.rules]]\nselector = "pkg:c"\n[[scope.rules.value_patterns]]\nselector = "pkg:foo:bar"\naction = "redact"\n`,
      ),
      `${F}: scope.rules[2].value_patterns[0]: unsupported match type 'foo' in selector 'pkg:foo:bar'`,
      { file: F, entry: "scope.rules[2].value_patterns[0]", selector: "pkg:foo:bar" },
    ],
    [
      "a scope kind in a value pattern",
      toml(
        `[[scope.rules]]\nselector = "pkg:a"\n[[scope.rules.value_patterns]]\nselector = "x:b"\naction = "drop"\n[[scope.rules.value_patterns]]\nselector = "obj:b"\naction = "drop"\n`,
      ),
      `${F}: scope.rules[0].value_patterns[0]: unsupported selector kind 'x' in selector 'x:b'`,
    ],
    [
      "a scope kind in a value pattern (second)",
      toml(
        `[[scope.rules]]\nselector = "pkg:a"\n[[scope.rules.value_patterns]]\nselector = "local:b"\naction = "drop"\n[[scope.rules.value_patterns]]\nselector = "obj:b"\naction = "drop"\n`,
      ),
      `${F}: scope.rules[0].value_patterns[1]: selector kind 'obj' is not allowed in value_patterns (use local, global, arg, ret or attr) in selector 'obj:b'`,
    ],
    [
      "a missing action",
      toml(`[[scope.rules]]\nselector = "pkg:a"\n[[scope.rules.value_patterns]]\nselector = "local:b"\n`),
      `${F}: scope.rules[0].value_patterns[0]: missing required key 'action'`,
    ],
    [
      "action inherit",
      toml(`[[scope.rules]]\nselector = "pkg:a"\n[[scope.rules.value_patterns]]\nselector = "local:b"\naction = "inherit"\n`),
      `${F}: scope.rules[0].value_patterns[0]: unsupported value 'inherit' for 'action' (expected allow, redact or drop)`,
    ],
    [
      "an unknown key in a value pattern",
      toml(`[[scope.rules]]\nselector = "pkg:a"\n[[scope.rules.value_patterns]]\nselector = "local:b"\naction = "drop"\nexec = "skip"\n`),
      `${F}: scope.rules[0].value_patterns[0]: unknown key 'exec' (allowed: selector, action, reason)`,
    ],
    [
      "value_patterns not tables",
      toml(`[[scope.rules]]\nselector = "pkg:a"\nvalue_patterns = "x"\n`),
      `${F}: scope.rules[0]: 'value_patterns' must be an array of tables`,
    ],
    ["an unknown key in [io]", `[io]\nmode = 1\n${toml()}`, `${F}: io: unknown key 'mode' (allowed: capture, streams, modes)`],
    ["capture without streams", `[io]\ncapture = true\n${toml()}`, `${F}: io: 'streams' must list at least one stream when 'capture = true'`],
    ["an unknown stream", `[io]\nstreams = ["net"]\n${toml()}`, `${F}: io: unsupported IO stream 'net' (expected stdout, stderr, stdin or files)`],
    ["non-empty modes", `[io]\nmodes = ["fd"]\n${toml()}`, `${F}: io: 'modes' is reserved and must be empty`],
    ["capture not a boolean", `[io]\ncapture = "yes"\n${toml()}`, `${F}: io: 'capture' must be a boolean, not a string`],
  ];
  for (const [title, text, message, context] of cases) {
    it(`rejects ${title}`, () => {
      const e = expectFilterError(() => filter(text), INVALID, message, context);
      expect(e.context.file).toBe(F);
    });
  }

  it("puts line and column of a TOML error in context", () => {
    const e = expectFilterError(() => filter("[meta]\nname = \n"), INVALID, /line 2, column 8/);
    expect(e.context).toMatchObject({ line: "2", column: "8" });
    expect(e.cause).toBeDefined();
  });

  it("accepts inherit in [scope] of a single file (the chain decides)", () => {
    const f = filter(toml("", { exec: "inherit", value: "inherit" }));
    expect(f.scope).toEqual({ defaultExec: "inherit", defaultValueAction: "inherit" });
  });

  it("accepts a filter with no rules", () => {
    expect(filter(toml()).rules).toEqual([]);
  });
});
