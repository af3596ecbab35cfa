/**
 * The session API of `codetracer-js-recorder` (`start`, `stop`, `trace`, `isTracing`, `flush`,
 * `TraceSession`, auto-start from `CODETRACER_TRACE`) on real programs run under
 * `node --import codetracer-js-recorder/register/instrument` (instruments, records nothing until
 * `start`), plain `node`, and the whole-run loader. Fixtures: `test/fixtures/session-api/`.
 */
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { PENDING_METADATA_FILE } from "@codetracer/trace-format";
import { expectBalancedCalls, expectValidTrace, readMetadata, type RecordedMetadata } from "../utils/expect-trace.js";
import {
  FIXTURES,
  REPO_ROOT,
  cleanupTempDirs,
  describeRun,
  freshTraceDir,
  lineOf,
  makeTempDir,
  recordWithImport,
  runNode,
  runPlain,
  type RunOptions,
  type RunResult,
  jsonLines,
} from "../utils/run.js";
import { filesContaining, isRedacted, lastJson, stepValues, type TraceFilterMetadata } from "../fixtures/trace-filter/harness.js";
import type { TraceQuery } from "../utils/trace.js";

afterAll(cleanupTempDirs);

const SA = path.join(FIXTURES, "session-api");
const fixture = (name: string): string => path.join(SA, name);
/** The loader that instruments without recording (a bare specifier: the tests run from the repository). */
const INSTRUMENT = "codetracer-js-recorder/register/instrument";
/** The same loader as a `file:` URL, for working directories outside the repository. */
const INSTRUMENT_URL = pathToFileURL(path.join(REPO_ROOT, "packages/cli/dist/register-instrument.js")).href;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

/** `node --import …/register/instrument fixture args…` (no `CODETRACER_TRACE`). */
function runInstrumented(script: string, args: string[], opts: RunOptions & { loader?: string } = {}): Promise<RunResult> {
  return runNode(["--import", opts.loader ?? INSTRUMENT, fixture(script), ...args], opts);
}

/** Asserts the run exited with `code` (0 by default). */
function expectExit(r: RunResult, code = 0): void {
  expect(r.code, describeRun(r)).toBe(code);
  expect(r.signal).toBeNull();
}

/** The metadata fields the session writes at stop (its filter section only when it had a filter). */
type SessionMetadata = Omit<RecordedMetadata, "trace_filter"> & { trace_filter?: TraceFilterMetadata };

/** The folder's finished metadata (fails when there is none, or the pending file is left). */
function sessionMetadata(dir: string): SessionMetadata {
  const meta = readMetadata(dir) as unknown as SessionMetadata | null;
  expect(meta, `${dir}/trace_metadata.json`).not.toBeNull();
  expect(fs.existsSync(path.join(dir, PENDING_METADATA_FILE)), "pending metadata removed").toBe(false);
  return meta!;
}

/** Asserts the common session metadata: program, ids, counters matching the events written. */
function expectSessionMetadata(dir: string, q: TraceQuery, program: string, args: string[]): SessionMetadata {
  const meta = sessionMetadata(dir);
  expect(meta.program).toBe(program);
  expect(meta.args).toEqual(args);
  expect(meta.format).toBe("json");
  expect(meta.recorder.name).toBe("codetracer-js-recorder");
  expect(meta.recorder.target_script).toBe(program);
  expect(meta.run_id).toMatch(UUID);
  expect(meta.trace_id).toMatch(UUID);
  expect(meta.stats).toEqual({ events: q.events.length, dropped_events: 0, detaches: 0, internal_errors: 0 });
  return meta;
}

/** Names of the recorded functions, `<top-level>` left out. */
function recordedNames(q: TraceQuery): string[] {
  return [...q.functionNames()].filter((n) => n !== "<top-level>").sort();
}

