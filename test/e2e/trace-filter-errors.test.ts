/**
 * Trace filters, part 5: a bad filter stops the recording before the program runs, with exit
 * status 1 and a coded message naming the file (and the `scope.rules[i]` entry where there is
 * one): through the CLI (`--trace-filter`, the project filter, `CODETRACER_TRACE_FILTER`) and
 * through `node --import <register>`. The program (`test/fixtures/trace-filter/errors/prog.cjs`)
 * writes `ran.txt` and prints `RAN`: neither may happen.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { REGISTER_URL, cleanupTempDirs, describeRun, makeTempDir, recordWithCli, recordWithImport, type RunResult } from "../utils/run.js";
import { copyProject, filterText, writeFile } from "../fixtures/trace-filter/harness.js";

afterAll(cleanupTempDirs);

const HEADER = `[meta]\nname = "bad"\nversion = 1\n\n[scope]\ndefault_exec = "trace"\ndefault_value_action = "allow"\n`;

/** A bad filter: its text and what the message must say after the file name. */
interface BadFilter {
  what: string;
  text: string;
  /** Text the message holds after `<file>: ` (the entry). */
  entry: string;
  /** More text the message holds. */
  detail: string;
}

const BAD: BadFilter[] = [
  { what: "a TOML syntax error", text: `[meta]\nname = "bad"\nversion = 1\n[scope\ndefault_exec = "trace"\n`, entry: "TOML syntax error", detail: "line 4" },
  { what: "an unknown key in [meta]", text: HEADER.replace("version = 1\n", 'version = 1\nauthor = "me"\n'), entry: "meta:", detail: "'author'" },
  {
    what: "an unknown key in a rule",
    text: `${HEADER}\n[[scope.rules]]\nselector = "obj:a"\nexec = "skip"\n\n[[scope.rules]]\nselector = "obj:b"\ncolour = "red"\n`,
    entry: "scope.rules[1]:",
    detail: "'colour'",
  },
  {
    what: "an unsupported match type in a value pattern",
    text: `${HEADER}\n[[scope.rules]]\nselector = "obj:a"\n\n[[scope.rules.value_patterns]]\nselector = "local:foo:bar"\naction = "redact"\n`,
    entry: "scope.rules[0].value_patterns[0]:",
    detail: "'local:foo:bar'",
  },
  { what: "a value kind as a scope selector", text: `${HEADER}\n[[scope.rules]]\nselector = "arg:x"\n`, entry: "scope.rules[0]:", detail: "'arg'" },
  {
    what: "an invalid regex",
    text: `${HEADER}\n[[scope.rules]]\nselector = "obj:a"\n\n[[scope.rules]]\nselector = "obj:regex:(unclosed"\nexec = "skip"\n`,
    entry: "scope.rules[1]:",
    detail: "'(unclosed'",
  },
  {
    what: "a look-ahead (not in the Rust dialect)",
    text: `${HEADER}\n[[scope.rules]]\nselector = 'obj:regex:^(?=user)'\nexec = "skip"\n`,
    entry: "scope.rules[0]:",
    detail: "look-around",
  },
  {
    what: "an unknown action",
    text: `${HEADER}\n[[scope.rules]]\nselector = "obj:a"\n\n[[scope.rules.value_patterns]]\nselector = "arg:a"\naction = "hide"\n`,
    entry: "scope.rules[0].value_patterns[0]:",
    detail: "'hide'",
  },
  {
    what: "a file: pattern outside the project root",
    text: `${HEADER}\n[[scope.rules]]\nselector = "file:../elsewhere/**"\nexec = "skip"\n`,
    entry: "scope.rules[0]:",
    detail: "'../elsewhere/**'",
  },
  { what: "schema version 2", text: HEADER.replace("version = 1", "version = 2"), entry: "meta:", detail: "version 2" },
];

/** Asserts the run stopped before the program with `code` naming `file` (and `more`). */
function expectStopped(run: RunResult, dir: string, code: string, file: string, ...more: string[]): void {
  expect(run.code, describeRun(run)).toBe(1);
  expect(run.signal).toBeNull();
  expect(run.stderr).toContain(`[${code}] ${file}: `);
  for (const text of more) expect(run.stderr).toContain(text);
  // The program did not run.
  expect(run.stdout).not.toContain("RAN");
  expect(fs.existsSync(path.join(dir, "ran.txt")), "ran.txt").toBe(false);
  expect(fs.existsSync(path.join(run.traceDir, "trace.json")), "trace.json").toBe(false);
}

describe("the fixture program leaves evidence of running", () => {
  it("with a valid filter it runs: ran.txt and RAN", async () => {
    const dir = copyProject("errors", { files: { "ok.toml": filterText("ok") } });
    const run = await recordWithCli(path.join(dir, "prog.cjs"), [], { cwd: dir, cliArgs: ["--trace-filter", "ok.toml"] });
    expect(run.code, describeRun(run)).toBe(0);
    expect(run.stdout).toBe("RAN\n");
    expect(fs.existsSync(path.join(dir, "ran.txt"))).toBe(true);
  });
});

describe.each(BAD)("CLI --trace-filter with $what", (bad) => {
  it("exits 1 with ERR_INVALID_POLICY_VALUE naming the file and the entry; the program does not run", async () => {
    const dir = copyProject("errors");
    const file = writeFile(dir, "filters/bad.toml", bad.text);
    const run = await recordWithCli(path.join(dir, "prog.cjs"), [], { cwd: dir, cliArgs: ["--trace-filter", "filters/bad.toml"] });
    expectStopped(run, dir, "ERR_INVALID_POLICY_VALUE", file, `${file}: ${bad.entry}`, bad.detail);
    expect(run.stderr).toMatch(/^codetracer-js-recorder: error: /);
  });
});

