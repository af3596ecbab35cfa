/**
 * The CLI's exit codes and the recorder policy: `--json-errors` trailers, `--with-diff`,
 * `--require-trace`, `--on-recorder-error abort|disable` with `--keep-partial-trace` (driven by
 * the `CODETRACER_TEST_INJECT_FAILURE=step:N` test hook), `--log-level`, `--log-file`, the
 * policy variables, and the run and trace ids. Fixtures: `test/fixtures/crash/`.
 */
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { PENDING_METADATA_FILE, TRACE_JSON_FILE, TRACE_METADATA_FILE, TRACE_PATHS_FILE } from "@codetracer/trace-format";
import { UUID_V4, expectValidTrace, metadataOf } from "../utils/expect-trace.js";
import {
  CLI_MAIN,
  FIXTURES,
  REPO_ROOT,
  cleanupTempDirs,
  describeRun,
  freshTraceDir,
  lineOf,
  makeTempDir,
  recordWithCli,
  recordWithImport,
  runNode,
  runPlain,
  type RunResult,
  jsonLines,
  jsonTrailer as trailer,
} from "../utils/run.js";

afterAll(cleanupTempDirs);

const CRASH = path.join(FIXTURES, "crash");
const fixture = (name: string): string => path.join(CRASH, name);
const NORMAL = fixture("normal.js");
const MANY_STEPS = fixture("many-steps.cjs");

/** Asserts `t` is a trailer: exactly its six keys, a UUID run id, and the given code and kind. */
function expectTrailer(t: Record<string, unknown>, code: string, kind: string): void {
  expect(Object.keys(t).sort()).toEqual(["context", "error_code", "error_kind", "message", "run_id", "trace_id"]);
  expect(t.run_id).toMatch(UUID_V4);
  expect(t.error_code).toBe(code);
  expect(t.error_kind).toBe(kind);
  expect(t.message).toMatch(new RegExp(`^\\[${code}\\] `));
  expect(typeof t.context).toBe("object");
  expect(t.context).not.toBeNull();
}

function expectExit(r: RunResult, code: number): void {
  expect(r.code, describeRun(r)).toBe(code);
  expect(r.signal).toBeNull();
}

/** Runs the CLI with exactly `argv` (no `--trace-dir` added). */
const cli = (argv: string[], env: Record<string, string> = {}, cwd = REPO_ROOT): Promise<RunResult> => runNode([CLI_MAIN, ...argv], { env, cwd });

// ---------------------------------------------------------------------------------------------

describe("exit codes", () => {
  it("0 when the script and the recording succeed", async () => {
    const r = await recordWithCli(NORMAL);
    expectExit(r, 0);
    expectValidTrace(r.traceDir);
  });

  it("the script's own code: process.exitCode = 5, process.exit(7) deep in a call", async () => {
    const [viaExitCode, viaExit] = await Promise.all([recordWithCli(fixture("exit-code.cjs"), ["5"]), recordWithCli(fixture("exit-deep.js"))]);
    expectExit(viaExitCode, 5);
    expect(viaExitCode.stdout).toBe("exit code 5\n");
    expect(metadataOf(viaExitCode.traceDir).process_exit_status).toEqual({ code: 5, label: null });
    expectValidTrace(viaExitCode.traceDir);
    expectExit(viaExit, 7);
    expect(metadataOf(viaExit.traceDir).process_exit_status).toEqual({ code: 7, label: null });
    expectValidTrace(viaExit.traceDir);
  });

  it("1 for an uncaught exception in the script, as under plain node", async () => {
    const [plain, r] = await Promise.all([runPlain(fixture("uncaught.cjs")), recordWithCli(fixture("uncaught.cjs"))]);
    expect(plain.code).toBe(1);
    expectExit(r, 1);
    expectValidTrace(r.traceDir);
  });

  it("1 for a recorder error at start-up (a trace dir that is a file): the script does not run", async () => {
    const file = path.join(makeTempDir(), "not-a-dir");
    fs.writeFileSync(file, "x");
    const r = await recordWithCli(NORMAL, [], { traceDir: file });
    expectExit(r, 1);
    expect(r.stderr).toContain("[ERR_TRACE_DIR_CONFLICT]");
    expect(r.stdout).toBe("");
  });

  it.each([
    ["an unknown option", ["--no-such-option", NORMAL], /unknown option '--no-such-option'/],
    ["a missing SCRIPT", [], /missing required argument 'SCRIPT'/],
    ["a SCRIPT that does not exist", ["does-not-exist.js"], /script not found: does-not-exist\.js/],
    ["--repair with a SCRIPT", ["--repair", "x", NORMAL], /--repair takes no SCRIPT/],
  ])("2 for wrong usage: %s", async (_what, argv, message) => {
    const traceDir = freshTraceDir();
    const r = await cli(["--trace-dir", traceDir, ...argv]);
    expectExit(r, 2);
    expect(r.stderr).toMatch(message);
    expect(r.stdout).toBe("");
    expect(fs.existsSync(traceDir), "no trace folder for wrong usage").toBe(false);
  });
});

