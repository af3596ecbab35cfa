/**
 * Trace filters, part 2: selectors (`file:`, `pkg:`, `obj:` with glob, regex and literal match
 * types), precedence (last matching scope rule wins across the chain; first matching value
 * pattern wins), value rules (`arg`, `local`, `global`, `ret`, `attr`; redact and drop;
 * `value_default = "drop"`), and `inherit`. Each filter is applied to a real program
 * (`test/fixtures/trace-filter/grammar/`) recorded through the CLI.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cleanupTempDirs, describeRun, runPlain } from "../utils/run.js";
import {
  DROPPED,
  REDACTED,
  copyProject,
  filterText,
  functionsIn,
  isDropped,
  isRedacted,
  lastJson,
  mentionsFile,
  record,
  recordedInBeforeAll,
  stepNames,
  stepValues,
  valueEventsIn,
  writeFile,
  type Recording,
} from "../fixtures/trace-filter/harness.js";

afterAll(cleanupTempDirs);

interface MainOutput {
  results: Record<string, unknown>;
  instrumented: Record<string, boolean>;
  unchanged: Record<string, boolean>;
}

/** What main.js prints without the recorder. */
let plainResults: MainOutput["results"];
beforeAll(async () => {
  const dir = copyProject("grammar");
  const plain = await runPlain(`${dir}/main.js`, [], { cwd: dir });
  expect(plain.code, describeRun(plain)).toBe(0);
  plainResults = lastJson<MainOutput>(plain).results;
});

/** Asserts the recorded main.js computed what the plain run did. */
function expectSameResults(rec: Recording): MainOutput {
  const out = lastJson<MainOutput>(rec.run);
  expect(out.results).toEqual(plainResults);
  return out;
}

describe("file: selectors are globs on the path relative to the project root", () => {
  // Run from a subfolder: file: paths are relative to the project root, not the working directory.
  const rec = recordedInBeforeAll("grammar", "main.js", {
    projectFilter: filterText(
      "files",
      `
[[scope.rules]]
selector = "file:src/*.js"
exec = "skip"

[[scope.rules]]
selector = "file:glob:**/*.mjs"
exec = "skip"
`,
    ),
    cwdInProject: "src/generated",
  });

  it("skips src/util.js ('*' matches within one folder) and the ES module", () => {
    expectSameResults(rec);
    expect(mentionsFile(rec.q, "src/util.js")).toBe(false);
    expect(mentionsFile(rec.q, "src/shapes.mjs")).toBe(false);
    expect(rec.q.callsOf("add")).toEqual([]);
    expect(rec.q.callsOf("area")).toEqual([]);
  });

  it("keeps src/generated/gen.js ('*' does not cross '/') and main.js", () => {
    expect(functionsIn(rec.q, "src/generated/gen.js")).toEqual(expect.arrayContaining(["<module>", "generated"]));
    expect(rec.q.returnsOf("generated")).toEqual([20]);
    expect(functionsIn(rec.q, "main.js")).toEqual(expect.arrayContaining(["<module>", "main"]));
  });

  it("the skipped CommonJS file runs as written; the traced one is instrumented", () => {
    const out = expectSameResults(rec);
    expect(out.instrumented).toEqual({ "src/util.js": false, "src/generated/gen.js": true, "node_modules/fake-pkg/index.js": false });
    expect(out.unchanged["src/util.js"]).toBe(true);
  });

  it("counts each wholly skipped file as one skipped scope", () => {
    // src/util.js, src/shapes.mjs, and node_modules/fake-pkg (the builtin filter)
    expect(rec.filter.stats.scopes_skipped).toBe(3);
  });
});

