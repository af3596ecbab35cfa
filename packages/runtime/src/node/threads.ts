/**
 * Recording worker threads: one trace folder per thread, because CodeTracer ignores the
 * runtime_tracing thread events. The main thread records into the trace folder it was given (the
 * root); a worker thread records into `<root>/workers/<threadId>` with a session of its own, and
 * when the main thread stops, its metadata lists the worker folders found there.
 *
 * A recorded thread hands the recording on to the workers it starts through `worker_threads`
 * environment data, which Node copies into every new worker whatever its `env` option, so a
 * worker is recorded when the thread that started it is and the recorder's preload runs in it
 * (the worker inherited the `--require` or `--import` of `execArgv`).
 */
import { EventEmitter } from "node:events";
import * as fs from "node:fs";
import * as path from "node:path";
import * as workerThreads from "node:worker_threads";
import { getEnvironmentData, isMainThread, parentPort, setEnvironmentData, threadId, type Worker } from "node:worker_threads";
import {
  TRACE_BIN_FILE,
  TRACE_JSON_FILE,
  TRACE_METADATA_FILE,
  repairUnfinishedTrace,
  writeTraceMetadata,
  writeTracePaths,
  type TraceMetadata,
  type TraceThreadInfo,
} from "@codetracer/trace-format";
import { PENDING_METADATA_FILE, startSession, type NodeSession, type SessionOptions } from "./session.js";
import { CHILDREN_DIR, LOCK_FILE, WORKERS_DIR, numberedFolders, removeStaleLock, traceDirLockOwner } from "./trace-dir.js";
import { listChildTraces } from "./children.js";
import { JSONParse, ReflectApply as apply, StringCtor, appendOwn, backslashesToSlashes } from "../primordials.js";
import { joinPath } from "@codetracer/trace-format/internal/join-path";

// Worker data and listener registration as loaded (the program may replace them).
const getEnvData = getEnvironmentData;
const setEnvData = setEnvironmentData;
const eeOn = EventEmitter.prototype.on;
const eePrependListener = EventEmitter.prototype.prependListener;
// Node's functions as loaded: a program may assign to `fs.rmSync`, `path.join` and the like
// (the modules' objects are shared with it).
const { relative: pathRelative, resolve: pathResolve } = path;
const { existsSync, readFileSync, rmSync } = fs;
/** The folder of the root trace that holds the worker traces, one sub-folder per `threadId`. */
export { WORKERS_DIR };

/** Key of the `worker_threads` environment data carrying a {@link ThreadRecording}. */
const ENVIRONMENT_KEY = "codetracer:recording";

/** What a recorded thread hands to the workers it starts. Must survive structured cloning. */
export interface ThreadRecording<Loader = unknown> {
  /** The main thread's trace folder (absolute). */
  root: string;
  /** `threadId` of the thread that started this worker (0: the main thread). */
  parentThreadId: number;
  /** Whatever the loader needs again in the worker (its configuration). */
  loader: Loader;
}

/**
 * True in a thread Node starts for itself, such as the module hooks thread (`--require`
 * preloads run there too). `worker_threads.isInternalThread` exists from Node 22.14; before,
 * such a thread is the only kind of worker without a `parentPort`.
 */
export function isInternalThread(): boolean {
  const flag = (workerThreads as { isInternalThread?: boolean }).isInternalThread;
  return flag ?? (!isMainThread && parentPort === null);
}

/**
 * The recording handed to this worker by the thread that started it (see
 * {@link shareRecordingWithWorkers}); `undefined` on the main thread, in Node's internal
 * threads, and in workers of a thread that is not recorded.
 */
export function inheritedRecording<Loader>(): ThreadRecording<Loader> | undefined {
  if (isMainThread || isInternalThread()) return undefined;
  const data: unknown = getEnvData(ENVIRONMENT_KEY);
  return data !== null && typeof data === "object" ? (data as ThreadRecording<Loader>) : undefined;
}

/** The trace folder of worker `id` under the root trace folder `root`. */
export function workerTraceDir(root: string, id: number): string {
  return joinPath(root, WORKERS_DIR, StringCtor(id));
}

