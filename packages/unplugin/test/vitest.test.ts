/**
 * The vitest integration's pieces, in this process: the plugins `codetracer()` returns and what
 * their `config` hook adds to vitest's config; its option and environment checks; the folder
 * each test file gets; and the per-file sessions of the runtime (`beginTestFile`,
 * `endTestFile`), which the setup file drives. test/e2e/vitest.test.ts runs it under vitest.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, afterEach, describe, expect, it, vi } from "vitest";
import { isTracing } from "@codetracer/runtime";
import { readTraceFolder, validateTraceFolder, type TraceMetadata } from "@codetracer/trace-format";
import codetracer, { type VitestPlugin } from "../src/vitest.js";
import { beginTestFile, endTestFile, testFileTraceDir, type TestFileRecordingOptions } from "../src/runtime.js";
import { errorOf } from "./helpers.js";

const OUT = fs.mkdtempSync(path.join(os.tmpdir(), "ct-unplugin-vitest-"));
afterAll(() => fs.rmSync(OUT, { recursive: true, force: true }));
afterEach(() => {
  vi.unstubAllEnvs();
  endTestFile({ failed: true }); // a session a failed test left running
});

type TestConfig = Parameters<NonNullable<VitestPlugin["config"]>>[0];
type Configured = TestConfig & { test: { setupFiles: string[]; env: Record<string, string>; server: { deps: { external: Array<string | RegExp> } } } };

/** Runs the `config` hook of the integration's setup plugin on `config` (which it changes). */
function configure(plugins: VitestPlugin[], config: TestConfig): Configured {
  const plugin = plugins.find((p) => p.name === "unplugin-codetracer:vitest");
  expect(plugin, "the setup plugin").toBeDefined();
  plugin!.config!(config);
  return config as never;
}

