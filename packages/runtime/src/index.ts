/**
 * `@codetracer/runtime`: the library instrumented code calls. It records steps, calls, returns
 * and values into a CodeTracer trace folder.
 *
 * This entry is the documented API: the session API (`start`, `stop`, `trace`, `flush`,
 * `isTracing`, `TraceSession`, `startSession`, `repairTrace`), the errors, the policy and the
 * value limits (docs/recording.md, docs/errors.md); `codetracer-js-recorder` re-exports it. What
 * the recorder's own front doors (`@codetracer/register`, `codetracer-js-recorder`,
 * `unplugin-codetracer`) share beyond it is `./internal`; the recorder with its option types,
 * the runtime host, `attrPolicyOf` and the ABI are `./recorder`, `./host`, `./attr-policy` and
 * `./abi` (docs/architecture.md).
 *
 * ```ts
 * import { start } from "@codetracer/runtime";
 * const session = start("trace-out");
 * // … the code to record …
 * session.stop();
 * ```
 * @packageDocumentation
 */
export { DEFAULT_VALUE_LIMITS } from "./values.js";
export type { ValueCaptureLimits } from "./values.js";
export { EnvironmentError, InternalError, RecorderError, TargetError, UsageError, isRecorderErrorLike } from "./errors.js";
export type { RecorderErrorCode, RecorderErrorKind } from "./errors.js";
export { RECORDER_NAME, RECORDER_VERSION, startSession } from "./node/session.js";
export type { TraceFormat } from "./node/session.js";
export { installExitHooks } from "./node/exit-hooks.js";
export { DEFAULT_FORMAT, TRACE_BINARY, TRACE_JSON, TraceSession, flush, isTracing, start, stop, trace } from "./node/api.js";
export type { StartOptions } from "./node/api.js";
export type { DetachReason, MetricUpdate } from "./recorder.js";
export { DEFAULT_POLICY, configurePolicy, policySnapshot, resetPolicy } from "./node/policy.js";
export type { OnRecorderError, RecorderPolicy } from "./node/policy.js";
export type { LogLevel } from "./node/log.js";
export { repairTrace } from "./node/threads.js";
export type { RepairResult } from "./node/threads.js";