describe("policy variables: an invalid value stops the run with ERR_INVALID_POLICY_VALUE naming the variable", () => {
  it.each([
    ["CODETRACER_ON_RECORDER_ERROR", "explode"],
    ["CODETRACER_REQUIRE_TRACE", "maybe"],
    ["CODETRACER_KEEP_PARTIAL_TRACE", "sometimes"],
    ["CODETRACER_JSON_ERRORS", "perhaps"],
    ["CODETRACER_LOG", "warn,codetracer=loud"],
    ["CODETRACER_LOG_LEVEL", "=debug"],
    ["CODETRACER_CAPTURE_IO", "sideways"],
  ])("CLI: %s=%s → exit 1 before the script runs", async (variable, value) => {
    const r = await recordWithCli(NORMAL, [], { env: { [variable]: value } });
    expectExit(r, 1);
    expect(r.stderr).toContain("[ERR_INVALID_POLICY_VALUE]");
    expect(r.stderr).toContain(variable);
    expect(r.stdout, "the script did not run").toBe("");
    expect(fs.existsSync(path.join(r.traceDir, TRACE_JSON_FILE))).toBe(false);
  });

  it("loader (`node --import …/register`): exit 1 before the script runs", async () => {
    const r = await recordWithImport(NORMAL, [], { loader: "codetracer-js-recorder/register", env: { CODETRACER_REQUIRE_TRACE: "maybe" } });
    expectExit(r, 1);
    expect(r.stderr).toContain("[ERR_INVALID_POLICY_VALUE]");
    expect(r.stderr).toContain("CODETRACER_REQUIRE_TRACE");
    expect(r.stdout).toBe("");
  });

  it("a bad --log-level filter → exit 1, ERR_INVALID_POLICY_VALUE", async () => {
    const r = await recordWithCli(NORMAL, [], { cliArgs: ["--log-level", "warn,=debug"] });
    expectExit(r, 1);
    expect(r.stderr).toContain("[ERR_INVALID_POLICY_VALUE]");
    expect(r.stdout).toBe("");
  });

  it("valid values are accepted (booleans in any case, CODETRACER_CAPTURE_IO=proxies+fd)", async () => {
    const r = await recordWithCli(NORMAL, [], {
      env: {
        CODETRACER_REQUIRE_TRACE: "Yes",
        CODETRACER_KEEP_PARTIAL_TRACE: "OFF",
        CODETRACER_ON_RECORDER_ERROR: "Disable",
        CODETRACER_CAPTURE_IO: "proxies+fd",
      },
    });
    expectExit(r, 0);
    expect(r.stdout).toBe("sum 10\n");
    expectValidTrace(r.traceDir);
  });
});