describe("other ways a bad filter reaches the CLI", () => {
  const [syntax, , unknownKey, , , badRegex] = BAD as [BadFilter, BadFilter, BadFilter, BadFilter, BadFilter, BadFilter];

  it("the discovered project filter", async () => {
    const dir = copyProject("errors", { projectFilter: syntax.text });
    const run = await recordWithCli(path.join(dir, "prog.cjs"), [], { cwd: dir });
    const file = path.join(dir, ".codetracer/trace-filter.toml");
    expectStopped(run, dir, "ERR_INVALID_POLICY_VALUE", file, syntax.entry, syntax.detail);
  });

  it("CODETRACER_TRACE_FILTER (the bad one second in a :: list)", async () => {
    const dir = copyProject("errors", { files: { "ok.toml": filterText("ok"), "bad.toml": unknownKey.text } });
    const run = await recordWithCli(path.join(dir, "prog.cjs"), [], { cwd: dir, env: { CODETRACER_TRACE_FILTER: "ok.toml::bad.toml" } });
    const file = path.join(dir, "bad.toml");
    expectStopped(run, dir, "ERR_INVALID_POLICY_VALUE", file, `${file}: ${unknownKey.entry}`, unknownKey.detail);
  });

  it("the second filter of a --trace-filter a::b value", async () => {
    const dir = copyProject("errors", { files: { "ok.toml": filterText("ok"), "bad.toml": badRegex.text } });
    const run = await recordWithCli(path.join(dir, "prog.cjs"), [], { cwd: dir, cliArgs: ["--trace-filter", "ok.toml::bad.toml"] });
    const file = path.join(dir, "bad.toml");
    expectStopped(run, dir, "ERR_INVALID_POLICY_VALUE", file, `${file}: ${badRegex.entry}`, badRegex.detail);
  });

  it("a missing --trace-filter file: ERR_IO naming it", async () => {
    const dir = copyProject("errors");
    const run = await recordWithCli(path.join(dir, "prog.cjs"), [], { cwd: dir, cliArgs: ["--trace-filter", "no-such-filter.toml"] });
    expectStopped(run, dir, "ERR_IO", path.join(dir, "no-such-filter.toml"));
  });

  it("a missing file in CODETRACER_TRACE_FILTER: ERR_IO naming it", async () => {
    const dir = copyProject("errors");
    const run = await recordWithCli(path.join(dir, "prog.cjs"), [], { cwd: dir, env: { CODETRACER_TRACE_FILTER: "gone.toml" } });
    expectStopped(run, dir, "ERR_IO", path.join(dir, "gone.toml"));
  });
});

describe("node --import <register> with a bad filter", () => {
  const importRun = (dir: string, env: Record<string, string> = {}) =>
    recordWithImport(path.join(dir, "prog.cjs"), [], { cwd: dir, loader: REGISTER_URL, env });

  it.each(BAD.filter((b) => ["an unknown key in a rule", "an invalid regex", "an unsupported match type in a value pattern"].includes(b.what)))(
    "CODETRACER_TRACE_FILTER with $what",
    async (bad) => {
      const dir = copyProject("errors", { files: { "bad.toml": bad.text } });
      const run = await importRun(dir, { CODETRACER_TRACE_FILTER: "bad.toml" });
      const file = path.join(dir, "bad.toml");
      expectStopped(run, dir, "ERR_INVALID_POLICY_VALUE", file, `${file}: ${bad.entry}`, bad.detail);
      expect(run.stderr).toMatch(/^codetracer: /);
    },
  );

  it("the discovered project filter with schema version 2", async () => {
    const bad = BAD.find((b) => b.what === "schema version 2")!;
    const dir = copyProject("errors", { projectFilter: bad.text });
    const run = await importRun(dir);
    const file = path.join(dir, ".codetracer/trace-filter.toml");
    expectStopped(run, dir, "ERR_INVALID_POLICY_VALUE", file, `${file}: ${bad.entry}`, bad.detail);
  });

  it("a missing file in CODETRACER_TRACE_FILTER: ERR_IO", async () => {
    const dir = copyProject("errors");
    const run = await importRun(dir, { CODETRACER_TRACE_FILTER: "gone.toml" });
    expectStopped(run, dir, "ERR_IO", path.join(dir, "gone.toml"));
  });
});

describe("a discovered filter file others can write", () => {
  it.skipIf(process.platform === "win32")("is ignored with one warning under the CLI (its pre-flight check stays quiet), and the program runs", async () => {
    const project = makeTempDir("ct-filter-ignored-");
    writeFile(project, "package.json", JSON.stringify({ name: "ignored-filter" }));
    const filter = writeFile(project, ".codetracer/trace-filter.toml", filterText("writable"));
    fs.chmodSync(filter, 0o666);
    const script = writeFile(project, "app.js", "console.log('RAN');\n");
    const r = await recordWithCli(script, [], { cwd: project });
    expect(r.code, describeRun(r)).toBe(0);
    expect(r.stdout).toBe("RAN\n");
    expect(r.stderr.split(`ignoring the trace filter ${filter}`).length - 1, r.stderr).toBe(1);
  });
});