describe("start/stop around a region", () => {
  it("records only what runs between start() and stop(), also code of a module loaded before start()", async () => {
    const dir = freshTraceDir();
    const r = await runInstrumented("region.mjs", [dir]);
    expectExit(r);
    const out = lastJson<{ r: number; d: number; active: boolean; path: string; format: string; traceId: string }>(r);
    expect(out).toMatchObject({ r: 10, d: 20, active: false, path: dir, format: "json" });

    const q = expectValidTrace(dir);
    expectBalancedCalls(q);
    // before() ran before start, after() after stop; lib.mjs's body (and its call of
    // loadedBefore(100)) ran at import, before start.
    expect(recordedNames(q)).toEqual(["during", "loadedBefore"]);
    const region = fixture("region.mjs");
    expect(q.callsOf("during").map((c) => c.args)).toEqual([{ a: 2, b: 3 }]);
    expect(q.returnsOf("during")).toEqual([10]);
    expect(q.localAt("region.mjs", lineOf(region, "ct-marker: during-return"), "sum")).toEqual([5]);
    expect(q.localAt("region.mjs", lineOf(region, "ct-marker: during-sum"), "a")).toEqual([2]);
    // The module loaded before start records from the moment the session started.
    const lib = fixture("lib.mjs");
    expect(q.callsOf("loadedBefore", "session-api/lib.mjs").map((c) => c.args)).toEqual([{ v: 10 }]);
    expect(q.localAt("lib.mjs", lineOf(lib, "return doubled"), "doubled")).toEqual([20]);
    // Frames already running at start (the module bodies) are not part of the session: the
    // recorded calls hang directly under <top-level>.
    expect(q.topLevel().children.map((c) => c.name)).toEqual(["during", "loadedBefore"]);
    expect(q.callsOf("<module>")).toEqual([]);
    expect(q.stepsAt("region.mjs", lineOf(region, "const y = x + 1"))).toEqual([]);
    expect(q.stepsAt("region.mjs", lineOf(region, "const tripled = z * 3"))).toEqual([]);

    const meta = expectSessionMetadata(dir, q, region, [dir]);
    expect(meta.trace_id).toBe(out.traceId);
    // stop() without an exit code: the top-level call returns <exit>.
    expect(meta.process_exit_status).toEqual({ code: null, label: "<exit>" });
    expect(q.topLevel().returnRecord).toMatchObject({ kind: "Raw", r: "<exit>" });
    expect(meta.workspace_diff).toEqual({ requested: false, path: null });
    expect(fs.existsSync(path.join(dir, "workspace.diff"))).toBe(false);
  });

  it("two sessions in sequence write two valid folders, each holding only its own region", async () => {
    const dir1 = freshTraceDir();
    const dir2 = freshTraceDir();
    const r = await runInstrumented("two-sessions.mjs", [dir1, dir2]);
    expectExit(r);
    const out = lastJson<{ total: number; tracing: boolean; ids: [string, string] }>(r);
    expect(out.total).toBe(22);
    expect(out.tracing).toBe(false);
    expect(out.ids[0]).not.toBe(out.ids[1]);

    const script = fixture("two-sessions.mjs");
    const q1 = expectValidTrace(dir1);
    expectBalancedCalls(q1);
    expect(recordedNames(q1)).toEqual(["first", "spanning"]);
    expect(q1.callsOf("first").map((c) => c.args)).toEqual([{ x: 0 }, { x: 1 }]);
    expect(q1.returnsOf("first")).toEqual([1, 2]);
    // spanning() was still running when the first session stopped: its frame is closed there.
    const spanning = q1.callsOf("spanning");
    expect(spanning.length).toBe(1);
    expect(spanning[0]!.returnIndex).toBeGreaterThan(spanning[0]!.index);
    expect(q1.decode(spanning[0]!.returnRecord!)).toEqual({ $error: "<unwound>" });
    expect(q1.stepsAt("two-sessions.mjs", lineOf(script, "ct-marker: spanning-second"))).toEqual([]);

    // The second trace: nothing of the first region, nothing between the sessions, and the
    // frame spanning the boundary is not part of it (its callees are, under <top-level>).
    const q2 = expectValidTrace(dir2);
    expectBalancedCalls(q2);
    expect(recordedNames(q2)).toEqual(["second"]);
    expect(q2.callsOf("second").map((c) => c.args)).toEqual([{ y: 2 }, { y: 3 }]);
    expect(q2.returnsOf("second")).toEqual([20, 30]);
    expect(q2.topLevel().children.map((c) => c.name)).toEqual(["second", "second"]);
    expect(q2.stepsAt("two-sessions.mjs", lineOf(script, "ct-marker: spanning-total"))).toEqual([]);
    expect(q2.topLevel().returnRecord).toMatchObject({ kind: "Raw", r: "<exit>" });

    const m1 = expectSessionMetadata(dir1, q1, script, [dir1, dir2]);
    const m2 = expectSessionMetadata(dir2, q2, script, [dir1, dir2]);
    expect([m1.trace_id, m2.trace_id]).toEqual(out.ids);
    // One process, one run.
    expect(m2.run_id).toBe(m1.run_id);
  });
});

