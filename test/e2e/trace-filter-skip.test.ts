/**
 * Trace filters, part 3: skipped files. A skipped file leaves nothing in the trace (no Path, no
 * Function, no Step, not in `trace_paths.json`) and is not instrumented: a CommonJS module of
 * `test/fixtures/trace-filter/grammar/` reports the code Node compiled for it (its wrapper
 * function's text), which must be the file as written. `--include` / `--exclude` are the
 * chain's last rules (an exclude wins), through the CLI and through `node --import`.
 */
import * as fs from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { REGISTER_URL, cleanupTempDirs, describeRun, recordWithImport, runPlain } from "../utils/run.js";
import { TraceQuery } from "../utils/trace.js";
import { readMetadata } from "../utils/expect-trace.js";
import {
  copyProject,
  filterText,
  functionsIn,
  lastJson,
  mentionsFile,
  record,
  recordedInBeforeAll,
  type Recording,
  type TraceFilterMetadata,
} from "../fixtures/trace-filter/harness.js";

afterAll(cleanupTempDirs);

interface MainOutput {
  results: Record<string, unknown>;
  instrumented: Record<string, boolean>;
  unchanged: Record<string, boolean>;
}

const UTIL = "src/util.js";
const GEN = "src/generated/gen.js";
const FAKE = "node_modules/fake-pkg/index.js";

let plainResults: MainOutput["results"];
beforeAll(async () => {
  const dir = copyProject("grammar");
  const plain = await runPlain(`${dir}/main.js`, [], { cwd: dir });
  expect(plain.code, describeRun(plain)).toBe(0);
  const out = lastJson<MainOutput>(plain);
  plainResults = out.results;
  // Unrecorded, every module runs as written (the check the tests rely on works).
  expect(out.instrumented).toEqual({ [UTIL]: false, [GEN]: false, [FAKE]: false });
  expect(out.unchanged).toEqual({ [UTIL]: true, [GEN]: true, [FAKE]: true });
});

/** Asserts `rel` is absent from the trace, including `trace_paths.json`. */
function expectAbsent(rec: Recording, rel: string): void {
  expect(mentionsFile(rec.q, rel), `${rel} in the trace`).toBe(false);
  expect(
    (rec.q.folder.paths ?? []).filter((p) => p.endsWith(`/${rel}`)),
    `${rel} in trace_paths.json`,
  ).toEqual([]);
  const pathsFile = JSON.parse(fs.readFileSync(`${rec.run.traceDir}/trace_paths.json`, "utf8")) as string[];
  expect(pathsFile.some((p) => p.endsWith(`/${rel}`))).toBe(false);
}

/** Asserts `rel` is recorded: in trace_paths.json, with its functions and steps. */
function expectRecorded(rec: Recording, rel: string, fn: string): void {
  expect((rec.q.folder.paths ?? []).filter((p) => p.endsWith(`/${rel}`)).length, `${rel} in trace_paths.json`).toBe(1);
  expect(functionsIn(rec.q, rel)).toContain(fn);
  expect(rec.q.steps.some((s) => s.path.endsWith(`/${rel}`))).toBe(true);
}

describe("a file under node_modules (the builtin filter skips it)", () => {
  let rec: Recording;
  let out: MainOutput;
  beforeAll(async () => {
    rec = await record(copyProject("grammar"), "main.js");
    out = lastJson<MainOutput>(rec.run);
  });

  it("runs, as written, and is absent from the trace", () => {
    expect(out.results).toEqual(plainResults);
    expectAbsent(rec, FAKE);
    expect(out.instrumented[FAKE]).toBe(false);
    expect(out.unchanged[FAKE]).toBe(true);
    expect(rec.q.callsOf("pkgFn")).toEqual([]);
  });

  it("the project's own files are recorded and instrumented", () => {
    expectRecorded(rec, UTIL, "add");
    expectRecorded(rec, GEN, "generated");
    expect(out.instrumented[UTIL]).toBe(true);
    expect(out.unchanged[UTIL]).toBe(false);
  });

  it("counts as one skipped scope", () => {
    expect(rec.filter.stats.scopes_skipped).toBe(1);
  });
});

describe("a file whose every scope is skipped (it has to be parsed to know)", () => {
  let rec: Recording;
  let out: MainOutput;
  beforeAll(async () => {
    const dir = copyProject("grammar", {
      projectFilter: filterText(
        "all-scopes",
        `
[[scope.rules]]
selector = "file:src/generated/**"
exec = "skip"

# An obj: rule that traces could re-enable a function of any skipped file: files are parsed.
[[scope.rules]]
selector = "obj:literal:no.such.function"
exec = "trace"
`,
      ),
    });
    rec = await record(dir, "main.js");
    out = lastJson<MainOutput>(rec.run);
  });

  it("runs exactly as written and is absent from the trace", () => {
    expect(out.results).toEqual(plainResults);
    expect(out.instrumented[GEN]).toBe(false);
    expect(out.unchanged[GEN]).toBe(true);
    expectAbsent(rec, GEN);
    // the node_modules package too (parsed for the same reason)
    expect(out.unchanged[FAKE]).toBe(true);
    expectAbsent(rec, FAKE);
  });

  it("counts each of its scopes", () => {
    // gen.js: <module>, generated; fake-pkg: <module>, pkgFn
    expect(rec.filter.stats.scopes_skipped).toBe(4);
  });
});