describe("JSON error trailer", () => {
  const missingFilter = path.join(REPO_ROOT, "test/fixtures/crash/no-such-filter.toml");

  // RECORDER BUG (packages/cli/src/args.ts, parseArgs): the option is declared as
  // "--json-errors, --codetracer-json-errors", so commander stores it under
  // `codetracerJsonErrors`, but parseArgs reads `opts.jsonErrors`: both flags are ignored (no
  // trailer from the CLI, CODETRACER_JSON_ERRORS not passed to the recorded process). Only the
  // environment variable works.
  it.each([
    ["--json-errors", ["--json-errors"], {}],
    ["--codetracer-json-errors", ["--codetracer-json-errors"], {}],
    ["CODETRACER_JSON_ERRORS=1", [], { CODETRACER_JSON_ERRORS: "1" }],
  ] as const)("%s: a missing --trace-filter file → exit 1 and an ERR_IO trailer", async (_how, flags, env) => {
    const r = await recordWithCli(NORMAL, [], { cliArgs: [...flags, "--trace-filter", missingFilter], env: { ...env } });
    expectExit(r, 1);
    expect(r.stderr).toContain(`[ERR_IO] ${missingFilter}`);
    const t = trailer(r);
    expectTrailer(t, "ERR_IO", "Environment");
    expect(t.trace_id).toBeNull();
    expect(t.message).toContain(missingFilter);
    expect(t.context).toMatchObject({ file: missingFilter });
    expect(r.stdout).toBe("");
  });

  it.each([
    ["--json-errors", ["--json-errors"], {}],
    ["CODETRACER_JSON_ERRORS=yes", [], { CODETRACER_JSON_ERRORS: "yes" }],
  ] as const)("%s: a bad policy variable → exit 1 and an ERR_INVALID_POLICY_VALUE trailer naming it", async (_how, flags, env) => {
    const r = await recordWithCli(NORMAL, [], { cliArgs: [...flags], env: { ...env, CODETRACER_KEEP_PARTIAL_TRACE: "sometimes" } });
    expectExit(r, 1);
    const t = trailer(r);
    expectTrailer(t, "ERR_INVALID_POLICY_VALUE", "Usage");
    expect(t.trace_id).toBeNull();
    expect(t.message).toContain("CODETRACER_KEEP_PARTIAL_TRACE");
    expect(t.context).toEqual({ variable: "CODETRACER_KEEP_PARTIAL_TRACE", value: "sometimes" });
  });

  it("--json-errors reaches the recorded program: its ERR_TRACE_MISSING at exit gets a trailer", async () => {
    const r = await recordWithCli(NORMAL, [], { cliArgs: ["--json-errors", "--require-trace", "--exclude", "**"] });
    expectExit(r, 1);
    expect(r.stdout).toBe("sum 10\n");
    expectTrailer(trailer(r), "ERR_TRACE_MISSING", "Usage");
  });

  it("without it: the coded message, no JSON line", async () => {
    const r = await recordWithCli(NORMAL, [], { cliArgs: ["--trace-filter", missingFilter] });
    expectExit(r, 1);
    expect(r.stderr).toContain("[ERR_IO]");
    expect(jsonLines(r.stderr)).toEqual([]);
  });
});

describe("--with-diff", () => {
  const git = (cwd: string, ...args: string[]): string =>
    execFileSync("git", ["-c", "user.name=ct-test", "-c", "user.email=ct@example.com", "-c", "commit.gpgsign=false", ...args], {
      cwd,
      encoding: "utf8",
      stdio: ["ignore", "pipe", "pipe"],
    });

  it("inside a git repository: workspace.diff holds `git diff HEAD`, the metadata says where and against what", async () => {
    const repo = fs.realpathSync(makeTempDir("ct-git-"));
    git(repo, "init", "-q");
    fs.writeFileSync(path.join(repo, "prog.js"), "function f(x) {\n  return x + 1;\n}\nconsole.log(f(1));\n");
    git(repo, "add", "prog.js");
    git(repo, "commit", "-q", "-m", "initial");
    const head = git(repo, "rev-parse", "HEAD").trim();
    fs.writeFileSync(path.join(repo, "prog.js"), "function f(x) {\n  return x + 2;\n}\nconsole.log(f(1));\n");
    fs.writeFileSync(path.join(repo, "notes.txt"), "untracked\n");
    const expectedDiff = git(repo, "diff", "HEAD", "--no-color");

    const r = await recordWithCli("prog.js", [], { cwd: repo, cliArgs: ["--with-diff"] });
    expectExit(r, 0);
    expect(r.stdout).toBe("3\n");
    expectValidTrace(r.traceDir);
    const diffFile = path.join(r.traceDir, "workspace.diff");
    expect(fs.existsSync(diffFile)).toBe(true);
    const diff = fs.readFileSync(diffFile, "utf8");
    expect(diff).toContain("-  return x + 1;");
    expect(diff).toContain("+  return x + 2;");
    expect(diff).toBe(expectedDiff);
    expect(metadataOf(r.traceDir).workspace_diff).toEqual({ requested: true, path: "workspace.diff", base: head, repository: repo, untracked: 1 });
  });

  it("outside a git repository: no diff file, the metadata's error says why", async () => {
    const dir = makeTempDir("ct-nogit-");
    fs.copyFileSync(NORMAL, path.join(dir, "normal.js"));
    const r = await recordWithCli("normal.js", [], { cwd: dir, cliArgs: ["--with-diff"] });
    expectExit(r, 0);
    expectValidTrace(r.traceDir);
    expect(fs.existsSync(path.join(r.traceDir, "workspace.diff"))).toBe(false);
    const wd = metadataOf(r.traceDir).workspace_diff;
    expect(wd.requested).toBe(true);
    expect(wd.path).toBeNull();
    expect(wd.error).toMatch(/not a git repository/i);
  });

  it("without the flag: {requested: false, path: null} and no diff file", async () => {
    const r = await recordWithCli(NORMAL);
    expectExit(r, 0);
    expect(metadataOf(r.traceDir).workspace_diff).toEqual({ requested: false, path: null });
    expect(fs.existsSync(path.join(r.traceDir, "workspace.diff"))).toBe(false);
  });
});

