/**
 * `codetracer-js-recorder`: the CodeTracer recorder for JavaScript and TypeScript.
 *
 * - The command `codetracer-js-recorder [options] SCRIPT [ARGS...]` records a program.
 * - `node --import codetracer-js-recorder/register app.ts` records a whole run;
 *   `node --import codetracer-js-recorder/register/instrument app.ts` instruments it for the
 *   session API below.
 * - `codetracer-js-recorder/cli` is the command as a function (`run(argv)`).
 * - This module is the session API (`start`, `stop`, `isTracing`, `flush`, `trace`,
 *   `TraceSession`), the policy (`configurePolicy`, `policySnapshot`) and the errors
 *   (`RecorderError` and its subclasses). Importing it starts a session when `CODETRACER_TRACE`
 *   is set and none is active (auto-start, finished at exit).
 *
 * ```ts
 * import { start } from "codetracer-js-recorder";
 * {
 *   using session = start("trace-out");
 *   work();
 * } // stopped here: trace-out holds trace.json, trace_metadata.json, trace_paths.json
 * ```
 * @packageDocumentation
 */
// `@codetracer/runtime` as the loader has it in this thread (bundled into the loader), else the
// package: one copy of the runtime's state per thread (see `@codetracer/register/runtime`).
import { autoStartFromEnv } from "@codetracer/register/runtime";

export {
  DEFAULT_FORMAT,
  DEFAULT_POLICY,
  EnvironmentError,
  InternalError,
  RecorderError,
  TRACE_BINARY,
  TRACE_JSON,
  TargetError,
  TraceSession,
  UsageError,
  autoStartFromEnv,
  configurePolicy,
  flush,
  isTracing,
  policySnapshot,
  resetPolicy,
  start,
  stop,
  trace,
} from "@codetracer/register/runtime";
export type { OnRecorderError, RecorderErrorCode, RecorderErrorKind, RecorderPolicy, StartOptions, TraceFormat } from "@codetracer/register/runtime";

autoStartFromEnv();
