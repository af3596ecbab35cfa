/**
 * The one error class this package throws.
 *
 * @packageDocumentation
 */

import { NumberCtor, NumberPrototypeToExponential, ReflectDefineProperty, SafeSet, StringCtor } from "./primordials.js";

/**
 * Error codes of {@link TraceFormatError}:
 * - `ERR_IO`: a file-system operation failed (open, write, rename, read), or a sink or writer
 *   was used after it was closed.
 * - `ERR_TRACE_INVALID`: a trace file exists but cannot be read as the format (malformed JSON,
 *   wrong top-level shape, CBOR that CodeTracer's reader rejects) or a value handed to a writer
 *   cannot be encoded (docs/trace-format.md: "Folder", "Metadata", "trace.json"). An integer outside the range of its Rust field is one such
 *   value: `context.reason` is then `"integer-out-of-range"`, with `field`, `value` and `range`
 *   (see {@link checkIntegerRange}).
 * - `ERR_TRACE_MISSING`: a trace folder has neither `trace.json` nor `trace.bin` (docs/trace-format.md: "Folder").
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
  constructor(code: TraceFormatErrorCode, message: string, context: Record<string, string> = {}, cause?: unknown) {
    super(message, cause === undefined ? undefined : { cause });
    // defined as an assignment would (own, enumerable), without running a setter of the program's
    ReflectDefineProperty(this, "name", {
      __proto__: null,
      value: "TraceFormatError",
      writable: true,
      enumerable: true,
      configurable: true,
    } as PropertyDescriptor);
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
  let detail = StringCtor(error);
  if (error !== null && typeof error === "object") {
    const e = error as { code?: unknown; syscall?: unknown; message?: unknown };
    if (typeof e.code === "string") context.errno = e.code;
    if (typeof e.syscall === "string") context.syscall = e.syscall;
    if (typeof e.message === "string") detail = e.message;
  }
  return new TraceFormatError("ERR_IO", `cannot ${operation} ${path}: ${detail}`, context, error);
}

/** Smallest i64 (`-2^63`). */
const I64_MIN = -(2n ** 63n);
/** Largest i64 (`2^63 - 1`). */
const I64_MAX = 2n ** 63n - 1n;
/** Largest u64 (`2^64 - 1`). */
const U64_MAX = 2n ** 64n - 1n;

/**
 * Fields whose Rust type is `i64` in runtime_tracing (`Int.i`, `line`, `place`); every other
 * integer field is unsigned (`usize` ids, `u64` addresses and thread ids, `u8` kinds).
 */
const I64_FIELDS = new SafeSet<string>();
I64_FIELDS.add("i");
I64_FIELDS.add("line");
I64_FIELDS.add("place");

/**
 * The Rust range of the integer field named `field`: `"i64"` for `i` (`Int.i`), `line` and
 * `place`, `"u64"` for any other name (an id, `address`, a thread id, an array of ids).
 */
export function integerFieldRange(field: string): "i64" | "u64" {
  return I64_FIELDS.has(field) ? "i64" : "u64";
}

/**
 * Checks that `value`, an integer an encoder is about to write exactly, fits the Rust type of
 * the field it is written to (see {@link integerFieldRange}): `[-2^63, 2^63)` for i64 fields,
 * `[0, 2^64)` for the others. Used by the writers for integers that are not safe integers (a
 * `bigint`, or a double beyond ±2^53), which CodeTracer's reader would reject or which would be
 * written wrong (2^64 as 0).
 *
 * @param value - the integer, exactly
 * @param field - the name of the field (an array item's is its array's)
 * @throws {@link TraceFormatError} `ERR_TRACE_INVALID` with `context` `{ reason:
 *   "integer-out-of-range", field, value, range }` when it does not fit
 */
export function checkIntegerRange(value: bigint, field: string): void {
  const range = integerFieldRange(field);
  const fits = range === "i64" ? value >= I64_MIN && value <= I64_MAX : value >= 0n && value <= U64_MAX;
  if (fits) return;
  const digits = StringCtor(value);
  const shown = digits.length > 24 ? NumberPrototypeToExponential(NumberCtor(value), 3) : digits;
  throw new TraceFormatError(
    "ERR_TRACE_INVALID",
    `the integer ${shown} of field "${field}" is outside the ${range} range CodeTracer reads it as (${range === "i64" ? "-2^63 to 2^63-1" : "0 to 2^64-1"})`,
    { reason: "integer-out-of-range", field, value: digits, range },
  );
}