describe("--require-trace", () => {
  it("a program whose code is all excluded: exit 1 with ERR_TRACE_MISSING (after the program ran)", async () => {
    const r = await recordWithCli(NORMAL, [], { cliArgs: ["--require-trace", "--exclude", "**"] });
    expectExit(r, 1);
    expect(r.stdout).toBe("sum 10\n");
    expect(r.stderr).toContain("[ERR_TRACE_MISSING]");
  });

  it("CODETRACER_REQUIRE_TRACE=1 does the same, with a trailer under CODETRACER_JSON_ERRORS", async () => {
    const r = await recordWithCli(NORMAL, [], { cliArgs: ["--exclude", "**"], env: { CODETRACER_REQUIRE_TRACE: "1", CODETRACER_JSON_ERRORS: "1" } });
    expectExit(r, 1);
    expectTrailer(trailer(r), "ERR_TRACE_MISSING", "Usage");
  });

  it("without it, the same program exits 0", async () => {
    const r = await recordWithCli(NORMAL, [], { cliArgs: ["--exclude", "**"] });
    expectExit(r, 0);
    expect(r.stdout).toBe("sum 10\n");
    expect(r.stderr).not.toContain("ERR_TRACE_MISSING");
  });

  it("with it, a recorded program exits 0", async () => {
    const r = await recordWithCli(NORMAL, [], { cliArgs: ["--require-trace"] });
    expectExit(r, 0);
    expectValidTrace(r.traceDir);
  });
});

describe("an internal recorder failure (CODETRACER_TEST_INJECT_FAILURE=step:10)", () => {
  const INJECT = { CODETRACER_TEST_INJECT_FAILURE: "step:10" };

  /** The ERR_UNKNOWN log record on stderr. */
  function expectInternalErrorLog(r: RunResult, policy: string): Record<string, unknown> {
    const records = jsonLines(r.stderr).filter((l) => l.error_code === "ERR_UNKNOWN" && "level" in l);
    expect(records, describeRun(r)).toHaveLength(1);
    const rec = records[0]!;
    expect(rec.level).toBe("ERROR");
    expect(rec.run_id).toMatch(UUID_V4);
    expect(rec.trace_id).toMatch(UUID_V4);
    expect(rec.message).toMatch(/^\[ERR_UNKNOWN\] .*injected failure at step 10/);
    expect(rec.fields).toMatchObject({ kind: "Internal", context: { policy } });
    return rec;
  }

  it("abort (default): an InternalError ERR_UNKNOWN is thrown into the program; the trace so far is kept, partial", async () => {
    const r = await recordWithCli(MANY_STEPS, [], { env: INJECT });
    expectExit(r, 0);
    expect(r.stdout).toBe("caught InternalError ERR_UNKNOWN Internal\ndone\n");
    expectInternalErrorLog(r, "abort");

    const q = expectValidTrace(r.traceDir);
    const meta = metadataOf(r.traceDir);
    expect(meta.partial).toBe(true);
    expect(meta.stats.detaches).toBe(1);
    expect(meta.stats.internal_errors).toBeGreaterThanOrEqual(1);
    expect(meta.process_exit_status).toEqual({ code: 0, label: null });
    // Recorded up to the failure, nothing after it.
    const doubles = q.callsOf("double");
    expect(doubles.length).toBeGreaterThan(0);
    expect(doubles.length).toBeLessThan(20);
    expect(q.stepsAt("crash/many-steps.cjs", lineOf(MANY_STEPS, "ct-marker: caught"))).toEqual([]);
    expect(q.stepsAt("crash/many-steps.cjs", lineOf(MANY_STEPS, "ct-marker: done"))).toEqual([]);
  });

  it("disable: the program runs on unchanged, the partial trace's files are removed", async () => {
    const [plain, r] = await Promise.all([runPlain(MANY_STEPS), recordWithCli(MANY_STEPS, [], { env: INJECT, cliArgs: ["--on-recorder-error", "disable"] })]);
    expectExit(r, plain.code!);
    expect(plain.code).toBe(0);
    expect(r.stdout).toBe(plain.stdout);
    expect(r.stdout).toContain("done\n");
    expectInternalErrorLog(r, "disable");
    expect(jsonLines(r.stderr).some((l) => l.error_code === "ERR_TRACE_INCOMPLETE")).toBe(true);
    for (const name of [TRACE_JSON_FILE, TRACE_METADATA_FILE, TRACE_PATHS_FILE, PENDING_METADATA_FILE]) {
      expect(fs.existsSync(path.join(r.traceDir, name)), `${name} removed`).toBe(false);
    }
  });

  it("CODETRACER_ON_RECORDER_ERROR=disable is the same as the flag", async () => {
    const r = await recordWithCli(MANY_STEPS, [], { env: { ...INJECT, CODETRACER_ON_RECORDER_ERROR: "disable" } });
    expectExit(r, 0);
    expect(r.stdout).toContain("done\n");
    expect(fs.existsSync(path.join(r.traceDir, TRACE_JSON_FILE))).toBe(false);
  });

  // RECORDER BUG (packages/runtime/src/node/session.ts, NodeSession.stop): after a `disable`
  // detach it computes topLabel "<disabled>" but calls `recorder.finish(exitCode, topLabel)`;
  // Recorder.finish uses the label only when exitCode is undefined, so at a normal exit the
  // top-level call returns Int 0 instead of the documented Raw `<disabled>`.
  it("disable + --keep-partial-trace: the partial trace is kept, valid, partial, top-level returns <disabled>", async () => {
    const [plain, r] = await Promise.all([
      runPlain(MANY_STEPS),
      recordWithCli(MANY_STEPS, [], { env: INJECT, cliArgs: ["--on-recorder-error", "disable", "--keep-partial-trace"] }),
    ]);
    expectExit(r, 0);
    expect(r.stdout).toBe(plain.stdout);
    expectInternalErrorLog(r, "disable");
    const q = expectValidTrace(r.traceDir);
    const meta = metadataOf(r.traceDir);
    expect(meta.partial).toBe(true);
    expect(meta.stats.detaches).toBe(1);
    expect(meta.process_exit_status.code).toBe(0);
    expect(q.callsOf("double").length).toBeLessThan(20);
    expect(q.decode(q.topLevel().returnRecord!)).toEqual({ $raw: "<disabled>" });
  });
});

