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
import {
  asRecorderError,
  attrPolicyOf,
  printStartError,
  installIdleRuntime,
  isRecorderErrorLike,
  isTracing,
  runtimeHost,
  setLoaderInfo,
  start,
  type TraceFormat,
  type TraceSession,
} from "@codetracer/runtime";
import { FilterChain, builtinDefaultFilter, parseTraceFilter } from "@codetracer/trace-filter";
import type { BakedFilter } from "./options.js";

/** What the build hands the runtime (generated into the bundle by the plugin). */
export interface BundleRecordingOptions {
  /** The trace folder; relative to the working directory of the run. `CODETRACER_TRACE` overrides it. */
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
  const chain = new FilterChain([builtinDefaultFilter(), ...filters.map((f) => parseTraceFilter(f.text, { path: f.path, root: f.root }))]);
  setLoaderInfo({
    attrPolicy: attrPolicyOf(chain),
    metadata: (counters) => ({ trace_filter: { ...chain.metadata(), stats: counters } }),
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
    start(process.env.CODETRACER_TRACE || options.traceDir, {
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
  format: TraceFormat;
  /** `all`: keep every test file's trace; `failed`: only those of files with a failed test. */
  keep: "all" | "failed";
  /** As {@link BundleRecordingOptions.filters}. */
  filters: BakedFilter[];
}

let testFile: { session: TraceSession; dir: string; keep: "all" | "failed" } | undefined;

/**
 * The trace folder of `file` under `options.traceDir`: its path relative to the root, folders
 * kept (`<traceDir>/test/math.test.ts/`), with `..` segments written `__` so it stays inside.
 */
export function testFileTraceDir(options: Pick<TestFileRecordingOptions, "traceDir" | "root">, file: string): string {
  const relative = path.relative(options.root, file).split(path.sep).map((part) => (part === ".." ? "__" : part));
  return path.join(options.traceDir, ...relative);
}

/**
 * Starts recording test file `file` into its own folder ({@link testFileTraceDir}), replacing
 * what an earlier run left there. Called by the vitest setup file before the test file loads.
 *
 * @throws RecorderError as `start` does (`ERR_ALREADY_TRACING` while another test file of this
 *   thread is still recorded, `ERR_TRACE_DIR_CREATE_FAILED`, …)
 */
export function beginTestFile(options: TestFileRecordingOptions, file: string): void {
  installBundleRuntime(options.filters);
  const dir = testFileTraceDir(options, file);
  fs.rmSync(dir, { recursive: true, force: true });
  testFile = { session: start(dir, { format: options.format, program: file, args: [] }), dir, keep: options.keep };
}

/**
 * Finishes the recording of the current test file; with `keep: "failed"`, deletes its folder
 * unless a test failed.
 *
 * @param result - `failed`: whether any test of the file failed
 */
export function endTestFile(result: { failed: boolean }): void {
  const current = testFile;
  testFile = undefined;
  if (!current) return;
  current.session.stop();
  if (current.keep === "failed" && !result.failed) fs.rmSync(current.dir, { recursive: true, force: true });
}
