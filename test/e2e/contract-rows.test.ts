/**
 * The last rows of the recorder's error/policy/logging contract (issue 21), on real programs:
 * `TargetError` `ERR_TARGET_NOT_FOUND` (a SCRIPT or an activation file that does not exist),
 * `RUST_LOG` as the log filter's fallback, detach reasons in the metadata and the session API's
 * metrics sink, `file:` URLs as `start()`'s paths, and the warning for a `pkg:` selector in
 * Python's module form. Fixtures: `test/fixtures/contract-rows/`. docs/errors.md.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { TRACE_JSON_FILE } from "@codetracer/trace-format";
import { UUID_V4, expectBalancedCalls, expectReaderLoads, expectValidTrace, metadataOf } from "../utils/expect-trace.js";
import {
  CLI_MAIN,
  FIXTURES,
  REPO_ROOT,
  cleanupTempDirs,
  describeRun,
  freshTraceDir,
  recordWithCli,
  runNode,
  runPlain,
  type RunResult,
  jsonLines,
  jsonTrailer as trailer,
} from "../utils/run.js";

afterAll(cleanupTempDirs);

const DIR = path.join(FIXTURES, "contract-rows");
const fixture = (name: string): string => path.join(DIR, name);
const WORK = fixture("work.cjs");
const INSTRUMENT = "codetracer-js-recorder/register/instrument";
const INJECT = { CODETRACER_TEST_INJECT_FAILURE: "step:10" };

/** The program's JSON output lines (stdout). */
const outputs = (r: RunResult): Record<string, unknown>[] => jsonLines(r.stdout);

describe("TargetError ERR_TARGET_NOT_FOUND: the program to record is missing", () => {
  it("CLI: a SCRIPT that does not exist → exit 2, the coded message, a Target trailer under --json-errors, no folder", async () => {
    const traceDir = freshTraceDir();
    const r = await runNode([CLI_MAIN, "--trace-dir", traceDir, "--json-errors", "does-not-exist.js"], { cwd: REPO_ROOT });
    expect(r.code, describeRun(r)).toBe(2);
    expect(r.stderr).toContain("codetracer-js-recorder: error: [ERR_TARGET_NOT_FOUND] script not found: does-not-exist.js");
    const t = trailer(r);
    expect(t).toMatchObject({ error_code: "ERR_TARGET_NOT_FOUND", error_kind: "Target", trace_id: null });
    expect(t.run_id).toMatch(UUID_V4);
    expect(t.message).toMatch(/^\[ERR_TARGET_NOT_FOUND\] script not found: does-not-exist\.js/);
    expect(t.context).toEqual({ script: "does-not-exist.js", looked: path.join(REPO_ROOT, "does-not-exist.js") });
    expect(fs.existsSync(traceDir)).toBe(false);
    // Without --json-errors: the message only.
    const plain = await runNode([CLI_MAIN, "--trace-dir", traceDir, "does-not-exist.js"], { cwd: REPO_ROOT });
    expect(plain.code).toBe(2);
    expect(jsonLines(plain.stderr)).toEqual([]);
  });

  it("CLI: --activation-path naming no file → exit 1 before the script runs (it used to run it and record nothing)", async () => {
    const r = await recordWithCli(WORK, [], { cliArgs: ["--json-errors", "--activation-path", "no-such-file.cjs"], cwd: DIR });
    expect(r.code, describeRun(r)).toBe(1);
    expect(r.stdout, "the script did not run").toBe("");
    expect(r.stderr).toContain(`[ERR_TARGET_NOT_FOUND] --activation-path no-such-file.cjs: ${fixture("no-such-file.cjs")} does not exist`);
    expect(trailer(r)).toMatchObject({ error_code: "ERR_TARGET_NOT_FOUND", error_kind: "Target", context: { activationPath: fixture("no-such-file.cjs") } });
    expect(fs.existsSync(path.join(r.traceDir, TRACE_JSON_FILE))).toBe(false);
    // A directory is no activation file either; an existing file still works.
    const dir = await recordWithCli(WORK, [], { cliArgs: ["--activation-path", "."], cwd: DIR });
    expect(dir.code).toBe(1);
    expect(dir.stderr).toMatch(/\[ERR_TARGET_NOT_FOUND\] --activation-path \.: .* is a directory/);
    const ok = await recordWithCli(WORK, [], { cliArgs: ["--activation-path", "work.cjs"], cwd: DIR });
    expect(ok.code, describeRun(ok)).toBe(0);
    expectValidTrace(ok.traceDir);
  });

  it("loader: CODETRACER_ACTIVATION_PATH naming no file → exit 1 with the coded message (node --import …/register)", async () => {
    const traceDir = freshTraceDir();
    const missing = fixture("no-such-file.cjs");
    const r = await runNode(["--import", "codetracer-js-recorder/register", WORK], {
      env: { CODETRACER_TRACE: traceDir, CODETRACER_ACTIVATION_PATH: missing, CODETRACER_JSON_ERRORS: "1" },
    });
    expect(r.code, describeRun(r)).toBe(1);
    expect(r.stdout).toBe("");
    expect(trailer(r)).toMatchObject({ error_code: "ERR_TARGET_NOT_FOUND", error_kind: "Target" });
  });

  it("API: start({startOnEnter}) naming no file throws TargetError (in url-options.mjs)", async () => {
    const r = await runNode(["--import", INSTRUMENT, fixture("url-options.mjs"), freshTraceDir()]);
    expect(r.code, describeRun(r)).toBe(0);
    expect(outputs(r).find((o) => o.case === "missing startOnEnter")).toMatchObject({
      name: "TargetError",
      code: "ERR_TARGET_NOT_FOUND",
      kind: "Target",
      message: expect.stringContaining(fixture("no-such-file.mjs")),
    });
  });
});