/**
 * Starts the session of the current thread.
 * - Without `inherited` (the main thread): records into `options.traceDir` (`startSession`
 *   removes the worker traces an earlier recording left there); when it stops, its metadata gets
 *   `workers: ["workers/<id>", …]`, the worker folders holding a `trace.json` at that time.
 * - With `inherited` (a worker): records into `<root>/workers/<threadId>` (`options.traceDir`
 *   is ignored); the metadata gets `thread: {id, parent_id, parent_trace}`. The parent thread
 *   finishes the folder if the worker is terminated ({@link finishAbandonedTrace}).
 *
 * @throws what {@link startSession} throws.
 */
export function startThreadSession(options: SessionOptions, inherited?: ThreadRecording): NodeSession {
  if (!inherited) {
    const root = pathResolve(options.traceDir);
    return startSession({
      ...options,
      metadata: () => {
        const workers = listWorkerTraces(root);
        return { ...options.metadata?.(), ...(workers.length > 0 ? { workers } : {}) };
      },
    });
  }
  const traceDir = workerTraceDir(inherited.root, threadId);
  const parentDir = inherited.parentThreadId === 0 ? inherited.root : workerTraceDir(inherited.root, inherited.parentThreadId);
  const thread: TraceThreadInfo = {
    id: threadId,
    parent_id: inherited.parentThreadId,
    parent_trace: backslashesToSlashes(pathRelative(traceDir, parentDir)),
  };
  // Inside the main thread's folder, which that thread's session holds locked.
  return startSession({ ...options, traceDir, lock: false, metadata: () => ({ ...options.metadata?.(), thread }) });
}

/**
 * Hands the recording on to the workers the current thread starts from now on, and when such a
 * worker exits without having finished its trace (`worker.terminate()`), finishes it with
 * {@link finishAbandonedTrace} before the program's own `exit` listeners run.
 *
 * @param root - the main thread's trace folder
 * @param loader - passed to the workers as {@link ThreadRecording.loader}
 */
export function shareRecordingWithWorkers<Loader>(root: string, loader: Loader): void {
  const recording: ThreadRecording<Loader> = { root, parentThreadId: threadId, loader };
  setEnvData(ENVIRONMENT_KEY, recording as unknown as Parameters<typeof setEnvironmentData>[1]);
  apply(eeOn, process, [
    "worker",
    (worker: Worker) => {
      const dir = workerTraceDir(root, worker.threadId);
      apply(eePrependListener, worker, ["exit", (code: number) => finishAbandonedTrace(dir, code)]);
    },
  ]);
}

/** `workers/<id>` for each worker folder under `root` that holds a `trace.json`, by thread id. */
export function listWorkerTraces(root: string): string[] {
  const ids = workerIds(root);
  const listed: string[] = [];
  for (let i = 0; i < ids.length; i++) {
    const id = ids[i]!;
    if (existsSync(joinPath(root, WORKERS_DIR, id, TRACE_JSON_FILE)) || existsSync(joinPath(root, WORKERS_DIR, id, TRACE_BIN_FILE)))
      appendOwn(listed, `${WORKERS_DIR}/${id}`);
  }
  return listed;
}

function workerIds(root: string): string[] {
  return numberedFolders(root, WORKERS_DIR);
}

/**
 * Finishes the trace folder of a session whose thread was stopped before the session could
 * stop (a worker ended by `worker.terminate()`): see {@link repairTrace}, with
 * `process_exit_status: {code: exitCode, label: "<terminated>"}`.
 *
 * Best effort: never throws. Call it only once the thread writing the folder is gone.
 *
 * @param dir - the trace folder
 * @param exitCode - the thread's exit code (1 after `worker.terminate()`)
 * @returns true when it finished the folder
 */
export function finishAbandonedTrace(dir: string, exitCode: number): boolean {
  try {
    return repairTrace(dir, { code: exitCode, label: "<terminated>" }).repaired;
  } catch {
    return false;
  }
}

/** What {@link repairTrace} did. */
export interface RepairResult {
  /** The folder. */
  dir: string;
  /** True when the folder was unfinished and is now finished. */
  repaired: boolean;
  /** Why nothing was done (already finished, not a trace folder), when `repaired` is false. */
  reason?: string;
  /** Events recovered into `trace.json`. */
  events: number;
  /** The last recorded step (file and line), to tell how far the recording got. */
  lastStep?: { path: string; line: number };
  /** Worker folders under it repaired too. */
  workers: RepairResult[];
  /** Child process folders under it (`children/<pid>`) repaired too; absent when there are none. */
  children?: RepairResult[];
}

