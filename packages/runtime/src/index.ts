/**
 * `@codetracer/runtime`: the library instrumented code calls. It records steps, calls, returns
 * and values into a CodeTracer trace folder.
 *
 * The documented API is the session API (`start`, `stop`, `trace`, `flush`, `isTracing`,
 * `TraceSession`), the errors, the policy and the value limits (docs/recording.md,
 * docs/errors.md); `codetracer-js-recorder` re-exports it. The rest of this entry is what the
 * recorder's front doors (`@codetracer/register`, `codetracer-js-recorder`, `unplugin-codetracer`)
 * use to start and finish sessions: it is one entry so that a thread has one copy of the
 * runtime's state (the loader hands its bundled copy out for this entry; `runtimeHost` is also
 * on `./host`, and stays here for that reason). The recorder itself with its option types
 * (`AttrPolicy`, `FilterCounters`, …), the value encoder, `attrPolicyOf` and the ABI are the
 * subpaths `./recorder`, `./host`, `./attr-policy` and `./abi`; there is no other subpath.
 *
 * ```ts
 * import { start } from "@codetracer/runtime";
 * const session = start("trace-out");
 * // … the code to record …
 * session.stop();
 * ```
 * @packageDocumentation
 */
export { runtimeHost } from "./host.js";
export { DEFAULT_VALUE_LIMITS, addRealmBuiltins } from "./values.js";
export type { ValueCaptureLimits } from "./values.js";
export {
  EnvironmentError,
  InternalError,
  RecorderError,
  TargetError,
  UsageError,
  asRecorderError,
  fromTraceFilterError,
  isRecorderErrorLike,
} from "./errors.js";
export type { RecorderErrorCode, RecorderErrorKind } from "./errors.js";
export {
  PENDING_METADATA_FILE,
  RECORDER_NAME,
  RECORDER_VERSION,
  WORKSPACE_DIFF_FILE,
  checkTraceFormat,
  ensureTraceDir,
  installIdleRuntime,
  startSession,
} from "./node/session.js";
export type { TraceFormat } from "./node/session.js";
export { installExitHooks } from "./node/exit-hooks.js";
export { DEFAULT_FORMAT, TRACE_BINARY, TRACE_JSON, TraceSession, autoStartFromEnv, flush, isTracing, setLoaderInfo, start, stop, trace } from "./node/api.js";
export type { LoaderInfo, StartOptions } from "./node/api.js";
export { EXCLUDE_ENV, INCLUDE_ENV, TRACE_DIR_ENV, globsFromEnv, traceDirFromEnv } from "./node/env-names.js";
export { LIMIT_VARIABLES, limitsFromEnv } from "./node/limits.js";
export {
  DEFAULT_POLICY,
  configurePolicy,
  configurePolicyFromEnv,
  isEnvTrue,
  parseEnvBoolean,
  policyFromEnv,
  policySnapshot,
  resetPolicy,
} from "./node/policy.js";
export type { OnRecorderError, RecorderPolicy } from "./node/policy.js";
export { errorTrailer, getRunId, log, printStartError, setRunId } from "./node/log.js";
export type { LogDetails, LogLevel } from "./node/log.js";
export { finishAbandonedTrace, repairTrace, inheritedRecording, shareRecordingWithWorkers, startThreadSession } from "./node/threads.js";
export type { RepairResult } from "./node/threads.js";
export { checkTraceDirLock } from "./node/trace-dir.js";
export { processRecording, shareRecordingWithChildren } from "./node/children.js";
