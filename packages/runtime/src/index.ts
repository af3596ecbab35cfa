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
export { IDLE_FILE_RUNTIME, Recorder, UNTRACKED } from "./recorder.js";
export type { AttrPolicy, FilterCounters, RecorderOptions, RuntimeScopeDecision, RuntimeValueAction, TraceEventSink } from "./recorder.js";
export { RuntimeHost, isRuntimeHost, runtimeHost } from "./host.js";
export { DEFAULT_VALUE_LIMITS, TypeTable, ValueEncoder, addRealmBuiltins, bigintRecord } from "./values.js";
export type { ValueCaptureLimits } from "./values.js";
export { EnvironmentError, InternalError, RecorderError, TargetError, UsageError, asRecorderError, fromTraceFilterError, isRecorderErrorLike } from "./errors.js";
export type { RecorderErrorCode, RecorderErrorKind } from "./errors.js";
export {
  NodeSession,
  PENDING_METADATA_FILE,
  RECORDER_NAME,
  RECORDER_VERSION,
  WORKSPACE_DIFF_FILE,
  checkTraceFormat,
  ensureTraceDir,
  installIdleRuntime,
  startSession,
} from "./node/session.js";
export type { SessionOptions, TraceFormat } from "./node/session.js";
export { FINALISED_SIGNALS, installExitHooks } from "./node/exit-hooks.js";
export {
  DEFAULT_FORMAT,
  TRACE_BINARY,
  TRACE_JSON,
  TraceSession,
  attrPolicyOf,
  autoStartFromEnv,
  flush,
  isTracing,
  loaderInfo,
  setLoaderInfo,
  start,
  stop,
  trace,
} from "./node/api.js";
export type { LoaderInfo, StartOptions } from "./node/api.js";
export { DEPRECATED_ENV_NAMES, EXCLUDE_ENV, INCLUDE_ENV, TRACE_DIR_ENV, globsFromEnv, readEnv, traceDirFromEnv } from "./node/env-names.js";
export type { DeprecationWarn } from "./node/env-names.js";
export { checkLimits, LIMIT_VARIABLES, limitsFromEnv, MAX_LIMIT } from "./node/limits.js";
export {
  DEFAULT_POLICY,
  configurePolicy,
  configurePolicyFromEnv,
  isEnvTrue,
  parseEnvBoolean,
  onPolicyChange,
  policyFromEnv,
  policySnapshot,
  resetPolicy,
} from "./node/policy.js";
export type { OnRecorderError, RecorderPolicy } from "./node/policy.js";
export { errorTrailer, getRunId, getTraceId, log, logEnabled, printStartError, reportRecorderError, setRunId } from "./node/log.js";
export type { LogDetails, LogLevel } from "./node/log.js";
export { LOG_LEVEL_RANK, levelFor, parseLogSpec } from "./node/log-spec.js";
export type { LogSpec } from "./node/log-spec.js";
export { installIoCapture, uncaptured } from "./node/io-capture.js";
export type { CapturedStream } from "./node/io-capture.js";
export { saveWorkspaceDiff } from "./node/workspace-diff.js";
export type { WorkspaceDiffInfo } from "./node/workspace-diff.js";
export {
  WORKERS_DIR,
  finishAbandonedTrace,
  repairTrace,
  inheritedRecording,
  isInternalThread,
  listWorkerTraces,
  shareRecordingWithWorkers,
  startThreadSession,
  workerTraceDir,
} from "./node/threads.js";
export type { RepairResult, ThreadRecording } from "./node/threads.js";
export { CHILDREN_DIR, LOCK_FILE, TRACE_FILES, acquireTraceDirLock, checkTraceDirLock, removeStaleLock, removeStaleTrace, traceDirLockOwner } from "./node/trace-dir.js";
export type { TraceDirLock, TraceDirLockInfo } from "./node/trace-dir.js";
export { PARENT_ENV, childTraceDir, listChildTraces, processMetadata, processRecording, shareRecordingWithChildren } from "./node/children.js";
export type { ProcessRecording } from "./node/children.js";
