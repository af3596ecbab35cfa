/**
 * `@codetracer/runtime`: the library instrumented code calls. It records steps, calls, returns
 * and values into a CodeTracer trace folder.
 *
 * ```ts
 * import { startSession, installExitHooks } from "@codetracer/runtime";
 * const session = startSession({ traceDir: "trace-out", program: "/abs/app.js", args: [] });
 * installExitHooks(session);
 * ```
 * @packageDocumentation
 */
export { ABI_VERSION, INIT_FUNCTION_PREFIX, INSTRUMENTED_MARKER, RUNTIME_GLOBAL } from "./abi.js";
export type { FileRuntime, FileTable, FrameHandle, FunctionEntry, RuntimeApi, SiteEntry, SourceRanges } from "./abi.js";
export { Recorder } from "./recorder.js";
export type { AttrPolicy, FilterCounters, RecorderOptions, TraceEventSink } from "./recorder.js";
export { DEFAULT_VALUE_LIMITS, TypeTable, ValueEncoder, bigintRecord } from "./values.js";
export type { ValueCaptureLimits } from "./values.js";
export { EnvironmentError, RecorderError, UsageError } from "./errors.js";
export type { RecorderErrorCode, RecorderErrorKind } from "./errors.js";
export {
  NodeSession,
  PENDING_METADATA_FILE,
  RECORDER_NAME,
  RECORDER_VERSION,
  checkTraceFormat,
  ensureTraceDir,
  startSession,
} from "./node/session.js";
export type { SessionOptions, TraceFormat } from "./node/session.js";
export { installExitHooks } from "./node/exit-hooks.js";
export {
  WORKERS_DIR,
  finishAbandonedTrace,
  inheritedRecording,
  installIdleRuntime,
  isInternalThread,
  listWorkerTraces,
  shareRecordingWithWorkers,
  startThreadSession,
  workerTraceDir,
} from "./node/threads.js";
export type { ThreadRecording } from "./node/threads.js";