describe("logs", () => {
  // A program whose code is all excluded gets an info-level ERR_TRACE_MISSING record at exit.
  const quiet = ["--exclude", "**"];

  it("--log-level debug writes JSON log records on stderr; the default (warn) does not", async () => {
    const [debug, dflt] = await Promise.all([
      recordWithCli(NORMAL, [], { cliArgs: [...quiet, "--log-level", "debug"] }),
      recordWithCli(NORMAL, [], { cliArgs: quiet }),
    ]);
    expectExit(debug, 0);
    expectExit(dflt, 0);
    expect(debug.stdout).toBe("sum 10\n");
    const records = jsonLines(debug.stderr);
    expect(records.length, describeRun(debug)).toBeGreaterThan(0);
    for (const rec of records) {
      expect(rec).toMatchObject({ run_id: expect.stringMatching(UUID_V4), target: expect.stringMatching(/^codetracer\./) });
      expect(typeof rec.ts_micros).toBe("number");
      expect(["ERROR", "WARN", "INFO", "DEBUG", "TRACE"]).toContain(rec.level);
    }
    expect(records.some((rec) => rec.level === "INFO" && rec.error_code === "ERR_TRACE_MISSING")).toBe(true);
    expect(jsonLines(dflt.stderr)).toEqual([]);
  });

  it("target filters: codetracer.session=info lets the record through, codetracer.signal=info does not", async () => {
    const [session, other] = await Promise.all([
      recordWithCli(NORMAL, [], { cliArgs: [...quiet, "--log-level", "warn,codetracer.session=info"] }),
      recordWithCli(NORMAL, [], { cliArgs: [...quiet, "--log-level", "warn,codetracer.signal=info"] }),
    ]);
    expect(jsonLines(session.stderr).map((rec) => rec.target)).toEqual(["codetracer.session"]);
    expect(jsonLines(other.stderr)).toEqual([]);
  });

  it("--log-level off silences even the ERR_UNKNOWN error record", async () => {
    const r = await recordWithCli(MANY_STEPS, [], { env: { CODETRACER_TEST_INJECT_FAILURE: "step:10" }, cliArgs: ["--log-level", "off"] });
    expectExit(r, 0);
    expect(jsonLines(r.stderr)).toEqual([]);
  });

  it.each([
    ["--log-file", (file: string) => ({ cliArgs: [...quiet, "--log-level", "debug", "--log-file", file] })],
    ["CODETRACER_LOG_FILE", (file: string) => ({ cliArgs: quiet, env: { CODETRACER_LOG: "debug", CODETRACER_LOG_FILE: file } })],
  ] as const)("%s: the records go to the file instead of stderr", async (_how, options) => {
    const file = path.join(makeTempDir(), "recorder.log");
    const r = await recordWithCli(NORMAL, [], options(file));
    expectExit(r, 0);
    expect(r.stdout).toBe("sum 10\n");
    expect(jsonLines(r.stderr)).toEqual([]);
    expect(fs.existsSync(file), "the log file exists").toBe(true);
    const lines = fs.readFileSync(file, "utf8").split("\n").filter(Boolean);
    expect(lines.length).toBeGreaterThan(0);
    const records = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(records.some((rec) => rec.error_code === "ERR_TRACE_MISSING")).toBe(true);
  });

  it("--log-file: the ERR_UNKNOWN record of an internal failure goes to the file", async () => {
    const file = path.join(makeTempDir(), "recorder.log");
    const r = await recordWithCli(MANY_STEPS, [], { env: { CODETRACER_TEST_INJECT_FAILURE: "step:10" }, cliArgs: ["--log-file", file] });
    expectExit(r, 0);
    expect(jsonLines(r.stderr)).toEqual([]);
    const records = fs
      .readFileSync(file, "utf8")
      .split("\n")
      .filter(Boolean)
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(records.some((rec) => rec.level === "ERROR" && rec.error_code === "ERR_UNKNOWN")).toBe(true);
  });
});

