/**
 * The trace folder's lock (`.codetracer.lock`: held, stale, taken over, released), the removal
 * of an earlier recording's files, and `repairTrace` with child process folders and locks.
 * Whole recordings that conflict are in test/e2e/trace-dir-lock.test.ts and
 * test/e2e/child-processes.test.ts.
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { RecorderError } from "../src/errors.js";
import { startSession, type NodeSession } from "../src/node/session.js";
import { repairTrace } from "../src/node/threads.js";
import { LOCK_FILE, acquireTraceDirLock, checkTraceDirLock, removeStaleTrace, traceDirLockOwner } from "../src/node/trace-dir.js";

const dirs: string[] = [];
const sessions: NodeSession[] = [];
afterEach(() => {
  for (const s of sessions.splice(0)) s.stop(0);
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

function tempDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ct-lock-"));
  dirs.push(dir);
  return dir;
}

/** A pid that no process has now (a process that ran and exited). */
function deadPid(): number {
  const r = spawnSync(process.execPath, ["-e", ""]);
  return r.pid!;
}

function writeLock(dir: string, pid: number, host = os.hostname()): void {
  fs.writeFileSync(path.join(dir, LOCK_FILE), JSON.stringify({ pid, host, started: "2026-01-01T00:00:00.000Z", token: "t" }));
}

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (error) {
    return error instanceof RecorderError ? error.code : String(error);
  }
  return undefined;
}

describe("the lock of a trace folder", () => {
  it("is a file holding this process's pid, removed by release", () => {
    const dir = tempDir();
    const lock = acquireTraceDirLock(dir);
    const info = JSON.parse(fs.readFileSync(path.join(dir, LOCK_FILE), "utf8"));
    expect(info).toMatchObject({ pid: process.pid, host: os.hostname() });
    lock.release();
    expect(fs.existsSync(path.join(dir, LOCK_FILE))).toBe(false);
    lock.release(); // idempotent
  });

  it("held by another live process: ERR_TRACE_DIR_CONFLICT naming it, and the file is left as it is", () => {
    const dir = tempDir();
    writeLock(dir, process.ppid);
    expect(codeOf(() => acquireTraceDirLock(dir))).toBe("ERR_TRACE_DIR_CONFLICT");
    expect(codeOf(() => checkTraceDirLock(dir))).toBe("ERR_TRACE_DIR_CONFLICT");
    expect(() => acquireTraceDirLock(dir)).toThrow(`process ${process.ppid}`);
    expect(traceDirLockOwner(dir)?.pid).toBe(process.ppid);
    expect(JSON.parse(fs.readFileSync(path.join(dir, LOCK_FILE), "utf8")).pid).toBe(process.ppid);
  });

  it("held on another host: a conflict (its pid cannot be checked)", () => {
    const dir = tempDir();
    writeLock(dir, deadPid(), `${os.hostname()}-elsewhere`);
    expect(codeOf(() => acquireTraceDirLock(dir))).toBe("ERR_TRACE_DIR_CONFLICT");
  });

  it("of a process that is gone is taken over; a lock taken over is not removed by its old owner", () => {
    const dir = tempDir();
    writeLock(dir, deadPid());
    expect(checkTraceDirLock(dir)).toBeUndefined();
    expect(traceDirLockOwner(dir)).toBeNull();
    const first = acquireTraceDirLock(dir);
    expect(JSON.parse(fs.readFileSync(path.join(dir, LOCK_FILE), "utf8")).pid).toBe(process.pid);
    // This process's own lock counts as stale (one session per thread is ERR_ALREADY_TRACING's job).
    const second = acquireTraceDirLock(dir);
    first.release();
    expect(fs.existsSync(path.join(dir, LOCK_FILE)), "the second lock stays").toBe(true);
    second.release();
    expect(fs.readdirSync(dir)).toEqual([]);
  });

  it("that cannot be read is being written when recent (a conflict), stale when old", () => {
    const dir = tempDir();
    const file = path.join(dir, LOCK_FILE);
    fs.writeFileSync(file, "");
    expect(codeOf(() => acquireTraceDirLock(dir))).toBe("ERR_TRACE_DIR_CONFLICT");
    const old = new Date(Date.now() - 60_000);
    fs.utimesSync(file, old, old);
    acquireTraceDirLock(dir).release();
    expect(fs.existsSync(file)).toBe(false);
  });

  it("is held by a session from start to stop", () => {
    const dir = tempDir();
    const session = startSession({ traceDir: dir, format: "json", program: "/p/main.js", args: [] });
    sessions.push(session);
    expect(JSON.parse(fs.readFileSync(path.join(dir, LOCK_FILE), "utf8")).pid).toBe(process.pid);
    session.stop(0);
    expect(fs.existsSync(path.join(dir, LOCK_FILE))).toBe(false);
  });
});

