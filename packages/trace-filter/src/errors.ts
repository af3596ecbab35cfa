/**
 * The one error class this package throws.
 *
 * @packageDocumentation
 */

import { StringCtor } from "@codetracer/trace-format/internal/primordials";

/**
 * Error codes of {@link TraceFilterError} (the codes of the CodeTracer recorders,
 * docs/trace-filters.md, "Errors"):
 * - `ERR_INVALID_POLICY_VALUE`: the filter text is not valid: TOML syntax, an unknown key, a
 *   wrong type or value, a bad selector, regex or glob, `meta.version` above 1 (the Python
 *   recorder maps its `ERR_UNSUPPORTED_SCHEMA_VERSION` to this code too; the message names the
 *   version and `context.version` holds it), `inherit` with no earlier filter that set the
 *   value, an empty chain, or a `file:` pattern that escapes its project root.
 * - `ERR_IO`: a filter file (or a `package.json` read for a `pkg:` selector) is missing or
 *   cannot be read or parsed.
 */
export type TraceFilterErrorCode = "ERR_INVALID_POLICY_VALUE" | "ERR_IO";

/**
 * Error thrown when a trace filter cannot be read, parsed, validated or composed.
 *
 * The message names the file and, when there is one, the entry, for example
 * `/x/.codetracer/trace-filter.toml: scope.rules[2].value_patterns[0]: unsupported match type 'foo' in selector 'pkg:foo:bar'`.
 * `context` carries the same facts as strings: `file` (the filter's path or its
 * `<inline:…>` pseudo-path), `entry` (e.g. `scope.rules[2].value_patterns[0]`) when the
 * problem is inside one table, and sometimes `selector`, `key`, `line`, `column`, `version`
 * or `errno`. The underlying error, if any, is in `cause`.
 */
export class TraceFilterError extends Error {
  /** What went wrong; stable, suitable for `switch`. */
  readonly code: TraceFilterErrorCode;
  /** String details, e.g. `{ file: "/p/.codetracer/trace-filter.toml", entry: "scope.rules[0]" }`. */
  readonly context: Record<string, string>;

  /**
   * @param code - the error code
   * @param message - the full human-readable message (should start with the file)
   * @param context - string details; copied
   * @param cause - the underlying error, if any
   */
  constructor(code: TraceFilterErrorCode, message: string, context: Record<string, string> = {}, cause?: unknown) {
    super(message, cause === undefined ? undefined : { cause });
    this.name = "TraceFilterError";
    this.code = code;
    this.context = { ...context };
  }
}

/**
 * Builds an `ERR_INVALID_POLICY_VALUE` error whose message is `file: entry: detail` (or
 * `file: detail` without an entry).
 *
 * @param file - the filter's path or `<inline:…>` pseudo-path
 * @param entry - the table the problem is in, e.g. `scope.rules[2]`; `undefined` for the file
 * @param detail - what is wrong
 * @param extra - more context strings
 * @param cause - the underlying error, if any
 * @returns the error (not thrown)
 */
export function invalidFilter(file: string, entry: string | undefined, detail: string, extra: Record<string, string> = {}, cause?: unknown): TraceFilterError {
  const context: Record<string, string> = { file, ...extra };
  if (entry !== undefined) context.entry = entry;
  const where = entry === undefined ? file : `${file}: ${entry}`;
  return new TraceFilterError("ERR_INVALID_POLICY_VALUE", `${where}: ${detail}`, context, cause);
}

/**
 * Wraps a Node.js file-system error into a {@link TraceFilterError} with code `ERR_IO`.
 *
 * @param file - the file involved
 * @param what - what was being done, e.g. `"read trace filter"`
 * @param error - the error thrown by `fs`
 * @returns the wrapped error (not thrown)
 */
export function ioFailure(file: string, what: string, error: unknown): TraceFilterError {
  const context: Record<string, string> = { file };
  let detail = StringCtor(error);
  if (error !== null && typeof error === "object") {
    const e = error as { code?: unknown; message?: unknown };
    if (typeof e.code === "string") context.errno = e.code;
    if (typeof e.message === "string") detail = e.message;
  }
  return new TraceFilterError("ERR_IO", `${file}: cannot ${what}: ${detail}`, context, error);
}