describe("pkg: selectors match the nearest package.json name", () => {
  const rec = recordedInBeforeAll("grammar", "main.js", {
    projectFilter: filterText(
      "packages",
      `
[[scope.rules]]
selector = "pkg:literal:tf-grammar"
exec = "skip"
reason = "the project's own package"

[[scope.rules]]
selector = "file:main.js"
exec = "trace"

[[scope.rules]]
selector = "pkg:literal:fake-pkg"
exec = "trace"
reason = "a dependency under node_modules, which the builtin skips"
`,
    ),
  });

  it("the project's own package is skipped, except main.js which a later file: rule traces", () => {
    expectSameResults(rec);
    expect(functionsIn(rec.q, "main.js")).toEqual(expect.arrayContaining(["<module>", "main"]));
    for (const file of ["src/util.js", "src/generated/gen.js", "src/shapes.mjs"]) expect(mentionsFile(rec.q, file), file).toBe(false);
  });

  it("the node_modules package is recorded again by its package name", () => {
    const out = expectSameResults(rec);
    expect(functionsIn(rec.q, "node_modules/fake-pkg/index.js")).toEqual(expect.arrayContaining(["<module>", "pkgFn"]));
    const [call] = rec.q.callsOf("pkgFn");
    expect(call?.args).toEqual({ x: 1 });
    expect(rec.q.returnsOf("pkgFn")).toEqual([101]);
    expect(rec.q.callsOf("pkgFn")[0]!.parent?.name).toBe("main");
    expect(out.instrumented["node_modules/fake-pkg/index.js"]).toBe(true);
    expect(out.instrumented["src/util.js"]).toBe(false);
  });
});

describe("obj: selectors match qualified function names", () => {
  const rec = recordedInBeforeAll("grammar", "main.js", {
    projectFilter: filterText(
      "objects",
      `
[[scope.rules]]
selector = "obj:outer*"
exec = "skip"
reason = "glob: matches outer and outer.inner (dots are ordinary characters)"

[[scope.rules]]
selector = "obj:literal:outer.inner"
exec = "trace"

[[scope.rules]]
selector = "obj:UserService.*"
exec = "skip"

[[scope.rules]]
selector = "obj:literal:UserService.logout"
exec = "trace"

[[scope.rules]]
selector = "obj:regex:^(add|mul)$"
exec = "skip"

[[scope.rules]]
selector = "obj:Square.area"
exec = "skip"
`,
    ),
  });

  it("a nested function is traced inside a skipped outer function", () => {
    expectSameResults(rec);
    const names = rec.q.functionNames();
    expect(names).not.toContain("outer");
    expect(names).toContain("outer.inner");
    const [inner] = rec.q.callsOf("outer.inner");
    expect(inner?.args).toEqual({ m: 5 });
    expect(rec.q.returnsOf("outer.inner")).toEqual([10]);
    // outer has no frame: inner's caller in the trace is main
    expect(inner?.parent?.name).toBe("main");
    // outer's own locals never show up (it has no steps)
    expect(rec.q.steps.some((s) => s.locals.has("doubled"))).toBe(false);
  });

  it("class methods: a glob skips them, a later literal rule traces one again", () => {
    const names = rec.q.functionNames();
    expect(names).not.toContain("UserService.login");
    expect(names).not.toContain("UserService.constructor");
    expect(names).toContain("UserService.logout");
    expect(rec.q.returnsOf("UserService.logout")).toEqual([3]);
  });

  it("a regex (searched, anchored here) skips add and mul but not sub; an ES module's method is skipped", () => {
    const names = rec.q.functionNames();
    expect(names).not.toContain("add");
    expect(names).not.toContain("mul");
    expect(rec.q.returnsOf("sub")).toEqual([5]);
    expect(names).not.toContain("Square.area");
    expect(names).toContain("Square.constructor");
    // Square.area calls area: it is recorded with main as its caller
    expect(rec.q.callsOf("area").map((c) => c.parent?.name)).toEqual(["main", "main"]);
  });

  it("counts every skipped scope", () => {
    // outer, UserService.constructor, UserService.login, add, mul; Square.area; and fake-pkg's
    // <module> and pkgFn (obj: rules that trace could re-enable one of its functions, so the file
    // is parsed and each of its scopes counts)
    expect(rec.filter.stats.scopes_skipped).toBe(8);
  });
});

describe("Rust-dialect regexes in obj: selectors", () => {
  const rec = recordedInBeforeAll("grammar", "main.js", {
    projectFilter: filterText(
      "rust-regex",
      `
[[scope.rules]]
selector = "obj:regex:(?i)^user"
exec = "skip"

[[scope.rules]]
selector = 'obj:regex:\\A[[:upper:]]\\w*\\.area\\z'
exec = "skip"
`,
    ),
  });

  it("(?i)^user skips userLookup and UserService.* but not lookupUser", () => {
    expectSameResults(rec);
    const names = [...rec.q.functionNames()];
    expect(names.filter((n) => /^user/i.test(n))).toEqual([]);
    expect(rec.q.returnsOf("lookupUser")).toEqual([3]);
    expect(rec.q.returnsOf("add")).toEqual([3]);
  });

  it("\\A[[:upper:]]\\w*\\.area\\z skips Square.area but not area", () => {
    expect(rec.q.functionNames()).not.toContain("Square.area");
    expect(rec.q.callsOf("area").length).toBe(2);
  });
});