describe("TraceSession disposal and trace()", () => {
  it("`using` / `await using` stop the session at the end of the block; trace() stops after a sync, async, throwing or rejecting fn", async () => {
    const dirs = Array.from({ length: 6 }, () => freshTraceDir());
    const [disposeDir, asyncDisposeDir, asyncDir, throwDir, rejectDir, usingThrowDir] = dirs as [string, string, string, string, string, string];
    const r = await runInstrumented("dispose.mts", dirs);
    expectExit(r);
    expect(lastJson(r)).toEqual({
      square: 49,
      activeInBlock: true,
      activeAfterDispose: false,
      tracingAfterDispose: false,
      square2: 9,
      activeAfterAsyncDispose: false,
      // A block left by an exception disposes too; the exception propagates.
      usingThrown: "kaboom: in using",
      activeAfterUsingThrow: false,
      fetched: "ABC!",
      tracingAfterAsync: false,
      // The error thrown by fn propagates unchanged.
      thrown: "kaboom: sync",
      tracingAfterThrow: false,
      rejected: "RangeError: later: async",
      tracingAfterReject: false,
    });
    const script = fixture("dispose.mts");
    for (const dir of dirs) {
      const q = expectValidTrace(dir);
      expectBalancedCalls(q);
      expectSessionMetadata(dir, q, script, dirs);
    }

    // TypeScript is stripped and the calls are recorded with their values.
    const d1 = expectValidTrace(disposeDir);
    expect(recordedNames(d1)).toEqual(["square"]);
    expect(d1.callsOf("square").map((c) => c.args)).toEqual([{ box: { label: "seven", n: 7 } }]);
    expect(d1.localAt("dispose.mts", lineOf(script, "return sq"), "sq")).toEqual([49]);
    const d2 = expectValidTrace(asyncDisposeDir);
    expect(d2.callsOf("square").map((c) => c.args)).toEqual([{ box: { label: "three", n: 3 } }]);
    const d6 = expectValidTrace(usingThrowDir);
    expect(recordedNames(d6)).toEqual(["explode", "square"]);
    expect(d6.callsOf("explode").map((c) => c.args)).toEqual([{ reason: "in using" }]);

    // The async fn: the session stopped only when its promise settled (the code after the
    // await is in the trace).
    const d3 = expectValidTrace(asyncDir);
    expect(d3.callsOf("fetchLater")[0]!.args).toEqual({ v: "abc" });
    expect(d3.localAt("dispose.mts", lineOf(script, "return upper"), "upper")).toEqual(["ABC"]);
    expect(d3.returnsOf("fetchLater")).toContain("ABC");
    expect(d3.returnsOf("<anonymous>")).toContain("ABC!");

    // A throwing fn: the exception leaves its frames (caught by trace(), which is not recorded).
    const d4 = expectValidTrace(throwDir);
    const explode = d4.callsOf("explode");
    expect(explode.map((c) => c.args)).toEqual([{ reason: "sync" }]);
    expect(d4.decode(explode[0]!.returnRecord!)).toEqual({ $error: "<exception>" });
    const d5 = expectValidTrace(rejectDir);
    expect(d5.callsOf("explodeLater")[0]!.args).toEqual({ reason: "async" });
    expect(d5.stepsAt("dispose.mts", lineOf(script, "throw new RangeError")).length).toBe(1);
  });
});

