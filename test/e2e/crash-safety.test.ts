/**
 * Nothing lost: the trace folder is finished and valid however the recorded program ends (a
 * normal end, `process.exit(n)` deep in a call, an uncaught exception, an unhandled rejection,
 * SIGTERM / SIGINT with and without a listener of the program's own, the CLI itself being
 * signalled), and a folder left by `kill -9` is finished by `--repair` / `repairTrace`.
 * Fixtures: `test/fixtures/crash/`.
 */
import { spawn, type ChildProcess } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { EventLogKind, PENDING_METADATA_FILE, readUnfinishedTrace, TRACE_BIN_FILE, TRACE_JSON_FILE, TRACE_METADATA_FILE } from "@codetracer/trace-format";
import { repairTrace } from "@codetracer/runtime";
import { UUID_V4, expectBalancedCalls, expectMetadata, expectValidTrace, metadataOf } from "../utils/expect-trace.js";
import {
  CLI_MAIN,
  FIXTURES,
  REPO_ROOT,
  childEnv,
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
} from "../utils/run.js";
import { TraceQuery } from "../utils/trace.js";

afterAll(cleanupTempDirs);

const CRASH = path.join(FIXTURES, "crash");
const fixture = (name: string): string => path.join(CRASH, name);

// ---------------------------------------------------------------------------------------------
// A long-running child we can signal: spawned directly, resolved once it printed "ready".

interface LiveChild {
  child: ChildProcess;
  traceDir: string;
  /** Resolves when stdout has a line `ready`; rejects if the process ends first. */
  ready: Promise<void>;
  /** Resolves when the process has ended (never rejects for a signal or exit code). */
  done: Promise<RunResult>;
  stdout: () => string;
  stderr: () => string;
}

/**
 * Spawns `node ...argv` with stdin `/dev/null` (not a TTY), stdout and stderr piped. Killed with
 * SIGKILL after `timeoutMs` so a hung test cannot hang the suite.
 */
