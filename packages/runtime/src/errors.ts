/**
 * Structured recorder errors with stable `ERR_*` codes (the codes of the CodeTracer Python
 * recorder where they apply: `../shared/spec/recorder-behaviour.md` §3.1).
 */

/** Stable error codes. */
export type RecorderErrorCode =
  | "ERR_ALREADY_TRACING"
  | "ERR_TRACE_DIR_CONFLICT"
  | "ERR_TRACE_DIR_CREATE_FAILED"
  | "ERR_UNSUPPORTED_FORMAT"
  | "ERR_IO"
  | "ERR_INVALID_POLICY_VALUE"
  | "ERR_TRACE_MISSING"
  | "ERR_TRACE_INCOMPLETE"
  | "ERR_UNKNOWN";

/** Who is at fault: the caller, the machine, the traced program, or the recorder itself. */
export type RecorderErrorKind = "Usage" | "Environment" | "Target" | "Internal";

/**
 * Base class of every error the recorder raises on purpose. `message` is
 * `[CODE] text`; `context` holds string details (paths, option names).
 */
export class RecorderError extends Error {
  override name = "RecorderError";
  constructor(
    readonly code: RecorderErrorCode,
    readonly kind: RecorderErrorKind,
    message: string,
    readonly context: Record<string, string> = {},
    options?: { cause?: unknown },
  ) {
    super(`[${code}] ${message}`, options);
  }
}

/** The caller asked for something invalid (bad option, format, path). */
export class UsageError extends RecorderError {
  override name = "UsageError";
  constructor(code: RecorderErrorCode, message: string, context?: Record<string, string>, options?: { cause?: unknown }) {
    super(code, "Usage", message, context, options);
  }
}

/** The environment failed (file system, permissions). */
export class EnvironmentError extends RecorderError {
  override name = "EnvironmentError";
  constructor(code: RecorderErrorCode, message: string, context?: Record<string, string>, options?: { cause?: unknown }) {
    super(code, "Environment", message, context, options);
  }
}