describe("start() refusals", () => {
  it("a second start() while a session is active throws UsageError ERR_ALREADY_TRACING; bad options throw coded errors", async () => {
    const dir1 = freshTraceDir();
    const dir2 = freshTraceDir();
    const r = await runInstrumented("errors.mjs", [dir1, dir2], { env: { CODETRACER_JSON_ERRORS: "1" } });
    expectExit(r);
    const results = new Map(jsonLines(r.stdout).map((l) => [l.case as string, l]));
    expect(results.get("constants")).toEqual({
      case: "constants",
      DEFAULT_FORMAT: "binary",
      TRACE_JSON: "json",
      TRACE_BINARY: "binary",
      tracingAtStart: false,
    });
    expect(results.get("first")).toEqual({ case: "first", ok: true });
    const usage = (code: string) => ({ name: "UsageError", code, kind: "Usage", isUsageError: true, isRecorderError: true });
    expect(results.get("second")).toMatchObject(usage("ERR_ALREADY_TRACING"));
    // "binary" (also DEFAULT_FORMAT) writes trace.bin.
    expect(results.get("binary")).toEqual({ case: "binary", ok: true });
    expect(results.get("default-format")).toEqual({ case: "default-format", ok: true });
    expect(fs.existsSync(path.join(path.dirname(dir2), "binary", "trace.bin"))).toBe(true);
    expect(results.get("unknown-format")).toMatchObject(usage("ERR_UNSUPPORTED_FORMAT"));
    expect(results.get("dir-is-file")).toMatchObject(usage("ERR_TRACE_DIR_CONFLICT"));
    expect(results.get("bad-policy")).toMatchObject(usage("ERR_INVALID_POLICY_VALUE"));
    expect(results.get("missing-filter")).toMatchObject({
      name: "EnvironmentError",
      code: "ERR_IO",
      kind: "Environment",
      isUsageError: false,
      isRecorderError: true,
    });
    for (const c of ["second", "unknown-format", "dir-is-file", "bad-policy", "missing-filter"]) {
      expect(results.get(c)!.message as string).toMatch(new RegExp(`^\\[${results.get(c)!.code as string}\\] `));
    }
    // None of the refused starts created the folder or left a session running.
    expect(results.get("after")).toEqual({ case: "after", tracing: false, dir2Exists: false });

    // The first session was not disturbed by the refused second start.
    const q = expectValidTrace(dir1);
    expectBalancedCalls(q);
    expect(q.callsOf("work").map((c) => c.args)).toEqual([{ n: 2 }, { n: 3 }]);
    const meta = sessionMetadata(dir1);

    // Each refusal: an ERROR log record and (CODETRACER_JSON_ERRORS) a trailer line on stderr.
    const lines = jsonLines(r.stderr);
    const records = lines.filter((l) => "level" in l);
    const trailers = lines.filter((l) => "error_kind" in l);
    const codes = ["ERR_ALREADY_TRACING", "ERR_UNSUPPORTED_FORMAT", "ERR_TRACE_DIR_CONFLICT", "ERR_INVALID_POLICY_VALUE", "ERR_IO"];
    expect(records.filter((l) => l.level === "ERROR").map((l) => l.error_code)).toEqual(codes);
    expect(trailers.map((l) => l.error_code)).toEqual(codes);
    const already = records.find((l) => l.error_code === "ERR_ALREADY_TRACING")!;
    expect(already).toMatchObject({ target: "codetracer.session", run_id: meta.run_id, trace_id: meta.trace_id });
    expect(typeof already.ts_micros).toBe("number");
    expect(already.fields).toEqual({ kind: "Usage", context: { traceDir: dir2 } });
    expect(trailers[0]).toEqual({
      run_id: meta.run_id,
      trace_id: meta.trace_id,
      error_code: "ERR_ALREADY_TRACING",
      error_kind: "Usage",
      message: results.get("second")!.message,
      context: { traceDir: dir2 },
    });
    // Outside a session the trailer's trace_id is null and the record has none.
    const io = trailers.find((l) => l.error_code === "ERR_IO")!;
    expect(io).toMatchObject({ run_id: meta.run_id, trace_id: null, error_kind: "Environment" });
    expect(records.find((l) => l.error_code === "ERR_IO")).not.toHaveProperty("trace_id");
  });

  it("start() under --import codetracer-js-recorder/register (whole run already recorded) throws ERR_ALREADY_TRACING", async () => {
    const dir1 = freshTraceDir();
    const r = await recordWithImport(fixture("errors.mjs"), [dir1, freshTraceDir(), "only-already"], { loader: "codetracer-js-recorder/register" });
    expectExit(r);
    const results = new Map(jsonLines(r.stdout).map((l) => [l.case as string, l]));
    expect(results.get("constants")).toMatchObject({ tracingAtStart: true });
    expect(results.get("already-recording")).toMatchObject({ name: "UsageError", code: "ERR_ALREADY_TRACING", kind: "Usage", isUsageError: true });
    // The whole-run recording went on, into CODETRACER_TRACE, not into start()'s folder.
    expect(fs.existsSync(dir1)).toBe(false);
    const q = expectValidTrace(r.traceDir);
    expectBalancedCalls(q);
    expect(q.callsOf("work").map((c) => c.args)).toEqual([{ n: 1 }]);
    expect(q.callsOf("<module>").length).toBeGreaterThan(0);
    expect(sessionMetadata(r.traceDir).process_exit_status).toEqual({ code: 0, label: null });
  });
});

