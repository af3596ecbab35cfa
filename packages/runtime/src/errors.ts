import { RegExpPrototypeTest, StringCtor } from "./primordials.js";
import { TraceFilterError } from "@codetracer/trace-filter";

/**
 * Structured recorder errors with stable `ERR_*` codes (the codes of the CodeTracer Python
 * recorder where they apply; docs/errors.md lists them).
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
  | "ERR_INSECURE_CACHE"
  | "ERR_UNSUPPORTED_PNP"
  | "ERR_TARGET_NOT_FOUND"
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

/**
 * The traced program is at fault, not the caller's options or the recorder: e.g.
 * `ERR_TARGET_NOT_FOUND`, the script to record, or the activation file the recording waits
 * for, does not exist (docs/errors.md, "Classes").
 */
export class TargetError extends RecorderError {
  override name = "TargetError";
  constructor(code: RecorderErrorCode, message: string, context?: Record<string, string>, options?: { cause?: unknown }) {
    super(code, "Target", message, context, options);
  }
}

/** The recorder itself failed (a bug): `ERR_UNKNOWN` unless a more precise code applies. */
export class InternalError extends RecorderError {
  override name = "InternalError";
  constructor(code: RecorderErrorCode, message: string, context?: Record<string, string>, options?: { cause?: unknown }) {
    super(code, "Internal", message, context, options);
  }
}

/**
 * `error` as a {@link RecorderError}: itself when it is one (also one from another copy of this
 * package, recognised by its `code` and `kind`), else an {@link InternalError} `ERR_UNKNOWN`
 * whose message is the error's and whose `cause` is the error.
 */
export function asRecorderError(error: unknown): RecorderError {
  if (error instanceof RecorderError) return error;
  if (isRecorderErrorLike(error)) return error as RecorderError;
  const message = error instanceof Error ? error.message : StringCtor(error);
  return new InternalError("ERR_UNKNOWN", message, {}, { cause: error });
}

const ERROR_CODE = /^ERR_[A-Z_]+$/;

/** True for a {@link RecorderError}, also one created by another copy of this package. */
export function isRecorderErrorLike(error: unknown): error is RecorderError {
  if (error instanceof RecorderError) return true;
  if (!(error instanceof Error)) return false;
  const { code, kind } = error as Partial<RecorderError>;
  return (
    typeof code === "string" &&
    RegExpPrototypeTest(ERROR_CODE, code) &&
    (kind === "Usage" || kind === "Environment" || kind === "Target" || kind === "Internal")
  );
}

/**
 * A trace filter's error as the recorder's coded error: `ERR_IO` (a missing or unreadable file)
 * becomes an {@link EnvironmentError}, `ERR_INVALID_POLICY_VALUE` a {@link UsageError}, with
 * the same message and context. Any other value is returned unchanged.
 */
export function fromTraceFilterError(error: unknown): unknown {
  if (!(error instanceof TraceFilterError)) return error;
  const context = { ...error.context };
  if (error.code === "ERR_IO") return new EnvironmentError("ERR_IO", error.message, context, { cause: error });
  return new UsageError("ERR_INVALID_POLICY_VALUE", error.message, context, { cause: error });
}
