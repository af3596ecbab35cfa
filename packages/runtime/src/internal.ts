/**
 * `@codetracer/runtime/internal`: what the recorder's front doors (`@codetracer/register`,
 * `codetracer-js-recorder`, `unplugin-codetracer`) share beyond the documented API of the main
 * entry: starting and finishing sessions for a loader, a thread or a child process, the
 * environment variables they read, the log, the run id and the exit summary. Not a public API:
 * names here change without notice.
 *
 * Like the main entry, this one holds runtime state (the policy, the log, the sessions), which
 * must exist once per thread: the loader's resolvers hand out its bundled copy for both entries
 * (packages/register/src/runtime-alias.ts; docs/architecture.md).
 *
 * @packageDocumentation
 */
export { runtimeHost } from "./host.js";
export { addRealmBuiltins } from "./values.js";
export { asRecorderError, fromTraceFilterError } from "./errors.js";
export { PENDING_METADATA_FILE, WORKSPACE_DIFF_FILE, checkTraceFormat, ensureTraceDir, installIdleRuntime } from "./node/session.js";
export { autoStartFromEnv, setLoaderInfo } from "./node/api.js";
export type { LoaderInfo } from "./node/api.js";
export { EXCLUDE_ENV, INCLUDE_ENV, TRACE_DIR_ENV, globsFromEnv, traceDirFromEnv } from "./node/env-names.js";
export { LIMIT_VARIABLES, limitsFromEnv } from "./node/limits.js";
export { configurePolicyFromEnv, isEnvTrue, parseEnvBoolean, policyFromEnv } from "./node/policy.js";
export { errorTrailer, getRunId, log, printStartError, setRunId } from "./node/log.js";
export type { LogDetails } from "./node/log.js";
export { finishAbandonedTrace, inheritedRecording, shareRecordingWithWorkers, startThreadSession } from "./node/threads.js";
export { checkTraceDirLock } from "./node/trace-dir.js";
export { processRecording, shareRecordingWithChildren } from "./node/children.js";
