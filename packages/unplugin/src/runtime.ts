/**
 * The runtime of a program built for Node with the plugin: the plugin's virtual module calls
 * {@link startBundleRecording} before the first instrumented module runs. Loaded from
 * `node_modules` at run time (the plugin keeps it external), so a process records once however
 * many bundles it loads.
 * @packageDocumentation
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { isMainThread } from "node:worker_threads";
import { isRecorderErrorLike, isTracing, start, type TraceFormat, type TraceSession } from "@codetracer/runtime";
import {
  asRecorderError,
  printStartError,
  installIdleRuntime,
  PENDING_METADATA_FILE,
  runtimeHost,
  setLoaderInfo,
  setRunId,
  traceDirFromEnv,
  WORKSPACE_DIFF_FILE,
} from "@codetracer/runtime/internal";
import { attrPolicyOf } from "@codetracer/runtime/attr-policy";
import { builtinDefaultSource, createRecordingScope } from "@codetracer/trace-filter";
import { TRACE_BIN_FILE, TRACE_JSON_FILE, TRACE_METADATA_FILE, TRACE_PATHS_FILE } from "@codetracer/trace-format";
import type { BakedFilter } from "./options.js";

/** What the build hands the runtime (generated into the bundle by the plugin). */
export interface BundleRecordingOptions {
  /** The trace folder; relative to the working directory of the run. `CODETRACER_TRACE` (or its deprecated name) overrides it. */
  traceDir: string;
  /** `binary` or `json`. `CODETRACER_FORMAT` overrides it. */
  format: TraceFormat;
  /** The build's trace-filter files after the builtin (texts baked in, so the bundle runs anywhere). */
  filters: BakedFilter[];
  /**
   * Start a session for the whole run (the default). `false`: only install the runtime; the
   * vitest integration starts one session per test file ({@link beginTestFile}).
   */
  wholeRun?: boolean;
}

let installed = false;

/**
 * Installs this thread's runtime once (`globalThis.__codetracer__`, recording nothing yet) with
 * the build's filter chain for the sessions to come: the attribute policy of its `attr`
 * patterns and its part of `trace_metadata.json`.
 */
function installBundleRuntime(filters: BakedFilter[]): void {
  if (installed) return;
  installed = true;
  installIdleRuntime();
  if (runtimeHost().attached || isTracing()) return; // recorded by the CLI or the loader: theirs
  // The build's scope again, from the texts it baked in (its include/exclude globs were applied at build time).
  const scope = createRecordingScope({ builtin: builtinDefaultSource(), filters });
  setLoaderInfo({
    attrPolicy: attrPolicyOf(scope.chain),
    metadata: (counters) => ({ trace_filter: scope.metadata(counters) }),
  });
}

/** Prints a recorder error at start (`printStartError`) and ends the process with exit code 1. */
function exitOnStartError(error: unknown): never {
  if (!isRecorderErrorLike(error)) throw error;
  printStartError(asRecorderError(error));
  process.exit(1);
}

/**
 * Starts recording the whole run of this bundle into `traceDir`, finished at exit like the
 * loader's (`docs/recording.md`). Does nothing when the process is already recorded (the
 * bundle runs under the CLI or `--import codetracer-js-recorder/register`: that recording takes
 * the bundle's events) or after the first call. In a worker thread it only installs a runtime
 * that records nothing.
 *
 * A recorder error at start (an unwritable trace folder, a bad `CODETRACER_*` value) is printed
 * as `codetracer: <message>` (and the JSON error trailer when `CODETRACER_JSON_ERRORS` is on)
 * and ends the process with exit code 1, as the loader does; the program never runs half-recorded.
 *
 * @param options - see {@link BundleRecordingOptions}
 */
export function startBundleRecording(options: BundleRecordingOptions): void {
  if (installed) return;
  installBundleRuntime(options.filters);
  if (options.wholeRun === false || !isMainThread || runtimeHost().attached || isTracing()) return;
  try {
    start(traceDirFromEnv(process.env) ?? options.traceDir, {
      format: (process.env.CODETRACER_FORMAT || options.format) as TraceFormat,
    });
  } catch (error) {
    exitOnStartError(error);
  }
}

/** What the vitest integration hands each test file's worker (`CODETRACER_VITEST`, JSON). */
export interface TestFileRecordingOptions {
  /** The folder of all test files' traces (absolute). */
  traceDir: string;
  /** The project root; a test file's trace folder is its path relative to it, under `traceDir`. */
  root: string;
  /** `binary` (`trace.bin`) or `json` (`trace.json`). */
  format: TraceFormat;
  /** `all`: keep every test file's trace; `failed`: only those of files with a failed test. */
  keep: "all" | "failed";
  /** As {@link BundleRecordingOptions.filters}. */
  filters: BakedFilter[];
  /**
   * The `run_id` of every test file's `trace_metadata.json` (one per vitest run, so the folders
   * of one run can be matched). Default: the worker's own.
   */
  runId?: string;
}

/** The test file this thread records now (set by {@link beginTestFile}, cleared by {@link endTestFile}). */
let testFile: { session: TraceSession; dir: string; traceDir: string; keep: "all" | "failed" } | undefined;

/** This thread's `exit` listener for the test file still recorded (installed by the first {@link beginTestFile}). */
let exitListener: (() => void) | undefined;