describe("the chain: the last matching rule wins, across files and in ::-separated lists", () => {
  const rule = (obj: string, exec: string) => `[[scope.rules]]\nselector = "obj:literal:${obj}"\nexec = "${exec}"\n`;
  let forward: Recording;
  let reversed: Recording;
  beforeAll(async () => {
    const files = {
      "filters/env.toml": filterText("env", rule("lookupUser", "skip") + rule("userLookup", "skip")),
      "filters/a.toml": filterText("a", rule("add", "trace") + rule("mul", "trace") + rule("lookupUser", "trace")),
      "filters/b.toml": filterText("b", rule("mul", "skip")),
      "filters/c.toml": filterText("c", rule("sub", "skip")),
    };
    const projectFilter = filterText("project", rule("add", "skip") + rule("mul", "skip"));
    const dir = copyProject("grammar", { projectFilter, files });
    const env = { CODETRACER_TRACE_FILTER: "filters/env.toml" };
    forward = await record(dir, "main.js", { env, cliArgs: ["--trace-filter", "filters/a.toml::filters/b.toml", "--trace-filter", "filters/c.toml"] });
    const dir2 = copyProject("grammar", { projectFilter, files });
    reversed = await record(dir2, "main.js", { env, cliArgs: ["--trace-filter", "filters/b.toml::filters/a.toml", "--trace-filter", "filters/c.toml"] });
  });

  it("a --trace-filter overrides the project filter", () => {
    expectSameResults(forward);
    expect(forward.q.returnsOf("add")).toEqual([3]);
  });

  it("in a::b, b comes after a (and b::a reverses it)", () => {
    expect(forward.q.functionNames()).not.toContain("mul");
    expect(reversed.q.returnsOf("mul")).toEqual([12]);
  });

  it("CODETRACER_TRACE_FILTER comes after the project filter and before --trace-filter", () => {
    expect(forward.q.functionNames()).not.toContain("userLookup");
    expect(forward.q.returnsOf("lookupUser")).toEqual([3]);
  });

  it("each --trace-filter flag adds its filters in order", () => {
    expect(forward.q.functionNames()).not.toContain("sub");
    expect(forward.q.returnsOf("add")).toEqual([3]);
  });

  it("the metadata lists the chain in that order", () => {
    const names = (r: Recording) => r.filter.filters.map((f) => f.name);
    expect(names(forward)).toEqual(["builtin-default", "project", "env", "a", "b", "c"]);
    expect(names(reversed)).toEqual(["builtin-default", "project", "env", "b", "a", "c"]);
    expect(forward.filter.filters.slice(1).map((f) => f.path)).toEqual(
      ["/.codetracer/trace-filter.toml", "/filters/env.toml", "/filters/a.toml", "/filters/b.toml", "/filters/c.toml"].map((p) => forward.dir + p),
    );
  });
});

/** The value rules of values.js (see the fixture). */
const VALUES_FILTER = filterText(
  "values",
  `
# File-wide value patterns (first in the file, so the obj: rules' patterns come before them).
[[scope.rules]]
selector = "file:values.js"

[[scope.rules.value_patterns]]
selector = "ret:literal:computeTotal"
action = "drop"

[[scope.rules.value_patterns]]
selector = "ret:glob:Ledger.*"
action = "redact"

[[scope.rules.value_patterns]]
selector = "ret:literal:counter"
action = "redact"

[[scope.rules.value_patterns]]
selector = "attr:literal:internal"
action = "drop"

[[scope.rules.value_patterns]]
selector = "attr:literal:note"
action = "redact"

[[scope.rules.value_patterns]]
selector = "global:literal:region"
action = "redact"

[[scope.rules.value_patterns]]
selector = "local:literal:region"
action = "allow"

[[scope.rules.value_patterns]]
selector = "arg:literal:price"
action = "redact"

# First matching pattern wins: note is dropped, every other argument redacted (amount too).
[[scope.rules]]
selector = "obj:checkout"

[[scope.rules.value_patterns]]
selector = "arg:literal:note"
action = "drop"

[[scope.rules.value_patterns]]
selector = "arg:glob:*"
action = "redact"

[[scope.rules.value_patterns]]
selector = "arg:literal:amount"
action = "allow"

[[scope.rules.value_patterns]]
selector = "arg:literal:note"
action = "allow"

# A rule's own pattern comes before the builtin's secret patterns.
[[scope.rules]]
selector = "obj:debugLogin"

[[scope.rules.value_patterns]]
selector = "arg:literal:password"
action = "allow"

# A rule with only exec keeps the builtin's secret patterns.
[[scope.rules]]
selector = "obj:login"
exec = "trace"

# Drop everything, secret names included (the builtin's redact patterns are discarded).
[[scope.rules]]
selector = "obj:dropAll"
value_default = "drop"
`,
);

