/**
 * One set of environment variable names, read the same way by the CLI and the Node loader
 * (`@codetracer/runtime`'s env-names.ts; table in the root README, "Environment variables"):
 * - `CODETRACER_TRACE` is the trace folder for the CLI too (`--trace-dir` wins over it);
 * - the old `CODETRACER_JS_RECORDER_OUT_DIR` still works, with one deprecation warning;
 * - `CODETRACER_JS_INCLUDE` / `CODETRACER_JS_EXCLUDE` take a JSON array or a `::` list, through
 *   the CLI (where `--include` / `--exclude` add to them) and the loader;
 * - both loader names, `codetracer-js-recorder/register` and `@codetracer/register`, record.
 * Every trace is validated and read by CodeTracer's reader (rtcli) where it is installed.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { expectReaderLoads, expectValidTrace } from "../utils/expect-trace.js";
import { CLI_MAIN, REPO_ROOT, cleanupTempDirs, describeRun, makeTempDir, runNode, type RunResult } from "../utils/run.js";

afterAll(cleanupTempDirs);

/** Asserts the folder is a valid trace CodeTracer's reader loads; returns the recorded function names. */
function functionsIn(traceDir: string): string[] {
  const q = expectValidTrace(traceDir);
  expectReaderLoads(traceDir);
  return q.functions.map((f) => f.name);
}

/**
 * A project in a temporary folder: `app.js` calls `double` of `node_modules/dep` (not recorded
 * by default) and `inc` of `lib/util.js` (recorded by default).
 */
function makeProject(): string {
  const dir = makeTempDir("ct-env-");
  fs.mkdirSync(path.join(dir, "node_modules/dep"), { recursive: true });
  fs.mkdirSync(path.join(dir, "lib"));
  fs.writeFileSync(path.join(dir, "node_modules/dep/package.json"), '{ "name": "dep", "version": "1.0.0", "main": "index.js" }\n');
  fs.writeFileSync(path.join(dir, "node_modules/dep/index.js"), "exports.double = function double(x) {\n  return x * 2;\n};\n");
  fs.writeFileSync(path.join(dir, "lib/util.js"), "exports.inc = function inc(x) {\n  return x + 1;\n};\n");
  fs.writeFileSync(
    path.join(dir, "app.js"),
    'const { double } = require("dep");\nconst { inc } = require("./lib/util.js");\nfunction main() {\n  return double(inc(1));\n}\nconsole.log(main());\n',
  );
  return dir;
}

/** `codetracer-js-recorder [cliArgs] app.js` in `dir` with `env`. */
function cli(dir: string, env: Record<string, string>, cliArgs: string[] = []): Promise<RunResult> {
  return runNode([CLI_MAIN, ...cliArgs, "app.js"], { cwd: dir, env });
}

/** The folders directly in `dir` holding a trace. */
function traceFoldersIn(dir: string): string[] {
  return fs.readdirSync(dir).filter((name) => fs.existsSync(path.join(dir, name, "trace_metadata.json")));
}

describe("the trace folder", () => {
  it("CODETRACER_TRACE names the CLI's trace folder (not ./trace-out)", { timeout: 60_000 }, async () => {
    const dir = makeProject();
    const r = await cli(dir, { CODETRACER_TRACE: "from-env" });
    expect(r.code, describeRun(r)).toBe(0);
    expect(r.stdout).toBe("4\n");
    expect(traceFoldersIn(dir)).toEqual(["from-env"]);
    expect(functionsIn(path.join(dir, "from-env"))).toContain("main");
    expect(r.stderr).not.toContain("deprecated");
  });

  it("--trace-dir wins over CODETRACER_TRACE", { timeout: 60_000 }, async () => {
    const dir = makeProject();
    const r = await cli(dir, { CODETRACER_TRACE: "from-env" }, ["--trace-dir", "from-flag"]);
    expect(r.code, describeRun(r)).toBe(0);
    expect(traceFoldersIn(dir)).toEqual(["from-flag"]);
    expect(functionsIn(path.join(dir, "from-flag"))).toContain("main");
  });

  it("the old CODETRACER_JS_RECORDER_OUT_DIR still works, with one deprecation warning (CLI and loader)", { timeout: 60_000 }, async () => {
    const dir = makeProject();
    const r = await cli(dir, { CODETRACER_JS_RECORDER_OUT_DIR: "old-name" });
    expect(r.code, describeRun(r)).toBe(0);
    expect(traceFoldersIn(dir)).toEqual(["old-name"]);
    expect(functionsIn(path.join(dir, "old-name"))).toContain("main");
    expect(r.stderr.match(/CODETRACER_JS_RECORDER_OUT_DIR is deprecated: use CODETRACER_TRACE/g), r.stderr).toHaveLength(1);
    // With --trace-dir the old variable is not used: no warning.
    const flagged = await cli(dir, { CODETRACER_JS_RECORDER_OUT_DIR: "old-name" }, ["--trace-dir", "flag"]);
    expect(flagged.code, describeRun(flagged)).toBe(0);
    expect(flagged.stderr).not.toContain("deprecated");

    // The loader alone (a warning of the recorder's log, once).
    fs.symlinkSync(path.join(REPO_ROOT, "node_modules/@codetracer"), path.join(dir, "node_modules/@codetracer"), "dir");
    const loader = await runNode(["--import", "@codetracer/register", "app.js"], { cwd: dir, env: { CODETRACER_JS_RECORDER_OUT_DIR: "old-loader" } });
    expect(loader.code, describeRun(loader)).toBe(0);
    expect(functionsIn(path.join(dir, "old-loader"))).toContain("main");
    expect(loader.stderr.match(/CODETRACER_JS_RECORDER_OUT_DIR is deprecated: use CODETRACER_TRACE/g), loader.stderr).toHaveLength(1);
  });
});