describe("auto-start from CODETRACER_TRACE", () => {
  it("records the whole program and finishes the folder at exit", async () => {
    const r = await recordWithImport(fixture("autostart.mjs"), [], { loader: INSTRUMENT });
    expectExit(r);
    expect(r.stdout).toBe("fib 5\nnormal end\n");
    const q = expectValidTrace(r.traceDir);
    expectBalancedCalls(q);
    // fib(5) makes 15 calls; the module body is recorded from its first line.
    expect(q.callsOf("fib").length).toBe(15);
    expect(q.callsOf("fib")[0]!.args).toEqual({ n: 5 });
    expect(q.callsOf("<module>").length).toBe(1);
    const script = fixture("autostart.mjs");
    expect(q.stepsAt("autostart.mjs", lineOf(script, "ct-marker: normal-end")).length).toBe(1);
    // Output is recorded as Write events (IO capture is on by default).
    expect(q.logEvents.map((e) => e.content)).toEqual(["fib 5\n", "normal end\n"]);
    const meta = expectSessionMetadata(r.traceDir, q, script, []);
    expect(meta.process_exit_status).toEqual({ code: 0, label: null });
    expect(q.topLevel().returnRecord).toMatchObject({ kind: "Int", i: 0 });
  });

  it("after process.exit(3) deep in a call: exit status 3 in the metadata", async () => {
    const r = await recordWithImport(fixture("autostart.mjs"), ["exit"], { loader: INSTRUMENT, env: { CODETRACER_CAPTURE_IO: "off" } });
    expectExit(r, 3);
    expect(r.stdout).toBe("fib 5\nexiting 3\n");
    const q = expectValidTrace(r.traceDir);
    expectBalancedCalls(q);
    expect(q.callsOf("finish").map((c) => c.args)).toEqual([{ code: 3 }]);
    const script = fixture("autostart.mjs");
    expect(q.stepsAt("autostart.mjs", lineOf(script, "ct-marker: exit-call")).length).toBe(1);
    expect(q.stepsAt("autostart.mjs", lineOf(script, "ct-marker: normal-end"))).toEqual([]);
    // CODETRACER_CAPTURE_IO=off: no output events.
    expect(q.logEvents).toEqual([]);
    expect(expectSessionMetadata(r.traceDir, q, script, ["exit"]).process_exit_status).toEqual({ code: 3, label: null });
    expect(q.topLevel().returnRecord).toMatchObject({ kind: "Int", i: 3 });
  });

  it("a program importing the API finds the auto-started session active; stop() ends it with its exit code", async () => {
    const other = freshTraceDir();
    const r = await recordWithImport(fixture("autostart-api.mjs"), [other, "stop"], { loader: INSTRUMENT });
    expectExit(r);
    expect(lastJson(r)).toEqual({ tracing: true, code: "ERR_ALREADY_TRACING" });
    expect(fs.existsSync(other)).toBe(false);
    const q = expectValidTrace(r.traceDir);
    expectBalancedCalls(q);
    // add(3, 4) ran after stop().
    expect(q.callsOf("add").map((c) => c.args)).toEqual([{ a: 1, b: 2 }]);
    expect(sessionMetadata(r.traceDir).process_exit_status).toEqual({ code: 7, label: null });
    expect(q.topLevel().returnRecord).toMatchObject({ kind: "Int", i: 7 });
  });
});