describe("value rules", () => {
  const rec = recordedInBeforeAll("grammar", "values.js", { projectFilter: VALUES_FILTER });

  it("the program's results are unchanged", async () => {
    const plain = await runPlain(`${rec.dir}/values.js`, [], { cwd: rec.dir });
    expect(rec.run.stdout).toBe(plain.stdout);
  });

  it("first matching value pattern wins", () => {
    const [call] = rec.q.callsOf("checkout");
    // note: dropped (no entry); amount: redacted by arg:glob:* before arg:literal:amount allow
    expect(call?.args).toEqual({ amount: REDACTED, currency: REDACTED, cardHolder: REDACTED });
    expect(stepNames(rec.q, "checkout")).not.toContain("note");
    for (const v of stepValues(rec.q, "amount", "checkout")) expect(isRedacted(rec.q, v)).toBe(true);
    expect(stepValues(rec.q, "subtotal", "checkout").map((v) => rec.q.decode(v))).toEqual([10]);
  });

  it("a rule's allow pattern lets a secret-named argument through (at the Call)", () => {
    expect(rec.q.callsOf("debugLogin")[0]?.args).toEqual({ user: "ann", password: "pw-debug" });
    // at its steps the parameter is also a local, which the builtin still redacts: the stricter wins
    for (const v of stepValues(rec.q, "password", "debugLogin")) expect(isRedacted(rec.q, v)).toBe(true);
  });

  it("a later rule with only exec = trace keeps the builtin's secret redaction", () => {
    const [call] = rec.q.callsOf("login");
    expect(call?.args).toEqual({ user: "bob", password: REDACTED });
    expect(isRedacted(rec.q, call!.argRecords[1]!.value)).toBe(true);
    expect(stepValues(rec.q, "password", "login").length).toBeGreaterThan(0);
    for (const v of stepValues(rec.q, "password", "login")) expect(isRedacted(rec.q, v)).toBe(true);
  });

  it("value_default = drop drops every value of the scope, secret names included; its return is <dropped>", () => {
    const [call] = rec.q.callsOf("dropAll");
    expect(call?.argRecords).toEqual([]);
    expect(rec.q.steps.filter((s) => s.frame === "dropAll").length).toBeGreaterThan(0);
    expect(valueEventsIn(rec.q, "dropAll")).toBe(0);
    expect(isDropped(rec.q, call!.returnRecord)).toBe(true);
    expect(rec.q.returnsOf("dropAll")).toEqual([DROPPED]);
  });

  it("ret: patterns match the function's qualified name: drop, redact, and every yield of a generator", () => {
    expect(rec.q.returnsOf("computeTotal")).toEqual([DROPPED]);
    expect(isDropped(rec.q, rec.q.callsOf("computeTotal")[0]!.returnRecord)).toBe(true);
    // its locals are not affected
    expect(stepValues(rec.q, "total", "computeTotal").map((v) => rec.q.decode(v))).toContain(6);
    expect(rec.q.returnsOf("Ledger.balance")).toEqual([REDACTED]);
    const counter = rec.q.callsOf("counter");
    expect(counter.length).toBe(3); // two yields and the return
    for (const c of counter) expect(isRedacted(rec.q, c.returnRecord)).toBe(true);
    // functions no ret: pattern names return their values
    expect(rec.q.returnsOf("pay")).toEqual([5]);
  });

  it("attr: drop leaves a field out, redact keeps its name, at any depth", () => {
    const users = stepValues(rec.q, "user", "profile").map((v) => rec.q.decode(v));
    expect(users).toEqual([{ name: "ann", note: REDACTED, tags: [{ note: REDACTED, id: 7 }] }]);
  });

  it("global: applies to module-level bindings at the module body's steps; the stricter of local/global wins", () => {
    const region = stepValues(rec.q, "region", "<module>");
    expect(region.length).toBeGreaterThan(0);
    for (const v of region) expect(isRedacted(rec.q, v)).toBe(true);
    // a local of the same name in a function is only a local (allowed)
    expect(stepValues(rec.q, "region", "scale").map((v) => rec.q.decode(v))).toContain("local-region");
    // a global no rule names is recorded
    expect(stepValues(rec.q, "limit", "<module>").map((v) => rec.q.decode(v))).toContain(10);
  });

  it("arg: applies at the Call and at the function's steps", () => {
    const [call] = rec.q.callsOf("pay");
    expect(call?.args).toEqual({ price: REDACTED });
    const steps = stepValues(rec.q, "price", "pay");
    expect(steps.length).toBe(2);
    for (const v of steps) expect(isRedacted(rec.q, v)).toBe(true);
    expect(stepValues(rec.q, "fee", "pay").map((v) => rec.q.decode(v))).toEqual([5]);
  });

  it("the counters match", () => {
    const { value_drops: drops, value_redactions: redactions } = rec.filter.stats;
    // dropped: note (checkout) + password, count (dropAll)
    expect(drops.argument).toBe(3);
    // note at checkout's 2 steps; password, count at dropAll's 2 steps and next at its 2nd
    expect(drops.local).toBe(7);
    expect(drops.return).toBe(2); // dropAll, computeTotal
    expect(drops.attribute).toBe(2); // internal, twice
    expect(redactions.attribute).toBe(2); // note, twice
    expect(redactions.return).toBe(4); // Ledger.balance, counter ×3
    expect(redactions.argument).toBe(5); // amount, currency, cardHolder; login's password; price
  });
});

