/**
 * Recording child processes: one trace folder per process. A recorded program's child processes
 * that run Node with the recorder's preload (`child_process.fork` and `cluster.fork`, which pass
 * `process.execArgv` on; `spawn`/`exec` of `node` with that preload in its arguments or in
 * `NODE_OPTIONS`) would otherwise record into the parent's folder and replace its trace. Each
 * records into `<root>/children/<pid>` instead, where `<root>` is the folder of the first
 * recorded process (grandchildren too: the folders are flat, like `workers/`), and the root's
 * metadata lists them. See docs/recording.md "Child processes".
 *
 * A process learns that it is a recorded child from {@link PARENT_ENV}, which each recorded
 * process sets in its own `process.env` when its recording starts, so every child inherits it
 * unless the program gives the child an environment without it. A child whose environment lost
 * it is still recognised when its parent process holds the lock of the trace folder it was told
 * to record into.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { PENDING_METADATA_FILE, TRACE_BIN_FILE, TRACE_JSON_FILE, TRACE_METADATA_FILE, type TraceProcessInfo } from "@codetracer/trace-format";
import { CHILDREN_DIR, numberedFolders, traceDirLockOwner } from "./trace-dir.js";
import { JSONParse, JSONStringify, NumberIsSafeInteger, StringCtor, backslashesToSlashes } from "../primordials.js";
import { joinPath } from "@codetracer/trace-format/internal/join-path";

// Node's functions as loaded: a program may assign to `fs.rmSync`, `path.join` and the like
// (the modules' objects are shared with it).
const { isAbsolute: pathIsAbsolute, relative: pathRelative, resolve: pathResolve } = path;
const { existsSync } = fs;
/**
 * The environment variable a recorded process sets for its children: JSON
 * `{"pid": <its pid>, "root": "<root trace folder>", "trace": "<its own trace folder>"}`.
 */
export const PARENT_ENV = "CODETRACER_PARENT";

const apply = Reflect.apply;
const arrayFilter = Array.prototype.filter;
const arrayMap = Array.prototype.map;

/** Where this process records, as decided by {@link processRecording}. */
export interface ProcessRecording {
  /** The root trace folder (absolute): the one the first recorded process of the tree was given. */
  root: string;
  /** This process's trace folder (absolute): `root`, or `<root>/children/<pid>` for a child. */
  traceDir: string;
  /** For a child process: which process it is and which trace is its parent's. */
  process?: TraceProcessInfo;
}

/** The trace folder of child process `pid` under the root trace folder `root`. */
export function childTraceDir(root: string, pid: number): string {
  return joinPath(root, CHILDREN_DIR, StringCtor(pid));
}

function parentOf(env: NodeJS.ProcessEnv): { pid: number; root: string; trace: string } | undefined {
  const raw = env[PARENT_ENV];
  if (!raw) return undefined;
  try {
    const value = JSONParse(raw) as { pid?: unknown; root?: unknown; trace?: unknown };
    if (
      NumberIsSafeInteger(value.pid) &&
      typeof value.root === "string" &&
      typeof value.trace === "string" &&
      pathIsAbsolute(value.root) &&
      pathIsAbsolute(value.trace)
    ) {
      return { pid: value.pid as number, root: value.root, trace: value.trace };
    }
  } catch {
    // not ours: ignored
  }
  return undefined;
}

/**
 * Decides where this process records when it was told to record into `traceDir`: into
 * `<traceDir>/children/<pid>` when it is a recorded child of a process recording into
 * `traceDir` (`env` has {@link PARENT_ENV} with that root, or the lock of `traceDir` is held by
 * this process's parent), else into `traceDir` itself (a root). A child told to record
 * elsewhere (another `CODETRACER_TRACE`, another CLI run) starts a root of its own there.
 *
 * @param env - the process's environment
 * @param traceDir - the trace folder from the configuration (absolute)
 */
export function processRecording(env: NodeJS.ProcessEnv, traceDir: string): ProcessRecording {
  const dir = pathResolve(traceDir);
  const parent = parentOf(env);
  let parentPid: number | undefined;
  let parentTrace = dir;
  if (parent && pathResolve(parent.root) === dir && parent.pid !== process.pid) {
    parentPid = parent.pid;
    parentTrace = parent.trace;
  } else if (traceDirLockOwner(dir)?.pid === process.ppid) {
    parentPid = process.ppid;
  }
  if (parentPid === undefined) return { root: dir, traceDir: dir };
  const own = childTraceDir(dir, process.pid);
  return {
    root: dir,
    traceDir: own,
    process: { pid: process.pid, parent_pid: parentPid, parent_trace: backslashesToSlashes(pathRelative(own, parentTrace)) || "." },
  };
}

let current: ProcessRecording | undefined;
let finishChild: ((dir: string) => void) | undefined;

/**
 * Makes `recording` this process's: the session recording into its `traceDir` gets the
 * `process` field (a child) or the `children` list (the root) in its metadata
 * ({@link processMetadata}), and the children this process starts from now on inherit
 * {@link PARENT_ENV}. Call it before the session starts.
 *
 * @param recording - what {@link processRecording} decided
 * @param finish - finishes the folder of a child process that died before it could
 *   (`repairTrace`), called by the root when its recording ends
 */
export function shareRecordingWithChildren(recording: ProcessRecording, finish?: (dir: string) => void): void {
  current = recording;
  finishChild = finish;
  process.env[PARENT_ENV] = JSONStringify({ pid: process.pid, root: recording.root, trace: recording.traceDir });
}

/**
 * The metadata fields for the session recording into `traceDir`: `{process}` in a child
 * process's own folder; `{children: [...]}` in the root folder once a child trace exists there
 * (see {@link listChildTraces}, which finishes the folders of dead children first); else none.
 */
export function processMetadata(traceDir: string): { process?: TraceProcessInfo; children?: string[] } {
  if (!current || pathResolve(traceDir) !== current.traceDir) return {};
  if (current.process) return { process: current.process };
  const children = listChildTraces(current.root, finishChild);
  return children.length > 0 ? { children } : {};
}

/**
 * `children/<pid>` for each child process folder under `root` that holds a `trace.json` or
 * `trace.bin`, by pid. With `finish`, a folder left unfinished by a child that is gone (no
 * `trace_metadata.json`, a pending one, no live process holding its lock: `kill -9`) is
 * finished with it first.
 *
 * @param root - the root trace folder (absolute)
 * @param finish - finishes such a folder (e.g. `repairTrace`); its errors are ignored
 */
export function listChildTraces(root: string, finish?: (dir: string) => void): string[] {
  // Runs at stop, after the program: built-ins as loaded (see ./trace-dir.ts).
  const withTrace = (name: string): boolean => {
    const dir = joinPath(root, CHILDREN_DIR, name);
    if (!existsSync(joinPath(dir, TRACE_JSON_FILE)) && !existsSync(joinPath(dir, TRACE_BIN_FILE))) return false;
    if (finish && !existsSync(joinPath(dir, TRACE_METADATA_FILE)) && existsSync(joinPath(dir, PENDING_METADATA_FILE)) && traceDirLockOwner(dir) === null) {
      try {
        finish(dir);
      } catch {
        // left unfinished: `codetracer-js-recorder --repair` reports why
      }
    }
    return true;
  };
  const names = apply(arrayFilter, numberedFolders(root, CHILDREN_DIR), [withTrace]) as string[];
  return apply(arrayMap, names, [(name: string) => `${CHILDREN_DIR}/${name}`]) as string[];
}