describe("run and trace ids", () => {
  it("metadata run_id and trace_id are UUIDv4s, and the log records and trailer of the session carry the same ids", async () => {
    const r = await recordWithCli(MANY_STEPS, [], {
      env: { CODETRACER_TEST_INJECT_FAILURE: "step:10", CODETRACER_JSON_ERRORS: "1" },
      cliArgs: ["--on-recorder-error", "disable", "--keep-partial-trace"],
    });
    expectExit(r, 0);
    expectValidTrace(r.traceDir);
    const meta = metadataOf(r.traceDir);
    expect(meta.run_id).toMatch(UUID_V4);
    expect(meta.trace_id).toMatch(UUID_V4);
    expect(meta.trace_id).not.toBe(meta.run_id);
    const records = jsonLines(r.stderr);
    expect(records.length).toBeGreaterThanOrEqual(2); // the ERROR record and its trailer, at least
    for (const rec of records) {
      expect(rec.run_id).toBe(meta.run_id);
      expect(rec.trace_id).toBe(meta.trace_id);
    }
    expectTrailer(
      records.find((rec) => !("level" in rec))!,
      "ERR_UNKNOWN",
      "Internal",
    );
  });

  // RECORDER BUG (packages/runtime/src/node/session.ts, NodeSession.stop): the `finally` block
  // calls setTraceId(null) before the ERR_TRACE_MISSING check, so the ERROR record about the
  // session has no trace_id and its trailer has `"trace_id": null`, although the folder was
  // written and its metadata carries the session's trace_id: the error cannot be matched to it.
  it("ERR_TRACE_MISSING under --require-trace: the log record and trailer carry the session's trace_id", async () => {
    const r = await recordWithCli(NORMAL, [], { cliArgs: ["--require-trace", "--exclude", "**"], env: { CODETRACER_JSON_ERRORS: "1" } });
    expectExit(r, 1);
    const meta = metadataOf(r.traceDir);
    expect(meta.trace_id).toMatch(UUID_V4);
    const records = jsonLines(r.stderr).filter((rec) => rec.error_code === "ERR_TRACE_MISSING");
    expect(records).toHaveLength(2); // the ERROR record and the trailer
    for (const rec of records) {
      expect(rec.run_id).toBe(meta.run_id);
      expect(rec.trace_id).toBe(meta.trace_id);
    }
  });

  it("each recording gets new ids", async () => {
    const [a, b] = await Promise.all([recordWithCli(NORMAL), recordWithCli(NORMAL)]);
    const [ma, mb] = [metadataOf(a.traceDir), metadataOf(b.traceDir)];
    expect(ma.run_id).not.toBe(mb.run_id);
    expect(ma.trace_id).not.toBe(mb.trace_id);
  });
});