describe("inherit", () => {
  const rec = recordedInBeforeAll("grammar", "main.js", {
    projectFilter: filterText("project", "", { exec: "trace", value: "redact" }),
    files: {
      "extra.toml": filterText(
        "extra",
        `
[[scope.rules]]
selector = "obj:add"
exec = "skip"

[[scope.rules]]
selector = "obj:add"
exec = "inherit"
value_default = "inherit"
reason = "inherit in a rule changes nothing"

[[scope.rules]]
selector = "obj:mul"
value_default = "allow"
`,
      ),
    },
    cliArgs: ["--trace-filter", "extra.toml"],
  });

  it("default_value_action = inherit keeps the project filter's redact", () => {
    expectSameResults(rec);
    expect(rec.q.callsOf("sub")[0]?.args).toEqual({ a: REDACTED, b: REDACTED });
    // the default covers every value kind, return values included
    expect(rec.q.returnsOf("sub")).toEqual([REDACTED]);
  });

  it("exec = inherit in a later rule keeps the earlier rule's skip", () => {
    expect(rec.q.functionNames()).not.toContain("add");
  });

  it("a rule's value_default overrides the inherited default", () => {
    expect(rec.q.callsOf("mul")[0]?.args).toEqual({ a: 3, b: 4 });
  });
});

describe("selectors against an entry script given relative to another working directory", () => {
  it("a project filter is found from the entry script's folder, not the working directory", async () => {
    const dir = copyProject("grammar", { projectFilter: filterText("objects", `[[scope.rules]]\nselector = "obj:add"\nexec = "skip"\n`) });
    const other = copyProject("grammar");
    writeFile(other, ".codetracer/trace-filter.toml", filterText("other", `[[scope.rules]]\nselector = "obj:mul"\nexec = "skip"\n`));
    const rec = await record(dir, "main.js", { cwd: other });
    expect(rec.q.functionNames()).not.toContain("add");
    expect(rec.q.returnsOf("mul")).toEqual([12]);
    expect(rec.filter.filters.map((f) => f.path)).toEqual(["<inline:builtin-default>", `${dir}/.codetracer/trace-filter.toml`]);
  });
});