describe("RUST_LOG: the log filter when CODETRACER_LOG is unset", () => {
  // An internal failure (the test hook) logs one ERROR record, target codetracer.recorder.
  const errorRecords = (r: RunResult) => jsonLines(r.stderr).filter((x) => x.level === "ERROR" && x.target === "codetracer.recorder");

  it("RUST_LOG=off silences the recorder's log; CODETRACER_LOG wins over it; an unparsable RUST_LOG is no error", async () => {
    const [plain, off, both, foreign] = await Promise.all([
      recordWithCli(WORK, [], { env: INJECT }),
      recordWithCli(WORK, [], { env: { ...INJECT, RUST_LOG: "off" } }),
      recordWithCli(WORK, [], { env: { ...INJECT, RUST_LOG: "off", CODETRACER_LOG: "error" } }),
      recordWithCli(WORK, [], { env: { ...INJECT, RUST_LOG: "my_crate,hyper::client=loud/x.*" } }),
    ]);
    expect(errorRecords(plain)).toHaveLength(1);
    expect(errorRecords(off), describeRun(off)).toHaveLength(0);
    expect(jsonLines(off.stderr)).toEqual([]);
    expect(errorRecords(both)).toHaveLength(1);
    expect(foreign.stderr).not.toContain("ERR_INVALID_POLICY_VALUE");
    expect(errorRecords(foreign)).toHaveLength(1); // warn, the default, still applies
    for (const r of [plain, off, both, foreign]) expect(r.code, describeRun(r)).toBe(1); // abort: thrown into the program
  });

  it("RUST_LOG=codetracer=info turns on the recorder's info records", async () => {
    // A session in plain node records nothing: an info record at stop says so (ERR_TRACE_MISSING).
    const program = "import { start } from 'codetracer-js-recorder'; start(process.argv[1], { format: 'json' }).stop();";
    const [quiet, info] = await Promise.all([
      runNode(["--input-type=module", "-e", program, freshTraceDir()]),
      runNode(["--input-type=module", "-e", program, freshTraceDir()], { env: { RUST_LOG: "codetracer=info" } }),
    ]);
    expect(quiet.code, describeRun(quiet)).toBe(0);
    expect(info.code, describeRun(info)).toBe(0);
    const infos = (r: RunResult) => jsonLines(r.stderr).filter((x) => x.level === "INFO" && x.error_code === "ERR_TRACE_MISSING");
    expect(infos(quiet)).toEqual([]);
    expect(infos(info), describeRun(info)).toHaveLength(1);
  });
});

