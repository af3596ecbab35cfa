/**
 * The trace folder as a whole: the lock a recording holds on it for its life, and the removal
 * of what an earlier recording left in it. See docs/recording.md "One recording per folder".
 *
 * The lock is the file {@link LOCK_FILE} in the folder, created exclusively (`O_EXCL`) and
 * holding the owner's pid, host and start time. A second process that finds it while the owner
 * lives gets `ERR_TRACE_DIR_CONFLICT`; a lock whose process is gone (`kill -9`, a crash of Node)
 * is stale and taken over. A lock held by this very process (another thread, or a session whose
 * thread was ended without stopping it) is taken over too: within a process, one session per
 * thread is enforced by `ERR_ALREADY_TRACING`, and the lock is about processes.
 *
 * This module runs before the program (taking the lock, cleaning the folder) and after it
 * (releasing the lock): what it calls at release is captured at load.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import { randomUUID } from "node:crypto";
import { PENDING_METADATA_FILE, TRACE_BIN_FILE, TRACE_JSON_FILE, TRACE_METADATA_FILE, TRACE_PATHS_FILE } from "@codetracer/trace-format";
import { UsageError } from "../errors.js";
import { DateCtor, DatePrototypeToISOString, JSONStringify, StringCtor } from "../primordials.js";
import { joinPath } from "@codetracer/trace-format/internal/join-path";

// Node's functions as loaded: a program may assign to `fs.rmSync`, `path.join` and the like
// (the modules' objects are shared with it).
const { closeSync, linkSync, openSync, readFileSync, readdirSync, renameSync, rmSync, rmdirSync, statSync, unlinkSync, writeSync } = fs;
const { hostname: osHostname } = os;

/** The lock file of a trace folder held by a running recording. */
export const LOCK_FILE = ".codetracer.lock";

/** The folder of a trace that holds the worker thread traces, one sub-folder per `threadId`. */
export const WORKERS_DIR = "workers";

/** The folder of the root trace that holds the traces of child processes, one sub-folder per pid. */
export const CHILDREN_DIR = "children";

/** The file `withDiff` saves `git diff HEAD` into, in the trace folder. */
export const WORKSPACE_DIFF_FILE = "workspace.diff";

/**
 * Every file a recording of this recorder writes into its folder, whatever its format: a new
 * recording removes each of them (and the `.tmp` file of an interrupted atomic write of each).
 */
export const TRACE_FILES: readonly string[] = [
  TRACE_METADATA_FILE,
  PENDING_METADATA_FILE,
  TRACE_PATHS_FILE,
  TRACE_JSON_FILE,
  TRACE_BIN_FILE,
  WORKSPACE_DIFF_FILE,
];

// What runs after the program started (release, the root listing its children at stop, a
// session the program starts): the built-ins as loaded, called with `Reflect.apply`.
const ownPid = process.pid;
const apply = Reflect.apply;
const jsonParse = JSON.parse;
const dateNow = Date.now;
const newUUID = randomUUID;
const processKill = process.kill;
const isSafeInteger = Number.isSafeInteger;
const arrayFilter = Array.prototype.filter;
const arraySort = Array.prototype.sort;
const regExpTest = RegExp.prototype.test;
const NUMBERED = /^\d+$/;

/** What {@link LOCK_FILE} holds (JSON). */
export interface TraceDirLockInfo {
  /** The owner's process id. */
  pid: number;
  /** The owner's host name (`osHostname()`): a pid is checked only on the same host. */
  host: string;
  /** When the owner took the lock (ISO 8601). */
  started: string;
  /** Random, to tell this lock from a later one of the same pid. */
  token: string;
}

/** A lock held by this process: {@link TraceDirLock.release} ends it. */
export interface TraceDirLock {
  /** The lock file (absolute). */
  readonly file: string;
  /**
   * Removes the lock file if it is still this lock's (not taken over since). Idempotent; never
   * throws.
   */
  release(): void;
}

