/**
 * Exits the recorder used not to see (issue 17, item 4): the program takes the recorder's
 * `exit` / signal listeners away, the CLI gets SIGHUP / SIGQUIT / SIGUSR2, the program dies of
 * a signal no listener can catch (SIGSEGV), signals itself, runs out of V8 heap, or exits
 * behind the recorder's back. Each folder is finished (by the recorder) or repaired (by the
 * CLI), the exit status is the program's, and CodeTracer's reader loads the folder.
 * Fixtures: `test/fixtures/exits/`. See docs/recording.md "Signals and abnormal ends".
 */
import { spawn, type ChildProcess } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { PENDING_METADATA_FILE } from "@codetracer/trace-format";
import { expectReaderLoads, expectValidTrace, metadataOf, type RecordedMetadata } from "../utils/expect-trace.js";
import {
  CLI_MAIN,
  FIXTURES,
  REGISTER_URL,
  REPO_ROOT,
  childEnv,
  cleanupTempDirs,
  describeRun,
  freshTraceDir,
  recordWithCli,
  recordWithImport,
  runNode,
  runPlain,
  type RunResult,
} from "../utils/run.js";

afterAll(cleanupTempDirs);

const fixture = (name: string): string => path.join(FIXTURES, "exits", name);
const onWindows = process.platform === "win32";

type Status = RecordedMetadata["process_exit_status"];

/** Asserts the folder is finished (no pending metadata) and returns its metadata. */
function finishedMetadata(traceDir: string): RecordedMetadata {
  expect(fs.existsSync(path.join(traceDir, PENDING_METADATA_FILE)), `${PENDING_METADATA_FILE} left in ${traceDir}`).toBe(false);
  return metadataOf(traceDir);
}

/** Asserts the folder was finished by the recorder itself (not repaired) with `status`. */
function expectFinishedByRecorder(traceDir: string, status: Status): void {
  const q = expectValidTrace(traceDir);
  expect(q.counts().calls).toBeGreaterThan(0);
  const meta = finishedMetadata(traceDir);
  expect(meta.partial, "finished by the recorder, not repaired").toBeUndefined();
  expect(meta.process_exit_status).toEqual(status);
  expectReaderLoads(traceDir);
}

/** Asserts the folder was repaired after the recorder could not finish it, with `status`. */
function expectRepaired(traceDir: string, status: Status): void {
  const q = expectValidTrace(traceDir);
  expect(q.counts().calls).toBeGreaterThan(0);
  const meta = finishedMetadata(traceDir);
  expect(meta.partial).toBe(true);
  expect(meta.process_exit_status).toEqual(status);
  expectReaderLoads(traceDir);
}

