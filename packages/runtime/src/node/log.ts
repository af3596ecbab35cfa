/**
 * The recorder's structured log and its JSON error trailer (docs/errors.md, "Logs" and "JSON error trailer").
 *
 * Log records are JSON lines on stderr, or appended to the policy's `logFile`:
 * `{"ts_micros", "level", "target", "run_id", "message"}` plus `trace_id` while a session is
 * recording, `error_code` for a record about a {@link RecorderError}, and `fields` when given.
 * Which records are written is decided by the policy's `logLevel` (`CODETRACER_LOG`,
 * `target=level` syntax, default `warn`; see `log-spec.ts`). Targets used: `codetracer.session`,
 * `codetracer.recorder`, `codetracer.io`, `codetracer.filter`, `codetracer.signal`.
 *
 * With the policy's `jsonErrors` (`--json-errors`, `CODETRACER_JSON_ERRORS`), each recorder error
 * also writes one trailer line on stderr:
 * `{"run_id", "trace_id", "error_code", "error_kind", "message", "context"}`; `trace_id` is null
 * outside a session. The recorder's own lines are never captured as the program's output.
 */
import {
  ErrorCtor,
  JSONStringify,
  MathRound,
  PerformanceNow,
  PerformanceTimeOrigin,
  StringCtor,
  SafeWeakSet,
  StringPrototypeToUpperCase,
} from "../primordials.js";
import { randomUUID } from "node:crypto";
import * as fs from "node:fs";

const appendFileSync = fs.appendFileSync;
import { stringifyJson } from "@codetracer/trace-format/json-writer";
import type { RecorderError } from "../errors.js";
import { DEFAULT_LOG_SPEC, LOG_LEVEL_RANK, levelFor, parseLogSpec, type LogLevel, type LogSpec } from "./log-spec.js";
import { isEnvTrue, onPolicyChange, type RecorderPolicy } from "./policy.js";
import { uncaptured } from "./io-capture.js";
import { setTraceFilterWarningHandler } from "@codetracer/trace-filter";
import { isMainThread } from "node:worker_threads";

export type { LogLevel } from "./log-spec.js";

// A trace-filter file's warnings (a `pkg:` selector in Python's module form, which matches no
// npm package) become `warn` records of target `codetracer.filter`. Only the main thread
// reports them: worker threads (and the loader's module hooks thread) parse the same files again.
setTraceFilterWarningHandler((warning) => {
  if (!isMainThread) return;
  log("warn", "codetracer.filter", warning.message, {
    fields: { file: warning.file, line: warning.line ?? null, selector: warning.selector },
  });
});

/** Identifies this process's run in log lines, trailers and metadata (a UUIDv4). */
let runId: string = randomUUID();
let traceId: string | null = null;
let spec: LogSpec = DEFAULT_LOG_SPEC;
let logFile: string | undefined;
let jsonErrors = false;
let logFileFailed = false;

onPolicyChange((policy: Readonly<RecorderPolicy>) => {
  spec = policy.logLevel ? parseLogSpec(policy.logLevel, (m) => new ErrorCtor(m)) : DEFAULT_LOG_SPEC;
  if (policy.logFile !== logFile) logFileFailed = false;
  logFile = policy.logFile;
  jsonErrors = policy.jsonErrors;
});

/** The run id (a UUIDv4 per process; a worker thread gets its parent's). */
export function getRunId(): string {
  return runId;
}

/** Makes this thread use the run id of the process it belongs to (a worker gets its parent's). */
export function setRunId(id: string): void {
  runId = id;
}

/** The id of the session now recording (a UUIDv4), or null. */
export function getTraceId(): string | null {
  return traceId;
}

/** Set by the session when it begins (a new id) and ends (null). */
export function setTraceId(id: string | null): void {
  traceId = id;
}

/** True when a record of `level` for `target` would be written. */
export function logEnabled(level: Exclude<LogLevel, "off">, target: string): boolean {
  return LOG_LEVEL_RANK[level] <= LOG_LEVEL_RANK[levelFor(spec, target)];
}

/** Extra parts of a log record. */
export interface LogDetails {
  /** The `ERR_*` code the record is about. */
  errorCode?: string;
  /** Anything else, written as `fields`. */
  fields?: Record<string, unknown>;
}

function writeStderr(line: string): void {
  uncaptured(() => {
    try {
      process.stderr.write(line); // builtins-ok: the stream's own write, as for any write to stderr
    } catch {
      // stderr closed: nothing to do
    }
  });
}

/**
 * Writes one log record if the filter lets it through. Never throws: when the log file
 * cannot be written, the records go to stderr (with one warning saying so).
 */
export function log(level: Exclude<LogLevel, "off">, target: string, message: string, details: LogDetails = {}): void {
  if (!logEnabled(level, target)) return;
  const record: Record<string, unknown> = {
    __proto__: null, // (no toJSON of the program's Object.prototype in a record)
    ts_micros: MathRound((PerformanceTimeOrigin + PerformanceNow()) * 1000),
    level: StringPrototypeToUpperCase(level),
    target,
    run_id: runId,
    ...(traceId ? { trace_id: traceId } : {}),
    ...(details.errorCode ? { error_code: details.errorCode } : {}),
    message,
    ...(details.fields ? { fields: details.fields } : {}),
  };
  let line: string;
  try {
    line = `${stringifyJson(record)}\n`;
  } catch {
    line = `${stringifyJson({ ...record, fields: StringCtor(details.fields) })}\n`;
  }
  if (logFile && !logFileFailed) {
    try {
      appendFileSync(logFile, line);
      return;
    } catch (error) {
      logFileFailed = true;
      writeStderr(
        `${JSONStringify({ __proto__: null, ts_micros: record.ts_micros, level: "WARN", target: "codetracer.log", run_id: runId, error_code: "ERR_IO", message: `cannot write the log file ${logFile} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}); logging to stderr` })}\n`,
      );
    }
  }
  writeStderr(line);
}

/** The JSON error trailer of `error` (one line, without the newline). */
export function errorTrailer(error: RecorderError): string {
  return stringifyJson({
    // an object literal: never undefined
    run_id: runId,
    trace_id: traceId,
    error_code: error.code,
    error_kind: error.kind,
    message: error.message,
    context: error.context ?? {},
  })!;
}

/**
 * Prints a recorder error that keeps a program from starting recorded: `codetracer: <text>`
 * (default: the error's message) on stderr, then the JSON error trailer when the policy's
 * `jsonErrors` or `CODETRACER_JSON_ERRORS` is on (the policy may not be set yet: the error may
 * be a bad policy variable). Never captured as the program's output. Used by the loader and
 * the bundle runtime before they exit with code 1.
 */
export function printStartError(error: RecorderError, text: string = error.message): void {
  writeStderr(`codetracer: ${text}\n`);
  if (jsonErrors || isEnvTrue(process.env.CODETRACER_JSON_ERRORS)) writeStderr(`${errorTrailer(error)}\n`);
}

const reported = new SafeWeakSet<RecorderError>();

/**
 * Reports a recorder error (once; reporting it again does nothing): an `error` log record (target `target`) and, with the policy's
 * `jsonErrors`, the trailer line on stderr. Never throws.
 */
export function reportRecorderError(error: RecorderError, target = "codetracer.session"): void {
  if (reported.has(error)) return;
  reported.add(error);
  log("error", target, error.message, { errorCode: error.code, fields: { kind: error.kind, context: error.context } });
  if (jsonErrors) writeStderr(`${errorTrailer(error)}\n`);
}