describe("codetracer() from unplugin-codetracer/vitest", () => {
  it("is off unless asked: one plugin that does nothing, no setup file", () => {
    vi.stubEnv("CODETRACER_TRACE", "");
    vi.stubEnv("CODETRACER_ENABLED", "");
    const plugins = codetracer();
    expect(plugins.map((p) => p.name)).toEqual(["unplugin-codetracer"]);
    for (const hook of ["config", "resolveId", "load", "transform"]) expect(plugins[0]).not.toHaveProperty(hook);
  });

  it("puts its setup file first in test.setupFiles and hands the options to the workers in test.env", () => {
    const root = path.join(OUT, "project");
    const plugins = codetracer({ enabled: true, traceDir: "traces", format: "json", keep: "failed" });
    expect(plugins.map((p) => p.name)).toEqual(["unplugin-codetracer", "unplugin-codetracer:components", "unplugin-codetracer:vitest"]);
    const config = configure(plugins, { root, test: { setupFiles: "./setup.ts", env: { OWN: "1" } } });
    const [setup, ...rest] = config.test.setupFiles;
    expect(path.basename(setup!)).toBe("vitest-setup.js");
    expect(path.isAbsolute(setup!)).toBe(true);
    // The setup module next to this one (`dist/vitest-setup.js`; here, run from `src/`, its .ts).
    expect(fs.existsSync(setup!) || fs.existsSync(setup!.replace(/\.js$/, ".ts")), setup).toBe(true);
    expect(rest).toEqual(["./setup.ts"]);
    expect(config.test.env.OWN).toBe("1");
    const recording = JSON.parse(config.test.env.CODETRACER_VITEST!) as TestFileRecordingOptions;
    expect(recording).toMatchObject({ traceDir: path.join(root, "traces"), root, format: "json", keep: "failed", filters: [] });
    expect(recording.runId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    // The runtime is imported natively in every environment (also where modules are built for the client).
    const [external] = config.test.server.deps.external;
    expect(external).toBeInstanceOf(RegExp);
    const runtimeFile = path.join(path.dirname(setup!), "runtime.js").split(path.sep).join("/");
    expect((external as RegExp).test(runtimeFile)).toBe(true);
    expect((external as RegExp).test(runtimeFile.replace("runtime.js", "runtime.jsx"))).toBe(false);
    // A second config (a vitest project, a restart) gets each of them once, with the same run id.
    const again = configure(plugins, config);
    expect(again.test.setupFiles.filter((f) => f === setup)).toHaveLength(1);
    expect(again.test.server.deps.external).toHaveLength(1);
    expect((JSON.parse(again.test.env.CODETRACER_VITEST!) as TestFileRecordingOptions).runId).toBe(recording.runId);
  });

  it("takes keep from the option, then CODETRACER_KEEP, else all; traceDir from CODETRACER_TRACE", () => {
    const keepOf = (plugins: VitestPlugin[]) => (JSON.parse(configure(plugins, { root: OUT }).test.env.CODETRACER_VITEST!) as TestFileRecordingOptions).keep;
    vi.stubEnv("CODETRACER_TRACE", "from-env");
    expect(keepOf(codetracer())).toBe("all");
    vi.stubEnv("CODETRACER_KEEP", "Failed");
    expect(keepOf(codetracer())).toBe("failed");
    expect(keepOf(codetracer({ keep: "all" }))).toBe("all");
    const recording = JSON.parse(configure(codetracer(), { root: OUT }).test.env.CODETRACER_VITEST!) as TestFileRecordingOptions;
    expect(recording.traceDir).toBe(path.join(OUT, "from-env"));
  });

  it.each([
    [{ keep: "some" }, {}, { option: "keep" }, 'option "keep": expected "all" or "failed"'],
    [{}, { CODETRACER_KEEP: "some" }, { variable: "CODETRACER_KEEP" }, "CODETRACER_KEEP must be all or failed"],
    [{ bogus: 1 }, {}, { option: "bogus" }, "unknown option"],
    [{}, { CODETRACER_ON_RECORDER_ERROR: "maybe" }, { variable: "CODETRACER_ON_RECORDER_ERROR" }, "must be abort or disable"],
    [{}, { CODETRACER_MAX_DEPTH: "-1" }, { setting: "maxDepth" }, "CODETRACER_MAX_DEPTH"],
  ])("rejects %j with %j as ERR_INVALID_POLICY_VALUE naming it", (options, env, context, message) => {
    vi.stubEnv("CODETRACER_TRACE", "traces");
    for (const [name, value] of Object.entries(env)) vi.stubEnv(name, value);
    const error = errorOf(() => codetracer(options as never));
    expect(error.code).toBe("ERR_INVALID_POLICY_VALUE");
    expect(error.kind).toBe("Usage");
    expect(error.context).toMatchObject(context);
    expect(error.message).toContain(message);
  });

  it("checks the CODETRACER_* policy variables only when it records", () => {
    vi.stubEnv("CODETRACER_TRACE", "");
    vi.stubEnv("CODETRACER_ON_RECORDER_ERROR", "maybe");
    expect(codetracer().map((p) => p.name)).toEqual(["unplugin-codetracer"]);
  });

  it("rejects a traceDir that is the project root (the folders would be the test files' own paths)", () => {
    const error = errorOf(() => configure(codetracer({ enabled: true, traceDir: "." }), { root: OUT }));
    expect(error.code).toBe("ERR_INVALID_POLICY_VALUE");
    expect(error.context).toMatchObject({ option: "traceDir" });
  });
});

describe("testFileTraceDir", () => {
  const options = { traceDir: "/r/traces", root: "/r" };
  it("is the test file's path relative to the root, under traceDir", () => {
    expect(testFileTraceDir(options, "/r/test/unit/math.test.ts")).toBe(path.join("/r/traces/test/unit/math.test.ts"));
    expect(testFileTraceDir(options, "/r/math.test.ts")).toBe(path.join("/r/traces/math.test.ts"));
  });
  it("stays inside traceDir for a file outside the root, and writes unportable characters as _", () => {
    expect(testFileTraceDir(options, "/elsewhere/a.test.ts")).toBe(path.join("/r/traces/__/elsewhere/a.test.ts"));
    expect(testFileTraceDir(options, '/r/test/what?"now":*.test.ts')).toBe(path.join("/r/traces/test/what__now___.test.ts"));
  });
});

describe("beginTestFile / endTestFile", () => {
  let n = 0;
  /** Fresh options: a traceDir of its own under OUT. */
  function fresh(keep: "all" | "failed", runId?: string): TestFileRecordingOptions & { root: string } {
    const root = path.join(OUT, `run-${++n}`);
    return { traceDir: path.join(root, "traces"), root, format: "json", keep, filters: [], ...(runId ? { runId } : {}) };
  }
  const metadataOf = (dir: string) => JSON.parse(fs.readFileSync(path.join(dir, "trace_metadata.json"), "utf8")) as TraceMetadata;

  it("records a file into its folder, named as the program, with the run id; exit code 0 when it passed", () => {
    const options = fresh("all", "11111111-2222-4333-8444-555555555555");
    const file = path.join(options.root, "test/a.test.ts");
    beginTestFile(options, file);
    expect(isTracing()).toBe(true);
    endTestFile({ failed: false });
    expect(isTracing()).toBe(false);
    const dir = path.join(options.traceDir, "test/a.test.ts");
    expect(validateTraceFolder(dir, { entryStepRule: "error" }).errors).toEqual([]);
    const meta = metadataOf(dir);
    expect(meta.program).toBe(file);
    expect(meta.args).toEqual([]);
    expect(meta.run_id).toBe(options.runId);
    expect(meta.process_exit_status).toEqual({ code: 0, label: null });
    expect(readTraceFolder(dir).events.length).toBeGreaterThan(0);
  });

  it("keep failed: deletes a passing file's folder and the parents it leaves empty, keeps a failing one's (exit code 1)", () => {
    const options = fresh("failed");
    beginTestFile(options, path.join(options.root, "test/deep/pass.test.ts"));
    endTestFile({ failed: false });
    expect(fs.existsSync(path.join(options.traceDir, "test"))).toBe(false);
    expect(fs.existsSync(options.traceDir), "traceDir itself stays").toBe(true);
    beginTestFile(options, path.join(options.root, "test/deep/fail.test.ts"));
    endTestFile({ failed: true });
    const dir = path.join(options.traceDir, "test/deep/fail.test.ts");
    expect(metadataOf(dir).process_exit_status).toEqual({ code: 1, label: null });
  });

  it("finishes a file whose end never ran as failed (kept) when the next file begins", () => {
    const options = fresh("failed");
    beginTestFile(options, path.join(options.root, "first.test.ts"));
    beginTestFile(options, path.join(options.root, "second.test.ts"));
    expect(metadataOf(path.join(options.traceDir, "first.test.ts")).process_exit_status).toEqual({ code: 1, label: null });
    expect(isTracing()).toBe(true);
    endTestFile({ failed: false });
    expect(fs.existsSync(path.join(options.traceDir, "second.test.ts"))).toBe(false);
  });

  it("replaces an earlier run's trace files and nothing else; a file in the folder's place is ERR_TRACE_DIR_CONFLICT and stays", () => {
    const options = fresh("all");
    const dir = path.join(options.traceDir, "a.test.ts");
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, "trace.bin"), "stale");
    fs.writeFileSync(path.join(dir, "trace_metadata.json"), "{}");
    fs.writeFileSync(path.join(dir, "notes.txt"), "mine");
    beginTestFile(options, path.join(options.root, "a.test.ts"));
    expect(fs.existsSync(path.join(dir, "trace.bin"))).toBe(false);
    expect(fs.existsSync(path.join(dir, "trace_metadata.json"))).toBe(false);
    endTestFile({ failed: false });
    expect(fs.readFileSync(path.join(dir, "notes.txt"), "utf8")).toBe("mine");
    expect(fs.readdirSync(dir).sort()).toEqual(["notes.txt", "trace.json", "trace_metadata.json", "trace_paths.json"]);

    const taken = path.join(options.traceDir, "b.test.ts");
    fs.writeFileSync(taken, "a file");
    const error = errorOf(() => beginTestFile(options, path.join(options.root, "b.test.ts")));
    expect(error.code).toBe("ERR_TRACE_DIR_CONFLICT");
    expect(fs.readFileSync(taken, "utf8")).toBe("a file");
  });
});