describe("start() options", () => {
  it("startOnEnter: nothing is recorded until execution enters the file", async () => {
    const dir = freshTraceDir();
    const r = await runInstrumented("on-enter.mjs", [dir]);
    expectExit(r);
    expect(lastJson(r)).toEqual({ v: 105 });
    const q = expectValidTrace(dir);
    expectBalancedCalls(q);
    // early() ran twice after start() but before entered.mjs was entered.
    expect(recordedNames(q)).toEqual(["enteredHere", "late"]);
    expect(q.callsOf("enteredHere").map((c) => c.args)).toEqual([{ n: 5 }]);
    expect(q.localAt("entered.mjs", lineOf(fixture("entered.mjs"), "return inside"), "inside")).toEqual([105]);
    // Once entered, recording goes on in other files.
    expect(q.callsOf("late").map((c) => c.args)).toEqual([{ y: 105 }]);
    expectSessionMetadata(dir, q, fixture("on-enter.mjs"), [dir]);
  });

  it("traceFilter at run time skips a function and redacts locals; the filter is listed after the builtin", async () => {
    const dir = freshTraceDir();
    const filter = fixture("filter.toml");
    const plainDir = freshTraceDir();
    const [r, unfiltered] = await Promise.all([runInstrumented("filtered.mjs", [dir, filter]), runInstrumented("filtered.mjs", [plainDir])]);
    expectExit(r);
    expectExit(unfiltered);
    expect(lastJson(r)).toEqual(lastJson(unfiltered));

    const q = expectValidTrace(dir);
    expectBalancedCalls(q);
    const script = fixture("filtered.mjs");
    // helper is skipped: no frame, no steps; what runs around it is recorded.
    expect(q.callsOf("helper")).toEqual([]);
    expect(recordedNames(q)).toEqual(["inner", "mix"]);
    expect(q.stepsAt("filtered.mjs", lineOf(script, "ct-marker: helper-doubled"))).toEqual([]);
    expect(q.callsOf("inner").map((c) => c.args)).toEqual([{ q: 12 }]);
    // token and magic are redacted at every step; visible is not.
    for (const name of ["token", "magic"]) {
      const values = stepValues(q, name, "mix");
      expect(values.length, name).toBeGreaterThan(0);
      for (const v of values) expect(isRedacted(q, v), `${name} = ${JSON.stringify(v)}`).toBe(true);
    }
    expect(q.localAt("filtered.mjs", lineOf(script, "ct-marker: helper-call"), "visible")).toEqual(["VISIBLE-VALUE-s3cr3t"]);
    // The values are nowhere in the folder (the marker search does find what is written).
    expect(filesContaining(dir, "TOKEN-VALUE-s3cr3t")).toEqual([]);
    expect(filesContaining(dir, "MAGIC-VALUE-s3cr3t")).toEqual([]);
    expect(filesContaining(dir, "VISIBLE-VALUE-s3cr3t").length).toBeGreaterThan(0);
    // Without the run-time filter, helper is recorded and magic (no secret to the builtin) is written.
    const u = expectValidTrace(plainDir);
    expect(u.callsOf("helper").map((c) => c.args)).toEqual([{ k: 6 }]);
    expect(filesContaining(plainDir, "MAGIC-VALUE-s3cr3t").length).toBeGreaterThan(0);
    expect(filesContaining(plainDir, "TOKEN-VALUE-s3cr3t")).toEqual([]);

    const meta = expectSessionMetadata(dir, q, script, [dir, filter]);
    expect(meta.trace_filter!.filters.map((f) => [f.name, f.path])).toEqual([
      ["builtin-default", "<inline:builtin-default>"],
      ["session-api-runtime", filter],
    ]);
    expect(meta.trace_filter!.stats.scopes_skipped).toBeGreaterThanOrEqual(1);
    expect(meta.trace_filter!.stats.value_redactions.local).toBeGreaterThan(0);
    expect(sessionMetadata(plainDir).trace_filter!.filters.map((f) => f.name)).toEqual(["builtin-default"]);
  });

  // The loader's counters (files skipped as a whole at load) and the run-time filter's skips
  // add up in one trace_filter.stats.
  it("traceFilter at run time keeps the loader's scopes_skipped and adds the skipped function", async () => {
    const dir = freshTraceDir();
    const plainDir = freshTraceDir();
    const [r, unfiltered] = await Promise.all([runInstrumented("filtered.mjs", [dir, fixture("filter.toml")]), runInstrumented("filtered.mjs", [plainDir])]);
    expectExit(r);
    expectExit(unfiltered);
    const skippedWithout = sessionMetadata(plainDir).trace_filter!.stats.scopes_skipped;
    expect(sessionMetadata(dir).trace_filter!.stats.scopes_skipped).toBe(skippedWithout + 1);
  });

  it("withDiff saves git diff HEAD of the working directory's repository as workspace.diff", async () => {
    const repo = fs.realpathSync(makeTempDir("ct-diff-"));
    const git = (...args: string[]) =>
      execFileSync("git", args, {
        cwd: repo,
        encoding: "utf8",
        env: { ...process.env, GIT_AUTHOR_NAME: "t", GIT_AUTHOR_EMAIL: "t@example.com", GIT_COMMITTER_NAME: "t", GIT_COMMITTER_EMAIL: "t@example.com" },
      }).trim();
    git("init", "-q");
    fs.writeFileSync(path.join(repo, "tracked.txt"), "before\n");
    git("add", "tracked.txt");
    git("commit", "-q", "-m", "base");
    fs.writeFileSync(path.join(repo, "tracked.txt"), "after\n");
    fs.writeFileSync(path.join(repo, "new.txt"), "untracked\n");
    const head = git("rev-parse", "HEAD");

    const dir = freshTraceDir();
    const noRepo = makeTempDir("ct-nogit-");
    const noRepoDir = freshTraceDir();
    const [r, r2] = await Promise.all([
      runInstrumented("with-diff.mjs", [dir], { cwd: repo, loader: INSTRUMENT_URL }),
      runInstrumented("with-diff.mjs", [noRepoDir], { cwd: noRepo, loader: INSTRUMENT_URL, env: { GIT_CEILING_DIRECTORIES: path.dirname(noRepo) } }),
    ]);
    expectExit(r);
    expectExit(r2);
    const q = expectValidTrace(dir);
    expect(q.callsOf("work").map((c) => c.args)).toEqual([{ n: 1 }]);
    const meta = expectSessionMetadata(dir, q, fixture("with-diff.mjs"), [dir]);
    expect(meta.workspace_diff).toEqual({ requested: true, path: "workspace.diff", base: head, repository: repo, untracked: 1 });
    const diff = fs.readFileSync(path.join(dir, "workspace.diff"), "utf8");
    expect(diff).toContain("-before");
    expect(diff).toContain("+after");
    // Not a repository: no file, and the metadata says why.
    const m2 = sessionMetadata(noRepoDir);
    expect(m2.workspace_diff).toMatchObject({ requested: true, path: null });
    expect(m2.workspace_diff.error).toMatch(/not a git repository/);
    expect(fs.existsSync(path.join(noRepoDir, "workspace.diff"))).toBe(false);
  });
});

