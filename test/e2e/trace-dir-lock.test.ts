/**
 * One recording per trace folder: a recording holds `.codetracer.lock` in its folder for its
 * life; a second recorder into the same folder (the CLI, or the loader itself) fails with
 * `ERR_TRACE_DIR_CONFLICT` before its program runs, and the first trace stays whole; a lock left
 * by a process that is gone is taken over; the lock is removed when the recording ends; and
 * recording into a folder that holds an older trace replaces every file of it, in either
 * format. Fixtures: `test/fixtures/trace-dir-lock/`. See docs/recording.md "One recording per
 * folder".
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { expectReaderLoads, expectValidTrace, readMetadata } from "../utils/expect-trace.js";
import {
  CLI_MAIN,
  FIXTURES,
  REGISTER_URL,
  cleanupTempDirs,
  describeRun,
  freshTraceDir,
  lineOf,
  makeTempDir,
  recordWithCli,
  runNode,
  type RunResult,
} from "../utils/run.js";

const DIR = path.join(FIXTURES, "trace-dir-lock");
const fixture = (name: string) => path.join(DIR, name);
const LOCK = ".codetracer.lock";

afterAll(cleanupTempDirs);

/** Waits until `file` exists (the recorded program runs), or fails after `ms`. */
async function waitFor(file: string, ms = 40_000): Promise<void> {
  const end = Date.now() + ms;
  while (!fs.existsSync(file)) {
    if (Date.now() > end) throw new Error(`${file} did not appear within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Starts a CLI recording of wait-for-go.cjs into `traceDir` and waits until its program runs. */
async function holdRecording(traceDir: string, format: "json" | "binary" = "json"): Promise<{ release: () => Promise<RunResult>; ready: string }> {
  const tmp = makeTempDir("ct-lock-");
  const ready = path.join(tmp, "ready");
  const go = path.join(tmp, "go");
  const run = recordWithCli(fixture("wait-for-go.cjs"), [ready, go], { cwd: DIR, traceDir, cliArgs: ["--format", format] });
  await Promise.race([waitFor(ready), run.then((r) => Promise.reject(new Error(`the first recording ended early:\n${describeRun(r)}`)))]);
  return {
    ready,
    release: () => {
      fs.writeFileSync(go, "");
      return run;
    },
  };
}

/** Asserts `r` failed before its program ran (it would have created `ready`), with ERR_TRACE_DIR_CONFLICT. */
function expectConflict(r: RunResult, ready: string, traceDir: string): void {
  expect(r.code, describeRun(r)).toBe(1);
  expect(r.stderr).toContain("ERR_TRACE_DIR_CONFLICT");
  expect(r.stderr).toContain(traceDir);
  expect(r.stdout).toBe("");
  expect(fs.existsSync(ready), "the second program did not run").toBe(false);
}

/** The first recording's trace is whole: its own program, finished, read by the reader, lock gone. */
function expectFirstTraceWhole(r: RunResult, traceDir: string): void {
  expect(r.code, describeRun(r)).toBe(0);
  const q = expectValidTrace(traceDir);
  expectReaderLoads(traceDir);
  const meta = readMetadata(traceDir)!;
  expect(meta.program).toBe(fixture("wait-for-go.cjs"));
  expect(meta.process_exit_status).toEqual({ code: 0, label: null });
  expect(q.stepsAt("wait-for-go.cjs", lineOf(fixture("wait-for-go.cjs"), "ct-marker: tick")).length).toBeGreaterThan(0);
  expect(fs.readdirSync(traceDir).sort()).toEqual(["trace.json", "trace_metadata.json", "trace_paths.json"]);
}

describe("two recordings into one folder", () => {
  it("the second CLI run fails with ERR_TRACE_DIR_CONFLICT before its program runs; the first trace is whole", async () => {
    const traceDir = freshTraceDir();
    const first = await holdRecording(traceDir);
    expect(JSON.parse(fs.readFileSync(path.join(traceDir, LOCK), "utf8")).pid).toBe(Number(fs.readFileSync(first.ready, "utf8")));
    const ready2 = path.join(makeTempDir("ct-lock-"), "ready");
    const second = await recordWithCli(fixture("wait-for-go.cjs"), [ready2, ready2], { cwd: DIR, traceDir, cliArgs: ["--format", "binary"] });
    expectConflict(second, ready2, traceDir);
    expect(second.stderr).toMatch(/^codetracer-js-recorder: error: \[ERR_TRACE_DIR_CONFLICT\]/); // the CLI's own check, before spawning
    // --repair does not touch a folder a live recording holds.
    const repair = await runNode([CLI_MAIN, "--repair", traceDir]);
    expect(repair.stdout).toContain("still recording");
    expect(fs.existsSync(path.join(traceDir, "trace_metadata.json"))).toBe(false);
    expectFirstTraceWhole(await first.release(), traceDir);
  });

  it("a second recording through the loader (node --import) fails the same way", async () => {
    const traceDir = freshTraceDir();
    const first = await holdRecording(traceDir);
    const ready2 = path.join(makeTempDir("ct-lock-"), "ready");
    const second = await runNode(
      ["--import", REGISTER_URL, fixture("wait-for-go.cjs"), ready2, ready2],
      { cwd: DIR, env: { CODETRACER_TRACE: traceDir } },
      traceDir,
    );
    expectConflict(second, ready2, traceDir);
    expectFirstTraceWhole(await first.release(), traceDir);
  });
});

describe("the lock file", () => {
  it("is gone after a normal run", async () => {
    const r = await recordWithCli(fixture("short.cjs"), [], { cwd: DIR });
    expect(r.code, describeRun(r)).toBe(0);
    expect(r.stdout).toBe("twice 42\n");
    expectValidTrace(r.traceDir);
    expect(fs.existsSync(path.join(r.traceDir, LOCK))).toBe(false);
  });

  it("left by a process that is gone is taken over", async () => {
    const traceDir = freshTraceDir();
    const gone = spawnSync(process.execPath, ["-e", ""]);
    expect(gone.pid).toBeGreaterThan(0);
    fs.mkdirSync(traceDir, { recursive: true });
    fs.writeFileSync(
      path.join(traceDir, LOCK),
      JSON.stringify({ pid: gone.pid, host: (await import("node:os")).hostname(), started: "2020-01-01T00:00:00.000Z", token: "x" }),
    );
    const r = await recordWithCli(fixture("short.cjs"), [], { cwd: DIR, traceDir });
    expect(r.code, describeRun(r)).toBe(0);
    expect(r.stdout).toBe("twice 42\n");
    expect(readMetadata(traceDir)!.program).toBe(fixture("short.cjs"));
    expectValidTrace(traceDir);
    expectReaderLoads(traceDir);
    expect(fs.existsSync(path.join(traceDir, LOCK))).toBe(false);
  });
});

describe("recording into a folder that holds an older trace", () => {
  /** Leaves the files of an older recording in `traceDir`: both formats, a diff, a torn atomic write, worker and child folders. */
  function plantOldTrace(traceDir: string): void {
    fs.mkdirSync(path.join(traceDir, "workers", "7"), { recursive: true });
    fs.mkdirSync(path.join(traceDir, "children", "12345"), { recursive: true });
    for (const name of [
      "trace.json",
      "trace.bin",
      "trace_paths.json",
      "trace_metadata.json",
      "trace_metadata.pending.json",
      "trace_metadata.json.tmp",
      "workspace.diff",
    ]) {
      fs.writeFileSync(path.join(traceDir, name), "old");
    }
    for (const sub of ["workers/7", "children/12345"]) {
      fs.writeFileSync(path.join(traceDir, sub, "trace.bin"), "old");
      fs.writeFileSync(path.join(traceDir, sub, "trace_metadata.json"), "old");
    }
    fs.writeFileSync(path.join(traceDir, "notes.txt"), "mine");
  }

  it.each([
    ["binary", "trace.bin"],
    ["json", "trace.json"],
  ] as const)("recording %s removes every file of the old trace, of either format, and keeps other files", async (format, eventFile) => {
    const traceDir = freshTraceDir();
    plantOldTrace(traceDir);
    const r = await recordWithCli(fixture("short.cjs"), [], { cwd: DIR, traceDir, cliArgs: ["--format", format], env: { CODETRACER_FORMAT: "" } });
    expect(r.code, describeRun(r)).toBe(0);
    expect(fs.readdirSync(traceDir).sort()).toEqual(["notes.txt", eventFile, "trace_metadata.json", "trace_paths.json"].sort());
    const meta = readMetadata(traceDir)!;
    expect(meta.program).toBe(fixture("short.cjs"));
    expect(meta.children).toBeUndefined();
    expect(meta.workers).toBeUndefined();
    expectValidTrace(traceDir);
    expectReaderLoads(traceDir);
  });
});