describe("a skipped TypeScript file is compiled but not instrumented", () => {
  const rec = recordedInBeforeAll("typescript", "main.ts", {
    projectFilter: filterText("ts", `[[scope.rules]]\nselector = "file:src/*.ts"\nexec = "skip"\n`),
  });

  it("runs (types stripped, enum and parameter properties compiled)", () => {
    expect(lastJson(rec.run)).toEqual({ total: 26, unit: "cm" });
  });

  it("is absent from the trace; the entry is recorded", () => {
    expectAbsent(rec, "src/typed.ts");
    expect(rec.q.functionNames()).not.toContain("Rect.area");
    expect(rec.q.returnsOf("total")).toEqual([26]);
    expect(rec.filter.stats.scopes_skipped).toBe(1);
  });
});

/** Project filter of the include/exclude runs: skips util.js, traces gen.js. */
const INCLUDE_EXCLUDE_PROJECT = filterText(
  "project",
  `
[[scope.rules]]
selector = "file:src/util.js"
exec = "skip"

[[scope.rules]]
selector = "file:src/generated/**"
exec = "trace"
`,
);
const INCLUDE = ["src/util.js", "node_modules/fake-pkg/**"];
const EXCLUDE = ["src/generated/**"];

describe.each(["cli", "import"] as const)("--include / --exclude (%s)", (mode) => {
  let rec: Recording;
  let out: MainOutput;
  beforeAll(async () => {
    const dir = copyProject("grammar", { projectFilter: INCLUDE_EXCLUDE_PROJECT });
    if (mode === "cli") {
      // The exclude is given first: order on the command line does not matter.
      const cliArgs = [...EXCLUDE.flatMap((g) => ["--exclude", g]), ...INCLUDE.flatMap((g) => ["--include", g])];
      rec = await record(dir, "main.js", { cliArgs });
    } else {
      const run = await recordWithImport(`${dir}/main.js`, [], { cwd: dir, loader: REGISTER_URL, include: INCLUDE, exclude: EXCLUDE });
      expect(run.code, describeRun(run)).toBe(0);
      const report = TraceQuery.validate(run.traceDir);
      expect(report.ok).toBe(true);
      const meta = readMetadata(run.traceDir) as unknown as { trace_filter: TraceFilterMetadata };
      rec = { run, dir, q: new TraceQuery(run.traceDir), filter: meta.trace_filter };
    }
    out = lastJson<MainOutput>(rec.run);
  });

  it("the program's results are unchanged", () => {
    expect(out.results).toEqual(plainResults);
  });

  it("an include re-enables a file the project filter skips", () => {
    expectRecorded(rec, UTIL, "add");
    expect(out.instrumented[UTIL]).toBe(true);
  });

  it("an include re-enables a node_modules package", () => {
    expectRecorded(rec, FAKE, "pkgFn");
    expect(rec.q.returnsOf("pkgFn")).toEqual([101]);
    expect(out.instrumented[FAKE]).toBe(true);
  });

  it("an exclude wins over the project filter's trace rule (and over includes)", () => {
    expectAbsent(rec, GEN);
    expect(out.instrumented[GEN]).toBe(false);
    expect(out.unchanged[GEN]).toBe(true);
  });

  it("the metadata ends with the include/exclude filters", () => {
    const filters = rec.filter.filters;
    expect(filters.map((f) => f.name)).toEqual(["builtin-default", "project", "include-exclude"]);
    for (const f of filters.slice(2)) {
      expect(f.path).toBe("<inline:include-exclude>");
      expect(f.version).toBe(1);
      expect(f.sha256).toMatch(/^[0-9a-f]{64}$/);
    }
    expect(rec.filter.stats.scopes_skipped).toBe(1); // gen.js
  });
});

describe("--include / --exclude from a subfolder of the project", () => {
  /** The project filter redacts every value of src/util.js and skips src/generated/. */
  const projectFilter = filterText(
    "project",
    `
[[scope.rules]]
selector = "file:src/util.js"
value_default = "redact"

[[scope.rules]]
selector = "file:src/generated/**"
exec = "skip"
`,
  );

  it("an unrelated --exclude does not change what the project filter's file: rules match", async () => {
    const dir = copyProject("grammar", { projectFilter });
    const rec = await record(dir, "main.js", { cwd: `${dir}/src`, cliArgs: ["--exclude", "nothing/**"] });
    expect(lastJson<MainOutput>(rec.run).results).toEqual(plainResults);
    expect(rec.q.callsOf("add").map((c) => c.args)).toEqual([{ a: { $error: "<redacted>" }, b: { $error: "<redacted>" } }]);
    expectAbsent(rec, GEN);
  });

  it("globs relative to the working directory, '../' globs and absolute globs outside it all apply", async () => {
    const dir = copyProject("grammar", { projectFilter });
    const cliArgs = ["--include", "../node_modules/fake-pkg/**", "--include", `${dir}/src/generated/**`, "--exclude", "util.js"];
    const rec = await record(dir, "main.js", { cwd: `${dir}/src`, cliArgs });
    const out = lastJson<MainOutput>(rec.run);
    expect(out.results).toEqual(plainResults);
    expectRecorded(rec, FAKE, "pkgFn");
    expectRecorded(rec, GEN, "generated");
    expectAbsent(rec, UTIL);
    expect(out.instrumented).toEqual({ [UTIL]: false, [GEN]: true, [FAKE]: true });
  });
});