describe("include and exclude", () => {
  it.each([
    ["a JSON array", '["node_modules/dep/**"]', '["lib/**"]'],
    ["a :: list", "node_modules/dep/**::nothing/**", "lib/**::other/**"],
  ])("CODETRACER_JS_INCLUDE / _EXCLUDE as %s through the CLI", { timeout: 60_000 }, async (_form, include, exclude) => {
    const dir = makeProject();
    const plain = await cli(dir, { CODETRACER_TRACE: "plain" });
    expect(plain.code, describeRun(plain)).toBe(0);
    const names = functionsIn(path.join(dir, "plain"));
    expect(names).toContain("inc");
    expect(names).not.toContain("double");

    const r = await cli(dir, { CODETRACER_TRACE: "t", CODETRACER_JS_INCLUDE: include, CODETRACER_JS_EXCLUDE: exclude });
    expect(r.code, describeRun(r)).toBe(0);
    const recorded = functionsIn(path.join(dir, "t"));
    expect(recorded).toContain("main");
    expect(recorded).toContain("double");
    expect(recorded).not.toContain("inc");
  });

  it("--include / --exclude add to the variables' globs", { timeout: 60_000 }, async () => {
    const dir = makeProject();
    const r = await cli(dir, { CODETRACER_TRACE: "t", CODETRACER_JS_INCLUDE: "node_modules/dep/**" }, ["--exclude", "lib/**"]);
    expect(r.code, describeRun(r)).toBe(0);
    const recorded = functionsIn(path.join(dir, "t"));
    expect(recorded).toContain("double");
    expect(recorded).not.toContain("inc");
  });

  it.each([
    ["a JSON array", '["node_modules/dep/**"]', '["lib/**"]'],
    ["a :: list", "node_modules/dep/**::nothing/**", "lib/**"],
  ])("CODETRACER_JS_INCLUDE / _EXCLUDE as %s through the loader", { timeout: 60_000 }, async (_form, include, exclude) => {
    const dir = makeProject();
    fs.symlinkSync(path.join(REPO_ROOT, "node_modules/@codetracer"), path.join(dir, "node_modules/@codetracer"), "dir");
    const r = await runNode(["--import", "@codetracer/register", "app.js"], {
      cwd: dir,
      env: { CODETRACER_TRACE: "t", CODETRACER_JS_INCLUDE: include, CODETRACER_JS_EXCLUDE: exclude },
    });
    expect(r.code, describeRun(r)).toBe(0);
    const recorded = functionsIn(path.join(dir, "t"));
    expect(recorded).toContain("double");
    expect(recorded).not.toContain("inc");
  });

  it("a bad value is a usage error naming the variable", { timeout: 60_000 }, async () => {
    const dir = makeProject();
    const r = await cli(dir, { CODETRACER_TRACE: "t", CODETRACER_JS_INCLUDE: '["a", 1]' });
    expect(r.code, describeRun(r)).toBe(2);
    expect(r.stderr).toContain("CODETRACER_JS_INCLUDE must be a JSON array of glob strings or globs separated by '::'");
  });
});

describe("the two names of the loader", () => {
  it.each(["codetracer-js-recorder/register", "@codetracer/register"])("node --import %s records the program", { timeout: 60_000 }, async (loader) => {
    const dir = makeProject();
    // As installed: the packages resolve from the project's node_modules.
    fs.symlinkSync(path.join(REPO_ROOT, "node_modules/@codetracer"), path.join(dir, "node_modules/@codetracer"), "dir");
    fs.symlinkSync(path.join(REPO_ROOT, "packages/cli"), path.join(dir, "node_modules/codetracer-js-recorder"), "dir");
    const r = await runNode(["--import", loader, "app.js"], { cwd: dir, env: { CODETRACER_TRACE: "t" } });
    expect(r.code, describeRun(r)).toBe(0);
    expect(r.stdout).toBe("4\n");
    expect(functionsIn(path.join(dir, "t"))).toEqual(expect.arrayContaining(["main", "inc"]));
  });
});