/** True while a process `pid` exists. */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** Polls `check` every 20 ms until it returns true (fails the test after `timeoutMs`). */
async function waitFor(what: string, check: () => boolean, timeoutMs = 5_000): Promise<void> {
  const start = Date.now();
  while (!check()) {
    if (Date.now() - start > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

interface LiveChild {
  child: ChildProcess;
  /** Resolves with the pid the program printed (`pid N`) once it printed `ready`. */
  ready: Promise<number>;
  done: Promise<RunResult>;
}

/** Spawns `node ...argv` (stdin not a TTY, output piped); SIGKILLed after `timeoutMs`. */
function spawnLive(argv: string[], traceDir: string, env: Record<string, string> = {}, timeoutMs = 20_000): LiveChild {
  const child = spawn(process.execPath, argv, { cwd: REPO_ROOT, env: childEnv(env), stdio: ["ignore", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  let onReady: (pid: number) => void = () => {};
  let onEarlyEnd: (error: Error) => void = () => {};
  const ready = new Promise<number>((resolve, reject) => {
    onReady = resolve;
    onEarlyEnd = reject;
  });
  child.stdout!.setEncoding("utf8").on("data", (s: string) => {
    stdout += s;
    if (/^ready$/m.test(stdout)) onReady(Number(/^pid (\d+)$/m.exec(stdout)?.[1]));
  });
  child.stderr!.setEncoding("utf8").on("data", (s: string) => (stderr += s));
  const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
  const done = new Promise<RunResult>((resolve) => {
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      const result = { stdout, stderr, code, signal, traceDir };
      onEarlyEnd(new Error(`ended before "ready": ${describeRun(result)}`));
      resolve(result);
    });
  });
  return { child, ready, done };
}

/** `codetracer-js-recorder --trace-dir DIR script ...args`, live. */
function cliLive(script: string, args: string[] = []): LiveChild & { traceDir: string } {
  const traceDir = freshTraceDir();
  return { ...spawnLive([CLI_MAIN, "--trace-dir", traceDir, script, ...args], traceDir), traceDir };
}

describe("the program takes the recorder's exit listener away", () => {
  for (const how of ["all", "off", "everything"] as const) {
    const what = { all: 'removeAllListeners("exit")', off: 'process.off("exit", l) for each listener', everything: "removeAllListeners()" }[how];
    it(`${what}, then a normal end: the recorder still finishes the folder (loader and CLI)`, async () => {
      const script = fixture("remove-exit-listeners.js");
      const [plain, viaLoader, viaCli] = await Promise.all([
        runPlain(script, [how]),
        recordWithImport(script, [how], { loader: REGISTER_URL }),
        recordWithCli(script, [how]),
      ]);
      expect(plain.stdout).toBe("total 30\n");
      for (const r of [viaLoader, viaCli]) {
        expect(r.code, describeRun(r)).toBe(0);
        expect(r.stdout).toBe(plain.stdout);
        expect(r.stderr).toBe("");
        expectFinishedByRecorder(r.traceDir, { code: 0, label: null });
        const q = expectValidTrace(r.traceDir);
        expect(q.returnsOf("work")).toEqual([30]);
      }
    });
  }
});

describe.skipIf(onWindows)("the program takes the SIGTERM listeners away, then gets SIGTERM", () => {
  for (const how of ["all", "everything"] as const) {
    it(`${how === "all" ? 'removeAllListeners("SIGTERM")' : "removeAllListeners()"}, loader: dies of SIGTERM as under plain node, the folder finished`, async () => {
      const traceDir = freshTraceDir();
      const live = spawnLive(["--import", REGISTER_URL, fixture("remove-sigterm-listeners.js"), how], traceDir, { CODETRACER_TRACE: traceDir });
      await live.ready;
      live.child.kill("SIGTERM");
      const r = await live.done;
      expect(r.signal, describeRun(r)).toBe("SIGTERM");
      expect(r.stdout).not.toContain("never printed");
      expectFinishedByRecorder(traceDir, { code: null, label: "SIGTERM" });
    });
  }

  it("under the CLI: the CLI forwards SIGTERM and dies of it, the folder finished", async () => {
    const live = cliLive(fixture("remove-sigterm-listeners.js"), ["all"]);
    await live.ready;
    live.child.kill("SIGTERM");
    const r = await live.done;
    expect(r.signal, describeRun(r)).toBe("SIGTERM");
    expectFinishedByRecorder(live.traceDir, { code: null, label: "SIGTERM" });
  });
});

describe.skipIf(onWindows)("signals sent to the CLI are passed on to the program", () => {
  it("SIGHUP: the program finishes its trace and dies of it (no orphan), the CLI dies of SIGHUP", async () => {
    const live = cliLive(fixture("remove-sigterm-listeners.js"), ["all"]);
    const pid = await live.ready;
    expect(pid).toBeGreaterThan(0);
    expect(pid).not.toBe(live.child.pid);
    live.child.kill("SIGHUP");
    const r = await live.done;
    expect(r.signal, describeRun(r)).toBe("SIGHUP");
    await waitFor(`the recorded program (pid ${pid}) to be gone`, () => !alive(pid));
    expectFinishedByRecorder(live.traceDir, { code: null, label: "SIGHUP" });
  });

  for (const signal of ["SIGQUIT", "SIGUSR2"] as const) {
    it(`${signal}: forwarded, the folder finished, the CLI dies of ${signal}`, async () => {
      const live = cliLive(fixture("remove-sigterm-listeners.js"), ["all"]);
      const pid = await live.ready;
      live.child.kill(signal);
      const r = await live.done;
      expect(r.signal, describeRun(r)).toBe(signal);
      expect(alive(pid)).toBe(false);
      expectFinishedByRecorder(live.traceDir, { code: null, label: signal });
    });
  }
});

describe.skipIf(onWindows)("the program signals itself", () => {
  it("SIGSEGV (no listener can catch it): the CLI repairs the folder and dies of SIGSEGV", async () => {
    const script = fixture("self-signal.js");
    const [plain, r] = await Promise.all([runPlain(script, ["SIGSEGV"]), recordWithCli(script, ["SIGSEGV"])]);
    expect(plain.signal).toBe("SIGSEGV");
    expect(r.signal, describeRun(r)).toBe("SIGSEGV");
    expect(r.stdout).toBe(plain.stdout);
    expect(r.stderr).toContain("the recorded program was killed by SIGSEGV");
    expectRepaired(r.traceDir, { code: null, label: "SIGSEGV" });
  });

  for (const signal of ["SIGTERM", "SIGQUIT", "SIGUSR2", "SIGHUP", "SIGINT"] as const) {
    it(`${signal}: dies of it inside process.kill as under plain node, the folder finished (loader and CLI)`, async () => {
      const script = fixture("self-signal.js");
      const [plain, viaLoader, viaCli] = await Promise.all([
        runPlain(script, [signal]),
        recordWithImport(script, [signal], { loader: REGISTER_URL }),
        recordWithCli(script, [signal]),
      ]);
      expect(plain.signal).toBe(signal);
      expect(plain.stdout).not.toContain("after kill");
      for (const r of [viaLoader, viaCli]) {
        expect(r.signal, describeRun(r)).toBe(signal);
        expect(r.stdout).toBe(plain.stdout);
        expectFinishedByRecorder(r.traceDir, { code: null, label: signal });
      }
    });
  }
});

describe.skipIf(onWindows)("ends the recorder cannot see: the CLI repairs the folder", () => {
  it("V8 out of memory (--max-old-space-size=32): SIGABRT, the folder repaired, the CLI dies of SIGABRT", async () => {
    const traceDir = freshTraceDir();
    const r = await runNode(["--max-old-space-size=32", CLI_MAIN, "--trace-dir", traceDir, fixture("out-of-memory.js")], { timeoutMs: 60_000 }, traceDir);
    expect(r.signal, describeRun(r)).toBe("SIGABRT");
    expect(r.stderr).toContain("JavaScript heap out of memory");
    expect(r.stderr).toContain("the recorded program was killed by SIGABRT");
    expect(r.stdout).toBe("total 14\n");
    expectRepaired(traceDir, { code: null, label: "SIGABRT" });
  }, 90_000);

  it("an exit behind the recorder's back (process.reallyExit, no `exit` event): the CLI repairs the folder with the exit code", async () => {
    const script = fixture("exit-behind-back.cjs");
    const [plain, r] = await Promise.all([runPlain(script), recordWithCli(script)]);
    expect(plain.code).toBe(3);
    expect(r.code, describeRun(r)).toBe(3);
    expect(r.stdout).toBe(plain.stdout);
    expect(r.stderr).toContain("the recorded program exited with code 3 without finishing its trace");
    expectRepaired(r.traceDir, { code: 3, label: null });
  });
});
