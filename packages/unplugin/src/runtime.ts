/**
 * The runtime of a program built for Node with the plugin: the plugin's virtual module calls
 * {@link startBundleRecording} before the first instrumented module runs. Loaded from
 * `node_modules` at run time (the plugin keeps it external), so a process records once however
 * many bundles it loads.
 * @packageDocumentation
 */
import { isMainThread } from "node:worker_threads";
import {
  asRecorderError,
  attrPolicyOf,
  errorTrailer,
  installIdleRuntime,
  isRecorderErrorLike,
  isTracing,
  policySnapshot,
  runtimeHost,
  setLoaderInfo,
  start,
  uncaptured,
  type TraceFormat,
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
}

let started = false;

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
  if (started) return;
  started = true;
  installIdleRuntime();
  if (!isMainThread || runtimeHost().attached || isTracing()) return;
  try {
    const chain = new FilterChain([builtinDefaultFilter(), ...options.filters.map((f) => parseTraceFilter(f.text, { path: f.path, root: f.root }))]);
    setLoaderInfo({
      attrPolicy: attrPolicyOf(chain),
      metadata: (counters) => ({ trace_filter: { ...chain.metadata(), stats: counters } }),
    });
    start(process.env.CODETRACER_TRACE || options.traceDir, {
      format: (process.env.CODETRACER_FORMAT || options.format) as TraceFormat,
    });
  } catch (error) {
    if (!isRecorderErrorLike(error)) throw error;
    const e = asRecorderError(error);
    uncaptured(() => {
      process.stderr.write(`codetracer: ${e.message}\n`);
      if (policySnapshot().jsonErrors) process.stderr.write(`${errorTrailer(e)}\n`);
    });
    process.exit(1);
  }
}
