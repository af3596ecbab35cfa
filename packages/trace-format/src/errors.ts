/**
 * The one error class this package throws.
 *
 * @packageDocumentation
 */

/**
 * Error codes of {@link TraceFormatError}:
 * - `ERR_IO`: a file-system operation failed (open, write, rename, read), or a sink or writer
 *   was used after it was closed.
 * - `ERR_TRACE_INVALID`: a trace file exists but cannot be read as the format (malformed JSON,
 *   wrong top-level shape, `trace.bin` not supported yet) or a value handed to a writer cannot be
 *   encoded (spec §2–§4).
 * - `ERR_TRACE_MISSING`: a trace folder has neither `trace.json` nor `trace.bin` (spec §2).
 */
export type TraceFormatErrorCode = "ERR_IO" | "ERR_TRACE_INVALID" | "ERR_TRACE_MISSING";

/**
 * Error thrown by the writers, sinks and readers of this package.
 *
 * `code` says what went wrong (see {@link TraceFormatErrorCode}); `context` carries string
 * details such as `path`, `file`, `position`, `line`, `column` or `syscall`. The underlying error,
 * if any, is in `cause`.
 */
export class TraceFormatError extends Error {
  /** What went wrong; stable, suitable for `switch`. */
  readonly code: TraceFormatErrorCode;
  /** String details (e.g. `{ path: "/tmp/t/trace.json" }`). */
  readonly context: Record<string, string>;

  /**
   * @param code - the error code
   * @param message - a human-readable message (should name the file involved)
   * @param context - string details; copied
   * @param cause - the underlying error, if any
   */
  constructor(
    code: TraceFormatErrorCode,
    message: string,
    context: Record<string, string> = {},
    cause?: unknown
  ) {
    super(message, cause === undefined ? undefined : { cause });
    this.name = "TraceFormatError";
    this.code = code;
    this.context = { ...context };
  }
}

/**
 * Wraps a Node.js file-system error into a {@link TraceFormatError} with code `ERR_IO`.
 * `context` gets `path`, `operation`, and the Node `code`/`syscall` when present.
 *
 * @param operation - what was being done, e.g. `"open"`, `"write"`, `"rename"`
 * @param path - the file involved
 * @param error - the error thrown by `fs`
 * @returns the wrapped error (not thrown)
 */
export function ioError(operation: string, path: string, error: unknown): TraceFormatError {
  const context: Record<string, string> = { path, operation };
  let detail = String(error);
  if (error !== null && typeof error === "object") {
    const e = error as { code?: unknown; syscall?: unknown; message?: unknown };
    if (typeof e.code === "string") context.errno = e.code;
    if (typeof e.syscall === "string") context.syscall = e.syscall;
    if (typeof e.message === "string") detail = e.message;
  }
  return new TraceFormatError("ERR_IO", `cannot ${operation} ${path}: ${detail}`, context, error);
}