/**
 * {@link repairFolder} for `dir` and, first, for each child process folder under it
 * (`children/<pid>`, with the default status: a child outlived by its folder was killed).
 * A folder whose lock a live process holds is left alone (that recording still runs); the stale
 * lock of a folder whose process is gone is removed.
 *
 * @throws what {@link repairFolder} throws.
 */
export function repairTrace(dir: string, status: { code: number | null; label: string | null } = { code: null, label: "<killed>" }): RepairResult {
  const names = numberedFolders(dir, CHILDREN_DIR);
  const children: RepairResult[] = [];
  for (let i = 0; i < names.length; i++) appendOwn(children, repairTrace(joinPath(dir, CHILDREN_DIR, names[i]!)));
  const owner = traceDirLockOwner(dir);
  const result: RepairResult = owner
    ? { dir, repaired: false, reason: `still recording (process ${owner.pid} holds ${LOCK_FILE})`, events: 0, workers: [] }
    : repairFolder(dir, status);
  if (!owner) removeStaleLock(dir);
  return children.length > 0 ? { ...result, children } : result;
}

/**
 * Finishes a trace folder whose process died before the session stopped (`kill -9`, a crash of
 * Node itself, a terminated worker): closes the JSON array of `trace.json` (the writer writes
 * whole events, so what reached the file is a valid prefix; a `trace.bin` gets its seek table
 * rebuilt from its whole zstd frames; both read in chunks, so a folder of any size is repaired in
 * bounded memory: see `repairUnfinishedTrace`), writes `trace_paths.json` from its
 * `Path` events, and `trace_metadata.json` from `trace_metadata.pending.json` with
 * `process_exit_status` `status` (default `{code: null, label: "<killed>"}`) and `partial: true`.
 * Events the process still held in memory are lost (see `NodeSession`: at most the last 10 ms
 * while its event loop was free, or one buffer of 1024 events / 2 MiB of CBOR) and
 * its open calls stay open. Worker folders (`workers/<id>`) are repaired too; the root's metadata
 * lists the child process folders under it (`children`), which {@link repairTrace} repairs.
 *
 * Does nothing to a folder that already has its metadata or has no pending metadata.
 *
 * @throws TraceFormatError `ERR_IO` / `ERR_TRACE_INVALID` when `trace.json` cannot be read or
 *   its prefix does not parse.
 */
function repairFolder(dir: string, status: { code: number | null; label: string | null }): RepairResult {
  const ids = workerIds(dir);
  const workers: RepairResult[] = [];
  for (let i = 0; i < ids.length; i++) appendOwn(workers, repairTrace(joinPath(dir, WORKERS_DIR, ids[i]!), status));
  const pendingFile = joinPath(dir, PENDING_METADATA_FILE);
  if (existsSync(joinPath(dir, TRACE_METADATA_FILE))) return { dir, repaired: false, reason: "the trace is finished already", events: 0, workers };
  if (!existsSync(pendingFile)) {
    return { dir, repaired: false, reason: `no ${PENDING_METADATA_FILE}: not a recording of this recorder, or a recording removed`, events: 0, workers };
  }
  const metadata = JSONParse(readFileSync(pendingFile, "utf8")) as TraceMetadata;
  // Whole events only: the event file is cut after them (trace.json) or its torn frame dropped (trace.bin), and closed,
  // read chunk by chunk (any size, bounded memory).
  const { events, paths, lastStep } = repairUnfinishedTrace(dir);
  writeTracePaths(dir, paths);
  const finished = listWorkerTraces(dir);
  const children = metadata.process ? [] : listChildTraces(dir);
  writeTraceMetadata(dir, {
    ...metadata,
    process_exit_status: status,
    partial: true,
    ...(finished.length > 0 ? { workers: finished } : {}),
    ...(children.length > 0 ? { children } : {}),
  });
  rmSync(pendingFile, { force: true });
  return { dir, repaired: true, events, ...(lastStep ? { lastStep } : {}), workers };
}