describe("uninstrumented programs", () => {
  it("plain node: start() logs a JSON warning with ERR_TRACE_MISSING; the folder is still finished", async () => {
    const dir = freshTraceDir();
    const r = await runPlain(fixture("uninstrumented.mjs"), [dir]);
    expectExit(r);
    expect(lastJson(r)).toEqual({ started: true, stopped: true, active: false, requireTrace: false });
    const missing = jsonLines(r.stderr).filter((l) => l.error_code === "ERR_TRACE_MISSING");
    expect(missing.length).toBeGreaterThanOrEqual(1);
    expect(missing[0]).toMatchObject({ level: "WARN", target: "codetracer.session" });
    expect(Object.keys(missing[0]!).slice(0, 4)).toEqual(["ts_micros", "level", "target", "run_id"]);
    expect(missing[0]!.run_id).toMatch(UUID);
    expect(missing[0]!.message).toMatch(/register\/instrument/);
    const q = expectValidTrace(dir);
    expect(recordedNames(q)).toEqual([]);
    expect(sessionMetadata(dir).run_id).toBe(missing[0]!.run_id);
  });

  it("with policy {requireTrace: true}, stop() throws ERR_TRACE_MISSING (after finishing the folder)", async () => {
    const dir = freshTraceDir();
    const r = await runPlain(fixture("uninstrumented.mjs"), [dir, "require"]);
    expectExit(r);
    expect(lastJson(r)).toEqual({
      started: true,
      stopped: false,
      stopError: { name: "UsageError", code: "ERR_TRACE_MISSING", kind: "Usage", context: { traceDir: dir } },
      active: false,
      requireTrace: true,
    });
    expect(
      jsonLines(r.stderr)
        .filter((l) => l.error_code === "ERR_TRACE_MISSING")
        .map((l) => l.level),
    ).toContain("ERROR");
    expectValidTrace(dir);
    sessionMetadata(dir);
  });

  it("CODETRACER_REQUIRE_TRACE applies at start() unless applyEnvPolicy is false; a bad value is ERR_INVALID_POLICY_VALUE", async () => {
    const [withEnv, ignored, bad] = await Promise.all([
      runPlain(fixture("uninstrumented.mjs"), [freshTraceDir()], { env: { CODETRACER_REQUIRE_TRACE: "Yes" } }),
      runPlain(fixture("uninstrumented.mjs"), [freshTraceDir(), "no-env"], { env: { CODETRACER_REQUIRE_TRACE: "yes" } }),
      runPlain(fixture("uninstrumented.mjs"), [freshTraceDir()], { env: { CODETRACER_REQUIRE_TRACE: "maybe" } }),
    ]);
    for (const r of [withEnv, ignored, bad]) expectExit(r);
    expect(lastJson(withEnv)).toMatchObject({ stopped: false, stopError: { code: "ERR_TRACE_MISSING" }, requireTrace: true });
    expect(lastJson(ignored)).toMatchObject({ stopped: true, requireTrace: false });
    expect(lastJson(bad)).toEqual({
      started: false,
      startError: { name: "UsageError", code: "ERR_INVALID_POLICY_VALUE", kind: "Usage", context: { variable: "CODETRACER_REQUIRE_TRACE", value: "maybe" } },
      requireTrace: false,
    });
  });

  it("CODETRACER_LOG_FILE sends the log records to the file instead of stderr", async () => {
    const logFile = path.join(makeTempDir("ct-log-"), "recorder.log");
    const r = await runPlain(fixture("uninstrumented.mjs"), [freshTraceDir()], { env: { CODETRACER_LOG_FILE: logFile } });
    expectExit(r);
    expect(jsonLines(r.stderr)).toEqual([]);
    const records = jsonLines(fs.readFileSync(logFile, "utf8"));
    expect(records.map((l) => [l.level, l.error_code])).toContainEqual(["WARN", "ERR_TRACE_MISSING"]);
  });
});