describe("detach reasons and the metrics sink", () => {
  it("CLI: an internal failure's detach is listed in stats.detach_reasons; the trace reads in CodeTracer", async () => {
    const r = await recordWithCli(WORK, [], { env: INJECT, cliArgs: ["--on-recorder-error", "disable", "--keep-partial-trace"] });
    const plain = await runPlain(WORK);
    expect(r.code, describeRun(r)).toBe(0);
    expect(r.stdout).toBe(plain.stdout);
    const meta = metadataOf(r.traceDir) as unknown as { stats: Record<string, unknown>; partial: boolean };
    expect(meta.partial).toBe(true);
    expect(meta.stats).toMatchObject({ detaches: 1, internal_errors: 1 });
    const reasons = meta.stats.detach_reasons as Array<Record<string, unknown>>;
    expect(reasons).toEqual([{ code: "ERR_UNKNOWN", reason: "internal_error", message: "injected failure at step 10", at_event: expect.any(Number) }]);
    expect(reasons[0]!.at_event as number).toBeLessThanOrEqual(meta.stats.events as number);
    expectValidTrace(r.traceDir);
    expectReaderLoads(r.traceDir);
    // No detach: no detach_reasons key (the stats keep their four counters).
    const clean = await recordWithCli(WORK);
    expect(Object.keys((metadataOf(clean.traceDir) as unknown as { stats: object }).stats).sort()).toEqual([
      "detaches",
      "dropped_events",
      "events",
      "internal_errors",
    ]);
  });

  it("API: start({metrics}) receives internal_errors and detaches with their reason, as the metadata lists it", async () => {
    const dir = freshTraceDir();
    const r = await runNode(["--import", INSTRUMENT, fixture("metrics.mjs"), dir], { env: { CODETRACER_TEST_INJECT_FAILURE: "step:5" } });
    expect(r.code, describeRun(r)).toBe(0);
    const out = outputs(r).at(-1) as { r: number; updates: Array<Record<string, unknown>> };
    expect(out.r).toBe(1225);
    const meta = metadataOf(dir) as unknown as { stats: { detach_reasons: unknown[]; internal_errors: number } };
    const reason = meta.stats.detach_reasons[0];
    expect(reason).toMatchObject({ code: "ERR_UNKNOWN", reason: "internal_error", message: "injected failure at step 5" });
    expect(out.updates).toEqual([
      { name: "internal_errors", value: 1, delta: 1, reason },
      { name: "detaches", value: 1, delta: 1, reason },
    ]);
    expect(meta.stats.internal_errors).toBe(1);
    expectValidTrace(dir);
  });

  it("API: a sink that throws never breaks the program or the recording: counted in internal_errors, logged once", async () => {
    const dir = freshTraceDir();
    const r = await runNode(["--import", INSTRUMENT, fixture("metrics.mjs"), dir, "throw"], { env: { CODETRACER_TEST_INJECT_FAILURE: "step:5" } });
    expect(r.code, describeRun(r)).toBe(0);
    const out = outputs(r).at(-1) as { r: number; updates: Array<Record<string, unknown>> };
    expect(out.r).toBe(1225);
    expect(out.updates.map((u) => u.name)).toEqual(["internal_errors", "detaches"]); // each once, no recursion
    const sinkLogs = jsonLines(r.stderr).filter((x) => typeof x.message === "string" && x.message.startsWith("the metrics sink threw"));
    expect(sinkLogs).toHaveLength(1);
    expect(sinkLogs[0]).toMatchObject({ level: "ERROR", target: "codetracer.recorder", error_code: "ERR_UNKNOWN" });
    const meta = metadataOf(dir) as unknown as { stats: { internal_errors: number; detaches: number } };
    expect(meta.stats).toMatchObject({ detaches: 1, internal_errors: 3 }); // the failure + two sink throws
    expectValidTrace(dir);
  });
});

describe("start() takes file: URLs", () => {
  it("as the trace folder, traceFilter and startOnEnter; other schemes are coded errors", async () => {
    const dir = freshTraceDir();
    const r = await runNode(["--import", INSTRUMENT, fixture("url-options.mjs"), dir]);
    expect(r.code, describeRun(r)).toBe(0);
    const cases = Object.fromEntries(
      outputs(r)
        .filter((o) => o.case)
        .map((o) => [o.case, o]),
    );
    expect(cases["https trace dir"]).toMatchObject({ name: "UsageError", code: "ERR_TRACE_DIR_CONFLICT", kind: "Usage" });
    expect(cases["data startOnEnter"]).toMatchObject({ name: "UsageError", code: "ERR_INVALID_POLICY_VALUE" });
    expect(cases["https traceFilter"]).toMatchObject({ name: "UsageError", code: "ERR_INVALID_POLICY_VALUE" });
    expect(outputs(r).at(-1)).toEqual({ path: dir, v: 105, h: 315 });
    const q = expectValidTrace(dir);
    expectBalancedCalls(q);
    // startOnEnter (a URL): early(1) ran before entered.mjs was entered; traceFilter (a URL) skips helper.
    const names = [...q.functionNames()].filter((n) => n !== "<top-level>").sort();
    expect(names).toEqual(["early", "enteredHere"]);
    expect(q.callsOf("early").map((c) => c.args)).toEqual([{ x: 315 }]);
    expectReaderLoads(dir);
  });
});

describe("a pkg: selector in Python's module form", () => {
  it("warns once (target codetracer.filter, the file and line); an npm-shaped pkg: does not; the recording is unchanged", async () => {
    const filter = fixture("python-style.toml");
    const [r, without] = await Promise.all([recordWithCli(WORK, [], { cliArgs: ["--trace-filter", filter] }), recordWithCli(WORK)]);
    expect(r.code, describeRun(r)).toBe(0);
    const warnings = jsonLines(r.stderr).filter((x) => x.target === "codetracer.filter");
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatchObject({ level: "WARN", fields: { file: filter, line: 12, selector: "pkg:my_app.services.*" } });
    expect(warnings[0]!.message).toContain(`${filter}:12: selector 'pkg:my_app.services.*'`);
    expect(r.stderr).not.toContain("lodash.merge");
    expect(expectValidTrace(r.traceDir).events.length).toBe(expectValidTrace(without.traceDir).events.length);
  });
});