/** Characters Windows does not allow in file names (a trace folder should unpack anywhere). */
// eslint-disable-next-line no-control-regex -- control characters are among what it replaces
const UNPORTABLE = /[<>:"|?*\\\u0000-\u001f]/g;

/**
 * The trace folder of `file` under `options.traceDir`: its path relative to the root, folders
 * kept (`<traceDir>/test/math.test.ts/`). Each `..` segment (a test file outside the root) is
 * written `__` so the folder stays inside `traceDir`, and characters Windows does not allow in
 * a name (`<>:"|?*\\`, control characters, e.g. a drive's `C:`) become `_`.
 *
 * @param options - `traceDir` (absolute) and `root`
 * @param file - the test file (absolute)
 * @returns the absolute trace folder
 */
export function testFileTraceDir(options: Pick<TestFileRecordingOptions, "traceDir" | "root">, file: string): string {
  const relative = path
    .relative(options.root, file)
    .split(path.sep)
    .filter((part) => part !== "" && part !== ".")
    .map((part) => (part === ".." ? "__" : part.replace(UNPORTABLE, "_")));
  return path.join(options.traceDir, ...relative);
}

/**
 * Starts recording test file `file` into its own folder ({@link testFileTraceDir}), replacing
 * the trace files an earlier run left there (only those: other files in the folder stay).
 * Called by the vitest setup file before the test file loads.
 *
 * When the previous test file of this thread is still recorded (its end never ran: its module
 * failed to load, or one of its hooks stopped the file), that folder is finished first, as a
 * failed file's (exit code 1, kept whatever `keep` says); an error finishing it is logged (a
 * JSON line on stderr), not thrown into this file. The same happens to a file still recorded
 * when the worker exits.
 *
 * @param options - see {@link TestFileRecordingOptions}
 * @param file - the test file (absolute)
 * @throws RecorderError as `start` does (`ERR_ALREADY_TRACING` when something else records this
 *   thread, e.g. a test that called `start` itself and did not stop; `ERR_TRACE_DIR_CREATE_FAILED`,
 *   `ERR_TRACE_DIR_CONFLICT`, `ERR_INVALID_POLICY_VALUE` for a bad `CODETRACER_*` variable, …)
 */
export function beginTestFile(options: TestFileRecordingOptions, file: string): void {
  installBundleRuntime(options.filters);
  if (!exitListener) {
    // Before the session's own exit hook (listeners run in order): a file still recorded when
    // the worker exits never reached its end, so it is finished as failed (exit code 1).
    exitListener = () => {
      if (!testFile) return;
      try {
        endTestFile({ failed: true });
      } catch {
        // reported by the session (a JSON log line)
      }
    };
    process.on("exit", exitListener);
  }
  if (testFile) {
    try {
      endTestFile({ failed: true });
    } catch {
      // reported by the session (a JSON log line); it belongs to the previous file
    }
  }
  if (options.runId) setRunId(options.runId);
  const dir = testFileTraceDir(options, file);
  removeTraceFiles(dir);
  // Flushed at the end of every turn: a runner may end the worker thread right after the file
  // fails to load (no hook of the file runs), before a batched flush would have come.
  testFile = {
    session: start(dir, { format: options.format, program: file, args: [], flushIntervalMs: 0 }),
    dir,
    traceDir: path.resolve(options.traceDir),
    keep: options.keep,
  };
}

/**
 * Finishes the recording of the current test file (a no-op when none is recorded). The
 * top-level call returns exit code 1 when the file failed, else 0 (also its
 * `process_exit_status`). With `keep: "failed"`, the trace of a file without failures is then
 * deleted (its trace files, then its folder and the parents this leaves empty, up to `traceDir`).
 *
 * @param result - `failed`: whether the file failed (a test, a hook, or the file itself)
 * @throws RecorderError what `TraceSession.stop` throws (`ERR_IO`, `ERR_TRACE_MISSING` under
 *   `requireTrace`); the folder is then kept
 */
export function endTestFile(result: { failed: boolean }): void {
  const current = testFile;
  testFile = undefined;
  if (!current) return;
  current.session.stop({ exitCode: result.failed ? 1 : 0 });
  if (current.keep === "failed" && !result.failed) {
    removeTraceFiles(current.dir);
    removeEmptyFolders(current.dir, current.traceDir);
  }
}

/** The files a recording writes into its folder (only these are ever removed). */
const TRACE_FILES = [TRACE_JSON_FILE, TRACE_BIN_FILE, TRACE_PATHS_FILE, TRACE_METADATA_FILE, PENDING_METADATA_FILE, WORKSPACE_DIFF_FILE];

/** Removes the trace files of a folder (an earlier run's, or a passing file's under `keep: "failed"`); anything else in it stays. */
function removeTraceFiles(dir: string): void {
  let isFolder = false;
  try {
    isFolder = fs.statSync(dir).isDirectory();
  } catch {
    return; // nothing there
  }
  // Not a folder: left alone, and `start` reports ERR_TRACE_DIR_CONFLICT naming it.
  if (!isFolder) return;
  for (const name of TRACE_FILES) fs.rmSync(path.join(dir, name), { force: true });
}

/** Removes `dir` and then its parents while they are empty, up to (not including) `top`. */
function removeEmptyFolders(dir: string, top: string): void {
  for (let current = dir; current !== top && current.startsWith(top + path.sep); current = path.dirname(current)) {
    try {
      fs.rmdirSync(current);
    } catch {
      return; // not empty (or gone)
    }
  }
}