function spawnLive(argv: string[], traceDir: string, env: Record<string, string> = {}, timeoutMs = 12_000): LiveChild {
  const child = spawn(process.execPath, argv, { cwd: REPO_ROOT, env: childEnv(env), stdio: ["ignore", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  let onReady: () => void = () => {};
  let onEarlyEnd: (error: Error) => void = () => {};
  const ready = new Promise<void>((resolve, reject) => {
    onReady = resolve;
    onEarlyEnd = reject;
  });
  child.stdout!.setEncoding("utf8").on("data", (s: string) => {
    stdout += s;
    if (/^ready$/m.test(stdout)) onReady();
  });
  child.stderr!.setEncoding("utf8").on("data", (s: string) => (stderr += s));
  const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
  const done = new Promise<RunResult>((resolve, reject) => {
    child.on("error", reject);
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      const result = { stdout, stderr, code, signal, traceDir };
      onEarlyEnd(new Error(`the process ended before printing "ready": ${describeRun(result)}`));
      resolve(result);
    });
  });
  return { child, traceDir, ready, done, stdout: () => stdout, stderr: () => stderr };
}

/** `node --import codetracer-js-recorder/register script`, recording into a fresh folder. */
function spawnRecorded(script: string, env: Record<string, string> = {}): LiveChild {
  const traceDir = freshTraceDir();
  return spawnLive(["--import", "codetracer-js-recorder/register", script], traceDir, { CODETRACER_TRACE: traceDir, ...env });
}

/** Polls `check` every 20 ms until it returns true (fails the test after `timeoutMs`). */
async function waitFor(what: string, check: () => boolean, timeoutMs = 5_000): Promise<void> {
  const start = Date.now();
  while (!check()) {
    if (Date.now() - start > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

const readIfExists = (file: string): string => (fs.existsSync(file) ? fs.readFileSync(file, "utf8") : "");

/** Asserts the folder is still being written: pending metadata, no final metadata. */
function expectRecordingInProgress(traceDir: string): void {
  expect(fs.existsSync(path.join(traceDir, PENDING_METADATA_FILE)), `${PENDING_METADATA_FILE} while recording`).toBe(true);
  expect(fs.existsSync(path.join(traceDir, TRACE_METADATA_FILE)), `no ${TRACE_METADATA_FILE} while recording`).toBe(false);
}

/** The work `wait-forever.js` / `busy-loop.js` do before "ready": work(5) calling square(1..5). */
function expectSquareWork(q: TraceQuery, file: string): void {
  expect(q.callsOf("work", file).map((c) => c.args.count)).toEqual([5]);
  expect(q.callsOf("square", file).map((c) => c.args.n)).toEqual([1, 2, 3, 4, 5]);
  expect(q.returnsOf("square", file)).toEqual([1, 4, 9, 16, 25]);
}

// ---------------------------------------------------------------------------------------------

describe("the program ends by itself", () => {
  it("normal exit: exit 0, a complete, balanced trace and full metadata", async () => {
    const script = fixture("normal.js");
    const [plain, r] = await Promise.all([runPlain(script), recordWithCli(script)]);
    expect(plain.code).toBe(0);
    expect(r.code, describeRun(r)).toBe(0);
    expect(r.signal).toBeNull();
    expect(r.stdout).toBe(plain.stdout);
    expect(r.stdout).toBe("sum 10\n");

    const q = expectValidTrace(r.traceDir);
    expectBalancedCalls(q);
    expect(q.decode(q.topLevel().returnRecord!)).toBe(0);
    expect(q.callsOf("add").map((c) => [c.args.a, c.args.b])).toEqual([
      [0, 1],
      [1, 2],
      [3, 3],
      [6, 4],
    ]);
    expect(q.returnsOf("sum")).toEqual([10]);
    expect(q.logEvents.filter((e) => e.kind === EventLogKind.Error)).toEqual([]);

    expectMetadata(r.traceDir, { program: script, args: [], workdir: REPO_ROOT });
    const meta = metadataOf(r.traceDir);
    expect(meta.recorder.target_script).toBe(script);
    expect(meta.run_id).toMatch(UUID_V4);
    expect(meta.trace_id).toMatch(UUID_V4);
    expect(meta.process_exit_status).toEqual({ code: 0, label: null });
    expect(meta.stats).toEqual({ events: q.events.length, dropped_events: 0, detaches: 0, internal_errors: 0 });
    expect(meta.workspace_diff).toEqual({ requested: false, path: null });
    expect(meta.trace_filter.filters.length).toBeGreaterThan(0);
    expect(meta.partial).toBeUndefined();
    expect(fs.existsSync(path.join(r.traceDir, PENDING_METADATA_FILE)), "no pending metadata left").toBe(false);
  });

  it("process.exit(7) five calls deep: exit 7, every frame closed, top-level returns 7", async () => {
    const script = fixture("exit-deep.js");
    const [plain, r] = await Promise.all([runPlain(script), recordWithCli(script)]);
    expect(plain.code).toBe(7);
    expect(r.code, describeRun(r)).toBe(7);
    expect(r.signal).toBeNull();
    expect(r.stdout).toBe(plain.stdout);

    const q = expectValidTrace(r.traceDir);
    expectBalancedCalls(q);
    expect(q.callsOf("level").map((c) => c.args.n)).toEqual([4, 3, 2, 1, 0]);
    expect(q.topLevel().returnRecord).toMatchObject({ kind: "Int", i: 7 });
    const exitSteps = q.stepsAt("crash/exit-deep.js", lineOf(script, "ct-marker: exit-7"));
    expect(exitSteps.map((s) => s.frame)).toEqual(["level"]);
    expect(q.stepsAt("crash/exit-deep.js", lineOf(script, "ct-marker: after-exit"))).toEqual([]);
    expect(metadataOf(r.traceDir).process_exit_status).toEqual({ code: 7, label: null });
  });

  it("uncaught exception: exit 1, the stderr of plain node, the trace ends with an Error event", async () => {
    const script = fixture("uncaught.cjs");
    const [plain, r] = await Promise.all([runPlain(script), recordWithCli(script)]);
    expect(plain.code).toBe(1);
    expect(r.code, describeRun(r)).toBe(1);
    expect(r.signal).toBeNull();
    expect(r.stdout).toBe(plain.stdout);
    // Location, source line, caret, the error and its first two frames, as plain node prints
    // them (Node 20 prints one more blank line under source maps: blank lines are left out).
    const head = (s: string) =>
      s
        .split("\n")
        .filter((l) => l.trim() !== "")
        .slice(0, 6);
    expect(head(plain.stderr)[3]).toBe("RangeError: negative input: -1");
    expect(head(r.stderr)).toEqual(head(plain.stderr));

    const q = expectValidTrace(r.traceDir);
    const last = q.lastEvent() as { Event?: { kind: number; content: string } };
    expect(last.Event?.kind).toBe(EventLogKind.Error);
    expect(last.Event?.content).toContain("RangeError: negative input: -1");
    // The frames the exception left return it.
    expect(q.callsOf("validate").map((c) => c.args.input)).toEqual([2, -1]);
    expect(q.decode(q.callsOf("validate")[1]!.returnRecord!)).toEqual({ $raw: "RangeError: negative input: -1" });
    expect(q.openCalls).toEqual([]);
    expect(metadataOf(r.traceDir).process_exit_status).toEqual({ code: 1, label: null });
  });

  it("unhandled promise rejection: exit 1, a valid trace ending with an Error event", async () => {
    const script = fixture("rejection.cjs");
    const [plain, r] = await Promise.all([runPlain(script), recordWithCli(script)]);
    expect(plain.code).toBe(1);
    expect(r.code, describeRun(r)).toBe(1);
    expect(r.signal).toBeNull();
    expect(r.stdout).toBe(plain.stdout);
    expect(r.stderr).toContain("Error: no value for alpha");

    const q = expectValidTrace(r.traceDir);
    const last = q.lastEvent() as { Event?: { kind: number; content: string } };
    expect(last.Event?.kind).toBe(EventLogKind.Error);
    expect(last.Event?.content).toContain("no value for alpha");
    // Called with "alpha", suspended at `await`, resumed (a Call without arguments), then left by the throw.
    const calls = q.callsOf("fetchValue");
    expect(calls.map((c) => c.args)).toEqual([{ key: "alpha" }, {}]);
    expect(q.decode(calls[1]!.returnRecord!)).toEqual({ $raw: "Error: no value for alpha" });
    // The throw line was reached inside fetchValue (after its await resumed it).
    const throwSteps = q.stepsAt("crash/rejection.cjs", lineOf(script, "ct-marker: reject"));
    expect(throwSteps.map((s) => s.frame)).toEqual(["fetchValue"]);
    expect(metadataOf(r.traceDir).process_exit_status).toEqual({ code: 1, label: null });
  });
});

describe.each(["SIGTERM", "SIGINT", "SIGHUP"] as const)("%s to `node --import codetracer-js-recorder/register` (no listener of the program's)", (signal) => {
  it(`the process dies of ${signal}; the trace is finished with label ${signal}`, async () => {
    const script = fixture("wait-forever.js");
    // info: the recorder logs the signal; that line must not be captured as program output.
    const live = spawnRecorded(script, { CODETRACER_LOG: "info" });
    await live.ready;
    expectRecordingInProgress(live.traceDir);
    live.child.kill(signal);
    const r = await live.done;
    expect(r.signal, describeRun(r)).toBe(signal);
    expect(r.code).toBeNull();
    expect(r.stdout).toBe("total 55\nready\n");
    expect(r.stderr).toContain(`"target":"codetracer.signal"`);

    const q = expectValidTrace(r.traceDir);
    expectSquareWork(q, "crash/wait-forever.js");
    expect(q.decode(q.topLevel().returnRecord!)).toEqual({ $raw: `<${signal}>` });
    expect(q.logEvents.map((e) => e.content)).toEqual(["total 55\n", "ready\n"]);
    const meta = metadataOf(r.traceDir);
    expect(meta.process_exit_status).toEqual({ code: null, label: signal });
    expect(meta.partial).toBeUndefined();
    expect(fs.existsSync(path.join(r.traceDir, PENDING_METADATA_FILE))).toBe(false);
  });
});

describe("a program with its own SIGTERM listener", () => {
  it("decides what happens: its handler runs, it exits 0, the trace is finished with code 0", async () => {
    const script = fixture("own-handler.js");
    const live = spawnRecorded(script);
    await live.ready;
    live.child.kill("SIGTERM");
    const r = await live.done;
    expect(r.code, describeRun(r)).toBe(0);
    expect(r.signal).toBeNull();
    expect(r.stdout).toBe("ready\ncleanup after SIGTERM\n");

    const q = expectValidTrace(r.traceDir);
    expect(q.callsOf("cleanup").map((c) => c.args.reason)).toEqual(["SIGTERM"]);
    expect(q.returnsOf("cleanup")).toEqual(["cleanup after SIGTERM"]);
    expect(q.stepsAt("crash/own-handler.js", lineOf(script, "ct-marker: cleanup"))).toHaveLength(1);
    expect(q.decode(q.topLevel().returnRecord!)).toBe(0);
    expect(metadataOf(r.traceDir).process_exit_status).toEqual({ code: 0, label: null });
  });
});

describe("kill -9 of the recording process, then repair", () => {
  /** Runs wait-forever.js, waits for "ready" and for its events to reach the disk, then SIGKILLs it. */
  async function killedRecording(): Promise<RunResult> {
    const live = spawnRecorded(fixture("wait-forever.js"));
    await live.ready;
    // The events of the turn that printed "ready" are flushed when it ends.
    const traceFile = path.join(live.traceDir, TRACE_JSON_FILE);
    await waitFor("the ready Write event on disk", () => readIfExists(traceFile).includes(String.raw`"content":"ready\n"`));
    live.child.kill("SIGKILL");
    const r = await live.done;
    expect(r.signal, describeRun(r)).toBe("SIGKILL");
    // What kill -9 leaves: an unterminated trace.json, the pending metadata, no final metadata.
    expectRecordingInProgress(r.traceDir);
    expect(fs.readFileSync(traceFile, "utf8")).not.toMatch(/\]\s*$/);
    const report = TraceQuery.validate(r.traceDir);
    expect(report.ok, "an unfinished folder does not validate").toBe(false);
    return r;
  }

  function expectRepaired(traceDir: string): void {
    const q = expectValidTrace(traceDir);
    expectSquareWork(q, "crash/wait-forever.js");
    expect(q.stepsAt("crash/wait-forever.js", lineOf(fixture("wait-forever.js"), "ct-marker: square-body"))).toHaveLength(5);
    expect(q.logEvents.map((e) => e.content)).toEqual(["total 55\n", "ready\n"]);
    const meta = metadataOf(traceDir);
    expect(meta.partial).toBe(true);
    expect(meta.process_exit_status).toEqual({ code: null, label: "<killed>" });
    expect(meta.program).toBe(fixture("wait-forever.js"));
    expect(meta.trace_id).toMatch(UUID_V4);
    expect(fs.existsSync(path.join(traceDir, PENDING_METADATA_FILE))).toBe(false);
  }

  it("`codetracer-js-recorder --repair DIR` finishes the folder: valid, partial, <killed>, the work's events present", async () => {
    const killed = await killedRecording();
    const r = await runNode([CLI_MAIN, "--repair", killed.traceDir]);
    expect(r.code, describeRun(r)).toBe(0);
    expect(r.signal).toBeNull();
    expect(r.stdout).toContain(killed.traceDir);
    expect(r.stdout).toMatch(/repaired, \d+ events recovered/);
    expectRepaired(killed.traceDir);

    // A second repair leaves the finished folder as it is, and still succeeds.
    const again = await runNode([CLI_MAIN, "--repair", killed.traceDir]);
    expect(again.code, describeRun(again)).toBe(0);
    expect(again.stdout).toContain("left as it is");
    expectRepaired(killed.traceDir);
  });

  it("trace.bin: a killed binary recording (whole frames, no seek table) is repaired the same way", async () => {
    const live = spawnRecorded(fixture("wait-forever.js"), { CODETRACER_FORMAT: "binary" });
    await live.ready;
    // The turn that printed "ready" ends a zstd frame: read the whole frames as the repair would.
    const readyOnDisk = () => {
      try {
        return readUnfinishedTrace(live.traceDir, { repair: false }).events.some((e) => typeof e === "object" && "Event" in e && e.Event.content === "ready\n");
      } catch {
        return false;
      }
    };
    await waitFor("the ready Write event in a whole frame on disk", readyOnDisk);
    live.child.kill("SIGKILL");
    const killed = await live.done;
    expect(killed.signal, describeRun(killed)).toBe("SIGKILL");
    expectRecordingInProgress(killed.traceDir);
    expect(fs.existsSync(path.join(killed.traceDir, TRACE_JSON_FILE))).toBe(false);
    expect(fs.existsSync(path.join(killed.traceDir, TRACE_BIN_FILE))).toBe(true);
    expect(TraceQuery.validate(killed.traceDir).ok, "a trace.bin without its seek table does not validate").toBe(false);

    const r = await runNode([CLI_MAIN, "--repair", killed.traceDir]);
    expect(r.code, describeRun(r)).toBe(0);
    expect(r.stdout).toMatch(/repaired, \d+ events recovered/);
    expectRepaired(killed.traceDir);
  });

  it("a folder that is not an unfinished recording: --repair exits 1, says why, and changes nothing", async () => {
    const dir = makeTempDir("ct-not-a-trace-");
    const r = await runNode([CLI_MAIN, "--repair", dir]);
    expect(r.code, describeRun(r)).toBe(1);
    expect(r.stdout).toContain(`${dir}: left as it is`);
    expect(fs.readdirSync(dir)).toEqual([]);
  });

  // RECORDER BUG (robustness; packages/runtime/src/node/threads.ts, repairTrace): a SIGKILL that
  // lands while the writer's chunk is being written can leave a torn last event (Linux stops a
  // regular-file write() at a page boundary when a fatal signal is pending; a full disk does the
  // same). repairTrace parses the whole file and throws (the CLI: exit 1, `[ERR_IO] cannot
  // repair … malformed JSON`), so nothing is recovered, although every event before the torn
  // line is intact. Expected: drop the incomplete last line and finish the folder from the rest.
  it("a torn last event (the kill landed mid-write): the events before it are recovered", async () => {
    const killed = await killedRecording();
    const traceFile = path.join(killed.traceDir, TRACE_JSON_FILE);
    const text = fs.readFileSync(traceFile, "utf8").replace(/\n+$/, "");
    const lastLine = text.slice(text.lastIndexOf("\n") + 1);
    fs.writeFileSync(traceFile, text.slice(0, text.length - Math.ceil(lastLine.length / 2)));
    const r = await runNode([CLI_MAIN, "--repair", killed.traceDir]);
    expect(r.code, describeRun(r)).toBe(0);
    const q = expectValidTrace(killed.traceDir);
    expectSquareWork(q, "crash/wait-forever.js");
    expect(metadataOf(killed.traceDir)).toMatchObject({ partial: true, process_exit_status: { code: null, label: "<killed>" } });
  });

  it("a turn that never ends: the events flushed every 1024 events are recovered", async () => {
    const script = fixture("busy-same-turn.js");
    const live = spawnRecorded(script);
    await live.ready;
    const traceFile = path.join(live.traceDir, TRACE_JSON_FILE);
    // 2000 calls of square() at ~8 events each were recorded before "ready" in the same turn.
    await waitFor("10000 events on disk", () => readIfExists(traceFile).split("\n").length > 10_000);
    live.child.kill("SIGKILL");
    const killed = await live.done;
    expect(killed.signal, describeRun(killed)).toBe("SIGKILL");
    expectRecordingInProgress(live.traceDir);

    const r = await runNode([CLI_MAIN, "--repair", live.traceDir]);
    expect(r.code, describeRun(r)).toBe(0);
    const q = expectValidTrace(live.traceDir);
    const args = q.callsOf("square", "crash/busy-same-turn.js").map((c) => c.args.n);
    expect(args.length).toBeGreaterThanOrEqual(1500);
    expect(args).toEqual(Array.from({ length: args.length }, (_, i) => i + 1));
    expect(metadataOf(live.traceDir)).toMatchObject({ partial: true, process_exit_status: { code: null, label: "<killed>" } });
  });

  it("runtime repairTrace(dir) does the same and reports what it recovered", async () => {
    const killed = await killedRecording();
    const result = repairTrace(killed.traceDir);
    expect(result.repaired).toBe(true);
    expect(result.dir).toBe(killed.traceDir);
    expect(result.events).toBe(new TraceQuery(killed.traceDir).events.length);
    expect(result.lastStep?.path).toBe(fixture("wait-forever.js"));
    expect(result.lastStep?.line).toBe(lineOf(fixture("wait-forever.js"), 'console.log("ready")'));
    expectRepaired(killed.traceDir);
  });
});

describe("the CLI receives the signal (stdin not a TTY)", () => {
  it("SIGTERM: forwarded to the recorded program, the CLI dies of SIGTERM, the folder is finished", async () => {
    const traceDir = freshTraceDir();
    const live = spawnLive([CLI_MAIN, "--trace-dir", traceDir, fixture("wait-forever.js")], traceDir);
    await live.ready;
    expectRecordingInProgress(traceDir);
    live.child.kill("SIGTERM");
    const r = await live.done;
    expect(r.signal, describeRun(r)).toBe("SIGTERM");
    expect(r.code).toBeNull();
    expect(r.stdout).toBe("total 55\nready\n");

    const q = expectValidTrace(traceDir);
    expectSquareWork(q, "crash/wait-forever.js");
    expect(q.decode(q.topLevel().returnRecord!)).toEqual({ $raw: "<SIGTERM>" });
    expect(metadataOf(traceDir).process_exit_status).toEqual({ code: null, label: "SIGTERM" });
  });

  it("SIGTERM to a program with its own listener: the program decides, the CLI exits with its code 0", async () => {
    const traceDir = freshTraceDir();
    const live = spawnLive([CLI_MAIN, "--trace-dir", traceDir, fixture("own-handler.js")], traceDir);
    await live.ready;
    live.child.kill("SIGTERM");
    const r = await live.done;
    expect(r.code, describeRun(r)).toBe(0);
    expect(r.signal).toBeNull();
    expect(r.stdout).toBe("ready\ncleanup after SIGTERM\n");
    const q = expectValidTrace(traceDir);
    expect(q.callsOf("cleanup").map((c) => c.args.reason)).toEqual(["SIGTERM"]);
    expect(metadataOf(traceDir).process_exit_status).toEqual({ code: 0, label: null });
  });

  it("the recorded program killed with SIGKILL by someone else: the CLI repairs the folder and dies of SIGKILL", async () => {
    const traceDir = freshTraceDir();
    const script = fixture("report-pid.js");
    const live = spawnLive([CLI_MAIN, "--trace-dir", traceDir, script], traceDir);
    await live.ready;
    const pid = Number(/^pid (\d+)$/m.exec(live.stdout())?.[1]);
    expect(pid).toBeGreaterThan(0);
    expect(pid).not.toBe(live.child.pid);
    const traceFile = path.join(traceDir, TRACE_JSON_FILE);
    await waitFor("the ready Write event on disk", () => readIfExists(traceFile).includes(String.raw`"content":"ready\n"`));
    process.kill(pid, "SIGKILL");
    const r = await live.done;
    expect(r.signal, describeRun(r)).toBe("SIGKILL");
    expect(r.stderr).toContain("the recorded program was killed");

    const q = expectValidTrace(traceDir);
    expectSquareWork(q, "crash/report-pid.js");
    const meta = metadataOf(traceDir);
    expect(meta.partial).toBe(true);
    expect(meta.process_exit_status.code).toBeNull();
    expect(meta.process_exit_status.label).toMatch(/^(SIGKILL|<killed>)$/);
  });

  it("a program stuck in a synchronous loop: a second SIGTERM kills it, the CLI repairs the folder and dies of SIGTERM", async () => {
    const traceDir = freshTraceDir();
    const script = fixture("busy-loop.js");
    const live = spawnLive([CLI_MAIN, "--trace-dir", traceDir, script], traceDir);
    await live.ready;
    live.child.kill("SIGTERM"); // forwarded; the child never gets to run its listener
    // No effect to wait for (the child is spinning); a pause keeps the two signals apart.
    await new Promise((resolve) => setTimeout(resolve, 300));
    live.child.kill("SIGTERM");
    const r = await live.done;
    expect(r.signal, describeRun(r)).toBe("SIGTERM");
    expect(r.stderr).toContain("SIGTERM again: killing the recorded program");

    const q = expectValidTrace(traceDir);
    expectSquareWork(q, "crash/busy-loop.js");
    expect(q.stepsAt("crash/busy-loop.js", lineOf(script, "ct-marker: busy-work")).length).toBeGreaterThan(0);
    const meta = metadataOf(traceDir);
    expect(meta.partial).toBe(true);
    expect(meta.process_exit_status.code).toBeNull();
    expect(meta.process_exit_status.label).toMatch(/^(SIGKILL|<killed>)$/);
    expect(fs.existsSync(path.join(traceDir, PENDING_METADATA_FILE))).toBe(false);
  });
});

describe("the loader path too (`node --import …/register`): process.exit and uncaught exception", () => {
  it("process.exit(7) deep: exit 7, valid trace", async () => {
    const r = await recordWithImport(fixture("exit-deep.js"), [], { loader: "codetracer-js-recorder/register" });
    expect(r.code, describeRun(r)).toBe(7);
    const q = expectValidTrace(r.traceDir);
    expectBalancedCalls(q);
    expect(metadataOf(r.traceDir).process_exit_status).toEqual({ code: 7, label: null });
  });

  it("uncaught exception: exit 1, valid trace whose last event is an Error", async () => {
    const r = await recordWithImport(fixture("uncaught.cjs"), [], { loader: "codetracer-js-recorder/register" });
    expect(r.code, describeRun(r)).toBe(1);
    const q = expectValidTrace(r.traceDir);
    expect((q.lastEvent() as { Event?: { kind: number } }).Event?.kind).toBe(EventLogKind.Error);
  });
});