describe("removeStaleTrace", () => {
  it("removes the trace files of either format, recursively in workers/ and children/, and keeps other files and live children", () => {
    const dir = tempDir();
    const names = [
      "trace.json",
      "trace.bin",
      "trace_paths.json",
      "trace_metadata.json",
      "trace_metadata.pending.json",
      "trace_paths.json.tmp",
      "workspace.diff",
    ];
    for (const n of names) fs.writeFileSync(path.join(dir, n), "old");
    fs.writeFileSync(path.join(dir, "notes.txt"), "mine");
    for (const sub of ["workers/3", "children/11", "children/11/workers/2", "children/12"]) {
      fs.mkdirSync(path.join(dir, sub), { recursive: true });
      fs.writeFileSync(path.join(dir, sub, "trace.bin"), "old");
    }
    writeLock(path.join(dir, "children/11"), deadPid());
    writeLock(path.join(dir, "children/12"), process.ppid); // a child of the old recording still running
    removeStaleTrace(dir);
    expect(fs.readdirSync(dir).sort()).toEqual(["children", "notes.txt"]);
    expect(fs.readdirSync(path.join(dir, "children"))).toEqual(["12"]);
    expect(fs.readdirSync(path.join(dir, "children/12")).sort()).toEqual([LOCK_FILE, "trace.bin"]);
  });
});

describe("repairTrace", () => {
  /** An unfinished trace.json folder with a pending metadata. */
  function unfinished(dir: string, extra: Record<string, unknown> = {}): void {
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, "trace.json"), '[\n{"Path":"/p/a.js"}\n');
    fs.writeFileSync(path.join(dir, "trace_metadata.pending.json"), JSON.stringify({ workdir: "/p", program: "/p/a.js", args: [], ...extra }));
  }

  it("leaves a folder whose lock a live process holds (the recording still runs)", () => {
    const dir = tempDir();
    unfinished(dir);
    writeLock(dir, process.ppid);
    const result = repairTrace(dir);
    expect(result.repaired).toBe(false);
    expect(result.reason).toContain(`process ${process.ppid}`);
    expect(fs.existsSync(path.join(dir, "trace_metadata.json"))).toBe(false);
  });

  it("repairs the child process folders too, lists them in the root's metadata, and removes stale locks", () => {
    const root = tempDir();
    unfinished(root);
    writeLock(root, deadPid());
    const child = path.join(root, "children", "4711");
    unfinished(child, { process: { pid: 4711, parent_pid: 4700, parent_trace: "../.." } });
    writeLock(child, deadPid());
    const result = repairTrace(root);
    expect(result.repaired).toBe(true);
    expect(result.children?.map((c) => [c.dir, c.repaired])).toEqual([[child, true]]);
    const meta = JSON.parse(fs.readFileSync(path.join(root, "trace_metadata.json"), "utf8"));
    expect(meta.children).toEqual(["children/4711"]);
    const childMeta = JSON.parse(fs.readFileSync(path.join(child, "trace_metadata.json"), "utf8"));
    expect(childMeta.process_exit_status).toEqual({ code: null, label: "<killed>" });
    expect(childMeta.children).toBeUndefined();
    expect(fs.existsSync(path.join(root, LOCK_FILE))).toBe(false);
    expect(fs.existsSync(path.join(child, LOCK_FILE))).toBe(false);
  });
});