/** Whether process `pid` exists (`EPERM`: it exists and belongs to another user). */
function isAlive(pid: number): boolean {
  try {
    apply(processKill, process, [pid, 0]);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** A lock file younger than this whose text does not parse is being written: not stale. */
const UNREADABLE_GRACE_MS = 10_000;

/** The state of the lock file of `dir`. */
type LockState =
  | { kind: "none" }
  | { kind: "held"; info: TraceDirLockInfo | null; text: string }
  | { kind: "stale"; info: TraceDirLockInfo | null; text: string; why: string };

function readLock(file: string): LockState {
  let text: string;
  let mtime: number;
  try {
    text = readFileSync(file, "utf8");
    mtime = statSync(file).mtimeMs;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return { kind: "none" };
    throw error;
  }
  let info: TraceDirLockInfo | null = null;
  try {
    const value = jsonParse(text) as Partial<TraceDirLockInfo> | null;
    if (value !== null && typeof value === "object" && isSafeInteger(value.pid) && (value.pid as number) > 0 && typeof value.host === "string") {
      info = value as TraceDirLockInfo;
    }
  } catch {
    info = null;
  }
  if (!info) {
    return dateNow() - mtime > UNREADABLE_GRACE_MS ? { kind: "stale", info, text, why: "unreadable" } : { kind: "held", info, text };
  }
  if (info.pid === ownPid && info.host === osHostname()) return { kind: "stale", info, text, why: "this process" };
  if (info.host === osHostname() && !isAlive(info.pid)) return { kind: "stale", info, text, why: `process ${info.pid} is gone` };
  return { kind: "held", info, text };
}

function conflict(dir: string, state: { info: TraceDirLockInfo | null }): UsageError {
  const owner = state.info
    ? `process ${state.info.pid}${state.info.host !== osHostname() ? ` on ${state.info.host}` : ""}, since ${state.info.started}`
    : "a process starting now";
  return new UsageError(
    "ERR_TRACE_DIR_CONFLICT",
    `trace directory ${dir} is in use by another recording (${owner}): wait for it to end or record into another directory ` +
      `(if no recording runs there, remove ${joinPath(dir, LOCK_FILE)})`,
    { traceDir: dir, ...(state.info ? { pid: StringCtor(state.info.pid) } : {}) },
  );
}

/**
 * Throws when another live process holds the lock of `dir` (see {@link acquireTraceDirLock});
 * creates and removes nothing. The CLI calls it before it starts the program, so a conflict is
 * reported without running anything; the session takes the lock itself.
 *
 * @param dir - the trace folder (absolute)
 * @throws UsageError `ERR_TRACE_DIR_CONFLICT` when the lock is held.
 */
export function checkTraceDirLock(dir: string): void {
  let state: LockState;
  try {
    state = readLock(joinPath(dir, LOCK_FILE));
  } catch {
    return; // unreadable for another reason: the session reports what it finds
  }
  if (state.kind === "held") throw conflict(dir, state);
}

/**
 * The owner of the lock of `dir` when a live process holds it (see {@link acquireTraceDirLock}),
 * else `null` (no lock, a stale one, or one that cannot be read). Creates and removes nothing.
 *
 * @param dir - the trace folder (absolute)
 */
export function traceDirLockOwner(dir: string): TraceDirLockInfo | null {
  try {
    const state = readLock(joinPath(dir, LOCK_FILE));
    return state.kind === "held" ? state.info : null;
  } catch {
    return null;
  }
}

/**
 * Removes the lock file of `dir` when it is stale (its process is gone; see
 * {@link acquireTraceDirLock}): after `--repair` finished the folder of a killed recording.
 * Never throws.
 *
 * @param dir - the trace folder (absolute)
 */
export function removeStaleLock(dir: string): void {
  const file = joinPath(dir, LOCK_FILE);
  try {
    const state = readLock(file);
    if (state.kind === "stale" && state.why !== "this process") takeOver(file, state.text);
  } catch {
    // left as it is
  }
}

/**
 * Takes the lock of the trace folder `dir` (which must exist) for this process: creates
 * {@link LOCK_FILE} exclusively. A stale lock (its process is gone, or it is this process's) is
 * taken over: renamed aside, checked to be the one judged stale, and replaced.
 *
 * @param dir - the trace folder (absolute)
 * @returns the lock; release it when the recording ends.
 * @throws UsageError `ERR_TRACE_DIR_CONFLICT` when another live process holds it.
 * @throws Error (a system error) when the lock file cannot be created for another reason; the
 *   caller reports it as `ERR_TRACE_DIR_CREATE_FAILED`.
 */
export function acquireTraceDirLock(dir: string): TraceDirLock {
  const file = joinPath(dir, LOCK_FILE);
  const info: TraceDirLockInfo = { pid: ownPid, host: osHostname(), started: DatePrototypeToISOString(new DateCtor(dateNow())), token: newUUID() };
  const text = `${JSONStringify(info)}\n`;
  for (let attempt = 0; ; attempt++) {
    try {
      const fd = openSync(file, "wx", 0o644);
      try {
        writeSync(fd, text);
      } finally {
        closeSync(fd);
      }
      return ownedLock(file, text);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
    }
    const state = readLock(file);
    if (state.kind === "held") throw conflict(dir, state);
    if (attempt >= 3) throw conflict(dir, { info: state.kind === "stale" ? state.info : null });
    if (state.kind === "stale") takeOver(file, state.text);
  }
}

/**
 * Removes the stale lock `file` whose text is `text`, unless another process replaced it in
 * the meantime: it is renamed aside first (atomic), and put back when it is not the one judged
 * stale.
 */
function takeOver(file: string, text: string): void {
  const aside = `${file}.${ownPid}.${newUUID()}`;
  try {
    renameSync(file, aside);
  } catch {
    return; // gone already: try again
  }
  let moved = "";
  try {
    moved = readFileSync(aside, "utf8");
  } catch {
    // treated as not ours below
  }
  if (moved !== text) {
    try {
      linkSync(aside, file); // put the live lock back, unless a new one was made meanwhile
    } catch {
      // a new lock exists: the next attempt reads it
    }
  }
  try {
    unlinkSync(aside);
  } catch {
    // best effort
  }
}

function ownedLock(file: string, text: string): TraceDirLock {
  let released = false;
  return {
    file,
    release() {
      if (released) return;
      released = true;
      try {
        if (readFileSync(file, "utf8") === text) unlinkSync(file);
      } catch {
        // gone already, or the folder with it
      }
    },
  };
}

/** The names of the numbered sub-folders of `dir/sub` (`workers/3`, `children/4711`), in number order. */
export function numberedFolders(dir: string, sub: string): string[] {
  let names: string[];
  try {
    names = readdirSync(joinPath(dir, sub));
  } catch {
    return [];
  }
  const numbered = apply(arrayFilter, names, [(name: string) => apply(regExpTest, NUMBERED, [name])]) as string[];
  return apply(arraySort, numbered, [(a: string, b: string) => +a - +b]) as string[];
}

/**
 * Removes what an earlier recording left in the trace folder `dir`, whatever its format: each
 * of {@link TRACE_FILES} (and its `.tmp`), then, in each `workers/<id>` and `children/<pid>`
 * folder, the same recursively and the folder when this leaves it empty. A sub-folder whose
 * lock is held by a live process (a child process of an earlier recording still running) is
 * left as it is. The lock of `dir` itself is not touched; nothing that is not a trace file is
 * removed.
 *
 * @param dir - the trace folder (absolute)
 * @throws Error (a system error) when a file cannot be removed.
 */
export function removeStaleTrace(dir: string): void {
  // The metadata goes first: a stale recording must not be mistaken for this one.
  for (let i = 0; i < TRACE_FILES.length; i++) {
    rmSync(joinPath(dir, TRACE_FILES[i]!), { force: true });
    rmSync(joinPath(dir, `${TRACE_FILES[i]!}.tmp`), { force: true });
  }
  const subs = [WORKERS_DIR, CHILDREN_DIR];
  for (let s = 0; s < subs.length; s++) {
    const sub = subs[s]!;
    const names = numberedFolders(dir, sub);
    for (let n = 0; n < names.length; n++) {
      const folder = joinPath(dir, sub, names[n]!);
      const lock = joinPath(folder, LOCK_FILE);
      let state: LockState;
      try {
        state = readLock(lock);
      } catch {
        state = { kind: "none" };
      }
      if (state.kind === "held") continue;
      removeStaleTrace(folder);
      if (state.kind === "stale") rmSync(lock, { force: true });
      removeIfEmpty(folder);
    }
    removeIfEmpty(joinPath(dir, sub));
  }
}

function removeIfEmpty(dir: string): void {
  try {
    rmdirSync(dir);
  } catch {
    // not empty (files that are not ours) or already gone
  }
}