describe("sessions finished at exit, isTracing(), flush()", () => {
  it("a session the program never stops is finished at exit", async () => {
    const dir = freshTraceDir();
    const dirExit = freshTraceDir();
    const [r, rExit] = await Promise.all([runInstrumented("never-stopped.mjs", [dir]), runInstrumented("never-stopped.mjs", [dirExit, "exit"])]);
    expectExit(r);
    expectExit(rExit, 4);
    const script = fixture("never-stopped.mjs");
    for (const [run, d, code] of [
      [r, dir, 0],
      [rExit, dirExit, 4],
    ] as const) {
      const out = lastJson<{ traceId: string; active: boolean }>(run);
      expect(out.active).toBe(true);
      const q = expectValidTrace(d);
      expectBalancedCalls(q);
      // The call made from the timer, a later event-loop turn, is in the trace.
      expect(q.callsOf("tick").map((c) => c.args)).toEqual([{ n: 1 }, { n: 2 }]);
      expect(q.stepsAt("never-stopped.mjs", lineOf(script, "ct-marker: timer-tick")).length).toBe(1);
      const meta = expectSessionMetadata(d, q, script, code ? [d, "exit"] : [d]);
      expect(meta.trace_id).toBe(out.traceId);
      expect(meta.process_exit_status).toEqual({ code, label: null });
      expect(q.topLevel().returnRecord).toMatchObject({ kind: "Int", i: code });
    }
  });

  it("isTracing() follows the session; flush() writes buffered events to trace.json while it is active", async () => {
    const dir = freshTraceDir();
    const r = await runInstrumented("flush.mjs", [dir]);
    expectExit(r);
    const out = lastJson<Record<string, unknown>>(r);
    expect(out).toMatchObject({
      tracingBefore: false,
      tracingDuring: true,
      hasOneBeforeFlush: false,
      hasOneAfterFlush: true,
      hasTwoBeforeSessionFlush: false,
      hasTwoAfterSessionFlush: true,
      metadataWhileActive: false,
      tracingAfter: false,
      metadataAfterStop: true,
    });
    expect(out.sizeAfterFlush as number).toBeGreaterThan(out.sizeBeforeFlush as number);
    const q = expectValidTrace(dir);
    expectBalancedCalls(q);
    expect(q.returnsOf("marker")).toEqual(["flushed-one", "flushed-two"]);
  });
});
